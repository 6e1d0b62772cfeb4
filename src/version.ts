/** Bumped whenever extraction or recognition changes what is stored for the same file. */
export const PIPELINE_VERSION = '0.1.0';
