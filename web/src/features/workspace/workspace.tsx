// The project page's workspace: the jobs table and the chart panels side by side, with a
// split that is dragged or moved with the arrow keys, and either side collapsible.
import { useRef, useState, type KeyboardEvent, type PointerEvent, type ReactNode } from "react";
import { MAX_SPLIT, MIN_SPLIT, type ViewState } from "./view";
import "./workspace.css";

const clampSplit = (v: number) => Math.min(MAX_SPLIT, Math.max(MIN_SPLIT, Math.round(v * 1000) / 1000));

export interface WorkspaceProps {
  view: ViewState;
  patch: (changes: Partial<ViewState>, push?: boolean) => void;
  table: ReactNode;
  charts: ReactNode;
}

export function Workspace({ view, patch, table, charts }: WorkspaceProps) {
  const container = useRef<HTMLDivElement>(null);
  // While dragging, the split follows the pointer here; the view gets it on release.
  const [dragging, setDragging] = useState<number | null>(null);
  const split = dragging ?? view.split;
  const pane = view.pane;
  const fractionAt = (clientX: number) => {
    const box = container.current?.getBoundingClientRect();
    return box && box.width > 0 ? clampSplit((clientX - box.left) / box.width) : split;
  };
  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (event.button !== 0) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    setDragging(split);
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    if (dragging !== null) setDragging(fractionAt(event.clientX));
  };
  const onPointerUp = (event: PointerEvent<HTMLDivElement>) => {
    if (dragging === null) return;
    const value = fractionAt(event.clientX);
    setDragging(null);
    patch({ split: value });
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const step = event.shiftKey ? 0.1 : 0.025;
    const next = event.key === "ArrowLeft" ? split - step : event.key === "ArrowRight" ? split + step : event.key === "Home" ? MIN_SPLIT : event.key === "End" ? MAX_SPLIT : null;
    if (next === null) return;
    event.preventDefault();
    patch({ split: clampSplit(next) });
  };
  const columns = pane === "table" ? "1fr auto" : pane === "charts" ? "auto 1fr" : `minmax(0, ${split}fr) 10px minmax(0, ${1 - split}fr)`;
  return (
    <div className={`workspace pane-${pane}${dragging !== null ? " dragging" : ""}`} ref={container} data-testid="workspace" data-pane={pane} style={{ gridTemplateColumns: columns }}>
      {pane !== "charts" ? (
        <div className="ws-side ws-table" data-testid="workspace-table">
          {table}
        </div>
      ) : (
        <button type="button" className="ws-restore" onClick={() => patch({ pane: "both" }, true)} aria-label="Show the jobs table" title="Show the jobs table">
          ▸ Jobs
        </button>
      )}
      {pane === "both" ? (
        <div
          className="ws-handle"
          role="separator"
          aria-orientation="vertical"
          aria-label="Resize the table and the charts"
          aria-valuemin={MIN_SPLIT * 100}
          aria-valuemax={MAX_SPLIT * 100}
          aria-valuenow={Math.round(split * 100)}
          tabIndex={0}
          data-testid="workspace-handle"
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={() => setDragging(null)}
          onKeyDown={onKeyDown}
        >
          <button type="button" className="ws-collapse" aria-label="Hide the jobs table" title="Hide the jobs table" onPointerDown={(e) => e.stopPropagation()} onClick={() => patch({ pane: "charts" }, true)}>
            ◂
          </button>
          <button type="button" className="ws-collapse" aria-label="Hide the charts" title="Hide the charts" onPointerDown={(e) => e.stopPropagation()} onClick={() => patch({ pane: "table" }, true)}>
            ▸
          </button>
        </div>
      ) : null}
      {pane !== "table" ? (
        <div className="ws-side ws-charts" data-testid="workspace-charts">
          {charts}
        </div>
      ) : (
        <button type="button" className="ws-restore" onClick={() => patch({ pane: "both" }, true)} aria-label="Show the charts" title="Show the charts">
          Charts ◂
        </button>
      )}
    </div>
  );
}
