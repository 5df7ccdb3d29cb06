/**
 * The product catalogue the scene generator draws from: five item classes with distinct shapes,
 * colours and print patterns. Colours are sRGB 0..255; items are shaded and noised when rendered.
 */
export type Rgb = readonly [number, number, number];
export type ItemShape = 'box' | 'can' | 'fruit' | 'carton' | 'bag';

export interface ItemClass {
  /** MOT class column value, 1-based */
  id: number;
  name: string;
  shape: ItemShape;
  /** nominal size in pixels at 320x240 */
  width: number;
  height: number;
  /** the colour of most of the item */
  body: Rgb;
  /** the print pattern's colour */
  accent: Rgb;
}

export const ITEM_CLASSES: readonly ItemClass[] = [
  { id: 1, name: 'cereal-box', shape: 'box', width: 44, height: 58, body: [210, 35, 40], accent: [140, 20, 30] },
  { id: 2, name: 'soda-can', shape: 'can', width: 30, height: 50, body: [35, 80, 200], accent: [110, 160, 235] },
  { id: 3, name: 'orange', shape: 'fruit', width: 38, height: 38, body: [245, 140, 25], accent: [250, 195, 70] },
  { id: 4, name: 'milk-carton', shape: 'carton', width: 34, height: 56, body: [40, 160, 70], accent: [20, 100, 45] },
  { id: 5, name: 'chips-bag', shape: 'bag', width: 56, height: 44, body: [190, 45, 170], accent: [235, 120, 215] },
];

export function itemClass(id: number): ItemClass {
  const c = ITEM_CLASSES.find((k) => k.id === id);
  if (!c) throw new RangeError(`unknown item class ${id}`);
  return c;
}

/** Whether (u, v) ∈ [0,1]² (relative to the item's box) lies inside the item's outline. */
export function insideShape(shape: ItemShape, u: number, v: number, aspect: number): boolean {
  if (u < 0 || u > 1 || v < 0 || v > 1) return false;
  switch (shape) {
    case 'box':
      return true;
    case 'can': {
      // rounded corners, radius a quarter of the width
      const rx = 0.25;
      const ry = 0.25 * aspect;
      const dx = Math.max(rx - u, u - (1 - rx), 0) / rx;
      const dy = Math.max(ry - v, v - (1 - ry), 0) / ry;
      return dx * dx + dy * dy <= 1;
    }
    case 'fruit': {
      const dx = u - 0.5;
      const dy = v - 0.5;
      return dx * dx + dy * dy <= 0.25;
    }
    case 'carton':
      // gable top: the top 15% narrows towards the ridge
      return v >= 0.15 || Math.abs(u - 0.5) <= 0.3 + (0.2 * v) / 0.15;
    case 'bag': {
      // crimped, wavy top and bottom seams
      const wave = 0.04 * (1 + Math.sin(u * 6 * Math.PI));
      return v >= wave && v <= 1 - wave;
    }
  }
}

/** Whether (u, v) shows the class's accent print rather than its body colour. */
export function isAccent(shape: ItemShape, u: number, v: number): boolean {
  switch (shape) {
    case 'box':
      return v < 0.12 || (u + 0.6 * v > 0.45 && u + 0.6 * v < 0.7);
    case 'can':
      return v > 0.4 && v < 0.62;
    case 'fruit':
      return Math.sin(u * 23) * Math.sin(v * 19) > 0.6;
    case 'carton':
      return u > 0.15 && u < 0.85 && v > 0.35 && v < 0.75 && (Math.floor(u * 6) + Math.floor(v * 8)) % 2 === 0;
    case 'bag': {
      const zig = 0.45 + 0.12 * Math.abs(((u * 4) % 1) - 0.5);
      return v > zig && v < zig + 0.14;
    }
  }
}
