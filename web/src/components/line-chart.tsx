import { useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { formatDuration, formatNumber } from "../lib/format";
import { isolatedPoints, type Marker, type XAxis } from "../lib/series";

export interface ChartLine {
  label: string;
  color: string;
  dash?: number[];
  values: (number | null)[];
  width?: number;
  /** Lines drawn only to fill a band: no legend entry, thin. */
  bandEdge?: boolean;
  /** Draw points only (a scatter over time), no connecting line. */
  pointsOnly?: boolean;
}

export interface ChartBand {
  /** Indexes into `lines` of the band's upper and lower edges. */
  upper: number;
  lower: number;
  color: string;
}

export interface LineChartProps {
  x: number[];
  lines: ChartLine[];
  bands?: ChartBand[];
  markers?: (Marker & { color: string })[];
  xAxis: XAxis;
  logY?: boolean;
  height?: number;
  /** Crosshairs of charts with the same key move together. */
  syncKey?: string;
  /** Called when the user drags to zoom (a range) or double-clicks to reset (null). */
  onZoom?: (range: { min: number; max: number } | null) => void;
  /** Called with the plot's width in pixels, to ask the server for that many points. */
  onWidth?: (width: number) => void;
  showLegend?: boolean;
  /** The x values' name in the legend (default: step, time or elapsed, from `xAxis`). */
  xLabel?: string;
  label: string;
  theme: string;
}

/** Tick spacings of a step axis: whole steps only. */
const STEP_INCREMENTS = Array.from({ length: 16 }, (_, e) => [1, 2, 5].map((m) => m * 10 ** e)).flat();

/** The y axis's width from its longest tick label, so that no label is cut. */
function axisWidth(_u: uPlot, values: string[] | null): number {
  const longest = (values ?? []).reduce((n, v) => Math.max(n, String(v).length), 0);
  return Math.max(40, Math.ceil(longest * 7.2 + 18));
}

function cssVar(name: string, fallback: string): string {
  if (typeof document === "undefined") return fallback;
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function xValueFormat(axis: XAxis): (v: number | null) => string {
  if (axis === "time") return (v) => (v == null ? "" : new Date(v * 1000).toLocaleString());
  if (axis === "relative") return (v) => (v == null ? "" : formatDuration(v));
  return (v) => (v == null ? "" : formatNumber(v));
}

/** The x range: uPlot's own, except around a single x (one point, or points all at one
 * step), which it would put at the edge of a day-long time axis; centred there instead. */
function xRange(axis: XAxis): uPlot.Range.Function {
  const pad = axis === "step" ? 1 : 60;
  return (u, min, max) => {
    const xs = u.data[0];
    const only = xs.length > 0 && xs[0] === xs[xs.length - 1] ? xs[0] : undefined;
    return only == null ? [min, max] : [only - pad, only + pad];
  };
}

/** The dots of a line's isolated points (uPlot draws no segment through a lone value). */
function isolatedDots(u: uPlot, seriesIdx: number): number[] | null {
  const ys = u.data[seriesIdx] as (number | null | undefined)[] | undefined;
  const [i0, i1] = u.series[seriesIdx]?.idxs ?? [0, (ys?.length ?? 0) - 1];
  const dots = ys ? isolatedPoints(ys, i0, i1) : [];
  return dots.length ? dots : null;
}

function drawMarkers(u: uPlot, markers: readonly (Marker & { color: string })[]): void {
  if (markers.length === 0) return;
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const px = uPlot.pxRatio;
  ctx.save();
  ctx.font = `${10 * px}px system-ui, sans-serif`;
  ctx.textAlign = "center";
  let lastLabelX = -Infinity;
  for (const marker of markers) {
    const x = u.valToPos(marker.x, "x", true);
    if (x < left - 1 || x > left + width + 1) continue;
    const atBottom = marker.kind === "−∞";
    const y = atBottom ? top + height : top;
    ctx.fillStyle = marker.color;
    ctx.strokeStyle = marker.color;
    ctx.beginPath();
    const s = 4 * px;
    if (atBottom) {
      ctx.moveTo(x - s, y); ctx.lineTo(x + s, y); ctx.lineTo(x, y - 1.6 * s);
    } else {
      ctx.moveTo(x - s, y); ctx.lineTo(x + s, y); ctx.lineTo(x, y + 1.6 * s);
    }
    ctx.closePath();
    ctx.fill();
    if (x - lastLabelX > 28 * px) {
      ctx.fillText(marker.kind, x, atBottom ? y - 2.4 * s : y + 3.6 * s);
      lastLabelX = x;
    }
  }
  ctx.restore();
}

/** A uPlot line chart: gaps for missing values, markers for NaN/∞, dots for lone values, drag to zoom,
 * double-click to reset, crosshair synced with other charts of the same key. */
export function LineChart(props: LineChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [width, setWidth] = useState(0);
  const latest = useRef(props);
  latest.current = props;
  const height = props.height ?? 200;
  const legend = props.showLegend ?? props.lines.length <= 12;
  const shape = [props.xAxis, props.xLabel, props.logY, legend, height, props.theme, props.syncKey, props.bands?.length ?? 0, ...props.lines.map((l) => `${l.label}|${l.color}|${l.dash?.join(",")}|${l.bandEdge}|${l.pointsOnly}`)].join(";");

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const observer = new ResizeObserver((entries) => {
      const w = Math.floor(entries[0]?.contentRect.width ?? 0);
      if (w > 0) setWidth(w);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    if (width > 0) latest.current.onWidth?.(width);
  }, [width]);

  useEffect(() => {
    const element = host.current;
    if (!element || width === 0) return;
    const p = latest.current;
    const text = cssVar("--text-soft", "#666");
    const grid = cssVar("--border", "#ddd");
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const format = xValueFormat(p.xAxis);
    const options: uPlot.Options = {
      width,
      height,
      legend: { show: legend, live: true },
      cursor: { sync: p.syncKey ? { key: p.syncKey, setSeries: false } : undefined, drag: { x: true, y: false, setScale: true } },
      scales: { x: { time: p.xAxis === "time", range: xRange(p.xAxis) }, y: p.logY ? { distr: 3 } : {} },
      axes: [
        { ...axis, incrs: p.xAxis === "step" ? STEP_INCREMENTS : undefined, values: p.xAxis === "relative" ? (_u, splits) => splits.map((v) => formatDuration(v)) : p.xAxis === "step" ? (_u, splits) => splits.map((v) => formatNumber(v)) : undefined },
        { ...axis, size: axisWidth, values: (_u, splits) => splits.map((v) => formatNumber(v)) },
      ],
      series: [
        { label: p.xLabel ?? (p.xAxis === "step" ? "step" : p.xAxis === "time" ? "time" : "elapsed"), value: (_u, v) => format(v) },
        ...p.lines.map((line) => ({
          label: line.label,
          stroke: line.color,
          width: line.pointsOnly ? 0 : (line.width ?? (line.bandEdge ? 0 : 1.5)),
          dash: line.dash && line.dash.length ? line.dash : undefined,
          spanGaps: false,
          // A lone value (a metric logged once, or a point between gaps) is drawn as a dot.
          points: line.pointsOnly
            ? { show: true, size: 6, fill: line.color, stroke: line.color }
            : { show: false, size: 7, fill: line.color, stroke: line.color, filter: line.bandEdge ? undefined : isolatedDots },
          show: true,
          value: (_u: uPlot, v: number | null) => (v == null ? "–" : formatNumber(v)),
        })),
      ],
      bands: p.bands?.map((b) => ({ series: [b.upper + 1, b.lower + 1] as [number, number], fill: b.color })),
      hooks: {
        draw: [(u) => drawMarkers(u, latest.current.markers ?? [])],
        setSelect: [
          (u) => {
            if (u.select.width < 2) return;
            const min = u.posToVal(u.select.left, "x");
            const max = u.posToVal(u.select.left + u.select.width, "x");
            latest.current.onZoom?.({ min, max });
          },
        ],
      },
    };
    const data = [p.x, ...p.lines.map((l) => l.values)] as uPlot.AlignedData;
    const instance = new uPlot(options, data, element);
    plot.current = instance;
    const reset = () => latest.current.onZoom?.(null);
    instance.over.addEventListener("dblclick", reset);
    instance.over.setAttribute("aria-label", `${p.label} chart; drag to zoom, double-click to reset`);
    // Series hidden from the legend: band edges
    p.lines.forEach((line, i) => {
      if (line.bandEdge) {
        const row = instance.root.querySelectorAll(".u-legend .u-series")[i + 1];
        if (row instanceof HTMLElement) row.style.display = "none";
      }
    });
    return () => {
      instance.over.removeEventListener("dblclick", reset);
      instance.destroy();
      plot.current = null;
    };
    // Recreated when the chart's shape changes; new data alone goes through setData.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape, width]);

  useEffect(() => {
    const instance = plot.current;
    if (!instance) return;
    instance.setData([props.x, ...props.lines.map((l) => l.values)] as uPlot.AlignedData);
  }, [props.x, props.lines, props.markers]);

  return <div ref={host} className="chart-host" role="img" aria-label={props.label} data-testid="line-chart" />;
}
