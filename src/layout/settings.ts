// The layout tolerances users may tune, in one place (as pdfplumber's TableSettings): thresholds on a
// document's geometry that vary with the publisher's drawing and spacing. They are passed down as a
// parameter, never read from a global. Choices of the method itself (shares, counts) stay named
// constants in the file that uses them. Measure any change with `npm run bench:accuracy -- --set k=v`.

export interface LayoutSettings {
  /** Rules closer than this across their axis are one line: double-drawn borders, rounding (pt). */
  snapTolerance: number;
  /** Collinear rule pieces with a gap up to this are one line: borders drawn cell by cell (pt). */
  joinTolerance: number;
  /** A horizontal and a vertical rule meet when each reaches within this of the other (pt). */
  intersectionTolerance: number;
  /** Stacked horizontal rules without verticals belong to one table up to this gap (pt). */
  stackMaxGap: number;
  /** Ruled regions smaller than this are underlines or boxes in prose, not tables (pt). */
  minTableWidth: number;
  minTableHeight: number;
  /** Text whose centre lies this far outside a ruled region still belongs to it: amounts overhanging a border (pt). */
  regionMargin: number;
  /** Runs whose vertical centres are closer than this (× font size) sit on one line (row overlap). */
  lineTolerance: number;
  /** Narrower gaps between the text of amount lines are not column gutters (pt). */
  minGutter: number;
  /** A text gutter this close to a ruled column boundary is that boundary (pt). */
  gutterRuleMerge: number;
  /** A label-only line joins an amount line whose centre is within this × font size (wrapped labels). */
  wrapDistance: number;
  /** On an unruled table line, an amount stands at least this far (× font size) after the text before it. */
  streamMinGap: number;
  /** …and the next cell starts at least this far after it (× font size); prose puts 万元 closer. */
  streamAfterGap: number;
  /** Lines of one unruled table are at most this far apart (× font size). */
  streamMaxRowGap: number;
  /** Title lines are looked for this far above a table (pt). */
  titleReach: number;
}

export const DEFAULT_LAYOUT_SETTINGS: Readonly<LayoutSettings> = Object.freeze({
  snapTolerance: 2,
  joinTolerance: 3,
  intersectionTolerance: 3,
  stackMaxGap: 45,
  minTableWidth: 120,
  minTableHeight: 15,
  regionMargin: 2,
  lineTolerance: 0.45,
  minGutter: 4,
  gutterRuleMerge: 6,
  wrapDistance: 1.25,
  streamMinGap: 1.5,
  streamAfterGap: 0.6,
  streamMaxRowGap: 2.5,
  titleReach: 120,
});

export const LAYOUT_SETTING_NAMES = Object.keys(DEFAULT_LAYOUT_SETTINGS) as (keyof LayoutSettings)[];

const isSettingName = (k: string): k is keyof LayoutSettings => (LAYOUT_SETTING_NAMES as string[]).includes(k);

/** The defaults with the given overrides; an unknown name or a value that is not a finite number ≥ 0 throws. */
export function layoutSettings(overrides: Partial<LayoutSettings> = {}): LayoutSettings {
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    if (!isSettingName(k)) throw new Error(`unknown layout setting "${k}" (known: ${LAYOUT_SETTING_NAMES.join(', ')})`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`layout setting ${k} must be a number ≥ 0, got ${String(v)}`);
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_LAYOUT_SETTINGS, ...defined };
}

/** Overrides from `name=value` assignments (as given to `--set`); throws on a malformed one. */
export function parseLayoutOverrides(assignments: string[]): Partial<LayoutSettings> {
  const out: Partial<LayoutSettings> = {};
  for (const a of assignments) {
    const m = /^\s*([A-Za-z]+)\s*=\s*(\S+)\s*$/.exec(a);
    if (!m) throw new Error(`expected name=value, got "${a}"`);
    const value = Number(m[2]);
    if (!isSettingName(m[1])) throw new Error(`unknown layout setting "${m[1]}" (known: ${LAYOUT_SETTING_NAMES.join(', ')})`);
    out[m[1]] = value;
  }
  layoutSettings(out); // same checks on the values
  return out;
}

/** The settings as `name=value` words, marking those that differ from the defaults with `*`. */
export function describeLayoutSettings(s: LayoutSettings): string {
  return LAYOUT_SETTING_NAMES.map((k) => `${k}=${s[k]}${s[k] !== DEFAULT_LAYOUT_SETTINGS[k] ? '*' : ''}`).join(' ');
}
