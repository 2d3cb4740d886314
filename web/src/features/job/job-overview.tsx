import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router-dom";
import * as api from "../../lib/api/endpoints";
import { LIMITS } from "../../lib/api/limits.gen";
import type { Job } from "../../lib/api/types";
import { formatAbsolute, formatDuration, formatNumber, formatValue, shortId } from "../../lib/format";
import { gate } from "../../lib/roles";
import { useProjectRole } from "../../lib/use-project-role";
import { StatusBadge } from "../../components/status-badge";
import { TimeText } from "../../components/time-text";
import { LabelChips } from "../../components/label-chips";
import { attemptDuration, attemptReason, readAttempts } from "./attempts";
import { nodeLabel, readPlacement } from "./placement";

/** Params, tags (editable), metric summaries, run facts, error with traceback, earlier
 * attempts (a job with retries), git, environment and resources. */
export function JobOverview({ job }: { job: Job }) {
  const metrics = Object.values(job.metrics);
  return (
    <div className="grid2">
      {job.error ? (
        <section className="panel error-panel" aria-labelledby="error-title" style={{ gridColumn: "1 / -1" }}>
          <h2 id="error-title">
            Error: {job.error.type}
          </h2>
          <p className="error-message">{job.error.message}</p>
          {job.error.traceback ? <pre className="traceback">{job.error.traceback}</pre> : null}
        </section>
      ) : null}
      {job.attempts.length > 0 ? <AttemptsPanel job={job} /> : null}
      <section className="panel" aria-labelledby="params-title">
        <h2 id="params-title">Params</h2>
        <KeyValues values={job.params} empty="No params logged." />
      </section>
      <section className="panel metrics-panel" aria-labelledby="metrics-title">
        <h2 id="metrics-title">Metrics</h2>
        {metrics.length === 0 ? (
          <p className="soft">No metrics logged.</p>
        ) : (
          <table className="simple" aria-labelledby="metrics-title">
            <thead>
              <tr>
                <th>key</th>
                <th className="num">last</th>
                <th className="num">min</th>
                <th className="num">max</th>
                <th className="num">points</th>
                <th className="num">step</th>
              </tr>
            </thead>
            <tbody>
              {metrics.map((m) => (
                <tr key={m.key}>
                  <td className="mono">
                    <Link to={`/jobs/${job.id}/${m.key.startsWith("system/") ? "system" : "metrics"}`}>{m.key}</Link>
                  </td>
                  <td className="num">{formatNumber(m.last)}</td>
                  <td className="num">{formatNumber(m.min)}</td>
                  <td className="num">{formatNumber(m.max)}</td>
                  <td className="num">{m.count.toLocaleString()}</td>
                  <td className="num">{formatNumber(m.last_step)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <TagsPanel job={job} />
      <section className="panel" aria-labelledby="run-title">
        <h2 id="run-title">Run</h2>
        <dl className="kv">
          <dt>command</dt>
          <dd className="mono">{job.command || <span className="soft">–</span>}</dd>
          <dt>kind</dt>
          <dd>{job.kind}</dd>
          <dt>created</dt>
          <dd>{formatAbsolute(job.created_at)}</dd>
          <dt>started</dt>
          <dd>{formatAbsolute(job.started_at) || "–"}</dd>
          <dt>finished</dt>
          <dd>{formatAbsolute(job.finished_at) || "–"}</dd>
          <dt>duration</dt>
          <dd>{formatDuration(job.duration) || "–"}</dd>
          <dt>exit code</dt>
          <dd>{job.exit_code ?? "–"}</dd>
          <dt>priority</dt>
          <dd>{job.priority}</dd>
          {job.image ? (
            <>
              <dt>image</dt>
              <dd className="mono">{job.image}</dd>
            </>
          ) : null}
          {job.retries > 0 ? (
            <>
              <dt>retries</dt>
              <dd>{job.retries}</dd>
            </>
          ) : null}
          {job.parent_id ? (
            <>
              <dt>parent</dt>
              <dd>
                <Link to={`/jobs/${job.parent_id}`} className="mono">
                  {job.parent_id}
                </Link>
              </dd>
            </>
          ) : null}
        </dl>
      </section>
      <ResourcesPanel job={job} />
      <section className="panel" aria-labelledby="git-title">
        <h2 id="git-title">Git</h2>
        <KeyValues values={job.git} empty="No git information." />
      </section>
      <section className="panel" aria-labelledby="env-title" style={{ gridColumn: "1 / -1" }}>
        <h2 id="env-title">Environment</h2>
        <KeyValues values={job.environment} empty="No environment recorded." />
      </section>
    </div>
  );
}

/** The attempts before the current one, oldest first: how each ended and why. */
function AttemptsPanel({ job }: { job: Job }) {
  const attempts = readAttempts(job.attempts);
  return (
    <section className="panel" aria-labelledby="attempts-title" style={{ gridColumn: "1 / -1" }}>
      <h2 id="attempts-title">Earlier attempts</h2>
      <table className="simple" aria-labelledby="attempts-title">
        <thead>
          <tr>
            <th className="num">attempt</th>
            <th>status</th>
            <th className="num">exit code</th>
            <th>error</th>
            <th>started</th>
            <th className="num">duration</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((a) => {
            const reason = attemptReason(a);
            return (
              <tr key={a.attempt} data-testid="attempt-row">
                <td className="num">{a.attempt}</td>
                <td>
                  <StatusBadge status={a.status} />
                </td>
                <td className="num">{a.exitCode ?? "–"}</td>
                <td className="mono">{reason || <span className="soft">–</span>}</td>
                <td>
                  <TimeText iso={a.startedAt} />
                </td>
                <td className="num">{attemptDuration(a) || "–"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

/** What the job asked for and was given, the node labels it asked for and the node it ran
 * on (named from the scheduler's nodes when the job ran on a cluster). */
function ResourcesPanel({ job }: { job: Job }) {
  const placement = readPlacement(job.resources);
  const nodes = useQuery({
    queryKey: ["scheduler"],
    queryFn: ({ signal }) => api.getScheduler(signal),
    enabled: placement.node !== null,
    staleTime: 10_000,
    meta: { what: "Loading the scheduler's nodes" },
  });
  const scheduled = Object.keys(job.resources).length > 0;
  const node = nodeLabel(placement, job.status, scheduled, nodes.data?.nodes);
  const labels = Object.keys(placement.labels).length > 0;
  return (
    <section className="panel" aria-labelledby="resources-title">
      <h2 id="resources-title">Resources and GPUs</h2>
      {node || labels ? (
        <dl className="kv">
          {node ? (
            <>
              <dt>node</dt>
              <dd data-testid="job-node">
                {node}
                {placement.node && node !== placement.node ? <span className="mono soft" title={placement.node}> · {shortId(placement.node)}</span> : null}
              </dd>
            </>
          ) : null}
          {labels ? (
            <>
              <dt>labels</dt>
              <dd>
                <LabelChips labels={placement.labels} label="Node labels asked for" />
              </dd>
            </>
          ) : null}
        </dl>
      ) : null}
      <KeyValues values={placement.rest} empty={node || labels ? "" : "No resources recorded."} />
    </section>
  );
}

function KeyValues({ values, empty }: { values: Record<string, unknown>; empty: string }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return empty ? <p className="soft">{empty}</p> : null;
  return (
    <dl className="kv">
      {entries.map(([key, value]) => (
        <Entry key={key} name={key} value={value} />
      ))}
    </dl>
  );
}

function Entry({ name, value }: { name: string; value: unknown }) {
  const text = typeof value === "object" && value !== null ? JSON.stringify(value, null, 2) : formatValue(value);
  const long = text.length > 160 || text.includes("\n");
  return (
    <>
      <dt className="mono">{name}</dt>
      <dd className={typeof value === "number" ? "num-left mono" : "mono"}>{long ? <pre className="value-block">{text}</pre> : text}</dd>
    </>
  );
}

function TagsPanel({ job }: { job: Job }) {
  const client = useQueryClient();
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ["job", job.id] });
    void client.invalidateQueries({ queryKey: ["jobs", job.project] });
    void client.invalidateQueries({ queryKey: ["keys", job.project] });
  };
  const put = useMutation({
    mutationFn: (tags: Record<string, string>) => api.putTags(job.id, tags),
    meta: { what: "Saving the tag" },
    onSuccess: () => {
      setKey("");
      setValue("");
      refresh();
    },
  });
  const remove = useMutation({ mutationFn: (tag: string) => api.deleteTag(job.id, tag), meta: { what: "Removing the tag" }, onSuccess: refresh });
  const entries = Object.entries(job.tags);
  const mayTag = gate(useProjectRole(job.project), "editor", "change tags");
  return (
    <section className="panel" aria-labelledby="tags-title">
      <h2 id="tags-title">Tags</h2>
      {entries.length === 0 ? <p className="soft">No tags.</p> : null}
      <ul className="tag-list" aria-label="Tags">
        {entries.map(([tag, tagValue]) => (
          <li key={tag} className="chip" data-testid="job-tag">
            <span title={`${tag}=${tagValue}`}>
              {tag}
              {tagValue ? `=${tagValue}` : ""}
            </span>
            <button type="button" className="link" aria-label={`Edit tag ${tag}`} disabled={mayTag.disabled} title={mayTag.reason} onClick={() => { setKey(tag); setValue(tagValue); }}>
              ✎
            </button>
            <button type="button" aria-label={`Remove tag ${tag}`} disabled={mayTag.disabled} title={mayTag.reason} onClick={() => remove.mutate(tag)}>
              ✕
            </button>
          </li>
        ))}
      </ul>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (key.trim()) put.mutate({ [key.trim()]: value });
        }}
      >
        <label htmlFor="tag-key">Tag</label>
        <input id="tag-key" value={key} onChange={(e) => setKey(e.target.value)} maxLength={LIMITS.tagKey} style={{ width: 120 }} disabled={mayTag.disabled} title={mayTag.reason} />
        <label htmlFor="tag-value">Value</label>
        <input id="tag-value" value={value} onChange={(e) => setValue(e.target.value)} style={{ width: 140 }} disabled={mayTag.disabled} title={mayTag.reason} />
        <button type="submit" className="primary" disabled={mayTag.disabled || !key.trim() || put.isPending} title={mayTag.reason}>
          {key in job.tags ? "Save tag" : "Add tag"}
        </button>
      </form>
    </section>
  );
}
