/** Bumped whenever extraction or recognition changes what is stored for the same file. */
export const PIPELINE_VERSION = '0.2.0'; // 0.2.0: line items carry is_total and confidence; tables their rejected code cells
