// The workspace's chart side: the workspace-wide chart options, the regex search over
// panels, "add panel", and the panels in collapsible sections (train, val, system, Charts).
import { useQuery } from "@tanstack/react-query";
import { memo, useCallback, useMemo, useRef, useState } from "react";
import { Link } from "react-router-dom";
import { ChartOptionFields, type ChartOptions } from "../../components/chart-controls";
import { keysQuery } from "../../lib/api/queries";
import type { XAxis } from "../../lib/series";
import { joinList } from "../../lib/url-state";
import { valueStore, type ValueStore } from "../../lib/value-store";
import { AddPanel } from "./add-panel";
import { generatedPanels, movePanel, movePanelInSection, removePanel, searchPanels, sections, seriesKeys, updatePanel } from "./model";
import { diffPanels, mergePanels } from "./panel-edits";
import { LiveStateProvider, type LiveState } from "./live-state";
import { PanelFrame } from "./panel-frame";
import type { WorkspaceJob } from "./panel-types";
import { useWidth } from "./panels/use-width";
import { pointsFor, SeriesProvider, singleValueMetrics, useSeriesBatch } from "./series-data";
import type { LineX, PanelSpec, ViewState } from "./view";

/** The toolbar's x axis: another metric as the workspace's x (set in a link) shows as step. */
const toolbarAxis = (x: LineX): XAxis => (x === "time" || x === "relative" ? x : "step");

/** The drawing width in px of the widest of `panels` in a pane `width` px wide (the grid of
 * workspace.css: 3 columns, 2 at most 900 px, 1 at most 560 px; 10 px gaps; 8 px padding). */
function widestPanel(width: number, panels: readonly PanelSpec[]): number {
  if (width <= 0 || panels.length === 0) return 0;
  const columns = width > 900 ? 3 : width > 560 ? 2 : 1;
  const span = Math.min(columns, Math.max(...panels.map((p) => p.w)));
  const column = (width - 10 * (columns - 1)) / columns;
  return span * column + 10 * (span - 1) - 16;
}

export interface ChartsPaneProps {
  project: string;
  view: ViewState;
  patch: (changes: Partial<ViewState>, push?: boolean) => void;
  jobs: WorkspaceJob[];
  /** The table's filter as the server last answered it: panels over all jobs use it, so an
   * invalid query being typed neither empties nor breaks them. */
  filter: string;
  /** The job hovered in a table row or a chart (shared with the table). */
  highlight: ValueStore<string | null>;
}

/** Memoised: a hovered row or a new page of rows re-renders the table, not the charts. */
export const ChartsPane = memo(function ChartsPane({ project, view, patch, jobs, filter, highlight }: ChartsPaneProps) {
  const [smoothing] = useState(() => valueStore(view.smoothing));
  const liveState = useMemo<LiveState>(() => ({ smoothing, highlight }), [smoothing, highlight]);
  const keys = useQuery(keysQuery(project));
  const metrics = keys.data?.metrics;
  const collapsed = useMemo(() => new Set(view.collapsed), [view.collapsed]);
  const jobIds = useMemo(() => jobs.map((j) => j.id), [jobs]);
  // The series of every line panel in an open section, generated ones included even when
  // shown as bars (a metric logged once), so that telling them apart fetches nothing more.
  const asLines = useMemo(() => mergePanels(generatedPanels(metrics ?? []), view.panels), [view.panels, metrics]);
  const openPanels = useMemo(
    () =>
      sections(searchPanels(asLines, view.panelSearch).panels)
        .filter((s) => !collapsed.has(s.name))
        .flatMap((s) => s.panels),
    [asLines, view.panelSearch, collapsed],
  );
  const keysWanted = useMemo(() => seriesKeys(openPanels), [openPanels]);
  const host = useRef<HTMLDivElement>(null);
  const maxPoints = pointsFor(widestPanel(useWidth(host), openPanels));
  const data = useSeriesBatch(jobs, keysWanted, maxPoints);
  const singleKey = [...singleValueMetrics(metrics ?? [], jobIds, data)].join("\u0000");
  const generated = useMemo(() => generatedPanels(metrics ?? [], new Set(singleKey ? singleKey.split("\u0000") : [])), [metrics, singleKey]);
  const panels = useMemo(() => mergePanels(generated, view.panels), [generated, view.panels]);
  const search = useMemo(() => searchPanels(panels, view.panelSearch), [panels, view.panelSearch]);
  const grouped = useMemo(() => sections(search.panels), [search.panels]);

  // An edit keeps only the differences from the generated panels, so metrics logged later
  // still get theirs and the URL grows with the edits, not with the metrics.
  const edit = useCallback((change: (list: PanelSpec[]) => PanelSpec[]) => patch({ panels: diffPanels(generated, change(panels), view.panels) }, true), [patch, panels, generated, view.panels]);
  const onChange = useCallback((panel: PanelSpec) => edit((list) => updatePanel(list, panel.id, () => panel)), [edit]);
  const onRemove = useCallback((id: string) => edit((list) => removePanel(list, id)), [edit]);
  const onMove = useCallback((id: string, to: -1 | 1 | string) => edit((list) => (typeof to === "string" ? movePanel(list, id, to) : movePanelInSection(list, id, to))), [edit]);
  const chartOptions = useMemo<ChartOptions>(() => ({ axis: toolbarAxis(view.x), logY: view.logY, smoothing: view.smoothing, smoothingKind: view.smoothingKind }), [view.x, view.logY, view.smoothing, view.smoothingKind]);
  const onOptions = useCallback(
    (change: Partial<ChartOptions>) =>
      patch({ ...(change.axis !== undefined ? { x: change.axis } : {}), ...(change.logY !== undefined ? { logY: change.logY } : {}), ...(change.smoothing !== undefined ? { smoothing: change.smoothing } : {}), ...(change.smoothingKind !== undefined ? { smoothingKind: change.smoothingKind } : {}) }),
    [patch],
  );
  const toggleSection = (name: string) => patch({ collapsed: collapsed.has(name) ? view.collapsed.filter((c) => c !== name) : [...view.collapsed, name] });

  return (
    <div className="ws-charts-inner" ref={host}>
      <div className="row chart-controls ws-toolbar" role="group" aria-label="Chart options">
        <input
          type="search"
          className="mono"
          aria-label="Search panels (regular expression)"
          placeholder="search panels (regex)"
          data-testid="panel-search"
          value={view.panelSearch}
          onChange={(e) => patch({ panelSearch: e.target.value })}
        />
        <ChartOptionFields options={chartOptions} onChange={onOptions} live={liveState.smoothing} />
        <span className="spacer" />
        {jobs.length >= 2 ? (
          <Link className="button-link" to={`/compare?jobs=${joinList(jobIds)}`} data-testid="compare-visible">
            Compare visible
          </Link>
        ) : null}
        {view.panels !== null ? (
          <button type="button" className="link" onClick={() => patch({ panels: null }, true)} title="Back to one panel per metric">
            Reset panels
          </button>
        ) : null}
        <AddPanel project={project} jobs={jobs} panels={panels} onAdd={(panel) => edit((list) => [...list, panel])} />
      </div>
      {search.error ? (
        <p className="ws-error" role="alert" data-testid="panel-search-error">
          {search.error}
        </p>
      ) : null}
      {jobs.length === 0 ? <p className="soft">No job is visible: turn one on with the eye in its row.</p> : null}
      {metrics && panels.length === 0 ? <p className="soft">No metrics logged in this project yet.</p> : null}
      {!search.error && panels.length > 0 && search.panels.length === 0 ? (
        <p className="soft" data-testid="no-panel-match">
          No panel matches <code>{view.panelSearch}</code>.
        </p>
      ) : null}
      <LiveStateProvider value={liveState}>
        <SeriesProvider value={data}>
          {grouped.map((section) => {
            const open = !collapsed.has(section.name);
            return (
              <section key={section.name} className="ws-section" data-testid="panel-section" data-section={section.name}>
                <h2>
                  <button type="button" className="section-toggle" aria-expanded={open} onClick={() => toggleSection(section.name)}>
                    <span aria-hidden="true">{open ? "▾" : "▸"}</span> {section.name} <span className="soft">({section.panels.length})</span>
                  </button>
                </h2>
                {open ? (
                  <div className="ws-grid">
                    {section.panels.map((panel) => (
                      <PanelFrame
                        key={panel.id}
                        panel={panel}
                        project={project}
                        jobs={jobs}
                        view={view}
                        filter={filter}
                        onChange={onChange}
                        onRemove={onRemove}
                        onMove={onMove}
                      />
                    ))}
                  </div>
                ) : null}
              </section>
            );
          })}
        </SeriesProvider>
      </LiveStateProvider>
    </div>
  );
});
