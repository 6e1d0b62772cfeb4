// Table titles → table kinds, across the title variants of provinces and years.
import type { TableKind } from '../types.js';

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

// Tables that exist in many disclosures but have no kind of their own.
const OTHER = /政府采购|机关运行经费|基本支出预算表|资产|人员|专项资金|转移支付|债务/;

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
  if (OTHER.test(t)) return 'other';
  return 'other';
}

/** Does this line read like a table title at all (as opposed to a heading of the narrative)? */
export function isTableTitle(text: string): boolean {
  const t = cleanTitle(text);
  return t.length >= 4 && t.length <= 45 && /表$/.test(t) && /(预算|决算|收支|收入|支出|三公|经费|绩效|采购)/.test(t);
}
