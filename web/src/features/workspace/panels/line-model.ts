// A line panel's data as a chart draws it: each visible job's series of the panel's metric
// on the chosen x (step, time, time since start, or another metric), smoothed, clipped.
import type { ChartLine, ChartXAxis } from "../../../components/line-chart";
import type { Series } from "../../../lib/api/types";
import { alignLines, drawable, pairByStep, percentileRange, singleValues, smoothLine, specialPoints, toLine, type Line, type Marker, type SingleValue } from "../../../lib/series";
import type { WorkspaceJob } from "../panel-types";
import type { LineSettings, Smoothing, ViewState } from "../view";

export interface LineShape {
  x: number[];
  lines: ChartLine[];
  markers: (Marker & { color: string })[];
  xAxis: ChartXAxis;
  xLabel: string;
  logY: boolean;
  yRange: { min: number | null; max: number | null } | null;
  /** Each job's only point, when every job logged the metric once (a final score). */
  singles: SingleValue[] | null;
  /** Points over all jobs (before smoothing). */
  points: number;
}

export type SeriesOf = (jobId: string, key: string) => Pick<Series, "steps" | "times" | "values"> | undefined;

/** The panel's effective options: its own where set (a panel's step or linear y undoes the
 * workspace's time or log y), else the workspace's. */
export function lineOptions(settings: LineSettings, view: Pick<ViewState, "x" | "logY" | "smoothing" | "smoothingKind">) {
  return {
    x: settings.x ?? view.x,
    logY: settings.logY ?? view.logY,
    smoothing: settings.smoothing ?? view.smoothing,
    smoothingKind: settings.smoothingKind ?? view.smoothingKind,
  };
}

function faded(color: string): string {
  return color.startsWith("#") && color.length === 7 ? `${color}4d` : color;
}

/** A line panel's data before smoothing: what changes with the series and settings, not
 * with the smoothing control (which re-runs only `smoothedLines`). */
export interface LineBase extends Omit<LineShape, "lines"> {
  jobs: readonly WorkspaceJob[];
  /** Each job's aligned values, non-finite kept (what smoothing reads). */
  ys: (number | null)[][];
  /** Each job's values as drawn unsmoothed. */
  raw: (number | null)[][];
}

export function lineBase(settings: LineSettings, view: Pick<ViewState, "x" | "logY" | "smoothing" | "smoothingKind">, jobs: readonly WorkspaceJob[], seriesOf: SeriesOf): LineBase {
  const options = lineOptions(settings, view);
  const xMetric = options.x.startsWith("metric:") ? options.x.slice("metric:".length) : null;
  const axis = xMetric ? "step" : (options.x as "step" | "time" | "relative");
  const raw = jobs.map((job) => seriesOf(job.id, settings.metric));
  const lines: Line[] = jobs.map((job, i) => {
    const series = raw[i];
    if (!series) return { x: [], y: [] };
    if (xMetric) {
      const other = seriesOf(job.id, xMetric);
      return other ? pairByStep(other, series) : { x: [], y: [] };
    }
    return toLine(series, axis, job.t0 ?? 0);
  });
  const aligned = alignLines(lines);
  const markers: LineShape["markers"] = [];
  aligned.ys.forEach((ys, i) => {
    const job = jobs[i] as WorkspaceJob;
    for (const marker of specialPoints(aligned.x, ys)) markers.push({ ...marker, color: job.color });
  });
  let yRange: LineShape["yRange"] = null;
  if (settings.yMin !== null || settings.yMax !== null) yRange = { min: settings.yMin, max: settings.yMax };
  else if (settings.clip) {
    const clipped = percentileRange(aligned.ys);
    if (clipped && clipped.min < clipped.max) yRange = clipped;
  }
  return {
    jobs,
    x: aligned.x,
    ys: aligned.ys,
    raw: aligned.ys.map((ys) => drawable(ys, options.logY)),
    markers,
    xAxis: xMetric ? "value" : axis,
    xLabel: xMetric ?? (axis === "relative" ? "elapsed" : axis),
    logY: options.logY,
    yRange,
    singles: xMetric ? null : singleValues(raw),
    points: lines.reduce((n, line) => n + line.x.length, 0),
  };
}

/** The chart's lines at `smoothing`: for each job a faint raw line, then its line. The faint
 * one is there at 0 too (all gaps, so nothing is drawn), so that moving the smoothing
 * control changes the chart's data only, never its series (which would rebuild it). */
export function smoothedLines(base: LineBase, smoothing: number, kind: Smoothing): ChartLine[] {
  const out: ChartLine[] = [];
  base.jobs.forEach((job, i) => {
    const raw = base.raw[i] as (number | null)[];
    const ys = base.ys[i] as (number | null)[];
    const on = smoothing > 0;
    out.push({ id: job.id, label: `${job.name} (raw)`, color: faded(job.color), dash: job.dash, values: on ? raw : gaps(raw.length), width: 1, faint: true });
    out.push({ id: job.id, label: job.name, color: job.color, dash: job.dash, values: on ? drawable(smoothLine(base.x, ys, smoothing, kind), base.logY) : raw, width: 1.5 });
  });
  return out;
}

/** A line of `n` gaps (shared: it is never written to). */
const gapLines = new Map<number, (number | null)[]>();
function gaps(n: number): (number | null)[] {
  let line = gapLines.get(n);
  if (!line) {
    line = new Array<number | null>(n).fill(null);
    if (gapLines.size > 64) gapLines.clear();
    gapLines.set(n, line);
  }
  return line;
}

/** The whole shape at the view's smoothing (the panel memoises the two steps apart). */
export function shapeLine(settings: LineSettings, view: Pick<ViewState, "x" | "logY" | "smoothing" | "smoothingKind">, jobs: readonly WorkspaceJob[], seriesOf: SeriesOf): LineShape {
  const options = lineOptions(settings, view);
  const base = lineBase(settings, view, jobs, seriesOf);
  const { x, markers, xAxis, xLabel, logY, yRange, singles, points } = base;
  return { x, markers, xAxis, xLabel, logY, yRange, singles, points, lines: smoothedLines(base, options.smoothing, options.smoothingKind) };
}
