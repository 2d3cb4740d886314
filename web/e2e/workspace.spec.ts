// The project page as a workspace: the jobs table beside chart panels of its visible jobs,
// panels users arrange, hover values and highlight, and saved views shared in the project.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Locator, Page } from "@playwright/test";
import { expect, test, tick } from "./support/fixtures";
import { runJob, type JobEnv } from "./support/jobs";
import { atlasPython, jobsDir } from "./support/paths";
import { jobRow } from "./support/table";

const NAMES = ["run-a", "run-b", "run-c", "run-d"];

/** Four finished jobs of `project` (loss, acc and val/loss over 40 steps; system/gpu once). */
async function fourJobs(env: JobEnv, project: string): Promise<void> {
  for (const [i, name] of NAMES.entries()) {
    await runJob(env, { project, name, params: { lr: 0.01 * (i + 1) }, steps: 40, extra_metrics: { "system/gpu": 0.5 + i / 10 } });
  }
}

function panels(page: Page): Locator {
  return page.getByTestId("panel");
}

function panel(page: Page, title: string): Locator {
  return page.getByRole("region", { name: `Panel ${title}`, exact: true });
}

function panelIds(list: Locator): Promise<string[]> {
  return list.evaluateAll((elements) => elements.map((element) => (element as HTMLElement).dataset.panelId ?? ""));
}

async function expectAllDrawn(page: Page, count: number): Promise<void> {
  await expect(panels(page)).toHaveCount(count);
  await expect(page.locator('[data-testid="panel"][data-drawn="1"]')).toHaveCount(count);
}

test("the table and the charts of its visible jobs side by side", async ({ page, jobEnv, project }) => {
  await fourJobs(jobEnv, project);
  await page.goto(`/projects/${project}`);
  const workspace = page.getByTestId("workspace");
  await expect(workspace.getByTestId("workspace-table")).toBeVisible();
  await expect(workspace.getByTestId("workspace-charts")).toBeVisible();
  // one panel per metric, in sections by prefix
  await expectAllDrawn(page, 4);
  await expect(page.getByTestId("panel-section")).toHaveText([/^▾ val \(1\)/, /^▾ system \(1\)/, /^▾ Charts \(2\)/]);
  // a metric each job logged once is drawn as bars, not as dots on empty axes
  await expect(panel(page, "system/gpu")).toHaveAttribute("data-kind", "bar");
  await expect(panel(page, "system/gpu").getByTestId("bar")).toHaveCount(4);

  // the legend names three jobs and counts the rest; the hover tooltip has every value
  const loss = panel(page, "loss");
  await expect(loss.getByTestId("chart-legend")).toContainText("+1 more");
  await loss.locator(".u-over").hover();
  const tooltip = loss.getByTestId("chart-tooltip");
  await expect(tooltip).toBeVisible();
  for (const name of NAMES) await expect(tooltip).toContainText(name);

  // hovering a row highlights its job in the charts
  await jobRow(page, "run-b").hover();
  await expect(loss.locator(".compact-legend .on")).toHaveText("run-b");
  await expect(jobRow(page, "run-b")).toHaveClass(/highlighted/);

  // the eye takes a job out of every chart, and puts it back
  const eye = jobRow(page, "run-d").getByTestId("row-eye");
  await expect(eye).toHaveAttribute("aria-pressed", "true");
  await eye.click();
  await expect(eye).toHaveAttribute("aria-pressed", "false");
  await expect(loss.getByTestId("chart-legend")).not.toContainText("more");
  await expect(panel(page, "system/gpu").getByTestId("bar")).toHaveCount(3);
  await expect(page).toHaveURL(/ws=.*hide/);
  await page.goBack();
  await expect(panel(page, "system/gpu").getByTestId("bar")).toHaveCount(4);

  // the split moves with the keyboard, and either side collapses
  const handle = page.getByRole("separator", { name: "Resize the table and the charts" });
  const before = Number(await handle.getAttribute("aria-valuenow"));
  await handle.focus();
  await page.keyboard.press("Shift+ArrowLeft");
  await expect(handle).toHaveAttribute("aria-valuenow", String(before - 10));
  await page.getByRole("button", { name: "Hide the charts" }).click();
  await expect(page.getByTestId("workspace-charts")).toHaveCount(0);
  await expect(page.getByTestId("workspace-table")).toBeVisible();
  await page.getByRole("button", { name: "Show the charts" }).click();
  await page.getByRole("button", { name: "Hide the jobs table" }).click();
  await expect(page.getByTestId("workspace-table")).toHaveCount(0);
  await page.reload(); // the layout is in the URL
  await expect(page.getByTestId("workspace-table")).toHaveCount(0);
  await page.getByRole("button", { name: "Show the jobs table" }).click();
  await expect(page.getByTestId("workspace-table")).toBeVisible();

  // Compare visible: the visible jobs in their order, so the colours match
  await page.getByTestId("compare-visible").click();
  await expect(page.getByRole("heading", { name: "Comparing 4 jobs" })).toBeVisible();
});

test("panels: search, sections, settings, add, remove, resize, reorder", async ({ page, jobEnv, project }) => {
  await fourJobs(jobEnv, project);
  await page.goto(`/projects/${project}`);
  await expectAllDrawn(page, 4);

  const search = page.getByTestId("panel-search");
  await search.fill("^val/|acc");
  await expect(panels(page)).toHaveCount(2);
  await search.fill("loss(");
  await expect(page.getByTestId("panel-search-error")).toContainText("Not a valid regular expression");
  await expect(panels(page)).toHaveCount(4);
  await search.fill("");
  await expect(page.getByTestId("panel-search-error")).toHaveCount(0);

  // a section collapses, and stays so in the URL
  const system = page.getByRole("button", { name: "system (1)" });
  await system.click();
  await expect(system).toHaveAttribute("aria-expanded", "false");
  await expect(panels(page)).toHaveCount(3);
  await system.click();
  await expect(panels(page)).toHaveCount(4);

  // a line panel's own settings: smoothing, log y, clipping, x = another metric
  const loss = panel(page, "loss");
  await loss.scrollIntoViewIfNeeded();
  await loss.getByRole("button", { name: "Settings of loss" }).click();
  const settings = page.getByTestId("line-settings");
  await settings.getByLabel("Y scale").selectOption("log");
  await tick(settings.getByLabel("clip outliers (1–99th pct)"));
  await settings.getByLabel("X axis").selectOption("metric:acc");
  await page.keyboard.press("Escape");
  await expect(loss).toHaveAttribute("data-drawn", "1");
  await expect(loss).toContainText("clipped to the 1st–99th percentile");
  await expect(loss.getByRole("img", { name: "loss by acc" })).toBeVisible();
  // the workspace's smoothing redraws every line panel
  await page.getByTestId("smoothing").fill("0.8");
  await expectAllDrawn(page, 4);
  await expect(page).toHaveURL(/smoothing/);

  // resize, reorder with the buttons, remove, add
  await loss.getByRole("button", { name: "Settings of loss" }).click();
  await page.getByRole("button", { name: "width 2" }).click();
  await expect(loss).toHaveAttribute("data-w", "2");
  await page.getByRole("button", { name: "height 2" }).click();
  await expect(loss).toHaveAttribute("data-h", "2");
  await page.keyboard.press("Escape");
  const charts = page.locator('[data-section="Charts"]').getByTestId("panel");
  await expect.poll(() => panelIds(charts)).toEqual(["gen:acc", "gen:loss"]);
  await loss.getByRole("button", { name: "Move loss earlier" }).click();
  await expect.poll(() => panelIds(charts)).toEqual(["gen:loss", "gen:acc"]);
  // drag and drop: acc's handle onto loss
  await panel(page, "acc").locator(".drag-handle").dragTo(loss.locator("h3"));
  await expect.poll(() => panelIds(charts)).toEqual(["gen:acc", "gen:loss"]);
  await panel(page, "acc").getByRole("button", { name: "Remove acc" }).click();
  await expect(panels(page)).toHaveCount(3);
  await page.getByTestId("add-panel").click();
  const form = page.getByTestId("add-panel-form");
  await form.getByRole("radio", { name: "Line" }).click();
  await form.getByLabel("Metric").selectOption("acc");
  await form.getByRole("button", { name: "Add" }).click();
  await expectAllDrawn(page, 4);
  await page.reload(); // the panel edits are in the URL
  await expectAllDrawn(page, 4);
  await expect(loss).toHaveAttribute("data-w", "2");
  // ...as differences from the generated panels: an untouched one is not in it, and a
  // metric logged after the edits still gets its panel
  expect(new URL(page.url()).searchParams.get("ws")).not.toContain("val/loss");
  await runJob(jobEnv, { project, name: "run-e", params: { lr: 0.05 }, steps: 5, extra_metrics: { "train/late": 1 } });
  await page.reload();
  await expectAllDrawn(page, 5);
  await expect(panel(page, "train/late")).toBeVisible();
  await expect(loss).toHaveAttribute("data-w", "2");
  await page.getByRole("button", { name: "Reset panels" }).click();
  await expect(loss).toHaveAttribute("data-w", "1");
});

test("saved views: save, modify, update, default, reset, rename, delete", async ({ page, jobEnv, project }) => {
  await fourJobs(jobEnv, project);
  await page.goto(`/projects/${project}`);
  await expectAllDrawn(page, 4);
  await page.getByTestId("panel-search").fill("^loss$");
  await expect(panels(page)).toHaveCount(1);

  const menu = page.getByTestId("views-menu");
  await menu.click();
  await page.getByLabel("New view name").fill("losses");
  await page.getByRole("button", { name: "Save as" }).click();
  await expect(menu).toHaveText("View: losses");
  await expect(page).toHaveURL(/view=/);
  await page.keyboard.press("Escape");
  const link = page.url();
  const id = new URL(link).searchParams.get("view") ?? "";

  // a change marks the page modified; "update" saves it into the view
  await page.getByTestId("smoothing").fill("0.5");
  await expect(page.getByTestId("view-modified")).toBeVisible();
  await menu.click();
  await page.getByRole("button", { name: "Update “losses”" }).click();
  await expect(page.getByTestId("view-modified")).toHaveCount(0);
  await page.keyboard.press("Escape");

  // a link naming only the view shows the view as it is now
  await page.goto(`/projects/${project}?view=${id}`);
  await expect(menu).toHaveText("View: losses");
  await expect(panels(page)).toHaveCount(1);
  await expect(page.getByTestId("smoothing")).toHaveValue("0.5");
  await expect(page.getByTestId("view-modified")).toHaveCount(0);

  // the link shows exactly what was saved at the time
  await page.goto(link);
  await expect(panels(page)).toHaveCount(1);
  await expect(page.getByTestId("smoothing")).toHaveValue("0");
  await expect(page.getByTestId("view-modified")).toBeVisible();

  // the default view opens with the project
  await menu.click();
  await page.getByRole("button", { name: "Make losses the default" }).click();
  await expect(page.getByTestId("saved-view").getByText("default")).toBeVisible();
  await page.keyboard.press("Escape");
  await page.goto(`/projects/${project}`);
  await expect(page).toHaveURL(/view=/);
  await expect(panels(page)).toHaveCount(1);
  await expect(page.getByTestId("smoothing")).toHaveValue("0.5");

  // reset to default after wandering off
  await page.getByTestId("panel-search").fill("");
  await expect(panels(page)).toHaveCount(4);
  await menu.click();
  await page.getByRole("button", { name: "Reset to default" }).click();
  await expect(panels(page)).toHaveCount(1);

  await menu.click();
  await page.getByRole("button", { name: "Rename losses" }).click();
  await page.getByLabel("New name of losses").fill("loss only");
  await page.getByRole("button", { name: "Rename", exact: true }).click();
  await expect(page.getByTestId("saved-view")).toContainText("loss only");
  await page.getByRole("button", { name: "Delete loss only" }).click();
  await expect(page.getByTestId("saved-view")).toHaveCount(0);
  await page.keyboard.press("Escape");
  await expect(menu).toHaveText("Views");
});

/** `runs` small jobs of `project` from one SDK process (jobs/many_jobs.py). */
async function manyJobs(env: JobEnv, project: string, runs: number): Promise<void> {
  const cwd = mkdtempSync(join(env.scratch, "many-"));
  const spec = { project, name: "trial", runs };
  const child = spawn(atlasPython(), [resolve(jobsDir, "many_jobs.py"), JSON.stringify(spec)], {
    cwd,
    env: { ...process.env, ATLAS_URL: env.url, ATLAS_HOME: join(env.scratch, "sdk-home"), PYTHONUNBUFFERED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.on("close", done));
  if (code !== 0) throw new Error(`many_jobs.py exited ${code}:\n${output}`);
}

test("compare many visible jobs: charts first, the jobs in a sidebar, no wall of legends", async ({ page, jobEnv, project }) => {
  await manyJobs(jobEnv, project, 16);
  await page.goto(`/projects/${project}?ws=${encodeURIComponent(JSON.stringify({ visibleCount: 16 }))}`);
  await expect(page.getByTestId("row-eye").and(page.locator('[aria-pressed="true"]'))).toHaveCount(16);
  await page.getByTestId("compare-visible").click();
  await expect(page.getByRole("heading", { name: "Comparing 16 jobs" })).toBeVisible();
  const sidebar = page.getByTestId("compare-sidebar");
  await expect(sidebar.getByTestId("compare-job")).toHaveCount(16);
  const loss = page.getByRole("article", { name: "Chart of loss" });
  await expect(loss.locator(".u-legend")).toHaveCount(0);
  await expect(loss.getByTestId("chart-legend")).toContainText("+13 more");
  // the charts sit beside the list, not below it
  const chartBox = await loss.boundingBox();
  const listBox = await sidebar.boundingBox();
  expect(chartBox && listBox && chartBox.x > listBox.x + listBox.width - 1 && chartBox.y < listBox.y + listBox.height).toBe(true);
  // hovering a job in the list highlights its line
  await sidebar.getByTestId("compare-job").nth(2).hover();
  await expect(sidebar.getByTestId("compare-job").nth(2)).toHaveClass(/on/);
  await page.getByRole("button", { name: "Hide the list of jobs" }).click();
  await expect(sidebar).toHaveCount(0);
  await page.getByRole("button", { name: "Show the list of jobs" }).click();
  await expect(page.getByTestId("compare-sidebar")).toBeVisible();
});
