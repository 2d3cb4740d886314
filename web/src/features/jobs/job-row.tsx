import { memo } from "react";
import type { Job } from "../../lib/api/types";
import type { RowVisual } from "../../lib/row-visual";
import { useValueIs } from "../../lib/value-store";
import { Cell } from "./cells";
import { ROW_HEIGHT, SELECT_WIDTH, type PlacedColumn } from "./table-layout";

export interface JobRowProps {
  /** The row's index in the whole (filtered, sorted) table. */
  index: number;
  top: number;
  /** Undefined while the row's page is loading (a placeholder row is drawn). */
  job: Job | undefined;
  selected: boolean;
  /** Whether the row is the table's one tab stop (roving focus: arrows move it). */
  focused: boolean;
  /** The pinned block's columns and width, and the scrolling columns in view: each the same
   * array for as long as the same columns are. */
  pinned: readonly PlacedColumn[];
  pinnedWidth: number;
  columns: readonly PlacedColumn[];
  width: number;
  idLength: number;
  /** Must keep its identity across renders, or every row renders again. */
  onSelect: (ids: string[], on: boolean) => void;
  visual?: RowVisual;
}

/** One row of the job table: the pinned block (selection, status, name, pinned columns) and
 * the visible scrolling columns. Memoised: a scroll renders only the rows that came into
 * view, not every row on the page (each formatted cell costs time on every frame it is
 * rendered). */
export const JobRow = memo(function JobRow({ index, top, job, selected, focused, pinned, pinnedWidth, columns, width, idLength, onSelect, visual }: JobRowProps) {
  const color = job && visual ? visual.colorOf(job.id) : null;
  const highlighted = useValueIs(job ? visual?.highlight : null, job?.id ?? null);
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      tabIndex={job ? (focused ? 0 : -1) : undefined}
      className={`jobs-row${selected ? " selected" : ""}${index % 2 ? " odd" : ""}${highlighted ? " highlighted" : ""}`}
      onMouseEnter={job && visual?.onHover ? () => visual.onHover?.(job.id) : undefined}
      onMouseLeave={job && visual?.onHover ? () => visual.onHover?.(null) : undefined}
      style={{ top, width, height: ROW_HEIGHT }}
      data-testid={job ? "job-row" : "job-row-loading"}
      data-job-id={job?.id}
      data-index={index}
    >
      <div className="pinned row-cells" style={{ width: pinnedWidth }}>
        <div className="td select-cell" role="gridcell" style={{ width: SELECT_WIDTH }}>
          {job ? (
            <input type="checkbox" tabIndex={-1} aria-label={`Select job ${job.name || job.id}`} checked={selected} onChange={(e) => onSelect([job.id], e.target.checked)} />
          ) : null}
          {job && visual ? (
            <button
              type="button"
              className="row-eye"
              // reachable with Tab from its focused row (Enter or Space presses it)
              tabIndex={focused ? 0 : -1}
              data-testid="row-eye"
              aria-pressed={color !== null}
              aria-label={`Show ${job.name || job.id} in the charts`}
              title={color !== null ? "Shown in the charts (click to hide)" : "Not in the charts (click to show)"}
              style={color !== null ? { color } : undefined}
              onClick={() => visual.toggle(job.id)}
            >
              {color !== null ? "●" : "○"}
            </button>
          ) : null}
        </div>
        {pinned.map(({ column, format }) =>
          job ? (
            <Cell key={column.id} job={job} column={column} style={{ width: column.width }} format={format} idLength={idLength} />
          ) : (
            <div key={column.id} className="td" role="gridcell" style={{ width: column.width }}>
              <span className="skeleton" />
            </div>
          ),
        )}
      </div>
      {columns.map(({ column, left, format }) =>
        job ? (
          <Cell key={column.id} job={job} column={column} style={{ position: "absolute", left, width: column.width }} format={format} idLength={idLength} />
        ) : (
          <div key={column.id} className="td" role="gridcell" style={{ position: "absolute", left, width: column.width }} />
        ),
      )}
    </div>
  );
});
