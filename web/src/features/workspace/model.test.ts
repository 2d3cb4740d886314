import { describe, expect, it } from "vitest";
import { decodeView, encodeView } from "./use-view";
import { DEFAULT_VIEW, type PanelSpec, type ViewState } from "./view";
import { generatedPanels, movePanel, movePanelInSection, newPanelId, removePanel, resizePanel, searchPanels, sectionOf, sections, seriesKeys, toggleVisible, visibleJobIds } from "./model";

describe("visible jobs", () => {
  const rows = Array.from({ length: 15 }, (_, i) => `j${i}`);

  it("are the first 10 rows of the current sort and filter by default", () => {
    expect(visibleJobIds(rows, DEFAULT_VIEW)).toEqual(rows.slice(0, 10));
  });

  it("leave out hidden jobs and add shown ones after the rest", () => {
    expect(visibleJobIds(rows, { visibleCount: 3, hide: ["j1"], show: ["j12", "j0"] })).toEqual(["j0", "j2", "j12"]);
  });

  it("toggle: hiding one of the first rows, showing another, and undoing either", () => {
    let view = { hide: [] as string[], show: [] as string[] };
    view = toggleVisible(view, "j1", true, true);
    expect(view).toEqual({ hide: ["j1"], show: [] });
    view = toggleVisible(view, "j1", false, true);
    expect(view).toEqual({ hide: [], show: [] });
    view = toggleVisible(view, "j12", false, false);
    expect(view).toEqual({ hide: [], show: ["j12"] });
    view = toggleVisible(view, "j12", true, false);
    expect(view).toEqual({ hide: [], show: [] });
  });
});

describe("generated panels and sections", () => {
  it("make one line panel per metric, and a bar for metrics logged once per job", () => {
    const panels = generatedPanels(["val/loss", "train/loss", "accuracy"], new Set(["accuracy"]));
    expect(panels.map((p) => [p.id, p.kind])).toEqual([
      ["gen:accuracy", "bar"],
      ["gen:train/loss", "line"],
      ["gen:val/loss", "line"],
    ]);
  });

  it("group by prefix: train, val, system, then Charts", () => {
    expect(sectionOf("train/loss")).toBe("train");
    expect(sectionOf("validation/acc")).toBe("val");
    expect(sectionOf("system/gpu0/util")).toBe("system");
    expect(sectionOf("lr")).toBe("Charts");
    expect(sectionOf("/x")).toBe("Charts");
    const grouped = sections(generatedPanels(["system/cpu", "lr", "val/loss", "train/loss", "train/acc"]));
    expect(grouped.map((s) => [s.name, s.panels.map((p) => p.id)])).toEqual([
      ["train", ["gen:train/acc", "gen:train/loss"]],
      ["val", ["gen:val/loss"]],
      ["system", ["gen:system/cpu"]],
      ["Charts", ["gen:lr"]],
    ]);
  });

  it("a panel's own section wins over its metric's prefix", () => {
    const [panel] = generatedPanels(["train/loss"]) as [PanelSpec];
    expect(sections([{ ...panel, section: "Mine" }]).map((s) => s.name)).toEqual(["Mine"]);
  });

  it("ask series for each line panel's metric and its x metric, and each bar panel's", () => {
    const [a, b] = generatedPanels(["loss", "bleu"], new Set(["bleu"])) as [PanelSpec, PanelSpec];
    const c: PanelSpec = { ...a, id: "c", kind: "line", settings: { ...(a.kind === "line" ? a.settings : ({} as never)), metric: "acc", x: "metric:lr" } };
    expect(seriesKeys([a, b, c]).sort()).toEqual(["acc", "bleu", "loss", "lr"]);
  });
});

describe("panel search", () => {
  const panels = generatedPanels(["train/loss", "val/loss", "train/acc"]);

  it("filters by a case-insensitive regex over metric names", () => {
    expect(searchPanels(panels, "LOSS$").panels.map((p) => p.id)).toEqual(["gen:train/loss", "gen:val/loss"]);
    expect(searchPanels(panels, "^val/|acc").panels).toHaveLength(2);
    expect(searchPanels(panels, "").panels).toHaveLength(3);
  });

  it("an invalid regex leaves the panels alone and says why", () => {
    const result = searchPanels(panels, "train/(");
    expect(result.panels).toHaveLength(3);
    expect(result.error).toMatch(/^Not a valid regular expression/);
  });
});

describe("panel edits", () => {
  const panels = generatedPanels(["a", "b", "c", "train/x", "train/y"]);
  const ids = (list: PanelSpec[]) => list.map((p) => p.id);

  it("remove, resize within 1–3 × 1–2, reorder by drag target or by one place", () => {
    expect(ids(removePanel(panels, "gen:b"))).toEqual(["gen:a", "gen:c", "gen:train/x", "gen:train/y"]);
    const resized = resizePanel(panels, "gen:a", { w: 9, h: 0 });
    expect([resized[0]?.w, resized[0]?.h]).toEqual([3, 1]);
    expect(ids(movePanel(panels, "gen:c", "gen:a"))).toEqual(["gen:c", "gen:a", "gen:b", "gen:train/x", "gen:train/y"]);
    expect(ids(movePanel(panels, "gen:a", 1))).toEqual(["gen:b", "gen:a", "gen:c", "gen:train/x", "gen:train/y"]);
    expect(ids(movePanel(panels, "gen:a", -1))).toEqual(ids(panels));
  });

  it("keyboard moves stay within the panel's section", () => {
    expect(ids(movePanelInSection(panels, "gen:train/x", 1))).toEqual(["gen:a", "gen:b", "gen:c", "gen:train/y", "gen:train/x"]);
    expect(ids(movePanelInSection(panels, "gen:c", 1))).toEqual(ids(panels));
  });

  it("new ids do not collide", () => {
    const one = newPanelId(panels, "scatter");
    expect(panels.some((p) => p.id === one)).toBe(false);
  });
});

describe("the view in the URL", () => {
  it("round-trips every field, defaults leaving no trace", () => {
    expect(encodeView(DEFAULT_VIEW).toString()).toBe("");
    const view: ViewState = {
      ...DEFAULT_VIEW,
      q: "status = running",
      sort: "-metrics.loss.min",
      cols: ["params.lr", "metrics.loss.last"],
      hide: ["j1"],
      show: ["j20"],
      panels: { added: generatedPanels(["loss"]).map((p) => ({ ...p, id: "line-1" })), changed: { "gen:acc": { w: 2, settings: { logY: false } } }, removed: ["gen:lr"], order: ["line-1", "gen:acc"] },
      panelSearch: "^val/",
      collapsed: ["system"],
      smoothing: 0.6,
      smoothingKind: "time",
      split: 0.3,
      pane: "charts",
    };
    const params = encodeView(view, new URLSearchParams("sel=a,b"));
    expect(params.get("sel")).toBe("a,b");
    expect(params.get("q")).toBe("status = running");
    expect(decodeView(params)).toEqual(view);
  });

  it("ignores unreadable or mistyped ws fields", () => {
    const params = new URLSearchParams({ ws: JSON.stringify({ split: "wide", hide: ["x"], nope: 1 }) });
    expect(decodeView(params)).toEqual({ ...DEFAULT_VIEW, hide: ["x"] });
    expect(decodeView(new URLSearchParams({ ws: "{" }))).toEqual(DEFAULT_VIEW);
  });
});
