// The parallel panel's data: an axis per chosen field over the filter's jobs, and each
// job's line colour (by a field, or the visible jobs in their colours over grey).
import { scaleColor } from "../../../lib/chart-scales";
import { wireNumber } from "../../../lib/format";
import { PALETTE } from "../../../lib/palette";
import { buildAxis, categoryText, type Axis } from "../../../lib/parallel-axes";
import { fieldLabel } from "./fields";

/** The most axes a panel draws. */
export const MAX_AXES = 12;
export const BACKGROUND_LINE = "#9a9a9a";

export interface Columns {
  ids: readonly string[];
  columns: Record<string, readonly unknown[]>;
}

/** One axis per field (numbers linear, anything else as categories; missing values apart). */
export function parallelAxes(answer: Columns, fields: readonly string[]): Axis[] {
  return fields.slice(0, MAX_AXES).map((field) => buildAxis(field, fieldLabel(field), answer.columns[field] ?? answer.ids.map(() => null)));
}

export interface LineStyle {
  color: string;
  /** Drawn over the others (a visible job, or every line when a field colours them). */
  front: boolean;
}

/** Each job's line colour: by `colorField` when given (a scale for numbers, the palette for
 * categories, grey when missing), else the visible jobs in their colours and the rest grey. */
export function lineStyles(answer: Columns, colorField: string | null, visible: ReadonlyMap<string, string>, floor = 0): LineStyle[] {
  if (!colorField) return answer.ids.map((id) => ({ color: visible.get(id) ?? BACKGROUND_LINE, front: visible.has(id) }));
  const values = answer.columns[colorField] ?? [];
  const numbers = answer.ids.map((_, i) => (values[i] === null || values[i] === undefined ? null : wireNumber(values[i])));
  const numeric = answer.ids.every((_, i) => values[i] === null || values[i] === undefined || (numbers[i] !== null && typeof values[i] !== "boolean"));
  if (numeric) {
    const finite = numbers.filter((n): n is number => n !== null && Number.isFinite(n));
    const min = finite.reduce((a, b) => Math.min(a, b), Infinity);
    const max = finite.reduce((a, b) => Math.max(a, b), -Infinity);
    return numbers.map((n) => ({ color: n === null || !Number.isFinite(n) ? BACKGROUND_LINE : scaleColor(max === min ? 1 : (n - min) / (max - min), floor), front: n !== null }));
  }
  const categories = [...new Set(values.filter((v) => v !== null && v !== undefined).map(categoryText))].sort();
  return answer.ids.map((_, i) => {
    const v = values[i];
    if (v === null || v === undefined) return { color: BACKGROUND_LINE, front: false };
    const k = categories.indexOf(categoryText(v));
    return { color: k < PALETTE.length - 1 ? (PALETTE[k] as string) : BACKGROUND_LINE, front: true };
  });
}

/** The order lines are drawn in: background lines first, then the rest (each group in the
 * answer's order), so that coloured lines are never hidden under grey ones. */
export function drawOrder(styles: readonly LineStyle[]): number[] {
  const back: number[] = [];
  const front: number[] = [];
  styles.forEach((s, i) => (s.front ? front : back).push(i));
  return [...back, ...front];
}
