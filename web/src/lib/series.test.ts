import { describe, expect, it } from "vitest";
import { alignLines, band, carryForward, drawable, groupBy, isolatedPoints, pairByStep, percentileRange, singleValues, smooth, smoothLine, smoothTimeWeighted, specialPoints, stepRange, toLine } from "./series";
import { dashArray, PALETTE, styleFor } from "./palette";

describe("toLine", () => {
  const series = { steps: [0, 1, 2], times: [100, 101.5, 103], values: [0.5, "NaN", "-Infinity"] };
  it("reads wire values, keeping NaN and infinities", () => {
    const line = toLine(series, "step");
    expect(line.x).toEqual([0, 1, 2]);
    expect(line.y[0]).toBe(0.5);
    expect(Number.isNaN(line.y[1])).toBe(true);
    expect(line.y[2]).toBe(-Infinity);
  });
  it("uses time or time relative to the start", () => {
    expect(toLine(series, "time").x).toEqual([100, 101.5, 103]);
    expect(toLine(series, "relative", 100).x).toEqual([0, 1.5, 3]);
  });
});

describe("alignLines", () => {
  it("aligns lines of different steps on the union of x", () => {
    const aligned = alignLines([
      { x: [0, 2, 4], y: [1, 2, 3] },
      { x: [1, 2], y: [10, 20] },
    ]);
    expect(aligned.x).toEqual([0, 1, 2, 4]);
    expect(aligned.ys).toEqual([
      [1, null, 2, 3],
      [null, 10, 20, null],
    ]);
  });
  it("takes the fast path when all lines share x", () => {
    const x = [0, 1, 2];
    const aligned = alignLines([
      { x, y: [1, 2, 3] },
      { x: [0, 1, 2], y: [4, 5, 6] },
    ]);
    expect(aligned.x).toEqual([0, 1, 2]);
    expect(aligned.ys[1]).toEqual([4, 5, 6]);
  });
  it("handles unsorted x, repeats and no lines", () => {
    expect(alignLines([{ x: [2, 0, 2], y: [1, 2, 3] }])).toEqual({ x: [0, 2], ys: [[2, 3]] });
    expect(alignLines([])).toEqual({ x: [], ys: [] });
  });
  it("aligns 10 lines of 100,000 points on one sorted x axis", () => {
    // How fast is for the GUI benchmark (bench/gui.py); this checks the result at size.
    const lines = Array.from({ length: 10 }, (_, j) => ({
      x: Array.from({ length: 100_000 }, (_, i) => i * (j + 1)),
      y: Array.from({ length: 100_000 }, (_, i) => Math.sin(i)),
    }));
    const aligned = alignLines(lines);
    expect(aligned.ys).toHaveLength(10);
    expect(aligned.x.every((x, i) => i === 0 || x > (aligned.x[i - 1] ?? -Infinity))).toBe(true);
    for (const ys of aligned.ys) expect(ys).toHaveLength(aligned.x.length);
    const at = aligned.x.indexOf(30);
    expect(aligned.ys[2]?.[at]).toBeCloseTo(Math.sin(10));
    expect(aligned.ys[3]?.[at]).toBeNull();
  });
});

describe("non-finite values", () => {
  it("become gaps that a chart can draw, and are listed as markers", () => {
    const ys = [1, NaN, Infinity, -Infinity, null, -2];
    expect(drawable(ys)).toEqual([1, null, null, null, null, -2]);
    expect(drawable(ys, true)).toEqual([1, null, null, null, null, null]);
    expect(specialPoints([0, 1, 2, 3, 4, 5], ys)).toEqual([
      { x: 1, kind: "NaN" },
      { x: 2, kind: "∞" },
      { x: 3, kind: "−∞" },
    ]);
  });
});

describe("smooth", () => {
  it("is the identity at weight 0 and debiased otherwise", () => {
    expect(smooth([1, 2, 3], 0)).toEqual([1, 2, 3]);
    const out = smooth([1, 1, 1], 0.9);
    out.forEach((v) => expect(v).toBeCloseTo(1));
  });
  it("passes gaps and NaN through without poisoning the average", () => {
    const out = smooth([2, null, NaN, 4], 0.5);
    expect(out[0]).toBeCloseTo(2);
    expect(out[1]).toBeNull();
    expect(Number.isNaN(out[2])).toBe(true);
    expect(out[3]).toBeCloseTo((0.5 * 2 * 0.5 + 0.5 * 4) / (1 - 0.25));
  });
});

describe("group bands", () => {
  it("gives mean and min-max per x over finite values", () => {
    const result = band([
      [1, 4, null, NaN],
      [3, 2, 5, null],
    ]);
    expect(result.mean).toEqual([2, 3, 5, null]);
    expect(result.min).toEqual([1, 2, 5, null]);
    expect(result.max).toEqual([3, 4, 5, null]);
    expect(result.count).toEqual([2, 2, 1, 0]);
  });
  it("carries values forward to fill gaps between samples", () => {
    expect(carryForward([null, 1, null, 3, null])).toEqual([null, 1, 1, 3, 3]);
  });
  it("groups in first-seen order", () => {
    const groups = groupBy([{ g: "b" }, { g: "a" }, { g: "b" }], (i) => i.g);
    expect([...groups.keys()]).toEqual(["b", "a"]);
    expect(groups.get("b")).toHaveLength(2);
  });
  it("widens a zoom range to whole steps", () => {
    expect(stepRange(1.2, 9.8)).toEqual({ minStep: 1, maxStep: 10 });
  });
});

describe("palette", () => {
  it("gives each job one colour, with dashes past ten", () => {
    expect(styleFor(0)).toEqual({ color: PALETTE[0], dash: [] });
    expect(styleFor(10).color).toBe(PALETTE[0]);
    expect(styleFor(10).dash.length).toBeGreaterThan(0);
    expect(styleFor(3)).not.toEqual(styleFor(4));
    expect(dashArray([])).toBe("none");
    expect(dashArray([8, 4])).toBe("8 4");
  });
});

describe("single points", () => {
  it("finds the values a line cannot draw", () => {
    expect(isolatedPoints([0.5])).toEqual([0]);
    expect(isolatedPoints([1, 2, null, 3, null, 4, 5])).toEqual([3]);
    expect(isolatedPoints([NaN, 3, Infinity])).toEqual([1]);
    expect(isolatedPoints([null, null])).toEqual([]);
    expect(isolatedPoints([1, null, 2, null, 3], 1, 3)).toEqual([2]);
  });
  it("shows a metric logged once as its value and step", () => {
    const one = { steps: [7], values: [0.93] };
    expect(singleValues([one])).toEqual([{ index: 0, step: 7, value: 0.93 }]);
    expect(singleValues([undefined, { steps: [], values: [] }, { steps: [2], values: ["NaN"] }])).toEqual([{ index: 2, step: 2, value: NaN }]);
    expect(singleValues([one, { steps: [1, 2], values: [1, 2] }])).toBeNull();
    expect(singleValues([undefined])).toBeNull();
  });
});

describe("smoothing variants", () => {
  it("time-weighted EMA equals the EMA on evenly spaced x", () => {
    const ys = [1, 5, 2, 8, 3, 9];
    const x = [0, 10, 20, 30, 40, 50];
    const a = smoothTimeWeighted(x, ys, 0.6);
    const b = smooth(ys, 0.6);
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i] as number, 10));
  });

  it("time-weighted EMA forgets more over a long gap than the plain EMA", () => {
    const x = [0, 1, 2, 3, 100];
    const ys = [0, 0, 0, 0, 10];
    const timed = smoothTimeWeighted(x, ys, 0.9).at(-1) as number;
    const plain = smooth(ys, 0.9).at(-1) as number;
    expect(timed).toBeGreaterThan(9.9);
    expect(plain).toBeLessThan(5);
  });

  it("keeps gaps and non-finite values in place, and weight 0 changes nothing", () => {
    expect(smoothTimeWeighted([0, 1, 2, 3], [1, null, NaN, 3], 0.5)).toEqual([1, null, NaN, expect.any(Number)]);
    expect(smoothLine([0, 1], [4, 6], 0, "time")).toEqual([4, 6]);
    expect(smoothLine([0, 1], [4, 6], 0.5, "ema")).toEqual(smooth([4, 6], 0.5));
  });
});

describe("percentile clipping", () => {
  it("leaves a lone spike out of the 1st–99th percentile range", () => {
    const line = Array.from({ length: 200 }, (_, i) => (i === 100 ? 1e6 : i % 10));
    const range = percentileRange([line]);
    expect(range).toEqual({ min: 0, max: 9 });
  });

  it("skips gaps and non-finite values, and says null when nothing is finite", () => {
    expect(percentileRange([[null, NaN, Infinity]])).toBeNull();
    expect(percentileRange([[2, null], [NaN, 4]])).toEqual({ min: 2, max: 4 });
  });
});

describe("pairByStep", () => {
  it("plots one metric against another at the steps both logged, ordered by x", () => {
    const line = pairByStep({ steps: [0, 1, 2], values: [0.3, 0.1, 0.2] }, { steps: [1, 2, 3], values: [10, "NaN", 30] });
    expect(line.x).toEqual([0.1, 0.2]);
    expect(line.y[0]).toBe(10);
    expect(Number.isNaN(line.y[1])).toBe(true);
  });
});
