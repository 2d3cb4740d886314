// The contract between the workspace and its panel kinds: what every panel component receives.
// A panel kind is a component `(props: PanelProps<K>) => JSX` registered in panels/registry.tsx.
import type { JSX } from "react";
import type { PanelKind, PanelSpec, ViewState } from "./view";

/** A job the charts show: its colour and dash are its place in the visible list (lib/palette). */
export interface WorkspaceJob {
  id: string;
  name: string;
  color: string;
  /** Canvas dash pattern; empty for a solid line. */
  dash: number[];
  /** When the job started, unix seconds (null: not started yet). */
  t0: number | null;
  /** Still running: its panels refresh. */
  live: boolean;
  status: string;
}

/** The spec of one panel kind. */
export type PanelOf<K extends PanelKind> = Extract<PanelSpec, { kind: K }>;

export interface PanelProps<K extends PanelKind = PanelKind> {
  panel: PanelOf<K>;
  project: string;
  /** The visible jobs, in the order that gives their colours. */
  jobs: WorkspaceJob[];
  view: ViewState;
  /** The table's current query text (panels over all jobs filter the same way). */
  filter: string;
  /** Replaces the panel's settings (the workspace stores them in the view). */
  onChange: (settings: PanelOf<K>["settings"]) => void;
  /** Drawing height in px. */
  height: number;
  /** The job id hovered anywhere (table row, chart line), or null. */
  highlight: string | null;
  onHighlight: (jobId: string | null) => void;
  /** Call with true once the panel's current data is drawn (after the last canvas stroke),
   * false when it starts redrawing; a scatter passes how many points it drew. The frame
   * turns this into `data-drawn` (and `data-points`) on the panel, which tests and the
   * bench wait for. */
  onDrawn: (drawn: boolean, points?: number) => void;
}

export type PanelComponent<K extends PanelKind> = (props: PanelProps<K>) => JSX.Element;

/** The workspace's marks on a jobs-table row. */
export type { RowVisual } from "../../lib/row-visual";
