// Habits of the chi_sim model on budget pages, undone: characters it confuses in the budget
// vocabulary, quote marks it invents, letters it reads for digits. Pure text functions.

/**
 * Characters chi_sim confuses in the budget vocabulary, fixed only in contexts where the misread
 * never occurs in these documents (文出 is not a word; 支出 is in every table title).
 */
const CONFUSIONS: [RegExp, string][] = [
  [/文出/g, '支出'],
  [/收文(?=预算|决算|总表|总计|合计)/g, '收支'],
  [/文付/g, '支付'],
  [/收人/g, '收入'], // PP-OCR reads 入 as 人: 收人 is no budget word
  [/[《〈](?=[^《》〈〉()（）]*[)）])/g, '('], // （补助） read 《补助): an angle bracket closed by a round one is a misread round one
  [/办公打/g, '办公厅'], // 打 never follows 办公
  [/^[歼球欺软]$/, '款'], // the 款 of a 类/款/项 code header, alone in its cell
  [/^[上士土](?=[一二三四五六七八九]?、)/, '十'], // 十八、 read 上八、: a numbered item's 十
  [/^[-—–―−~]+(?=、)/, '一'], // 一、 read -、: no dash precedes 、
  [/(?:[-—–―−~]\s*)+(?=般)/g, '一'], // 一般 read --般 or - - 般 on a 1-bit scan: no dash precedes 般
  [/^([一二三四五六七八九十]{1,3})[:：;；,，](?=\p{Script=Han})/u, '$1、'], // 三、 read 三: — an ordinal's 、
  [/^([一二三四五六七八九十]{1,3})(?=一般)/, '$1、'], // 一、一般 read 一一般: the 、 lost (一一般 is no word)
  [/^[、，,](?=\p{Script=Han})/u, ''], // 二、基本支出 read 、基本支出: what is left of an ordinal
  [/^(\d{1,2})[,，]\s*(?=\p{Script=Han})/u, '$1.'], // 1.一般公共预算资金 read 1,一般…: no separator precedes a Han character
];

/** Every known confusion fixed in one word or run of words (anchored ones at its start). */
export function fixConfusions(text: string): string {
  let t = text;
  for (const [re, to] of CONFUSIONS) t = t.replace(re, to);
  return t;
}

/** Known chi_sim misreadings in budget wording, on text joined from several words. */
export function foldOcrConfusions(text: string): string {
  let t = text;
  for (const [re, to] of CONFUSIONS) if (!re.source.startsWith('^')) t = t.replace(re, to);
  // A numbered label's "1." read as "1," (a separate word, so it only shows in the cell's text).
  t = t.replace(/^(\d{1,2})[,，]\s*(?=\p{Script=Han})/u, '$1.');
  // Punctuation read for the colon after 单位/部门 ("部门; X", "单位 ;万元").
  return t.replace(/(单位|部门|编制部门|编制单位|预算单位)\s*[;；,，.、]\s*/g, '$1:');
}

/**
 * Undo two habits of the chi_sim model: a quote mark invented at the start of a table label (an
 * opening quote with no closing one, or a closing quote first), and letters that look like digits
 * inside a number (0l → 01, 1O.00 → 10.00). A changed number keeps a low confidence (page.ts).
 */
export function cleanWord(text: string): string {
  // Bars at a word's edge are what is left of a ruling line, never text.
  let t = fixConfusions(text.replace(/^[|｜¦]+|[|｜¦]+$/g, ''));
  if (/^[“"‘']/.test(t) && !/[”"’']/.test(t.slice(1))) t = t.slice(1);
  if (/^[”’]/.test(t)) t = t.slice(1);
  if (/^[\dOoIl|\],.\-]+$/.test(t) && /\d/.test(t) && (t.match(/\d/g)?.length ?? 0) >= t.length / 2) {
    t = t.replace(/[Oo]/g, '0').replace(/[Il|\]]/g, '1');
  }
  return t;
}

/** A word that is a number once cleaned (digits with separators, maybe signed). */
export const numericWord = (text: string) => /^[-−]?[\d,.]*\d[\d,.]*$/.test(cleanWord(text));
