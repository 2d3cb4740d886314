import type { CSSProperties } from "react";
import type { Job } from "../../lib/api/types";
import { formatDuration, formatInColumn, formatValue, type NumberFormat } from "../../lib/format";
import { CopyId } from "../../components/copy-id";
import { StatusBadge } from "../../components/status-badge";
import { TimeText } from "../../components/time-text";
import { MediaThumb } from "./media-thumb";
import { cellValue, type ColumnSpec } from "./model";

const WIRE_NUMBERS = new Set(["NaN", "Infinity", "-Infinity"]);

export interface CellProps {
  job: Job;
  column: ColumnSpec;
  style: CSSProperties;
  /** The column's number format (one per column: see `columnNumberFormat`). */
  format: NumberFormat | null;
  /** How many characters of an id tell the loaded jobs apart. */
  idLength: number;
}

/** One cell of the job table (its `gridcell` element), formatted for its kind. A plain
 * value is the cell's own text, with the full value on hover: one element per cell, as a
 * scroll creates or refills a few hundred cells per frame. */
export function Cell({ job, column, style, format, idLength }: CellProps) {
  const content = special(job, column, idLength);
  if (content !== undefined) {
    return (
      <div className={`td${column.kind === "number" ? " num" : ""}`} role="gridcell" style={style}>
        {content}
      </div>
    );
  }
  const value = cellValue(job, column);
  if (value === undefined) return <div className="td" role="gridcell" style={style} aria-label="none" />;
  const numeric = typeof value === "number" || WIRE_NUMBERS.has(value as string);
  return (
    <div className={`td text${numeric ? " num" : ""}`} role="gridcell" style={style} title={typeof value === "string" ? value : JSON.stringify(value)}>
      {numeric && format ? formatInColumn(value, format) : formatValue(value)}
    </div>
  );
}

/** The content of the cells that are more than a value (a link, a badge, a button...). */
function special(job: Job, column: ColumnSpec, idLength: number): React.ReactNode {
  if (column.group === "media") return <MediaThumb job={job} mediaKey={column.key} />;
  switch (column.id) {
    case "status":
      return <StatusBadge status={job.status} />;
    case "name":
      return (
        // A plain link (the table navigates for it, see JobsTable): a router Link per row
        // costs several hooks on every row a scroll brings in.
        <a href={`/jobs/${job.id}`} className="job-link" title={job.name || job.id} tabIndex={-1}>
          {job.name || <span className="soft">{job.id}</span>}
        </a>
      );
    case "id":
      return <CopyId id={job.id} length={idLength} />;
    case "created_at":
      return <TimeText iso={job.created_at} />;
    case "duration":
      return formatDuration(job.duration);
    case "tags":
      return <Tags tags={job.tags} />;
  }
  return undefined;
}

function Tags({ tags }: { tags: Record<string, string> }) {
  const entries = Object.entries(tags);
  if (entries.length === 0) return null;
  return (
    <span className="cell-text" title={entries.map(([k, v]) => (v ? `${k}=${v}` : k)).join("\n")}>
      {entries.slice(0, 4).map(([key, value]) => (
        <span key={key} className="tag">
          {value ? `${key}=${value}` : key}
        </span>
      ))}
      {entries.length > 4 ? <span className="soft">+{entries.length - 4}</span> : null}
    </span>
  );
}
