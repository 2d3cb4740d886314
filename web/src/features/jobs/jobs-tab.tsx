import { useQuery } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";
import { ApiError } from "../../lib/api/client";
import { keysQuery, projectQuery } from "../../lib/api/queries";
import type { JobPage } from "../../lib/api/types";
import { removeClause, setFieldClauses, splitClauses } from "../../lib/query-text";
import { useUrlList, useUrlParam } from "../../lib/url-state";
import { EmptyState } from "../../components/states";
import { BulkBar } from "./bulk-bar";
import { ColumnChooser } from "./column-chooser";
import { JobsTable } from "./jobs-table";
import { defaultColumnIds, nextSort, visibleColumns } from "./model";
import { QueryBox } from "./query-box";

const DEFAULT_SORT = "-created_at";

/** The Jobs tab: query box with completion, filter chips, column chooser, the virtualised
 * table and the bulk actions on selected jobs. Query, sort, columns and selection are in
 * the URL (`q`, `sort`, `cols`, `sel`). */
export function JobsTab({ project }: { project: string }) {
  const [query, setQuery] = useUrlParam("q", "", true);
  const [sort, setSort] = useUrlParam("sort", DEFAULT_SORT, true);
  const [columnIds, setColumnIds] = useUrlList("cols");
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
        />
      )}
      {selection.length ? <BulkBar project={project} selected={selection} onClear={() => setSelection([])} /> : null}
    </div>
  );
}
