import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useRef } from "react";
import { jobValuesQuery, keysQuery } from "../../../lib/api/queries";
import { niceTicks } from "../../../lib/chart-scales";
import { formatNumber, truncate } from "../../../lib/format";
import { ErrorPanel, Loading } from "../../../components/states";
import type { PanelProps } from "../panel-types";
import type { BarSettings } from "../view";
import { useSeriesData } from "../series-data";
import { barDomain, barSeries, barsFromSeries, barsOf, jobsFilter } from "./bar-model";
import { FieldSelect } from "./field-select";
import { fieldChoices, fieldLabel, metricField } from "./fields";
import type { EditorProps, PanelKindDef } from "./kind";
import { useLatest } from "./use-latest";
import { useWidth } from "./use-width";
import "./panels.css";

const NAME_WIDTH = 140;
const VALUE_WIDTH = 64;
const AXIS_HEIGHT = 18;

/** One bar (or point) per visible job in its colour and the table's order, with its value
 * written beside it: the chart for a metric each job logged once. */
function BarPanel({ panel, project, jobs, height, highlight, onHighlight, onDrawn }: PanelProps<"bar">) {
  const field = metricField(panel.settings.metric, "last");
  const ids = useMemo(() => jobs.map((j) => j.id), [jobs]);
  // From the workspace's series batch (no request of its own, and polled with the running
  // jobs); a count only from the values endpoint (the batch's series are downsampled).
  const fromSeries = barSeries(panel.settings.metric);
  const series = useSeriesData();
  const values = useQuery({ ...jobValuesQuery(project, [field], jobsFilter(ids), Math.max(1, ids.length)), enabled: ids.length > 0 && !fromSeries });
  const bars = useMemo(
    () => (fromSeries ? barsFromSeries(jobs, series.get, fromSeries.key, fromSeries.aggregate) : barsOf(jobs, values.data, field)),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [jobs, series, values.data, field, fromSeries?.key, fromSeries?.aggregate],
  );
  const host = useRef<HTMLDivElement>(null);
  const width = useWidth(host);
  const drawn = useLatest(onDrawn);
  const ready = (fromSeries ? series.loaded : values.data !== undefined) || ids.length === 0;
  useEffect(() => drawn.current(ready && width > 0), [ready, bars, width, drawn]);

  if (!fromSeries && values.isError && !values.data) return <ErrorPanel error={values.error} title={`Could not load ${fieldLabel(field)}`} />;
  const [lo, hi] = barDomain(bars);
  const plotWidth = Math.max(40, width - NAME_WIDTH - VALUE_WIDTH);
  const x = (v: number) => NAME_WIDTH + ((v - lo) / (hi - lo)) * plotWidth;
  const rowHeight = Math.max(10, Math.min(24, (height - AXIS_HEIGHT) / Math.max(1, bars.length)));
  const svgHeight = rowHeight * bars.length + AXIS_HEIGHT;
  const point = panel.settings.style === "point";
  return (
    <div ref={host} className="bar-panel">
      {!ready ? <Loading what={`Loading ${fieldLabel(field)}`} /> : null}
      {ready && bars.length === 0 ? <p className="soft">No visible jobs.</p> : null}
      {ready && width > 0 && bars.length ? (
        <svg width={width} height={svgHeight} role="img" aria-label={`${fieldLabel(field)} of ${bars.length} jobs`} data-testid="bar-chart">
          {niceTicks(lo, hi, Math.max(2, Math.floor(plotWidth / 80))).map((t) => (
            <g key={t}>
              <line x1={x(t)} x2={x(t)} y1={0} y2={svgHeight - AXIS_HEIGHT} stroke="var(--border)" />
              <text x={x(t)} y={svgHeight - 4} textAnchor="middle" fontSize="11" fill="var(--text-soft)">
                {formatNumber(t)}
              </text>
            </g>
          ))}
          {bars.map((bar, i) => {
            const y = i * rowHeight;
            const finite = bar.value !== null && Number.isFinite(bar.value);
            const end = finite ? x(bar.value as number) : x(0);
            const strong = highlight === null || highlight === bar.id;
            return (
              <g key={bar.id} data-testid="bar" onPointerEnter={() => onHighlight(bar.id)} onPointerLeave={() => onHighlight(null)} opacity={strong ? 1 : 0.45}>
                <title>{`${bar.name}: ${bar.label}`}</title>
                <text x={NAME_WIDTH - 6} y={y + rowHeight / 2 + 4} textAnchor="end" fontSize="12" fill="var(--text)">
                  {truncate(bar.name, 20)}
                </text>
                {finite && !point ? <rect x={Math.min(x(0), end)} width={Math.max(1, Math.abs(end - x(0)))} y={y + rowHeight * 0.15} height={rowHeight * 0.7} fill={bar.color} rx={2} /> : null}
                {finite && point ? <circle cx={end} cy={y + rowHeight / 2} r={Math.min(6, rowHeight / 2 - 1)} fill={bar.color} /> : null}
                <text x={(finite ? Math.max(x(0), end) : x(0)) + 4} y={y + rowHeight / 2 + 4} fontSize="11" fill={finite ? "var(--text)" : "var(--text-soft)"} data-testid="bar-value">
                  {bar.label}
                </text>
              </g>
            );
          })}
        </svg>
      ) : null}
    </div>
  );
}

function BarEditor({ panel, project, onChange }: EditorProps<"bar">) {
  const keys = useQuery(keysQuery(project));
  const choices = useMemo(() => fieldChoices(keys.data, { tags: false }).filter((c) => c.group === "metrics"), [keys.data]);
  const s = panel.settings;
  const set = (patch: Partial<BarSettings>) => onChange({ ...s, ...patch });
  return (
    <div className="panel-editor">
      <FieldSelect label="Metric" value={metricField(s.metric, "last")} choices={choices} onChange={(metric) => metric && set({ metric })} />
      <span className="segmented" role="radiogroup" aria-label="Style">
        {(["bar", "point"] as const).map((style) => (
          <label key={style} className="check">
            <input type="radio" name={`bar-style-${panel.id}`} checked={s.style === style} onChange={() => set({ style })} /> {style === "bar" ? "Bars" : "Points"}
          </label>
        ))}
      </span>
    </div>
  );
}

export const barKind: PanelKindDef<"bar"> = {
  kind: "bar",
  label: "Bar or point",
  Panel: BarPanel,
  Editor: BarEditor,
  defaults: ({ keys }) => {
    const metric = [...keys.metrics].sort()[0];
    return metric ? { metric, style: "bar" } : null;
  },
};
