// The values endpoint's compact form (`encoding=base64`, docs/rest-api.md "Fields of many
// jobs"): ids as one string of 16-character ids, numeric columns as little-endian float64
// with a bit mask of the jobs that lack the field. Decoded straight into typed arrays, with
// no object or string per job.
import type { JobValues } from "./types";

type WireColumn = JobValues["columns"][string];

/** A numeric column: `values[i]` (NaN and infinities as such) unless bit i of `nulls` is
 * set (the job lacks the field). */
export interface NumberColumn {
  readonly kind: "numbers";
  readonly values: Float64Array;
  readonly nulls: Uint8Array | null;
}

/** Any other column, as the JSON form carries it. */
export type ValueColumn = NumberColumn | readonly unknown[];

/** The jobs' ids, read one at a time (`at(i)`, as an array reads them). */
export interface JobIds {
  readonly length: number;
  at(index: number): string | undefined;
}

export interface PackedJobValues {
  total: number;
  ids: JobIds;
  columns: Record<string, ValueColumn>;
}

const ID_LENGTH = 16;

class PackedIds implements JobIds {
  readonly length: number;
  constructor(private readonly text: string) {
    this.length = text.length / ID_LENGTH;
  }
  at(index: number): string | undefined {
    if (index < 0 || index >= this.length) return undefined;
    return this.text.slice(index * ID_LENGTH, (index + 1) * ID_LENGTH);
  }
}

function bytes(base64: string): Uint8Array {
  const text = atob(base64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) out[i] = text.charCodeAt(i);
  return out;
}

function numberColumn(wire: { float64: string; nulls: string | null }): NumberColumn {
  const raw = bytes(wire.float64);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const values = new Float64Array(raw.byteLength / 8);
  for (let i = 0; i < values.length; i += 1) values[i] = view.getFloat64(i * 8, true);
  return { kind: "numbers", values, nulls: wire.nulls === null ? null : bytes(wire.nulls) };
}

function column(wire: WireColumn): ValueColumn {
  return Array.isArray(wire) ? wire : numberColumn(wire as { float64: string; nulls: string | null });
}

/** The answer of `encoding=base64` decoded (a JSON-form answer passes through as it is). */
export function decodeJobValues(wire: JobValues): PackedJobValues {
  const ids: JobIds = typeof wire.ids === "string" ? new PackedIds(wire.ids) : wire.ids;
  const columns: Record<string, ValueColumn> = {};
  for (const [name, values] of Object.entries(wire.columns)) columns[name] = column(values);
  return { total: wire.total, ids, columns };
}

function isNumbers(values: ValueColumn): values is NumberColumn {
  return !Array.isArray(values);
}

/** Job `i`'s value: a number (NaN and infinities as numbers) or the JSON form's value;
 * null where the job lacks the field (undefined past the end). */
export function valueAt(values: ValueColumn | undefined, i: number): unknown {
  if (values === undefined) return undefined;
  if (!isNumbers(values)) return values[i];
  if (i < 0 || i >= values.values.length) return undefined;
  const nulls = values.nulls;
  if (nulls !== null && ((nulls[i >> 3] as number) >> (i & 7)) & 1) return null;
  return values.values[i];
}
