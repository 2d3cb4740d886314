import { describe, expect, it } from "vitest";
import { generatedPanels } from "./model";
import { hasNoState, isModified, stateToView, viewParams } from "./saved-views";
import { decodeView } from "./use-view";
import { DEFAULT_VIEW, type ViewState } from "./view";

const saved: ViewState = { ...DEFAULT_VIEW, q: "params.lr > 0.01", cols: ["params.lr"], panels: generatedPanels(["loss"]), smoothing: 0.5, pane: "charts" };

describe("saved views", () => {
  it("a saved state opens as the same view, through the URL too", () => {
    const state = JSON.parse(JSON.stringify(saved)) as unknown;
    expect(stateToView(state)).toEqual(saved);
    const params = viewParams(stateToView(state), "v1", new URLSearchParams("sel=a&tab=x&q=old&ws=%7B%7D"));
    expect(params.get("view")).toBe("v1");
    expect(params.get("tab")).toBe("x");
    expect(params.has("sel")).toBe(false);
    expect(decodeView(params)).toEqual(saved);
  });

  it("a state from another GUI version falls back field by field", () => {
    expect(stateToView({ v: 2, q: 5, smoothing: "a lot", hide: ["j1"], future: true })).toEqual({ ...DEFAULT_VIEW, hide: ["j1"] });
    expect(stateToView(null)).toEqual(DEFAULT_VIEW);
  });

  it("is modified once the page's state differs from the saved one", () => {
    expect(isModified(saved, JSON.parse(JSON.stringify(saved)))).toBe(false);
    expect(isModified({ ...saved, smoothing: 0.6 }, saved)).toBe(true);
  });

  it("a URL without view parameters lets the default view apply", () => {
    expect(hasNoState(new URLSearchParams("sel=a"))).toBe(true);
    expect(hasNoState(new URLSearchParams("q=x"))).toBe(false);
    expect(hasNoState(new URLSearchParams("view=v1"))).toBe(false);
  });
});
