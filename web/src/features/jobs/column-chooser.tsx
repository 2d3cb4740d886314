import { useQueries } from "@tanstack/react-query";
import { useId, useMemo, useState } from "react";
import { mediaQuery } from "../../lib/api/queries";
import type { Keys } from "../../lib/api/types";
import { Popover } from "../../components/popover";
import { MEDIA_PREFIX, allColumns, defaultColumnIds, insertColumns, type ColumnGroup, type ColumnSpec } from "./model";

const GROUP_LABELS: Record<ColumnGroup, string> = { job: "Job", params: "Params", metrics: "Metrics", tags: "Tags", media: "Media" };
const SHOWN_PER_GROUP = 200;

/** Picks the visible columns, by group, with a search for projects with many keys, and
 * media thumbnail columns by image key (suggested from the image keys of `sampleJobs`). */
export function ColumnChooser({ keys, visible, onChange, sampleJobs = [] }: { keys: Keys | undefined; visible: string[]; onChange: (ids: string[]) => void; sampleJobs?: string[] }) {
  const [search, setSearch] = useState("");
  const columns = useMemo(() => allColumns(keys), [keys]);
  const chosen = new Set(visible);
  const matches = columns.filter((c) => c.label.toLowerCase().includes(search.toLowerCase()));
  const groups = (["job", "params", "metrics", "tags"] as ColumnGroup[]).map((group) => ({
    group,
    items: matches.filter((c) => c.group === group),
  }));
  const toggle = (column: ColumnSpec) => {
    const next = chosen.has(column.id) ? visible.filter((id) => id !== column.id) : insertColumns(visible, [column.id]);
    onChange(next);
  };
  const setGroup = (items: ColumnSpec[], on: boolean) => {
    const ids = new Set(items.map((c) => c.id));
    onChange(on ? insertColumns(visible, items.map((c) => c.id)) : visible.filter((id) => !ids.has(id)));
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
          <MediaColumns visible={visible} onChange={onChange} sampleJobs={sampleJobs} />
        </div>
      )}
    </Popover>
  );
}

/** Thumbnail columns: one per image key the user names (the table has no list of a
 * project's media keys; the first jobs' keys are suggested). */
function MediaColumns({ visible, onChange, sampleJobs }: { visible: string[]; onChange: (ids: string[]) => void; sampleJobs: string[] }) {
  const [key, setKey] = useState("");
  const listId = useId();
  const lists = useQueries({ queries: sampleJobs.map((id) => ({ ...mediaQuery(id, false), refetchInterval: false as const })) });
  const shown = visible.filter((id) => id.startsWith(MEDIA_PREFIX));
  const suggested = [...new Set(lists.flatMap((r) => (r.data?.items ?? []).filter((m) => m.kind === "image" || m.kind === "gif").map((m) => m.key)))]
    .filter((k) => !shown.includes(MEDIA_PREFIX + k))
    .sort();
  const add = (name: string) => {
    const trimmed = name.trim();
    if (trimmed && !shown.includes(MEDIA_PREFIX + trimmed)) onChange(insertColumns(visible, [MEDIA_PREFIX + trimmed]));
    setKey("");
  };
  return (
    <fieldset>
      <legend>
        {GROUP_LABELS.media} <span className="soft">(thumbnails at each job's last step)</span>
      </legend>
      {shown.map((id) => (
        <label key={id} className="check" title={id}>
          <input type="checkbox" checked onChange={() => onChange(visible.filter((v) => v !== id))} />
          <span>{id.slice(MEDIA_PREFIX.length)}</span>
        </label>
      ))}
      {suggested.map((k) => (
        <label key={k} className="check" title={MEDIA_PREFIX + k}>
          <input type="checkbox" checked={false} onChange={() => add(k)} />
          <span>{k}</span>
        </label>
      ))}
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          add(key);
        }}
      >
        <label htmlFor={`${listId}-key`} className="sr-only">
          Image key for a thumbnail column
        </label>
        <input id={`${listId}-key`} placeholder="image key, e.g. samples" value={key} onChange={(e) => setKey(e.target.value)} />
        <button type="submit" disabled={!key.trim()}>
          Add thumbnails
        </button>
      </form>
    </fieldset>
  );
}
