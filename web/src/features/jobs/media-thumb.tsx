import { useQuery } from "@tanstack/react-query";
import * as api from "../../lib/api/endpoints";
import { isLive, mediaQuery } from "../../lib/api/queries";
import type { Job } from "../../lib/api/types";

/** A job's image of `mediaKey` at its last step, in a table cell. Mounted only while its row
 * and column are in view (the table is virtualised), so only visible rows ask for their
 * job's media; a job without that key shows an empty cell. */
export function MediaThumb({ job, mediaKey }: { job: Job; mediaKey: string }) {
  const media = useQuery({ ...mediaQuery(job.id, isLive(job)), refetchInterval: false });
  const found = media.data?.items.find((m) => m.key === mediaKey && (m.kind === "image" || m.kind === "gif"));
  if (media.isError) {
    return (
      <span className="soft" title={`Could not load the media of ${job.name || job.id}: ${media.error.message}`}>
        ⚠
      </span>
    );
  }
  if (!found) return media.isPending ? <span className="skeleton" /> : <span className="soft" aria-label="none" />;
  const step = found.last_step;
  const name = job.name || job.id;
  return (
    <a href={`/jobs/${job.id}/media`} className="thumb-link" title={`${mediaKey} of ${name}${step === null ? "" : ` at step ${step}`}`}>
      <img className="thumb" src={api.artifactUrl(job.id, found.path, step)} alt={`${mediaKey} of ${name}`} loading="lazy" />
    </a>
  );
}
