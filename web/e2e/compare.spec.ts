// Comparing jobs: chosen in the table, overlaid charts with one colour per job, grouping, the
// params table with only the differences, and the parallel coordinates.
import { seriesPixels } from "./support/chart";
import { expect, screenshot, test, tick } from "./support/fixtures";
import { runJob } from "./support/jobs";
import { VISION } from "./support/seed";
import { jobRows } from "./support/table";

test("compare two jobs chosen in the table", async ({ page, suite }) => {
  await page.goto(`/projects/${VISION}`);
  await expect(jobRows(page)).toHaveCount(5);
  await tick(page.getByRole("checkbox", { name: "Select job resnet-lr0.01" }));
  await tick(page.getByRole("checkbox", { name: "Select job resnet-lr0.001" }));
  const bar = page.getByRole("toolbar", { name: "Selected jobs" });
  await expect(bar).toContainText("2 selected");
  // compared in the table's order (the order the charts colour them), not the ticking order
  const chosen = ["resnet-lr0.01", "resnet-lr0.001"];
  const tableOrder = (await jobRows(page).locator("a.job-link").allInnerTexts()).map((text) => text.trim()).filter((name) => chosen.includes(name));
  expect(tableOrder).toHaveLength(2);
  await bar.getByRole("link", { name: "Compare" }).click();

  await expect(page).toHaveURL(/\/compare\?jobs=/);
  await expect(page.getByRole("heading", { name: "Comparing 2 jobs" })).toBeVisible();
  const legend = page.getByRole("region", { name: "Jobs compared" }).getByTestId("compare-job");
  await expect(legend).toHaveCount(2);
  await expect(legend.getByRole("link")).toHaveText(tableOrder);
  for (const id of [suite.ids["resnet-lr0.01"], suite.ids["resnet-lr0.001"]]) {
    expect(page.url()).toContain(id);
  }

  const loss = page.getByRole("article", { name: "Chart of loss" });
  await expect(loss).toContainText("400 points"); // 200 from each job
  await expect(loss).toContainText("2 NaN/∞ marked");
  await expect(loss.locator(".u-legend .u-series")).toHaveCount(3); // x, then one per job
  await expect(page.getByTestId("metric-chart")).toHaveCount(3);

  const params = page.getByTestId("params-table");
  await expect(params.getByRole("columnheader")).toHaveText(["param", ...tableOrder]);
  await expect(params.getByRole("rowheader")).toHaveText(["batch_size", "lr", "model.layers", "optimizer"]);
  await tick(page.getByLabel("Only differences"));
  await expect(params.getByRole("rowheader")).toHaveText(["batch_size", "lr", "model.layers"]);
  await expect(page).toHaveURL(/diff=1/);
  await expect(page.getByText("3 of 4 differ")).toBeVisible();

  // one colour per job: the legend's line and the params table's swatch agree
  const legendColors = await legend.locator("svg line").evaluateAll((lines) => lines.map((l) => l.getAttribute("stroke")));
  const tableColors = await params
    .locator("thead .swatch")
    .evaluateAll((swatches) => swatches.map((s) => getComputedStyle(s).backgroundColor));
  expect(new Set(legendColors).size).toBe(2);
  expect(tableColors.map(rgbToHex)).toEqual(legendColors.map((c) => c?.toLowerCase()));

  await expect(page.getByRole("img", { name: "Parallel coordinates of params against the metric" })).toBeVisible();
  await screenshot(page, "compare");

  await page.getByLabel("Group by").selectOption("params.optimizer");
  await expect(page.getByRole("list", { name: "Groups" })).toContainText("optimizer=adam");
  await expect(page.getByRole("list", { name: "Groups" })).toContainText("2 jobs");
  await page.reload(); // grouping, differences and jobs are in the URL
  await expect(page.getByRole("list", { name: "Groups" })).toContainText("optimizer=adam");
  await expect(page.getByLabel("Only differences")).toBeChecked();
});

test("metrics logged once show each job's value", async ({ page, jobEnv, project }) => {
  const first = await runJob(jobEnv, { project, name: "scored-a", steps: 0, extra_metrics: { "test/accuracy": 0.93 } });
  const second = await runJob(jobEnv, { project, name: "scored-b", steps: 0, extra_metrics: { "test/accuracy": 0.91 } });
  await page.goto(`/compare?jobs=${first},${second}`);
  const chart = page.getByRole("article", { name: "Chart of test/accuracy" });
  await expect(chart).toContainText("2 points");
  await expect(chart.getByTestId("single-value")).toHaveText(["scored-a: 0.93 at step 0", "scored-b: 0.91 at step 0"]);
  await expect.poll(() => seriesPixels(chart, 1)).toBeGreaterThan(12);
  await expect.poll(() => seriesPixels(chart, 2)).toBeGreaterThan(12);
});

function rgbToHex(rgb: string): string {
  const parts = rgb.match(/\d+/g)?.slice(0, 3).map(Number) ?? [];
  return `#${parts.map((p) => p.toString(16).padStart(2, "0")).join("")}`;
}
