// Text normalisation shared by every extractor.

// CJK Radicals Supplement characters that NFKC leaves alone but fonts map glyphs to.
const RADICAL_SUPPLEMENT: Record<string, string> = {
  '⺀': '冫', '⺁': '厂', '⺃': '乚', '⺅': '亻', '⺇': '几', '⺈': '⺈', '⺊': '卜', '⺋': '㔾', '⺌': '小',
  '⺍': '小', '⺎': '尢', '⺏': '尣', '⺐': '尢', '⺑': '尣', '⺒': '巳', '⺓': '幺', '⺔': '彑', '⺕': '彐',
  '⺖': '忄', '⺗': '心', '⺘': '扌', '⺙': '攵', '⺛': '旡', '⺜': '日', '⺝': '月', '⺞': '歺', '⺟': '母',
  '⺠': '民', '⺡': '氵', '⺢': '氺', '⺣': '灬', '⺤': '爫', '⺥': '爫', '⺦': '丬', '⺧': '牛', '⺨': '犭',
  '⺩': '王', '⺪': '疋', '⺫': '目', '⺬': '示', '⺭': '礻', '⺮': '竹', '⺯': '糸', '⺰': '纟', '⺱': '网',
  '⺲': '罒', '⺳': '网', '⺴': '网', '⺵': '网', '⺶': '羊', '⺷': '羊', '⺸': '羊', '⺹': '耂', '⺺': '聿',
  '⺻': '聿', '⺼': '月', '⺽': '臼', '⺾': '艹', '⺿': '艹', '⻀': '艹', '⻁': '虎', '⻂': '衤', '⻃': '西',
  '⻄': '西', '⻅': '见', '⻆': '角', '⻇': '角', '⻈': '讠', '⻉': '贝', '⻊': '足', '⻋': '车', '⻌': '辶',
  '⻍': '辶', '⻎': '辶', '⻏': '阝', '⻐': '金', '⻑': '長', '⻒': '镸', '⻓': '长', '⻔': '门', '⻕': '阝',
  '⻖': '阝', '⻗': '雨', '⻘': '青', '⻙': '韦', '⻚': '页', '⻛': '风', '⻜': '飞', '⻝': '食', '⻞': '食',
  '⻟': '食', '⻠': '饣', '⻡': '飠', '⻢': '马', '⻣': '骨', '⻤': '鬼', '⻥': '鱼', '⻦': '鸟', '⻧': '卤',
  '⻨': '麦', '⻩': '黄', '⻪': '黾', '⻫': '齐', '⻬': '齐', '⻭': '齿', '⻮': '齒', '⻯': '龙', '⻰': '龍',
  '⻱': '龜', '⻲': '龟', '⻳': '龟',
};

const HAN = '\\p{Script=Han}';
const HAN_GAP = new RegExp(`(?<=[${HAN}、，。：；（）“”])\\s+(?=[${HAN}、，。：；（）“”])`, 'gu');
const HAN_GAP_NFKC = new RegExp(`(?<=[${HAN}])\\s+(?=[${HAN}(（:：])|(?<=[${HAN})）:：])\\s+(?=[${HAN}])`, 'gu');

export function isHan(ch: string): boolean {
  return /\p{Script=Han}/u.test(ch);
}

/** NFKC, radicals to ordinary characters, no spaces between Han characters, single spaces elsewhere. */
export function normalizeText(s: string): string {
  let t = s.replace(/[\u2E80-\u2EF3]/g, (c) => RADICAL_SUPPLEMENT[c] ?? c).normalize('NFKC');
  t = t.replace(/[\u00a0\u3000\t]/g, ' ').replace(/\s+/g, ' ');
  t = t.replace(HAN_GAP, '').replace(HAN_GAP_NFKC, '');
  return t.trim();
}

/** Remove every space: for labels and keys, where spacing in Chinese carries no meaning. */
export function compact(s: string): string {
  return normalizeText(s).replace(/\s+/g, '');
}

/** Han characters only: what OCR reads most surely of a title (punctuation, brackets, spaces and digits go). */
export const hanOnly = (s: string): string => s.normalize('NFKC').replace(/[^\p{Script=Han}]/gu, '');

/** Edit distance of two short strings (characters). */
export function editDistance(a: string, b: string): number {
  const x = [...a], y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length];
}
