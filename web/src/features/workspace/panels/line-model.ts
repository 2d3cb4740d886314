// A line panel's data as a chart draws it: each visible job's series of the panel's metric
// on the chosen x (step, time, time since start, or another metric), smoothed, clipped.
import type { ChartLine, ChartXAxis } from "../../../components/line-chart";
import type { Series } from "../../../lib/api/types";
import { alignLines, drawable, pairByStep, percentileRange, singleValues, smoothLine, specialPoints, toLine, type Line, type Marker, type SingleValue } from "../../../lib/series";
import type { WorkspaceJob } from "../panel-types";
import type { LineSettings, ViewState } from "../view";

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

export function shapeLine(settings: LineSettings, view: Pick<ViewState, "x" | "logY" | "smoothing" | "smoothingKind">, jobs: readonly WorkspaceJob[], seriesOf: SeriesOf): LineShape {
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
  const chartLines: ChartLine[] = [];
  aligned.ys.forEach((ys, i) => {
    const job = jobs[i] as WorkspaceJob;
    for (const marker of specialPoints(aligned.x, ys)) markers.push({ ...marker, color: job.color });
    if (options.smoothing > 0) {
      chartLines.push({ id: job.id, label: `${job.name} (raw)`, color: faded(job.color), dash: job.dash, values: drawable(ys, options.logY), width: 1, faint: true });
      chartLines.push({ id: job.id, label: job.name, color: job.color, dash: job.dash, values: drawable(smoothLine(aligned.x, ys, options.smoothing, options.smoothingKind), options.logY), width: 1.75 });
    } else {
      chartLines.push({ id: job.id, label: job.name, color: job.color, dash: job.dash, values: drawable(ys, options.logY) });
    }
  });
  let yRange: LineShape["yRange"] = null;
  if (settings.yMin !== null || settings.yMax !== null) yRange = { min: settings.yMin, max: settings.yMax };
  else if (settings.clip) {
    const clipped = percentileRange(aligned.ys);
    if (clipped && clipped.min < clipped.max) yRange = clipped;
  }
  return {
    x: aligned.x,
    lines: chartLines,
    markers,
    xAxis: xMetric ? "value" : axis,
    xLabel: xMetric ?? (axis === "relative" ? "elapsed" : axis),
    logY: options.logY,
    yRange,
    singles: xMetric ? null : singleValues(raw),
    points: lines.reduce((n, line) => n + line.x.length, 0),
  };
}
