import { describe, expect, it } from "vitest";
import { scaleColor } from "../../../lib/chart-scales";
import { brushed } from "../../../lib/parallel-axes";
import { PALETTE } from "../../../lib/palette";
import { BACKGROUND_LINE, drawOrder, lineStyles, MAX_AXES, parallelAxes } from "./parallel-model";

const answer = {
  ids: ["a", "b", "c"],
  columns: { "params.lr": [0.1, 0.01, null], "params.opt": ["sgd", "adam", "sgd"], "metrics.loss.min": [0.5, "NaN", 0.25] },
};

describe("parallel axes", () => {
  it("are one per field, labelled as fields read, numbers and categories apart", () => {
    const axes = parallelAxes(answer, ["params.lr", "params.opt", "metrics.loss.min", "params.absent"]);
    expect(axes.map((a) => [a.label, a.kind])).toEqual([
      ["lr", "linear"],
      ["opt", "category"],
      ["loss (min)", "linear"],
      ["absent", "linear"],
    ]);
    expect(axes[0]?.positions).toEqual([1, 0, null]);
    expect(axes[1]?.categories).toEqual(["adam", "sgd"]);
    expect(axes[2]?.positions).toEqual([1, null, 0]);
    expect(axes[3]?.positions).toEqual([null, null, null]);
  });

  it("stop at MAX_AXES", () => {
    const fields = Array.from({ length: MAX_AXES + 3 }, (_, i) => `params.p${i}`);
    expect(parallelAxes({ ids: [], columns: {} }, fields)).toHaveLength(MAX_AXES);
  });

  it("brush: only the jobs inside every brush stay highlighted", () => {
    const axes = parallelAxes(answer, ["params.lr", "metrics.loss.min"]);
    expect(brushed(axes, { "params.lr": [0.5, 1] }, 3)).toEqual([true, false, false]);
    expect(brushed(axes, { "metrics.loss.min": [0, 0.1] }, 3)).toEqual([false, false, true]);
  });
});

describe("line colours", () => {
  it("are the visible jobs' own over grey without a colour field, grey drawn first", () => {
    const styles = lineStyles(answer, null, new Map([["b", "#f00"]]));
    expect(styles.map((s) => s.color)).toEqual([BACKGROUND_LINE, "#f00", BACKGROUND_LINE]);
    expect(drawOrder(styles)).toEqual([0, 2, 1]);
  });

  it("follow a numeric field on the scale, grey where it is missing or not finite", () => {
    const styles = lineStyles(answer, "metrics.loss.min", new Map());
    expect(styles.map((s) => s.color)).toEqual([scaleColor(1), BACKGROUND_LINE, scaleColor(0)]);
  });

  it("follow a categorical field in the palette", () => {
    const styles = lineStyles(answer, "params.opt", new Map());
    expect(styles.map((s) => s.color)).toEqual([PALETTE[1], PALETTE[0], PALETTE[1]]);
  });
});
