import { useMemo, useState } from "react";
import type { Job } from "../../lib/api/types";
import { brushed, buildAxis, type Axis } from "../../lib/parallel-axes";
import { useUrlParam } from "../../lib/url-state";
import { ParallelChart, type Brushes } from "../../components/parallel-chart";

const HEIGHT = 300;
const AXIS_GAP = 140;
const MAX_AXES = 12;

/** Params against a chosen metric, one line per job in its colour; drag along an axis to
 * brush (keep only the jobs in that range), click an axis to clear its brush. */
export function ParallelCoordinates({ jobs, colors, metricKeys }: { jobs: Job[]; colors: string[]; metricKeys: string[] }) {
  const [metricParam, setMetric] = useUrlParam("pc_metric");
  const [aggregate, setAggregate] = useUrlParam("pc_agg", "last");
  const metric = metricParam || metricKeys[0] || "";
  const [brushes, setBrushes] = useState<Brushes>({});
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
  const lines = useMemo(() => jobs.map((job, i) => ({ id: job.id, name: job.name || job.id, color: colors[i] ?? "var(--border)", strong: true })), [jobs, colors]);
  const width = Math.max(400, (axes.length - 1) * AXIS_GAP + 160);
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
        <ParallelChart
          axes={axes}
          lines={lines}
          inside={inside}
          brushes={brushes}
          onBrushes={setBrushes}
          width={width}
          height={HEIGHT}
          label="Parallel coordinates of params against the metric"
          testId="parallel-coordinates"
        />
      </div>
    </section>
  );
}
