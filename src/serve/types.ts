// The JSON the review app's API answers (src/serve/api.ts) and its front end reads (src/serve/web/).
// Types only: shared by the server and the bundle.
import type { Box, DocStatus, Severity } from '../types.js';
import type { Verdict } from '../analyze/verdicts.js';

export interface InfoJson {
  db: string;
  allowVerdicts: boolean;
  documents: number;
  version: string;
}

export interface DocumentRow {
  id: number;
  sha256: string;
  fileName: string;
  department: string | null;
  year: number | null;
  phase: 'budget' | 'final' | null;
  status: DocStatus;
  pages: number;
  tables: number;
  findings: Record<Severity, number>;
}

export interface CellJson {
  /** line_items.id */
  id: number;
  text: string;
  fen: number;
  page: number;
  box: Box;
  /** 0..1; below 1 only for OCR. */
  confidence: number;
  isTotal: boolean;
}

export interface ColumnJson { id: string; key: string; label: string }

export interface RowJson {
  rowIndex: number;
  label: string;
  funcCode: string | null;
  econCode: string | null;
  /** By ColumnJson.id. */
  cells: Record<string, CellJson>;
}

/** One table, continued over pages as one grid (pageStart..pageEnd). */
export interface TableJson {
  index: number;
  kind: string;
  title: string;
  unit: string | null;
  pageStart: number;
  pageEnd: number;
  source: string;
  box: Box;
  columns: ColumnJson[];
  rows: RowJson[];
}

export interface VerdictJson { verdict: Verdict; note: string; decidedAt: string }

export interface FindingJson {
  /** findings.id (changes on re-ingest; the verdict is anchored otherwise). */
  id: number;
  documentId: number;
  rule: string;
  severity: Severity;
  message: string;
  page: number | null;
  box: Box | null;
  expected: string | null;
  printed: string | null;
  tableIndex: number | null;
  verdict: VerdictJson | null;
}

export interface PdfState {
  /** Whether the original file was found (stored paths, re-based on --root). */
  available: boolean;
  /** Why not, and what to do. */
  message: string | null;
}

export interface DocumentJson {
  document: DocumentRow & { path: string; error: string | null };
  pdf: PdfState;
  tables: TableJson[];
  findings: FindingJson[];
}

export interface FindingGroup {
  rule: string;
  count: number;
  verdicts: Record<Verdict, number>;
  documents: { id: number; fileName: string; sha256: string; pdf: boolean; findings: FindingJson[] }[];
}

export interface SeriesPoint { year: number; phase: string; totalFen: number | null; basicFen: number | null; projectFen: number | null; threePublicFen: number | null }

export interface DepartmentJson { id: number; name: string; documents: number; series: SeriesPoint[] }

export interface VocabularyJson {
  titles: Record<string, { text: string; count: number; rare: boolean }[]>;
  columnLabels: Record<string, { text: string; count: number; rare: boolean }[]>;
}
