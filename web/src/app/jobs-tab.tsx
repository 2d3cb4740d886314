import { useQuery } from "@tanstack/react-query";
import { useCallback, useMemo } from "react";
import { keysQuery, projectQuery } from "../lib/api/queries";
import { removeClause, setFieldClauses, splitClauses } from "../lib/query-text";
import { useUrlList } from "../lib/url-state";
import { EmptyState } from "../components/states";
import { BulkBar } from "../features/jobs/bulk-bar";
import { ColumnChooser } from "../features/jobs/column-chooser";
import { JobsTable } from "../features/jobs/jobs-table";
import { defaultColumnIds, nextSort, visibleColumns } from "../features/jobs/model";
import { QueryBox } from "../features/jobs/query-box";
import { useJobsHead } from "../features/jobs/use-jobs-head";
import { ChartsPane } from "../features/workspace/charts-pane";
import { useViewState } from "../features/workspace/use-view";
import { useWorkspaceJobs } from "../features/workspace/use-workspace-jobs";
import { DEFAULT_SORT } from "../features/workspace/view";
import { ViewsMenu } from "../features/workspace/views-menu";
import { Workspace } from "../features/workspace/workspace";

/** The Jobs tab, the project's workspace: query box with completion, filter chips, column
 * chooser and saved views above; the virtualised table (with bulk actions on selected jobs)
 * beside the chart panels of its visible jobs. Everything shown is the view in the URL
 * (features/workspace/use-view.ts); the selection is `sel`. The page composes the jobs and
 * workspace features, which do not import each other. */
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
  const ids = columnIds.length ? columnIds : defaultColumnIds(keys.data);
  const columns = useMemo(() => visibleColumns(ids, keys.data), [ids.join(","), keys.data]); // eslint-disable-line react-hooks/exhaustive-deps
  const selected = useMemo(() => new Set(selection), [selection.join(",")]); // eslint-disable-line react-hooks/exhaustive-deps
  const counts = info.data?.job_counts ?? {};
  const live = (counts.running ?? 0) + (counts.queued ?? 0) + (counts.starting ?? 0) > 0;
  const clauses = splitClauses(query);
  const head = useJobsHead(project, query, sort, live);
  const page = head.page;
  const { jobs, rowVisual, highlight } = useWorkspaceJobs(view, patch, page?.items);
  const queryError = head.invalid ? { message: head.invalid.message, position: head.invalid.detail.position as number | undefined } : null;
  const compareIds = useMemo(() => jobs.map((job) => job.id), [jobs]);

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
        <ColumnChooser keys={keys.data} visible={ids} onChange={setColumnIds} sampleJobs={(page?.items ?? []).slice(0, 3).map((job) => job.id)} />
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
          {page ? `${page.total.toLocaleString()} job${page.total === 1 ? "" : "s"}` : ""}
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
      {page && page.total === 0 && query && info.data?.job_count ? (
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
              filter={head.filter}
              sort={sort}
              view={view}
              onView={patch}
              columns={columns}
              selected={selected}
              onSelect={onSelect}
              onSort={(field, add) => setSort(nextSort(sort, field, add))}
              onFilter={(field, added) => setQuery(setFieldClauses(query, field, added))}
              live={live}
              rowVisual={rowVisual}
            />
          }
          charts={<ChartsPane project={project} view={view} patch={patch} jobs={jobs} filter={head.filter} highlight={highlight} />}
        />
      )}
      {selection.length ? <BulkBar project={project} selected={selection} visible={compareIds} onClear={() => setSelection([])} /> : null}
    </div>
  );
}
