import { Link } from "react-router-dom";
import type { Trial } from "../../lib/api/types";
import { formatNumber, formatValue } from "../../lib/format";
import { useUrlParam } from "../../lib/url-state";
import { StatusBadge } from "../../components/status-badge";
import { TimeText } from "../../components/time-text";
import { paramKeys, parseTrialSort, sortTrials, trialValue, type Objective } from "./model";

interface Column {
  key: string;
  label: string;
  numeric: boolean;
}

/** Every trial: number, job, state (pruned at which step), each param, each objective
 * value; a click on a header sorts by it (again: the other way), kept in the URL. */
export function TrialsTable({ trials, space, objectives, bestNumbers }: { trials: readonly Trial[]; space: Record<string, unknown> | undefined; objectives: readonly Objective[]; bestNumbers: ReadonlySet<number> }) {
  const [sortText, setSort] = useUrlParam("sort", "number");
  const sort = parseTrialSort(sortText);
  const params = paramKeys(space, trials);
  const columns: Column[] = [
    { key: "number", label: "#", numeric: true },
    { key: "job", label: "job", numeric: false },
    { key: "state", label: "state", numeric: false },
    ...params.map((key) => ({ key: `param:${key}`, label: key, numeric: false })),
    ...objectives.map((o, i) => ({ key: `value:${i}`, label: o.metric, numeric: true })),
    { key: "pruned_step", label: "pruned at step", numeric: true },
    { key: "started", label: "started", numeric: false },
  ];
  const sortable = (key: string) => key !== "job" && key !== "started";
  const sorted = sortTrials(trials, sort);
  return (
    <section className="panel" aria-labelledby="trials-title">
      <div className="row">
        <h2 id="trials-title">Trials</h2>
        <span className="soft">{trials.length} so far</span>
      </div>
      {trials.length === 0 ? (
        <p className="soft">No trial has started yet.</p>
      ) : (
        <div className="table-scroll trials-scroll">
          <table className="simple trials" aria-label="Trials">
            <thead>
              <tr>
                {columns.map((c) => {
                  const active = sort.key === c.key;
                  return (
                    <th key={c.key} className={c.numeric ? "num" : ""} aria-sort={active ? (sort.desc ? "descending" : "ascending") : undefined} title={c.label}>
                      {sortable(c.key) ? (
                        <button type="button" className="link sort-link" onClick={() => setSort(active && !sort.desc ? `-${c.key}` : c.key)}>
                          {c.label}
                          {active ? (sort.desc ? " ▼" : " ▲") : ""}
                        </button>
                      ) : (
                        c.label
                      )}
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {sorted.map((trial) => (
                <TrialRow key={trial.number} trial={trial} params={params} objectives={objectives} best={bestNumbers.has(trial.number)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function TrialRow({ trial, params, objectives, best }: { trial: Trial; params: string[]; objectives: readonly Objective[]; best: boolean }) {
  const error = trial.error ?? "";
  return (
    <tr data-testid="trial-row" data-state={trial.state} className={best ? "best" : ""}>
      <td className="num">{trial.number}</td>
      {/* the whole id: trials started together share a shortened one */}
      <td>{trial.job_id ? <Link to={`/jobs/${trial.job_id}`} className="mono">{trial.job_id}</Link> : <span className="soft">–</span>}</td>
      <td title={error || undefined}>
        <StatusBadge status={trial.state} />
        {best ? (
          <span className="tag" title={objectives.length > 1 ? "On the Pareto front" : "The best trial"} data-testid="best-tag">
            {objectives.length > 1 ? "front" : "best"}
          </span>
        ) : null}
        {error ? <div className="soft trial-error">{error}</div> : null}
      </td>
      {params.map((key) => (
        <td key={key} className={typeof trial.params[key] === "number" ? "num" : "mono"}>
          {key in trial.params ? formatValue(trial.params[key]) : <span className="soft" title="not sampled for this trial (a conditional param)">–</span>}
        </td>
      ))}
      {objectives.map((_, i) => {
        const v = trialValue(trial, i);
        return (
          <td key={i} className="num" data-testid={`trial-value-${i}`}>
            {v === null ? <span className="soft">–</span> : <span className={Number.isFinite(v) ? "" : "soft"}>{formatNumber(v)}</span>}
          </td>
        );
      })}
      <td className="num" data-testid="pruned-step">
        {trial.pruned_step ?? ""}
      </td>
      <td>
        <TimeText iso={trial.started_at} />
      </td>
    </tr>
  );
}
