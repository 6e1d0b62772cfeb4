// note.other_fund: the note under a table (注：/备注：…) speaks of another fund than the table's (the
// note under the 政府性基金预算 table saying 无国有资本经营预算…). The notes are narrative lines: the
// lines right below the table on its last page, before anything that reads as another table's title.
import type { DocumentResult, Finding, RecognizedTable, TableKind, TextLine } from '../../types.js';
import { compact } from '../../extract/normalize.js';
import { finding, tableRef } from '../util.js';

/** How far below a table's bottom its note may start, in points (a note is set right under the table). */
export const NOTE_REACH = 60;

const FUNDS: { key: string; zh: string; re: RegExp; kinds: TableKind[] }[] = [
  { key: 'gov_fund', zh: '政府性基金预算', re: /政府性基金/, kinds: ['gov_fund_expenditure', 'final_gov_fund', 'gov_fund_three_public'] },
  { key: 'state_capital', zh: '国有资本经营预算', re: /国有资本经营/, kinds: ['state_capital_expenditure', 'final_state_capital'] },
  { key: 'three_public', zh: '“三公”经费', re: /三公/, kinds: ['three_public', 'final_three_public'] },
];

/** The table's bottom on its last page: its box when it has one page, else its lowest item there. */
function bottomOf(t: RecognizedTable): number | null {
  if (t.pageStart === t.pageEnd) return t.box[3];
  const last = t.items.filter((it) => it.page === t.pageEnd).map((it) => it.box[3]);
  return last.length ? Math.max(...last) : null;
}

/** The note lines under a table: from its bottom, starting with 注/备注/说明, up to another title. */
export function notesOf(doc: DocumentResult, t: RecognizedTable): TextLine[] {
  const bottom = bottomOf(t);
  if (bottom === null) return [];
  const below = doc.narrative.filter((l) => l.page === t.pageEnd && l.box[1] >= bottom - 2).sort((a, b) => a.box[1] - b.box[1]);
  const out: TextLine[] = [];
  for (const l of below) {
    const s = compact(l.text);
    if (out.length === 0 && (!/^(注|备注|说明)[:：]?/.test(s) || l.box[1] - bottom > NOTE_REACH)) break;
    if (out.length > 0 && (/表$|^[一二三四五六七八九十]+、|^单位[:：]|^部门[:：]/.test(s) || /^\d{1,3}$/.test(s))) break;
    out.push(l);
  }
  return out;
}

export function noteFamily(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  doc.tables.forEach((t, ti) => {
    const own = FUNDS.find((f) => f.kinds.includes(t.kind));
    if (!own) return;
    const notes = notesOf(doc, t);
    if (notes.length === 0) return;
    const text = notes.map((l) => compact(l.text)).join('');
    if (own.re.test(text)) return;
    const other = FUNDS.find((f) => f !== own && f.re.test(text));
    if (!other) return;
    out.push(finding({
      rule: 'note.other_fund', severity: 'error',
      zh: `${tableRef(t)}下的注释“${text.slice(0, 50)}”说的是${other.zh}，不是本表的${own.zh}`,
      en: `the note under ${t.kind} speaks of ${other.key}, not of the table's own ${own.key}`,
      page: notes[0].page, box: notes[0].box, tableIndex: ti, expected: own.zh, actual: other.zh,
    }));
  });
  return out;
}
