// Saved views as the workspace reads them: a server view's state back to a ViewState, the
// URL that loads it, and whether the page still shows it unchanged.
import { decodeView, encodeView } from "./use-view";
import { DEFAULT_VIEW, type ViewState } from "./view";

/** The URL parameters a view owns (plus `view`, the saved view's id). */
const VIEW_PARAMS = ["q", "sort", "cols", "ws", "view"] as const;

/** A saved state as a view: fields of the wrong type, and unknown ones, fall back to the
 * defaults (a view saved by an older or newer GUI still opens). */
export function stateToView(state: unknown): ViewState {
  if (typeof state !== "object" || state === null || Array.isArray(state)) return { ...DEFAULT_VIEW };
  const record = state as Record<string, unknown>;
  const params = new URLSearchParams({ ws: JSON.stringify(record) });
  if (typeof record.q === "string" && record.q) params.set("q", record.q);
  if (typeof record.sort === "string") params.set("sort", record.sort);
  const view = decodeView(params);
  if (Array.isArray(record.cols) && record.cols.every((c) => typeof c === "string")) view.cols = record.cols as string[];
  return view;
}

/** The query string that shows `view` (as saved view `id`, when given), keeping the
 * current parameters that are not the view's. */
export function viewParams(view: ViewState, id: string | null, current: URLSearchParams): URLSearchParams {
  const base = new URLSearchParams(current);
  for (const name of VIEW_PARAMS) base.delete(name);
  base.delete("sel");
  const next = encodeView(view, base);
  if (id) next.set("view", id);
  return next;
}

/** Whether the page shows a state other than `saved` (the "modified" mark). */
export function isModified(current: ViewState, saved: unknown): boolean {
  return encodeView(current).toString() !== encodeView(stateToView(saved)).toString();
}

/** Whether the URL names no state at all (then the project's default view applies). */
export function hasNoState(params: URLSearchParams): boolean {
  return VIEW_PARAMS.every((name) => !params.has(name));
}

/** The saved view a link opens when `view` is its only view parameter (`?view=<id>`): that
 * view, unless it is unknown or holds only defaults (the URL shows it already). */
export function namedView<T extends { id: string; state: unknown }>(params: URLSearchParams, items: readonly T[]): T | null {
  const id = params.get("view");
  if (id === null || VIEW_PARAMS.some((name) => name !== "view" && params.has(name))) return null;
  const target = items.find((item) => item.id === id) ?? null;
  return target && encodeView(stateToView(target.state)).toString() !== "" ? target : null;
}
