import { describe, expect, it } from "vitest";
import { mergePanels } from "./panel-edits";
import { seriesKeys } from "./model";
import { decodeView, encodeView, MAX_VISIBLE } from "./use-view";
import { DEFAULT_VIEW } from "./view";

const ws = (value: unknown) => decodeView(new URLSearchParams({ ws: JSON.stringify(value) }));

describe("a malformed ws parameter", () => {
  it("choices must be one of theirs, numbers are clamped to their range", () => {
    expect(ws({ pane: "x", smoothingKind: "gauss", x: "metric:lr", logY: "yes" })).toEqual(DEFAULT_VIEW);
    expect(ws({ pane: "charts", x: "time", smoothingKind: "time", logY: true })).toEqual({ ...DEFAULT_VIEW, pane: "charts", x: "time", smoothingKind: "time", logY: true });
    expect(ws({ split: 7, smoothing: -1, visibleCount: 1e9 })).toMatchObject({ split: 0.85, smoothing: 0, visibleCount: MAX_VISIBLE });
    expect(ws({ split: 0.01, smoothing: 5, visibleCount: 2.6 })).toMatchObject({ split: 0.15, smoothing: 0.99, visibleCount: 3 });
    expect(ws({ split: "NaN", visibleCount: null })).toEqual(DEFAULT_VIEW);
  });

  it("lists keep their strings, widths their positive numbers", () => {
    expect(ws({ hide: ["a", 1, null, "b"], group: "params.lr", widths: { name: 300, lr: -5, tags: "wide" } })).toEqual({ ...DEFAULT_VIEW, hide: ["a", "b"], widths: { name: 300 } });
  });

  it("panels are checked per kind: bad ones dropped, missing settings filled, sizes clamped", () => {
    const view = ws({
      panels: {
        added: [
          { id: "line-1", kind: "line", w: 7, h: 0, settings: { metric: "loss" } },
          { id: "line-2", kind: "line", settings: { x: "step" } },
          { id: "scatter-1", kind: "scatter", settings: { x: "params.lr" } },
          { id: "bar-1", kind: "bar", settings: { metric: "acc", style: "pie" } },
          { id: "media-1", kind: "media", settings: { key: "img", step: -4.2 } },
          { id: "parallel-1", kind: "parallel", settings: { fields: ["params.lr", 3], color: 5 } },
          { id: "h-1", kind: "histogram", settings: { key: "w", mode: "3d" } },
          { kind: "importance", settings: { metric: "metrics.loss.min" } },
        ],
      },
    });
    const panels = mergePanels([], view.panels);
    expect(panels.map((p) => [p.id, p.w, p.h])).toEqual([
      ["line-1", 3, 1],
      ["bar-1", 1, 1],
      ["media-1", 1, 1],
      ["parallel-1", 1, 1],
      ["h-1", 1, 1],
    ]);
    expect(panels.map((p) => p.settings)).toEqual([
      { metric: "loss", x: null, logX: false, logY: null, yMin: null, yMax: null, clip: false, smoothing: null, smoothingKind: null },
      { metric: "acc", style: "bar" },
      { key: "img", step: 0 },
      { fields: ["params.lr"], color: null },
      { key: "w", mode: "ridges" },
    ]);
    // a line without x no longer breaks the series it asks for (the bar's metric is read in the same batch)
    expect(seriesKeys(panels)).toEqual(["loss", "acc"]);
  });

  it("a line panel's own settings out of range are clamped or reset", () => {
    const view = ws({ panels: { added: [{ id: "l", kind: "line", settings: { metric: "m", x: "metric:", smoothing: 3, smoothingKind: "box", yMin: 5, yMax: 1, logY: false } }] } });
    expect(mergePanels([], view.panels)[0]?.settings).toMatchObject({ x: null, smoothing: 0.99, smoothingKind: null, yMin: 5, yMax: null, logY: false });
  });

  it("the checked view round-trips through the URL", () => {
    const view = ws({ panels: { added: [{ id: "line-1", kind: "line", settings: { metric: "loss", x: "step", logY: false } }], removed: ["gen:acc"] }, split: 0.3 });
    expect(decodeView(encodeView(view))).toEqual(view);
  });
});
