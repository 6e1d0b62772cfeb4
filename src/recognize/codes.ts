// Function (功能分类) and economic (经济分类) classification codes.

/** 功能分类 classes (类) with their names, current and earlier (2017–2018) wordings. */
export const FUNC_CLASSES: Record<string, string[]> = {
  '201': ['一般公共服务支出'],
  '202': ['外交支出'],
  '203': ['国防支出'],
  '204': ['公共安全支出'],
  '205': ['教育支出'],
  '206': ['科学技术支出'],
  '207': ['文化旅游体育与传媒支出', '文化体育与传媒支出'],
  '208': ['社会保障和就业支出'],
  '209': ['社会保险基金支出'],
  '210': ['卫生健康支出', '医疗卫生与计划生育支出', '医疗卫生支出'],
  '211': ['节能环保支出'],
  '212': ['城乡社区支出', '城乡社区事务支出'],
  '213': ['农林水支出', '农林水事务支出'],
  '214': ['交通运输支出'],
  '215': ['资源勘探工业信息等支出', '资源勘探信息等支出', '资源勘探电力信息等支出'],
  '216': ['商业服务业等支出'],
  '217': ['金融支出', '金融监管等事务支出'],
  '219': ['援助其他地区支出'],
  '220': ['自然资源海洋气象等支出', '国土海洋气象等支出', '国土资源气象等支出'],
  '221': ['住房保障支出'],
  '222': ['粮油物资储备支出', '粮油物资储备管理等事务'],
  '223': ['国有资本经营预算支出'],
  '224': ['灾害防治及应急管理支出'],
  '227': ['预备费'],
  '229': ['其他支出'],
  '230': ['转移性支出'],
  '231': ['债务还本支出'],
  '232': ['债务付息支出'],
  '233': ['债务发行费用支出'],
  '234': ['抗疫特别国债安排的支出'],
};

/** 部门预算支出经济分类 classes (类). */
export const ECON_CLASSES: Record<string, string[]> = {
  '301': ['工资福利支出'],
  '302': ['商品和服务支出'],
  '303': ['对个人和家庭的补助', '对个人和家庭补助支出'],
  '307': ['债务利息及费用支出'],
  '309': ['资本性支出(基本建设)', '资本性支出（基本建设）'],
  '310': ['资本性支出'],
  '311': ['对企业补助(基本建设)', '对企业补助（基本建设）'],
  '312': ['对企业补助'],
  '313': ['对社会保障基金补助'],
  '399': ['其他支出'],
};

const byName = (table: Record<string, string[]>) => {
  const m = new Map<string, string>();
  for (const [code, names] of Object.entries(table)) for (const n of names) m.set(n.normalize('NFKC').replace(/\s/g, ''), code);
  return m;
};
const FUNC_BY_NAME = byName(FUNC_CLASSES);
const ECON_BY_NAME = byName(ECON_CLASSES);

/** The class code of a class row printed without a code ("八、社会保障和就业支出" → 208). */
export function classCodeByName(label: string, system: 'func' | 'econ'): string | null {
  const key = label.normalize('NFKC').replace(/\s/g, '');
  return (system === 'func' ? FUNC_BY_NAME : ECON_BY_NAME).get(key) ?? null;
}

export type CodeSystem = 'func' | 'econ';

/** Which classification a code belongs to, from its first digit (2xx 功能, 3xx/5xx 经济). */
export function codeSystem(code: string): CodeSystem | null {
  if (!/^\d{3}(\d{2}){0,2}$/.test(code)) return null;
  if (code[0] === '2') return 'func';
  if (code[0] === '3' || code[0] === '5') return 'econ';
  return null;
}

/**
 * Join a code printed in one cell or split over 类/款/项 cells. Split parts that lost their
 * leading zero ("301 | 2") are padded: 301 + 2 → 30102.
 */
export function joinCode(parts: string[]): string | null {
  const ps = parts.map((p) => p.replace(/\s/g, '')).filter((p) => p.length > 0);
  if (ps.length === 0) return null;
  if (ps.length === 1) {
    const p = ps[0];
    return /^\d{3}(\d{2}){0,2}$/.test(p) ? p : null;
  }
  if (!/^\d{3}$/.test(ps[0]) && !/^\d{3}(\d{2}){0,2}$/.test(ps[0])) return null;
  let code = ps[0];
  for (const p of ps.slice(1)) {
    if (!/^\d{1,2}$/.test(p)) return null;
    code += p.padStart(2, '0');
  }
  return code.length <= 7 ? code : null;
}

/** A code at the start of a label cell: "2080505 机关事业单位…", "[201]一般公共服务支出". */
export function splitLeadingCode(text: string): { code: string | null; rest: string } {
  // The code must be followed by a space, a bracket or a Han character: "326.71" is an amount.
  const m = /^\[?(\d{3}(?:\s?\d{2}){0,2})\]?(?:\s+|(?=[\p{Script=Han}（(])|$)(.*)$/u.exec(text.trim());
  if (m) {
    const code = m[1].replace(/\s/g, '');
    if (/^\d{3}(\d{2}){0,2}$/.test(code) && codeSystem(code)) return { code, rest: m[2].trim() };
  }
  return { code: null, rest: text.trim() };
}

/** Remove ordinal prefixes: 一、 （一） (1) 1. 1、 ① and leading/trailing spaces. */
export function stripOrdinal(label: string): string {
  return label
    .replace(/\s/g, '')
    .replace(/^([一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十\d]+[)）][、.．]?|\d{1,2}[、.．](?!\d)|[①-⑳])/, '')
    .trim();
}

const TOTAL_RE = /^(合计|总计|小计|本年(收入|支出)合计|(收入|支出)(合计|总计)|当年(收入|支出)小计|本年收入小计|本年支出小计|收入总计|支出总计|合\s*计)$/;
export function isTotalLabel(label: string): boolean {
  return TOTAL_RE.test(label.replace(/\s/g, ''));
}
