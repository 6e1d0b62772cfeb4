// Header rows → one label per column → canonical column keys.
import { compact, hanOnly } from '../extract/normalize.js';

/** Leaf labels → column keys. The first matching entry wins; see README "Column keys". */
const KEY_PATTERNS: [RegExp, string][] = [
  [/^(上年|上年度|\d{4}年)(预算数|预算|执行数|决算数)?$|上年预算数|上年执行数|上年决算数/, 'prior_year'],
  [/增减(额|数)?$|比上年增减$|增加额/, 'change'],
  [/增长率|增减率|增减幅度|%/, 'change_rate'],
  [/^(合计|小计|总计|金额|预算数|决算数|本年支出合计|本年收入合计|支出合计|收入合计|年初预算数|全年预算数|预算金额|本年预算数?|当年预算|预算安排|\d{4}年预算数?|\d{4}年决算数?|年度预算)$/, 'total'],
  [/基本支出/, 'basic'],
  [/项目支出/, 'project'],
  [/人员经费|工资福利/, 'personnel'],
  [/公用经费/, 'public'],
  [/单位预留机动/, 'reserve'],
  [/上缴上级支出/, 'to_superior'],
  [/对附属单位补助/, 'to_affiliated'],
  [/经营支出/, 'operating_expense'],
  [/^(\d{4}年度?)?[“"]?三公[”"]?经费|^三公$/, 'three_public'], // 2024年“三公”经费预算数 too
  [/机关运行经费/, 'operating_costs'],
  [/^(收入|支出)$/, 'total'],
  [/^本年收入$/, 'income'],
  [/会议费/, 'meeting'],
  [/培训费/, 'training'],
  [/因公出国/, 'overseas_travel'],
  [/公务接待/, 'official_reception'],
  [/公务用车购置及运行|公务用车购置和运行/, 'vehicles'],
  [/公务用车购置/, 'vehicle_purchase'],
  [/公务用车运行/, 'vehicle_operation'],
  [/一般公共预算/, 'general_budget'],
  [/政府性基金/, 'gov_fund'],
  [/国有资本经营/, 'state_capital'],
  [/财政专户/, 'fiscal_special_account'],
  [/事业单位经营收入|经营收入/, 'operating_income'],
  [/事业收入/, 'business_income'],
  [/上级补助收入/, 'upper_subsidy'],
  [/附属单位上缴/, 'affiliated_income'],
  [/用事业基金弥补/, 'fund_shortfall'],
  [/其他收入|其他资金/, 'other_income'],
  [/上年结转|结转和结余|年初结转|结转结余/, 'carryover'],
  [/年末结转|结转下年/, 'carryover_next'],
  [/财政拨款/, 'appropriation'],
];

const TABLE_GROUP_KEYS = new Set(['appropriation', 'basic', 'project', 'personnel', 'public', 'income', 'total']);
const FUND_KEYS = new Set(['general_budget', 'gov_fund', 'state_capital', 'fiscal_special_account', 'carryover', 'appropriation']);

/**
 * The column key of one header label. `ocr`: the label was read by OCR, where marks and digits are
 * read into it (4“ 三公? 经费, 公务用:车购置…): when the label as read matches nothing, its Han
 * characters alone are tried.
 */
export function keyOfLabel(label: string, ocr = false): string | null {
  const t = compact(label).replace(/[（(][^)）]*[)）]$/, (m) => (/(元|%)/.test(m) ? '' : m));
  for (const [re, key] of KEY_PATTERNS) if (re.test(t)) return key;
  const han = ocr ? hanOnly(t) : '';
  if (han && han !== t) for (const [re, key] of KEY_PATTERNS) if (re.test(han)) return key;
  return null;
}

/**
 * The key of a column from its header levels (top first). The leaf decides, but a fund parent
 * qualifies it: 一般公共预算/基本支出 → general_budget_basic, 一般公共预算/小计 → general_budget.
 */
export function columnKey(levels: string[], ocr = false): string {
  // 公务用车购置及运行费 / 购置费 | 运行费: the leaf alone does not say it is about cars.
  const plain = (l: string) => (ocr ? hanOnly(l) : l);
  const leafText = plain(levels[levels.length - 1] ?? '');
  if (levels.slice(0, -1).some((l) => /公务用车/.test(plain(l)))) {
    if (/购置/.test(leafText) && !/运行/.test(leafText)) return 'vehicle_purchase';
    if (/运行/.test(leafText) && !/购置/.test(leafText)) return 'vehicle_operation';
  }
  const keys = levels.map((l) => keyOfLabel(l, ocr));
  const leaf = keys[keys.length - 1];
  const fund = [...keys.slice(0, -1)].reverse().find((k) => k !== null && FUND_KEYS.has(k));
  if (leaf === null) {
    const any = [...keys].reverse().find((k) => k !== null);
    return any ?? 'other';
  }
  // 小计 under a group takes the group's meaning: 一般公共预算/小计 → general_budget.
  const parent = [...keys.slice(0, -1)].reverse().find((k) => k !== null && k !== 'total');
  // …but 基本支出/合计 over 人员经费/公用经费 is the table's total: basic/project/personnel/public
  // groups describe the whole table, not one column.
  if (leaf === 'total' && parent && !TABLE_GROUP_KEYS.has(parent)) return parent;
  if (fund && fund !== 'appropriation') {
    if (leaf === 'basic' || leaf === 'project') return `${fund}_${leaf}`;
  }
  return leaf;
}

/** Header texts that name label columns rather than amount columns. */
export const CODE_HEADER = /编码|代码|编号|^类$|^款$|^项$|科目代码/;
export const UNIT_CODE_HEADER = /单位代码|单位编码/;
/** Numbers that are not money: row numbers, indicator values, weights, scores. */
export const NOT_MONEY_HEADER = /^(序号|行次|栏次|编号|指标值|权重|分值|得分|评分|人数|数量|年度|期限|比例|比率|%)$|指标值|权重|分值|人数|\(%\)|（%）/;
export const NAME_HEADER = /名称|项目|科目|单位|内容|^功能分类$|说明|指标|目标/;
