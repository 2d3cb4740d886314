import { useQueries } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import { artifactJsonQuery } from "../lib/api/queries";
import type { Artifact, MediaKey } from "../lib/api/types";
import { parseHistogram, type StepHistogram } from "../lib/histogram";
import { sampleSteps } from "../lib/media-steps";
import { HistogramChart } from "./histogram-chart";
import { ErrorPanel, Loading } from "./states";

/** Steps of a histogram drawn at once (spread over all its steps, as TensorBoard does). */
export const HISTOGRAM_STEPS = 60;

/** One job's histogram key at up to `maxSteps` of its steps, as ridges or a heat map (the
 * job's media tab, the workspace's histogram panel). `versions` (the key's versions, for
 * their hashes) undefined: still loading. `onLoaded` hears whether every step has come. */
export function HistogramSteps({ jobId, media, versions, mode, maxSteps = HISTOGRAM_STEPS, label = media.key, onLoaded }: { jobId: string; media: Pick<MediaKey, "key" | "path" | "steps">; versions: Artifact[] | undefined; mode: "ridge" | "heat"; maxSteps?: number; label?: string; onLoaded?: (loaded: boolean) => void }) {
  const steps = useMemo(() => sampleSteps(media.steps.length ? media.steps : [], maxSteps), [media.steps, maxSteps]);
  const shas = useMemo(() => new Map((versions ?? []).map((v) => [v.step, v.sha256])), [versions]);
  const wanted: (number | null)[] = steps.length ? steps : [null];
  const results = useQueries({ queries: wanted.map((s) => ({ ...artifactJsonQuery(jobId, media.path, s, shas.get(s) ?? ""), enabled: versions !== undefined })) });
  const failed = results.find((r) => r.isError);
  const pending = versions === undefined || results.some((r) => r.isPending);
  useEffect(() => onLoaded?.(!pending), [pending, onLoaded]);
  const loaded: StepHistogram[] = [];
  const broken: string[] = [];
  results.forEach((r, i) => {
    if (r.data === undefined) return;
    try {
      loaded.push({ step: wanted[i] ?? 0, histogram: parseHistogram(r.data) });
    } catch (error) {
      broken.push(`step ${wanted[i]}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  if (failed) return <ErrorPanel error={failed.error} title={`Could not load ${label}`} />;
  if (pending) return <Loading what={`Loading ${label} at ${wanted.length} steps`} />;
  return (
    <>
      {loaded.length ? <HistogramChart steps={loaded} mode={mode} label={label} /> : null}
      {media.steps.length > steps.length ? <p className="soft">{steps.length} of {media.steps.length} steps shown, spread evenly.</p> : null}
      {broken.length ? <ErrorPanel error={new Error(broken.join("; "))} title={`Some steps of ${label} are not histograms`} /> : null}
    </>
  );
}
