import { useId } from "react";
import { fieldLabel, type FieldChoice } from "./fields";

const GROUPS: Record<FieldChoice["group"], string> = { metrics: "Metrics", params: "Params", tags: "Tags" };

/** A labelled choice of an API field, grouped by metrics, params and tags; `none` adds an
 * empty choice with that text. A value the choices lack (a key no job has any more) stays
 * listed, so the setting is not lost silently. */
export function FieldSelect({ label, value, choices, onChange, none }: { label: string; value: string | null; choices: readonly FieldChoice[]; onChange: (field: string | null) => void; none?: string }) {
  const id = useId();
  const known = value === null || choices.some((c) => c.value === value);
  const groups = (Object.keys(GROUPS) as FieldChoice["group"][]).map((group) => ({ group, items: choices.filter((c) => c.group === group) })).filter((g) => g.items.length);
  return (
    <label htmlFor={id} className="field-select">
      <span>{label}</span>
      <select id={id} value={value ?? ""} onChange={(e) => onChange(e.target.value === "" ? null : e.target.value)}>
        {none !== undefined ? <option value="">{none}</option> : null}
        {!known && value !== null ? <option value={value}>{fieldLabel(value)} (no job has it)</option> : null}
        {groups.map(({ group, items }) => (
          <optgroup key={group} label={GROUPS[group]}>
            {items.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
    </label>
  );
}
