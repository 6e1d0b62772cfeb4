// Scanned pages read by OCR (tesseract.js, offline): what the pipeline, the ingest and the benches use.
//   engine.ts     the OcrEngine interface and the generic worker pool
//   tesseract.ts  the tesseract.js engine (chi_sim text, digit model), its files and defaults
//   render.ts     pdfjs + canvas rendering, page images (pixels, resolution), the text-layer verdict
//   raster.ts, segment.ts  deskew, ruling lines and text blocks in the pixels
//   border.ts, orientation.ts  a scanner lid's dark bands whitened; pages turned 90°/180°/270° set upright
//   read.ts       blocks and numbers read (and re-read) by the engine
//   misreadings.ts  chi_sim's known misreadings undone
//   page.ts       one page: image → words → runs of a Page with source 'ocr'
//   schedule.ts   one document's OCR pages, in the background (OcrPages), and OcrMode
export { LOW_CONFIDENCE, defaultOcrJobs, type OcrEngine } from './engine.js';
export { OCR_DPI, OcrPool, tesseractPaths } from './tesseract.js';
export { renderPageGray } from './render.js';
export { foldOcrConfusions } from './misreadings.js';
export { ocrPage, type OcrPageResult } from './page.js';
export { OcrPages, type OcrMode, type OcrPagesOptions } from './schedule.js';
