// The workspace's state in the URL: `q`, `sort` and `cols` as readable parameters (links from
// before the workspace keep working), everything else that differs from the default as one
// JSON parameter `ws`. A saved view's id rides along in `view`.
import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router-dom";
import { joinList, splitList } from "../../lib/url-state";
import { clamped, finite, isRecord, MAX_SMOOTHING, oneOf, SMOOTHING_KINDS, strings } from "./panel-check";
import { readPanelEdits } from "./panel-edits";
import { DEFAULT_VIEW, MAX_SPLIT, MIN_SPLIT, PANES, type ViewState } from "./view";

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

/** The most jobs the charts show at once (the batch series read takes 100). */
export const MAX_VISIBLE = 100;

const LISTS = ["pin", "group", "groupMetrics", "hide", "show", "collapsed"] as const;

/** The `ws` parameter's fields, each checked as its field expects: lists keep their strings,
 * numbers are clamped to their range, choices must be one of theirs, panels are checked per
 * kind; anything else (and unknown fields) is dropped, so the default applies. */
function readExtra(raw: string | null): Partial<ViewState> {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return {};
  }
  if (!isRecord(parsed)) return {};
  const out: Partial<ViewState> = {};
  for (const key of LISTS) {
    const list = strings(parsed[key]);
    if (list) out[key] = list;
  }
  if (isRecord(parsed.widths)) out.widths = Object.fromEntries(Object.entries(parsed.widths).filter(([, w]) => (finite(w) ?? 0) > 0)) as Record<string, number>;
  const visible = clamped(parsed.visibleCount, 0, MAX_VISIBLE, null, true);
  if (visible !== null) out.visibleCount = visible;
  if (typeof parsed.panelSearch === "string") out.panelSearch = parsed.panelSearch;
  if ("panels" in parsed) out.panels = readPanelEdits(parsed.panels);
  // the toolbar's x: another metric is a panel's own choice only
  const x = oneOf(parsed.x, ["step", "time", "relative"] as const);
  if (x) out.x = x;
  if (typeof parsed.logY === "boolean") out.logY = parsed.logY;
  const smoothing = clamped(parsed.smoothing, 0, MAX_SMOOTHING, null);
  if (smoothing !== null) out.smoothing = smoothing;
  const kind = oneOf(parsed.smoothingKind, SMOOTHING_KINDS);
  if (kind) out.smoothingKind = kind;
  const split = clamped(parsed.split, MIN_SPLIT, MAX_SPLIT, null);
  if (split !== null) out.split = split;
  const pane = oneOf(parsed.pane, PANES);
  if (pane) out.pane = pane;
  return out;
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
