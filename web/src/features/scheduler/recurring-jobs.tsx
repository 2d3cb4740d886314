import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import * as api from "../../lib/api/endpoints";
import { projectsQuery } from "../../lib/api/queries";
import type { Schedule } from "../../lib/api/types";
import { gate, isRole, type Gate } from "../../lib/roles";
import { EmptyState, ErrorPanel, Loading } from "../../components/states";
import { TimeText } from "../../components/time-text";
import { cronText } from "./cron-text";

/** The recurring jobs of every project one reads (docs/jobs.md "Recurring jobs"): name,
 * project, cron expression in words, next run, the last run's job (or why the latest slot
 * submitted none) and whether it is paused, with Pause and Resume for the project's editors. */
export function RecurringJobs() {
  const schedules = useQuery({
    queryKey: ["schedules"],
    queryFn: ({ signal }) => api.listAllSchedules(signal),
    refetchInterval: 10_000,
    meta: { what: "Loading the recurring jobs" },
  });
  const client = useQueryClient();
  const change = useMutation({
    mutationFn: ({ id, paused }: { id: string; paused: boolean }) => api.updateSchedule(id, { paused }),
    meta: { what: "Changing the recurring job" },
    onSuccess: () => void client.invalidateQueries({ queryKey: ["schedules"] }),
  });
  const projects = useQuery(projectsQuery());
  const mayChange = (project: string): Gate => {
    if (!projects.data) return gate(undefined, "editor", "pause and resume recurring jobs");
    const role = projects.data.items.find((p) => p.name === project)?.role;
    return isRole(role) ? gate(role, "editor", "pause and resume recurring jobs") : { disabled: true, reason: `you have no access to project ${project}` };
  };
  let body;
  if (schedules.isPending) body = <Loading what="Loading the recurring jobs" />;
  else if (schedules.isError) body = <ErrorPanel error={schedules.error} title="Could not load the recurring jobs" />;
  else if (!schedules.data.items.length)
    body = (
      <EmptyState title="No recurring jobs">
        <p>Submit a folder on a schedule, e.g. every night at 03:00:</p>
        <pre>atlas schedule create --cron "0 3 * * *" . python train.py</pre>
      </EmptyState>
    );
  else
    body = (
      <div className="table-scroll">
        <table className="simple" aria-labelledby="recurring-title">
          <thead>
            <tr>
              <th>name</th>
              <th>project</th>
              <th>when</th>
              <th>next run</th>
              <th>last job</th>
              <th>state</th>
              <th>
                <span className="sr-only">actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {schedules.data.items.map((schedule) => (
              <ScheduleRow
                key={schedule.id}
                schedule={schedule}
                may={mayChange(schedule.project)}
                busy={change.isPending && change.variables?.id === schedule.id}
                onToggle={() => change.mutate({ id: schedule.id, paused: !schedule.paused })}
              />
            ))}
          </tbody>
        </table>
      </div>
    );
  return (
    <section className="panel" aria-labelledby="recurring-title" style={{ marginTop: 12 }}>
      <h2 id="recurring-title">Recurring jobs{schedules.data ? ` (${schedules.data.items.length})` : ""}</h2>
      {body}
    </section>
  );
}

interface RowProps {
  schedule: Schedule;
  may: Gate;
  busy: boolean;
  onToggle: () => void;
}

/** One recurring job's row (exported for its test). */
export function ScheduleRow({ schedule, may, busy, onToggle }: RowProps) {
  const name = schedule.name || schedule.job.command;
  const words = cronText(schedule.cron);
  const zone = schedule.timezone === "UTC" ? "UTC" : schedule.timezone;
  return (
    <tr data-testid="schedule-row">
      <td title={schedule.job.command}>{name}</td>
      <td>
        <Link to={`/projects/${encodeURIComponent(schedule.project)}`}>{schedule.project}</Link>
      </td>
      <td>
        <span className="mono">{schedule.cron}</span> <span className="soft">({zone})</span>
        {words ? <div className="soft" data-testid="cron-words">{words}</div> : null}
      </td>
      <td data-testid="next-run">{schedule.paused ? <span className="soft">paused</span> : <TimeText iso={schedule.next_run_at} absolute />}</td>
      <td>
        {schedule.last_job_id ? <Link to={`/jobs/${schedule.last_job_id}`} className="mono">{schedule.last_job_id}</Link> : <span className="soft">none yet</span>}
        {schedule.last_error ? (
          <div className="danger-text" data-testid="schedule-error">
            skipped <TimeText iso={schedule.last_error_at} />: {schedule.last_error}
          </div>
        ) : null}
      </td>
      <td data-testid="schedule-state">{schedule.paused ? <span className="tag">paused</span> : "active"}</td>
      <td>
        <button
          type="button"
          onClick={onToggle}
          aria-label={`${schedule.paused ? "Resume" : "Pause"} recurring job ${name}`}
          disabled={may.disabled || busy}
          title={may.reason}
        >
          {schedule.paused ? "Resume" : "Pause"}
        </button>
      </td>
    </tr>
  );
}
