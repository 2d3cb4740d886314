import { useMemo, useState } from "react";
import type { Keys } from "../../lib/api/types";
import { Popover } from "../../components/popover";
import { allColumns, defaultColumnIds, type ColumnGroup, type ColumnSpec } from "./model";

const GROUP_LABELS: Record<ColumnGroup, string> = { job: "Job", params: "Params", metrics: "Metrics", tags: "Tags" };
const SHOWN_PER_GROUP = 200;

/** Picks the visible columns, by group, with a search for projects with many keys. */
export function ColumnChooser({ keys, visible, onChange }: { keys: Keys | undefined; visible: string[]; onChange: (ids: string[]) => void }) {
  const [search, setSearch] = useState("");
  const columns = useMemo(() => allColumns(keys), [keys]);
  const chosen = new Set(visible);
  const matches = columns.filter((c) => c.label.toLowerCase().includes(search.toLowerCase()));
  const groups = (["job", "params", "metrics", "tags"] as ColumnGroup[]).map((group) => ({
    group,
    items: matches.filter((c) => c.group === group),
  }));
  const toggle = (column: ColumnSpec) => {
    const next = chosen.has(column.id) ? visible.filter((id) => id !== column.id) : [...visible, column.id];
    onChange(next);
  };
  const setGroup = (items: ColumnSpec[], on: boolean) => {
    const ids = new Set(items.map((c) => c.id));
    onChange(on ? [...visible.filter((id) => !ids.has(id)), ...items.map((c) => c.id)] : visible.filter((id) => !ids.has(id)));
  };
  return (
    <Popover label={`Columns (${visible.length})`} ariaLabel="Choose columns" align="right" testId="column-chooser">
      {() => (
        <div className="chooser">
          <div className="row">
            <label htmlFor="column-search" className="sr-only">
              Search columns
            </label>
            <input id="column-search" placeholder="Search columns" value={search} onChange={(e) => setSearch(e.target.value)} autoFocus />
            <button type="button" onClick={() => onChange(defaultColumnIds(keys))}>
              Defaults
            </button>
          </div>
          {groups.map(({ group, items }) =>
            items.length ? (
              <fieldset key={group}>
                <legend>
                  {GROUP_LABELS[group]} <span className="soft">({items.length})</span>{" "}
                  <button type="button" className="link" onClick={() => setGroup(items, true)}>
                    all
                  </button>{" "}
                  <button type="button" className="link" onClick={() => setGroup(items, false)}>
                    none
                  </button>
                </legend>
                {items.slice(0, SHOWN_PER_GROUP).map((column) => (
                  <label key={column.id} className="check" title={column.id}>
                    <input type="checkbox" checked={chosen.has(column.id)} onChange={() => toggle(column)} />
                    <span>{column.label}</span>
                  </label>
                ))}
                {items.length > SHOWN_PER_GROUP ? <p className="soft">{items.length - SHOWN_PER_GROUP} more: search to find them</p> : null}
              </fieldset>
            ) : null,
          )}
        </div>
      )}
    </Popover>
  );
}
