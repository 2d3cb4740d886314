// What the workspace's charts follow outside React props: the smoothing control's value while
// it moves (the line panels redraw, nothing else renders; the view hears of it on release)
// and the job hovered in a table row or a chart (each chart focuses its line).
import { createContext, useContext } from "react";
import { valueStore, type ValueSource, type ValueStore } from "../../lib/value-store";

export interface LiveState {
  smoothing: ValueStore<number>;
  highlight: ValueStore<string | null>;
}

const Context = createContext<LiveState | null>(null);

export const LiveStateProvider = Context.Provider;

/** The workspace's live smoothing (null outside a workspace). */
export function useLiveSmoothing(): ValueSource<number> | null {
  return useContext(Context)?.smoothing ?? null;
}

const NO_HIGHLIGHT = valueStore<string | null>(null);

/** The hovered-job store (a store of its own outside a workspace). */
export function useHighlightStore(): ValueStore<string | null> {
  return useContext(Context)?.highlight ?? NO_HIGHLIGHT;
}
