// The first page of the jobs listing, kept through an invalid query: one hook for the table,
// the query box's error and the workspace's charts.
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ApiError } from "../../lib/api/client";
import { jobsPageQuery } from "../../lib/api/queries";
import type { JobPage } from "../../lib/api/types";

export interface JobsHead {
  /** The filter whose rows are shown: the wanted one, or while the server rejects that one
   * as an invalid query, the last one it answered (so the rows stay and only the error is new). */
  filter: string;
  /** The server's rejection of the wanted filter (`invalid_query`), shown under the query box. */
  invalid: ApiError | null;
  /** The shown filter's first page (the previous one while it loads). */
  page: JobPage | undefined;
}

/** The first page of the jobs `wanted` matches in `sort` order, or while `wanted` is an
 * invalid query, of the last filter the server answered. Polled faster while `live`. */
export function useJobsHead(project: string, wanted: string, sort: string, live: boolean): JobsHead {
  const [good, setGood] = useState(wanted);
  const [invalid, setInvalid] = useState<{ filter: string; error: ApiError } | null>(null);
  const rejected = invalid !== null && invalid.filter === wanted;
  const filter = rejected ? (good === wanted ? "" : good) : wanted;
  const answer = useQuery(jobsPageQuery(project, filter, sort, 0, live));
  const settled = !answer.isPlaceholderData && filter === wanted;
  const error = settled ? answer.error : null;
  const answered = settled && answer.isSuccess;
  useEffect(() => {
    if (error instanceof ApiError && error.code === "invalid_query") setInvalid({ filter: wanted, error });
    else if (answered) setGood(wanted);
  }, [error, answered, wanted]);
  return { filter, invalid: rejected ? invalid.error : null, page: answer.data };
}
