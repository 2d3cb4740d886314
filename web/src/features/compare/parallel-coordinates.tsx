import { useMemo, useRef, useState } from "react";
import type { Job } from "../../lib/api/types";
import { formatNumber, truncate } from "../../lib/format";
import { useUrlParam } from "../../lib/url-state";
import { brushed, buildAxis, type Axis } from "./model";

const HEIGHT = 300;
const PAD_TOP = 30;
const PAD_BOTTOM = 30;
const AXIS_GAP = 140;
const MAX_AXES = 12;

/** Params against a chosen metric, one line per job in its colour; drag along an axis to
 * brush (keep only the jobs in that range), click an axis to clear its brush. */
export function ParallelCoordinates({ jobs, colors, metricKeys }: { jobs: Job[]; colors: string[]; metricKeys: string[] }) {
  const [metricParam, setMetric] = useUrlParam("pc_metric");
  const [aggregate, setAggregate] = useUrlParam("pc_agg", "last");
  const metric = metricParam || metricKeys[0] || "";
  const [brushes, setBrushes] = useState<Record<string, [number, number]>>({});
  const drag = useRef<{ key: string; start: number } | null>(null);
  const axes = useMemo(() => {
    const keys = [...new Set(jobs.flatMap((j) => Object.keys(j.params)))]
      .filter((key) => new Set(jobs.map((j) => JSON.stringify(j.params[key]))).size > 1)
      .sort()
      .slice(0, MAX_AXES);
    const list: Axis[] = keys.map((key) => buildAxis(key, key, jobs.map((j) => j.params[key])));
    if (metric) {
      list.push(buildAxis(`metric:${metric}`, `${metric} (${aggregate})`, jobs.map((j) => j.metrics[metric]?.[aggregate as "last" | "min" | "max"])));
    }
    return list;
  }, [jobs, metric, aggregate]);
  const inside = brushed(axes, brushes, jobs.length);
  const width = Math.max(400, (axes.length - 1) * AXIS_GAP + 160);
  const plotHeight = HEIGHT - PAD_TOP - PAD_BOTTOM;
  const y = (p: number) => PAD_TOP + (1 - p) * plotHeight;
  const toPosition = (clientY: number, svg: SVGSVGElement) => {
    const box = svg.getBoundingClientRect();
    return Math.min(1, Math.max(0, 1 - (clientY - box.top - PAD_TOP) / plotHeight));
  };
  return (
    <section className="panel" aria-labelledby="pc-title" style={{ marginTop: 12 }}>
      <div className="row">
        <h2 id="pc-title">Parallel coordinates</h2>
        <label htmlFor="pc-metric">Metric</label>
        <select id="pc-metric" value={metric} onChange={(e) => setMetric(e.target.value)}>
          {metricKeys.map((key) => (
            <option key={key}>{key}</option>
          ))}
        </select>
        <label htmlFor="pc-agg">Summary</label>
        <select id="pc-agg" value={aggregate} onChange={(e) => setAggregate(e.target.value)}>
          <option>last</option>
          <option>min</option>
          <option>max</option>
        </select>
        <span className="soft">
          {inside.filter(Boolean).length} of {jobs.length} jobs in the brushes
        </span>
        {Object.keys(brushes).length ? (
          <button type="button" className="link" onClick={() => setBrushes({})}>
            Clear brushes
          </button>
        ) : null}
      </div>
      {axes.length < 2 ? <p className="soft">The jobs' params do not differ; nothing to plot against the metric.</p> : null}
      <div className="table-scroll">
        <svg width={width} height={HEIGHT} role="img" aria-label="Parallel coordinates of params against the metric" data-testid="parallel-coordinates">
          {jobs.map((job, i) => {
            const points = axes
              .map((axis, a) => {
                const p = axis.positions[i];
                return p === null || p === undefined ? null : `${80 + a * AXIS_GAP},${y(p)}`;
              })
              .filter(Boolean);
            return (
              <polyline
                key={job.id}
                points={points.join(" ")}
                fill="none"
                stroke={inside[i] ? colors[i] : "var(--border)"}
                strokeWidth={inside[i] ? 2 : 1}
                opacity={inside[i] ? 0.9 : 0.5}
              >
                <title>{job.name || job.id}</title>
              </polyline>
            );
          })}
          {axes.map((axis, a) => {
            const x = 80 + a * AXIS_GAP;
            const brush = brushes[axis.key];
            return (
              <g key={axis.key}>
                <line x1={x} x2={x} y1={PAD_TOP} y2={HEIGHT - PAD_BOTTOM} stroke="var(--text-soft)" />
                <text x={x} y={16} textAnchor="middle" fontSize="12" fill="var(--text)">
                  <title>{axis.label}</title>
                  {truncate(axis.label, 20)}
                </text>
                {axis.kind === "number" ? (
                  <>
                    <text x={x + 4} y={PAD_TOP + 4} fontSize="11" fill="var(--text-soft)">
                      {formatNumber(axis.max)}
                    </text>
                    <text x={x + 4} y={HEIGHT - PAD_BOTTOM} fontSize="11" fill="var(--text-soft)">
                      {formatNumber(axis.min)}
                    </text>
                  </>
                ) : (
                  axis.categories.slice(0, 12).map((c, k) => (
                    <text key={c} x={x + 4} y={y(axis.categories.length === 1 ? 0.5 : k / (axis.categories.length - 1)) + 4} fontSize="11" fill="var(--text-soft)">
                      {truncate(c, 16)}
                    </text>
                  ))
                )}
                {brush ? <rect x={x - 7} width={14} y={y(Math.max(...brush))} height={Math.abs(brush[1] - brush[0]) * plotHeight} fill="var(--accent)" opacity={0.25} /> : null}
                <rect
                  x={x - 12}
                  width={24}
                  y={PAD_TOP}
                  height={plotHeight}
                  fill="transparent"
                  style={{ cursor: "ns-resize" }}
                  onMouseDown={(e) => {
                    const svg = e.currentTarget.ownerSVGElement;
                    if (svg) drag.current = { key: axis.key, start: toPosition(e.clientY, svg) };
                  }}
                  onMouseMove={(e) => {
                    const svg = e.currentTarget.ownerSVGElement;
                    if (!drag.current || drag.current.key !== axis.key || !svg) return;
                    const current = toPosition(e.clientY, svg);
                    const start = drag.current.start;
                    setBrushes((b) => ({ ...b, [axis.key]: [start, current] }));
                  }}
                  onMouseUp={(e) => {
                    const svg = e.currentTarget.ownerSVGElement;
                    if (drag.current && svg && Math.abs(toPosition(e.clientY, svg) - drag.current.start) < 0.01) {
                      setBrushes((b) => Object.fromEntries(Object.entries(b).filter(([k]) => k !== axis.key)));
                    }
                    drag.current = null;
                  }}
                />
              </g>
            );
          })}
        </svg>
      </div>
    </section>
  );
}
