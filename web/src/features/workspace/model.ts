// The workspace's pure logic: which jobs the charts show, the panels generated from a
// project's metrics, their sections, the search over them, and the edits users make.
import { barSeries } from "./panels/bar-model";
import type { LineSettings, PanelKind, PanelSpec, ViewState } from "./view";

/** The visible jobs' ids: the first `visibleCount` of `rows` (the table's current sort and
 * filter) less `hide`, then `show` (jobs shown although not among those rows), no repeats. */
export function visibleJobIds(rows: readonly string[], view: Pick<ViewState, "visibleCount" | "hide" | "show">): string[] {
  const hidden = new Set(view.hide);
  const out: string[] = [];
  const seen = new Set<string>();
  for (const id of rows.slice(0, Math.max(0, view.visibleCount))) {
    if (hidden.has(id) || seen.has(id)) continue;
    seen.add(id);
    out.push(id);
  }
  for (const id of view.show) {
    if (hidden.has(id) || seen.has(id)) continue;
    seen.add(id);
    out.push(id);
  }
  return out;
}

/** The view change that flips one job's visibility, given whether it is visible now and
 * whether it is among the first `visibleCount` rows. */
export function toggleVisible(view: Pick<ViewState, "hide" | "show">, id: string, visible: boolean, inFirstRows: boolean): Pick<ViewState, "hide" | "show"> {
  const hide = view.hide.filter((x) => x !== id);
  const show = view.show.filter((x) => x !== id);
  if (visible) {
    // shown because it was asked for: forget the ask; among the first rows: hide it
    if (inFirstRows) hide.push(id);
  } else if (!inFirstRows) {
    show.push(id);
  }
  return { hide, show };
}

/** The sections metric names fall in, by prefix; everything else is in "Charts". */
export const KNOWN_SECTIONS = ["train", "val", "system"] as const;
export const OTHER_SECTION = "Charts";

/** A metric's section: its prefix before the first `/` for `train/`, `val/` and `system/`
 * (also `valid/`, `validation/`, `eval/` read as val), otherwise "Charts". */
export function sectionOf(metric: string): string {
  const slash = metric.indexOf("/");
  if (slash <= 0) return OTHER_SECTION;
  const prefix = metric.slice(0, slash).toLowerCase();
  if (prefix === "train" || prefix === "training") return "train";
  if (prefix === "val" || prefix === "valid" || prefix === "validation" || prefix === "eval") return "val";
  if (prefix === "system" || prefix === "sys") return "system";
  return OTHER_SECTION;
}

/** The metric a panel is about (the one its search and section go by). */
export function panelMetric(panel: PanelSpec): string {
  switch (panel.kind) {
    case "line":
    case "bar":
    case "importance":
      return panel.settings.metric;
    case "scatter":
      return panel.settings.y;
    case "parallel":
      return panel.settings.fields.join(" ");
    case "media":
    case "histogram":
      return panel.settings.key;
  }
}

export function panelSection(panel: PanelSpec): string {
  return panel.section ?? sectionOf(panelMetric(panel).replace(/^metrics\./, ""));
}

export function defaultLineSettings(metric: string): LineSettings {
  return { metric, x: null, logX: false, logY: null, yMin: null, yMax: null, clip: false, smoothing: null, smoothingKind: null };
}

/** One panel per metric, by name: a line, or a bar for metrics that each job logged once
 * (`single`: such metrics' names), which would draw empty axes as a line. */
export function generatedPanels(metrics: readonly string[], single: ReadonlySet<string> = new Set()): PanelSpec[] {
  return [...metrics].sort().map((metric) =>
    single.has(metric)
      ? { id: `gen:${metric}`, kind: "bar", section: null, w: 1, h: 1, title: null, settings: { metric, style: "bar" } }
      : { id: `gen:${metric}`, kind: "line", section: null, w: 1, h: 1, title: null, settings: defaultLineSettings(metric) },
  );
}

export interface PanelSearch {
  panels: PanelSpec[];
  /** The regex's error, shown once; the panels are then left unfiltered. */
  error: string | null;
}

/** The panels whose metric matches `pattern` (a case-insensitive regex; empty matches all).
 * An invalid regex filters nothing and says why. */
export function searchPanels(panels: readonly PanelSpec[], pattern: string): PanelSearch {
  if (!pattern.trim()) return { panels: [...panels], error: null };
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, "i");
  } catch (error) {
    return { panels: [...panels], error: `Not a valid regular expression: ${error instanceof Error ? error.message : String(error)}` };
  }
  return { panels: panels.filter((panel) => regex.test(panelMetric(panel)) || (panel.title !== null && regex.test(panel.title))), error: null };
}

export interface Section {
  name: string;
  panels: PanelSpec[];
}

/** Panels grouped by section: train, val, system first, then "Charts", then the sections
 * users named, each keeping its panels' order. */
export function sections(panels: readonly PanelSpec[]): Section[] {
  const bySection = new Map<string, PanelSpec[]>();
  for (const panel of panels) {
    const name = panelSection(panel);
    const list = bySection.get(name);
    if (list) list.push(panel);
    else bySection.set(name, [panel]);
  }
  const order = [...KNOWN_SECTIONS, OTHER_SECTION] as string[];
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  return [...bySection.entries()].sort(([a], [b]) => rank(a) - rank(b) || (rank(a) === order.length ? a.localeCompare(b) : 0)).map(([name, list]) => ({ name, panels: list }));
}

/** The metrics the panels need series of: each line panel's metric and its own x metric
 * (the workspace's x is never another metric), and each bar panel's (but for a count). */
export function seriesKeys(panels: readonly PanelSpec[]): string[] {
  const keys = new Set<string>();
  for (const panel of panels) {
    // a bar panel's summary comes from the same batch (live jobs' bars update with it)
    const bar = panel.kind === "bar" ? barSeries(panel.settings.metric) : null;
    if (bar) keys.add(bar.key);
    if (panel.kind !== "line") continue;
    keys.add(panel.settings.metric);
    const { x } = panel.settings;
    if (x?.startsWith("metric:")) keys.add(x.slice("metric:".length));
  }
  return [...keys];
}

// -- edits: each returns the new explicit panel list -----------------------------------------

export const WIDTHS = [1, 2, 3] as const;
export const HEIGHTS = [1, 2] as const;

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round(v)));

export function removePanel(panels: readonly PanelSpec[], id: string): PanelSpec[] {
  return panels.filter((p) => p.id !== id);
}

export function resizePanel(panels: readonly PanelSpec[], id: string, size: { w?: number; h?: number }): PanelSpec[] {
  return panels.map((p) => (p.id === id ? { ...p, w: clamp(size.w ?? p.w, 1, 3), h: clamp(size.h ?? p.h, 1, 2) } : p));
}

/** Moves panel `id` to where panel `before` is (or by `delta` places when `before` is a
 * number: -1 earlier, +1 later), within the whole list. */
export function movePanel(panels: readonly PanelSpec[], id: string, to: string | number): PanelSpec[] {
  const from = panels.findIndex((p) => p.id === id);
  if (from < 0) return [...panels];
  const target = typeof to === "number" ? clamp(from + to, 0, panels.length - 1) : panels.findIndex((p) => p.id === to);
  if (target < 0 || target === from) return [...panels];
  const out = [...panels];
  const [moved] = out.splice(from, 1);
  out.splice(target, 0, moved as PanelSpec);
  return out;
}

/** Moves panel `id` one place earlier or later among the panels of its own section. */
export function movePanelInSection(panels: readonly PanelSpec[], id: string, delta: -1 | 1): PanelSpec[] {
  const panel = panels.find((p) => p.id === id);
  if (!panel) return [...panels];
  const peers = panels.filter((p) => panelSection(p) === panelSection(panel));
  const at = peers.findIndex((p) => p.id === id);
  const neighbour = peers[at + delta];
  return neighbour ? movePanel(panels, id, neighbour.id) : [...panels];
}

export function updatePanel(panels: readonly PanelSpec[], id: string, change: (panel: PanelSpec) => PanelSpec): PanelSpec[] {
  return panels.map((p) => (p.id === id ? change(p) : p));
}

/** A fresh panel id of `kind` not used in `panels`. */
export function newPanelId(panels: readonly PanelSpec[], kind: PanelKind): string {
  const used = new Set(panels.map((p) => p.id));
  let n = panels.length + 1;
  while (used.has(`${kind}-${n}`)) n += 1;
  return `${kind}-${n}`;
}
