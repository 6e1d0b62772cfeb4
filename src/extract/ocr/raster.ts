// Page images: grey conversion, skew estimation and correction, ruling lines found in the pixels.
// Pure functions over a plain grey image (0 = black … 255 = white); no canvas, no pdfjs.

export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array; // row-major, one byte per pixel
}

/** A ruling line found in an image, in pixels: a horizontal (y0 = y1) or vertical (x0 = x1) centre line. */
export interface PixelLine {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  thickness: number;
}

/** Settings of the image line finder and deskew, in points (scaled to pixels by the DPI). */
export const RASTER_SETTINGS = {
  /** Horizontal dark runs at least this long are rules (a Han stroke is at most about 1 em ≈ 12 pt). */
  minHorizontal: 30,
  /** A horizontal run shorter than this is a rule only where a vertical rule meets it. */
  minLoneHorizontal: 90,
  /** Vertical runs at least this long may be rules; they must also touch a horizontal rule. */
  minVertical: 14,
  /** Gaps up to this inside a run are bridged (JPEG ringing, scan noise, dashed joins). */
  runGap: 0.75,
  /** A run must be dark over at least this share of its length. */
  runFill: 0.9,
  /** Lines thicker than this are filled areas or bold glyph blocks, not rules. */
  maxThickness: 4,
  /**
   * Both ends of a vertical candidate must come within this of a horizontal rule (or cross one):
   * a column rule runs from rule to rule, while the long stroke of a large bold glyph (科, 计) meets
   * at most one of them.
   */
  touch: 1.5,
  /** Skews below this (degrees) are left alone: they do not disturb the line finder or tesseract. */
  minDeskew: 0.15,
  /** Skews are searched up to this (degrees) each way. */
  maxSkew: 5,
};

export function rgbaToGray(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): GrayImage {
  const n = width * height;
  const data = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    // Rec. 601 luma, integer arithmetic; transparent pixels count as white paper.
    const a = rgba[j + 3];
    const y = (rgba[j] * 77 + rgba[j + 1] * 150 + rgba[j + 2] * 29) >> 8;
    data[i] = a === 255 ? y : 255 - (((255 - y) * a) >> 8);
  }
  return { width, height, data };
}

/** Otsu's threshold over the grey histogram, clamped so that a blank page does not turn into noise. */
export function otsuThreshold(img: GrayImage): number {
  const hist = new Int32Array(256);
  const data = img.data;
  for (let i = 0; i < data.length; i++) hist[data[i]]++;
  const total = data.length;
  let sumAll = 0;
  for (let t = 0; t < 256; t++) sumAll += t * hist[t];
  let wB = 0, sumB = 0, best = 0, bestT = 128;
  for (let t = 0; t < 256; t++) {
    wB += hist[t];
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += t * hist[t];
    const mB = sumB / wB, mF = (sumAll - sumB) / wF;
    const between = wB * wF * (mB - mF) * (mB - mF);
    if (between > best) { best = between; bestT = t; }
  }
  return Math.min(200, Math.max(60, bestT));
}

/**
 * Skew of the page content in degrees (positive: rotated clockwise as displayed), by the angle that
 * makes the row profile of dark pixels sharpest (text lines and rules line up with pixel rows).
 */
export function estimateSkew(img: GrayImage, threshold = otsuThreshold(img), maxDeg = RASTER_SETTINGS.maxSkew): number {
  // Dark pixels on a coarse grid (every 2nd pixel of every 2nd row) keep this cheap.
  const step = 2;
  const { width: w, height: h, data } = img;
  let n = 0;
  for (let y = 0; y < h; y += step) {
    const row = y * w;
    for (let x = 0; x < w; x += step) if (data[row + x] < threshold) n++;
  }
  if (n < 100) return 0;
  const xs = new Float64Array(n), ys = new Float64Array(n);
  for (let y = 0, k = 0; y < h; y += step) {
    const row = y * w;
    for (let x = 0; x < w; x += step) if (data[row + x] < threshold) { xs[k] = x; ys[k] = y; k++; }
  }
  const bins = new Int32Array(Math.ceil(h / step) + Math.ceil(w / step) + 4);
  const offset = Math.ceil(w / step) + 2;
  const score = (deg: number): number => profileSharpness(xs, ys, Math.tan((deg * Math.PI) / 180), 1 / step, bins, offset);
  let best = 0, bestScore = score(0);
  for (let d = -maxDeg; d <= maxDeg + 1e-9; d += 0.2) {
    const s = score(d);
    if (s > bestScore) { bestScore = s; best = d; }
  }
  const coarse = best;
  for (let d = coarse - 0.2; d <= coarse + 0.2 + 1e-9; d += 0.02) {
    const s = score(d);
    if (s > bestScore) { bestScore = s; best = d; }
  }
  return Math.round(best * 100) / 100;
}

/** Sum of squared bin counts of the points projected along slope t (bins of 1/scale pixels). */
function profileSharpness(xs: Float64Array, ys: Float64Array, t: number, scale: number, bins: Int32Array, offset: number): number {
  bins.fill(0);
  // × 1/step is ÷ step exactly (step is a power of two), and cheaper.
  for (let i = 0; i < xs.length; i++) bins[Math.round((ys[i] - xs[i] * t) * scale) + offset]++;
  let s = 0;
  for (let i = 0; i < bins.length; i++) s += bins[i] * bins[i];
  return s;
}

/** The image turned by -deg about its centre (undoes a clockwise skew of deg), bilinear, white outside. */
export function rotateGray(img: GrayImage, deg: number): GrayImage {
  const { width: w, height: h, data } = img;
  const out = new Uint8Array(w * h);
  const a = (deg * Math.PI) / 180;
  const c = Math.cos(a), s = Math.sin(a);
  const cx = (w - 1) / 2, cy = (h - 1) / 2;
  for (let y = 0; y < h; y++) {
    const dy = y - cy;
    // Source = centre + R(deg)·(p − centre).
    let sx = cx - dy * s - cx * c;
    let sy = cy + dy * c - cx * s;
    const o = y * w;
    for (let x = 0; x < w; x++, sx += c, sy += s) {
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      if (x0 < 0 || y0 < 0 || x0 + 1 >= w || y0 + 1 >= h) { out[o + x] = 255; continue; }
      const fx = sx - x0, fy = sy - y0;
      const i = y0 * w + x0;
      const top = data[i] + (data[i + 1] - data[i]) * fx;
      const bot = data[i + w] + (data[i + w + 1] - data[i + w]) * fx;
      out[o + x] = top + (bot - top) * fy + 0.5;
    }
  }
  return { width: w, height: h, data: out };
}

interface Segment { pos: number; a: number; b: number }

/** Dark runs along one axis: `along` pixels per line, `across` lines; gaps up to `gap` bridged. */
function runs(img: GrayImage, threshold: number, horizontal: boolean, minLen: number, gap: number, fill: number): Segment[] {
  if (!horizontal) return verticalRuns(img, threshold, minLen, gap, fill);
  const { width: w, height: h, data } = img;
  const out: Segment[] = [];
  for (let p = 0; p < h; p++) {
    const row = p * w;
    let start = -1, last = -1, dark = 0;
    for (let q = 0; q < w; q++) {
      if (data[row + q] < threshold) {
        if (start < 0) { start = q; dark = 0; }
        last = q; dark++;
      } else if (start >= 0 && q - last > gap) {
        const len = last - start + 1;
        if (len >= minLen && dark >= fill * len) out.push({ pos: p, a: start, b: last });
        start = -1;
      }
    }
    // Past the edge counts as white, so that a run reaching the edge is closed too.
    if (start >= 0) {
      const len = last - start + 1;
      if (len >= minLen && dark >= fill * len) out.push({ pos: p, a: start, b: last });
    }
  }
  return out;
}

/** The same runs down the columns, found row by row (memory order) with one open run per column. */
function verticalRuns(img: GrayImage, threshold: number, minLen: number, gap: number, fill: number): Segment[] {
  const { width: w, height: h, data } = img;
  const start = new Int32Array(w).fill(-1), last = new Int32Array(w).fill(-1), dark = new Int32Array(w);
  const out: Segment[] = [];
  for (let q = 0; q <= h + gap; q++) {
    const row = q * w;
    for (let p = 0; p < w; p++) {
      if (q < h && data[row + p] < threshold) {
        if (start[p] < 0) { start[p] = q; dark[p] = 0; }
        last[p] = q; dark[p]++;
      } else if (start[p] >= 0 && q - last[p] > gap) {
        const len = last[p] - start[p] + 1;
        if (len >= minLen && dark[p] >= fill * len) out.push({ pos: p, a: start[p], b: last[p] });
        start[p] = -1;
      }
    }
  }
  // Column by column, each column's runs top to bottom (the sort is stable).
  return out.sort((x, y) => x.pos - y.pos);
}

/**
 * Join runs on neighbouring pixel lines into lines: a rule 3 px thick gives 3 runs, and a rule
 * skewed by a fraction of a degree steps from one pixel line to the next along its length.
 */
function joinRuns(segs: Segment[], gap: number): { pos0: number; pos1: number; a: number; b: number; weighted: number; len: number }[] {
  const groups: { pos0: number; pos1: number; a: number; b: number; weighted: number; len: number; open: Segment[] }[] = [];
  const active: typeof groups = [];
  let cur = -1;
  let prevActive: typeof groups = [];
  for (const s of segs) {
    if (s.pos !== cur) {
      // Groups that did not grow on the previous pixel line are closed.
      prevActive = active.filter((g) => g.pos1 >= s.pos - 1);
      active.length = 0;
      active.push(...prevActive);
      cur = s.pos;
    }
    const hit = active.filter((g) => g.pos1 >= s.pos - 1 && g.open.some((o) => o.pos >= s.pos - 1 && s.a <= o.b + gap && s.b >= o.a - gap));
    let g = hit[0];
    if (!g) {
      g = { pos0: s.pos, pos1: s.pos, a: s.a, b: s.b, weighted: 0, len: 0, open: [] };
      groups.push(g);
      active.push(g);
    }
    for (const other of hit.slice(1)) {
      // Two groups bridged by this run become one.
      g.pos0 = Math.min(g.pos0, other.pos0); g.a = Math.min(g.a, other.a); g.b = Math.max(g.b, other.b);
      g.weighted += other.weighted; g.len += other.len; g.open.push(...other.open);
      other.len = -1;
      active.splice(active.indexOf(other), 1);
    }
    g.pos1 = Math.max(g.pos1, s.pos);
    g.a = Math.min(g.a, s.a); g.b = Math.max(g.b, s.b);
    const l = s.b - s.a + 1;
    g.weighted += s.pos * l; g.len += l;
    g.open = g.open.filter((o) => o.pos >= s.pos - 1);
    g.open.push(s);
  }
  return groups.filter((g) => g.len > 0).map(({ open: _open, ...rest }) => rest);
}

/**
 * Ruling lines of an image: long horizontal and vertical runs of dark pixels. Verticals are kept only
 * where they meet a horizontal (a table's column rule), which drops long glyph strokes.
 */
export function findLines(img: GrayImage, dpi: number, threshold = otsuThreshold(img), settings = RASTER_SETTINGS): { h: PixelLine[]; v: PixelLine[] } {
  const px = dpi / 72;
  const gap = Math.max(1, Math.round(settings.runGap * px));
  const maxThick = settings.maxThickness * px;
  const build = (horizontal: boolean, minLen: number): PixelLine[] => {
    const groups = joinRuns(runs(img, threshold, horizontal, Math.round(minLen * px), gap, settings.runFill), gap);
    const out: PixelLine[] = [];
    for (const g of groups) {
      const length = g.b - g.a + 1;
      // Thickness: covered area over length; the drift of a slightly skewed line adds to the extent, not the area.
      const thickness = g.len / length;
      const drift = length * Math.tan((0.5 * Math.PI) / 180);
      if (thickness > maxThick || g.pos1 - g.pos0 + 1 > maxThick + drift) continue;
      if (length < minLen * px) continue;
      const pos = g.weighted / g.len;
      out.push(horizontal
        ? { x0: g.a, x1: g.b, y0: pos, y1: pos, thickness }
        : { x0: pos, x1: pos, y0: g.a, y1: g.b, thickness });
    }
    return out;
  };
  const h = build(true, settings.minHorizontal);
  const touch = settings.touch * px;
  // Whether a vertical's x lies along a horizontal's length.
  const along = (l: PixelLine, r: PixelLine) => l.x0 >= r.x0 - touch && l.x0 <= r.x1 + touch;
  const meets = (l: PixelLine, y: number) => h.some((r) => along(l, r) && Math.abs(r.y0 - y) <= touch);
  const crosses = (l: PixelLine) => h.filter((r) => along(l, r) && r.y0 > l.y0 + touch && r.y0 < l.y1 - touch).length;
  // An end that overshoots a rule (a table without a bottom rule under its last column rule) still
  // counts when the line crosses at least two rules on its way.
  const v = build(false, settings.minVertical).filter((l) => (meets(l, l.y0) && meets(l, l.y1)) || crosses(l) >= 2);
  // A short horizontal that no column rule meets is a glyph stroke (the 一 of a large title).
  const hKept = h.filter((r) => r.x1 - r.x0 >= settings.minLoneHorizontal * px ||
    v.some((l) => along(l, r) && r.y0 >= l.y0 - touch && r.y0 <= l.y1 + touch));
  return { h: hKept, v };
}

/** Paint the lines white (with a pixel of margin), so that the OCR engine sees only the text. */
export function eraseLines(img: GrayImage, lines: PixelLine[]): void {
  const { width: w, height: h, data } = img;
  for (const l of lines) {
    const horizontal = l.y0 === l.y1;
    const half = Math.ceil(l.thickness / 2) + 1;
    if (horizontal) {
      const y0 = Math.max(0, Math.round(l.y0) - half), y1 = Math.min(h - 1, Math.round(l.y0) + half);
      for (let y = y0; y <= y1; y++) {
        for (let x = Math.max(0, Math.floor(l.x0)); x <= Math.min(w - 1, Math.ceil(l.x1)); x++) data[y * w + x] = 255;
      }
    } else {
      const x0 = Math.max(0, Math.round(l.x0) - half), x1 = Math.min(w - 1, Math.round(l.x0) + half);
      for (let y = Math.max(0, Math.floor(l.y0)); y <= Math.min(h - 1, Math.ceil(l.y1)); y++) {
        for (let x = x0; x <= x1; x++) data[y * w + x] = 255;
      }
    }
  }
}

/** A binary PGM (P5): a format tesseract's image reader takes without any encoding cost. */
export function toPgm(img: GrayImage): Uint8Array {
  const header = Buffer.from(`P5\n${img.width} ${img.height}\n255\n`, 'latin1');
  const out = new Uint8Array(header.length + img.data.length);
  out.set(header, 0);
  out.set(img.data, header.length);
  return out;
}

/**
 * Thicken dark strokes by one pixel (a 2×2 minimum filter). Thin Song-style strokes rendered at
 * 300 DPI lose the short vertical of 支, which tesseract then reads as 文; one pixel restores it.
 */
export function thickenStrokes(img: GrayImage): GrayImage {
  const { width: w, height: h, data: d } = img;
  const out = new Uint8Array(w * h);
  for (let y = 0; y + 1 < h; y++) {
    const row = y * w;
    for (let x = 0; x + 1 < w; x++) {
      const i = row + x;
      let v = d[i];
      const r = d[i + 1], b = d[i + w], br = d[i + w + 1];
      if (r < v) v = r;
      if (b < v) v = b;
      if (br < v) v = br;
      out[i] = v;
    }
    const i = row + w - 1;
    out[i] = d[i + w] < d[i] ? d[i + w] : d[i];
  }
  const row = (h - 1) * w;
  for (let x = 0; x < w; x++) {
    const i = row + x;
    out[i] = x + 1 < w && d[i + 1] < d[i] ? d[i + 1] : d[i];
  }
  return { width: w, height: h, data: out };
}

/** The image turned clockwise by `quarters` × 90° (a sheet fed sideways or upside down set upright). */
export function rotateQuarter(img: GrayImage, quarters: number): GrayImage {
  const q = ((quarters % 4) + 4) % 4;
  const { width: w, height: h, data } = img;
  if (q === 0) return { width: w, height: h, data: data.slice() };
  const ow = q === 2 ? w : h, oh = q === 2 ? h : w;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      // Where source (x, y) lands after q clockwise quarter turns.
      const i = q === 1 ? x * ow + (h - 1 - y) : q === 2 ? (h - 1 - y) * ow + (w - 1 - x) : (w - 1 - x) * ow + y;
      out[i] = data[row + x];
    }
  }
  return { width: ow, height: oh, data: out };
}

/**
 * Box weights of one axis, flat: output pixel j averages source pixels from[j] … to[j] - 1, with
 * weights w[at[j]] … (each output pixel averages the source pixels its span covers; factor < 1).
 */
function boxWeights(n: number, m: number): { from: Int32Array; to: Int32Array; at: Int32Array; w: Float64Array } {
  const step = n / m;
  const from = new Int32Array(m), to = new Int32Array(m), at = new Int32Array(m);
  const ws: number[] = [];
  for (let j = 0; j < m; j++) {
    const a = j * step, b = Math.min(n, (j + 1) * step);
    from[j] = Math.floor(a); to[j] = Math.min(n, Math.ceil(b)); at[j] = ws.length;
    for (let i = from[j]; i < to[j]; i++) ws.push((Math.min(b, i + 1) - Math.max(a, i)) / step);
  }
  return { from, to, at, w: Float64Array.from(ws) };
}

/**
 * The image shrunk by `factor` (< 1) with area averaging: every source pixel counts, so a 1-pixel
 * stroke of a fine scan turns grey instead of vanishing between two samples as in bilinear scaling.
 */
export function downscaleGray(img: GrayImage, factor: number): GrayImage {
  if (factor >= 1) return img;
  if (factor === 0.5) return halveGray(img);
  const { width: w, height: h, data } = img;
  const ow = Math.max(1, Math.round(w * factor)), oh = Math.max(1, Math.round(h * factor));
  const cols = boxWeights(w, ow), rows = boxWeights(h, oh);
  const tmp = new Float32Array(ow * h);
  const { from: cFrom, to: cTo, at: cAt, w: cw } = cols;
  for (let y = 0; y < h; y++) {
    const src = y * w, dst = y * ow;
    for (let j = 0; j < ow; j++) {
      let s = 0;
      for (let i = cFrom[j], k = cAt[j], end = cTo[j]; i < end; i++, k++) s += data[src + i] * cw[k];
      tmp[dst + j] = s;
    }
  }
  const out = new Uint8Array(ow * oh);
  const acc = new Float32Array(ow);
  for (let j = 0; j < oh; j++) {
    acc.fill(0);
    for (let i = rows.from[j], k = rows.at[j]; i < rows.to[j]; i++, k++) {
      const wt = rows.w[k], src = i * ow;
      for (let x = 0; x < ow; x++) acc[x] += tmp[src + x] * wt;
    }
    const dst = j * ow;
    for (let x = 0; x < ow; x++) out[dst + x] = Math.min(255, Math.round(acc[x]));
  }
  return { width: ow, height: oh, data: out };
}

/**
 * The image at half size, each pixel the rounded mean of a 2×2 block (the common case of
 * downscaleGray, in integers: the same pixels where the sides are even; an odd last column or row
 * averages the pixels it has).
 */
export function halveGray(img: GrayImage): GrayImage {
  const { width: w, height: h, data } = img;
  const ow = (w + 1) >> 1, oh = (h + 1) >> 1;
  const out = new Uint8Array(ow * oh);
  const evenW = w & ~1;
  for (let j = 0; j < oh; j++) {
    const a = 2 * j * w, b = 2 * j + 1 < h ? a + w : -1, dst = j * ow;
    if (b >= 0) {
      for (let x = 0, o = dst; x < evenW; x += 2, o++) out[o] = (data[a + x] + data[a + x + 1] + data[b + x] + data[b + x + 1] + 2) >> 2;
      if (evenW < w) out[dst + ow - 1] = (data[a + w - 1] + data[b + w - 1] + 1) >> 1;
    } else {
      for (let x = 0, o = dst; x < evenW; x += 2, o++) out[o] = (data[a + x] + data[a + x + 1] + 1) >> 1;
      if (evenW < w) out[dst + ow - 1] = data[a + w - 1];
    }
  }
  return { width: ow, height: oh, data: out };
}
