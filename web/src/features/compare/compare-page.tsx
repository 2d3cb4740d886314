import { useQueries } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { Link } from "react-router-dom";
import { isLive, jobQuery } from "../../lib/api/queries";
import type { Job } from "../../lib/api/types";
import { formatValue } from "../../lib/format";
import { dashArray, styleFor } from "../../lib/palette";
import { groupBy } from "../../lib/series";
import { useUrlList, useUrlParam } from "../../lib/url-state";
import { ChartControls, useChartOptions } from "../../components/chart-controls";
import { TensorBoardLink } from "../../components/tensorboard-link";
import { SeriesChart, type ChartGroup, type ChartJob } from "../../components/series-chart";
import { CopyId } from "../../components/copy-id";
import { EmptyState, Loading } from "../../components/states";
import { StatusBadge } from "../../components/status-badge";
import { MediaCompare } from "./media-compare";
import { groupValue, paramRows } from "./model";
import { ParallelCoordinates } from "./parallel-coordinates";
import "./compare.css";

const MAX_JOBS = 100;
/** Above this many jobs the charts come first and the jobs are listed in a sidebar, and the
 * charts show values in a hover tooltip instead of a legend per chart. */
const MANY_JOBS = 12;

/** 2 to 100 jobs side by side: overlaid metric charts (one colour per job everywhere),
 * grouping with mean and min–max bands, the params table, media by step and parallel coordinates. */
export function ComparePage() {
  const [ids, setIds] = useUrlList("jobs");
  const [groupField, setGroupField] = useUrlParam("group");
  const [options, setOptions] = useChartOptions();
  const wanted = ids.slice(0, MAX_JOBS);
  const results = useQueries({ queries: wanted.map((id) => jobQuery(id)) });
  const jobs = results.map((r) => r.data).filter((j): j is Job => j !== undefined);
  const pending = results.some((r) => r.isPending);
  const [addText, setAddText] = useState("");

  const styles = useMemo(() => new Map(wanted.map((id, i) => [id, styleFor(i)])), [wanted.join(",")]); // eslint-disable-line react-hooks/exhaustive-deps
  const chartJobs: ChartJob[] = useMemo(
    () =>
      jobs.map((job) => ({
        id: job.id,
        label: job.name || job.id,
        color: styles.get(job.id)?.color ?? "#888",
        dash: styles.get(job.id)?.dash ?? [],
        t0: Date.parse(job.started_at ?? job.created_at) / 1000,
        live: isLive(job),
      })),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [jobs.map((j) => `${j.id}:${j.status}:${j.name}`).join(","), styles],
  );
  const groups: ChartGroup[] | undefined = useMemo(() => {
    if (!groupField) return undefined;
    const byValue = groupBy(jobs, (job) => groupValue(job, groupField));
    return [...byValue.entries()].map(([value, members], i) => ({ label: `${groupField.replace(/^\w+\./, "")}=${value}`, ...styleFor(i), jobIds: members.map((m) => m.id) }));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [groupField, jobs.map((j) => j.id).join(",")]);
  const [highlight, setHighlight] = useState<string | null>(null);
  const [runs, setRuns] = useUrlParam("runs", "shown");
  const many = wanted.length > MANY_JOBS;
  const jobsByMetric = useMemo(() => {
    const byMetric = new Map<string, ChartJob[]>();
    for (const chartJob of chartJobs) {
      const job = jobs.find((x) => x.id === chartJob.id);
      for (const key of Object.keys(job?.metrics ?? {})) byMetric.set(key, [...(byMetric.get(key) ?? []), chartJob]);
    }
    return byMetric;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [chartJobs]);
  const metricKeys = useMemo(() => [...new Set(jobs.flatMap((job) => Object.keys(job.metrics)))].filter((k) => !k.startsWith("system/")).sort(), [jobs]);
  const groupFields = useMemo(
    () => [...new Set(jobs.flatMap((job) => [...Object.keys(job.params).map((k) => `params.${k}`), ...Object.keys(job.tags).map((k) => `tags.${k}`)]))].sort(),
    [jobs],
  );

  if (ids.length < 2) {
    return (
      <EmptyState title="Compare jobs">
        <p>
          Select 2 to {MAX_JOBS} jobs in a project's Jobs table and press <strong>Compare</strong>, or list their ids here:
        </p>
        <AddJobs value={addText} onChange={setAddText} onAdd={(more) => setIds([...new Set([...ids, ...more])])} />
        {ids.length === 1 ? <p className="soft">1 job chosen so far: {ids[0]}</p> : null}
      </EmptyState>
    );
  }
  const legendSection = (
    <section className={`panel legend${many ? " compare-sidebar" : ""}`} aria-label="Jobs compared" data-testid={many ? "compare-sidebar" : undefined}>
      {many ? (
        <div className="row">
          <h2>{wanted.length} jobs</h2>
          <span className="spacer" />
          <button type="button" className="link" onClick={() => setRuns("hidden")} aria-label="Hide the list of jobs">
            Hide
          </button>
        </div>
      ) : null}
      <ul className={many ? "legend-list column" : "legend-list"}>
        {wanted.map((id) => {
          const job = jobs.find((j) => j.id === id);
          const style = styles.get(id) ?? styleFor(0);
          return (
            <li
              key={id}
              data-testid="compare-job"
              className={highlight === id ? "on" : undefined}
              onMouseEnter={() => setHighlight(id)}
              onMouseLeave={() => setHighlight((now) => (now === id ? null : now))}
            >
              <svg width="22" height="10" aria-hidden="true">
                <line x1="0" y1="5" x2="22" y2="5" stroke={style.color} strokeWidth="3" strokeDasharray={dashArray(style.dash)} />
              </svg>
              {job ? (
                <>
                  <Link to={`/jobs/${id}`} title={job.name || id} className="legend-name">
                    {job.name || id}
                  </Link>
                  <StatusBadge status={job.status} />
                </>
              ) : (
                <span className="soft">{id} (not found)</span>
              )}
              <CopyId id={id} />
              <button type="button" className="link" aria-label={`Remove ${job?.name || id} from the comparison`} onClick={() => setIds(ids.filter((x) => x !== id))}>
                ✕
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
  return (
    <div className={many ? "compare many" : "compare"}>
      <div className="row" style={{ marginBottom: 10 }}>
        <h1>
          Comparing {wanted.length} jobs{ids.length > MAX_JOBS ? ` (the first ${MAX_JOBS} of ${ids.length})` : ""}
        </h1>
        <span className="spacer" />
        <TensorBoardLink jobIds={wanted} />
        <AddJobs value={addText} onChange={setAddText} onAdd={(more) => setIds([...new Set([...ids, ...more])])} />
      </div>
      {pending ? <Loading what="Loading jobs" /> : null}
      {many ? null : legendSection}
      <div className={many ? `compare-body${runs === "hidden" ? " runs-hidden" : ""}` : undefined}>
        {many && runs !== "hidden" ? legendSection : null}
        {many && runs === "hidden" ? (
          <button type="button" className="compare-runs-show" onClick={() => setRuns("shown")} aria-label="Show the list of jobs">
            ▸ {wanted.length} jobs
          </button>
        ) : null}
        <div className="compare-main">
          <div className="row" style={{ margin: "10px 0" }}>
            <ChartControls options={options} onChange={setOptions} />
            <label htmlFor="group-by">Group by</label>
            <select id="group-by" value={groupField} onChange={(e) => setGroupField(e.target.value)}>
              <option value="">no grouping</option>
              {groupFields.map((field) => (
                <option key={field} value={field}>
                  {field}
                </option>
              ))}
            </select>
          </div>
          {groups ? (
            <ul className="legend-list" aria-label="Groups">
              {groups.map((group) => (
                <li key={group.label}>
                  <span className="swatch" style={{ background: group.color }} /> {group.label} <span className="soft">({group.jobIds.length} jobs: mean, min–max band)</span>
                </li>
              ))}
            </ul>
          ) : null}
          <div className="charts">
            {metricKeys.map((key) => (
              <SeriesChart
                key={key}
                metric={key}
                jobs={jobsByMetric.get(key) ?? []}
                groups={groups}
                axis={options.axis}
                logY={options.logY}
                smoothing={options.smoothing}
                smoothingKind={options.smoothingKind}
                syncKey="compare"
                tooltip={many}
                highlight={many ? highlight : undefined}
                onHighlight={many ? setHighlight : undefined}
              />
            ))}
          </div>
          {metricKeys.length === 0 && !pending ? <p className="soft">These jobs logged no metrics.</p> : null}
          <ParamsTable jobs={jobs} styles={styles} />
          {!pending ? <MediaCompare jobs={jobs} styles={styles} /> : null}
          {jobs.length >= 2 ? <ParallelCoordinates jobs={jobs} colors={jobs.map((j) => styles.get(j.id)?.color ?? "#888")} metricKeys={metricKeys} /> : null}
        </div>
      </div>
    </div>
  );
}

function AddJobs({ value, onChange, onAdd }: { value: string; onChange: (v: string) => void; onAdd: (ids: string[]) => void }) {
  return (
    <form
      className="row"
      onSubmit={(e) => {
        e.preventDefault();
        const found = value.split(/[\s,]+/).filter((id) => /^[0-9a-z]{16}$/.test(id));
        if (found.length) onAdd(found);
        onChange("");
      }}
    >
      <label htmlFor="add-jobs">Add job ids</label>
      <input id="add-jobs" className="mono" value={value} onChange={(e) => onChange(e.target.value)} placeholder="01m89kc979fzfy96, …" />
      <button type="submit">Add</button>
    </form>
  );
}

function ParamsTable({ jobs, styles }: { jobs: Job[]; styles: Map<string, { color: string; dash: number[] }> }) {
  const [onlyDiff, setOnlyDiff] = useUrlParam("diff", "0");
  const rows = paramRows(jobs);
  const shown = onlyDiff === "1" ? rows.filter((r) => r.differs) : rows;
  return (
    <section className="panel" aria-labelledby="params-compare-title" style={{ marginTop: 12 }}>
      <div className="row">
        <h2 id="params-compare-title">Params</h2>
        <label className="check">
          <input type="checkbox" checked={onlyDiff === "1"} onChange={(e) => setOnlyDiff(e.target.checked ? "1" : "0")} /> Only differences
        </label>
        <span className="soft">
          {rows.filter((r) => r.differs).length} of {rows.length} differ
        </span>
      </div>
      <div className="table-scroll">
        <table className="simple params-compare" data-testid="params-table">
          <thead>
            <tr>
              <th>param</th>
              {jobs.map((job) => (
                <th key={job.id} title={job.name || job.id}>
                  <span className="swatch" style={{ background: styles.get(job.id)?.color }} />
                  {job.name || job.id}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => (
              <tr key={row.key} className={row.differs ? "differs" : ""}>
                <th scope="row" className="mono">
                  {row.key}
                </th>
                {row.values.map((value, i) => (
                  <td key={i} className="mono">
                    {value === undefined ? <span className="soft">–</span> : formatValue(value)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
