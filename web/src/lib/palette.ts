// One colour per job everywhere (charts, legend, table swatch): Tableau 10, which stays
// distinct for the common forms of colour blindness, cycling with dash patterns past 10.

export const PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
] as const;

const DASHES: readonly number[][] = [[], [8, 4], [2, 3], [10, 3, 2, 3]];

export interface LineStyle {
  color: string;
  /** Canvas dash pattern; empty for a solid line. */
  dash: number[];
}

/** The style of the `index`th job: its colour, and a dash pattern from the 11th on. */
export function styleFor(index: number): LineStyle {
  const i = Math.max(0, Math.floor(index));
  return { color: PALETTE[i % PALETTE.length] as string, dash: (DASHES[Math.floor(i / PALETTE.length) % DASHES.length] ?? []).slice() };
}

/** An SVG `stroke-dasharray` for a dash pattern (`none` when solid). */
export function dashArray(dash: readonly number[]): string {
  return dash.length ? dash.join(" ") : "none";
}
