import { renderToStaticMarkup } from "react-dom/server";
import { expect, it } from "vitest";
import type { TableData } from "../lib/data-table";
import { DataTableView } from "./data-table-view";

it("draws one page of a table of 10,000 rows, with where it is in them", () => {
  const data: TableData = { columns: ["id", "label", "p"], rows: Array.from({ length: 10_000 }, (_, i) => [i, `row ${i}`, i % 2 ? null : i / 10_000]) };
  const html = renderToStaticMarkup(<DataTableView data={data} label="predictions" />);
  expect(html.match(/<tr>/g)).toHaveLength(51); // the header and 50 rows
  expect(html).toContain("rows 1–50 of 10,000");
  expect(html).toContain("page 1 of 200");
  expect(html).toContain('aria-sort="none"');
  expect(html).toContain('<td class="soft">–</td>'); // an empty cell is shown as such
});

it("says when a table has no rows", () => {
  const html = renderToStaticMarkup(<DataTableView data={{ columns: ["a"], rows: [] }} label="empty" />);
  expect(html).toContain("no rows");
  expect(html).not.toContain("Next");
});
