// The corpus halves for tuning the audit (fixed before tuning, issue "Audit findings a reader agrees
// with…"): rules are tuned on half A only; half B is held out and only reported. Both years of one
// department are in the same half, so a department's style does not leak from one half to the other.
// Documents are named by sha256 prefix (see ../shared/corpus/real/MANIFEST.tsv).
export const HALF_A = [
  '520fa5c58e1f', 'f113bb6ee8f9', // 江苏省人大办公厅 2017, 2018
  '177eb7fa38c3', 'a59d3e87fad5', 'd22abdf08130', '60f13f96bfd6', // 江苏省委办公厅 2017, 2018 (文件 + 表)
  'c8821d984a54', 'd45e923176f9', '9cf8afd0f960', // 普陀区司法局 2026, 财政局 2024 决算, 万里街道 2024
  '6349905c139f', // 达州 text dump 2024
];
export const HALF_B = [
  '956e155770fa', 'b6f855786225', // 江苏省人民检察院 2017, 2018
  '42d4fd889f7a', 'cd9ac66d664e', 'd27f30612b40', '600311282f84', // 江苏省政协办公厅 2017, 2018
  '324795c7efce', '9bb83bc165f9', // 江苏省高级人民法院 2017, 2018
  'ef2db536657d', '223f7ad8218f', // 普陀区政府办公室 2025, 上海市财政局 2025
];

export function halfOf(sha256: string): 'A' | 'B' | null {
  if (HALF_A.some((p) => sha256.startsWith(p))) return 'A';
  if (HALF_B.some((p) => sha256.startsWith(p))) return 'B';
  return null;
}
