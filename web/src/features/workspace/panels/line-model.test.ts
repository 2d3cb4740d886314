import { describe, expect, it } from "vitest";
import type { WireFloat } from "../../../lib/api/types";
import { defaultLineSettings } from "../model";
import type { WorkspaceJob } from "../panel-types";
import { singleValueMetrics, type SeriesData } from "../series-data";
import { DEFAULT_VIEW } from "../view";
import { shapeLine, type SeriesOf } from "./line-model";

const job = (id: string, color: string): WorkspaceJob => ({ id, name: id, color, dash: [], t0: 100, live: false, status: "completed" });
const JOBS = [job("a", "#4e79a7"), job("b", "#f28e2b")];
const SERIES: Record<string, { steps: number[]; times: number[]; values: WireFloat[] }> = {
  "a|loss": { steps: [0, 1, 2, 3], times: [100, 110, 120, 130], values: [4, 3, 1000, 1] },
  "b|loss": { steps: [0, 2], times: [100, 150], values: [5, "NaN"] },
  "a|lr": { steps: [0, 1, 2, 3], times: [100, 110, 120, 130], values: [0.4, 0.3, 0.2, 0.1] },
  "a|noisy": { steps: Array.from({ length: 200 }, (_, i) => i), times: Array.from({ length: 200 }, (_, i) => 100 + i), values: Array.from({ length: 200 }, (_, i) => (i === 50 ? 1e6 : i % 7)) },
  "a|score": { steps: [9], times: [200], values: [0.9] },
  "b|score": { steps: [9], times: [200], values: [0.8] },
};
const seriesOf: SeriesOf = (jobId, key) => SERIES[`${jobId}|${key}`];

describe("line panel shape", () => {
  it("one line per job on the union of steps, NaN marked, in the jobs' colours", () => {
    const shape = shapeLine(defaultLineSettings("loss"), DEFAULT_VIEW, JOBS, seriesOf);
    expect(shape.x).toEqual([0, 1, 2, 3]);
    const drawn = shape.lines.filter((l) => !l.faint);
    expect(drawn.map((l) => [l.id, l.color])).toEqual([
      ["a", "#4e79a7"],
      ["b", "#f28e2b"],
    ]);
    expect(drawn[1]?.values).toEqual([5, null, null, null]);
    // the faint raw lines are there at 0 as gaps (a smoothing change never rebuilds the chart)
    expect(shape.lines.filter((l) => l.faint).map((l) => l.values)).toEqual([
      [null, null, null, null],
      [null, null, null, null],
    ]);
    expect(shape.markers).toEqual([{ x: 2, kind: "NaN", color: "#f28e2b" }]);
    expect(shape.points).toBe(6);
  });

  it("relative time, another metric as x, and smoothing with a faint raw line", () => {
    expect(shapeLine({ ...defaultLineSettings("loss"), x: "relative" }, DEFAULT_VIEW, JOBS, seriesOf).x).toEqual([0, 10, 20, 30, 50]);
    const byLr = shapeLine({ ...defaultLineSettings("loss"), x: "metric:lr" }, DEFAULT_VIEW, JOBS, seriesOf);
    expect(byLr.xAxis).toBe("value");
    expect(byLr.x).toEqual([0.1, 0.2, 0.3, 0.4]);
    expect(byLr.lines[1]?.values).toEqual([1, 1000, 3, 4]);
    expect(byLr.lines[0]?.values).toEqual([null, null, null, null]);
    const smooth = shapeLine(defaultLineSettings("loss"), { ...DEFAULT_VIEW, smoothing: 0.5, smoothingKind: "time" }, JOBS, seriesOf);
    expect(smooth.lines.map((l) => Boolean(l.faint))).toEqual([true, false, true, false]);
  });

  it("a fixed range or the clipped percentiles bound y; the panel's log y, when set, wins over the workspace's", () => {
    expect(shapeLine({ ...defaultLineSettings("loss"), yMin: 0, yMax: 10 }, DEFAULT_VIEW, JOBS, seriesOf).yRange).toEqual({ min: 0, max: 10 });
    const clipped = shapeLine({ ...defaultLineSettings("noisy"), clip: true }, DEFAULT_VIEW, JOBS, seriesOf).yRange;
    expect(clipped).toEqual({ min: 0, max: 6 });
    expect(shapeLine({ ...defaultLineSettings("loss"), logY: true }, DEFAULT_VIEW, JOBS, seriesOf).logY).toBe(true);
    expect(shapeLine(defaultLineSettings("loss"), { ...DEFAULT_VIEW, logY: true }, JOBS, seriesOf).logY).toBe(true);
    expect(shapeLine({ ...defaultLineSettings("loss"), logY: false }, { ...DEFAULT_VIEW, logY: true }, JOBS, seriesOf).logY).toBe(false);
  });

  it("a panel's x, when set, wins over the workspace's: step undoes the workspace's time", () => {
    const onTime = { ...DEFAULT_VIEW, x: "time" as const };
    expect(shapeLine(defaultLineSettings("loss"), onTime, JOBS, seriesOf).xLabel).toBe("time");
    expect(shapeLine({ ...defaultLineSettings("loss"), x: "step" }, onTime, JOBS, seriesOf).x).toEqual([0, 1, 2, 3]);
    expect(shapeLine({ ...defaultLineSettings("loss"), x: "relative" }, onTime, JOBS, seriesOf).xLabel).toBe("elapsed");
  });

  it("metrics each job logged once are told apart (drawn as bars)", () => {
    const data: SeriesData = { get: (jobId, key) => seriesOf(jobId, key) as never, stamp: 1, loaded: true, error: null };
    expect([...singleValueMetrics(["loss", "score", "lr"], ["a", "b"], data)]).toEqual(["score"]);
    expect(shapeLine(defaultLineSettings("score"), DEFAULT_VIEW, JOBS, seriesOf).singles?.map((s) => s.value)).toEqual([0.9, 0.8]);
    expect(singleValueMetrics(["score"], ["a"], { ...data, loaded: false }).size).toBe(0);
  });
});
