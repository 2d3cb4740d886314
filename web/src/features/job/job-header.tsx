import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "react-router-dom";
import * as api from "../../lib/api/endpoints";
import { isLive } from "../../lib/api/queries";
import type { Job } from "../../lib/api/types";
import { formatAbsolute, formatDuration } from "../../lib/format";
import { gate } from "../../lib/roles";
import { showToast } from "../../lib/toast-store";
import { CopyId } from "../../components/copy-id";
import { TensorBoardLink } from "../../components/tensorboard-link";
import { StatusBadge } from "../../components/status-badge";
import { useProjectRole } from "../../lib/use-project-role";
import { attemptLabel } from "./attempts";
import { pythonRunLabel, runFromPython } from "./python-run";
import { SweepTrialLink } from "./sweep-trial-link";

export { runFromPython };

/** The job page's header: status (and which attempt, for a job with retries), name, id
 * (copy), project, the sweep it is a trial of, user, image, times; Rerun (not for a job run
 * from Python) and Stop (only while the job may still run). */
export function JobHeader({ job }: { job: Job }) {
  const attempt = attemptLabel(job);
  const client = useQueryClient();
  const navigate = useNavigate();
  const role = useProjectRole(job.project);
  const mayRerun = gate(role, "editor", "rerun jobs");
  const mayStop = gate(role, "editor", "cancel jobs");
  const stop = useMutation({
    mutationFn: () => api.cancelJob(job.id),
    meta: { what: "Stopping the job" },
    onSuccess: (updated) => {
      // the answer may not carry the trial's number (only GET /jobs/{id} reads it)
      client.setQueryData(["job", job.id], { ...updated, sweep_trial: updated.sweep_trial ?? job.sweep_trial });
      showToast({ kind: "info", title: "Stopping", message: `job ${job.id} was asked to stop` });
    },
  });
  const rerun = useMutation({
    mutationFn: () => api.rerunJob(job.id),
    meta: { what: "Rerunning the job" },
    onSuccess: (created) => {
      showToast({ kind: "success", title: "Rerun queued", message: `new job ${created.id}` });
      navigate(`/jobs/${created.id}`);
    },
  });
  return (
    <header className="job-header">
      <div className="row">
        <StatusBadge status={job.status} />
        {attempt ? (
          <span className="soft" data-testid="job-attempt" title={`Queued again up to ${job.retries} time${job.retries === 1 ? "" : "s"} when it fails or is lost`}>
            {attempt}
          </span>
        ) : null}
        <h1 title={job.name || job.id} data-testid="job-name">
          {job.name || job.id}
        </h1>
        <span className="spacer" />
        {runFromPython(job) ? (
          <span className="soft" data-testid="python-run" title="Atlas has no snapshot of its code to run again">
            {pythonRunLabel(job)}
          </span>
        ) : (
          <button
            type="button"
            onClick={() => rerun.mutate()}
            disabled={mayRerun.disabled || rerun.isPending || !job.command || Boolean(job.sweep_id)}
            title={mayRerun.reason ?? (job.sweep_id ? "A sweep's trial is not rerun: add trials to its sweep" : job.command ? "Run the same code and command again" : "Only jobs with a command can be rerun")}
          >
            Rerun
          </button>
        )}
        {isLive(job) ? (
          <button type="button" className="danger" onClick={() => stop.mutate()} disabled={mayStop.disabled || stop.isPending} title={mayStop.reason}>
            Stop
          </button>
        ) : null}
        <a className="button-link" href={api.logUrl(job.id)} download={`${job.id}.log`}>
          Download log
        </a>
        <TensorBoardLink jobIds={[job.id]} />
      </div>
      <div className="row soft job-facts">
        <span>
          id <CopyId id={job.id} full />
        </span>
        <span>
          project <Link to={`/projects/${encodeURIComponent(job.project)}`}>{job.project}</Link>
        </span>
        {job.sweep_id ? <SweepTrialLink job={job} /> : null}
        {job.user ? <span>user {job.user}</span> : null}
        {job.image ? (
          <span data-testid="job-image">
            image <span className="mono">{job.image}</span>
          </span>
        ) : null}
        <span title={job.created_at}>launched {formatAbsolute(job.started_at ?? job.created_at)}</span>
        {job.finished_at ? <span>finished {formatAbsolute(job.finished_at)}</span> : null}
        {job.duration != null ? <span>duration {formatDuration(job.duration)}</span> : null}
        {job.exit_code != null ? <span>exit code {job.exit_code}</span> : null}
      </div>
    </header>
  );
}
