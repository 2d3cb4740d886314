import { describe, expect, it } from "vitest";
import { binAt, hoverAt, parseHistogram, ridgeLayout, type StepHistogram } from "./histogram";

const hist = (edges: number[], counts: number[]) => parseHistogram({ edges, counts, count: counts.reduce((a, b) => a + b, 0), nan: 0, inf: 0 });

describe("parseHistogram", () => {
  it("reads the SDK's JSON", () => {
    const h = parseHistogram({ bins: 2, edges: [0, 1, 2], counts: [3, 1], count: 4, min: 0, max: 2, sum: 3, nan: 1, inf: 0 });
    expect(h).toMatchObject({ edges: [0, 1, 2], counts: [3, 1], count: 4, nan: 1 });
  });
  it("refuses edges that do not match the counts", () => {
    expect(() => parseHistogram({ edges: [0, 1], counts: [1, 2] })).toThrow(/needs 3 edges, not 2/);
  });
  it("refuses what is not a histogram", () => {
    expect(() => parseHistogram([1, 2])).toThrow(/edges/);
    expect(() => parseHistogram(null)).toThrow(/JSON object/);
  });
});

describe("ridgeLayout", () => {
  const steps: StepHistogram[] = [
    { step: 0, histogram: hist([0, 1, 2], [2, 0]) },
    { step: 10, histogram: hist([1, 3], [4]) },
  ];
  it("shares one x axis over every step", () => {
    const layout = ridgeLayout(steps, 300, 100);
    expect(layout.low).toBe(0);
    expect(layout.high).toBe(3);
  });
  it("scales bins by density, not by count", () => {
    const layout = ridgeLayout(steps, 300, 100);
    // step 0: 2 values in a bin 1 wide (density 2); step 10: 4 values in a bin 2 wide (density 2)
    expect(layout.rows[0]?.cells[0]?.level).toBe(1);
    expect(layout.rows[1]?.cells[0]?.level).toBe(1);
    expect(layout.rows[0]?.cells[1]?.level).toBe(0);
    expect(layout.rows[1]?.cells[0]).toMatchObject({ x: 100, width: 200 });
  });
  it("puts the earliest step at the top and the latest on the bottom edge", () => {
    const layout = ridgeLayout(steps, 300, 100);
    expect(layout.rows.map((r) => r.step)).toEqual([0, 10]);
    expect(layout.rows[0]?.y).toBeCloseTo(40);
    expect(layout.rows[1]?.y).toBeCloseTo(100);
    expect(layout.rows[0]?.path.startsWith("M0,40L0,0L100,0")).toBe(true);
  });
  it("gives heat rows equal bands", () => {
    const layout = ridgeLayout(steps, 300, 100, "heat");
    expect(layout.rows.map((r) => r.y)).toEqual([0, 50]);
    expect(layout.gap).toBe(50);
  });
  it("leaves an empty step without a ridge", () => {
    const empty = { step: 5, histogram: parseHistogram({ edges: [0, 1], counts: [0], count: 0 }) };
    const layout = ridgeLayout([empty, ...steps], 300, 100);
    expect(layout.rows[0]?.path).toBe("");
    expect(layout.low).toBe(0);
  });
});

describe("hover", () => {
  const steps: StepHistogram[] = [
    { step: 0, histogram: hist([0, 1, 2], [2, 5]) },
    { step: 10, histogram: hist([1, 3], [4]) },
  ];
  it("finds the step and bin under the pointer", () => {
    const layout = ridgeLayout(steps, 300, 100);
    expect(hoverAt(layout, steps, 150, 30)).toEqual({ step: 0, value: 1.5, bin: { low: 1, high: 2, count: 5 } });
    expect(hoverAt(layout, steps, 150, 90)?.step).toBe(10);
  });
  it("says when the value is outside the step's bins", () => {
    const layout = ridgeLayout(steps, 300, 100);
    expect(hoverAt(layout, steps, 30, 95)).toMatchObject({ step: 10, bin: null });
  });
  it("binAt puts the top edge in the last bin", () => {
    expect(binAt(hist([0, 1, 2], [2, 5]), 2)).toEqual({ low: 1, high: 2, count: 5 });
    expect(binAt(hist([0, 1, 2], [2, 5]), 0)).toEqual({ low: 0, high: 1, count: 2 });
    expect(binAt(hist([0, 1, 2], [2, 5]), 2.5)).toBeNull();
  });
});
