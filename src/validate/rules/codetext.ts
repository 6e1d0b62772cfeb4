// narrative.code_amount: a sentence naming a function code by its class, 款 and 项
// ("X（类）Y（款）Z（项）NNN万元", in a final account "…年初预算为A万元，支出决算为B万元") states an amount
// the tables do not give for that code (a narrative 556.40万 where the table has 55.64万).
import type { DocumentResult, Finding, LineItem } from '../../types.js';
import { toFen, type Unit } from '../../domain/money.js';
import { fmtAmount } from '../../domain/money.js';
import { finding } from '../util.js';
import { lineAt } from './narrative.js';
import { prose } from './prose.js';
import { nameKey, nameMatches } from './codes.js';
import { referenceNames } from '../../domain/codes.js';

const NUM = String.raw`(\d[\d,]*(?:\.\d+)?)`;
const UNIT = String.raw`(亿元|万元|千元|元)`;
const SEG = String.raw`([^()，。；;：:、“”"\d]{2,24}?)`;
/** "X(类)Y(款)Z(项)", codes optionally inside the brackets: "医疗卫生与计划生育支出(210类)行政事业单位医疗(11款)…". */
const CODE_SENTENCE = new RegExp(`${SEG}\\((\\d{3})?类\\)${SEG}\\((\\d{2})?款\\)${SEG}\\((\\d{2})?项\\)`, 'g');

/** The 7-digit codes of the tables whose 类/款/项 names match the sentence's. */
function resolve(doc: DocumentResult, byCode: Map<string, LineItem[]>, cls: string, kuan: string, xiang: string, codes: (string | undefined)[]): string[] {
  if (codes[0] && codes[1] && codes[2]) return [codes[0] + codes[1] + codes[2]];
  const labelOf = new Map([...byCode].map(([c, its]) => [c, [...new Set(its.map((it) => it.label))]]));
  const names = (code: string) => [...(labelOf.get(code) ?? []), ...referenceNames(code, doc.year)];
  const matches = (code: string, printed: string) => nameMatches(printed, names(code)) || names(code).some((n) => nameKey(n) === nameKey(printed) + '支出');
  return [...labelOf.keys()].filter((c) => c.length === 7 && matches(c, xiang) && matches(c.slice(0, 5), kuan) && matches(c.slice(0, 3), cls));
}

export function codeAmountRule(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  const text = prose(doc);
  const s = text.s;
  const byCode = new Map<string, LineItem[]>();
  for (const t of doc.tables) for (const it of t.items) if (it.funcCode) (byCode.get(it.funcCode) ?? byCode.set(it.funcCode, []).get(it.funcCode)!).push(it);
  for (const m of s.matchAll(CODE_SENTENCE)) {
    const end = m.index! + m[0].length;
    const rest = s.slice(end, end + 90).split(/\(项\)|[。；]\d{1,2}[、.．](?!\d)/)[0];
    // The amount right after the name, or in a final account the 决算 of "年初预算为A，支出决算为B".
    // A year in front must be the document's ("2023年预算数为…" is last year's figure).
    const direct = new RegExp(`^[”"]?[:：]?(?:${doc.year ?? 'none'}年(?:度)?)?(?:支出|预算|安排|预算数|支出预算|决算数)?(?:为|是)?${NUM}${UNIT}`).exec(rest);
    const final = doc.phase === 'final' ? new RegExp(`(?:支出决算|决算数)(?:为|是)?${NUM}${UNIT}`).exec(rest) : null;
    const stated = direct ?? final;
    if (!stated) continue;
    const codes = resolve(doc, byCode, m[1].replace(/^.*?(?=[\p{Script=Han}])/u, ''), m[3], m[5], [m[2], m[4], m[6]]);
    const items = codes.flatMap((c) => byCode.get(c) ?? []);
    if (codes.length !== 1 || items.length === 0) continue;
    const fen = toFen(stated[1].replace(/,/g, ''), stated[2] as Unit);
    if (fen === null) continue;
    const decimals = (stated[1].split('.')[1] ?? '').length;
    const tol = Math.round(Number(toFen('1', stated[2] as Unit)) / 10 ** decimals / 2) + 1;
    if (items.some((it) => Math.abs(it.amountFen - fen) <= tol)) continue;
    const totals = items.filter((it) => it.columnKey === 'total');
    const closest = (totals.length ? totals : items).reduce((b, it) => (Math.abs(it.amountFen - fen) < Math.abs(b.amountFen - fen) ? it : b));
    const line = lineAt(text, m.index!);
    out.push(finding({
      rule: 'narrative.code_amount', severity: 'error',
      zh: `第${line.page}页说明中科目 ${codes[0]}“${m[5]}”的金额 ${stated[1]}${stated[2]} 与表中不符（表中为 ${fmtAmount(closest.amountFen, stated[2] as Unit)}，第${closest.page}页）`,
      en: `the narrative states ${stated[1]}${stated[2]} for code ${codes[0]}; the tables give ${fmtAmount(closest.amountFen, stated[2] as Unit)}`,
      page: line.page, box: line.box, expected: fmtAmount(closest.amountFen, stated[2] as Unit), actual: `${stated[1]}${stated[2]}`,
    }));
  }
  return out;
}
