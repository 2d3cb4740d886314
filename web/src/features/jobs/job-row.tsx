import { memo } from "react";
import type { Job } from "../../lib/api/types";
import { Cell } from "./cells";
import { PINNED_COLUMNS } from "./model";
import { PINNED_WIDTH, ROW_HEIGHT, SELECT_WIDTH, type PlacedColumn } from "./table-layout";

export interface JobRowProps {
  /** The row's index in the whole (filtered, sorted) table. */
  index: number;
  top: number;
  /** Undefined while the row's page is loading (a placeholder row is drawn). */
  job: Job | undefined;
  selected: boolean;
  /** The scrolling columns in view; the same array for as long as the same columns are. */
  columns: readonly PlacedColumn[];
  width: number;
  /** Must keep its identity across renders, or every row renders again. */
  onSelect: (ids: string[], on: boolean) => void;
}

/** One row of the job table: the pinned block (selection, status, name) and the visible
 * scrolling columns. Memoised: a scroll renders only the rows that came into view, not
 * every row on the page (each formatted cell costs time on every frame it is rendered). */
export const JobRow = memo(function JobRow({ index, top, job, selected, columns, width, onSelect }: JobRowProps) {
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      className={`jobs-row${selected ? " selected" : ""}${index % 2 ? " odd" : ""}`}
      style={{ top, width, height: ROW_HEIGHT }}
      data-testid={job ? "job-row" : "job-row-loading"}
      data-job-id={job?.id}
    >
      <div className="pinned row-cells" style={{ width: PINNED_WIDTH }}>
        <div className="td select-cell" role="gridcell" style={{ width: SELECT_WIDTH }}>
          {job ? (
            <input type="checkbox" aria-label={`Select job ${job.name || job.id}`} checked={selected} onChange={(e) => onSelect([job.id], e.target.checked)} />
          ) : null}
        </div>
        {PINNED_COLUMNS.map((column) =>
          job ? (
            <Cell key={column.id} job={job} column={column} style={{ width: column.width }} />
          ) : (
            <div key={column.id} className="td" role="gridcell" style={{ width: column.width }}>
              <span className="skeleton" />
            </div>
          ),
        )}
      </div>
      {columns.map(({ column, left }) =>
        job ? (
          <Cell key={column.id} job={job} column={column} style={{ position: "absolute", left, width: column.width }} />
        ) : (
          <div key={column.id} className="td" role="gridcell" style={{ position: "absolute", left, width: column.width }} />
        ),
      )}
    </div>
  );
});
