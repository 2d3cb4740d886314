import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { isLive, metricsQuery } from "../../lib/api/queries";
import type { Job } from "../../lib/api/types";
import { styleFor } from "../../lib/palette";
import { useUrlParam } from "../../lib/url-state";
import { ChartControls, useChartOptions } from "../../components/chart-controls";
import { SeriesChart, type ChartJob } from "../../components/series-chart";
import { EmptyState, ErrorPanel, Loading } from "../../components/states";

const SYSTEM = "system/";

/** Small multiples of a job's metrics (or of its `system/*` metrics), one chart per key,
 * sharing the x axis and the crosshair. */
export function MetricsTab({ job, system = false }: { job: Job; system?: boolean }) {
  const live = isLive(job);
  const metrics = useQuery(metricsQuery(job.id, live));
  // System metrics are sampled over time; training metrics by step.
  const [options, setOptions] = useChartOptions(system ? "relative" : "step");
  const [expanded, setExpanded] = useUrlParam("chart");
  const [search, setSearch] = useState("");
  const keys = (metrics.data?.items ?? []).map((m) => m.key).filter((key) => key.startsWith(SYSTEM) === system);
  const shown = expanded && keys.includes(expanded) ? [expanded] : keys.filter((k) => k.toLowerCase().includes(search.toLowerCase()));
  const chartJobs: ChartJob[] = useMemo(
    () => [{ id: job.id, label: job.name || job.id, ...styleFor(0), t0: Date.parse(job.started_at ?? job.created_at) / 1000, live }],
    [job.id, job.name, job.started_at, job.created_at, live],
  );
  if (metrics.isPending) return <Loading what="Loading metrics" />;
  if (metrics.isError) return <ErrorPanel error={metrics.error} />;
  if (keys.length === 0) {
    return system ? (
      <EmptyState title="No system metrics">
        <p>
          System metrics (<code>system/cpu</code>, <code>system/memory</code>, GPU use) are sampled for jobs run by the scheduler (<code>atlas submit</code>), or logged by a
          script under keys starting with <code>system/</code>.
        </p>
      </EmptyState>
    ) : (
      <EmptyState title="No metrics yet">
        <pre>{`atlas.log_metric("loss", loss, step=step)`}</pre>
      </EmptyState>
    );
  }
  return (
    <div>
      <div className="row" style={{ marginBottom: 10 }}>
        <ChartControls options={options} onChange={setOptions} />
        <span className="spacer" />
        {keys.length > 6 ? (
          <>
            <label htmlFor="metric-search" className="sr-only">
              Find a metric
            </label>
            <input id="metric-search" placeholder="Find a metric" value={search} onChange={(e) => setSearch(e.target.value)} />
          </>
        ) : null}
      </div>
      <div className={`charts${expanded ? " expanded" : ""}`}>
        {shown.map((key) => (
          <SeriesChart
            key={key}
            metric={key}
            jobs={chartJobs}
            axis={options.axis}
            logY={options.logY}
            smoothing={options.smoothing}
            smoothingKind={options.smoothingKind}
            syncKey={`job-${job.id}`}
            height={expanded ? 420 : 200}
            expanded={Boolean(expanded)}
            onExpand={() => setExpanded(expanded ? "" : key)}
          />
        ))}
      </div>
    </div>
  );
}
