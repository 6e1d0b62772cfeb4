// Dark bands along a scan's edges, where the scanner's lid or the platen beyond the sheet shows:
// painted white before anything else looks at the page, or the line finder takes them for rules
// and the segmenter for one huge block of ink. Pure functions over a grey image.
import type { GrayImage } from './raster.js';

/** Band tolerances in points, scaled to pixels by the DPI. */
export const BORDER_SETTINGS = {
  /** A line (row or column) starts with a band when it is dark from the edge for at least this (thicker than any rule). */
  minBand: 5,
  /** A side has a band when at least this share of its lines start with one. */
  lineShare: 0.6,
  /** Light gaps up to this inside a band are bridged (salt noise, dust, the sheet's shadow). */
  gap: 1.5,
  /** Each line is whitened this far past its dark run: the soft inner edge of the shadow. */
  margin: 2,
  /** A band is never taken deeper than this share of the page's side. */
  maxShare: 0.2,
};

export type Side = 'left' | 'right' | 'top' | 'bottom';

/** Depth in pixels of the dark run from the edge on each line of one side (0 where it starts light). */
export function edgeRuns(img: GrayImage, side: Side, threshold: number, gap: number, maxDepth: number): Int32Array {
  const { width: w, height: h, data } = img;
  const horizontal = side === 'left' || side === 'right';
  const lines = horizontal ? h : w;
  const out = new Int32Array(lines);
  for (let p = 0; p < lines; p++) {
    let last = -1;
    for (let q = 0; q < maxDepth; q++) {
      const x = side === 'left' ? q : side === 'right' ? w - 1 - q : p;
      const y = side === 'top' ? q : side === 'bottom' ? h - 1 - q : p;
      if (data[y * w + x] < threshold) last = q;
      else if (q - last > gap) break;
    }
    out[p] = last + 1;
  }
  return out;
}

/** The sides with a lid band and, per line, how deep to whiten (pixels). */
export function findBorders(img: GrayImage, threshold: number, dpi: number, settings = BORDER_SETTINGS): Partial<Record<Side, Int32Array>> {
  const px = dpi / 72;
  const out: Partial<Record<Side, Int32Array>> = {};
  for (const side of ['left', 'right', 'top', 'bottom'] as const) {
    const across = side === 'left' || side === 'right' ? img.width : img.height;
    const runs = edgeRuns(img, side, threshold, Math.max(1, Math.round(settings.gap * px)), Math.round(across * settings.maxShare));
    const min = settings.minBand * px;
    let banded = 0;
    for (const r of runs) if (r >= min) banded++;
    if (banded < settings.lineShare * runs.length) continue;
    // Each line to the deepest run among its neighbours within the margin, plus the margin: a band
    // is a straight or slanted edge, and a light speck at its inner edge must not leave a dark stub.
    const m = Math.max(1, Math.round(settings.margin * px));
    const depth = new Int32Array(runs.length);
    for (let i = 0; i < runs.length; i++) {
      let d = 0;
      for (let j = Math.max(0, i - m); j <= Math.min(runs.length - 1, i + m); j++) d = Math.max(d, runs[j]);
      depth[i] = d > 0 ? d + m : 0;
    }
    out[side] = depth;
  }
  return out;
}

/** Paint the lid bands of `findBorders` white, in place; returns the sides whitened. */
export function whitenBorders(img: GrayImage, threshold: number, dpi: number, settings = BORDER_SETTINGS): Side[] {
  const bands = findBorders(img, threshold, dpi, settings);
  const { width: w, height: h, data } = img;
  for (const [side, depth] of Object.entries(bands) as [Side, Int32Array][]) {
    for (let p = 0; p < depth.length; p++) {
      const d = depth[p];
      for (let q = 0; q < d; q++) {
        const x = side === 'left' ? q : side === 'right' ? w - 1 - q : p;
        const y = side === 'top' ? q : side === 'bottom' ? h - 1 - q : p;
        if (x >= 0 && x < w && y >= 0 && y < h) data[y * w + x] = 255;
      }
    }
  }
  return Object.keys(bands) as Side[];
}
