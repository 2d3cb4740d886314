// Which component draws each panel kind. A kind without a component yet shows an honest
// "not available" panel body rather than nothing.
import type { PanelKind } from "../view";
import type { PanelComponent } from "../panel-types";

export type PanelRegistry = { [K in PanelKind]?: PanelComponent<K> };

export const PANELS: PanelRegistry = {};

/** The component for `kind`, or null when this build has none. */
export function panelComponent<K extends PanelKind>(kind: K): PanelComponent<K> | null {
  return (PANELS[kind] as PanelComponent<K> | undefined) ?? null;
}
