// A panel's frame: title, drag handle, keyboard move buttons, settings and size (edited in
// the panel itself, so the chart under the form shows each change), remove;
// it marks `data-drawn` (and a scatter's `data-points`) once the kind reports its draw.
import { memo, useCallback, useRef, useState, type JSX, type PointerEvent } from "react";
import type { PanelComponent, WorkspaceJob } from "./panel-types";
import type { EditorProps } from "./panels/kind";
import { panelKind } from "./panels/registry";
import { useHighlightStore } from "./live-state";
import { useValue, type ValueSource } from "../../lib/value-store";
import { HEIGHTS, panelMetric, WIDTHS } from "./model";
import type { PanelKind, PanelSpec, ViewState } from "./view";

/** Drawing height of a panel `h` rows tall. */
export const panelHeight = (h: number) => (h >= 2 ? 460 : 200);

/** The panel under a point, other than `except`. */
function panelAt(x: number, y: number, except: string): HTMLElement | null {
  for (const element of document.elementsFromPoint(x, y)) {
    const found = element instanceof HTMLElement ? element.closest<HTMLElement>("[data-panel-id]") : null;
    if (found && found.dataset.panelId !== except) return found;
  }
  return null;
}

/** Renders `children` with the hovered job, re-rendering on each change when `follow`; a
 * line panel does not follow it (its chart focuses the line from the store itself, so a
 * hover re-renders no line panel). */
function HighlightOf({ store, follow, children }: { store: ValueSource<string | null>; follow: boolean; children: (value: string | null) => JSX.Element }) {
  const value = useValue(follow ? store : null, null);
  return children(value);
}

export interface PanelFrameProps {
  panel: PanelSpec;
  project: string;
  jobs: WorkspaceJob[];
  view: ViewState;
  /** The table's filter as last answered (an invalid query keeps the last good one). */
  filter: string;
  /** Replaces the panel (settings, size, title). */
  onChange: (panel: PanelSpec) => void;
  onRemove: (id: string) => void;
  /** Moves the panel one place within its section, or to where panel `to` is. */
  onMove: (id: string, to: -1 | 1 | string) => void;
}

export const PanelFrame = memo(function PanelFrame(props: PanelFrameProps) {
  const { panel } = props;
  const [drawn, setDrawn] = useState<{ drawn: boolean; points?: number }>({ drawn: false });
  // Dragging by the handle (pointer events: mouse, pen and touch alike); the panel under
  // the pointer is marked, and the dragged one moves to its place on release.
  const target = useRef<HTMLElement | null>(null);
  const mark = (next: HTMLElement | null) => {
    if (target.current !== next) target.current?.classList.remove("dropping");
    next?.classList.add("dropping");
    target.current = next;
  };
  const onHandleDown = (event: PointerEvent<HTMLElement>) => {
    if (event.button !== 0) return;
    event.preventDefault();
    event.currentTarget.setPointerCapture(event.pointerId);
    mark(null);
  };
  const onHandleMove = (event: PointerEvent<HTMLElement>) => {
    if (event.currentTarget.hasPointerCapture(event.pointerId)) mark(panelAt(event.clientX, event.clientY, panel.id));
  };
  const onHandleUp = (event: PointerEvent<HTMLElement>) => {
    const over = panelAt(event.clientX, event.clientY, panel.id);
    mark(null);
    const to = over?.dataset.panelId;
    if (to) props.onMove(panel.id, to);
  };
  const [editing, setEditing] = useState(false);
  const onDrawn = useCallback((value: boolean, points?: number) => setDrawn((old) => (old.drawn === value && old.points === points ? old : { drawn: value, points })), []);
  const highlight = useHighlightStore();
  const def = panelKind(panel.kind);
  const title = panel.title ?? panelMetric(panel);
  const height = panelHeight(panel.h);
  // The kind's own types are checked in its module; here every kind is one of the union.
  const Body = def?.Panel as PanelComponent<PanelKind> | undefined;
  const Editor = def?.Editor as ((props: EditorProps<PanelKind>) => JSX.Element) | undefined;
  const onSettings = (settings: PanelSpec["settings"]) => props.onChange({ ...panel, settings } as PanelSpec);
  return (
    <section
      className={`ws-panel w${panel.w}`}
      data-testid="panel"
      data-panel-id={panel.id}
      data-kind={panel.kind}
      data-w={panel.w}
      data-h={panel.h}
      data-drawn={drawn.drawn ? "1" : "0"}
      data-points={drawn.points}
      aria-label={`Panel ${title}`}
    >
      <header>
        <span className="drag-handle" title="Drag to move (or use the arrows)" aria-hidden="true" onPointerDown={onHandleDown} onPointerMove={onHandleMove} onPointerUp={onHandleUp} onPointerCancel={() => mark(null)}>
          ⠿
        </span>
        <h3 title={title}>{title}</h3>
        <button type="button" className="icon" aria-label={`Move ${title} earlier`} onClick={() => props.onMove(panel.id, -1)}>
          ←
        </button>
        <button type="button" className="icon" aria-label={`Move ${title} later`} onClick={() => props.onMove(panel.id, 1)}>
          →
        </button>
        <button type="button" className="icon" aria-label={`Settings of ${title}`} aria-expanded={editing} data-testid="panel-settings" onClick={() => setEditing(!editing)}>
          ⚙
        </button>
        <button type="button" className="icon" aria-label={`Remove ${title}`} onClick={() => props.onRemove(panel.id)}>
          ✕
        </button>
      </header>
      {editing ? (
        <div
          className="panel-edit"
          role="group"
          aria-label={`Settings of ${title}`}
          onKeyDown={(event) => {
            if (event.key === "Escape") setEditing(false);
          }}
        >
          <div className="panel-form">
            <label htmlFor={`title-${panel.id}`}>Title</label>
            <input id={`title-${panel.id}`} defaultValue={panel.title ?? ""} placeholder={panelMetric(panel)} onBlur={(e) => props.onChange({ ...panel, title: e.target.value.trim() || null })} />
            <span>Size</span>
            <span className="row" role="group" aria-label="Panel size">
              {WIDTHS.map((w) => (
                <button key={w} type="button" aria-pressed={panel.w === w} onClick={() => props.onChange({ ...panel, w })}>
                  width {w}
                </button>
              ))}
              {HEIGHTS.map((h) => (
                <button key={h} type="button" aria-pressed={panel.h === h} onClick={() => props.onChange({ ...panel, h })}>
                  height {h}
                </button>
              ))}
            </span>
          </div>
          {Editor ? <Editor panel={panel} project={props.project} jobs={props.jobs} onChange={onSettings} /> : null}
          <div className="row" style={{ justifyContent: "flex-end" }}>
            <button type="button" onClick={() => setEditing(false)}>
              Done
            </button>
          </div>
        </div>
      ) : null}
      {Body ? (
        <HighlightOf store={highlight} follow={panel.kind !== "line"}>
          {(value) => (
            <Body
              panel={panel}
              project={props.project}
              jobs={props.jobs}
              view={props.view}
              filter={props.filter}
              onChange={onSettings}
              height={height}
              highlight={value}
              onHighlight={highlight.set}
              onDrawn={onDrawn}
            />
          )}
        </HighlightOf>
      ) : (
        <p className="soft" style={{ height }}>
          This build of Atlas cannot draw {panel.kind} panels.
        </p>
      )}
    </section>
  );
});
