import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { sweepQuery, trialsQuery } from "../../lib/api/queries";
import type { Job } from "../../lib/api/types";

/** For a trial of a sweep: `trial N of sweep NAME`, a link to the sweep's page. */
export function SweepTrialLink({ job }: { job: Job }) {
  const id = job.sweep_id ?? "";
  const sweep = useQuery({ ...sweepQuery(id), enabled: Boolean(id), refetchInterval: false, staleTime: 30_000 });
  const trials = useQuery({ ...trialsQuery(id, false), enabled: Boolean(id), staleTime: 30_000 });
  if (!id) return null;
  const trial = trials.data?.items.find((t) => t.job_id === job.id);
  const name = sweep.data?.name || id;
  const label = `${trial ? `trial ${trial.number}` : "a trial"} of sweep ${name}`;
  return (
    <span data-testid="sweep-trial">
      <Link to={`/projects/${encodeURIComponent(job.project)}/sweeps/${id}`}>{label}</Link>
    </span>
  );
}
