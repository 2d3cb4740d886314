import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useCallback, useMemo, useRef, useState } from "react";
import { ApiError } from "../../lib/api/client";
import * as api from "../../lib/api/endpoints";
import { keysQuery, projectQuery } from "../../lib/api/queries";
import type { Job, JobPage } from "../../lib/api/types";
import { removeClause, setFieldClauses, splitClauses } from "../../lib/query-text";
import { useUrlList } from "../../lib/url-state";
import { EmptyState } from "../../components/states";
import { ChartsPane } from "../workspace/charts-pane";
import { useViewState } from "../workspace/use-view";
import { useWorkspaceJobs } from "../workspace/use-workspace-jobs";
import { DEFAULT_SORT } from "../workspace/view";
import { ViewsMenu } from "../workspace/views-menu";
import { Workspace } from "../workspace/workspace";
import { BulkBar } from "./bulk-bar";
import { ColumnChooser } from "./column-chooser";
import { JobsTable } from "./jobs-table";
import { defaultColumnIds, nextSort, PAGE_SIZE, visibleColumns } from "./model";
import { QueryBox } from "./query-box";

/** The Jobs tab, the project's workspace: query box with completion, filter chips, column
 * chooser and saved views above; the virtualised table (with bulk actions on selected jobs)
 * beside the chart panels of its visible jobs. Everything shown is the view in the URL
 * (features/workspace/use-view.ts); the selection is `sel`. */
export function JobsTab({ project }: { project: string }) {
  const [view, patch] = useViewState();
  const query = view.q;
  const sort = view.sort;
  const columnIds = view.cols;
  const setQuery = useCallback((q: string) => patch({ q }, true), [patch]);
  const setSort = useCallback((next: string) => patch({ sort: next }, true), [patch]);
  const setColumnIds = useCallback((cols: string[]) => patch({ cols }), [patch]);
  const [selection, setSelection] = useUrlList("sel");
  const keys = useQuery(keysQuery(project));
  const info = useQuery(projectQuery(project));
  const [page, setPage] = useState<{ data?: JobPage; error?: unknown }>({});
  const ids = columnIds.length ? columnIds : defaultColumnIds(keys.data);
  const columns = useMemo(() => visibleColumns(ids, keys.data), [ids.join(","), keys.data]); // eslint-disable-line react-hooks/exhaustive-deps
  const selected = useMemo(() => new Set(selection), [selection.join(",")]); // eslint-disable-line react-hooks/exhaustive-deps
  const counts = info.data?.job_counts ?? {};
  const live = (counts.running ?? 0) + (counts.queued ?? 0) + (counts.starting ?? 0) > 0;
  const clauses = splitClauses(query);
  const onPage = useCallback((data: JobPage | undefined, error: unknown) => setPage({ data, error }), []);
  const [highlight, setHighlight] = useState<string | null>(null);
  const head = useHead(project, query, sort, live);
  const { jobs, rowVisual } = useWorkspaceJobs(view, patch, head, highlight, setHighlight);
  const queryError =
    page.error instanceof ApiError && page.error.code === "invalid_query"
      ? { message: page.error.message, position: page.error.detail.position as number | undefined }
      : null;

  const onSelect = (changed: string[], on: boolean) => {
    const next = new Set(selection);
    for (const id of changed) {
      if (on) next.add(id);
      else next.delete(id);
    }
    setSelection([...next]);
  };

  return (
    <div className="jobs-tab">
      <div className="jobs-toolbar">
        <QueryBox value={query} keys={keys.data} onSubmit={setQuery} error={queryError} />
        <ColumnChooser keys={keys.data} visible={ids} onChange={setColumnIds} sampleJobs={(page.data?.items ?? []).slice(0, 3).map((job) => job.id)} />
        <ViewsMenu project={project} />
      </div>
      <div className="row chips" aria-label="Active filters">
        {clauses.map((clause, i) => (
          <span key={`${i}-${clause}`} className="chip" data-testid="filter-chip">
            <span title={clause}>{clause}</span>
            <button type="button" aria-label={`Remove filter ${clause}`} onClick={() => setQuery(removeClause(query, i))}>
              ✕
            </button>
          </span>
        ))}
        {clauses.length > 1 ? (
          <button type="button" className="link" onClick={() => setQuery("")}>
            Clear all
          </button>
        ) : null}
        <span className="spacer" />
        <span className="soft" data-testid="jobs-total" aria-live="polite">
          {page.data ? `${page.data.total.toLocaleString()} job${page.data.total === 1 ? "" : "s"}` : ""}
          {sort !== DEFAULT_SORT ? (
            <>
              {" "}
              · sorted by <code>{sort || "default"}</code>{" "}
              <button type="button" className="link" onClick={() => setSort(DEFAULT_SORT)}>
                reset
              </button>
            </>
          ) : null}
        </span>
      </div>
      {page.data && page.data.total === 0 && query && info.data?.job_count ? (
        <p className="soft" role="status" data-testid="no-match">
          No job matches this filter.{" "}
          <button type="button" className="link" onClick={() => setQuery("")}>
            Clear the filter
          </button>
        </p>
      ) : null}
      {info.data && info.data.job_count === 0 ? (
        <EmptyState title="No jobs in this project yet">
          <p>Run a Python script that imports atlas with this project:</p>
          <pre>{`ATLAS_PROJECT=${JSON.stringify(project)} python train.py`}</pre>
          <p className="soft">
            where <code>train.py</code> calls <code>atlas.log_params(...)</code> and <code>atlas.log_metric(...)</code>.
          </p>
        </EmptyState>
      ) : (
        <Workspace
          view={view}
          patch={patch}
          table={
            <JobsTable
              project={project}
              filter={query}
              sort={sort}
              columns={columns}
              selected={selected}
              onSelect={onSelect}
              onSort={(field, add) => setSort(nextSort(sort, field, add))}
              onFilter={(field, added) => setQuery(setFieldClauses(query, field, added))}
              live={live}
              onPage={onPage}
              rowVisual={rowVisual}
            />
          }
          charts={<ChartsPane project={project} view={view} patch={patch} jobs={jobs} highlight={highlight} onHighlight={setHighlight} />}
        />
      )}
      {selection.length ? <BulkBar project={project} selected={selection} onClear={() => setSelection([])} /> : null}
    </div>
  );
}

/** The table's first page (the same cache entry as the table's), kept through an invalid
 * query: the charts show the first rows of the last good filter, as the table does. */
function useHead(project: string, filter: string, sort: string, live: boolean): Job[] | undefined {
  const answer = useQuery({
    queryKey: ["jobs", project, filter, sort, 0],
    queryFn: ({ signal }) => api.listJobs(project, { filter, sort, limit: PAGE_SIZE, offset: 0 }, signal),
    refetchInterval: live ? 3_000 : 30_000,
    placeholderData: keepPreviousData,
    meta: { what: "Loading jobs", inlineCodes: ["invalid_query"] },
  });
  const good = useRef<Job[] | undefined>(undefined);
  if (answer.data && !answer.isPlaceholderData) good.current = answer.data.items;
  return answer.isError ? good.current : (answer.data?.items ?? good.current);
}
