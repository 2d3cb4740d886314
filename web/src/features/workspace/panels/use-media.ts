import { useQueries } from "@tanstack/react-query";
import { useMemo } from "react";
import { mediaQuery } from "../../../lib/api/queries";
import type { WorkspaceJob } from "../panel-types";
import { mediaOptions, type MediaOption } from "./media-model";

/** The media keys of the visible jobs (each job's list shared with its media tab), and
 * whether every list has come. */
export function useMediaOptions(jobs: readonly WorkspaceJob[]): { options: MediaOption[]; loaded: boolean } {
  const lists = useQueries({ queries: jobs.map((job) => mediaQuery(job.id, job.live)) });
  const version = lists.map((r) => r.dataUpdatedAt).join(",");
  const ids = jobs.map((j) => j.id).join(",");
  const options = useMemo(
    () => mediaOptions(ids ? ids.split(",") : [], lists.map((r) => r.data?.items)),
    // the lists' data change only with their update times
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [version, ids],
  );
  return { options, loaded: lists.every((r) => !r.isPending) };
}
