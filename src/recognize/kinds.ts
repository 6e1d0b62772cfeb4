// Table titles → table kinds, across the title variants of provinces and years.
import type { TableKind } from '../types.js';
import { editDistance, hanOnly } from '../extract/normalize.js';

/** Strip ordinal prefixes ("一、", "表1-2", "附表3：") and the department/year in front of a title. */
export function cleanTitle(title: string): string {
  return title
    .replace(/\s/g, '')
    .replace(/^(附?表\s*[\d\-—－]+[:：、.]?|[一二三四五六七八九十]+[、.．]|\d+[、.．]|[（(][一二三四五六七八九十\d]+[)）])/, '')
    .replace(/[“”"'‘’]/g, '')
    .replace(/[（(]续[)）]$/, '');
}

type Pattern = [RegExp, TableKind];

// Order matters: the most specific patterns first.
const FINAL: Pattern[] = [
  [/三公/, 'final_three_public'],
  [/政府性基金/, 'final_gov_fund'],
  [/国有资本经营/, 'final_state_capital'],
  [/一般公共预算财政拨款基本支出/, 'final_general_budget_basic'],
  [/一般公共预算财政拨款(收入)?支出/, 'final_general_budget_expenditure'],
  [/财政拨款收入支出决算总表|财政拨款收支决算总表/, 'final_appropriation_summary'],
  [/收入支出决算总表|收支决算总表/, 'final_summary'],
  [/收入决算表/, 'final_income'],
  [/支出决算表/, 'final_expenditure'],
];

const BUDGET: Pattern[] = [
  [/项目支出绩效|项目绩效目标/, 'project_performance'],
  [/整体支出绩效|部门整体绩效|整体绩效目标/, 'overall_performance'],
  [/政府性基金.*三公|三公.*政府性基金/, 'gov_fund_three_public'],
  [/三公/, 'three_public'],
  [/政府性基金/, 'gov_fund_expenditure'],
  [/国有资本经营/, 'state_capital_expenditure'],
  [/一般公共预算.*基本支出/, 'general_budget_basic'],
  [/一般公共预算.*项目支出/, 'general_budget_project'],
  [/一般公共预算.*支出/, 'general_budget_expenditure'],
  [/财政拨款收支.*总表|财政拨款收入支出.*总表/, 'appropriation_summary'],
  [/财政拨款.*支出(预算)?表/, 'appropriation_expenditure'],
  [/收支.*总表|收入支出.*总表/, 'budget_summary'],
  [/收入(预算)?总?表/, 'income'],
  [/支出(预算)?总?表/, 'expenditure'],
];


export function tableKind(title: string, phase: 'budget' | 'final' | null): TableKind {
  const t = cleanTitle(title);
  // A combined 三公 and 机关运行经费 table is the 三公 table; 机关运行经费 alone is not.
  if (/政府采购/.test(t) || (/机关运行经费/.test(t) && !/三公/.test(t))) return 'other';
  const isFinal = /决算/.test(t) || (phase === 'final' && !/预算表$/.test(t));
  for (const [re, kind] of isFinal ? FINAL : BUDGET) if (re.test(t)) {
    // 财政拨款基本支出预算表 (Jiangsu) repeats the general budget basic table but is not that kind.
    if (kind === 'appropriation_expenditure' && /基本支出/.test(t)) return 'other';
    return kind;
  }
  return 'other'; // 政府采购, 机关运行经费, 财政拨款基本支出, 资产… keep their titles
}

/** Does this line read like a table title at all (as opposed to a heading of the narrative)? */
export function isTableTitle(text: string): boolean {
  const t = cleanTitle(text);
  return t.length >= 4 && t.length <= 45 && /表$/.test(t) && /(预算|决算|收支|收入|支出|三公|经费|绩效|采购)/.test(t);
}

/** Canonical wordings of the standard titles, for titles misread by OCR. */
const CANONICAL: [string, TableKind][] = [
  ['部门收支总表', 'budget_summary'], ['部门财务收支预算总表', 'budget_summary'], ['收支预算总表', 'budget_summary'],
  ['部门收入总表', 'income'], ['收入预算总表', 'income'],
  ['部门支出总表', 'expenditure'], ['支出预算总表', 'expenditure'],
  ['财政拨款收支预算总表', 'appropriation_summary'],
  ['财政拨款支出预算表', 'appropriation_expenditure'],
  ['一般公共预算支出预算表', 'general_budget_expenditure'], ['一般公共预算支出功能分类预算表', 'general_budget_expenditure'],
  ['一般公共预算基本支出预算表', 'general_budget_basic'], ['一般公共预算基本支出部门预算经济分类预算表', 'general_budget_basic'],
  ['一般公共预算项目支出预算表', 'general_budget_project'],
  ['一般公共预算三公经费支出预算表', 'three_public'],
  ['政府性基金预算支出预算表', 'gov_fund_expenditure'],
  ['国有资本经营预算支出预算表', 'state_capital_expenditure'],
  ['收入支出决算总表', 'final_summary'], ['收入决算表', 'final_income'], ['支出决算表', 'final_expenditure'],
  ['财政拨款收入支出决算总表', 'final_appropriation_summary'],
  ['一般公共预算财政拨款支出决算表', 'final_general_budget_expenditure'],
  ['一般公共预算财政拨款基本支出决算表', 'final_general_budget_basic'],
  ['财政拨款三公经费支出决算表', 'final_three_public'],
  ['政府性基金预算财政拨款收入支出决算表', 'final_gov_fund'],
  ['国有资本经营预算财政拨款支出决算表', 'final_state_capital'],
  // Tables outside the standard set whose titles are close to standard ones: a misread title of
  // one of these must not pass for the standard table it resembles.
  ['一般公共预算机关运行经费支出预算表', 'other'], ['财政拨款基本支出预算表', 'other'],
  ['政府采购预算表', 'other'], ['政府采购支出预算表', 'other'],
];

const bigrams = (s: string) => {
  const h = s.replace(/[^\p{Script=Han}]/gu, '');
  return new Set(Array.from({ length: Math.max(0, h.length - 1) }, (_, i) => h.slice(i, i + 2)));
};

/** Share of a canonical title's character pairs found in the printed title. */
const FUZZY_MIN_SHARE = 0.6;

/**
 * The kind of a title misread by OCR ("一般公共了预算基本文出部门巴算经济分类关孔算表"): the standard
 * title most of whose character pairs it contains, when that share is high enough and the next
 * best kind is clearly behind. Only for OCR text: a printed title is read by `tableKind`.
 */
export function tableKindFuzzy(title: string): TableKind {
  const got = bigrams(cleanTitle(title));
  if (got.size < 3) return 'other';
  const scores = new Map<TableKind, number>();
  for (const [canon, kind] of CANONICAL) {
    const want = bigrams(canon);
    const share = [...want].filter((b) => got.has(b)).length / want.size;
    scores.set(kind, Math.max(scores.get(kind) ?? 0, share));
  }
  const ranked = [...scores].sort((a, b) => b[1] - a[1]);
  const [best, second] = ranked;
  return best[1] >= FUZZY_MIN_SHARE && best[1] - (second?.[1] ?? 0) >= 0.1 ? best[0] : 'other';
}

/** Misread characters tolerated against a known title: 1 for a short one, 2 from this many characters on. */
const TITLE_TWO_MISREADS_FROM = 8;

/** Characters that differ between two strings of one length (OCR misreads a character, it seldom shifts a title). */
const hamming = (a: string[], b: string[]) => a.reduce((n, ch, i) => n + (ch === b[i] ? 0 : 1), 0);

/**
 * The known title that the end of a line's Han characters reads as, with at most one or two
 * characters misread ("财政拨款支出预算衣", "一般公共预算基本支出预笲表"); null when none. A line ending
 * in 表 may also have one or two characters dropped or added. A department and year may stand in
 * front ("江苏省政协办公厅2018年部门收支总表").
 */
export function knownTitleIn(text: string): string | null {
  const han = [...hanOnly(text).replace(/续$/, '')];
  const endsInBiao = han[han.length - 1] === '表';
  // Best by the known characters read (length − misreads), then by fewer misreads; two titles of
  // different kinds equally close (部门收人总表: 收支 or 收入?) are no answer.
  let best: { canon: string; kind: TableKind; score: number; d: number; tied: boolean } | null = null;
  for (const [canon, kind] of CANONICAL) {
    const c = [...canon];
    const allowed = c.length >= TITLE_TWO_MISREADS_FROM ? 2 : 1;
    const spread = endsInBiao ? allowed : 0;
    for (let len = c.length - spread; len <= c.length + spread; len++) {
      if (len < 1 || len > han.length) continue;
      const tail = han.slice(-len);
      const d = len === c.length ? hamming(tail, c) : editDistance(tail.join(''), canon);
      if (d > allowed) continue;
      const score = c.length - d;
      if (!best || score > best.score || (score === best.score && d < best.d)) best = { canon, kind, score, d, tied: false };
      else if (score === best.score && d === best.d && kind !== best.kind) best.tied = true;
    }
  }
  return best && !best.tied ? best.canon : null;
}

/**
 * The kind of a title read by OCR: the known title it reads as despite misread characters
 * ("公开04表财政拨寻收支预算总表" is 财政拨款收支预算总表, not a 收支总表), else as printed, else the
 * closest by character pairs.
 */
export function tableKindOcr(title: string, phase: 'budget' | 'final' | null): TableKind {
  // 三公经费 with its 三 misread or lost (王公经费): 公经费 occurs in no other title.
  const kind = tableKind(title.replace(/[“”"'‘’]/g, '').replace(/\p{Script=Han}?公经费/u, '三公经费'), phase);
  const canon = knownTitleIn(title);
  // A short known title read with a misread (支出预算总表 in …培训费支出预算表) says less than the printed words.
  if (canon && ([...canon].length >= TITLE_TWO_MISREADS_FROM || kind === 'other')) return CANONICAL.find(([c]) => c === canon)![1];
  return kind === 'other' ? tableKindFuzzy(title) : kind;
}
