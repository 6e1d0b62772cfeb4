// Reviewers' verdicts on findings (yusuan serve): stored by an anchor that survives re-ingesting and
// re-auditing (the document's sha256, the rule, the page, the rounded box, the printed value), and the
// agreement per rule and severity they give (yusuan audit --verdicts): the audit's measured precision.
import type { Sql } from '../store/sql.js';
import type { Box, Severity } from '../types.js';
import { roundBox } from './export.js';

export const VERDICTS = ['confirmed', 'false_alarm', 'unsure'] as const;
export type Verdict = (typeof VERDICTS)[number];

export const isVerdict = (v: unknown): v is Verdict => typeof v === 'string' && (VERDICTS as readonly string[]).includes(v);

/** What identifies a finding across re-ingesting and re-auditing. */
export interface FindingAnchor {
  sha256: string;
  rule: string;
  page: number | null;
  box: Box | null;
  /** The printed value (findings.actual). */
  printed: string | null;
}

export interface VerdictRecord extends FindingAnchor {
  id: number;
  severity: Severity;
  expected: string | null;
  verdict: Verdict;
  note: string;
  decidedAt: string;
}

/** The anchor as one key (unique per document): rule|page|box|printed, the box rounded to 0.01 pt. */
export function anchorKey(a: Omit<FindingAnchor, 'sha256'>): string {
  return [a.rule, a.page ?? '', a.box ? roundBox(a.box).join(',') : '', a.printed ?? ''].join('|');
}

/** Store (or replace) the verdict on one finding. */
export async function saveVerdict(sql: Sql, v: FindingAnchor & { severity: Severity; expected: string | null; verdict: Verdict; note?: string }): Promise<VerdictRecord> {
  const box = v.box ? JSON.stringify(roundBox(v.box)) : null;
  const decidedAt = new Date().toISOString();
  await sql.run(`INSERT INTO verdicts (sha256, rule, severity, page, bbox, printed, expected, anchor, verdict, note, decided_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
              ON CONFLICT (sha256, anchor) DO UPDATE SET verdict = excluded.verdict, note = excluded.note,
                severity = excluded.severity, expected = excluded.expected, decided_at = excluded.decided_at`,
    [v.sha256, v.rule, v.severity, v.page, box, v.printed, v.expected, anchorKey(v), v.verdict, v.note ?? '', decidedAt]);
  return (await listVerdicts(sql, v.sha256)).find((r) => anchorKey(r) === anchorKey(v))!;
}

interface RawVerdict { id: number; sha256: string; rule: string; severity: Severity; page: number | null; bbox: string | null; printed: string | null; expected: string | null; verdict: Verdict; note: string; decided_at: string }

/** Stored verdicts, of one document (by sha256) or all. */
export async function listVerdicts(sql: Sql, sha256?: string): Promise<VerdictRecord[]> {
  const rows = sha256 === undefined
    ? await sql.all<RawVerdict>('SELECT * FROM verdicts ORDER BY id')
    : await sql.all<RawVerdict>('SELECT * FROM verdicts WHERE sha256 = ? ORDER BY id', [sha256]);
  return rows.map((r) => ({
    id: r.id, sha256: r.sha256, rule: r.rule, severity: r.severity, page: r.page, box: r.bbox === null ? null : (JSON.parse(r.bbox) as Box),
    printed: r.printed, expected: r.expected, verdict: r.verdict, note: r.note, decidedAt: r.decided_at,
  }));
}

/** A document's verdicts by anchor key. */
export async function verdictsByAnchor(sql: Sql, sha256: string): Promise<Map<string, VerdictRecord>> {
  return new Map((await listVerdicts(sql, sha256)).map((v) => [anchorKey(v), v]));
}

export interface Agreement {
  rule: string;
  severity: Severity;
  confirmed: number;
  falseAlarm: number;
  unsure: number;
  /** confirmed / (confirmed + false alarms): the share of decided findings the reviewers agreed with; null when none decided. */
  agreement: number | null;
}

/** Agreement per rule and severity (severity as the finding had when judged). */
export async function verdictAgreement(sql: Sql): Promise<Agreement[]> {
  const out = new Map<string, Agreement>();
  for (const v of await listVerdicts(sql)) {
    const key = `${v.rule}\u0000${v.severity}`;
    const a = out.get(key) ?? out.set(key, { rule: v.rule, severity: v.severity, confirmed: 0, falseAlarm: 0, unsure: 0, agreement: null }).get(key)!;
    if (v.verdict === 'confirmed') a.confirmed++;
    else if (v.verdict === 'false_alarm') a.falseAlarm++;
    else a.unsure++;
  }
  for (const a of out.values()) a.agreement = a.confirmed + a.falseAlarm ? a.confirmed / (a.confirmed + a.falseAlarm) : null;
  return [...out.values()].sort((a, b) => a.rule.localeCompare(b.rule) || a.severity.localeCompare(b.severity));
}

/** The agreement as a text table for people. */
export function formatAgreement(rows: Agreement[]): string {
  if (!rows.length) return 'no verdicts yet (yusuan serve --allow-verdicts records them)';
  const head = ['rule', 'severity', 'confirmed', 'false alarm', 'unsure', 'agreement'];
  const body = rows.map((a) => [a.rule, a.severity, String(a.confirmed), String(a.falseAlarm), String(a.unsure), a.agreement === null ? '-' : `${(a.agreement * 100).toFixed(1)}%`]);
  const total = rows.reduce((s, a) => ({ c: s.c + a.confirmed, f: s.f + a.falseAlarm, u: s.u + a.unsure }), { c: 0, f: 0, u: 0 });
  body.push(['all', '', String(total.c), String(total.f), String(total.u), total.c + total.f ? `${((total.c / (total.c + total.f)) * 100).toFixed(1)}%` : '-']);
  const width = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(width[i]) : c.padStart(width[i]))).join('  ').trimEnd();
  return ['Verdicts: agreement per rule and severity', line(head), ...body.map(line)].join('\n');
}
