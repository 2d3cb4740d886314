import { describe, expect, it } from "vitest";
import { axisTicks, nearestPoint, OTHER_COLOR, PLAIN_COLOR, pointIndex, scaled, SCALE_STEPS, scatterModel } from "./scatter-model";

const plain = { logX: false, logY: false, colorField: null };

describe("scatter points", () => {
  it("keeps the jobs with a number on both axes, in typed arrays, and counts the rest", () => {
    const model = scatterModel({ ids: ["a", "b", "c", "d", "e"], x: [1, 2, null, "NaN", 5], y: [10, "x", 30, 40, "Infinity"] }, plain);
    expect(model.count).toBe(1);
    expect([...model.x]).toEqual([1]);
    expect([...model.row]).toEqual([0]);
    expect(model.skipped).toBe(4);
    expect(model.colors).toEqual([PLAIN_COLOR]);
    expect(model.legend).toEqual({ kind: "none" });
  });

  it("reads packed numeric columns in place, the same as their JSON form", () => {
    const numbers = (values: number[], nulls: number[] | null) => ({ kind: "numbers" as const, values: Float64Array.from(values), nulls: nulls && Uint8Array.from(nulls) });
    // job 1 lacks x (bit 1 of the mask), job 3's y is NaN
    const packed = scatterModel({ ids: { length: 5 }, x: numbers([1, 0, 3, 4, 5], [0b10]), y: numbers([10, 20, 30, NaN, 50], null), color: numbers([0, 1, 2, 3, 4], [0b10000]) }, { ...plain, colorField: "c" });
    const json = scatterModel({ ids: ["a", "b", "c", "d", "e"], x: [1, null, 3, 4, 5], y: [10, 20, 30, "NaN", 50], color: [0, 1, 2, 3, null] }, { ...plain, colorField: "c" });
    expect(packed).toEqual(json);
    expect([...packed.row]).toEqual([0, 2, 4]);
    expect(packed.bucket[2]).toBe(SCALE_STEPS);
  });

  it("takes log10 on a log axis and leaves out values that are not positive", () => {
    expect(scaled(100, true)).toBe(2);
    expect(scaled(0, true)).toBeNull();
    expect(scaled(-1, false)).toBe(-1);
    const model = scatterModel({ ids: ["a", "b", "c"], x: [0.001, 0, 10], y: [1, 2, 3] }, { ...plain, logX: true });
    expect([...model.x]).toEqual([-3, 1]);
    expect([...model.row]).toEqual([0, 2]);
    expect(model.xRange[0]).toBeLessThan(-3);
    expect(model.xRange[1]).toBeGreaterThan(1);
  });

  it("colours by a numeric field on a scale, grey where a job lacks it", () => {
    const model = scatterModel({ ids: ["a", "b", "c", "d"], x: [1, 2, 3, 4], y: [1, 2, 3, 4], color: [0, 5, 10, null] }, { ...plain, colorField: "params.bs" });
    expect([...model.bucket]).toEqual([0, Math.round((SCALE_STEPS - 1) / 2), SCALE_STEPS - 1, SCALE_STEPS]);
    expect(model.colors[SCALE_STEPS]).toBe(OTHER_COLOR);
    expect(model.legend).toMatchObject({ kind: "scale", field: "params.bs", min: 0, max: 10 });
  });

  it("colours by a categorical field, the most frequent first, the rest grey", () => {
    const color = ["adam", "sgd", "adam", null, ...Array.from({ length: 12 }, (_, i) => `rare${i}`)];
    const ids = color.map((_, i) => String(i));
    const model = scatterModel({ ids, x: ids.map(Number), y: ids.map(Number), color }, { ...plain, colorField: "params.opt" });
    expect(model.legend.kind).toBe("categories");
    if (model.legend.kind !== "categories") return;
    expect(model.legend.items[0]).toMatchObject({ label: "adam", count: 2 });
    expect(model.legend.items).toHaveLength(9);
    expect(model.legend.missing).toBe(1);
    expect(model.legend.other).toBe(12 - 7);
    expect(model.bucket[0]).toBe(model.bucket[2]);
    expect(model.colors[model.bucket[3] as number]).toBe(OTHER_COLOR);
  });

  it("holds 100,000 jobs in well under the time a frame allows for the data", () => {
    const n = 100_000;
    const ids = Array.from({ length: n }, (_, i) => `j${i}`);
    const x = ids.map((_, i) => Math.random() * (i + 1));
    const y = ids.map(() => Math.random());
    const color = ids.map((_, i) => i % 7);
    const started = performance.now();
    const model = scatterModel({ ids, x, y, color }, { logX: true, logY: false, colorField: "params.seed" });
    expect(model.count).toBe(n);
    expect(performance.now() - started).toBeLessThan(400);
  });
});

describe("axis ticks", () => {
  it("are round values on a linear axis", () => {
    expect(axisTicks([0, 10], false).map((t) => t.at)).toEqual([0, 2, 4, 6, 8, 10]);
  });

  it("are powers of ten on a log axis, thinned to about the count", () => {
    expect(axisTicks([-5.2, -0.9], true).map((t) => t.label)).toEqual(["1e-5", "1e-4", "0.001", "0.01", "0.1"]);
    expect(axisTicks([-12, 12], true, 5).length).toBeLessThanOrEqual(6);
  });

  it("fall back to round exponents inside one decade", () => {
    const ticks = axisTicks([0.1, 0.6], true);
    expect(ticks.length).toBeGreaterThan(1);
    expect(ticks[0]?.label).toBe(String(Number((10 ** 0.1).toPrecision(3))));
  });
});

describe("the point under the pointer", () => {
  it("is the nearest one within the radius, the last drawn among equals", () => {
    const px = new Float32Array([10, 50, 52, 52]);
    const py = new Float32Array([10, 50, 50, 50]);
    const index = pointIndex(px, py, 100, 100);
    expect(nearestPoint(index, 11, 11)).toBe(0);
    expect(nearestPoint(index, 52, 51)).toBe(3);
    expect(nearestPoint(index, 30, 30)).toBe(-1);
    expect(nearestPoint(index, 99, 99, 200)).toBe(3);
  });

  it("ignores points outside the drawing", () => {
    const index = pointIndex(new Float32Array([-5, 500]), new Float32Array([5, 5]), 100, 100);
    expect(nearestPoint(index, 0, 5)).toBe(-1);
  });
});
