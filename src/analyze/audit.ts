// `yusuan audit`: the validation rules again over every stored document (rebuilt from the database),
// plus the rules that need the whole corpus:
//  - corpus.title_variant / corpus.label_variant: a rare table title or column label close to a common one;
//  - corpus.foreign_department: a header naming another document's department (copied from its file);
//  - corpus.unit_jump: the same department's totals ×10,000 apart between years (a 元/万元 slip);
//  - the narrative of a 公开文件 without tables checked against the tables file of the same department and year;
// and the vocabulary of titles and column labels with their counts.
import type { Db } from '../store/db.js';
import type { Box, ColumnSpec, DocumentResult, Finding, LineItem, RecognizedTable, Severity, TableKind, TextLine, RejectedCode, UnitCodeCell } from '../types.js';
import { validateDocument } from '../validate/index.js';
import { canonicalOrg, headingMentions, sameOrg } from '../validate/rules/header.js';
import { summaryTotals } from '../validate/rules/cross.js';
import { titleCore } from '../validate/rules/toc.js';
import { narrativeFamily } from '../validate/rules/narrative.js';
import { compact, dice, fmtAmount } from '../validate/util.js';
import type { Unit } from '../domain/money.js';

interface DocRow {
  id: number; sha256: string; path: string; file_name: string; pages: number; phase: 'budget' | 'final' | null;
  year: number | null; department: string | null; status: 'ok' | 'partial' | 'failed'; error: string | null;
}

/** A document as the pipeline handed it to the store, rebuilt from its rows. */
export function loadDocument(db: Db, row: DocRow): DocumentResult {
  const tables = db.prepare('SELECT * FROM doc_tables WHERE document_id = ? ORDER BY table_index').all(row.id) as {
    id: number; table_index: number; kind: TableKind; title: string; page_start: number; page_end: number; unit: string | null;
    department_label: string | null; year_label: number | null; source: 'pdf_text' | 'ocr' | 'text_dump'; bbox: string; column_specs: string; unit_codes: string; rejected_codes?: string;
  }[];
  const items = db.prepare('SELECT * FROM line_items WHERE document_id = ? ORDER BY id').all(row.id) as {
    table_id: number; page: number; row_index: number; label: string; func_code: string | null; econ_code: string | null;
    column_key: string; column_label: string; amount_fen: number; amount_text: string; bbox: string;
  }[];
  const byTable = new Map<number, LineItem[]>();
  const indexOf = new Map(tables.map((t) => [t.id, t.table_index]));
  for (const it of items) {
    const ti = indexOf.get(it.table_id)!;
    const li: LineItem = {
      tableIndex: ti, page: it.page, rowIndex: it.row_index, label: it.label, funcCode: it.func_code, econCode: it.econ_code,
      columnKey: it.column_key, columnLabel: it.column_label, amountFen: it.amount_fen, amountText: it.amount_text, box: JSON.parse(it.bbox) as Box,
    };
    (byTable.get(ti) ?? byTable.set(ti, []).get(ti)!).push(li);
  }
  const recognized: RecognizedTable[] = tables.map((t) => ({
    kind: t.kind, title: t.title, unit: t.unit as Unit | null, departmentLabel: t.department_label, year: t.year_label,
    pageStart: t.page_start, pageEnd: t.page_end, source: t.source, columns: JSON.parse(t.column_specs) as ColumnSpec[],
    items: byTable.get(t.table_index) ?? [], box: JSON.parse(t.bbox) as Box,
    unitCodes: JSON.parse(t.unit_codes) as UnitCodeCell[],
    ...(t.rejected_codes && t.rejected_codes !== '[]' ? { rejectedCodes: JSON.parse(t.rejected_codes) as RejectedCode[] } : {}),
  }));
  const narrative = (db.prepare('SELECT page, text, bbox FROM narrative_lines WHERE document_id = ? ORDER BY line_index').all(row.id) as { page: number; text: string; bbox: string }[])
    .map((l): TextLine => ({ page: l.page, text: l.text, box: JSON.parse(l.bbox) as Box }));
  return {
    sha256: row.sha256, path: row.path, fileName: row.file_name, pages: row.pages, phase: row.phase, year: row.year, department: row.department,
    status: row.status, error: row.error, tables: recognized, findings: [], narrative, timings: { extractMs: 0, layoutMs: 0, recognizeMs: 0 },
  };
}

export interface AuditOptions {
  /** Documents to report: id, sha256 prefix, or a part of the file name or path. All when empty. */
  documents?: string[];
  /** Rule ids or prefixes (e.g. `header`, `sum.total_row`). All when empty. */
  rules?: string[];
  /** Lowest severity reported (default info). */
  minSeverity?: Severity;
}

export interface DocumentAudit {
  id: number;
  sha256: string;
  file: string;
  department: string | null;
  year: number | null;
  phase: string | null;
  findings: Finding[];
}

export interface VocabularyEntry { text: string; count: number; documents: number }

export interface AuditReport {
  documents: DocumentAudit[];
  /** Table titles per kind and column labels per key, most frequent first. */
  vocabulary: { titles: Record<string, VocabularyEntry[]>; columnLabels: Record<string, VocabularyEntry[]> };
  counts: { documents: number; findings: Record<Severity, number>; byRule: Record<string, number> };
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

function selected(row: DocRow, filters: string[] | undefined): boolean {
  if (!filters?.length) return true;
  return filters.some((f) => String(row.id) === f || row.sha256.startsWith(f.toLowerCase()) || row.file_name.includes(f) || row.path.includes(f));
}

/** A column's own label (the last header level), without the year it names ("2024年机关运行经费预算数"). */
const leafLabel = (label: string) => compact(label.split('/').at(-1) ?? label).replace(/20\d\d年度?/g, '');

function vocabulary(docs: { row: DocRow; doc: DocumentResult }[]) {
  const titles = new Map<string, Map<string, Set<number>>>();
  const labels = new Map<string, Map<string, Set<number>>>();
  const add = (m: Map<string, Map<string, Set<number>>>, group: string, text: string, doc: number) => {
    const g = m.get(group) ?? m.set(group, new Map()).get(group)!;
    (g.get(text) ?? g.set(text, new Set()).get(text)!).add(doc);
  };
  for (const { row, doc } of docs) {
    for (const t of doc.tables) {
      if (t.title) add(titles, t.kind, titleCore(t.title) || compact(t.title), row.id);
      for (const c of t.columns) if (c.isAmount && c.label) add(labels, c.key, leafLabel(c.label), row.id);
    }
  }
  const out = (m: Map<string, Map<string, Set<number>>>) => Object.fromEntries([...m].map(([k, g]) => [k,
    [...g].map(([text, ds]) => ({ text, count: ds.size, documents: ds.size })).sort((a, b) => b.count - a.count || a.text.localeCompare(b.text))]));
  return { titles: out(titles), columnLabels: out(labels) };
}

function corpusFinding(rule: string, severity: Severity, zh: string, en: string, extra: Partial<Finding> = {}): Finding {
  return { rule, severity, message: `${zh} / ${en}`, page: null, box: null, expected: null, actual: null, tableIndex: null, ...extra };
}

/** Rare variants close to a common one (a title or label printed slightly wrong). */
function variantFindings(docs: { row: DocRow; doc: DocumentResult }[], vocab: AuditReport['vocabulary'], out: Map<number, Finding[]>) {
  const check = (kind: 'title' | 'label', groups: Record<string, VocabularyEntry[]>) => {
    for (const [group, entries] of Object.entries(groups)) {
      for (const rare of entries) {
        const common = entries.find((c) => c !== rare && c.count >= Math.max(3, 3 * rare.count) && dice(c.text, rare.text) >= 0.75);
        if (!common || rare.count > 2) continue;
        for (const { row, doc } of docs) {
          doc.tables.forEach((t, ti) => {
            const texts = kind === 'title' ? (t.kind === group && t.title ? [titleCore(t.title) || compact(t.title)] : [])
              : t.columns.filter((c) => c.isAmount && c.key === group).map((c) => leafLabel(c.label));
            if (!texts.includes(rare.text)) return;
            const f = corpusFinding(`corpus.${kind}_variant`, dice(common.text, rare.text) >= 0.85 ? 'warning' : 'info',
              `${kind === 'title' ? '表名' : '栏目名'}“${rare.text}”只出现在 ${rare.count} 份文件中，常见写法为“${common.text}”（${common.count} 份）`,
              `rare ${kind} variant "${rare.text}" (${rare.count} documents) close to the common "${common.text}" (${common.count})`,
              { page: t.pageStart, box: t.box, tableIndex: ti, expected: common.text, actual: rare.text });
            (out.get(row.id) ?? out.set(row.id, []).get(row.id)!).push(f);
          });
        }
      }
    }
  };
  check('title', vocab.titles);
  check('label', vocab.columnLabels);
}

/** Headers naming another document's department: copied from that unit's file. */
function foreignDepartmentFindings(docs: { row: DocRow; doc: DocumentResult }[], out: Map<number, Finding[]>) {
  const departments = [...new Set(docs.map((d) => d.doc.department).filter((d): d is string => !!d))];
  for (const { row, doc } of docs) {
    if (!doc.department) continue;
    const mentions: { name: string; page: number; box: Box | null; tableIndex: number | null; where: string }[] = [];
    doc.tables.forEach((t, ti) => { if (t.departmentLabel) mentions.push({ name: t.departmentLabel, page: t.pageStart, box: t.box, tableIndex: ti, where: `「${t.title}」的部门行` }); });
    for (const m of headingMentions(doc.narrative)) mentions.push({ name: m.name, page: m.page, box: m.box, tableIndex: null, where: m.where });
    for (const m of mentions) {
      if (sameOrg(m.name, doc.department)) continue;
      const other = departments.find((d) => !sameOrg(d, doc.department!) && sameOrg(d, m.name));
      if (!other) continue;
      (out.get(row.id) ?? out.set(row.id, []).get(row.id)!).push(corpusFinding('corpus.foreign_department', 'error',
        `${m.where}印为“${m.name}”，这是另一份文件（${other}）的部门，本文件属于“${doc.department}”`,
        `${m.where} names ${m.name}, the department of another document; this document is ${doc.department}'s`,
        { page: m.page, box: m.box, tableIndex: m.tableIndex, expected: doc.department, actual: m.name }));
    }
  }
}

/** The same department's totals across years, ×10,000 apart. */
function unitJumpFindings(docs: { row: DocRow; doc: DocumentResult }[], out: Map<number, Finding[]>) {
  const totals = docs.flatMap(({ row, doc }) => {
    const s = doc.tables.find((t) => t.kind === 'budget_summary' || t.kind === 'final_summary');
    if (!s || !doc.department || !doc.year) return [];
    const tot = summaryTotals(s);
    const it = tot.grand.income ?? tot.sum.income ?? tot.grand.expenditure ?? tot.sum.expenditure;
    return it && it.amountFen > 0 ? [{ row, doc, it, unit: s.unit }] : [];
  });
  for (const a of totals) {
    for (const b of totals) {
      if (a === b || a.doc.phase !== b.doc.phase || b.doc.year! >= a.doc.year! || !sameOrg(a.doc.department!, b.doc.department!)) continue;
      const r = a.it.amountFen / b.it.amountFen;
      if (r < 2000 && r > 1 / 2000) continue;
      (out.get(a.row.id) ?? out.set(a.row.id, []).get(a.row.id)!).push(corpusFinding('corpus.unit_jump', 'error',
        `${a.doc.department} ${a.doc.year}年收支总计 ${fmtAmount(a.it.amountFen, a.unit)} 是 ${b.doc.year}年（${fmtAmount(b.it.amountFen, b.unit)}）的 ${r >= 1 ? Math.round(r) : `1/${Math.round(1 / r)}`} 倍，疑为元/万元单位错误`,
        `total of ${a.doc.year} is ${r >= 1 ? Math.round(r) : `1/${Math.round(1 / r)}`}× that of ${b.doc.year}: a unit slip (元/万元)?`,
        { page: a.it.page, box: a.it.box, expected: `≈ ${fmtAmount(b.it.amountFen, b.unit)}（${b.doc.year}年）`, actual: fmtAmount(a.it.amountFen, a.unit) }));
    }
  }
}

/**
 * A 公开文件 holding only the narrative, its tables published as a separate file of the same department
 * and year (Jiangsu): the narrative's figures checked against that file's tables.
 */
function siblingNarrativeFindings(docs: { row: DocRow; doc: DocumentResult }[], out: Map<number, Finding[]>, superseded: Map<number, Set<string>>) {
  for (const { row, doc } of docs) {
    if (doc.tables.length > 0 || !doc.department || doc.narrative.length === 0) continue;
    const sib = docs.find(({ doc: o }) => o !== doc && o.tables.length > 0 && o.year === doc.year && o.phase === doc.phase && o.department && sameOrg(o.department, doc.department!));
    if (!sib) continue;
    const key = (f: Finding) => `${f.rule}|${f.page}|${f.actual}`;
    const own = new Set(validateDocument(doc).map(key));
    const merged: DocumentResult = { ...doc, tables: sib.doc.tables };
    const withTables = narrativeFamily(merged);
    // The document's own narrative findings that the tables explain (a share of a total only they print).
    const still = new Set(withTables.map(key));
    superseded.set(row.id, new Set([...own].filter((k) => k.startsWith('narrative.') && !still.has(k))));
    for (const f of withTables) {
      if (own.has(`${f.rule}|${f.page}|${f.actual}`)) continue;
      (out.get(row.id) ?? out.set(row.id, []).get(row.id)!).push({
        ...f, tableIndex: null,
        message: f.message.replace(' / ', `（对照同部门同年度的表格文件 ${sib.row.file_name}） / `) + ` (checked against the tables of ${sib.row.file_name})`,
      });
    }
  }
}

export function auditDatabase(db: Db, opts: AuditOptions = {}): AuditReport {
  const rows = db.prepare("SELECT id, sha256, path, file_name, pages, phase, year, department, status, error FROM documents WHERE status <> 'failed' ORDER BY path, id").all() as DocRow[];
  const docs = rows.map((row) => ({ row, doc: loadDocument(db, row) }));
  const vocab = vocabulary(docs);
  const corpus = new Map<number, Finding[]>();
  variantFindings(docs, vocab, corpus);
  foreignDepartmentFindings(docs, corpus);
  unitJumpFindings(docs, corpus);
  const superseded = new Map<number, Set<string>>();
  siblingNarrativeFindings(docs, corpus, superseded);
  const min = RANK[opts.minSeverity ?? 'info'];
  const wanted = (f: Finding) => RANK[f.severity] >= min && (!opts.rules?.length || opts.rules.some((r) => f.rule === r || f.rule.startsWith(r.endsWith('.') ? r : r + '.')));
  const documents: DocumentAudit[] = [];
  const counts: AuditReport['counts'] = { documents: 0, findings: { error: 0, warning: 0, info: 0 }, byRule: {} };
  for (const { row, doc } of docs) {
    if (!selected(row, opts.documents)) continue;
    const gone = superseded.get(row.id);
    const own = validateDocument(doc).filter((f) => !gone?.has(`${f.rule}|${f.page}|${f.actual}`));
    const findings = [...own, ...(corpus.get(row.id) ?? [])].filter(wanted);
    documents.push({ id: row.id, sha256: row.sha256, file: row.path, department: row.department, year: row.year, phase: row.phase, findings });
    counts.documents++;
    for (const f of findings) { counts.findings[f.severity]++; counts.byRule[f.rule] = (counts.byRule[f.rule] ?? 0) + 1; }
  }
  return { documents, vocabulary: vocab, counts };
}

/** Replace the stored findings of the audited documents with the audit's (one transaction). */
export function saveFindings(db: Db, report: AuditReport): number {
  const del = db.prepare('DELETE FROM findings WHERE document_id = ?');
  const tableId = db.prepare('SELECT id FROM doc_tables WHERE document_id = ? AND table_index = ?').pluck();
  const ins = db.prepare('INSERT INTO findings (document_id, table_id, rule, severity, message, page, bbox, expected, actual) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  let n = 0;
  db.transaction(() => {
    for (const d of report.documents) {
      del.run(d.id);
      for (const f of d.findings) {
        ins.run(d.id, f.tableIndex === null ? null : (tableId.get(d.id, f.tableIndex) as number | undefined) ?? null, f.rule, f.severity, f.message, f.page, f.box ? JSON.stringify(f.box) : null, f.expected, f.actual);
        n++;
      }
    }
  }).immediate();
  return n;
}

// ---------------------------------------------------------------------------------------------
// Report formats: grouped by document, then rule.

const byRule = (fs: Finding[]) => {
  const m = new Map<string, Finding[]>();
  for (const f of [...fs].sort((a, b) => RANK[b.severity] - RANK[a.severity] || a.rule.localeCompare(b.rule) || (a.page ?? 0) - (b.page ?? 0))) (m.get(f.rule) ?? m.set(f.rule, []).get(f.rule)!).push(f);
  return m;
};

export function formatText(r: AuditReport, opts: { vocabulary?: boolean } = {}): string {
  const out: string[] = [];
  for (const d of r.documents) {
    const n = { error: 0, warning: 0, info: 0 };
    d.findings.forEach((f) => n[f.severity]++);
    out.push(`${d.file}  [${d.department ?? '?'} ${d.year ?? '?'} ${d.phase ?? '?'}]  error ${n.error}, warning ${n.warning}, info ${n.info}`);
    for (const [rule, fs] of byRule(d.findings)) {
      out.push(`  ${rule} (${fs.length})`);
      for (const f of fs) {
        out.push(`    ${f.severity.padEnd(7)} p${f.page ?? '-'}  ${f.message}`);
        if (f.expected !== null || f.actual !== null) out.push(`             printed: ${f.actual ?? '—'}   expected: ${f.expected ?? '—'}`);
      }
    }
  }
  out.push('', `${r.counts.documents} documents: ${r.counts.findings.error} errors, ${r.counts.findings.warning} warnings, ${r.counts.findings.info} info`);
  if (opts.vocabulary) out.push('', ...vocabularyLines(r));
  return out.join('\n');
}

function vocabularyLines(r: AuditReport): string[] {
  const out = ['Table titles by kind (documents):'];
  for (const [kind, es] of Object.entries(r.vocabulary.titles)) out.push(`  ${kind}: ${es.map((e) => `${e.text} (${e.count})`).join('; ')}`);
  out.push('Column labels by key (documents):');
  for (const [key, es] of Object.entries(r.vocabulary.columnLabels)) out.push(`  ${key}: ${es.map((e) => `${e.text} (${e.count})`).join('; ')}`);
  return out;
}

const mdCell = (s: string | null) => (s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function formatMarkdown(r: AuditReport, opts: { vocabulary?: boolean } = {}): string {
  const out: string[] = ['# yusuan audit', '', `${r.counts.documents} documents: ${r.counts.findings.error} errors, ${r.counts.findings.warning} warnings, ${r.counts.findings.info} info`, ''];
  for (const d of r.documents) {
    out.push(`## ${d.file}`, '', `${d.department ?? '?'} · ${d.year ?? '?'} · ${d.phase ?? '?'} · sha256 ${d.sha256.slice(0, 12)}`, '');
    for (const [rule, fs] of byRule(d.findings)) {
      out.push(`### ${rule} (${fs.length})`, '', '| severity | page | message | printed | expected |', '|---|---|---|---|---|');
      for (const f of fs) out.push(`| ${f.severity} | ${f.page ?? ''} | ${mdCell(f.message)} | ${mdCell(f.actual)} | ${mdCell(f.expected)} |`);
      out.push('');
    }
  }
  if (opts.vocabulary) out.push('## Vocabulary', '', ...vocabularyLines(r).map((l) => l.startsWith('  ') ? `- ${l.trim()}` : `\n**${l}**\n`));
  return out.join('\n');
}

export { canonicalOrg };
