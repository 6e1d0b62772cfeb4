// The layout tolerances users may tune, in one place (as pdfplumber's TableSettings).
// Measure any change with `npm run bench:accuracy`.

export interface LayoutSettings {
  /** Rules closer than this across their axis are one line: double-drawn borders, rounding (pt). */
  snapTolerance: number;
  /** Collinear rule pieces with a gap up to this are one line: borders drawn cell by cell (pt). */
  joinTolerance: number;
  /** A horizontal and a vertical rule meet when each reaches within this of the other (pt). */
  intersectionTolerance: number;
  /** Stacked horizontal rules without verticals belong to one table up to this gap (pt). */
  stackMaxGap: number;
  /** Narrower gaps between the text of amount lines are not column gutters (pt). */
  minGutter: number;
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
  minGutter: 4,
  wrapDistance: 1.25,
  streamMinGap: 1.5,
  streamAfterGap: 0.6,
  streamMaxRowGap: 2.5,
  titleReach: 120,
});

export function layoutSettings(overrides: Partial<LayoutSettings> = {}): LayoutSettings {
  return { ...DEFAULT_LAYOUT_SETTINGS, ...overrides };
}
