import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import { keysQuery, projectImportancesQuery } from "../../../lib/api/queries";
import { formatNumber } from "../../../lib/format";
import { ErrorPanel, Loading } from "../../../components/states";
import type { PanelProps } from "../panel-types";
import { FieldSelect } from "./field-select";
import { fieldChoices, fieldLabel, metricField } from "./fields";
import { importanceNote, importanceRows } from "./importance-model";
import type { EditorProps, PanelKindDef } from "./kind";
import { useLatest } from "./use-latest";
import "./panels.css";

/** How much each param explains the chosen metric over the filter's jobs: a model-based
 * importance (as bars, largest first) and the rank correlation (its sign says which way). */
function ImportancePanel({ panel, project, filter, height, onDrawn }: PanelProps<"importance">) {
  const metric = metricField(panel.settings.metric, "last");
  const answer = useQuery(projectImportancesQuery(project, metric, filter));
  const rows = useMemo(() => importanceRows(answer.data?.items ?? []), [answer.data]);
  const drawn = useLatest(onDrawn);
  useEffect(() => drawn.current(answer.data !== undefined), [answer.data, drawn]);

  if (answer.isError && !answer.data) return <ErrorPanel error={answer.error} title={`Could not compute importances for ${fieldLabel(metric)}`} />;
  if (!answer.data) return <Loading what={`Computing importances for ${fieldLabel(metric)}`} />;
  const note = importanceNote(answer.data, fieldLabel(metric));
  return (
    <div className="importance-panel" style={{ maxHeight: height, overflow: "auto" }}>
      <p className="soft" data-testid="importance-jobs">
        {fieldLabel(metric)} over {formatNumber(answer.data.jobs)} {answer.data.jobs === 1 ? "job" : "jobs"}
        {answer.data.jobs > 0 && rows.length ? " (importance by a model of the metric from the params; correlation by rank)" : ""}
      </p>
      {note ? <p className="soft" data-testid="importance-note">{note}</p> : null}
      {rows.length ? (
        <table className="importance-table" data-testid="importance-table">
          <thead>
            <tr>
              <th scope="col">Param</th>
              <th scope="col">Importance</th>
              <th scope="col">Correlation</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.param} data-testid="importance-row">
                <th scope="row" className="mono">
                  {row.param}
                </th>
                <td>
                  <span className="importance-bar" style={{ width: `${Math.max(1, row.fraction * 100)}%` }} />
                  <span className="mono">{formatNumber(row.importance)}</span>
                </td>
                <td className="mono" title={row.correlation === null ? "a categorical param has no rank correlation" : undefined}>
                  {row.correlation === null ? "—" : formatNumber(row.correlation)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

function ImportanceEditor({ panel, project, onChange }: EditorProps<"importance">) {
  const keys = useQuery(keysQuery(project));
  const choices = useMemo(() => fieldChoices(keys.data, { tags: false }).filter((c) => c.group === "metrics"), [keys.data]);
  return (
    <div className="panel-editor">
      <FieldSelect label="Metric" value={metricField(panel.settings.metric, "last")} choices={choices} onChange={(metric) => metric && onChange({ metric })} />
    </div>
  );
}

export const importanceKind: PanelKindDef<"importance"> = {
  kind: "importance",
  label: "Param importance",
  Panel: ImportancePanel,
  Editor: ImportanceEditor,
  defaults: ({ keys }) => {
    const metric = [...keys.metrics].sort()[0];
    return metric && keys.params.length ? { metric: metricField(metric, "min") } : null;
  },
};
