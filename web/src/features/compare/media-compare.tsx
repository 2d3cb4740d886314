import { useQueries } from "@tanstack/react-query";
import { useMemo } from "react";
import { Link } from "react-router-dom";
import * as api from "../../lib/api/endpoints";
import { isLive, mediaQuery } from "../../lib/api/queries";
import type { ArtifactKind, Job } from "../../lib/api/types";
import { chosenStep, stepAtOrBefore, unionSteps } from "../../lib/media-steps";
import { groupBy } from "../../lib/series";
import { useUrlParam } from "../../lib/url-state";
import { MediaView } from "../../components/media-view";
import { ErrorPanel, Loading } from "../../components/states";
import { StepSlider } from "../../components/step-slider";

interface MediaOption {
  path: string;
  key: string;
  kind: ArtifactKind;
  /** Each job's steps of this path (absent: the job did not log it). */
  steps: Map<string, number[]>;
}

/** One media key across the compared jobs: a row per job (in its colour) and one step
 * slider over every job's steps; a job without that step shows its nearest step before it. */
export function MediaCompare({ jobs, styles }: { jobs: Job[]; styles: Map<string, { color: string }> }) {
  const lists = useQueries({ queries: jobs.map((job) => mediaQuery(job.id, isLive(job))) });
  const listed = lists.every((r) => !r.isPending);
  const options = useMemo(() => {
    const byPath = new Map<string, MediaOption>();
    lists.forEach((result, i) => {
      const job = jobs[i];
      for (const m of result.data?.items ?? []) {
        if (!job) continue;
        const option = byPath.get(m.path) ?? { path: m.path, key: m.key, kind: m.kind, steps: new Map() };
        option.steps.set(job.id, m.steps);
        byPath.set(m.path, option);
      }
    });
    // images first: the key a comparison most often wants
    const rank = (o: MediaOption) => (o.kind === "image" ? 0 : 1);
    return [...byPath.values()].sort((a, b) => rank(a) - rank(b) || a.key.localeCompare(b.key) || a.path.localeCompare(b.path));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lists.map((r) => r.dataUpdatedAt).join(","), jobs]);
  const [pathParam, setPath] = useUrlParam("media");
  const [stepText, setStep] = useUrlParam("mstep");
  const chosen = options.find((o) => o.path === pathParam) ?? options[0];
  const steps = useMemo(() => unionSteps(chosen ? [...chosen.steps.values()] : []), [chosen]);
  const step = chosenStep(steps, stepText);
  const projects = useMemo(() => [...groupBy(jobs, (job) => job.project).entries()], [jobs]);
  const cells = useQueries({
    queries: projects.map(([project, members]) => {
      const ids = members.map((m) => m.id).filter((id) => chosen?.steps.has(id));
      return {
        queryKey: ["compare-media", project, chosen?.path, ids, step],
        queryFn: ({ signal }: { signal: AbortSignal }) => api.compareMedia(project, chosen?.path ?? "", ids, step, signal),
        enabled: chosen !== undefined && ids.length > 0,
        staleTime: 30_000,
        meta: { what: "Loading media" },
      };
    }),
  });
  const versions = new Map(cells.flatMap((r) => r.data?.items ?? []).map((cell) => [cell.job_id, cell.version]));
  const failed = cells.find((r) => r.isError);

  if (!listed) return <Loading what="Loading the jobs' media" />;
  return (
    <section className="panel media-compare" aria-labelledby="media-compare-title" style={{ marginTop: 12 }}>
      <div className="row">
        <h2 id="media-compare-title">Media</h2>
        {chosen ? (
          <>
            <label htmlFor="media-key">Key</label>
            <select id="media-key" value={chosen.path} onChange={(e) => setPath(e.target.value)}>
              {options.map((o) => (
                <option key={o.path} value={o.path}>
                  {o.key} ({o.kind})
                </option>
              ))}
            </select>
            <StepSlider steps={steps} value={step} onChange={(s) => setStep(String(s))} />
          </>
        ) : null}
      </div>
      {!chosen ? (
        <p className="soft">
          None of these jobs logged media. A job logs an image at each step with <code>{`atlas.log_image("samples", image, step=step)`}</code>.
        </p>
      ) : null}
      {failed ? <ErrorPanel error={failed.error} title="Could not load the media of these jobs" /> : null}
      {chosen
        ? jobs.map((job) => {
            const own = chosen.steps.get(job.id);
            const version = versions.get(job.id);
            const shown = own && step !== null ? stepAtOrBefore(own, step) : null;
            return (
              <div key={job.id} className="compare-media-row" data-testid="media-row" aria-label={`${chosen.key} of ${job.name || job.id}`} role="group">
                <div className="compare-media-job">
                  <span>
                    <span className="swatch" style={{ background: styles.get(job.id)?.color }} />
                    <Link to={`/jobs/${job.id}/media`} title={job.name || job.id}>
                      {job.name || job.id}
                    </Link>
                  </span>
                  {own === undefined ? (
                    <span className="soft">did not log {chosen.key}</span>
                  ) : step === null ? (
                    <span className="soft">its latest save</span>
                  ) : own.length === 0 ? (
                    <span className="soft">saved without a step</span>
                  ) : shown === null ? (
                    <span className="soft">nothing at or before step {step}</span>
                  ) : (
                    <span className="soft">step {shown}{shown !== step ? ` (its latest at or before ${step})` : ""}</span>
                  )}
                </div>
                <div className="compare-media-item">
                  {version ? <MediaView jobId={job.id} version={version} label={`${chosen.key} of ${job.name || job.id} at step ${version.step}`} pageSize={10} /> : null}
                </div>
              </div>
            );
          })
        : null}
    </section>
  );
}
