import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { importancesQuery, isSweepLive, sweepQuery, trialsQuery } from "../../lib/api/queries";
import { ErrorPanel, Loading } from "../../components/states";
import { objectivesOf, type Objective } from "./model";
import { ParallelPlot } from "./parallel-plot";
import { BestChart, ImportanceChart, ParetoChart } from "./sweep-charts";
import { SweepHeader } from "./sweep-header";
import { TrialsTable } from "./trials-table";

/** A sweep: header with actions, the best value over trials, param importances, parallel
 * coordinates, the Pareto front for two objectives, and the trials; live while it runs. */
export function SweepPage({ id }: { id: string }) {
  const sweep = useQuery(sweepQuery(id));
  const running = isSweepLive(sweep.data);
  const counts = sweep.data?.counts;
  const version = sweep.data ? `${sweep.data.status}:${sweep.data.trials}:${counts?.running}:${counts?.complete}:${counts?.pruned}:${counts?.failed}` : "";
  const trials = useQuery({ ...trialsQuery(id, running, version), enabled: sweep.isSuccess });
  const complete = sweep.data?.counts.complete ?? 0;
  const importances = useQuery({ ...importancesQuery(id, 0, complete), enabled: sweep.isSuccess });
  const objectives = useMemo(() => objectivesOf(sweep.data?.spec), [sweep.data?.spec]);
  const space = sweep.data?.spec.space as Record<string, unknown> | undefined;
  const bestNumbers = useMemo(() => new Set((sweep.data?.best ?? []).map((t) => t.number)), [sweep.data?.best]);
  if (sweep.isPending) return <Loading what="Loading the sweep" />;
  if (sweep.isError) return <ErrorPanel error={sweep.error} title={`Could not load sweep ${id}`} />;
  const items = trials.data?.items ?? [];
  const primary = objectives[0];
  return (
    <div className="sweep-page">
      <SweepHeader sweep={sweep.data} />
      {trials.isError ? <ErrorPanel error={trials.error} title="Could not load the trials" /> : null}
      {trials.isPending ? <Loading what="Loading the trials" /> : null}
      {trials.isSuccess ? (
        <>
          <div className="sweep-grid">
            {objectives.map((o, i) => (
              <BestChart key={i} trials={items} objective={o} index={i} />
            ))}
            {objectives.length === 2 ? <ParetoChart trials={items} objectives={objectives as [Objective, Objective]} /> : null}
            {primary ? (
              importances.isError ? (
                <ErrorPanel error={importances.error} title="Could not compute the param importances" />
              ) : (
                <ImportanceChart items={importances.data?.items ?? []} reason={importances.isPending ? "Loading…" : importances.data?.reason} metric={primary.metric} />
              )
            ) : null}
          </div>
          <ParallelPlot trials={items} space={space} objectives={objectives} />
          <TrialsTable trials={items} space={space} objectives={objectives} bestNumbers={bestNumbers} />
        </>
      ) : null}
    </div>
  );
}
