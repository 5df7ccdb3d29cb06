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

/** Intersection over union of two boxes; 0 when the union has no area. */
export function iou(a: Box, b: Box): number {
  const ix = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const iy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  const inter = ix > 0 && iy > 0 ? ix * iy : 0;
  const union = a.w * a.h + b.w * b.h - inter;
  return union > 0 ? inter / union : 0;
}
