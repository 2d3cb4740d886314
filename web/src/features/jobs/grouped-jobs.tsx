import { useQuery } from "@tanstack/react-query";
import { useMemo, useState, type KeyboardEvent, type MouseEvent } from "react";
import { useNavigate } from "react-router-dom";
import * as api from "../../lib/api/endpoints";
import { jobsPageQuery } from "../../lib/api/queries";
import type { JobGroup } from "../../lib/api/types";
import { formatNumber, formatValue, uniquePrefixLength } from "../../lib/format";
import { groupClauses, joinClauses, splitClauses } from "../../lib/query-text";
import { ErrorPanel, Loading } from "../../components/states";
import { JobRow } from "./job-row";
import { columnFormats, splitPinned } from "./model";
import type { JobsTableProps } from "./jobs-table";
import { ROW_HEIGHT, SELECT_WIDTH, columnStarts, pinnedWidth, type PlacedColumn } from "./table-layout";

export interface GroupedJobsProps extends JobsTableProps {
  /** The fields grouped by and the metrics summarised per group. */
  group: string[];
  metrics: string[];
}

/** The jobs table grouped by params or tags: one header row per group with its values, its
 * job count and mean/min/max of the chosen metrics; opening a group lists its first jobs
 * (the jobs listing with the group's clauses added to the filter). Keys: arrows move between
 * group and job rows, Right opens a group and Left closes it, Enter opens a job, Space
 * selects it. */
export function GroupedJobs(props: GroupedJobsProps) {
  const { project, filter, sort, group, metrics } = props;
  const groups = useQuery({
    queryKey: ["job-groups", project, filter, sort, group.join(","), metrics.join(",")],
    queryFn: ({ signal }) => api.listJobGroups(project, { by: group, metrics, filter, sort }, signal),
    refetchInterval: props.live ? 5_000 : 60_000,
    placeholderData: (previous) => previous,
    meta: { what: "Grouping jobs", inlineCodes: ["invalid_query"] },
  });
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const navigate = useNavigate();

  if (groups.isPending) return <Loading what="Grouping jobs" />;
  if (groups.isError && !groups.data) return <ErrorPanel error={groups.error} title="Could not group the jobs" />;
  const items = groups.data?.groups ?? [];
  return (
    <div className="jobs-scroll grouped" role="treegrid" aria-label="Jobs by group" data-testid="jobs-groups" onKeyDown={(event) => onGroupsKey(event, { navigate, selected: props.selected, onSelect: props.onSelect })}>
      {items.length === 0 ? <p className="soft group-empty">No job to group.</p> : null}
      {items.map((item) => {
        const key = JSON.stringify(item.values);
        const expanded = open.has(key);
        return (
          <div key={key} className="job-group" role="row" aria-expanded={expanded} aria-level={1}>
            <button
              type="button"
              className="group-row"
              data-testid="group-row"
              data-count={item.count}
              onClick={() => setOpen((current) => toggled(current, key))}
            >
              <span aria-hidden="true">{expanded ? "▾" : "▸"}</span>
              <GroupValues values={item.values} />
              <span className="group-count" data-testid="group-count">
                {item.count.toLocaleString()} job{item.count === 1 ? "" : "s"}
              </span>
              <GroupSummaries item={item} />
            </button>
            {expanded ? <GroupRows {...props} item={item} /> : null}
          </div>
        );
      })}
    </div>
  );
}

/** The grouped table's keys (see GroupedJobs), over the rows in the page's order. */
function onGroupsKey(
  event: KeyboardEvent<HTMLDivElement>,
  { navigate, selected, onSelect }: { navigate: (to: string) => void; selected: ReadonlySet<string>; onSelect: (ids: string[], on: boolean) => void },
) {
  const target = event.target as HTMLElement;
  const rows = [...event.currentTarget.querySelectorAll<HTMLElement>('[data-testid="group-row"], [role="row"][data-job-id]')];
  const at = rows.indexOf(target);
  if (at < 0) return;
  const jobId = target.dataset.jobId;
  const expanded = target.closest(".job-group")?.getAttribute("aria-expanded") === "true";
  const focusAt = (index: number) => rows[Math.max(0, Math.min(rows.length - 1, index))]?.focus();
  if (event.key === "ArrowDown") focusAt(at + 1);
  else if (event.key === "ArrowUp") focusAt(at - 1);
  else if (event.key === "Home") focusAt(0);
  else if (event.key === "End") focusAt(rows.length - 1);
  else if (!jobId && ((event.key === "ArrowRight" && !expanded) || (event.key === "ArrowLeft" && expanded))) target.click();
  else if (jobId && event.key === "ArrowLeft") target.closest(".job-group")?.querySelector<HTMLElement>('[data-testid="group-row"]')?.focus();
  else if (jobId && event.key === "Enter") navigate(`/jobs/${jobId}`);
  else if (jobId && event.key === " ") onSelect([jobId], !selected.has(jobId));
  else return;
  event.preventDefault();
}

function toggled(set: ReadonlySet<string>, key: string): Set<string> {
  const next = new Set(set);
  if (next.has(key)) next.delete(key);
  else next.add(key);
  return next;
}

function GroupValues({ values }: { values: JobGroup["values"] }) {
  return (
    <span className="group-values">
      {Object.entries(values).map(([field, value]) => (
        <span key={field}>
          <span className="soft">{field.replace(/^(params|tags)\./, "")}</span> <strong className="mono">{value === null ? "(none)" : formatValue(value)}</strong>
        </span>
      ))}
    </span>
  );
}

function GroupSummaries({ item }: { item: JobGroup }) {
  return (
    <span className="group-summaries">
      {Object.entries(item.summaries).map(([field, s]) => (
        <span key={field} title={`${field}: mean ${formatNumber(s.mean)}, min ${formatNumber(s.min)}, max ${formatNumber(s.max)}`} data-testid="group-summary">
          <span className="soft">{field.replace(/^metrics\./, "")}</span> <span className="num">{formatNumber(s.mean)}</span>{" "}
          <span className="soft num">
            [{formatNumber(s.min)} – {formatNumber(s.max)}]
          </span>
        </span>
      ))}
    </span>
  );
}

/** A group's first jobs, as rows of the table (every column: a page of a group is short). */
function GroupRows(props: GroupedJobsProps & { item: JobGroup }) {
  const { view } = props;
  const navigate = useNavigate();
  const filter = joinClauses([...splitClauses(props.filter), ...groupClauses(props.item.values)]);
  const jobs = useQuery(jobsPageQuery(props.project, filter, props.sort, 0, props.live));
  const blocks = useMemo(() => splitPinned(props.columns, view.pin, view.widths), [props.columns, view.pin, view.widths]);
  const start = pinnedWidth(blocks.pinned);
  const offsets = useMemo(() => columnStarts(blocks.scrolling, start), [blocks.scrolling, start]);
  const items = useMemo(() => jobs.data?.items ?? [], [jobs.data]);
  const formats = useMemo(() => columnFormats([...blocks.pinned, ...blocks.scrolling], items), [blocks, items]);
  const pinned = useMemo<PlacedColumn[]>(() => blocks.pinned.map((column) => ({ column, left: 0, format: formats[column.id] ?? null })), [blocks.pinned, formats]);
  const placed = useMemo<PlacedColumn[]>(
    () => blocks.scrolling.map((column, i) => ({ column, left: offsets.starts[i] ?? start, format: formats[column.id] ?? null })),
    [blocks.scrolling, offsets, formats, start],
  );
  const idLength = useMemo(() => uniquePrefixLength(items.map((job) => job.id)), [items]);
  if (jobs.isPending) return <Loading what="Loading the group's jobs" />;
  if (jobs.isError) return <ErrorPanel error={jobs.error} title="Could not load the group's jobs" />;
  const onClick = (event: MouseEvent) => {
    const link = event.target instanceof Element ? event.target.closest("a.job-link") : null;
    const href = link?.getAttribute("href");
    if (!href || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <div className="group-jobs" role="rowgroup" onClick={onClick}>
      <div className="group-head-row" style={{ width: offsets.width }}>
        <span style={{ width: SELECT_WIDTH }} />
        {[...blocks.pinned, ...blocks.scrolling].map((column) => (
          <span key={column.id} className={`th-label${column.kind === "number" ? " num" : ""}`} style={{ width: column.width }} title={column.id}>
            {column.label}
          </span>
        ))}
      </div>
      <div style={{ position: "relative", height: items.length * ROW_HEIGHT, width: offsets.width }}>
        {items.map((job, i) => (
          <JobRow
            key={job.id}
            index={i}
            top={i * ROW_HEIGHT}
            job={job}
            selected={props.selected.has(job.id)}
            focused={false}
            pinned={pinned}
            pinnedWidth={start}
            columns={placed}
            width={offsets.width}
            idLength={idLength}
            onSelect={props.onSelect}
            visual={props.rowVisual}
          />
        ))}
      </div>
      {jobs.data && jobs.data.total > items.length ? (
        <p className="soft">
          The first {items.length} of {jobs.data.total.toLocaleString()} jobs.{" "}
          <button type="button" className="link" onClick={() => props.onFilter("", groupClauses(props.item.values))}>
            Filter the table to this group
          </button>
        </p>
      ) : null}
    </div>
  );
}
