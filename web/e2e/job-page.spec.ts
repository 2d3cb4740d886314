// The job page: header and overview (params, tags, metric summaries, error and traceback),
// the metric charts, the log, and the viewer's time zone.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runJob, startJob } from "./support/jobs";
import type { Locator, Page } from "@playwright/test";
import { seriesPixels } from "./support/chart";
import { apiGet, expect, screenshot, test, tick } from "./support/fixtures";
import { LONG_NAME, VISION } from "./support/seed";

interface Job {
  started_at: string;
}

/** The job page's header (status, name, facts and actions). */
function jobHeader(page: Page): Locator {
  return page.locator("header", { has: page.getByTestId("job-name") });
}

test("the overview shows status, params, metric summaries and the command", async ({ page, suite }) => {
  await page.goto(`/jobs/${suite.ids["resnet-lr0.01"]}`);
  await expect(page.getByTestId("job-name")).toHaveText("resnet-lr0.01");
  const header = jobHeader(page);
  await expect(header.getByTestId("status-badge")).toHaveText("Completed");
  await expect(header.getByRole("link", { name: VISION })).toBeVisible();
  await expect(header).toContainText("user ben");
  await expect(header).toContainText("exit code 0");
  const params = page.locator("section", { has: page.getByRole("heading", { name: "Params" }) });
  for (const text of ["lr", "0.01", "optimizer", "adam", "model.layers", "34", "batch_size", "128"]) {
    await expect(params.getByText(text, { exact: true })).toBeVisible();
  }
  const metrics = page.getByRole("table", { name: "Metrics" });
  const loss = metrics.getByRole("row").filter({ has: page.getByRole("link", { name: "loss", exact: true }) });
  await expect(loss.getByRole("cell").nth(3)).toHaveText("25"); // the spike is the max
  await expect(loss.getByRole("cell").nth(4)).toHaveText("200");
  await expect(metrics.getByRole("link", { name: "val/loss" })).toBeVisible();
  await expect(page.getByText("train.py", { exact: false }).first()).toBeVisible();
  await screenshot(page, "job-overview");
});

test("tags can be added, edited and removed", async ({ page, jobEnv, project }) => {
  const id = await runJob(jobEnv, { project, name: "tagged", tags: { stage: "dev" }, steps: 3 });
  await page.goto(`/jobs/${id}`);
  const tags = page.getByRole("list", { name: "Tags" });
  await expect(tags.getByTestId("job-tag")).toHaveCount(1);
  await expect(tags.getByTestId("job-tag")).toContainText(["stage=dev"]);
  await page.getByLabel("Tag", { exact: true }).fill("reviewed");
  await page.getByLabel("Value", { exact: true }).fill("yes");
  await page.getByRole("button", { name: "Add tag" }).click();
  await expect(tags.getByTestId("job-tag")).toHaveCount(2);
  await expect(tags.getByTestId("job-tag")).toContainText(["reviewed=yes", "stage=dev"]);
  await page.getByRole("button", { name: "Edit tag stage" }).click();
  await page.getByLabel("Value", { exact: true }).fill("prod");
  await page.getByRole("button", { name: "Save tag" }).click();
  await expect(tags.getByText("stage=prod")).toBeVisible();
  await page.getByRole("button", { name: "Remove tag reviewed" }).click();
  await expect(tags.getByTestId("job-tag")).toHaveCount(1);
  await page.reload();
  await expect(tags.getByTestId("job-tag")).toHaveCount(1);
  await expect(tags.getByTestId("job-tag")).toContainText(["stage=prod"]);
});

test("a failed job shows its error and traceback", async ({ page, suite }) => {
  await page.goto(`/jobs/${suite.ids["diverged"]}`);
  await expect(jobHeader(page).getByTestId("status-badge")).toHaveText("Failed");
  const error = page.locator("section", { has: page.getByRole("heading", { name: /^Error/ }) });
  await expect(error.getByRole("heading")).toHaveText("Error: ValueError");
  await expect(error).toContainText("loss diverged at lr=0.9");
  await expect(error.locator("pre")).toContainText("Traceback (most recent call last)");
  await expect(error.locator("pre")).toContainText('raise ValueError(f"loss diverged at lr={lr}")');
  await expect(jobHeader(page)).toContainText("exit code 1");
});

test("one chart per metric, with the spike kept, NaN marked and values on hover", async ({ page, suite }) => {
  const id = suite.ids["resnet-lr0.01"];
  // the charts read their series in batches (POST /series); the loss chart's has one item
  const series = page.waitForResponse((r) => r.url().endsWith("/api/v1/series") && r.ok() && (r.request().postDataJSON() as { keys: string[] }).keys.includes("loss"));
  await page.goto(`/jobs/${id}/metrics`);
  const answer = (await (await series).json()) as { items: { job_id: string; values: (number | string)[]; total: number }[] };
  expect(answer.items.map((item) => item.job_id)).toEqual([id]);
  const body = answer.items[0]!;
  expect(body.total).toBe(200);
  expect(body.values).toContain(25);
  expect(body.values).toContain("NaN");
  const charts = page.getByTestId("metric-chart");
  await expect(charts).toHaveCount(3);
  const loss = page.getByRole("article", { name: "Chart of loss" });
  await expect(loss).toContainText("200 points");
  await expect(loss).toContainText("1 NaN/∞ marked");
  const plot = loss.locator(".u-over");
  await expect(plot).toBeVisible();
  const box = await plot.boundingBox();
  if (!box) throw new Error("the loss chart has no plot area");
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  const value = loss.locator(".u-legend .u-series").nth(1).locator(".u-value");
  await expect(value).toHaveText(/^[0-9.e−-]+$/);
  await screenshot(page, "job-metrics");

  await tick(page.getByLabel("log y"));
  await expect(page).toHaveURL(/logy=1/);
  await page.getByRole("button", { name: "Expand loss" }).click();
  await expect(charts).toHaveCount(1);
  await expect(page).toHaveURL(/chart=loss/);
});

test("a metric logged once shows its value: a dot on the chart and the number with its step", async ({ page, jobEnv, project }) => {
  const id = await runJob(jobEnv, { project, name: "scored", steps: 0, extra_metrics: { "test/accuracy": 0.93 } });
  await page.goto(`/jobs/${id}/metrics`);
  const chart = page.getByRole("article", { name: "Chart of test/accuracy" });
  await expect(chart).toContainText("1 point");
  await expect(chart.getByTestId("single-value")).toHaveText("0.93 at step 0");
  await expect.poll(() => seriesPixels(chart)).toBeGreaterThan(12); // the dot, not empty axes
  await page.getByLabel("X axis").selectOption("time"); // alone on a time axis too
  await expect.poll(() => seriesPixels(chart)).toBeGreaterThan(12);
});

test("the log shows the job's console output in colour, searchable", async ({ page, suite }) => {
  await page.goto(`/jobs/${suite.ids["resnet-lr0.01"]}/logs`);
  const log = page.getByRole("log", { name: "Job log" });
  await expect(log).toContainText("starting training of resnet-lr0.01");
  await expect(log).toContainText("training finished");
  const info = log.getByText("INFO", { exact: true });
  await expect(info).toHaveCSS("color", /rgb\(/);
  expect(await info.evaluate((e) => e.getAttribute("style") ?? "")).toContain("color");
  await page.getByLabel("Search the log").fill("epoch");
  await expect(page.getByTestId("log-matches")).toHaveText("1 of 4");
  await expect(log.locator("mark").first()).toHaveText("epoch");
  await expect(page.getByRole("link", { name: "Download", exact: true })).toHaveAttribute("href", /\/log$/);
  await screenshot(page, "job-logs");
});

test("the log of a running job grows on the page as the job prints", async ({ page, jobEnv, project }) => {
  const signal = join(jobEnv.scratch, `${project}.go`);
  const job = startJob(jobEnv, { project, name: "talky", steps: 10, wait_for: signal });
  await page.goto(`/jobs/${await job.id}/logs`);
  const log = page.getByRole("log", { name: "Job log" });
  await expect(log).toContainText("waiting for", { timeout: 15_000 });
  await expect(log).not.toContainText("training finished");
  await expect(page.getByText(/lines · live/)).toBeVisible();
  writeFileSync(signal, "go");
  expect((await job.done).code).toBe(0);
  await expect(log).toContainText("training finished", { timeout: 15_000 });
});

test.describe("in another time zone", () => {
  test.use({ timezoneId: "Asia/Kolkata" });

  test("times are shown in the viewer's zone", async ({ page, suite }) => {
    const id = suite.ids["resnet-lr0.1"];
    const job = await apiGet<Job>(suite, `/jobs/${id}`);
    const started = new Date(new Date(job.started_at).getTime() + 5.5 * 3600_000);
    const local = started.toISOString().slice(0, 19).replace("T", " ");
    await page.goto(`/jobs/${id}`);
    await expect(jobHeader(page)).toContainText(`launched ${local} UTC+5:30`);
  });
});

test("a job with extreme values and a very long name still renders", async ({ page, suite }) => {
  await page.goto(`/jobs/${suite.ids[LONG_NAME]}`);
  await expect(page.getByTestId("job-name")).toHaveText(LONG_NAME);
  const metrics = page.getByRole("table", { name: "Metrics" });
  const last = (key: string) =>
    metrics.getByRole("row").filter({ has: page.getByRole("link", { name: key, exact: true }) }).getByRole("cell").nth(1);
  await expect(last("huge")).toHaveText("1e300");
  await expect(last("tiny")).toHaveText("1e-300");
  await expect(last("neg_inf")).toHaveText("−∞");
  await expect(last("not_a_number")).toHaveText("NaN");
  const params = page.locator("section", { has: page.getByRole("heading", { name: "Params" }) });
  await expect(params.getByText("1e9", { exact: true })).toBeVisible(); // model.layers = 10^9
  await expect(params).toContainText("x".repeat(500));
});
