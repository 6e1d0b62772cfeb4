// The 情况说明 text against the tables, and against itself.
//  - narrative.percent: "X 万元，占 P%" recomputed from the totals the text and the tables give
//    (error when no base explains P); "增长/下降 P%" recomputed from the amounts of its clause (warning);
//  - narrative.amount: "收支预算总数 641.15 万元", "基本支出 …", "社会保障和就业支出 560.62 万元" checked
//    against the tables, to the precision printed; "X 万元，比上年 Y 万元减少 Z 万元" recomputed;
//  - narrative.foreign_text: a performance-goal text that shares almost nothing with the unit's own
//    description (copied from another unit's file).
import type { Box, DocumentResult, Finding, LineItem, RecognizedTable, TextLine } from '../../types.js';
import { fmtAmount, toFen, type Unit } from '../../domain/money.js';
import { FUNC_CLASSES } from '../../domain/codes.js';
import { compact } from '../../extract/normalize.js';
import { isBlankLabel, isSummaryTotalLabel, normLabel } from '../../domain/rowLabels.js';
import { bigrams, finding } from '../util.js';
import { withoutFurniture } from '../furniture.js';
import { cornerSpan, decimalsOf, halfUnitFen, pctOff, pctSpan, spanOf } from '../interval.js';

export interface Text { s: string; at: { start: number; line: TextLine }[] }

/** The narrative as one string (lines joined without separator: Chinese wraps mid-word), with line offsets. */
export function narrativeText(doc: DocumentResult): Text {
  // Page numbers and running headers/footers would glue into the figures around them.
  const lines: TextLine[] = [...withoutFurniture(doc.narrative)];
  // Prose laid out as a table without title (a page of 情况说明 taken for a one-column table, or
  // "收入预算合计 21,955.35 万元，其中：" lines read as rows): its labels and rows, back in their place.
  for (const t of doc.tables) {
    if (t.kind !== 'other' || t.title) continue;
    const prose: TextLine[] = [];
    for (const c of t.columns) for (const part of c.label.split('/')) if (part.length > 8) prose.push({ text: part, box: t.box, page: t.pageStart });
    if (t.unit) for (const it of t.items) if (normLabel(it.label)) prose.push({ text: `${normLabel(it.label)}${it.amountText}${t.unit}`, box: it.box, page: it.page });
    for (const l of prose) {
      const at = lines.findIndex((x) => x.page > l.page || (x.page === l.page && x.box[1] > l.box[1]));
      lines.splice(at < 0 ? lines.length : at, 0, l);
    }
  }
  let s = '';
  const at: Text['at'] = [];
  for (const l of lines) {
    at.push({ start: s.length, line: l });
    s += compact(l.text);
  }
  return { s, at };
}

export function lineAt(t: Text, pos: number): TextLine {
  let lo = 0, hi = t.at.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (t.at[mid].start <= pos) lo = mid; else hi = mid - 1;
  }
  return t.at[lo].line;
}

/** Where the sentence before the one holding `pos` starts (the text a share's base is stated in). */
export function sentenceBefore(s: string, pos: number, maxBack = 400): number {
  const own = s.lastIndexOf('。', pos - 1);
  const prev = own > 0 ? s.lastIndexOf('。', own - 1) : -1;
  return Math.max(prev + 1, pos - maxBack, 0);
}

const NUM = String.raw`(\d[\d,]*(?:\.\d+)?)`;
const UNIT = String.raw`(亿元|万元|千元|元)`;

interface Amount { pos: number; end: number; fen: number; text: string; unit: Unit; decimals: number }

function amounts(s: string): Amount[] {
  const out: Amount[] = [];
  for (const m of s.matchAll(new RegExp(`${NUM}${UNIT}`, 'g'))) {
    const fen = toFen(m[1].replace(/,/g, ''), m[2] as Unit);
    if (fen === null) continue;
    out.push({ pos: m.index!, end: m.index! + m[0].length, fen, text: m[0], unit: m[2] as Unit, decimals: (m[1].split('.')[1] ?? '').length });
  }
  return out;
}

/** Half a unit of the last printed digit, in fen: 641.15 万元 → 50 元. */
const halfUlp = (a: Amount) => Math.round((Number(toFen('1', a.unit)) / 10 ** a.decimals) / 2);

/** Characters between two items of one list of shares split into sentences ("。项目支出"). */
const LIST_ITEM_GAP = 16;

const fmtPct = (v: number, p: string) => `${v.toFixed(Math.max(2, (p.split('.')[1] ?? '').length))}%`;

// ---------------------------------------------------------------------------------------------
// Figures the tables give, by concept.

function itemsOf(doc: DocumentResult, kinds: RegExp): { t: RecognizedTable; it: LineItem }[] {
  return doc.tables.flatMap((t) => (kinds.test(t.kind) ? t.items.map((it) => ({ t, it })) : []));
}

function columnTotals(doc: DocumentResult, kinds: RegExp, keys: RegExp): number[] {
  const out: number[] = [];
  for (const { it } of itemsOf(doc, kinds)) if (keys.test(it.columnKey) && (isSummaryTotalLabel(it.label) || isBlankLabel(it.label))) out.push(it.amountFen);
  // Column sums of class rows (tables without a 合计 row).
  for (const t of doc.tables) {
    if (!kinds.test(t.kind)) continue;
    const byCol = new Map<string, number>();
    for (const it of t.items) if (keys.test(it.columnKey) && (it.funcCode ?? it.econCode)?.length === 3) byCol.set(it.columnKey + it.columnLabel, (byCol.get(it.columnKey + it.columnLabel) ?? 0) + it.amountFen);
    out.push(...byCol.values());
  }
  return out;
}

interface Concept { re: RegExp; values: (doc: DocumentResult) => number[]; zh: string }

const SUMMARY = /^(budget_summary|final_summary|income|final_income|expenditure|final_expenditure|appropriation_summary|final_appropriation_summary)$/;
const ANY_KNOWN = /^(?!other$)/;

const CLASS_CONCEPTS: Concept[] = Object.entries(FUNC_CLASSES).map(([code, names]) => ({
  re: new RegExp(`(?:${names.map((n) => n.replace(/支出$/, '')).join('|')})(?:支出)?(?:[（(]类[)）])?(?:预算|拨款)?(?:数)?(?:为)?$`),
  values: (doc: DocumentResult) => itemsOf(doc, ANY_KNOWN).filter(({ it }) => it.funcCode === code).map(({ it }) => it.amountFen),
  zh: `${names[0]}（${code}）`,
}));

const CONCEPTS: Concept[] = [
  {
    // Whole-document totals only: a fund, a class or a table in front makes it another figure.
    re: /(?<!(基金|国有资本|事业|经营|其他|拨款|一般公共预算|采购|三公|运行|项目|基本|\(类\)|\(款\)|\(项\)).{0,3})(收支预算总数|收支预算总计|收支预算总额|收支总预算|收入预算总数|支出预算总数|收入总计|支出总计|收支总计|预算总收入|预算总支出)(为|是)?$/,
    values: (doc) => itemsOf(doc, SUMMARY).filter(({ it }) => isSummaryTotalLabel(it.label) || isBlankLabel(it.label)).map(({ it }) => it.amountFen),
    zh: '收支总数',
  },
  {
    re: /财政拨款(收支|收入|支出)(预算)?(总数|总计|总额|合计)?(为|是)?$/,
    values: (doc) => itemsOf(doc, /appropriation_summary/).filter(({ it }) => isSummaryTotalLabel(it.label)).map(({ it }) => it.amountFen),
    zh: '财政拨款收支总数',
  },
  {
    re: /一般公共预算(当年)?拨款(收入|支出)?(预算)?(为|是)?$/,
    values: (doc) => [
      ...columnTotals(doc, /general_budget_expenditure/, /^total$/),
      ...itemsOf(doc, /summary/).filter(({ it }) => /^一般公共预算(拨款)?(收入)?$|^一般公共预算拨款收入$/.test(normLabel(it.label))).map(({ it }) => it.amountFen),
      ...columnTotals(doc, /income|appropriation_summary/, /^general_budget$/),
    ],
    zh: '一般公共预算拨款',
  },
  {
    re: /基本支出(预算)?(为|是)?$/,
    values: (doc) => [
      ...itemsOf(doc, SUMMARY).filter(({ it }) => normLabel(it.label) === '基本支出').map(({ it }) => it.amountFen),
      ...columnTotals(doc, /expenditure|general_budget/, /^(basic|general_budget_basic)$/),
      ...columnTotals(doc, /general_budget_basic/, /^(total|basic)$/),
    ],
    zh: '基本支出',
  },
  {
    re: /项目支出(预算)?(为|是)?$/,
    values: (doc) => [
      ...itemsOf(doc, SUMMARY).filter(({ it }) => normLabel(it.label) === '项目支出').map(({ it }) => it.amountFen),
      ...columnTotals(doc, /expenditure|general_budget/, /^(project|general_budget_project)$/),
      ...columnTotals(doc, /general_budget_project/, /^total$/),
    ],
    zh: '项目支出',
  },
  {
    re: /人员经费(预算)?(为|是)?$/,
    values: (doc) => {
      const econ = itemsOf(doc, /general_budget_basic/).filter(({ it }) => it.columnKey === 'total' || it.columnKey === 'basic');
      const cls = (c: string) => econ.filter(({ it }) => it.econCode === c).map(({ it }) => it.amountFen);
      const [a = 0] = cls('301'), [b = 0] = cls('303');
      return [...columnTotals(doc, /general_budget_basic|expenditure/, /^personnel$/), ...(econ.length ? [a + b, a] : [])];
    },
    zh: '人员经费',
  },
  {
    re: /公用经费(预算)?(为|是)?$/,
    values: (doc) => {
      const econ = itemsOf(doc, /general_budget_basic/).filter(({ it }) => it.columnKey === 'total' || it.columnKey === 'basic');
      const sum = (cs: string[]) => econ.filter(({ it }) => cs.includes(it.econCode ?? '')).reduce((s, { it }) => s + it.amountFen, 0);
      return [...columnTotals(doc, /general_budget_basic|expenditure/, /^public$/), ...(econ.length ? [sum(['302']), sum(['302', '310']), sum(['302', '310', '399'])] : [])];
    },
    zh: '公用经费',
  },
  ...CLASS_CONCEPTS,
];

/** Words just before a figure that make it another year's, or a difference rather than an amount. */
const NOT_THIS_YEAR = /上年|去年|同比|比|较|执行数|决算数|调整|增加|减少|增长|下降|相比/;

/** The words of a figure's clause before it (back to the last comma or stop, at most 30 characters). */
function clauseBefore(s: string, pos: number): string {
  const before = s.slice(Math.max(0, pos - 30), pos);
  const clauseStart = Math.max(before.lastIndexOf('，'), before.lastIndexOf(','), before.lastIndexOf('；'), before.lastIndexOf('。'), before.lastIndexOf('：'), before.lastIndexOf(':'));
  return before.slice(clauseStart + 1);
}

function amountRule(doc: DocumentResult, text: Text): Finding[] {
  const out: Finding[] = [];
  const s = text.s;
  for (const a of amounts(s)) {
    const clause = clauseBefore(s, a.pos);
    if (NOT_THIS_YEAR.test(clause)) continue;
    const years = [...clause.matchAll(/(20\d\d)年/g)].map((m) => Number(m[1]));
    if (years.some((y) => y !== doc.year)) continue;
    const head = clause.replace(/20\d\d年(度)?/g, '');
    const concept = CONCEPTS.find((c) => c.re.test(head));
    if (!concept) continue;
    const values = concept.values(doc).filter((v) => Number.isFinite(v));
    if (values.length === 0) continue;
    const tol = halfUlp(a) + 1;
    if (values.some((v) => Math.abs(v - a.fen) <= tol)) continue;
    // Zero printed where the tables have nothing of it (项目支出 0 万元) is consistent.
    if (a.fen === 0 && values.every((v) => v === 0)) continue;
    const closest = values.reduce((b, v) => (Math.abs(v - a.fen) < Math.abs(b - a.fen) ? v : b));
    const line = lineAt(text, a.pos);
    out.push(finding({
      rule: 'narrative.amount', severity: 'error',
      zh: `第${line.page}页说明中“${clause}${a.text}”与表中的${concept.zh}不符（表中为 ${fmtAmount(closest, a.unit)}）`,
      en: `the narrative states ${a.text} for ${concept.zh}; the tables give ${fmtAmount(closest, a.unit)}`,
      page: line.page, box: line.box, expected: fmtAmount(closest, a.unit), actual: a.text,
    }));
  }
  // "X 万元，比上年（预算）Y 万元减少 Z 万元": X − Y = ±Z.
  const re = new RegExp(`${NUM}${UNIT}[，,]?(?:比|较)(?:上年|20\\d\\d年)[^，,。；;\\d]{0,12}?${NUM}${UNIT}[，,]?(增加|减少|增长|下降)了?${NUM}${UNIT}`, 'g');
  for (const m of s.matchAll(re)) {
    const [x, y, z] = [toFen(m[1].replace(/,/g, ''), m[2] as Unit), toFen(m[3].replace(/,/g, ''), m[4] as Unit), toFen(m[6].replace(/,/g, ''), m[7] as Unit)];
    if (x === null || y === null || z === null) continue;
    const up = /增/.test(m[5]);
    const diff = up ? x - y : y - x;
    const decimals = Math.max(...[m[1], m[3], m[6]].map((v) => (v.split('.')[1] ?? '').length));
    const tol = Number(toFen('1', m[7] as Unit)) / 10 ** decimals;
    if (Math.abs(diff - z) <= tol) continue;
    const line = lineAt(text, m.index!);
    out.push(finding({
      rule: 'narrative.amount', severity: 'error',
      zh: `第${line.page}页“${m[0]}”：${m[1]} − ${m[3]} = ${fmtAmount(up ? x - y : y - x, m[7] as Unit)}，不是${m[5]} ${m[6]}${m[7]}`,
      en: `the stated change ${m[6]}${m[7]} does not equal the difference of the two amounts`,
      page: line.page, box: line.box, expected: fmtAmount(diff, m[7] as Unit), actual: `${m[6]}${m[7]}`,
    }));
  }
  return out;
}

function percentRule(doc: DocumentResult, text: Text): Finding[] {
  const out: Finding[] = [];
  const s = text.s;
  const all = amounts(s);
  const totalSpan = ({ t, it }: { t: RecognizedTable; it: LineItem }) => ({ fen: it.amountFen, span: spanOf(it.amountFen, it.amountText, t.unit) });
  const tableTotals = [
    ...itemsOf(doc, /./).filter(({ it }) => isSummaryTotalLabel(it.label) || (it.funcCode ?? it.econCode)?.length === 3).map(totalSpan),
    // 三公 tables: every figure of their total row (三公 alone, with 会议费/培训费…).
    ...doc.tables.filter((t) => /三公/.test(t.title)).flatMap((t) => t.items.filter((it) => !it.funcCode && !it.econCode).map((it) => totalSpan({ t, it }))),
  ];
  // "A 万元，占 P%" (also 占比, 占…的比重/比例). Shares of one sentence are parts of one whole: their
  // base is at least their sum, and one base must explain them all.
  const share = new RegExp(`${NUM}${UNIT}[，,]?(?:[^，,。；;\\d]{0,4})?占(比|[^\\d，,。；;%]{0,14}?(?:的)?(?:比重|比例)?)?(?:为)?${NUM}%`, 'g');
  const hits = [...s.matchAll(share)].map((m) => ({ m, a: toFen(m[1].replace(/,/g, ''), m[2] as Unit), p: m[4], named: !!m[3] && m[3] !== '比' }))
    .filter((h): h is typeof h & { a: number } => h.a !== null);
  const groups: (typeof hits)[] = [];
  for (const h of hits) {
    const last = groups.at(-1)?.at(-1);
    const stated = (groups.at(-1) ?? []).reduce((t, o) => t + Number(o.p), 0);
    // A list ends at a full stop (unless the next sentence is only the next item: "X 万元，占 P%。Y 万元，占 Q%。"),
    // at an amount between two items (the next list's whole: "…占0.06%；支出预算合计 21,955.35 万元，其中："),
    // or where its shares would exceed the whole (收入 shares, then 支出 shares).
    const between = last ? s.slice(last.m.index! + last.m[0].length, h.m.index!) : '';
    const wholeBetween = new RegExp(NUM + UNIT).test(between);
    const nextItem = between.length <= LIST_ITEM_GAP && !wholeBetween;
    if (last && !wholeBetween && (!between.includes('。') || nextItem) && h.m.index! - last.m.index! < 200 && stated + Number(h.p) <= 100.5) groups.at(-1)!.push(h);
    else groups.push([h]);
  }
  for (const group of groups) {
    const start = group[0].m.index!;
    const unitOf = (h: (typeof group)[number]) => h.m[2] as Unit;
    const partSpan = (h: (typeof group)[number]) => spanOf(h.a, h.m[1], unitOf(h));
    const listSum = group.reduce((t, o) => t + o.a, 0);
    const slack = group.reduce((t, o) => t + halfUnitFen(o.m[1], unitOf(o)), 0);
    const need = group.length >= 2 ? listSum : group[0].a;
    // Bases, each with the interval it stands for:
    //  - stated: an amount of this sentence before the shares, or of the sentence before;
    //  - every part read: the shares add up to 100%, so their amounts add up to the base;
    //  - a base named in words (占“三公”经费的, 占本年支出合计的): the tables' totals.
    // (Not another year's figure or a difference: "比2023年预算总数650.27万元", "增加9.12万元".)
    const stated = all.filter((x) => x.pos < start && x.pos >= sentenceBefore(s, start) && x.fen > 0 && x.fen >= need - slack && !NOT_THIS_YEAR.test(clauseBefore(s, x.pos)))
      .map((x) => ({ fen: x.fen, span: spanOf(x.fen, x.text, x.unit) }));
    const pctUnit = group.reduce((t, h) => t + 10 ** -decimalsOf(h.p), 0);
    const everyPart = Math.abs(group.reduce((t, h) => t + Number(h.p), 0) - 100) <= pctUnit + 1e-9;
    const named = group.some((h) => h.named);
    const bases = [
      ...stated,
      ...(everyPart ? [{ fen: listSum, span: { lo: listSum - slack, hi: listSum + slack } }] : []),
      ...(named ? tableTotals.filter((b) => b.fen > 0 && b.fen >= need - slack) : []),
    ];
    // No base the text states or implies: nothing to check against.
    if (bases.length === 0) continue;
    const off = (b: (typeof bases)[number], h: (typeof group)[number]) => {
      const v = pctSpan(partSpan(h), b.span);
      return v ? pctOff(v, h.p) : Infinity;
    };
    if (bases.some((b) => group.every((h) => off(b, h) === 0))) continue;
    if (group.every((h) => h.a === 0 && Number(h.p) === 0)) continue;
    // The base the text most likely meant: the one most shares fit (to rounding); among those, for a list the base
    // nearest the list's sum, for a single share the one it fits best.
    const fits = (b: (typeof bases)[number]) => group.filter((h) => off(b, h) <= pctUnit + 1e-9).length;
    const worst = (b: (typeof bases)[number]) => Math.max(...group.map((h) => off(b, h)));
    const better = (x: (typeof bases)[number], y: (typeof bases)[number]) => fits(y) !== fits(x) ? fits(y) > fits(x)
      : group.length >= 2 ? Math.abs(y.fen - listSum) < Math.abs(x.fen - listSum) : worst(y) < worst(x);
    const natural = bases.reduce((x, y) => (better(x, y) ? y : x));
    for (const h of group) {
      const miss = off(natural, h);
      if (miss === 0) continue;
      const v = (h.a / natural.fen) * 100;
      // Within what a writer shifts to make the shares add up to 100%: rounding (info). An error only
      // where the base is certain (the listed parts make up the whole); else a warning.
      const severity = miss <= pctUnit + 1e-9 ? 'info' as const : everyPart && !named ? 'error' as const : 'warning' as const;
      const line = lineAt(text, h.m.index!);
      out.push(finding({
        rule: 'narrative.percent', severity,
        zh: `第${line.page}页“${h.m[0]}”：${h.m[1]}${h.m[2]} 占 ${fmtAmount(natural.fen, unitOf(h))} 的 ${fmtPct(v, h.p)}，不是 ${h.p}%${h.named ? '（按文中所指基数无法核实，以最接近的合计计算）' : ''}`,
        en: `the stated share ${h.p}% does not follow from the amounts (${fmtPct(v, h.p)} of ${fmtAmount(natural.fen, unitOf(h))})`,
        page: line.page, box: line.box, expected: fmtPct(v, h.p), actual: `${h.p}%`,
      }));
    }
  }
  // "增长/下降/增加/减少 P%": some pair of the clause's amounts must give P.
  for (const m of s.matchAll(/(增长|下降|增加|减少|上升|降低)了?(?:幅度)?(?:为)?(\d+(?:\.\d+)?)%/g)) {
    const pos = m.index!;
    const from = Math.max(s.lastIndexOf('。', pos), s.lastIndexOf('；', pos), pos - 160);
    const xs = all.filter((x) => x.pos > from && x.pos < pos && x.fen !== 0);
    if (xs.length < 2) continue;
    let ok = false;
    let best = Infinity;
    if (xs.at(-1)!.fen === xs.at(-2)!.fen && Number(m[2]) === 100) continue; // a new item: all of it is new
    // Rates of every pair, on the intervals the rounded amounts stand for.
    const rates: ((x: number, y: number) => number)[] = [(x, y) => ((x - y) / y) * 100, (x, y) => ((y - x) / y) * 100, (x, y) => (x / y) * 100, (x, y) => (x / (y - x)) * 100, (x, y) => (x / (y + x)) * 100];
    for (const x of xs) for (const y of xs) {
      if (x === y || x.fen === y.fen) continue;
      const X = spanOf(x.fen, x.text, x.unit), Y = spanOf(y.fen, y.text, y.unit);
      for (const f of rates) {
        const v = cornerSpan(f, X, Y);
        if (!v) continue;
        const d = pctOff(v, m[2]);
        if (d === 0) ok = true;
        best = Math.min(best, d);
      }
    }
    if (ok) continue;
    const line = lineAt(text, pos);
    out.push(finding({
      rule: 'narrative.percent', severity: best <= 0.1 ? 'info' : 'warning',
      zh: `第${line.page}页“${s.slice(Math.max(from + 1, pos - 40), pos + m[0].length)}”：所述变动率 ${m[2]}% 无法由该句中的金额算出`,
      en: `the stated rate of change ${m[2]}% does not follow from the amounts of its sentence`,
      page: line.page, box: line.box, expected: null, actual: `${m[2]}%`,
    }));
  }
  return out;
}

/** Generic words of performance goals, shared by every unit: not evidence of belonging. */
const GENERIC = new Set(['推进', '组织', '工作', '提高', '加强', '完成', '保障', '开展', '有序', '全面', '提升', '严格', '执行', '预算', '管理', '服务', '建设', '单位', '部门', '确保', '实现', '落实', '年度', '目标', '质量', '效率']);

function foreignTextRule(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  // The unit's own words: its narrative outside the glossary (名词解释), and its table titles.
  const glossary = doc.narrative.findIndex((l, i) => i > 0 && /^第[一二三四五六七八九十]+部分名词解释$/.test(compact(l.text)) && doc.narrative.slice(0, i).some((x) => /名词解释/.test(x.text)));
  const own = doc.narrative.slice(0, glossary > 0 ? glossary : undefined).map((l) => compact(l.text)).join('');
  const ownBi = bigrams(own + (doc.department ?? ''));
  doc.tables.forEach((t, ti) => {
    if (t.kind !== 'overall_performance' && t.kind !== 'project_performance') return;
    const texts = new Set<string>();
    for (const c of t.columns) for (const p of c.label.split('/')) if (p.length >= 12 && /[。;；，,]/.test(p)) texts.add(p);
    for (const p of texts) {
      const bi = [...bigrams(p)].filter((b) => !GENERIC.has(b));
      if (bi.length < 6) continue;
      const shared = bi.filter((b) => ownBi.has(b)).length;
      if (shared / bi.length >= 0.3) continue;
      out.push(finding({
        rule: 'narrative.foreign_text', severity: 'warning',
        zh: `${t.title || '绩效目标表'}中的“${p}”与本单位的职能和工作说明几乎没有共同用语（${shared}/${bi.length}），可能是从其他单位的文件复制的`,
        en: `the text "${p}" of ${t.kind} shares almost nothing with the unit's own description: possibly copied from another unit`,
        page: t.pageStart, box: t.box as Box, tableIndex: ti, expected: doc.department, actual: p,
      }));
    }
  });
  return out;
}

export function narrativeFamily(doc: DocumentResult): Finding[] {
  const text = narrativeText(doc);
  return [...amountRule(doc, text), ...percentRule(doc, text), ...foreignTextRule(doc)];
}
