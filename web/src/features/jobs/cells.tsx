import { Link } from "react-router-dom";
import type { Job } from "../../lib/api/types";
import { formatDuration, formatValue } from "../../lib/format";
import { CopyId } from "../../components/copy-id";
import { StatusBadge } from "../../components/status-badge";
import { TimeText } from "../../components/time-text";
import { cellValue, type ColumnSpec } from "./model";

/** One cell of the job table, formatted for its kind. */
export function Cell({ job, column }: { job: Job; column: ColumnSpec }) {
  const value = cellValue(job, column);
  switch (column.id) {
    case "status":
      return <StatusBadge status={job.status} />;
    case "name":
      return (
        <Link to={`/jobs/${job.id}`} className="job-link" title={job.name || job.id}>
          {job.name || <span className="soft">{job.id}</span>}
        </Link>
      );
    case "id":
      return <CopyId id={job.id} />;
    case "created_at":
      return <TimeText iso={job.created_at} />;
    case "duration":
      return <span className="num">{formatDuration(job.duration)}</span>;
    case "tags":
      return <Tags tags={job.tags} />;
  }
  if (value === undefined) return <span className="soft" aria-label="none" />;
  const text = formatValue(value);
  const numeric = typeof value === "number" || value === "NaN" || value === "Infinity" || value === "-Infinity";
  return (
    <span className={numeric ? "num cell-text" : "cell-text"} title={typeof value === "string" ? value : JSON.stringify(value)}>
      {text}
    </span>
  );
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
