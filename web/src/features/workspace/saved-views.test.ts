import { describe, expect, it } from "vitest";
import { hasNoState, isModified, namedView, stateToView, viewParams } from "./saved-views";
import { decodeView } from "./use-view";
import { DEFAULT_VIEW, type ViewState } from "./view";

const saved: ViewState = { ...DEFAULT_VIEW, q: "params.lr > 0.01", cols: ["params.lr"], panels: { added: [], changed: { "gen:loss": { h: 2 } }, removed: ["gen:acc"], order: [] }, smoothing: 0.5, pane: "charts" };

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

  it("a link naming only a view opens that view's state", () => {
    const items = [
      { id: "v1", state: saved },
      { id: "v2", state: DEFAULT_VIEW },
    ];
    expect(namedView(new URLSearchParams("view=v1&tab=x"), items)?.id).toBe("v1");
    // other view parameters: the URL's own state stands
    expect(namedView(new URLSearchParams("view=v1&q=x"), items)).toBeNull();
    expect(namedView(new URLSearchParams("view=v1&ws=%7B%7D"), items)).toBeNull();
    // unknown, or nothing to load beyond the defaults the page shows already
    expect(namedView(new URLSearchParams("view=v9"), items)).toBeNull();
    expect(namedView(new URLSearchParams("view=v2"), items)).toBeNull();
    expect(namedView(new URLSearchParams("sel=a"), items)).toBeNull();
  });
});
