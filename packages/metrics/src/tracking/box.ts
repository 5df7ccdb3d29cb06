/** Axis-aligned box: (x, y) is the top-left corner, w and h the non-negative width and height. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** One box of one track in one frame, for ground truth or predictions. */
export interface TrackBox extends Box {
  frame: number;
  id: number;
}

/** Intersection over union of two boxes, in [0, 1]; 0 when the union has no area. */
export function iou(a: Box, b: Box): number {
  const ix = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const iy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  const inter = ix > 0 && iy > 0 ? ix * iy : 0;
  const union = a.w * a.h + b.w * b.h - inter;
  // (x + w) − x is not exactly w in floating point: identical boxes can come out a hair above 1
  return union > 0 ? Math.min(1, inter / union) : 0;
}
