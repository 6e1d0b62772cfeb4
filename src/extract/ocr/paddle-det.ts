// PP-OCRv4 text detection (DB), the pure parts: a grey image as the detector's input tensor, and its
// probability map turned into boxes of text lines. Only blocks that are not one line (segment.ts's
// taller blocks: stamps, wrapped notes) are detected; lines cut out by the ruling lines are not.
import type { GrayImage } from './raster.js';
import type { PixelBox } from './segment.js';

/** DB post-processing settings (PaddleOCR's defaults). */
export const DET_SETTINGS = {
  /** Longest side the image is scaled down to before detection. */
  maxSide: 960,
  /** Probability above which a pixel is text. */
  threshold: 0.3,
  /** A region whose mean probability is below this is dropped. */
  boxThreshold: 0.6,
  /** Regions are grown by area × ratio / perimeter: DB's maps shrink the text. */
  unclipRatio: 1.5,
  /** Regions smaller than this (pixels of the map, either side) are noise. */
  minSize: 3,
};

/** ImageNet mean and deviation the detector was trained with (RGB; grey uses all three). */
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** A grey image as a [1, 3, H, W] tensor with sides multiples of 32, scaled so the longer is ≤ maxSide. */
export function detInput(img: GrayImage, maxSide = DET_SETTINGS.maxSide): { data: Float32Array; width: number; height: number } {
  const s = Math.min(1, maxSide / Math.max(img.width, img.height));
  const round32 = (v: number) => Math.max(32, Math.round((v * s) / 32) * 32);
  const width = round32(img.width), height = round32(img.height);
  const plane = width * height;
  const data = new Float32Array(3 * plane);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(img.height - 1, Math.floor(((y + 0.5) * img.height) / height));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(img.width - 1, Math.floor(((x + 0.5) * img.width) / width));
      const v = img.data[sy * img.width + sx] / 255;
      for (let c = 0; c < 3; c++) data[c * plane + y * width + x] = (v - MEAN[c]) / STD[c];
    }
  }
  return { data, width, height };
}

/**
 * Text boxes from a DB probability map of mapW × mapH, in the pixels of an image of imgW × imgH:
 * connected regions above the threshold, kept when their mean probability is high enough, their
 * bounding box grown by DB's unclip distance. Axis-aligned: pages are deskewed before.
 */
export function dbBoxes(prob: Float32Array, mapW: number, mapH: number, imgW: number, imgH: number, st = DET_SETTINGS): PixelBox[] {
  const seen = new Uint8Array(mapW * mapH);
  const boxes: PixelBox[] = [];
  const stack: number[] = [];
  for (let start = 0; start < prob.length; start++) {
    if (seen[start] || prob[start] <= st.threshold) continue;
    let x0 = mapW, y0 = mapH, x1 = -1, y1 = -1, sum = 0, n = 0;
    seen[start] = 1;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % mapW, y = (i - x) / mapW;
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      sum += prob[i]; n++;
      for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
        const xx = x + dx, yy = y + dy;
        if (xx < 0 || yy < 0 || xx >= mapW || yy >= mapH) continue;
        const j = yy * mapW + xx;
        if (!seen[j] && prob[j] > st.threshold) { seen[j] = 1; stack.push(j); }
      }
    }
    const w = x1 - x0 + 1, h = y1 - y0 + 1;
    if (Math.min(w, h) < st.minSize || sum / n < st.boxThreshold) continue;
    const d = (w * h * st.unclipRatio) / (2 * (w + h));
    const kx = imgW / mapW, ky = imgH / mapH;
    boxes.push({
      x0: Math.max(0, Math.floor((x0 - d) * kx)), y0: Math.max(0, Math.floor((y0 - d) * ky)),
      x1: Math.min(imgW, Math.ceil((x1 + 1 + d) * kx)), y1: Math.min(imgH, Math.ceil((y1 + 1 + d) * ky)),
    });
  }
  // Reading order: top to bottom by line, then left to right.
  return boxes.sort((a, b) => (Math.abs(a.y0 - b.y0) < Math.min(a.y1 - a.y0, b.y1 - b.y0) / 2 ? a.x0 - b.x0 : a.y0 - b.y0));
}
