// Which module draws each panel kind, and what the "add panel" menu offers. A kind without
// a module in this build is left out of the menu, and a saved panel of it says so.
import { useQuery } from "@tanstack/react-query";
import { keysQuery } from "../../../lib/api/queries";
import type { PanelKind } from "../view";
import { defaultLineSettings } from "../model";
import { barKind } from "./bar";
import { histogramKind } from "./histogram";
import { importanceKind } from "./importance";
import type { EditorProps, PanelKindDef } from "./kind";
import { LinePanel } from "./line";
import { LineSettingsForm } from "./line-settings";
import { mediaKind } from "./media";
import { parallelKind } from "./parallel";
import { scatterKind } from "./scatter";

function LineEditor({ panel, project, onChange }: EditorProps<"line">) {
  const keys = useQuery(keysQuery(project));
  return <LineSettingsForm settings={panel.settings} metrics={keys.data?.metrics ?? []} onChange={onChange} />;
}

export const lineKind: PanelKindDef<"line"> = {
  kind: "line",
  label: "Line",
  Panel: LinePanel,
  Editor: LineEditor,
  defaults: (sources) => {
    const metric = [...sources.keys.metrics].sort()[0];
    return metric === undefined ? null : defaultLineSettings(metric);
  },
};

export type PanelRegistry = { [K in PanelKind]?: PanelKindDef<K> };

export const PANELS: PanelRegistry = {
  line: lineKind,
  scatter: scatterKind,
  bar: barKind,
  parallel: parallelKind,
  importance: importanceKind,
  media: mediaKind,
  histogram: histogramKind,
};

/** The module of `kind`, or null when this build has none. */
export function panelKind<K extends PanelKind>(kind: K): PanelKindDef<K> | null {
  return (PANELS[kind] as PanelKindDef<K> | undefined) ?? null;
}

/** The kinds this build can draw, in menu order. */
export function panelKinds(): PanelKindDef<PanelKind>[] {
  return Object.values(PANELS) as PanelKindDef<PanelKind>[];
}
