// How numbers, times, durations and sizes read in the GUI (GUI.md "Visual language").

/** A number as the API writes it (non-finite floats as strings) to a JS number. */
export function wireNumber(value: unknown): number | null {
  if (typeof value === "number") return value;
  if (value === "NaN") return NaN;
  if (value === "Infinity") return Infinity;
  if (value === "-Infinity") return -Infinity;
  return null;
}

/** 4 significant digits, an exponent for very large or small values, `NaN`, `∞`, `−∞`. */
export function formatNumber(value: unknown): string {
  const n = wireNumber(value);
  if (n === null) return value == null ? "" : String(value);
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "∞";
  if (n === -Infinity) return "−∞";
  if (n === 0) return "0";
  const abs = Math.abs(n);
  if (Number.isInteger(n) && abs < 1e6) return String(n);
  if (abs >= 1e6 || abs < 1e-3) return trimExponent(n.toExponential(3));
  return trimZeros(n.toPrecision(4));
}

function trimZeros(text: string): string {
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

function trimExponent(text: string): string {
  const [mantissa = "", exponent = ""] = text.split("e");
  return `${trimZeros(mantissa)}e${exponent.replace("+", "")}`;
}

/** A param value: numbers as numbers, text as is, anything else as JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === "number" || value === "NaN" || value === "Infinity" || value === "-Infinity") {
    return typeof value === "number" ? formatNumber(value) : formatNumber(value);
  }
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  return JSON.stringify(value);
}

/** Seconds as `9m 4s`, `1h 3m`, `2d 4h`, `4.2s`; empty for unknown. */
export function formatDuration(seconds: unknown): string {
  const s = wireNumber(seconds);
  if (s === null || !Number.isFinite(s) || s < 0) return s === null ? "" : formatNumber(s);
  if (s < 10) return `${trimZeros(s.toFixed(1))}s`;
  const total = Math.floor(s);
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  if (days > 0) return hours ? `${days}d ${hours}h` : `${days}d`;
  if (hours > 0) return minutes ? `${hours}h ${minutes}m` : `${hours}h`;
  if (minutes > 0) return secs ? `${minutes}m ${secs}s` : `${minutes}m`;
  return `${secs}s`;
}

/** How long ago (or until) `iso` is from `now`: `just now`, `2m ago`, `3h ago`, `in 5m`. */
export function formatRelative(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return "";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const diff = (now - t) / 1000;
  const abs = Math.abs(diff);
  if (abs < 5) return "just now";
  const units: [number, string][] = [
    [365 * 86400, "y"],
    [30 * 86400, "mo"],
    [86400, "d"],
    [3600, "h"],
    [60, "m"],
    [1, "s"],
  ];
  const [size, unit] = units.find(([size]) => abs >= size) ?? [1, "s"];
  const count = Math.floor(abs / size);
  return diff >= 0 ? `${count}${unit} ago` : `in ${count}${unit}`;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone: making an `Intl.DateTimeFormat` costs far more than using one
 * (a table row of times would otherwise make one per cell on every render). */
function dateFormat(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? "";
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      timeZoneName: "shortOffset",
    });
    dateFormats.set(key, format);
  }
  return format;
}

/** `iso` in the viewer's time zone (or `timeZone`): `2026-11-25 15:55:34 UTC+1`. */
export function formatAbsolute(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const parts = dateFormat(timeZone).formatToParts(date);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const zone = part("timeZoneName").replace(/^GMT/, "UTC").replace(/^UTC[+-]0$/, "UTC");
  return `${part("year")}-${part("month")}-${part("day")} ${part("hour")}:${part("minute")}:${part("second")} ${zone}`;
}

/** Bytes as `512 B`, `1.5 KiB`, `3.2 GiB`. */
export function formatBytes(bytes: unknown): string {
  const n = wireNumber(bytes);
  if (n === null || !Number.isFinite(n)) return n === null ? "" : formatNumber(n);
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${trimZeros(value.toFixed(1))} ${units[unit]}`;
}

/** The first `length` characters of a job id (see `uniquePrefixLength` for a length that
 * tells a set of ids apart). */
export function shortId(id: string, length = 8): string {
  return id.slice(0, length);
}

/** Truncates text to `max` characters with an ellipsis (the full text goes in a title). */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
}

/** How every number of one table column is written: with the same count of decimals, or
 * all in exponent form with the same count of mantissa digits, so a column never mixes
 * `8.968e-4` with `0.00319`. */
export type NumberFormat = { kind: "fixed"; decimals: number } | { kind: "exponent"; digits: number };

/** The largest decimals count a fixed column takes before it turns to exponents. */
const MAX_DECIMALS = 6;

/** The format for a column holding `values` (numbers, wire strings, anything else ignored):
 * the fewest decimals that write every value exactly, at most enough for `significant`
 * digits of the smallest value; exponents when that would take more than 6 decimals or the
 * largest value reaches 10^6 (integers below 10^15 stay integers). */
export function columnNumberFormat(values: Iterable<unknown>, significant = 4): NumberFormat {
  const finite: number[] = [];
  for (const value of values) {
    const n = wireNumber(value);
    if (n !== null && Number.isFinite(n) && n !== 0) finite.push(n);
  }
  if (finite.length === 0) return { kind: "fixed", decimals: 0 };
  const abs = finite.map(Math.abs);
  const minAbs = Math.min(...abs);
  const maxAbs = Math.max(...abs);
  if (finite.every(Number.isInteger) && maxAbs < 1e15) return maxAbs < 1e6 ? { kind: "fixed", decimals: 0 } : exponentFormat(finite, significant);
  const needed = Math.max(0, significant - 1 - Math.floor(Math.log10(minAbs)));
  if (needed > MAX_DECIMALS || maxAbs >= 1e6) return exponentFormat(finite, significant);
  let decimals = 0;
  while (decimals < needed && !finite.every((n) => exact(Number(n.toFixed(decimals)), n))) decimals += 1;
  return { kind: "fixed", decimals };
}

function exponentFormat(finite: readonly number[], significant: number): NumberFormat {
  let digits = 0;
  while (digits < significant - 1 && !finite.every((n) => exact(Number(n.toExponential(digits)), n))) digits += 1;
  return { kind: "exponent", digits };
}

function exact(rounded: number, n: number): boolean {
  return Math.abs(rounded - n) <= Math.abs(n) * 1e-12;
}

/** `value` in a column's `format`; non-finite numbers as `NaN`, `∞`, `−∞`, anything that
 * is not a number as `formatValue` writes it. */
export function formatInColumn(value: unknown, format: NumberFormat): string {
  const n = wireNumber(value);
  if (n === null) return formatValue(value);
  if (!Number.isFinite(n)) return formatNumber(n);
  if (format.kind === "fixed") return n.toFixed(format.decimals);
  return n.toExponential(format.digits).replace("e+", "e");
}

/** The shortest prefix length (at least `min`) that tells every one of `ids` apart. */
export function uniquePrefixLength(ids: readonly string[], min = 8): number {
  const sorted = [...new Set(ids)].sort();
  let length = min;
  for (let i = 1; i < sorted.length; i += 1) {
    const a = sorted[i - 1] ?? "";
    const b = sorted[i] ?? "";
    let common = 0;
    while (common < a.length && a[common] === b[common]) common += 1;
    length = Math.max(length, common + 1);
  }
  return length;
}
