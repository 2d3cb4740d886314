import { describe, expect, it } from "vitest";
import { decodeJobValues, valueAt } from "./packed-values";
import type { JobValues } from "./types";

/** Base64 of little-endian float64s, as the server writes them. */
function float64(values: number[]): string {
  const view = new DataView(new ArrayBuffer(values.length * 8));
  values.forEach((v, i) => view.setFloat64(i * 8, v, true));
  return btoa(String.fromCharCode(...new Uint8Array(view.buffer)));
}

/** Base64 of one bit per job, least significant first. */
function mask(bits: boolean[]): string {
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => {
    if (b) out[i >> 3] = (out[i >> 3] as number) | (1 << (i & 7));
  });
  return btoa(String.fromCharCode(...out));
}

const ids = ["0000000000000001", "0000000000000002", "0000000000000003", "0000000000000004", "0000000000000005", "0000000000000006", "0000000000000007", "0000000000000008", "0000000000000009"];

describe("decodeJobValues", () => {
  it("reads packed ids, numbers with nulls, NaN and infinities, and JSON columns", () => {
    const numbers = [0.1, 0, NaN, Infinity, -Infinity, 1e-300, -2, 0, 3];
    const nulls = [false, true, false, false, false, false, false, false, true];
    const wire: JobValues = {
      total: 12,
      encoding: "base64",
      ids: ids.join(""),
      columns: {
        "params.lr": { float64: float64(numbers), nulls: mask(nulls) },
        "params.n": { float64: float64([1, 2, 3, 4, 5, 6, 7, 8, 9]), nulls: null },
        "tags.stage": ["a", null, "b", null, null, null, null, null, 1.5],
      },
    };
    const values = decodeJobValues(wire);
    expect(values.total).toBe(12);
    expect(values.ids.length).toBe(9);
    expect(Array.from({ length: 9 }, (_, i) => values.ids.at(i))).toEqual(ids);
    expect(values.ids.at(9)).toBeUndefined();
    const lr = Array.from({ length: 9 }, (_, i) => valueAt(values.columns["params.lr"], i));
    expect(lr).toEqual([0.1, null, NaN, Infinity, -Infinity, 1e-300, -2, 0, null]);
    expect(valueAt(values.columns["params.n"], 8)).toBe(9);
    expect(valueAt(values.columns["params.n"], 9)).toBeUndefined();
    expect(valueAt(values.columns["tags.stage"], 8)).toBe(1.5);
    expect(valueAt(values.columns["missing"], 0)).toBeUndefined();
  });

  it("passes the JSON form through (ids of another length stay a list)", () => {
    const wire: JobValues = { total: 2, encoding: "base64", ids: ["a", "bb"], columns: { x: [1, "NaN"] } };
    const values = decodeJobValues(wire);
    expect([values.ids.length, values.ids.at(1)]).toEqual([2, "bb"]);
    expect(valueAt(values.columns["x"], 1)).toBe("NaN");
  });
});
