import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router-dom";
import * as api from "../../lib/api/endpoints";
import { LIMITS } from "../../lib/api/limits.gen";
import type { Sweep } from "../../lib/api/types";
import { formatAbsolute } from "../../lib/format";
import { gate } from "../../lib/roles";
import { showToast } from "../../lib/toast-store";
import { useProjectRole } from "../../lib/use-project-role";
import { ConfirmDialog } from "../../components/confirm-dialog";
import { StatusBadge } from "../../components/status-badge";
import { addableCount, choiceName, objectivesOf, progressText, sweepActions, whyNoMoreTrials } from "./model";

/** The jobs table of the sweep's project filtered to its trials. */
export function trialsJobsUrl(sweep: Sweep): string {
  const query = new URLSearchParams({ q: `sweep = "${sweep.id}"` });
  return `/projects/${encodeURIComponent(sweep.project)}?${query.toString()}`;
}

/** The sweep's name and status, what it optimises and how, why it failed or cannot go on,
 * and Stop, Resume and Add trials where they apply. */
export function SweepHeader({ sweep }: { sweep: Sweep }) {
  const objectives = objectivesOf(sweep.spec);
  const sampler = choiceName(sweep.spec.sampler, "tpe");
  const pruner = choiceName(sweep.spec.pruner, "none");
  return (
    <header className="job-header sweep-header">
      <div className="row">
        <StatusBadge status={sweep.status} />
        <h1 title={sweep.name || sweep.id} data-testid="sweep-name">
          {sweep.name || sweep.id}
        </h1>
        <span className="spacer" />
        <SweepActions sweep={sweep} />
      </div>
      <div className="row soft job-facts" data-testid="sweep-facts">
        <span>
          id <span className="mono">{sweep.id}</span>
        </span>
        <span data-testid="sweep-objective">
          {objectives.map((o, i) => (
            <span key={i}>
              {i > 0 ? ", " : ""}
              {o.direction} <span className="mono">{o.metric}</span>
              {o.summary !== "last" ? ` (${o.summary})` : ""}
            </span>
          ))}
        </span>
        <span>
          sampler <span className="mono">{sampler}</span>
        </span>
        <span>
          pruner <span className="mono">{pruner}</span>
        </span>
        <span>
          trials <span className="num" data-testid="sweep-progress">{progressText(sweep.counts, sweep.trials)}</span>
          {sweep.counts.running ? ` (${sweep.counts.running} running)` : ""}
          {sweep.counts.pruned ? ` · ${sweep.counts.pruned} pruned` : ""}
          {sweep.counts.failed ? ` · ${sweep.counts.failed} failed` : ""}
        </span>
        <span>{sweep.parallel} at once</span>
        {sweep.user ? <span>user {sweep.user}</span> : null}
        <span title={sweep.created_at}>created {formatAbsolute(sweep.created_at)}</span>
        {sweep.finished_at ? <span>finished {formatAbsolute(sweep.finished_at)}</span> : null}
        <Link to={trialsJobsUrl(sweep)}>Trials in the jobs table</Link>
      </div>
      {sweep.error ? (
        <div className="error-box" role="alert" data-testid="sweep-error" style={{ marginTop: 8 }}>
          <strong>{sweep.status === "failed" ? "The sweep failed" : "The sweep cannot go on"}</strong> {sweep.error.code ? <code>{sweep.error.code}</code> : null}
          <div>{sweep.error.message}</div>
        </div>
      ) : null}
    </header>
  );
}

function SweepActions({ sweep }: { sweep: Sweep }) {
  const client = useQueryClient();
  const role = useProjectRole(sweep.project);
  const mayChange = gate(role, "editor", "change sweeps");
  const [dialog, setDialog] = useState<"stop" | "add" | null>(null);
  const [count, setCount] = useState("10");
  const applies = sweepActions(sweep);
  const noMore = whyNoMoreTrials(sweep, LIMITS.sweepTrials);
  const maxAdd = addableCount(sweep.trials, LIMITS.sweepTrials);
  const done = (updated: Sweep, title: string, message: string) => {
    client.setQueryData(["sweep", sweep.id], updated);
    void client.invalidateQueries({ queryKey: ["sweep-trials", sweep.id] });
    void client.invalidateQueries({ queryKey: ["sweeps", sweep.project] });
    setDialog(null);
    showToast({ kind: "success", title, message });
  };
  const stop = useMutation({
    mutationFn: () => api.stopSweep(sweep.id),
    meta: { what: "Stopping the sweep" },
    onSuccess: (updated) => done(updated, "Sweep stopped", "no new trials start; running trials are cancelled"),
  });
  const resume = useMutation({
    mutationFn: () => api.resumeSweep(sweep.id),
    meta: { what: "Resuming the sweep" },
    onSuccess: (updated) => done(updated, "Sweep resumed", `${sweep.name || sweep.id} starts trials again`),
  });
  const n = Number(count);
  const validCount = Number.isInteger(n) && n >= 1 && n <= maxAdd;
  const add = useMutation({
    mutationFn: () => api.addTrials(sweep.id, n),
    meta: { what: "Adding trials" },
    onSuccess: (updated) => done(updated, "Trials added", `the budget is now ${updated.trials} trials`),
  });
  return (
    <>
      {applies.stop ? (
        <button type="button" className="danger" onClick={() => setDialog("stop")} disabled={mayChange.disabled || stop.isPending} title={mayChange.reason}>
          Stop sweep
        </button>
      ) : null}
      {applies.resume ? (
        <button type="button" onClick={() => resume.mutate()} disabled={mayChange.disabled || resume.isPending} title={mayChange.reason ?? "Start trials again, up to the budget"}>
          Resume
        </button>
      ) : null}
      {applies.add ? (
        <button
          type="button"
          onClick={() => {
            setCount(String(Math.min(10, maxAdd)));
            setDialog("add");
          }} disabled={mayChange.disabled || add.isPending} title={mayChange.reason ?? "Raise the budget of trials"}>
          Add trials
        </button>
      ) : (
        <span className="soft" data-testid="sweep-no-add">
          {noMore}
        </span>
      )}
      {dialog === "stop" ? (
        <ConfirmDialog open title="Stop this sweep?" confirmLabel="Stop sweep" danger busy={stop.isPending} onConfirm={() => stop.mutate()} onCancel={() => setDialog(null)}>
          <p>
            No new trials start
            {sweep.counts.running ? `, and the ${sweep.counts.running} running trial${sweep.counts.running === 1 ? " is" : "s are"} cancelled` : ""}. Finished
            trials and their results stay. You can resume the sweep later.
          </p>
        </ConfirmDialog>
      ) : null}
      {dialog === "add" ? (
        <ConfirmDialog
          open
          title="Add trials"
          confirmLabel={validCount ? `Add ${n} trial${n === 1 ? "" : "s"}` : "Add trials"}
          busy={add.isPending || !validCount}
          onConfirm={() => add.mutate()}
          onCancel={() => setDialog(null)}
        >
          <form
            className="filter-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (validCount) add.mutate();
            }}
          >
            <label>
              Trials to add (the budget is {sweep.trials} now)
              <input type="number" min={1} max={maxAdd} step={1} value={count} onChange={(e) => setCount(e.target.value)} aria-invalid={!validCount} />
            </label>
            {!validCount ? <span className="query-error">a whole number from 1 to {maxAdd.toLocaleString("en-US")} (a sweep has at most {LIMITS.sweepTrials.toLocaleString("en-US")} trials)</span> : null}
            <span className="soft">{sweep.status === "completed" ? "The sweep runs again until it reaches the new budget." : sweep.status === "running" ? "The sweep goes on until it reaches the new budget." : "The budget grows by this many trials."}</span>
          </form>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
