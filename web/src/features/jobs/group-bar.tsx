import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { LIMITS } from "../../lib/api/limits.gen";
import { keysQuery } from "../../lib/api/queries";
import { fieldName } from "../../lib/query-text";
import { Popover } from "../../components/popover";

/** The row grouping's picker and what it is set to: group by up to 3 params or tags, with
 * mean/min/max of chosen metrics per group. */
export function GroupBar({ project, group, metrics, onChange }: { project: string; group: string[]; metrics: string[]; onChange: (group: string[], metrics: string[]) => void }) {
  return (
    <div className="row group-bar" data-testid="group-bar">
      <Popover label={group.length ? "Grouping ▾" : "Group rows ▾"} ariaLabel="Group rows" testId="group-picker">
        {() => <GroupForm project={project} group={group} metrics={metrics} onChange={onChange} />}
      </Popover>
      {group.map((field) => (
        <span key={field} className="chip" data-testid="group-chip">
          <span>
            grouped by <code>{field}</code>
          </span>
          <button type="button" aria-label={`Stop grouping by ${field}`} onClick={() => onChange(group.filter((g) => g !== field), group.length > 1 ? metrics : [])}>
            ✕
          </button>
        </span>
      ))}
      {group.length && metrics.length ? (
        <span className="soft">
          summaries of <code>{metrics.join(", ")}</code>
        </span>
      ) : null}
    </div>
  );
}

function GroupForm({ project, group, metrics, onChange }: { project: string; group: string[]; metrics: string[]; onChange: (group: string[], metrics: string[]) => void }) {
  const keys = useQuery(keysQuery(project));
  const [search, setSearch] = useState("");
  const match = (field: string) => field.toLowerCase().includes(search.toLowerCase());
  const fields = [...(keys.data?.params ?? []).map((k) => fieldName("params", k)), ...(keys.data?.tags ?? []).map((k) => fieldName("tags", k))].filter(match);
  const metricFields = (keys.data?.metrics ?? []).flatMap((k) => [fieldName("metrics", k), fieldName("metrics", k, "min"), fieldName("metrics", k, "max")]).filter(match);
  const toggle = (list: string[], field: string, on: boolean) => (on ? [...list, field] : list.filter((f) => f !== field));
  return (
    <div className="group-form">
      <input placeholder="Search params, tags, metrics" aria-label="Search fields" value={search} onChange={(e) => setSearch(e.target.value)} autoFocus />
      <fieldset>
        <legend>
          Group by <span className="soft">(up to {LIMITS.groupFields})</span>
        </legend>
        {fields.length === 0 ? <p className="soft">No params or tags match.</p> : null}
        {fields.slice(0, 200).map((field) => (
          <label key={field} className="check">
            <input
              type="checkbox"
              checked={group.includes(field)}
              disabled={!group.includes(field) && group.length >= LIMITS.groupFields}
              onChange={(e) => onChange(toggle(group, field, e.target.checked), metrics)}
            />
            <span className="mono">{field}</span>
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Summarise per group (mean, min, max)</legend>
        {metricFields.slice(0, 200).map((field) => (
          <label key={field} className="check">
            <input type="checkbox" checked={metrics.includes(field)} onChange={(e) => onChange(group, toggle(metrics, field, e.target.checked))} />
            <span className="mono">{field}</span>
          </label>
        ))}
      </fieldset>
    </div>
  );
}
