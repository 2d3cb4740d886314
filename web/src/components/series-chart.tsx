import { useQueries } from "@tanstack/react-query";
import { useMemo, useRef, useState } from "react";
import { seriesBatchQuery } from "../lib/api/queries";
import type { Series } from "../lib/api/types";
import { formatNumber } from "../lib/format";
import { alignLines, band, carryForward, drawable, singleValues, smoothLine, specialPoints, stepRange, toLine, type Line, type SingleValue, type SmoothingKind, type XAxis } from "../lib/series";
import { useTheme } from "../lib/theme";
import { LineChart, type ChartBand, type ChartLine } from "./line-chart";
import { useInView } from "./use-in-view";

export interface ChartJob {
  id: string;
  label: string;
  color: string;
  dash: number[];
  /** Unix seconds the job started (for the relative-time axis). */
  t0: number;
  live: boolean;
}

export interface ChartGroup {
  label: string;
  color: string;
  dash: number[];
  jobIds: string[];
}

export interface SeriesChartProps {
  metric: string;
  jobs: ChartJob[];
  /** When given, each group is drawn as its mean with a min–max band instead of one line per job. */
  groups?: ChartGroup[];
  axis: XAxis;
  logY: boolean;
  smoothing: number;
  /** EMA (default) or time-weighted EMA (uneven logging smooths as if even). */
  smoothingKind?: SmoothingKind;
  height?: number;
  syncKey?: string;
  expanded?: boolean;
  onExpand?: () => void;
  /** Values in a hover tooltip and a legend of a few names (for many jobs). */
  tooltip?: boolean;
  /** The job highlighted elsewhere, and the callback of a hover over a job's line. */
  highlight?: string | null;
  onHighlight?: (id: string | null) => void;
}

function alpha(color: string, a: number): string {
  const hex = Math.round(a * 255)
    .toString(16)
    .padStart(2, "0");
  return color.startsWith("#") && color.length === 7 ? `${color}${hex}` : color;
}

/** One metric of one or more jobs: asks the server for about as many points as the chart
 * has pixels, again for the visible range when zoomed (step axis), and keeps polling live
 * jobs. The series come in batches (`POST /series`, the workspace's query): one for the
 * finished jobs, read once, and one for the running ones, polled; so 100 compared jobs cost
 * a request or two per chart, not 100. NaN and infinities are drawn as markers, spikes
 * survive the server's sampling. */
export function SeriesChart(props: SeriesChartProps) {
  const theme = useTheme();
  const card = useRef<HTMLElement>(null);
  const inView = useInView(card);
  const [width, setWidth] = useState(0);
  const [zoom, setZoom] = useState<{ minStep: number; maxStep: number } | null>(null);
  // As many points as the plot has pixels, in steps of 100 so that a small resize does
  // not fetch again; nothing is fetched before the width is known.
  const maxPoints = Math.max(100, Math.min(4000, Math.ceil(width / 100) * 100));
  const live = zoom ? [] : props.jobs.filter((job) => job.live).map((job) => job.id);
  const final = props.jobs.filter((job) => !live.includes(job.id)).map((job) => job.id);
  const batches = useQueries({
    queries: [
      { ids: final, live: false },
      { ids: live, live: true },
    ].map((batch) => ({
      ...seriesBatchQuery(batch.ids, [props.metric], maxPoints, batch.live, zoom),
      enabled: inView && width > 0 && batch.ids.length > 0,
      meta: { what: `Loading ${props.metric}` },
    })),
  });
  const stamp = batches.map((r) => r.dataUpdatedAt).join(",");
  // each job's series, in the jobs' order (undefined while loading or where it has none)
  const series = useMemo(() => {
    const byJob = new Map<string, Series>();
    for (const batch of batches) for (const item of batch.data ?? []) byJob.set(item.job_id, item);
    return props.jobs.map((job) => byJob.get(job.id));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stamp, props.jobs]);
  const results = props.jobs.map((job, i) => {
    const batch = batches[live.includes(job.id) ? 1 : 0];
    return { data: series[i], isError: batch?.isError ?? false, isFetching: batch?.isFetching ?? false };
  });
  const chart = useMemo(
    () => shape(props, series),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [stamp, props.axis, props.logY, props.smoothing, props.smoothingKind, props.groups, props.jobs],
  );
  const loading = inView && results.some((r) => r.isFetching && !r.data);
  const errors = results.filter((r) => r.isError).length;
  const total = results.reduce((sum, r) => sum + (r.data?.total ?? 0), 0);
  const downsampled = results.some((r) => r.data?.downsampled);
  // A metric logged once (a final score) also reads as a number, not only as a dot.
  const singles = zoom || props.groups?.length ? null : singleValues(results.map((r) => r.data));
  return (
    <article ref={card} className="chart-card" data-testid="metric-chart" data-metric={props.metric} aria-label={`Chart of ${props.metric}`}>
      <header>
        <h3 title={props.metric}>{props.metric}</h3>
        {zoom ? (
          <button type="button" className="link" onClick={() => setZoom(null)}>
            Reset zoom
          </button>
        ) : null}
        {props.onExpand ? (
          <button type="button" className="link" onClick={props.onExpand} aria-label={props.expanded ? `Show all charts` : `Expand ${props.metric}`}>
            {props.expanded ? "Back to all" : "Expand"}
          </button>
        ) : null}
      </header>
      <div className="chart-note">
        {loading ? "loading… " : ""}
        {errors ? `${errors} series failed to load · ` : ""}
        {total.toLocaleString()} point{total === 1 ? "" : "s"}{downsampled ? " (sampled by the server; extremes kept)" : ""}
        {chart.specials ? ` · ${chart.specials} NaN/∞ marked` : ""}
        {chart.hiddenByLog ? ` · ${chart.hiddenByLog} values ≤ 0 hidden on log scale` : ""}
      </div>
      {singles ? <SingleValues metric={props.metric} singles={singles} jobs={props.jobs} /> : null}
      <LineChart
        x={chart.x}
        lines={chart.lines}
        bands={chart.bands}
        markers={chart.markers}
        xAxis={props.axis}
        logY={props.logY}
        height={props.height ?? 200}
        syncKey={props.syncKey}
        label={`${props.metric} by ${props.axis}`}
        theme={theme}
        tooltip={props.tooltip}
        legendNames={3}
        highlight={props.highlight}
        onHighlight={props.onHighlight}
        onWidth={setWidth}
        onZoom={(range) => {
          if (props.axis !== "step") return; // the server pages by step; time zooms stay local
          setZoom(range ? stepRange(range.min, range.max) : null);
        }}
      />
    </article>
  );
}

/** Each job's only value of a metric logged once (a final score), as numbers: a chart of
 * one point per job says little by itself. */
export function SingleValues({ metric, singles, jobs }: { metric: string; singles: readonly SingleValue[]; jobs: readonly { id: string; label: string; color: string }[] }) {
  return (
    <ul className={`single-values${singles.length === 1 ? " one" : ""}`} aria-label={`Single values of ${metric}`}>
      {singles.map(({ index, step, value }) => {
        const job = jobs[index];
        return (
          <li key={job?.id ?? index} data-testid="single-value">
            {jobs.length > 1 && job ? (
              <span className="soft">
                <span className="swatch" style={{ background: job.color }} />
                {job.label}:{" "}
              </span>
            ) : null}
            <strong className="num">{formatNumber(value)}</strong> <span className="soft">at step {step.toLocaleString()}</span>
          </li>
        );
      })}
    </ul>
  );
}

interface Shaped {
  x: number[];
  lines: ChartLine[];
  bands: ChartBand[];
  markers: { x: number; kind: "NaN" | "∞" | "−∞"; color: string }[];
  specials: number;
  hiddenByLog: number;
}

function shape(props: SeriesChartProps, data: (Series | undefined)[]): Shaped {
  const lines: Line[] = props.jobs.map((job, i) => {
    const series = data[i];
    return series ? toLine(series, props.axis, job.t0) : { x: [], y: [] };
  });
  const aligned = alignLines(lines);
  const markers: Shaped["markers"] = [];
  const groupColor = new Map<string, string>();
  for (const group of props.groups ?? []) for (const id of group.jobIds) groupColor.set(id, group.color);
  aligned.ys.forEach((ys, i) => {
    const job = props.jobs[i];
    const color = (job && groupColor.get(job.id)) ?? job?.color ?? "#888";
    for (const marker of specialPoints(aligned.x, ys)) markers.push({ ...marker, color });
  });
  const hiddenByLog = props.logY ? aligned.ys.reduce((n, ys) => n + ys.filter((v) => v !== null && Number.isFinite(v) && v <= 0).length, 0) : 0;
  const out: Shaped = { x: aligned.x, lines: [], bands: [], markers, specials: markers.length, hiddenByLog };
  if (props.groups && props.groups.length) {
    const indexOf = new Map(props.jobs.map((job, i) => [job.id, i]));
    for (const group of props.groups) {
      const members = group.jobIds.map((id) => aligned.ys[indexOf.get(id) ?? -1]).filter((ys): ys is (number | null)[] => ys !== undefined);
      const stats = band(members.map(carryForward));
      const upper = out.lines.length;
      out.lines.push({ label: `${group.label} max`, color: alpha(group.color, 0.4), values: drawable(stats.max, props.logY), bandEdge: true });
      out.lines.push({ label: `${group.label} min`, color: alpha(group.color, 0.4), values: drawable(stats.min, props.logY), bandEdge: true });
      out.bands.push({ upper, lower: upper + 1, color: alpha(group.color, 0.18) });
      out.lines.push({ label: `${group.label} (mean of ${members.length})`, color: group.color, dash: group.dash, values: drawable(smoothLine(aligned.x, stats.mean, props.smoothing, props.smoothingKind ?? "ema"), props.logY), width: 2 });
    }
    return out;
  }
  aligned.ys.forEach((ys, i) => {
    const job = props.jobs[i];
    if (!job) return;
    if (props.smoothing > 0) {
      out.lines.push({ id: job.id, label: `${job.label} (raw)`, color: alpha(job.color, 0.3), dash: job.dash, values: drawable(ys, props.logY), width: 1, bandEdge: false, faint: props.tooltip });
      out.lines.push({ id: job.id, label: job.label, color: job.color, dash: job.dash, values: drawable(smoothLine(aligned.x, ys, props.smoothing, props.smoothingKind ?? "ema"), props.logY), width: 1.75 });
    } else {
      out.lines.push({ id: job.id, label: job.label, color: job.color, dash: job.dash, values: drawable(ys, props.logY) });
    }
  });
  return out;
}
