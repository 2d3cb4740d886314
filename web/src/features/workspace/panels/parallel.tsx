import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState, type PointerEvent } from "react";
import { useNavigate } from "react-router-dom";
import { jobValuesQuery, keysQuery } from "../../../lib/api/queries";
import { DARK_SCALE_FLOOR } from "../../../lib/chart-scales";
import { formatNumber, truncate } from "../../../lib/format";
import { brushed, type Axis } from "../../../lib/parallel-axes";
import { fieldName } from "../../../lib/query-text";
import { useTheme } from "../../../lib/theme";
import { ErrorPanel, Loading } from "../../../components/states";
import type { PanelProps } from "../panel-types";
import type { ParallelSettings } from "../view";
import { FieldSelect } from "./field-select";
import { fieldChoices, metricField } from "./fields";
import type { EditorProps, PanelKindDef } from "./kind";
import { drawOrder, lineStyles, MAX_AXES, parallelAxes } from "./parallel-model";
import { useLatest } from "./use-latest";
import { useWidth } from "./use-width";
import "./panels.css";

/** The most jobs a parallel panel draws (one SVG line each). */
export const PARALLEL_LIMIT = 2_000;
const PAD = { top: 28, bottom: 22, side: 56 };

type Brushes = Record<string, [number, number]>;

/** The filter's jobs (up to PARALLEL_LIMIT) as lines across an axis per chosen field,
 * coloured by a field or, without one, the visible jobs in their colours over grey. Drag
 * along an axis to brush: only the lines inside every brush stay coloured; a click on an
 * axis clears its brush, a click on a line opens its job. */
function ParallelPanel({ panel, project, jobs, filter, height, highlight, onHighlight, onDrawn }: PanelProps<"parallel">) {
  const s = panel.settings;
  const fields = useMemo(() => [...new Set([...s.fields.slice(0, MAX_AXES), ...(s.color ? [s.color] : [])])], [s.fields, s.color]);
  const values = useQuery(jobValuesQuery(project, fields, filter, PARALLEL_LIMIT));
  const floor = useTheme() === "dark" ? DARK_SCALE_FLOOR : 0;
  const data = values.data;
  const axes = useMemo(() => (data ? parallelAxes(data, s.fields) : []), [data, s.fields]);
  const visible = useMemo(() => new Map(jobs.map((j) => [j.id, j.color])), [jobs]);
  const styles = useMemo(() => (data ? lineStyles(data, s.color, visible, floor) : []), [data, s.color, visible, floor]);
  const [allBrushes, setBrushes] = useState<Brushes>({});
  // a brush on an axis the settings no longer show no longer counts
  const brushes = useMemo(() => Object.fromEntries(Object.entries(allBrushes).filter(([key]) => axes.some((a) => a.key === key))), [allBrushes, axes]);
  const drag = useRef<{ key: string; start: number } | null>(null);
  const host = useRef<HTMLDivElement>(null);
  const width = useWidth(host);
  const navigate = useNavigate();
  const drawn = useLatest(onDrawn);
  useEffect(() => drawn.current(data !== undefined && width > 0), [data, axes, styles, width, drawn]);

  if (values.isError && !data) return <ErrorPanel error={values.error} title="Could not load the jobs' values" />;
  const count = data?.ids.length ?? 0;
  const inside = brushed(axes, brushes, count);
  const svgHeight = Math.max(140, height - 24);
  const plot = svgHeight - PAD.top - PAD.bottom;
  const gap = axes.length > 1 ? (Math.max(width, 200) - 2 * PAD.side) / (axes.length - 1) : 0;
  const x = (a: number) => PAD.side + a * gap;
  const y = (p: number) => PAD.top + (1 - p) * plot;
  const position = (event: PointerEvent<SVGRectElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    return Math.min(1, Math.max(0, 1 - (event.clientY - box.top) / box.height));
  };
  const order = drawOrder(styles.map((st, i) => ({ ...st, front: st.front && (inside[i] ?? true) })));
  return (
    <div ref={host} className="parallel-panel">
      {!data ? <Loading what="Loading the jobs' values" /> : null}
      <div className="row soft">
        <span data-testid="parallel-count">
          {Object.keys(brushes).length ? `${inside.filter(Boolean).length} of ${count} jobs in the brushes` : `${count} jobs`}
          {data && data.total > count ? ` (the first ${count} of ${data.total})` : ""}
        </span>
        {Object.keys(brushes).length ? (
          <button type="button" className="link" onClick={() => setBrushes({})}>
            Clear brushes
          </button>
        ) : null}
      </div>
      {data && axes.length < 2 ? <p className="soft">Choose at least two fields in the panel's settings.</p> : null}
      {data && width > 0 && axes.length >= 2 ? (
        <svg width={width} height={svgHeight} role="img" aria-label={`Parallel coordinates of ${axes.map((a) => a.label).join(", ")}`} data-testid="parallel-svg">
          {order.map((i) => {
            const id = data.ids[i] as string;
            const on = inside[i] ?? true;
            const points = axes.flatMap((axis, a) => {
              const p = axis.positions[i];
              return p === null || p === undefined ? [] : [`${x(a)},${y(p)}`];
            });
            return (
              <polyline
                key={id}
                points={points.join(" ")}
                fill="none"
                stroke={on ? styles[i]?.color : "var(--border)"}
                strokeWidth={highlight === id ? 3 : on && visible.has(id) ? 2 : 1}
                opacity={on ? 0.85 : 0.4}
                style={{ cursor: "pointer" }}
                onPointerEnter={() => onHighlight(id)}
                onPointerLeave={() => onHighlight(null)}
                onClick={() => navigate(`/jobs/${id}`)}
                data-testid="parallel-line"
              >
                <title>{data.names[i] || id}</title>
              </polyline>
            );
          })}
          {axes.map((axis, a) => (
            <AxisView key={axis.key} axis={axis} x={x(a)} y={y} top={PAD.top} plot={plot} brush={brushes[axis.key]} />
          ))}
          {axes.map((axis, a) => (
            <rect
              key={axis.key}
              x={x(a) - 12}
              width={24}
              y={PAD.top}
              height={plot}
              fill="transparent"
              style={{ cursor: "ns-resize" }}
              data-testid="parallel-brush"
              onPointerDown={(e) => {
                e.currentTarget.setPointerCapture(e.pointerId);
                drag.current = { key: axis.key, start: position(e) };
              }}
              onPointerMove={(e) => {
                const start = drag.current?.key === axis.key ? drag.current.start : null;
                if (start === null) return;
                const end = position(e);
                setBrushes((b) => ({ ...b, [axis.key]: [start, end] }));
              }}
              onPointerUp={(e) => {
                if (drag.current && Math.abs(position(e) - drag.current.start) < 0.01) {
                  setBrushes((b) => Object.fromEntries(Object.entries(b).filter(([k]) => k !== axis.key)));
                }
                drag.current = null;
              }}
            />
          ))}
        </svg>
      ) : null}
    </div>
  );
}

function AxisView({ axis, x, y, top, plot, brush }: { axis: Axis; x: number; y: (p: number) => number; top: number; plot: number; brush: [number, number] | undefined }) {
  const labels =
    axis.kind === "category"
      ? axis.categories.slice(0, 12).map((c, k) => ({ text: c, at: axis.categories.length === 1 ? 0.5 : k / (axis.categories.length - 1) }))
      : [
          { text: formatNumber(axis.max), at: 1 },
          { text: formatNumber(axis.min), at: 0 },
        ];
  return (
    <g data-testid="parallel-axis">
      <line x1={x} x2={x} y1={top} y2={top + plot} stroke="var(--text-soft)" />
      <text x={x} y={top - 12} textAnchor="middle" fontSize="12" fill="var(--text)">
        <title>{axis.label}</title>
        {truncate(axis.label, 20)}
      </text>
      {labels.map((label) => (
        <text key={`${label.at}-${label.text}`} x={x + 5} y={y(label.at) + 4} fontSize="11" fill="var(--text-soft)" paintOrder="stroke" stroke="var(--bg)" strokeWidth={3}>
          {truncate(label.text, 14)}
        </text>
      ))}
      {brush ? <rect x={x - 7} width={14} y={y(Math.max(...brush))} height={Math.abs(brush[1] - brush[0]) * plot} fill="var(--accent)" opacity={0.3} /> : null}
    </g>
  );
}

function ParallelEditor({ panel, project, onChange }: EditorProps<"parallel">) {
  const keys = useQuery(keysQuery(project));
  const choices = useMemo(() => fieldChoices(keys.data), [keys.data]);
  const s = panel.settings;
  const set = (patch: Partial<ParallelSettings>) => onChange({ ...s, ...patch });
  const toggle = (field: string, on: boolean) => set({ fields: on ? [...s.fields, field].slice(0, MAX_AXES) : s.fields.filter((f) => f !== field) });
  return (
    <div className="panel-editor">
      <fieldset className="panel-editor-fields">
        <legend>
          Axes ({s.fields.length} of at most {MAX_AXES})
        </legend>
        {choices.map((c) => (
          <label key={c.value} className="check">
            <input type="checkbox" checked={s.fields.includes(c.value)} disabled={!s.fields.includes(c.value) && s.fields.length >= MAX_AXES} onChange={(e) => toggle(c.value, e.target.checked)} /> <span>{c.label}</span>
          </label>
        ))}
      </fieldset>
      <FieldSelect label="Colour by" value={s.color} choices={choices} none="(the visible jobs' colours)" onChange={(color) => set({ color })} />
    </div>
  );
}

export const parallelKind: PanelKindDef<"parallel"> = {
  kind: "parallel",
  label: "Parallel coordinates",
  Panel: ParallelPanel,
  Editor: ParallelEditor,
  defaults: ({ keys }) => {
    const params = [...keys.params].sort().slice(0, MAX_AXES - 1).map((p) => fieldName("params", p));
    const metric = [...keys.metrics].sort()[0];
    const fields = [...params, ...(metric ? [metricField(metric, "min")] : [])];
    return fields.length >= 2 ? { fields, color: null } : null;
  },
};
