import { describe, expect, it } from "vitest";
import { barDomain, barSeries, barsFromSeries, barsOf, jobsFilter } from "./bar-model";

const jobs = [
  { id: "a1", name: "first", color: "#111" },
  { id: "b2", name: "", color: "#222" },
  { id: "c3", name: "third", color: "#333" },
  { id: "d4", name: "fourth", color: "#444" },
];

describe("bars", () => {
  it("asks for exactly the visible jobs", () => {
    expect(jobsFilter(["a1", 'we"ird'])).toBe('id in ("a1", "we\\"ird")');
    expect(jobsFilter([])).toBe("");
  });

  it("give each job its value in the jobs' order, whatever order the answer has", () => {
    const answer = { ids: ["c3", "a1", "b2"], columns: { "metrics.acc.last": [0.5, 0.25, "NaN"] } };
    const bars = barsOf(jobs, answer, "metrics.acc.last");
    expect(bars.map((b) => [b.id, b.value, b.label])).toEqual([
      ["a1", 0.25, "0.25"],
      ["b2", NaN, "NaN"],
      ["c3", 0.5, "0.5"],
      ["d4", null, "not logged"],
    ]);
    expect(bars[1]?.name).toBe("b2");
    expect(bars[0]?.color).toBe("#111");
  });

  it("come from the workspace's series batch for every summary but the count", () => {
    expect(barSeries("score")).toEqual({ key: "score", aggregate: "last" });
    expect(barSeries("metrics.val/loss.min")).toEqual({ key: "val/loss", aggregate: "min" });
    expect(barSeries("metrics.loss.count")).toBeNull();
    const series: Record<string, { steps: number[]; values: unknown[] }> = { a1: { steps: [0, 5, 9], values: [3, "NaN", 1.5] }, b2: { steps: [2], values: ["Infinity"] } };
    const seriesOf = (id: string) => series[id];
    const lasts = barsFromSeries(jobs, seriesOf, "score", "last");
    expect(lasts.map((b) => [b.id, b.value, b.label])).toEqual([
      ["a1", 1.5, "1.5"],
      ["b2", Infinity, "∞"],
      ["c3", null, "not logged"],
      ["d4", null, "not logged"],
    ]);
    expect(barsFromSeries(jobs, seriesOf, "score", "max").map((b) => b.value).slice(0, 2)).toEqual([3, NaN]);
    expect(barsFromSeries(jobs, seriesOf, "score", "last_step")[0]?.value).toBe(9);
  });

  it("start at zero: the axis takes in 0 and skips values that are not finite", () => {
    const bars = barsOf(jobs, { ids: ["a1", "b2", "c3"], columns: { m: [3, -1, "Infinity"] } }, "m");
    expect(barDomain(bars)).toEqual([-1, 3]);
    expect(barDomain(barsOf(jobs, { ids: ["a1"], columns: { m: [5] } }, "m"))).toEqual([0, 5]);
    expect(barDomain([])).toEqual([0, 1]);
  });
});
