/** Bumped whenever extraction or recognition changes what is stored for the same file. */
export const PIPELINE_VERSION = '0.3.0'; // 0.3.0: OCR by PP-OCRv4 by default, OCR labels held against the known labels; 0.2.0: line items carry is_total and confidence; tables their rejected code cells
