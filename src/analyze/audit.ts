// `yusuan audit`: the validation rules again over every stored document (rebuilt from the database),
// plus the rules that need the whole corpus:
//  - corpus.title_variant / corpus.label_variant: a rare table title or column label close to a common one;
//  - corpus.foreign_department: a header naming another document's department (copied from its file);
//  - corpus.unit_jump: the same department's totals ×10,000 apart between years (a 元/万元 slip);
//  - the narrative of a 公开文件 without tables checked against the tables file of the same department and year;
// and the vocabulary of titles and column labels with their counts.
import type { Sql } from '../store/sql.js';
import { listDocuments, readDocument } from '../store/read.js';
import type { DocumentRecord } from '../store/schemas.js';
import { replaceFindings } from '../store/write.js';
import type { Box, DocumentResult, Finding, Severity } from '../types.js';
import { matchesRule, recomputedFromDatabase, validateDocument } from '../validate/index.js';
import { headingMentions } from '../validate/rules/header.js';
import { sameOrg } from '../domain/departments.js';
import { summaryTotals } from '../validate/rules/cross.js';
import { titleCore } from '../validate/rules/toc.js';
import { narrativeFamily } from '../validate/rules/narrative.js';
import { dice } from '../validate/util.js';
import { compact } from '../extract/normalize.js';
import { fmtAmount } from '../domain/money.js';

/** The rules of the audit itself, over the whole database (not a family: they need every document). */
export const CORPUS_RULES = ['corpus.'] as const;
/** Each rule id of the audit across documents. */
export const CORPUS_RULE_IDS = ['corpus.title_variant', 'corpus.label_variant', 'corpus.foreign_department', 'corpus.unit_jump'] as const;

/** A stored document: its row, and the document rebuilt from its rows (with its stored findings). */
interface Stored { row: DocumentRecord; doc: DocumentResult }

/** Every stored document with content (failed ones have none). */
async function readStored(sql: Sql): Promise<Stored[]> {
  const out: Stored[] = [];
  for (const row of await listDocuments(sql, { status: ['ok', 'partial'] })) out.push({ row, doc: (await readDocument(sql, row))! });
  return out;
}

export interface AuditOptions {
  /** Ids of the documents to report (src/cli/documents.ts resolves what the user typed). All when empty. */
  documents?: number[];
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
  /** What the audit reported (the options): `saveFindings` replaces only stored findings within it. */
  filter: { rules: string[]; minSeverity: Severity };
  /** Table titles per kind and column labels per key, most frequent first. */
  vocabulary: { titles: Record<string, VocabularyEntry[]>; columnLabels: Record<string, VocabularyEntry[]> };
  counts: { documents: number; findings: Record<Severity, number>; byRule: Record<string, number> };
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };
export { RANK as SEVERITY_RANK };

function selected(row: DocumentRecord, ids: number[] | undefined): boolean {
  return !ids?.length || ids.includes(row.id);
}

/** A column's own label (the last header level), without the year it names ("2024年机关运行经费预算数"). */
const leafLabel = (label: string) => compact(label.split('/').at(-1) ?? label).replace(/20\d\d年度?/g, '');

function vocabulary(docs: Stored[]) {
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
function variantFindings(docs: Stored[], vocab: AuditReport['vocabulary'], out: Map<number, Finding[]>) {
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
function foreignDepartmentFindings(docs: Stored[], out: Map<number, Finding[]>) {
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
function unitJumpFindings(docs: Stored[], out: Map<number, Finding[]>) {
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

/** Whether `tables` is the tables file of the narrative-only `narrative`: same department, year and phase. */
function isCompanion(narrative: DocumentResult, tables: DocumentResult): boolean {
  return tables !== narrative && tables.tables.length > 0 && tables.year === narrative.year && tables.phase === narrative.phase
    && !!tables.department && !!narrative.department && sameOrg(tables.department, narrative.department);
}

/** Identity of a finding across two runs of the rules. */
const supersedeKey = (f: Finding) => `${f.rule}|${f.page}|${f.actual}`;

/**
 * A 公开文件 holding only the narrative, its tables published as a separate file of the same department
 * and year (Jiangsu): the narrative's figures checked against that file's tables.
 */
function siblingNarrativeFindings(docs: Stored[], out: Map<number, Finding[]>, superseded: Map<number, Set<string>>) {
  for (const { row, doc } of docs) {
    if (doc.tables.length > 0 || !doc.department || doc.narrative.length === 0) continue;
    const sib = docs.find(({ doc: o }) => isCompanion(doc, o));
    if (!sib) continue;
    const own = new Set(validateDocument(doc, { fromDatabase: true }).map(supersedeKey));
    const merged: DocumentResult = { ...doc, tables: sib.doc.tables };
    const withTables = narrativeFamily(merged);
    // The document's own narrative findings that the tables explain (a share of a total only they print).
    const still = new Set(withTables.map(supersedeKey));
    superseded.set(row.id, new Set([...own].filter((k) => k.startsWith('narrative.') && !still.has(k))));
    for (const f of withTables) {
      if (own.has(supersedeKey(f))) continue;
      (out.get(row.id) ?? out.set(row.id, []).get(row.id)!).push({
        ...f, tableIndex: null,
        message: f.message.replace(' / ', `（对照同部门同年度的表格文件 ${sib.row.file_name}） / `) + ` (checked against the tables of ${sib.row.file_name})`,
      });
    }
  }
}

/** What the audit of one document needs from all the others. */
interface WholeDatabase {
  vocab: AuditReport['vocabulary'];
  /** Findings of the whole-database rules, by document id. */
  corpus: Map<number, Finding[]>;
  /** Own findings (supersedeKey) that a companion's tables explain, by document id. */
  superseded: Map<number, Set<string>>;
}

function wholeDatabase(docs: Stored[]): WholeDatabase {
  const vocab = vocabulary(docs);
  const corpus = new Map<number, Finding[]>();
  variantFindings(docs, vocab, corpus);
  foreignDepartmentFindings(docs, corpus);
  unitJumpFindings(docs, corpus);
  const superseded = new Map<number, Set<string>>();
  siblingNarrativeFindings(docs, corpus, superseded);
  return { vocab, corpus, superseded };
}

/** One document's audit: its rule families again (those the database can feed) and the whole-database rules. */
function auditOne({ row, doc }: Stored, whole: WholeDatabase): Finding[] {
  const gone = whole.superseded.get(row.id);
  const own = validateDocument(doc, { fromDatabase: true }).filter((f) => !gone?.has(supersedeKey(f)));
  return [...own, ...(whole.corpus.get(row.id) ?? [])];
}

/** Whether a finding is within what an audit with this filter reports. */
const withinFilter = (filter: AuditReport['filter']) => (f: Pick<Finding, 'rule' | 'severity'>) =>
  RANK[f.severity] >= RANK[filter.minSeverity] && (filter.rules.length === 0 || filter.rules.some((r) => f.rule === r || f.rule.startsWith(r.endsWith('.') ? r : r + '.')));

/** Whether an audit makes this finding again: the others (page failures, OCR notes, ingest-only families) it keeps. */
const remade = (f: Pick<Finding, 'rule' | 'actual'>) => recomputedFromDatabase(f) || matchesRule(CORPUS_RULES, f.rule);

export async function auditDatabase(sql: Sql, opts: AuditOptions = {}): Promise<AuditReport> {
  const docs = await readStored(sql);
  const whole = wholeDatabase(docs);
  const filter = { rules: opts.rules ?? [], minSeverity: opts.minSeverity ?? 'info' };
  const wanted = withinFilter(filter);
  const documents: DocumentAudit[] = [];
  const counts: AuditReport['counts'] = { documents: 0, findings: { error: 0, warning: 0, info: 0 }, byRule: {} };
  for (const s of docs) {
    const { row } = s;
    if (!selected(row, opts.documents)) continue;
    const findings = auditOne(s, whole).filter(wanted);
    documents.push({ id: row.id, sha256: row.sha256, file: row.path, department: row.department, year: row.year, phase: row.phase, findings });
    counts.documents++;
    for (const f of findings) { counts.findings[f.severity]++; counts.byRule[f.rule] = (counts.byRule[f.rule] ?? 0) + 1; }
  }
  return { documents, filter, vocabulary: whole.vocab, counts };
}

/**
 * Store the audit's findings of the audited documents (one transaction) in place of the stored ones it
 * makes again within its filter (rules, severity). Findings only the ingest makes (pages that failed,
 * OCR, ingest-only families) and those outside the filter stay. Returns how many were written.
 */
export async function saveFindings(sql: Sql, report: AuditReport): Promise<number> {
  const wanted = withinFilter(report.filter);
  const replaces = (f: Pick<Finding, 'rule' | 'severity' | 'actual'>) => wanted(f) && remade(f);
  return replaceFindings(sql, report.documents.map((d) => ({ documentId: d.id, replaces, findings: d.findings })));
}

/**
 * Bring the stored findings up to date with the whole database, as an audit would make them, after an
 * ingest (which validated each document on its own):
 *  - every document's whole-database findings (corpus.*): a new document can make another's title a
 *    rare variant, or name the department another's header carries;
 *  - narrative-only documents in full: their audit depends on the tables file of the same department
 *    and year (and costs little);
 *  - the documents in `reaudit` in full, their rule families run again from the database.
 * The rule families' findings of the other documents are left as stored: an ingest made them from the
 * same content (reading a document back gives what was stored), so an ingest run need not pay for its
 * documents' families twice. Findings only the ingest makes stay. Documents whose findings would not
 * change are not written.
 */
export async function refreshFindings(sql: Sql, reaudit: Iterable<number> = []): Promise<{ documents: number; findings: number }> {
  const full = new Set(reaudit);
  const docs = await readStored(sql);
  const whole = wholeDatabase(docs);
  const fingerprint = (fs: Finding[]) => fs.map((f) => JSON.stringify([f.rule, f.severity, f.page, f.tableIndex, f.expected, f.actual, f.message])).sort().join('\n');
  const isCorpus = (f: Pick<Finding, 'rule'>) => matchesRule(CORPUS_RULES, f.rule);
  const replacements = [];
  for (const s of docs) {
    if (full.has(s.row.id) || s.doc.tables.length === 0) {
      const now = auditOne(s, whole);
      if (fingerprint(now) !== fingerprint(s.doc.findings.filter(remade))) replacements.push({ documentId: s.row.id, replaces: remade, findings: now });
    } else {
      const now = whole.corpus.get(s.row.id) ?? [];
      if (fingerprint(now) !== fingerprint(s.doc.findings.filter(isCorpus))) replacements.push({ documentId: s.row.id, replaces: isCorpus, findings: now });
    }
  }
  return { documents: replacements.length, findings: await replaceFindings(sql, replacements) };
}

// ---------------------------------------------------------------------------------------------
// Report formats: grouped by document, then rule.

const byRule = (fs: Finding[]) => {
  const m = new Map<string, Finding[]>();
  for (const f of [...fs].sort((a, b) => RANK[b.severity] - RANK[a.severity] || a.rule.localeCompare(b.rule) || (a.page ?? 0) - (b.page ?? 0))) (m.get(f.rule) ?? m.set(f.rule, []).get(f.rule)!).push(f);
  return m;
};

// Boxes in reports: 0.1 pt tells repeated findings apart and is easy to read.
const REPORT_BOX_DECIMALS = 1;
const fmtBox = (b: Box | null) => (b ? `[${b.map((x) => x.toFixed(REPORT_BOX_DECIMALS)).join(', ')}]` : '');

/** The summary line: how many documents were audited and what was found. */
function summaryLine(r: AuditReport): string {
  const shown = r.documents.filter((d) => d.findings.length > 0).length;
  return `${r.counts.documents} document${r.counts.documents === 1 ? '' : 's'} audited, ${shown} with findings: ` +
    `${r.counts.findings.error} error${r.counts.findings.error === 1 ? '' : 's'}, ${r.counts.findings.warning} warning${r.counts.findings.warning === 1 ? '' : 's'}, ${r.counts.findings.info} info`;
}

/** Text for people: the documents with findings, each finding with its page and box (which tell repeats apart). */
export function formatText(r: AuditReport, opts: { vocabulary?: boolean } = {}): string {
  const out: string[] = [];
  for (const d of r.documents) {
    if (d.findings.length === 0) continue;
    const n = { error: 0, warning: 0, info: 0 };
    d.findings.forEach((f) => n[f.severity]++);
    out.push(`${d.file}  [${d.department ?? '?'} ${d.year ?? '?'} ${d.phase ?? '?'}]  error ${n.error}, warning ${n.warning}, info ${n.info}`);
    for (const [rule, fs] of byRule(d.findings)) {
      out.push(`  ${rule} (${fs.length})`);
      for (const f of fs) {
        out.push(`    ${f.severity.padEnd(7)} p${f.page ?? '-'}${f.box ? ' ' + fmtBox(f.box) : ''}  ${f.message}`);
        if (f.expected !== null || f.actual !== null) out.push(`             printed: ${f.actual ?? '—'}   expected: ${f.expected ?? '—'}`);
      }
    }
  }
  out.push(...(out.length ? [''] : []), summaryLine(r));
  if (opts.vocabulary) out.push('', ...vocabularyLines(r));
  return out.join('\n');
}

export const FINDING_COLUMNS = ['document_id', 'file', 'department', 'year', 'phase', 'rule', 'severity', 'page', 'bbox', 'printed', 'expected', 'message'] as const;

/** One row per finding (csv, jsonl), columns FINDING_COLUMNS. */
export function findingRows(r: AuditReport): unknown[][] {
  return r.documents.flatMap((d) => [...byRule(d.findings).values()].flat().map((f) =>
    [d.id, d.file, d.department, d.year, d.phase, f.rule, f.severity, f.page, f.box, f.actual, f.expected, f.message]));
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
  const out: string[] = ['# yusuan audit', '', summaryLine(r), ''];
  for (const d of r.documents) {
    if (d.findings.length === 0) continue;
    out.push(`## ${d.file}`, '', `${d.department ?? '?'} · ${d.year ?? '?'} · ${d.phase ?? '?'} · sha256 ${d.sha256.slice(0, 12)}`, '');
    for (const [rule, fs] of byRule(d.findings)) {
      out.push(`### ${rule} (${fs.length})`, '', '| severity | page | box | message | printed | expected |', '|---|---|---|---|---|---|');
      for (const f of fs) out.push(`| ${f.severity} | ${f.page ?? ''} | ${fmtBox(f.box)} | ${mdCell(f.message)} | ${mdCell(f.actual)} | ${mdCell(f.expected)} |`);
      out.push('');
    }
  }
  if (opts.vocabulary) out.push('## Vocabulary', '', ...vocabularyLines(r).map((l) => l.startsWith('  ') ? `- ${l.trim()}` : `\n**${l}**\n`));
  return out.join('\n');
}


/** The vocabulary of the stored documents' table titles and column labels (yusuan serve shows it). */
export async function storedVocabulary(sql: Sql): Promise<AuditReport['vocabulary']> {
  return vocabulary(await readStored(sql));
}
