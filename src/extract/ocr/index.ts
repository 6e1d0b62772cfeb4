// Scanned pages read by OCR (tesseract.js or PaddleOCR, offline): what the pipeline, the ingest and the benches use.
//   engine.ts     the OcrEngine interface and the generic worker pool
//   tesseract.ts  the tesseract.js engine (chi_sim text, digit model), its files and defaults
//   paddle.ts     the PP-OCRv4 engine on onnxruntime (paddle-rec.ts, paddle-det.ts: its pure parts;
//                 paddle-thread.ts: the sessions on worker threads)
//   render.ts     pdfjs + canvas rendering, page images (pixels, resolution), the text-layer verdict
//   raster.ts, segment.ts  deskew, ruling lines and text blocks in the pixels
//   border.ts, orientation.ts  a scanner lid's dark bands whitened; pages turned 90°/180°/270° set upright
//   read.ts       blocks and numbers read (and re-read) by the engine
//   misreadings.ts  chi_sim's known misreadings undone
//   page.ts       one page: image → words → runs of a Page with source 'ocr'
//   schedule.ts   one document's OCR pages, in the background (OcrPages), and OcrMode
export { DEFAULT_OCR_ENGINE, LOW_CONFIDENCE, OCR_ENGINES, defaultOcrJobs, type OcrEngine, type OcrEngineName } from './engine.js';
export { PaddleEngine, paddleModelPaths } from './paddle.js';
export { OCR_DPI, OcrPool, tesseractPaths } from './tesseract.js';
export { renderPageGray } from './render.js';
export { foldOcrConfusions } from './misreadings.js';
export { ocrPage, type OcrPageResult } from './page.js';
export { OcrPages, makeOcrEngine, type OcrMode, type OcrPagesOptions } from './schedule.js';
