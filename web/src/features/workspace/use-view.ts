// The workspace's state in the URL: `q`, `sort` and `cols` as readable parameters (links from
// before the workspace keep working), everything else that differs from the default as one
// JSON parameter `ws`. A saved view's id rides along in `view`.
import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router-dom";
import { joinList, splitList } from "../../lib/url-state";
import { DEFAULT_VIEW, type ViewState } from "./view";

const READABLE = ["q", "sort", "cols"] as const;

/** The view a query string describes; unreadable or foreign values fall back to defaults. */
export function decodeView(params: URLSearchParams): ViewState {
  const view: ViewState = { ...DEFAULT_VIEW, ...readExtra(params.get("ws")) };
  view.q = params.get("q") ?? DEFAULT_VIEW.q;
  view.sort = params.get("sort") ?? DEFAULT_VIEW.sort;
  const cols = params.get("cols");
  view.cols = cols ? splitList(cols) : [];
  return view;
}

/** Writes `view` into a copy of `params`: defaults leave no trace. */
export function encodeView(view: ViewState, params: URLSearchParams = new URLSearchParams()): URLSearchParams {
  const next = new URLSearchParams(params);
  setOrDelete(next, "q", view.q, DEFAULT_VIEW.q);
  setOrDelete(next, "sort", view.sort, DEFAULT_VIEW.sort);
  setOrDelete(next, "cols", joinList(view.cols), "");
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(view) as [keyof ViewState, unknown][]) {
    if ((READABLE as readonly string[]).includes(key) || key === "v") continue;
    if (JSON.stringify(value) !== JSON.stringify(DEFAULT_VIEW[key])) extra[key] = value;
  }
  setOrDelete(next, "ws", Object.keys(extra).length ? JSON.stringify(extra) : "", "");
  return next;
}

function setOrDelete(params: URLSearchParams, name: string, value: string, fallback: string) {
  if (value === fallback || value === "") params.delete(name);
  else params.set(name, value);
}

/** The `ws` parameter's fields whose type matches the default's; the rest is dropped. */
function readExtra(raw: string | null): Partial<ViewState> {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return {};
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!(key in DEFAULT_VIEW) || key === "v") continue;
    const fallback = DEFAULT_VIEW[key as keyof ViewState];
    const ok = fallback === null ? value === null || Array.isArray(value) : Array.isArray(fallback) ? Array.isArray(value) : typeof value === typeof fallback && value !== null;
    if (ok) out[key] = value;
  }
  return out as Partial<ViewState>;
}

/** The workspace's view from the URL, and a setter that merges a patch into it. With
 * `push`, the change is a history entry (Back undoes it). */
export function useViewState(): [ViewState, (patch: Partial<ViewState>, push?: boolean) => void] {
  const [params, setParams] = useSearchParams();
  const key = params.toString();
  const view = useMemo(() => decodeView(params), [key]); // eslint-disable-line react-hooks/exhaustive-deps
  const patch = useCallback(
    (changes: Partial<ViewState>, push = false) => {
      setParams((current) => encodeView({ ...decodeView(current), ...changes }, current), { replace: !push });
    },
    [setParams],
  );
  return [view, patch];
}
