// The tesseract.js engine: chi_sim for text and the English model limited to digits for numbers, each
// model on its own pool of workers. Every file comes from node_modules: nothing is downloaded.
import { createRequire } from 'node:module';
import path from 'node:path';
import Tesseract from 'tesseract.js';
import { EnginePool, defaultOcrJobs, type EngineWord, type NumberRead, type OcrEngine } from './engine.js';
import { toPgm, type GrayImage } from './raster.js';

const require = createRequire(import.meta.url);

/**
 * Pages are rendered for OCR at this resolution. Measured on image-only copies of the keyed pages
 * (bench/ocr.ts, 300 DPI scans): exact amounts 98.7% when read at 200, 99.7% at 250, 98.6% at 300.
 */
export const OCR_DPI = 250;

/** Where tesseract.js finds its files: all inside node_modules, so nothing is fetched. */
export function tesseractPaths(): { langPath: string; digitsLangPath: string; workerPath: string; corePath: string } {
  const dataRoot = path.dirname(require.resolve('@tesseract.js-data/chi_sim/package.json'));
  const tessRoot = path.dirname(require.resolve('tesseract.js/package.json'));
  const coreRoot = path.dirname(require.resolve('tesseract.js-core/package.json'));
  const engRoot = path.dirname(require.resolve('@tesseract.js-data/eng/package.json'));
  return {
    langPath: path.join(dataRoot, '4.0.0_best_int'),
    digitsLangPath: path.join(engRoot, '4.0.0_best_int'),
    workerPath: path.join(tessRoot, 'src', 'worker-script', 'node', 'index.js'),
    corePath: coreRoot,
  };
}

/** A tesseract.js worker with `lang` loaded from `langPath` and `params` set. */
async function startWorker(lang: string, langPath: string, params: Partial<Tesseract.WorkerParams>): Promise<Tesseract.Worker> {
  const { workerPath, corePath } = tesseractPaths();
  const w = await Tesseract.createWorker(lang, Tesseract.OEM.LSTM_ONLY, {
    langPath, workerPath, corePath, gzip: true, cacheMethod: 'none', logger: () => {}, errorHandler: () => {},
  });
  await w.setParameters(params);
  return w;
}

const pgmBuffer = (image: GrayImage) => {
  const pgm = toPgm(image);
  return Buffer.from(pgm.buffer, pgm.byteOffset, pgm.byteLength);
};

/**
 * The tesseract.js engine: a pool of chi_sim workers and one of digit workers, each started on first
 * use and reused for every page of every document until `close()`.
 */
export class OcrPool implements OcrEngine {
  private readonly text: EnginePool<Tesseract.Worker>;
  private readonly digits: EnginePool<Tesseract.Worker>;

  constructor(readonly size = defaultOcrJobs(), readonly dpi = OCR_DPI) {
    const stop = (w: Tesseract.Worker) => w.terminate();
    this.text = new EnginePool(size, () => startWorker('chi_sim', tesseractPaths().langPath, {
      tessedit_pageseg_mode: Tesseract.PSM.SINGLE_LINE, // blocks cut out by segment.ts are single lines
      user_defined_dpi: String(dpi), // without it the error rate is tens of times higher
      preserve_interword_spaces: '0',
    }), stop);
    this.digits = new EnginePool(size, () => startWorker('eng', tesseractPaths().digitsLangPath, {
      tessedit_pageseg_mode: Tesseract.PSM.SINGLE_LINE, // one number cut out of its cell
      tessedit_char_whitelist: '0123456789,.-',
      user_defined_dpi: String(dpi),
    }), stop);
  }

  /**
   * Words of a grey image, with pixel boxes and confidences. `line`: the image is one line of text
   * (PSM 7); `page`: let tesseract segment it (PSM 3, for blocks that are not a line).
   */
  recognize(image: GrayImage, mode: 'line' | 'page' = 'line'): Promise<EngineWord[]> {
    return this.text.use(async (w) => {
      try {
        if (mode === 'page') await w.setParameters({ tessedit_pageseg_mode: Tesseract.PSM.AUTO });
        const { data } = await w.recognize(pgmBuffer(image), {}, { blocks: true, text: false });
        const words: EngineWord[] = [];
        let line = 0;
        for (const b of data.blocks ?? []) {
          for (const p of b.paragraphs) {
            for (const l of p.lines) {
              for (const wd of l.words) words.push({ text: wd.text, confidence: wd.confidence, bbox: wd.bbox, line, symbols: (wd.symbols ?? []).map((c) => ({ text: c.text, bbox: c.bbox })) });
              line++;
            }
          }
        }
        return words;
      } finally {
        if (mode === 'page') await w.setParameters({ tessedit_pageseg_mode: Tesseract.PSM.SINGLE_LINE }).catch(() => {});
      }
    });
  }

  /**
   * The numbers in an image holding one line of digits, with pixel boxes. A number's confidence is
   * its least sure digit's: word confidences under a whitelist are not comparable (a correct
   * "12,706.28" scores 0), the digits' own are. Separators are checked by the number's form.
   */
  readNumbers(image: GrayImage): Promise<NumberRead[]> {
    return this.digits.use(async (w) => {
      const { data } = await w.recognize(pgmBuffer(image), {}, { blocks: true, text: false });
      const words = (data.blocks ?? []).flatMap((b) => b.paragraphs.flatMap((p) => p.lines.flatMap((l) => l.words)));
      return words.filter((x) => x.text.trim()).map((x) => {
        const digits = (x.symbols ?? []).filter((c) => /\d/.test(c.text));
        return { text: x.text.trim(), confidence: digits.length ? Math.min(...digits.map((c) => c.confidence)) : 0, bbox: x.bbox };
      });
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.text.close(), this.digits.close()]);
  }
}
