import { useState } from "react";
import { JOB_STATUSES } from "../../lib/api/types";
import { filterClauses, readFieldFilter, type ColumnFilter as Filter } from "../../lib/query-text";
import { Popover } from "../../components/popover";
import type { ColumnSpec } from "./model";

/** The filter button of a column header: a set of statuses, a text, a number range, a
 * time range or a tag value, turned into clauses of the query. */
export function ColumnFilter({ column, onApply, active, query }: { column: ColumnSpec; onApply: (clauses: string[]) => void; active: boolean; query: string }) {
  return (
    <Popover label="▾" ariaLabel={`Filter ${column.label}`} className={active ? "filter-button active" : "filter-button"} tabIndex={-1}>
      {(close) => (
        <FilterForm
          column={column}
          query={query}
          onApply={(clauses) => {
            onApply(clauses);
            close();
          }}
        />
      )}
    </Popover>
  );
}

function FilterForm({ column, onApply, query }: { column: ColumnSpec; onApply: (clauses: string[]) => void; query: string }) {
  // The form opens with what the query already says about this column.
  const [current] = useState(() => readFieldFilter(query, column.id));
  const [statuses, setStatuses] = useState<string[]>(current.values);
  const [text, setText] = useState(current.text);
  const [min, setMin] = useState(column.kind === "time" ? isoToLocal(current.min) : current.min);
  const [max, setMax] = useState(column.kind === "time" ? isoToLocal(current.max) : current.max);
  const field = column.id;
  const number = (s: string) => (s.trim() === "" ? null : Number(s));
  const build = (): string[] => {
    let filter: Filter;
    if (column.kind === "status") filter = { type: "in", values: statuses };
    else if (column.kind === "time") filter = { type: "time", after: localToIso(min), before: localToIso(max) };
    else if (column.kind === "number") filter = { type: "range", min: number(min), max: number(max) };
    else if (column.group === "tags") filter = { type: "equals", value: text };
    else if (column.group === "params") {
      if (min.trim() || max.trim()) return filterClauses(field, { type: "range", min: number(min), max: number(max) });
      filter = { type: "equals", value: text };
    } else filter = { type: "contains", text };
    return filterClauses(field, filter);
  };
  const showRange = column.kind === "number" || column.group === "params";
  const showText = column.kind === "text" || column.kind === "any";
  return (
    <form
      className="filter-form"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(build());
      }}
    >
      <strong className="mono">{column.label}</strong>
      {column.kind === "status" ? (
        <fieldset>
          <legend className="sr-only">Statuses</legend>
          {JOB_STATUSES.map((status) => (
            <label key={status} className="check">
              <input type="checkbox" checked={statuses.includes(status)} onChange={(e) => setStatuses(e.target.checked ? [...statuses, status] : statuses.filter((s) => s !== status))} />
              {status}
            </label>
          ))}
        </fieldset>
      ) : null}
      {column.kind === "time" ? (
        <>
          <label>
            from <input type="datetime-local" value={min} onChange={(e) => setMin(e.target.value)} aria-label="From" />
          </label>
          <label>
            to <input type="datetime-local" value={max} onChange={(e) => setMax(e.target.value)} aria-label="To" />
          </label>
        </>
      ) : null}
      {showRange ? (
        <div className="row">
          <input type="number" step="any" value={min} onChange={(e) => setMin(e.target.value)} placeholder="min" aria-label="Minimum" style={{ width: 90 }} />
          –
          <input type="number" step="any" value={max} onChange={(e) => setMax(e.target.value)} placeholder="max" aria-label="Maximum" style={{ width: 90 }} />
        </div>
      ) : null}
      {showText ? (
        <input
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={column.group === "tags" || column.group === "params" ? "equals text" : "contains"}
          aria-label={column.group === "tags" || column.group === "params" ? "Equals" : "Contains"}
        />
      ) : null}
      <div className="row">
        <button type="submit" className="primary">
          Apply filter
        </button>
        <button type="button" onClick={() => onApply([])}>
          Clear
        </button>
      </div>
    </form>
  );
}

/** A `datetime-local` value (the viewer's zone) as an ISO time in UTC for the API. */
function localToIso(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** An ISO time as a `datetime-local` value in the viewer's zone (empty when unreadable). */
function isoToLocal(value: string): string {
  if (!value) return "";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return "";
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}
