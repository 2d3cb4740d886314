// A project's workspace as plain data: what the jobs table and the chart panels show. The
// same object is the URL's state and a saved view's body, so a link or a view shows exactly
// what its author saw.

/** The x axis of a line panel: step, wall time, time since the job started, or another
 * metric's value at the same step (`metric:<key>`). */
export type LineX = "step" | "time" | "relative" | `metric:${string}`;

export type Smoothing = "ema" | "time";

export interface LineSettings {
  metric: string;
  /** The panel's own x and log y; null takes the workspace's (so a panel can also undo a
   * workspace-wide setting: x "step" or logY false under a workspace on time or log y). */
  x: LineX | null;
  logX: boolean;
  logY: boolean | null;
  /** Fixed y range; null bounds follow the data. */
  yMin: number | null;
  yMax: number | null;
  /** Clip the y range to the 1st–99th percentile so a spike does not flatten the rest. */
  clip: boolean;
  /** Smoothing overrides for this panel; null takes the workspace's. */
  smoothing: number | null;
  smoothingKind: Smoothing | null;
}

/** `x` and `y` and `color` are API fields: `params.lr`, `metrics.loss.min`, `tags.stage`. */
export interface ScatterSettings {
  x: string;
  y: string;
  color: string | null;
  logX: boolean;
  logY: boolean;
}

/** A metric with one value per job (a final score): one bar or point per visible job. */
export interface BarSettings {
  metric: string;
  style: "bar" | "point";
}

export interface ParallelSettings {
  fields: string[];
  color: string | null;
}

/** Importance of every param for `metric` (an API field such as `metrics.val_loss.min`). */
export interface ImportanceSettings {
  metric: string;
}

/** One image key across the visible jobs at `step` (null: each job's last). */
export interface MediaSettings {
  key: string;
  step: number | null;
}

export interface HistogramSettings {
  key: string;
  mode: "ridges" | "heatmap";
}

interface PanelBase {
  /** Unique within the view; generated panels use `gen:<metric>`. */
  id: string;
  /** The section the panel lives in; null puts it in the section of its metric's prefix. */
  section: string | null;
  /** Width in grid columns (1–3) and height in rows (1–2). */
  w: number;
  h: number;
  title: string | null;
}

export type PanelSpec =
  | (PanelBase & { kind: "line"; settings: LineSettings })
  | (PanelBase & { kind: "scatter"; settings: ScatterSettings })
  | (PanelBase & { kind: "bar"; settings: BarSettings })
  | (PanelBase & { kind: "parallel"; settings: ParallelSettings })
  | (PanelBase & { kind: "importance"; settings: ImportanceSettings })
  | (PanelBase & { kind: "media"; settings: MediaSettings })
  | (PanelBase & { kind: "histogram"; settings: HistogramSettings });

export type PanelKind = PanelSpec["kind"];

/** What an edit changes in a generated panel: its frame, and the settings that differ. */
export type PanelChange = Partial<Pick<PanelBase, "section" | "w" | "h" | "title">> & { settings?: Record<string, unknown> };

/** The user's panels as differences from the generated ones (one per metric, id
 * `gen:<metric>`), so that metrics logged later still get panels and the state grows with
 * the edits only, not with the number of metrics:
 * - `added`: panels the user added, whole;
 * - `changed`: per generated panel id, the fields that differ from the generated panel;
 * - `removed`: generated panel ids the user removed;
 * - `order`: ids in the user's order, for the sections the user reordered; within a section
 *   they come first, and the panels not listed follow in generated order.
 * Entries for metrics the project no longer has are kept and ignored. `mergePanels`
 * (panel-edits.ts) makes the panel list; a state saved with `v: 1` had an explicit list
 * instead, which `decodeView` turns into these differences. */
export interface PanelEdits {
  added: PanelSpec[];
  changed: Record<string, PanelChange>;
  removed: string[];
  order: string[];
}

export interface ViewState {
  /** Version of this shape, so a saved view written by an older GUI can be read (1: panels
   * were an explicit list, line panels' x "step" and logY false meant the workspace's). */
  v: 2;
  /** The query text, the API's sort string, the table's columns in display order. */
  q: string;
  sort: string;
  cols: string[];
  /** Columns pinned to the left (beyond status and name, which always are). */
  pin: string[];
  /** Column widths in px, by column id; absent means the column's default. */
  widths: Record<string, number>;
  /** Row grouping: the fields grouped by (params or tags), and the metrics summarised per group. */
  group: string[];
  groupMetrics: string[];
  /** Visible jobs: the first `visibleCount` rows of the current sort and filter, less
   * `hide`, plus `show`. */
  visibleCount: number;
  hide: string[];
  show: string[];
  /** null: one panel per metric, generated from the project's keys; else the user's edits
   * to those. */
  panels: PanelEdits | null;
  /** Regex over metric names that filters the panels. */
  panelSearch: string;
  collapsed: string[];
  /** Workspace-wide line options (a panel may override smoothing). */
  x: LineX;
  logY: boolean;
  smoothing: number;
  smoothingKind: Smoothing;
  /** Table's share of the width (0.15–0.85), and which side is collapsed. */
  split: number;
  pane: Pane;
}

export const PANES = ["both", "table", "charts"] as const;
export type Pane = (typeof PANES)[number];
export const MIN_SPLIT = 0.15;
export const MAX_SPLIT = 0.85;

export const DEFAULT_SORT = "-created_at";
export const DEFAULT_VISIBLE = 10;

export const DEFAULT_VIEW: ViewState = {
  v: 2,
  q: "",
  sort: DEFAULT_SORT,
  cols: [],
  pin: [],
  widths: {},
  group: [],
  groupMetrics: [],
  visibleCount: DEFAULT_VISIBLE,
  hide: [],
  show: [],
  panels: null,
  panelSearch: "",
  collapsed: [],
  x: "step",
  logY: false,
  smoothing: 0,
  smoothingKind: "ema",
  split: 0.45,
  pane: "both",
};
