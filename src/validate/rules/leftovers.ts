// Leftovers of the template and of editing in the narrative. One finding per kind and document (one
// root cause: the template was not finished), listing where each occurrence is.
//  - leftover.instruction: words addressed to whoever fills the form in (（此处填写…）, （如无此项请删除）,
//    （根据实际情况说明）);
//  - leftover.alternative: alternatives the template offers left unresolved (增加（减少）, 增长/下降);
//  - leftover.edit_mark: editing marks (（新增）, （删除）, （待定）);
//  - leftover.duplicate: a sentence printed twice in a row;
//  - leftover.missing_amount: a sentence whose amount was never filled in ("…经费 万元，主要用于…").
import type { DocumentResult, Finding, TextLine } from '../../types.js';
import { finding } from '../util.js';
import { lineAt, type Text } from './narrative.js';
import { prose } from './prose.js';

const INSTRUCTION = /[（(](?:此处|请在此)[^()（）]{0,30}[)）]|[（(]如(?:无|没有)[^()（）]{0,12}(?:删除|不填|填写|填0|空)[^()（）]{0,10}[)）]|[（(](?:根据|按照|结合)实际(?:情况)?[^()（）]{0,6}(?:说明|填写|填列|填报|删除|选择|补充|修改)[)）]|[（(][^()（）]{0,16}(?:请(?:删除|填写|说明|补充|据实)|由[^()（）]{1,8}填写)[^()（）]{0,16}[)）]/g;
const ALTERNATIVE = /(增加|增长|上升|提高)(?:[（(](减少|下降|降低)[)）]|[/／](减少|下降|降低))|(减少|下降|降低)(?:[（(](增加|增长|上升)[)）]|[/／](增加|增长|上升))/g;
const EDIT_MARK = /[（(](新增|删除|修改|待定|待补充|待核实|待填|待补)[)）]/g;
/** An amount's place with no figure: "经费 万元，" (the spaces are gone once the text is joined). */
const MISSING_AMOUNT = /(?<!单位)(?:经费|支出|收入|资金|安排|预算|决算|拨款|合计|共计|总计|增加|减少|为)(?:万元|亿元|元)(?=[，,。；;、（(])/g;

interface Hit { text: string; line: TextLine }

function hits(t: Text, re: RegExp): Hit[] {
  return [...t.s.matchAll(re)].map((m) => ({ text: m[0], line: lineAt(t, m.index!) }));
}

/** Sentences printed twice in a row (at least 15 characters; not page furniture repeated on each page). */
function duplicates(t: Text): Hit[] {
  const out: Hit[] = [];
  let pos = 0;
  let prev = '';
  for (const sentence of t.s.split(/(?<=。)/)) {
    const body = sentence.replace(/^(?:[（(]?[一二三四五六七八九十\d]{1,3}[)）、.．]?)/, '');
    if (body.length >= 15 && body === prev) out.push({ text: sentence, line: lineAt(t, pos) });
    prev = body;
    pos += sentence.length;
  }
  return out;
}

const KINDS: { rule: string; severity: 'error' | 'warning'; zh: string; en: string; find: (t: Text) => Hit[] }[] = [
  { rule: 'leftover.instruction', severity: 'error', zh: '填报说明未删除', en: 'instructions to whoever fills the template in were left in', find: (t) => hits(t, INSTRUCTION) },
  { rule: 'leftover.alternative', severity: 'warning', zh: '模板中的备选用语未取舍', en: 'alternatives offered by the template were left unresolved', find: (t) => hits(t, ALTERNATIVE) },
  { rule: 'leftover.edit_mark', severity: 'warning', zh: '编辑标记未删除', en: 'editing marks were left in', find: (t) => hits(t, EDIT_MARK) },
  { rule: 'leftover.duplicate', severity: 'warning', zh: '同一句话连续印了两次', en: 'a sentence is printed twice in a row', find: duplicates },
  { rule: 'leftover.missing_amount', severity: 'warning', zh: '句中金额空缺', en: 'a sentence lacks its amount', find: (t) => hits(t, MISSING_AMOUNT) },
];

export function leftoverFamily(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  const text = prose(doc);
  for (const k of KINDS) {
    const hs = k.find(text);
    if (hs.length === 0) continue;
    const where = hs.slice(0, 6).map((h) => `第${h.line.page}页“${h.text.slice(0, 30)}”`).join('、') + (hs.length > 6 ? ` 等 ${hs.length} 处` : '');
    out.push(finding({
      rule: k.rule, severity: k.severity,
      zh: `${k.zh}：${where}`, en: `${k.en} (${hs.length}×; first on page ${hs[0].line.page})`,
      page: hs[0].line.page, box: hs[0].line.box, expected: null, actual: hs.map((h) => h.text.slice(0, 30)).slice(0, 6).join(' | '),
    }));
  }
  return out;
}
