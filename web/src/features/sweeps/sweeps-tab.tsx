import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { sweepsQuery } from "../../lib/api/queries";
import type { Sweep } from "../../lib/api/types";
import { formatNumber } from "../../lib/format";
import { EmptyState, ErrorPanel, Loading } from "../../components/states";
import { StatusBadge } from "../../components/status-badge";
import { TimeText } from "../../components/time-text";
import { objectivesOf, progressText, trialValue } from "./model";

const FIRST_SWEEP = `cat > sweep.yaml <<'END'
command: python train.py
objective: {metric: val_loss, direction: minimize}
trials: 20
parallel: 2
space:
  lr: {type: float, low: 1.0e-5, high: 0.1, log: true}
  layers: {type: int, low: 1, high: 8}
END
atlas sweep create sweep.yaml . --project PROJECT`;

/** The project's sweeps, newest first: status, trials done of the budget, best objective. */
export function SweepsTab({ project }: { project: string }) {
  const sweeps = useQuery(sweepsQuery(project));
  if (sweeps.isPending) return <Loading what="Loading sweeps" />;
  if (sweeps.isError) return <ErrorPanel error={sweeps.error} title="Could not load the sweeps" />;
  if (sweeps.data.items.length === 0) {
    return (
      <EmptyState title="No sweeps in this project yet">
        <p>
          A sweep runs a training script many times with params a sampler picks, each run a job on the queue. Describe the search in YAML and
          start it from the folder that holds <code>train.py</code>:
        </p>
        <pre>{FIRST_SWEEP.replace("PROJECT", JSON.stringify(project).slice(1, -1))}</pre>
        <p className="soft">
          where <code>train.py</code> reads its params with <code>atlas.load_parameters()</code> and logs <code>val_loss</code> with{" "}
          <code>atlas.log_metric(...)</code>. From Python: <code>atlas.sweep(space, command=..., objective="val_loss")</code>.
        </p>
      </EmptyState>
    );
  }
  return (
    <div className="table-scroll">
      <table className="simple" aria-label="Sweeps">
        <thead>
          <tr>
            <th>name</th>
            <th>status</th>
            <th className="num">trials</th>
            <th>objective</th>
            <th className="num">best</th>
            <th>user</th>
            <th>created</th>
          </tr>
        </thead>
        <tbody>
          {sweeps.data.items.map((sweep) => (
            <SweepRow key={sweep.id} sweep={sweep} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SweepRow({ sweep }: { sweep: Sweep }) {
  const objectives = objectivesOf(sweep.spec);
  const best = sweep.best[0];
  return (
    <tr data-testid="sweep-row">
      <td>
        <Link to={`/projects/${encodeURIComponent(sweep.project)}/sweeps/${sweep.id}`} className="job-link" title={sweep.name || sweep.id}>
          {sweep.name || sweep.id}
        </Link>
      </td>
      <td>
        <StatusBadge status={sweep.status} />
        {sweep.error ? (
          <span className="soft" title={sweep.error.message} role="img" aria-label={`why: ${sweep.error.message}`}>
            {" "}
            ⚠
          </span>
        ) : null}
      </td>
      <td className="num" data-testid="sweep-progress">
        {progressText(sweep.counts, sweep.trials)}
      </td>
      <td className="mono">{objectives.map((o) => `${o.direction === "minimize" ? "min" : "max"} ${o.metric}`).join(", ")}</td>
      <td className="num" data-testid="sweep-best">
        {objectives.length > 1 ? (sweep.best.length ? `${sweep.best.length} on the front` : "–") : best ? formatNumber(trialValue(best, 0)) : "–"}
      </td>
      <td>{sweep.user || <span className="soft">–</span>}</td>
      <td>
        <TimeText iso={sweep.created_at} />
      </td>
    </tr>
  );
}
