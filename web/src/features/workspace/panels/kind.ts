// What each non-line panel kind module exports, so the registry and the "add panel" menu
// treat every kind alike: its label, the component that draws it, the small form its edit
// popover shows, and the settings a new panel of the kind starts from.
import type { JSX } from "react";
import type { Keys } from "../../../lib/api/types";
import type { PanelComponent, PanelOf, PanelProps } from "../panel-types";
import type { PanelKind } from "../view";

/** What a kind's settings form receives: the panel, and where its choices come from. */
export type EditorProps<K extends PanelKind> = Pick<PanelProps<K>, "panel" | "project" | "jobs" | "onChange">;

/** A media key some visible job logged (images, histograms...). */
export interface MediaChoice {
  key: string;
  path: string;
  kind: string;
}

/** What a project offers new panels: its keys, and the media keys of the visible jobs. */
export interface PanelSources {
  keys: Pick<Keys, "params" | "metrics" | "tags">;
  media: readonly MediaChoice[];
}

export interface PanelKindDef<K extends PanelKind> {
  kind: K;
  /** The kind's name in the "add panel" menu. */
  label: string;
  Panel: PanelComponent<K>;
  Editor: (props: EditorProps<K>) => JSX.Element;
  /** A new panel's settings, or null when the project has nothing this kind can show (no
   * metric, no image, no histogram): the menu then leaves the kind out. */
  defaults: (sources: PanelSources) => PanelOf<K>["settings"] | null;
}
