// The zod schemas live in src/store/schemas.ts (tsconfig's rootDir is src); this re-exports them.
export {
  DocumentRecord,
  DocTableRecord,
  LineItemRecord,
  FindingRecord,
  NarrativeLineRecord,
  RECORD_SCHEMAS,
} from '../src/store/schemas.js';
