// A panel read from a URL or a saved view, checked as its kind expects: fields of the wrong
// type or outside their range take the kind's default (or are clamped), and a panel without
// what it is about (a line without a metric, a scatter without its x and y) or of an
// unknown kind is dropped, so a mistyped or hand-edited link never breaks the page.
import type { LineX, PanelKind, PanelSpec, Smoothing } from "./view";

type Fields = Record<string, unknown>;

export const isRecord = (value: unknown): value is Fields => typeof value === "object" && value !== null && !Array.isArray(value);

/** A non-empty string, or null. */
export const named = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);

const boolOr = <T extends boolean | null>(value: unknown, fallback: T): boolean | T => (typeof value === "boolean" ? value : fallback);

export function oneOf<T extends string>(value: unknown, options: readonly T[]): T | null {
  return typeof value === "string" && (options as readonly string[]).includes(value) ? (value as T) : null;
}

export const finite = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);

/** `value` within lo–hi (rounded when `whole`), or `fallback` when it is not a number. */
export function clamped<T extends number | null>(value: unknown, lo: number, hi: number, fallback: T, whole = false): number | T {
  const n = finite(value);
  if (n === null) return fallback;
  const inside = Math.max(lo, Math.min(hi, n));
  return whole ? Math.round(inside) : inside;
}

/** The strings of a list (anything else in it is dropped); null when it is not a list. */
export const strings = (value: unknown): string[] | null => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : null);

export const SMOOTHING_KINDS: readonly Smoothing[] = ["ema", "time"];
export const MAX_SMOOTHING = 0.99;

/** A line x: step, time, relative, or `metric:<key>` with a key. */
function lineX(value: unknown): LineX | null {
  if (value === "step" || value === "time" || value === "relative") return value;
  return typeof value === "string" && value.startsWith("metric:") && value.length > "metric:".length ? (value as LineX) : null;
}

/** Each kind's settings from what was read: null when the panel cannot be drawn. */
const SETTINGS: { [K in PanelKind]: (s: Fields) => Extract<PanelSpec, { kind: K }>["settings"] | null } = {
  line: (s) => {
    const metric = named(s.metric);
    if (metric === null) return null;
    const yMin = finite(s.yMin);
    const yMax = finite(s.yMax);
    return {
      metric,
      x: lineX(s.x),
      logX: boolOr(s.logX, false),
      logY: boolOr(s.logY, null),
      yMin,
      yMax: yMin !== null && yMax !== null && yMax <= yMin ? null : yMax,
      clip: boolOr(s.clip, false),
      smoothing: clamped(s.smoothing, 0, MAX_SMOOTHING, null),
      smoothingKind: oneOf(s.smoothingKind, SMOOTHING_KINDS),
    };
  },
  scatter: (s) => {
    const x = named(s.x);
    const y = named(s.y);
    return x === null || y === null ? null : { x, y, color: named(s.color), logX: boolOr(s.logX, false), logY: boolOr(s.logY, false) };
  },
  bar: (s) => {
    const metric = named(s.metric);
    return metric === null ? null : { metric, style: oneOf(s.style, ["bar", "point"]) ?? "bar" };
  },
  parallel: (s) => {
    const fields = strings(s.fields)?.filter((f) => f !== "");
    return fields ? { fields, color: named(s.color) } : null;
  },
  importance: (s) => {
    const metric = named(s.metric);
    return metric === null ? null : { metric };
  },
  media: (s) => {
    const key = named(s.key);
    return key === null ? null : { key, step: clamped(s.step, 0, Number.MAX_SAFE_INTEGER, null, true) };
  },
  histogram: (s) => {
    const key = named(s.key);
    return key === null ? null : { key, mode: oneOf(s.mode, ["ridges", "heatmap"]) ?? "ridges" };
  },
};

const KINDS = Object.keys(SETTINGS) as PanelKind[];

/** Width 1–3 columns, height 1–2 rows. */
export const gridWidth = (value: unknown, fallback = 1) => clamped(value, 1, 3, fallback, true);
export const gridHeight = (value: unknown, fallback = 1) => clamped(value, 1, 2, fallback, true);

/** `raw` as a panel of its kind, or null when it cannot be one. */
export function checkPanel(raw: unknown): PanelSpec | null {
  if (!isRecord(raw)) return null;
  const id = named(raw.id);
  const kind = oneOf(raw.kind, KINDS);
  if (id === null || kind === null || !isRecord(raw.settings)) return null;
  const settings = SETTINGS[kind](raw.settings);
  if (settings === null) return null;
  // settings are of `kind` (SETTINGS is typed per kind); the union cannot say so
  return { id, kind, section: named(raw.section), w: gridWidth(raw.w), h: gridHeight(raw.h), title: named(raw.title), settings } as unknown as PanelSpec;
}
