import { useMemo, useState } from "react";
import { pageOf, sortedOrder, type TableCell, type TableData } from "../lib/data-table";
import { formatNumber } from "../lib/format";

/** A logged table: click a column's name to sort by it (descending, then ascending, then as
 * logged); `pageSize` rows at a time, so a table of 100,000 rows renders one page. */
export function DataTableView({ data, label, pageSize = 50 }: { data: TableData; label: string; pageSize?: number }) {
  const [sort, setSort] = useState<{ column: number; descending: boolean } | null>(null);
  const [page, setPage] = useState(0);
  const order = useMemo(() => (sort ? sortedOrder(data.rows, sort.column, sort.descending) : null), [data, sort]);
  const indexes = useMemo(() => order ?? data.rows.map((_, i) => i), [order, data]);
  const shown = pageOf(indexes, page, pageSize);
  const onSort = (column: number) => {
    setPage(0);
    if (sort?.column !== column) setSort({ column, descending: true });
    else if (sort.descending) setSort({ column, descending: false });
    else setSort(null);
  };
  return (
    <div className="data-table">
      <div className="table-preview">
        <table className="simple" aria-label={label}>
          <thead>
            <tr>
              {data.columns.map((name, c) => (
                <th key={c} aria-sort={sort?.column === c ? (sort.descending ? "descending" : "ascending") : "none"}>
                  <button type="button" className="link sort-button" onClick={() => onSort(c)} title={`Sort by ${name}`}>
                    {name}
                    {sort?.column === c ? (sort.descending ? " ▼" : " ▲") : ""}
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.items.map((index) => (
              <tr key={index}>
                {data.columns.map((_, c) => (
                  <Cell key={c} value={data.rows[index]?.[c] ?? null} />
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="row pager">
        <span className="soft">
          {data.rows.length === 0 ? "no rows" : `rows ${(shown.first + 1).toLocaleString()}–${(shown.first + shown.items.length).toLocaleString()} of ${data.rows.length.toLocaleString()}`}
        </span>
        {shown.pages > 1 ? (
          <>
            <button type="button" onClick={() => setPage(0)} disabled={shown.page === 0} aria-label="First page">
              «
            </button>
            <button type="button" onClick={() => setPage(shown.page - 1)} disabled={shown.page === 0}>
              Previous
            </button>
            <span>
              page {shown.page + 1} of {shown.pages.toLocaleString()}
            </span>
            <button type="button" onClick={() => setPage(shown.page + 1)} disabled={shown.page >= shown.pages - 1}>
              Next
            </button>
            <button type="button" onClick={() => setPage(shown.pages - 1)} disabled={shown.page >= shown.pages - 1} aria-label="Last page">
              »
            </button>
          </>
        ) : null}
      </div>
    </div>
  );
}

function Cell({ value }: { value: TableCell }) {
  if (value === null) return <td className="soft">–</td>;
  if (typeof value === "number") return <td className="num">{formatNumber(value)}</td>;
  return <td>{String(value)}</td>;
}
