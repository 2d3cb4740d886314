import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState, type MouseEvent } from "react";
import { useNavigate } from "react-router-dom";
import { LIMITS } from "../../../lib/api/limits.gen";
import { valueAt } from "../../../lib/api/packed-values";
import { jobQuery, keysQuery, packedJobValuesQuery } from "../../../lib/api/queries";
import { formatNumber, formatValue } from "../../../lib/format";
import { fieldName } from "../../../lib/query-text";
import { useTheme } from "../../../lib/theme";
import { ErrorPanel, Loading } from "../../../components/states";
import type { PanelProps } from "../panel-types";
import type { ScatterSettings } from "../view";
import { FieldSelect } from "./field-select";
import { fieldChoices, fieldLabel, metricField } from "./fields";
import type { EditorProps, PanelKindDef } from "./kind";
import { Legend } from "./scatter-legend";
import { axisTicks, nearestPoint, pointIndex, scatterModel, type PointIndex, type ScatterModel } from "./scatter-model";
import { useLatest } from "./use-latest";
import { cssColor, useWidth } from "./use-width";
import "./panels.css";

/** The most jobs a scatter asks for (the values endpoint's limit). */
const SCATTER_LIMIT = LIMITS.jobValues;
const MARGIN = { left: 56, right: 12, top: 8, bottom: 28 };
const DOT = 2.5;
const VISIBLE_DOT = 4.5;

interface Geometry {
  width: number;
  height: number;
  px: (v: number) => number;
  py: (v: number) => number;
}

function geometry(model: ScatterModel, width: number, height: number): Geometry {
  const [x0, x1] = model.xRange;
  const [y0, y1] = model.yRange;
  const w = Math.max(1, width - MARGIN.left - MARGIN.right);
  const h = Math.max(1, height - MARGIN.top - MARGIN.bottom);
  return { width, height, px: (v) => MARGIN.left + ((v - x0) / (x1 - x0 || 1)) * w, py: (v) => MARGIN.top + (1 - (v - y0) / (y1 - y0 || 1)) * h };
}

/** A canvas sized to the geometry (in device pixels), cleared, drawing in CSS pixels. */
function prepare(canvas: HTMLCanvasElement, g: Geometry): CanvasRenderingContext2D | null {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(g.width * ratio);
  canvas.height = Math.round(g.height * ratio);
  const ctx = canvas.getContext("2d");
  ctx?.setTransform(ratio, 0, 0, ratio, 0, 0);
  return ctx;
}

interface Pixels {
  px: Float32Array;
  py: Float32Array;
}

/** Axes, then every colour's points as one path; returns the points' pixels, for the
 * overlay and for finding the one under the pointer. */
function drawPoints(canvas: HTMLCanvasElement, model: ScatterModel, settings: ScatterSettings, g: Geometry): Pixels {
  const px = new Float32Array(model.count);
  const py = new Float32Array(model.count);
  for (let i = 0; i < model.count; i += 1) {
    px[i] = g.px(model.x[i] as number);
    py[i] = g.py(model.y[i] as number);
  }
  const ctx = prepare(canvas, g);
  if (!ctx) return { px, py };
  drawAxes(ctx, model, settings, g);
  ctx.globalAlpha = model.count > 5_000 ? 0.55 : 0.8;
  for (let b = 0; b < model.colors.length; b += 1) {
    ctx.beginPath();
    for (let i = 0; i < model.count; i += 1) {
      if (model.bucket[i] === b) ctx.rect((px[i] as number) - DOT / 2, (py[i] as number) - DOT / 2, DOT, DOT);
    }
    ctx.fillStyle = model.colors[b] as string;
    ctx.fill();
  }
  return { px, py };
}

/** The visible jobs' points in their colours, on a canvas of their own over the others (a
 * hover or a change of the visible jobs redraws these few, not 100,000). */
function drawVisible(canvas: HTMLCanvasElement, index: Pixels, g: Geometry, visible: readonly { point: number; color: string; ring: boolean }[]) {
  const ctx = prepare(canvas, g);
  if (!ctx) return;
  ctx.strokeStyle = cssColor("--text", "#222");
  for (const { point, color, ring } of visible) {
    ctx.beginPath();
    ctx.arc(index.px[point] as number, index.py[point] as number, ring ? VISIBLE_DOT + 2 : VISIBLE_DOT, 0, Math.PI * 2);
    ctx.fillStyle = color;
    ctx.fill();
    ctx.lineWidth = ring ? 2 : 1;
    ctx.stroke();
  }
}

function drawAxes(ctx: CanvasRenderingContext2D, model: ScatterModel, settings: ScatterSettings, g: Geometry) {
  const text = cssColor("--text-soft", "#666");
  const grid = cssColor("--border", "#ddd");
  ctx.font = "11px system-ui, sans-serif";
  ctx.lineWidth = 1;
  ctx.strokeStyle = grid;
  ctx.fillStyle = text;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const tick of axisTicks(model.xRange, settings.logX, Math.max(2, Math.floor(g.width / 90)))) {
    const x = Math.round(g.px(tick.at)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, MARGIN.top);
    ctx.lineTo(x, g.height - MARGIN.bottom);
    ctx.stroke();
    ctx.fillText(tick.label, x, g.height - MARGIN.bottom + 4);
  }
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const tick of axisTicks(model.yRange, settings.logY, Math.max(2, Math.floor(g.height / 50)))) {
    const y = Math.round(g.py(tick.at)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(MARGIN.left, y);
    ctx.lineTo(g.width - MARGIN.right, y);
    ctx.stroke();
    ctx.fillText(tick.label, MARGIN.left - 4, y);
  }
}

/** A summary metric or param against another over every job of the table's filter (up to
 * 100,000), coloured by a third field; the visible jobs are drawn on top in their colours.
 * Hovering names a job and its values; a click opens it. */
function ScatterPanel({ panel, project, jobs, filter, height, highlight, onHighlight, onDrawn }: PanelProps<"scatter">) {
  const settings = panel.settings;
  const fields = useMemo(() => [settings.x, settings.y, ...(settings.color ? [settings.color] : [])], [settings.x, settings.y, settings.color]);
  const values = useQuery(packedJobValuesQuery(project, fields, filter, SCATTER_LIMIT));
  const dark = useTheme() === "dark";
  const data = values.data;
  const model = useMemo(
    () => (data ? scatterModel({ ids: data.ids, x: data.columns[settings.x] ?? [], y: data.columns[settings.y] ?? [], color: settings.color ? data.columns[settings.color] : null }, { logX: settings.logX, logY: settings.logY, colorField: settings.color, dark }) : null),
    [data, settings.x, settings.y, settings.color, settings.logX, settings.logY, dark],
  );
  const host = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  const pixels = useRef<Pixels | null>(null);
  // built at the first hover, not on the way to the first frame
  const index = useRef<PointIndex | null>(null);
  const width = useWidth(host);
  const plotHeight = Math.max(120, height - 28);
  const [hover, setHover] = useState<{ point: number; x: number; y: number } | null>(null);
  const navigate = useNavigate();

  const visible = useMemo(() => {
    if (!model || !data) return [];
    const colors = new Map(jobs.map((j) => [j.id, j.color]));
    const out: { point: number; color: string; id: string }[] = [];
    for (let i = 0; i < model.count; i += 1) {
      const id = data.ids.at(model.row[i] as number) as string;
      const color = colors.get(id);
      if (color) out.push({ point: i, color, id });
    }
    return out;
  }, [model, data, jobs]);

  const drawn = useLatest(onDrawn);
  const g = useMemo(() => (model && width > 0 ? geometry(model, width, plotHeight) : null), [model, width, plotHeight]);
  // The points first, then (in the same commit, after it: effects run in order) the
  // visible jobs over them from the index the points left.
  useEffect(() => {
    if (!model || !g || !canvas.current) return;
    drawn.current(false);
    pixels.current = drawPoints(canvas.current, model, settings, g);
    index.current = null;
  }, [model, settings, g, drawn]);
  useEffect(() => {
    if (!model || !g || !pixels.current || !overlay.current) return;
    drawVisible(overlay.current, pixels.current, g, visible.map((v) => ({ point: v.point, color: v.color, ring: v.id === highlight })));
    drawn.current(true, model.count);
  }, [model, settings, g, visible, highlight, drawn]);

  const pointAt = (event: MouseEvent<HTMLCanvasElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    const x = event.clientX - box.left;
    const y = event.clientY - box.top;
    if (!index.current && pixels.current && g) index.current = pointIndex(pixels.current.px, pixels.current.py, g.width, g.height);
    const point = index.current ? nearestPoint(index.current, x, y) : -1;
    return point < 0 ? null : { point, x, y };
  };
  const visibleIds = new Set(jobs.map((j) => j.id));
  const jobOf = (point: number) => (data && model ? (data.ids.at(model.row[point] as number) ?? null) : null);
  const row = hover && model ? (model.row[hover.point] as number) : null;
  // The answer carries no names: the hovered job's comes from its (cached) job query.
  const hoveredId = row !== null && data ? (data.ids.at(row) ?? null) : null;
  const hoveredJob = useQuery({ ...jobQuery(hoveredId ?? ""), enabled: hoveredId !== null });

  if (values.isError && !data) return <ErrorPanel error={values.error} title="Could not load the jobs' values" />;
  return (
    <div className="scatter-panel" ref={host}>
      {!data ? <Loading what="Loading the jobs' values" /> : null}
      <div className="scatter-plot" style={{ height: plotHeight }}>
        <canvas ref={canvas} style={{ width: "100%", height: plotHeight }} aria-hidden="true" />
        <canvas
          ref={overlay}
          className="scatter-overlay"
          style={{ width: "100%", height: plotHeight, cursor: hover ? "pointer" : "default" }}
          role="img"
          aria-label={`${fieldLabel(settings.y)} against ${fieldLabel(settings.x)}, ${model?.count ?? 0} jobs`}
          data-testid="scatter-canvas"
          onPointerMove={(e) => {
            const found = pointAt(e);
            setHover(found);
            // only a visible job has a row and a line to highlight
            const id = found ? jobOf(found.point) : null;
            onHighlight(id !== null && visibleIds.has(id) ? id : null);
          }}
          onPointerLeave={() => {
            setHover(null);
            onHighlight(null);
          }}
          onClick={(e) => {
            const found = pointAt(e);
            const id = found ? jobOf(found.point) : null;
            if (id) navigate(`/jobs/${id}`);
          }}
        />
        {hover && data && row !== null ? (
          <div className="chart-tooltip scatter-tooltip" style={{ left: Math.min(hover.x + 12, Math.max(0, width - 220)), top: Math.max(0, hover.y - 12) }} data-testid="scatter-tooltip">
            <strong>{(hoveredJob.data?.id === hoveredId && hoveredJob.data?.name) || hoveredId}</strong>
            {fields.map((field) => (
              <div key={field}>
                <span className="soft">{fieldLabel(field)}</span> {formatValue(valueAt(data.columns[field], row))}
              </div>
            ))}
          </div>
        ) : null}
      </div>
      <div className="row scatter-foot">
        <span className="soft" data-testid="scatter-count">
          {model ? `${formatNumber(model.count)} jobs` : ""}
          {model && model.skipped ? ` · ${formatNumber(model.skipped)} without both values${settings.logX || settings.logY ? " (or not positive on a log axis)" : ""}` : ""}
          {data && data.total > data.ids.length ? ` · the first ${formatNumber(data.ids.length)} of ${formatNumber(data.total)}` : ""}
        </span>
        {model ? <Legend legend={model.legend} /> : null}
      </div>
    </div>
  );
}

function ScatterEditor({ panel, project, onChange }: EditorProps<"scatter">) {
  const keys = useQuery(keysQuery(project));
  const choices = useMemo(() => fieldChoices(keys.data), [keys.data]);
  const s = panel.settings;
  const set = (patch: Partial<ScatterSettings>) => onChange({ ...s, ...patch });
  return (
    <div className="panel-editor">
      <FieldSelect label="x" value={s.x} choices={choices} onChange={(x) => x && set({ x })} />
      <FieldSelect label="y" value={s.y} choices={choices} onChange={(y) => y && set({ y })} />
      <FieldSelect label="Colour by" value={s.color} choices={choices} none="(none)" onChange={(color) => set({ color })} />
      <label className="check">
        <input type="checkbox" checked={s.logX} onChange={(e) => set({ logX: e.target.checked })} /> log x
      </label>
      <label className="check">
        <input type="checkbox" checked={s.logY} onChange={(e) => set({ logY: e.target.checked })} /> log y
      </label>
    </div>
  );
}

export const scatterKind: PanelKindDef<"scatter"> = {
  kind: "scatter",
  label: "Scatter",
  Panel: ScatterPanel,
  Editor: ScatterEditor,
  defaults: ({ keys }) => {
    const metric = [...keys.metrics].sort()[0];
    const param = [...keys.params].sort()[0];
    if (!metric) return null;
    return { x: param ? fieldName("params", param) : metricField(metric, "last"), y: metricField(metric, "min"), color: null, logX: false, logY: false };
  },
};
