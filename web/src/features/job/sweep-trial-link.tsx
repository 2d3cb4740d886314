import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { sweepQuery } from "../../lib/api/queries";
import type { Job } from "../../lib/api/types";

/** For a trial of a sweep: `trial N of sweep NAME`, a link to the sweep's page. The trial's
 * number comes with the job (`sweep_trial`); the sweep is read for its name. */
export function SweepTrialLink({ job }: { job: Job }) {
  const id = job.sweep_id ?? "";
  const sweep = useQuery({ ...sweepQuery(id), enabled: Boolean(id), refetchInterval: false, staleTime: 30_000 });
  if (!id) return null;
  const name = sweep.data?.name || id;
  const trial = job.sweep_trial;
  const label = `${trial == null ? "a trial" : `trial ${trial}`} of sweep ${name}`;
  return (
    <span data-testid="sweep-trial">
      <Link to={`/projects/${encodeURIComponent(job.project)}/sweeps/${id}`}>{label}</Link>
    </span>
  );
}
