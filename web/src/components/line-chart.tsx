import { useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./line-chart.css";
import { formatDuration, formatNumber } from "../lib/format";
import { isolatedPoints, type Marker, type XAxis } from "../lib/series";
import { useValue, type ValueSource } from "../lib/value-store";

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
  /** The job the line is of: hovering it highlights that job everywhere. */
  id?: string;
  /** A backdrop (the raw line under a smoothed one): no tooltip row, no legend entry. */
  faint?: boolean;
}

/** The x axis: the series axes, or `value` for another metric's values. */
export type ChartXAxis = XAxis | "value";

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
  xAxis: ChartXAxis;
  logY?: boolean;
  logX?: boolean;
  /** A fixed y range (either bound null: from the data). */
  yRange?: { min: number | null; max: number | null } | null;
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
  /** Values in a hover tooltip (job colour, name, value) instead of uPlot's legend table,
   * and a legend of at most `legendNames` names and a count of the rest. */
  tooltip?: boolean;
  legendNames?: number;
  /** The job highlighted elsewhere (its line is drawn over the others faded). */
  highlight?: string | null;
  /** The same from a store the chart follows itself (no re-render per hover); wins over `highlight`. */
  highlightSource?: ValueSource<string | null>;
  /** Called with the job of the line under the cursor, and null when it leaves. */
  onHighlight?: (id: string | null) => void;
  /** Called after each draw of the current data (the last canvas stroke). */
  onDrawn?: () => void;
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

function xValueFormat(axis: ChartXAxis): (v: number | null) => string {
  if (axis === "time") return (v) => (v == null ? "" : new Date(v * 1000).toLocaleString());
  if (axis === "relative") return (v) => (v == null ? "" : formatDuration(v));
  return (v) => (v == null ? "" : formatNumber(v));
}

/** The x range: uPlot's own, except around a single x (one point, or points all at one
 * step), which it would put at the edge of a day-long time axis; centred there instead. */
function xRange(axis: ChartXAxis): uPlot.Range.Function {
  const pad = axis === "step" ? 1 : 60;
  return (u, min, max) => {
    const xs = u.data[0];
    const only = xs.length > 0 && xs[0] === xs[xs.length - 1] ? xs[0] : undefined;
    if (only == null) return [min, max];
    if (axis === "value") return only === 0 ? [-1, 1] : [only - Math.abs(only) / 2, only + Math.abs(only) / 2];
    return [only - pad, only + pad];
  };
}

/** The y range: `fixed` bounds where given, uPlot's own padding for the others. */
function yRangeOf(fixed: { min: number | null; max: number | null }, log: boolean): uPlot.Range.Function {
  return (_u, min, max) => {
    const [lo, hi] = log ? uPlot.rangeLog(min, max, 10, true) : uPlot.rangeNum(min, max, 0.1, true);
    const a = fixed.min ?? lo ?? min;
    const b = fixed.max ?? hi ?? max;
    return a < b ? [a, b] : [a, a + 1];
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

function highlightOf(props: LineChartProps): string | null | undefined {
  return props.highlightSource ? props.highlightSource.get() : props.highlight;
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
  const legend = !props.tooltip && (props.showLegend ?? props.lines.length <= 12);
  const tip = useRef<HTMLDivElement>(null);
  // Set while the chart focuses a line because of `highlight` (not the user's cursor), so
  // that it does not report that focus back as a hover of its own.
  const echoing = useRef(false);
  // The job this chart last reported hovering: its leave clears only its own highlight.
  const reported = useRef<string | null>(null);
  const pointerIn = useRef(false);
  const yRange = props.yRange ? `${props.yRange.min}:${props.yRange.max}` : "";
  const shape = [props.xAxis, props.xLabel, props.logY, props.logX, yRange, legend, props.tooltip, height, props.theme, props.syncKey, props.bands?.length ?? 0, ...props.lines.map((l) => `${l.label}|${l.color}|${l.dash?.join(",")}|${l.bandEdge}|${l.pointsOnly}|${l.faint}`)].join(";");

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
      focus: { alpha: 0.25 },
      cursor: {
        sync: p.syncKey ? { key: p.syncKey, setSeries: false } : undefined,
        drag: { x: true, y: false, setScale: true },
        focus: { prox: p.onHighlight ? 12 : -1 },
      },
      scales: {
        x: { time: p.xAxis === "time", range: xRange(p.xAxis), ...(p.logX ? { distr: 3 } : {}) },
        y: { ...(p.logY ? { distr: 3 } : {}), ...(p.yRange ? { range: yRangeOf(p.yRange, Boolean(p.logY)) } : {}) },
      },
      axes: [
        { ...axis, incrs: p.xAxis === "step" && !p.logX ? STEP_INCREMENTS : undefined, values: p.xAxis === "relative" ? (_u, splits) => splits.map((v) => formatDuration(v)) : p.xAxis === "step" ? (_u, splits) => splits.map((v) => formatNumber(v)) : undefined },
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
        draw: [
          (u) => {
            drawMarkers(u, latest.current.markers ?? []);
            latest.current.onDrawn?.();
          },
        ],
        // Charts with one sync key move their cursors together; only the one under the
        // pointer shows its tooltip.
        setCursor: [(u) => (tip.current ? (pointerIn.current ? showTooltip(u, tip.current, latest.current) : (tip.current.hidden = true)) : undefined)],
        setSeries: [
          (_u, index, opts) => {
            if ((opts as { focus?: boolean }).focus === undefined || echoing.current) return;
            // uPlot unfocuses after the pointer left (a frame later); the leave itself
            // (below) clears the highlight, before the next row or chart takes it.
            const id = (index == null ? undefined : latest.current.lines[index - 1]?.id) ?? null;
            if (id === null || id === reported.current) return;
            reported.current = id;
            latest.current.onHighlight?.(id);
          },
        ],
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
    // On `mouseout`, not `mouseleave`: it comes before the React root hears of the pointer
    // entering a table row, so the row's highlight is set after this clears the chart's.
    const leave = (event: MouseEvent) => {
      if (event.relatedTarget instanceof Node && instance.over.contains(event.relatedTarget)) return;
      pointerIn.current = false;
      if (tip.current) tip.current.hidden = true;
      if (reported.current !== null && highlightOf(latest.current) === reported.current) latest.current.onHighlight?.(null);
      reported.current = null;
    };
    const enter = () => {
      pointerIn.current = true;
    };
    instance.over.addEventListener("mouseover", enter);
    instance.over.addEventListener("mouseout", leave);
    return () => {
      instance.over.removeEventListener("mouseover", enter);
      instance.over.removeEventListener("mouseout", leave);
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

  // A job highlighted elsewhere (its table row hovered): its line over the others, faded.
  useEffect(() => {
    const instance = plot.current;
    if (!instance) return;
    const focus = (id: string | null | undefined) => {
      // (the job this chart itself reported is focused already: its own cursor is on it)
      if (id === undefined || (id !== null && id === reported.current)) return;
      const index = id == null ? -1 : latest.current.lines.findIndex((l) => l.id === id && !l.faint);
      echoing.current = true;
      try {
        instance.setSeries(index < 0 ? null : index + 1, { focus: true }, false);
      } finally {
        echoing.current = false;
      }
    };
    const source = props.highlightSource;
    focus(source ? source.get() : props.highlight);
    return source?.subscribe(() => focus(source.get()));
  }, [props.highlight, props.highlightSource, shape]);

  if (!props.tooltip) return <div ref={host} className="chart-host" role="img" aria-label={props.label} data-testid="line-chart" />;
  return (
    <div className="chart-with-legend">
      <div ref={host} className="chart-host" role="img" aria-label={props.label} data-testid="line-chart">
        <div ref={tip} className="chart-tooltip" data-testid="chart-tooltip" hidden />
      </div>
      <CompactLegend lines={props.lines} names={props.legendNames ?? 3} highlight={props.highlight ?? null} source={props.highlightSource} />
    </div>
  );
}

/** At most `names` line names, then how many more: a legend that never crowds the chart
 * (the tooltip has every value). */
function CompactLegend({ lines, names, source, ...props }: { lines: readonly ChartLine[]; names: number; highlight: string | null; source?: ValueSource<string | null> }) {
  const highlight = useValue(source, props.highlight);
  const shown = lines.filter((l) => !l.faint && !l.bandEdge);
  if (shown.length === 0) return null;
  const first = shown.slice(0, names);
  return (
    <div className="compact-legend" data-testid="chart-legend">
      {first.map((line) => (
        <span key={`${line.id ?? ""}|${line.label}`} className={line.id && line.id === highlight ? "on" : ""} title={line.label}>
          <span className="swatch" style={{ background: line.color }} />
          {line.label}
        </span>
      ))}
      {shown.length > first.length ? <span className="soft">+{shown.length - first.length} more</span> : null}
    </div>
  );
}

/** Fills the hover tooltip: the x value, then each line's value at the cursor, largest
 * first, with its colour; the line under the cursor in bold. Positioned beside the cursor. */
function showTooltip(u: uPlot, tip: HTMLDivElement, props: LineChartProps): void {
  const idx = u.cursor.idx;
  const left = u.cursor.left ?? -1;
  if (idx == null || left < 0) {
    tip.hidden = true;
    return;
  }
  const rows: { line: ChartLine; value: number; focused: boolean }[] = [];
  props.lines.forEach((line, i) => {
    if (line.faint || line.bandEdge) return;
    const value = (u.data[i + 1] as (number | null | undefined)[])[idx];
    if (value == null) return;
    rows.push({ line, value, focused: (u.series[i + 1] as { _focus?: boolean | null } | undefined)?._focus === true });
  });
  if (rows.length === 0) {
    tip.hidden = true;
    return;
  }
  rows.sort((a, b) => b.value - a.value);
  const x = u.data[0][idx];
  const head = document.createElement("div");
  head.className = "soft";
  head.textContent = `${props.xLabel ?? props.xAxis} ${xValueFormat(props.xAxis)(x ?? null)}`;
  const items = rows.map(({ line, value, focused }) => {
    const row = document.createElement("div");
    row.className = focused ? "on" : "";
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = line.color;
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = line.label;
    const number = document.createElement("span");
    number.className = "num";
    number.textContent = formatNumber(value);
    row.append(swatch, name, number);
    return row;
  });
  tip.replaceChildren(head, ...items);
  tip.hidden = false;
  const top = (u.cursor.top ?? 0) + u.over.offsetTop;
  const x0 = left + u.over.offsetLeft;
  const flip = x0 > u.root.clientWidth / 2;
  tip.style.left = flip ? "" : `${x0 + 12}px`;
  tip.style.right = flip ? `${u.root.clientWidth - x0 + 12}px` : "";
  tip.style.top = `${Math.max(0, top - 10)}px`;
}
