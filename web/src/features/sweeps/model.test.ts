import { describe, expect, it } from "vitest";
import {
  addableCount,
  bestSoFar,
  buildAxis,
  DARK_SCALE_FLOOR,
  choiceName,
  goodness,
  importanceBars,
  niceTicks,
  paddedRange,
  objectivesOf,
  paramKeys,
  paretoFront,
  parseTrialSort,
  progressText,
  scaleColor,
  sortTrials,
  sweepActions,
  sweepAxes,
  trialValue,
  whyNoMoreTrials,
  type SweepLike,
  type TrialLike,
} from "./model";

const SEARCH = { sampler: "tpe", space: { lr: { type: "float", low: 0.001, high: 0.1 } } };

const trial = (number: number, values: unknown[] | null, state = "complete", params: Record<string, unknown> = {}): TrialLike => ({ number, state, params, values });

describe("objectives", () => {
  it("read one objective, a list, or a bare metric name", () => {
    expect(objectivesOf({ objective: { metric: "val_loss", direction: "minimize", summary: "min" } })).toEqual([{ metric: "val_loss", direction: "minimize", summary: "min" }]);
    expect(objectivesOf({ objective: [{ metric: "acc", direction: "maximize" }, { metric: "latency" }] }).map((o) => o.direction)).toEqual(["maximize", "minimize"]);
    expect(objectivesOf({ objective: "loss" })).toEqual([{ metric: "loss", direction: "minimize", summary: "last" }]);
    expect(objectivesOf(null)).toEqual([]);
  });
  it("name the sampler and pruner in either form", () => {
    expect(choiceName("tpe", "random")).toBe("tpe");
    expect(choiceName({ name: "cmaes", seed: 1 }, "random")).toBe("cmaes");
    expect(choiceName(null, "none")).toBe("none");
  });
  it("read wire values, keeping NaN and infinities", () => {
    expect(trialValue(trial(0, [0.5]))).toBe(0.5);
    expect(trialValue(trial(0, ["NaN"]))).toBeNaN();
    expect(trialValue(trial(0, ["-Infinity"]))).toBe(-Infinity);
    expect(trialValue(trial(0, null))).toBeNull();
    expect(trialValue(trial(0, [1]), 1)).toBeNull();
  });
});

describe("best so far", () => {
  it("carries the best finite value over the finished trials in trial order", () => {
    const trials = [trial(2, [0.3]), trial(0, [0.5]), trial(1, [0.7]), trial(3, ["NaN"]), trial(4, [0.1])];
    const minimum = bestSoFar(trials, "minimize");
    expect(minimum.x).toEqual([0, 1, 2, 3, 4]);
    expect(minimum.best).toEqual([0.5, 0.5, 0.3, 0.3, 0.1]);
    expect(minimum.values[3]).toBeNaN();
    expect(bestSoFar(trials, "maximize").best).toEqual([0.5, 0.7, 0.7, 0.7, 0.7]);
  });
  it("leaves out pruned, failed, running trials and missing values", () => {
    const trials = [trial(0, [9], "pruned"), trial(1, null, "failed"), trial(2, null, "running"), trial(3, [2]), trial(4, null)];
    expect(bestSoFar(trials, "minimize")).toEqual({ x: [3], values: [2], best: [2] });
  });
  it("has no best before a finite value", () => {
    expect(bestSoFar([trial(0, ["Infinity"]), trial(1, [3])], "minimize").best).toEqual([null, 3]);
    expect(bestSoFar([], "minimize")).toEqual({ x: [], values: [], best: [] });
  });
  it("reads the second objective when asked", () => {
    expect(bestSoFar([trial(0, [1, 5]), trial(1, [2, 4])], "minimize", 1).best).toEqual([5, 4]);
  });
});

describe("Pareto front", () => {
  it("keeps the points no other point beats in both objectives", () => {
    const points = [
      [1, 5],
      [2, 2],
      [5, 1],
      [3, 3], // dominated by [2, 2]
      [2, 6], // dominated by [1, 5]
    ];
    expect(paretoFront(points, ["minimize", "minimize"])).toEqual([0, 1, 2]);
  });
  it("follows each objective's direction", () => {
    // maximize accuracy, minimize latency
    const points = [
      [0.9, 10],
      [0.8, 5],
      [0.7, 8], // worse than [0.8, 5] in both
      [0.95, 30],
    ];
    expect(paretoFront(points, ["maximize", "minimize"])).toEqual([0, 1, 3]);
  });
  it("never puts a missing or non-finite point on the front, and keeps ties", () => {
    const points = [[NaN, 0], [1, null], [Infinity, -Infinity], [2, 2], [2, 2]];
    expect(paretoFront(points, ["minimize", "minimize"])).toEqual([3, 4]);
    expect(paretoFront([], ["minimize", "minimize"])).toEqual([]);
  });
});

describe("parallel coordinate axes", () => {
  it("scale a float between the space's bounds, widened by values outside", () => {
    const axis = buildAxis("x", "x", [0, 5, 10], { type: "float", low: 0, high: 20 });
    expect(axis.kind).toBe("linear");
    expect(axis.positions).toEqual([0, 0.25, 0.5]);
    expect(buildAxis("x", "x", [30], { type: "float", low: 0, high: 20 }).max).toBe(30);
  });
  it("scale a log param by orders of magnitude", () => {
    const axis = buildAxis("lr", "lr", [1e-5, 1e-3, 0.1], { type: "float", low: 1e-5, high: 0.1, log: true });
    expect(axis.kind).toBe("log");
    expect(axis.positions[0]).toBeCloseTo(0);
    expect(axis.positions[1]).toBeCloseTo(0.5);
    expect(axis.positions[2]).toBeCloseTo(1);
  });
  it("place categories in the order of the space's choices, then unknown ones", () => {
    const axis = buildAxis("opt", "opt", ["sgd", "adam", "rmsprop", undefined], { type: "categorical", choices: ["sgd", "adam"] });
    expect(axis.kind).toBe("category");
    expect(axis.categories).toEqual(["sgd", "adam", "rmsprop"]);
    expect(axis.positions).toEqual([0, 0.5, 1, null]);
  });
  it("treat numeric and boolean choices as categories when the space says so", () => {
    const axis = buildAxis("bs", "bs", [32, 64, true], { type: "categorical", choices: [32, 64, true] });
    expect(axis.categories).toEqual(["32", "64", "true"]);
    expect(axis.positions).toEqual([0, 0.5, 1]);
  });
  it("leave conditional (missing), NaN and infinite values without a position", () => {
    const axis = buildAxis("m", "m", [undefined, 0.5, "NaN", "Infinity", 0.9, null]);
    expect(axis.positions).toEqual([null, 0, null, null, 1, null]);
  });
  it("centre an axis whose values are all equal, and cope with no values", () => {
    expect(buildAxis("c", "c", [3, 3]).positions).toEqual([0.5, 0.5]);
    const empty = buildAxis("e", "e", [undefined]);
    expect([empty.min, empty.max, empty.positions]).toEqual([0, 1, [null]]);
  });
  it("fall back to a linear scale when a log param has a non-positive value", () => {
    expect(buildAxis("x", "x", [0, 1], { type: "float", low: 0, high: 1, log: true }).kind).toBe("linear");
  });
  it("list the space's params in order, then the trials' others, then the objectives", () => {
    const trials = [trial(0, [1], "complete", { b: 1, a: 2, z: 1 }), trial(1, [2], "complete", { b: 2, a: 3, extra: "x" })];
    const space = { b: { type: "int", low: 0, high: 4 }, a: { type: "int", low: 0, high: 4 } };
    expect(paramKeys(space, trials)).toEqual(["b", "a", "extra", "z"]);
    const axes = sweepAxes(trials, space, [{ metric: "loss", direction: "minimize", summary: "last" }]);
    expect(axes.map((a) => a.label)).toEqual(["b", "a", "extra", "z", "loss (min)"]);
    expect(axes.at(-1)?.positions).toEqual([0, 1]);
  });
});

describe("colours by objective", () => {
  it("give the best value 1 and the worst 0 in either direction", () => {
    expect(goodness([1, 2, 3, null, NaN], "minimize")).toEqual([1, 0.5, 0, null, null]);
    expect(goodness([1, 2, 3], "maximize")).toEqual([0, 0.5, 1]);
    expect(goodness([4, 4], "minimize")).toEqual([1, 1]);
  });
  it("run from dark to bright, grey when missing", () => {
    expect(scaleColor(0)).toBe("rgb(68, 1, 84)");
    expect(scaleColor(1)).toBe("rgb(253, 231, 37)");
    expect(scaleColor(null)).toBe("#9a9a9a");
    expect(scaleColor(0.5)).toBe("rgb(33, 145, 140)");
    // on a dark background the worst is a lighter blue, the best still yellow
    expect(scaleColor(0, DARK_SCALE_FLOOR)).toBe("rgb(49, 107, 139)");
    expect(scaleColor(1, DARK_SCALE_FLOOR)).toBe("rgb(253, 231, 37)");
  });
});

describe("importances", () => {
  it("sort largest first, relative to the largest", () => {
    const bars = importanceBars([
      { param: "layers", importance: 0.2 },
      { param: "lr", importance: 0.8 },
      { param: "momentum", importance: "NaN" },
    ]);
    expect(bars.map((b) => [b.param, b.fraction])).toEqual([
      ["lr", 1],
      ["layers", 0.25],
      ["momentum", 0],
    ]);
  });
});

describe("the trials table", () => {
  const trials = [
    trial(0, [0.5], "complete", { lr: 0.1, opt: "sgd" }),
    trial(1, null, "pruned", { lr: 0.01, opt: "adam" }),
    trial(2, ["NaN"], "complete", { lr: 0.001 }),
    trial(3, [0.2], "complete", { lr: 0.5, opt: "adam" }),
  ];
  it("sorts by value with missing and NaN values last either way", () => {
    expect(sortTrials(trials, parseTrialSort("value:0")).map((t) => t.number)).toEqual([3, 0, 1, 2]);
    expect(sortTrials(trials, parseTrialSort("-value:0")).map((t) => t.number)).toEqual([0, 3, 1, 2]);
  });
  it("sorts by a param, numbers as numbers and text as text", () => {
    expect(sortTrials(trials, parseTrialSort("param:lr")).map((t) => t.number)).toEqual([2, 1, 0, 3]);
    expect(sortTrials(trials, parseTrialSort("param:opt")).map((t) => t.number)).toEqual([1, 3, 0, 2]);
  });
  it("sorts by number by default", () => {
    expect(parseTrialSort("")).toEqual({ key: "number", desc: false });
    expect(sortTrials([...trials].reverse(), parseTrialSort("")).map((t) => t.number)).toEqual([0, 1, 2, 3]);
  });
  it("counts pruned and failed trials as done", () => {
    expect(progressText({ running: 2, complete: 5, pruned: 3, failed: 1 }, 20)).toBe("9 / 20");
    expect(progressText(undefined, 10)).toBe("0 / 10");
  });
  it("offers the actions that apply", () => {
    const open = (status: string): SweepLike => ({ status, addable: true, trials: 10, spec: SEARCH });
    expect(sweepActions(open("running"))).toEqual({ stop: true, resume: false, add: true });
    expect(sweepActions(open("stopped"))).toEqual({ stop: false, resume: true, add: true });
    expect(sweepActions(open("completed"))).toEqual({ stop: false, resume: false, add: true });
    expect(sweepActions({ ...open("completed"), addable: false })).toEqual({ stop: false, resume: false, add: false });
  });
  it("say why no trials can be added, only where the server says so", () => {
    const sweep = (addable: boolean, spec: Record<string, unknown>, trials = 10): SweepLike => ({ status: "completed", addable, trials, spec });
    expect(whyNoMoreTrials(sweep(true, SEARCH), 10_000)).toBeNull();
    expect(whyNoMoreTrials(sweep(false, { params: [{ lr: 0.1 }], space: {} }), 10_000)).toMatch(/fixed list of param sets/);
    expect(whyNoMoreTrials(sweep(false, { params: [{ lr: 0.1 }] }), 10_000)).toMatch(/fixed list of param sets/);
    expect(whyNoMoreTrials(sweep(false, { ...SEARCH, sampler: { name: "grid" } }), 10_000)).toMatch(/every point of this sweep's grid/);
    expect(whyNoMoreTrials(sweep(false, SEARCH, 10_000), 10_000)).toBe("No trials can be added: the budget is at the most a sweep may have, 10,000 trials.");
  });
  it("add no more than the budget's room below the limit", () => {
    expect(addableCount(10, 10_000)).toBe(9_990);
    expect(addableCount(10_000, 10_000)).toBe(0);
  });
});

describe("scatter axes", () => {
  it("tick at round values", () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.13, 0.87, 4)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(-3, 12, 3)).toEqual([0, 5, 10]);
    expect(niceTicks(2, 2)).toEqual([2]);
    expect(niceTicks(NaN, 1)).toEqual([]);
  });
  it("pad the range, and open it around a single value", () => {
    expect(paddedRange([0, 10])).toEqual([-0.5, 10.5]);
    expect(paddedRange([5])).toEqual([4.5, 5.5]);
    expect(paddedRange([0])).toEqual([-1, 1]);
    expect(paddedRange([NaN])).toEqual([0, 1]);
  });
});
