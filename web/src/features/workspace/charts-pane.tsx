// The workspace's chart side: the workspace-wide chart options, the regex search over
// panels, "add panel", and the panels in collapsible sections (train, val, system, Charts).
import { useQuery } from "@tanstack/react-query";
import { useCallback, useMemo } from "react";
import { Link } from "react-router-dom";
import { keysQuery } from "../../lib/api/queries";
import { joinList } from "../../lib/url-state";
import { AddPanel } from "./add-panel";
import { generatedPanels, movePanel, movePanelInSection, removePanel, searchPanels, sections, seriesKeys, updatePanel } from "./model";
import { diffPanels, mergePanels } from "./panel-edits";
import { PanelFrame } from "./panel-frame";
import type { WorkspaceJob } from "./panel-types";
import { SeriesProvider, singleValueMetrics, useSeriesBatch } from "./series-data";
import type { LineX, PanelSpec, Smoothing, ViewState } from "./view";

export interface ChartsPaneProps {
  project: string;
  view: ViewState;
  patch: (changes: Partial<ViewState>, push?: boolean) => void;
  jobs: WorkspaceJob[];
  highlight: string | null;
  onHighlight: (id: string | null) => void;
}

export function ChartsPane({ project, view, patch, jobs, highlight, onHighlight }: ChartsPaneProps) {
  const keys = useQuery(keysQuery(project));
  const metrics = keys.data?.metrics;
  const collapsed = useMemo(() => new Set(view.collapsed), [view.collapsed]);
  const jobIds = useMemo(() => jobs.map((j) => j.id), [jobs]);
  const live = jobs.some((j) => j.live);
  // The series of every line panel in an open section, generated ones included even when
  // shown as bars (a metric logged once), so that telling them apart fetches nothing more.
  const asLines = useMemo(() => mergePanels(generatedPanels(metrics ?? []), view.panels), [view.panels, metrics]);
  const keysWanted = useMemo(() => {
    const open = sections(searchPanels(asLines, view.panelSearch).panels).filter((s) => !collapsed.has(s.name));
    return seriesKeys(open.flatMap((s) => s.panels));
  }, [asLines, view.panelSearch, collapsed]);
  const data = useSeriesBatch(jobIds, keysWanted, live);
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
  const toggleSection = (name: string) => patch({ collapsed: collapsed.has(name) ? view.collapsed.filter((c) => c !== name) : [...view.collapsed, name] });

  return (
    <div className="ws-charts-inner">
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
        <label htmlFor="ws-x">X</label>
        <select id="ws-x" value={view.x} onChange={(e) => patch({ x: e.target.value as LineX })}>
          <option value="step">step</option>
          <option value="time">time</option>
          <option value="relative">relative time</option>
        </select>
        <label className="check">
          <input type="checkbox" checked={view.logY} onChange={(e) => patch({ logY: e.target.checked })} /> log y
        </label>
        <label htmlFor="ws-smoothing">Smoothing</label>
        <select aria-label="Smoothing kind" value={view.smoothingKind} onChange={(e) => patch({ smoothingKind: e.target.value as Smoothing })}>
          <option value="ema">EMA</option>
          <option value="time">time-weighted EMA</option>
        </select>
        <input id="ws-smoothing" data-testid="smoothing" type="range" min={0} max={0.99} step={0.01} value={view.smoothing} onChange={(e) => patch({ smoothing: Number(e.target.value) })} />
        <span className="num mono" style={{ width: 32 }}>
          {view.smoothing.toFixed(2)}
        </span>
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
                      highlight={highlight}
                      onHighlight={onHighlight}
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
    </div>
  );
}
