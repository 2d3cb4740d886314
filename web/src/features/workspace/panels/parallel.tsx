import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { useNavigate } from "react-router-dom";
import { jobValuesQuery, keysQuery } from "../../../lib/api/queries";
import { DARK_SCALE_FLOOR } from "../../../lib/chart-scales";
import { brushed } from "../../../lib/parallel-axes";
import { fieldName } from "../../../lib/query-text";
import { useTheme } from "../../../lib/theme";
import { ParallelChart, type Brushes } from "../../../components/parallel-chart";
import { ErrorPanel, Loading } from "../../../components/states";
import type { PanelProps } from "../panel-types";
import type { ParallelSettings } from "../view";
import { FieldSelect } from "./field-select";
import { fieldChoices, metricField } from "./fields";
import type { EditorProps, PanelKindDef } from "./kind";
import { drawOrder, lineStyles, MAX_AXES, parallelAxes } from "./parallel-model";
import { useLatest } from "./use-latest";
import { useWidth } from "./use-width";
import "./panels.css";

/** The most jobs a parallel panel draws (one SVG line each). */
const PARALLEL_LIMIT = 2_000;

/** The filter's jobs (up to PARALLEL_LIMIT) as lines across an axis per chosen field,
 * coloured by a field or, without one, the visible jobs in their colours over grey. Drag
 * along an axis to brush: only the lines inside every brush stay coloured; a click on an
 * axis clears its brush, a click on a line opens its job. */
function ParallelPanel({ panel, project, jobs, filter, height, highlight, onHighlight, onDrawn }: PanelProps<"parallel">) {
  const s = panel.settings;
  const fields = useMemo(() => [...new Set([...s.fields.slice(0, MAX_AXES), ...(s.color ? [s.color] : [])])], [s.fields, s.color]);
  const values = useQuery(jobValuesQuery(project, fields, filter, PARALLEL_LIMIT));
  const floor = useTheme() === "dark" ? DARK_SCALE_FLOOR : 0;
  const data = values.data;
  const axes = useMemo(() => (data ? parallelAxes(data, s.fields) : []), [data, s.fields]);
  const visible = useMemo(() => new Map(jobs.map((j) => [j.id, j.color])), [jobs]);
  const styles = useMemo(() => (data ? lineStyles(data, s.color, visible, floor) : []), [data, s.color, visible, floor]);
  const [allBrushes, setBrushes] = useState<Brushes>({});
  // a brush on an axis the settings no longer show no longer counts
  const brushes = useMemo(() => Object.fromEntries(Object.entries(allBrushes).filter(([key]) => axes.some((a) => a.key === key))), [allBrushes, axes]);
  const host = useRef<HTMLDivElement>(null);
  const width = useWidth(host);
  const navigate = useNavigate();
  const drawn = useLatest(onDrawn);
  useEffect(() => drawn.current(data !== undefined && width > 0), [data, axes, styles, width, drawn]);

  if (values.isError && !data) return <ErrorPanel error={values.error} title="Could not load the jobs' values" />;
  const count = data?.ids.length ?? 0;
  const inside = brushed(axes, brushes, count);
  const order = drawOrder(styles.map((st, i) => ({ ...st, front: st.front && (inside[i] ?? true) })));
  const lines = data ? data.ids.map((id, i) => ({ id: id as string, name: data.names[i] || (id as string), color: styles[i]?.color ?? "var(--border)", strong: visible.has(id as string) })) : [];
  return (
    <div ref={host} className="parallel-panel">
      {!data ? <Loading what="Loading the jobs' values" /> : null}
      <div className="row soft">
        <span data-testid="parallel-count">
          {Object.keys(brushes).length ? `${inside.filter(Boolean).length} of ${count} jobs in the brushes` : `${count} jobs`}
          {data && data.total > count ? ` (the first ${count} of ${data.total})` : ""}
        </span>
        {Object.keys(brushes).length ? (
          <button type="button" className="link" onClick={() => setBrushes({})}>
            Clear brushes
          </button>
        ) : null}
      </div>
      {data && axes.length < 2 ? <p className="soft">Choose at least two fields in the panel's settings.</p> : null}
      {data && width > 0 && axes.length >= 2 ? (
        <ParallelChart
          axes={axes}
          lines={lines}
          inside={inside}
          order={order}
          brushes={brushes}
          onBrushes={setBrushes}
          width={Math.max(width, 200)}
          height={Math.max(140, height - 24)}
          label={`Parallel coordinates of ${axes.map((a) => a.label).join(", ")}`}
          testId="parallel-svg"
          highlight={highlight}
          onHover={onHighlight}
          onOpen={(id) => navigate(`/jobs/${id}`)}
        />
      ) : null}
    </div>
  );
}

function ParallelEditor({ panel, project, onChange }: EditorProps<"parallel">) {
  const keys = useQuery(keysQuery(project));
  const choices = useMemo(() => fieldChoices(keys.data), [keys.data]);
  const s = panel.settings;
  const set = (patch: Partial<ParallelSettings>) => onChange({ ...s, ...patch });
  const toggle = (field: string, on: boolean) => set({ fields: on ? [...s.fields, field].slice(0, MAX_AXES) : s.fields.filter((f) => f !== field) });
  return (
    <div className="panel-editor">
      <fieldset className="panel-editor-fields">
        <legend>
          Axes ({s.fields.length} of at most {MAX_AXES})
        </legend>
        {choices.map((c) => (
          <label key={c.value} className="check">
            <input type="checkbox" checked={s.fields.includes(c.value)} disabled={!s.fields.includes(c.value) && s.fields.length >= MAX_AXES} onChange={(e) => toggle(c.value, e.target.checked)} /> <span>{c.label}</span>
          </label>
        ))}
      </fieldset>
      <FieldSelect label="Colour by" value={s.color} choices={choices} none="(the visible jobs' colours)" onChange={(color) => set({ color })} />
    </div>
  );
}

export const parallelKind: PanelKindDef<"parallel"> = {
  kind: "parallel",
  label: "Parallel coordinates",
  Panel: ParallelPanel,
  Editor: ParallelEditor,
  defaults: ({ keys }) => {
    const params = [...keys.params].sort().slice(0, MAX_AXES - 1).map((p) => fieldName("params", p));
    const metric = [...keys.metrics].sort()[0];
    const fields = [...params, ...(metric ? [metricField(metric, "min")] : [])];
    return fields.length >= 2 ? { fields, color: null } : null;
  },
};
