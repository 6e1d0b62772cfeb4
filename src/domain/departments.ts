// Department (部门/单位) names: the two normalisers and the name comparison built on them.
//
// They differ on purpose, because their mistakes cost different things:
//   matchKey      STRICT: joins one department's documents across years (analyze/departments.ts). A
//                 wrong join merges two departments' money in the dataset, so only spellings that are
//                 certainly the same name collapse; 信息中心 and 信息管理中心 stay apart until the alias
//                 file (departments.aliases.tsv) joins them.
//   canonicalOrg  LENIENT: decides whether a heading or a table names another organisation than the
//                 document's (header.department_mismatch, corpus.foreign_department). A wrong "different"
//                 is a false error, so aliases and wrappings collapse: 信息管理中心 → 信息中心,
//                 人民政府 → 政府, a trailing 本级/机关 dropped; sameOrg adds truncations and abbreviations.
import { compact } from '../extract/normalize.js';

/**
 * The match key of a department name (strict; see the top of this file). In order:
 *   1. NFKC; whitespace, quotes and brackets removed;
 *   2. 中国共产党 → 中共;
 *   3. 中国人民政治协商会议X委员会 → X政协; X人民代表大会常务委员会 → X人大常委会;
 *   4. 人大常委会办公厅 → 人大办公厅 (the standing committee's office is the 人大's office);
 *   5. 省/市/区/县委员会 → 省委/市委/区委/县委;
 *   6. a leading 中共 dropped (中共江苏省委办公厅 = 江苏省委办公厅).
 * Nothing else: 信息中心 and 信息管理中心 are different names until the alias file joins them.
 */
export function matchKey(name: string): string {
  let s = name.normalize('NFKC').replace(/[\s"'“”‘’()（）【】\[\]《》<>]/g, '');
  s = s.replace(/中国共产党/g, '中共');
  s = s.replace(/中国人民政治协商会议(.+?)委员会/g, '$1政协');
  s = s.replace(/人民代表大会常务委员会/g, '人大常委会');
  s = s.replace(/人大常委会办公厅/g, '人大办公厅');
  s = s.replace(/([省市区县])委员会/g, '$1委');
  s = s.replace(/^中共/, '');
  return s;
}

/**
 * Canonical form of an organisation name (lenient; see the top of this file): bracketed parts and
 * punctuation removed, aliases and wrappings collapsed (中国共产党 → 中共, 委员会 → 委, 信息管理中心 →
 * 信息中心, 人民政府 → 政府, a trailing 本级/机关 dropped…).
 */
export function canonicalOrg(name: string): string {
  let s = compact(name).replace(/[（(][^)）]*[)）]/g, '').replace(/[“”"'‘’·•\-—:：]/g, '');
  const subs: [RegExp, string][] = [
    [/中国共产党/g, '中共'], [/人民代表大会常务委员会/g, '人大常委会'], [/人民代表大会/g, '人大'],
    [/中国人民政治协商会议(.+?)委员会/g, '$1政协'], [/中国人民政治协商会议/g, '政协'], [/委员会/g, '委'], [/人力资源(和)?社会保障/g, '人社'],
    [/信息管理中心/g, '信息中心'], [/人民政府/g, '政府'], [/本级$/g, ''], [/机关$/g, ''],
  ];
  for (const [re, to] of subs) s = s.replace(re, to);
  return s;
}

/** The place in front of a name ("达州市", "上海市普陀区", "省", "市") and the rest. */
function splitPlace(name: string): { place: string; bare: string } {
  const m = /^(中共)?(.{0,6}?(?:省|自治区|市|州|盟|地区))?(.{0,6}?(?:市|区|县|旗))?/u.exec(name)!;
  const place = (m[2] ?? '') + (m[3] ?? '');
  return { place, bare: name.slice(m[0].length) };
}

/** Words an abbreviation may drop: 省检察院 = 江苏省人民检察院. */
const FILLER = /人民|常委会|常务委员会|管理|和|本级|机关/g;

/**
 * Same organisation (lenient, for "does this heading name another organisation"): equal canonical
 * names, or one a truncation / an abbreviation of the other at a compatible place ("市人社信息中心" =
 * "达州市人社信息中心", "省检察院" = "江苏省人民检察院", but "上海市财政局" ≠ "上海市普陀区财政局").
 */
export function sameOrg(a: string, b: string): boolean {
  const x = canonicalOrg(a).replace(/^中共/, ''), y = canonicalOrg(b).replace(/^中共/, '');
  if (!x || !y) return true;
  if (x === y) return true;
  const [short, long] = x.length <= y.length ? [x, y] : [y, x];
  // A wrapped or cut label ("江苏省人大", "江苏省委办") is a prefix of the full name.
  if (short.length >= 5 && long.startsWith(short) && splitPlace(short).bare.length >= 2) return true;
  const S = splitPlace(short), L = splitPlace(long);
  if (!L.place.endsWith(S.place)) return false;
  if (S.bare === L.bare) return true;
  // Abbreviations drop filler words only: 省检察院 = 江苏省人民检察院, 省人大办公厅 = 江苏省人大常委会办公厅
  // (but 省委办公厅 ≠ 省人大常委会办公厅).
  const core = (n: string) => n.replace(FILLER, '');
  return S.bare.length >= 2 && core(S.bare) === core(L.bare);
}
