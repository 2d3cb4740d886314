import { describe, expect, it } from "vitest";
import { generatedPanels, movePanel, removePanel, resizePanel, sections, updatePanel } from "./model";
import { diffPanels, mergePanels, readPanelEdits } from "./panel-edits";
import type { PanelSpec } from "./view";

const ids = (list: readonly PanelSpec[]) => list.map((p) => p.id);
const scatter: PanelSpec = { id: "scatter-1", kind: "scatter", section: null, w: 2, h: 1, title: null, settings: { x: "params.lr", y: "metrics.loss.min", color: null, logX: true, logY: false } };

describe("panels as differences from the generated ones", () => {
  const generated = generatedPanels(["loss", "acc", "train/loss", "train/acc"]);

  it("no edits: the generated panels; an edit undone: no edits again", () => {
    expect(mergePanels(generated, null)).toEqual(generated);
    const wide = resizePanel(generated, "gen:loss", { w: 3 });
    const edits = diffPanels(generated, wide);
    expect(edits).toEqual({ added: [], changed: { "gen:loss": { w: 3 } }, removed: [], order: [] });
    expect(diffPanels(generated, resizePanel(mergePanels(generated, edits), "gen:loss", { w: 1 }), edits)).toBeNull();
  });

  it("store only what the edits change, and merge back into the same list", () => {
    let list = resizePanel(generated, "gen:acc", { h: 2 });
    list = updatePanel(list, "gen:loss", (p) => (p.kind === "line" ? { ...p, title: "Loss", settings: { ...p.settings, logY: false, smoothing: 0.5 } } : p));
    list = removePanel(list, "gen:train/acc");
    list = [...list, scatter];
    list = movePanel(list, "gen:loss", "gen:acc");
    const edits = diffPanels(generated, list);
    expect(edits).toEqual({
      added: [scatter],
      changed: { "gen:acc": { h: 2 }, "gen:loss": { title: "Loss", settings: { logY: false, smoothing: 0.5 } } },
      removed: ["gen:train/acc"],
      // only the reordered section's order ("Charts"), not every panel's
      order: ["gen:loss", "gen:acc", "scatter-1"],
    });
    // the same panels in each section, in the same order
    expect(sections(mergePanels(generated, edits))).toEqual(sections(list));
    // the edits stay as small as the edits are, whatever the number of metrics
    const many = generatedPanels(Array.from({ length: 150 }, (_, i) => `train/m${i}`));
    const one = diffPanels(many, resizePanel(many, "gen:train/m7", { w: 2 }));
    expect(JSON.stringify(one).length).toBeLessThan(100);
  });

  it("metrics logged after the edits still get panels, after the reordered ones of their section", () => {
    const edits = diffPanels(generated, removePanel(movePanel(generated, "gen:loss", "gen:acc"), "gen:train/acc"));
    const later = generatedPanels(["loss", "acc", "train/loss", "train/acc", "bleu", "train/lr"]);
    expect(ids(mergePanels(later, edits))).toEqual(["gen:loss", "gen:acc", "gen:bleu", "gen:train/loss", "gen:train/lr"]);
  });

  it("a line's change keeps only what a bar has when its metric turns out logged once", () => {
    const edits = diffPanels(generated, updatePanel(generated, "gen:acc", (p) => (p.kind === "line" ? { ...p, w: 2, settings: { ...p.settings, x: "time" } } : p)));
    const asBar = mergePanels(generatedPanels(["acc"], new Set(["acc"])), edits);
    expect(asBar).toEqual([{ id: "gen:acc", kind: "bar", section: null, w: 2, h: 1, title: null, settings: { metric: "acc", style: "bar" } }]);
  });

  it("an edit made before the metrics are known keeps the edits about them", () => {
    const edits = diffPanels(generated, removePanel(resizePanel(generated, "gen:acc", { w: 2 }), "gen:loss"));
    const next = diffPanels([], [scatter], edits);
    expect(next).toEqual({ added: [scatter], changed: { "gen:acc": { w: 2 } }, removed: ["gen:loss"], order: [] });
    expect(ids(mergePanels(generated, next))).toEqual(["gen:acc", "gen:train/acc", "gen:train/loss", "scatter-1"]);
  });
});

describe("panel edits read from a URL or a saved view", () => {
  it("drop bad panels and entries, clamp sizes; nothing left reads as no edits", () => {
    const edits = readPanelEdits({
      added: [scatter, { ...scatter }, { id: "line-2", kind: "line", settings: {} }, { id: "x", kind: "pie", settings: {} }, { id: "gen:loss", kind: "bar", settings: { metric: "loss" } }, 5],
      changed: { "gen:acc": { w: 9, h: "tall", settings: { x: "bogus" } }, "gen:b": "wide", "gen:c": {} },
      removed: ["gen:lr", 3],
      order: "gen:acc",
    });
    expect(edits).toEqual({ added: [scatter], changed: { "gen:acc": { w: 3, h: 1, settings: { x: "bogus" } } }, removed: ["gen:lr"], order: [] });
    // a setting of the wrong type takes the kind's default when merged
    expect(mergePanels(generatedPanels(["acc"]), edits)[0]).toMatchObject({ id: "gen:acc", w: 3, settings: { x: null } });
    expect(readPanelEdits({ added: [], changed: {}, removed: [], order: [] })).toBeNull();
    expect(readPanelEdits("panels")).toBeNull();
  });

  it("an explicit list of the first version loads: its panels, their settings and order", () => {
    const [acc, loss] = generatedPanels(["acc", "loss"]).map((p) => (p.kind === "line" ? { ...p, settings: { ...p.settings, x: "step", logY: false } } : p)) as [PanelSpec, PanelSpec];
    const old = [{ ...loss, w: 2, settings: { ...loss.settings, logY: true } }, acc, { ...scatter, id: "scatter-3" }];
    const edits = readPanelEdits(old);
    expect(edits).toEqual({ added: [{ ...scatter, id: "scatter-3" }], changed: { "gen:loss": { w: 2, settings: { logY: true } } }, removed: [], order: ["gen:loss", "gen:acc", "scatter-3"] });
    // x "step" and log y off meant "the workspace's" then
    const merged = mergePanels(generatedPanels(["acc", "loss", "bleu"]), edits);
    expect(ids(merged)).toEqual(["gen:loss", "gen:acc", "scatter-3", "gen:bleu"]);
    expect(merged[1]).toEqual(generatedPanels(["acc"])[0]);
  });
});
