// The workspace's panel kinds beyond lines, each drawing real data of a real server: a
// scatter over a few hundred jobs, bars of a metric logged once, parallel coordinates with
// a brush, param importance, images of a key at a step, and histograms over steps.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Locator, Page } from "@playwright/test";
import { expect, screenshot, test } from "./support/fixtures";
import { atlasPython, jobsDir } from "./support/paths";
import type { SuiteState } from "./support/state";

const PROJECT = "workspace-panels";
const RUNS = 200;
const MEDIA_RUNS = 3;

/** many_jobs.py: RUNS jobs in one SDK process, the newest MEDIA_RUNS with images and histograms. */
async function seedMany(suite: SuiteState): Promise<void> {
  const cwd = mkdtempSync(join(suite.scratch, "many-"));
  const spec = { project: PROJECT, name: "sweep", runs: RUNS, media_runs: MEDIA_RUNS };
  const child = spawn(atlasPython(), [resolve(jobsDir, "many_jobs.py"), JSON.stringify(spec)], {
    cwd,
    env: { ...process.env, ATLAS_URL: suite.url, ATLAS_HOME: join(suite.scratch, "sdk-home"), PYTHONUNBUFFERED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.on("close", done));
  if (code !== 0) throw new Error(`many_jobs.py exited ${code}:\n${output}`);
}

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ suite }) => {
  test.setTimeout(240_000);
  await seedMany(suite);
});

test.afterAll(async ({ suite }) => {
  await fetch(`${suite.url}/api/v1/projects/${PROJECT}`, { method: "DELETE" });
});

type Panel = { kind: string; settings: Record<string, unknown>; w?: number; h?: number };

/** The project's workspace with exactly `panels`, as a link to it would open it. */
async function openWith(page: Page, ...panels: Panel[]): Promise<void> {
  const specs = panels.map((p, i) => ({ id: `p${i}`, kind: p.kind, section: "Panels", w: p.w ?? 3, h: p.h ?? 2, title: `${p.kind} panel`, settings: p.settings }));
  await page.goto(`/projects/${PROJECT}?ws=${encodeURIComponent(JSON.stringify({ panels: specs }))}`);
}

/** The panel the test added (its title names its kind), drawn: the workspace may also have
 * generated a panel of the same kind (a metric logged once gets a bar panel). */
function drawn(page: Page, kind: string): Locator {
  return page.locator(`[data-testid="panel"][data-kind="${kind}"][data-drawn="1"]`).filter({ hasText: `${kind} panel` });
}

test("a scatter of a metric against a param over every job of the filter", async ({ page }) => {
  await openWith(page, { kind: "scatter", settings: { x: "params.lr", y: "metrics.loss.min", color: "params.optimizer", logX: true, logY: false } });
  const panel = drawn(page, "scatter");
  await expect(panel).toHaveAttribute("data-points", String(RUNS));
  await expect(panel.getByTestId("scatter-count")).toHaveText(`${RUNS} jobs`);
  await expect(panel.getByTestId("scatter-legend")).toContainText("optimizer:");
  await expect(panel.getByTestId("scatter-legend")).toContainText("adam");

  // hovering finds a job's point and names it with its values
  const canvas = panel.getByTestId("scatter-canvas");
  const box = await canvas.boundingBox();
  if (!box) throw new Error("the scatter has no box");
  const tooltip = panel.getByTestId("scatter-tooltip");
  for (let k = 0; k < 400 && !(await tooltip.isVisible()); k += 1) {
    await page.mouse.move(box.x + 60 + ((k * 37) % (box.width - 80)), box.y + 10 + ((k * 13) % (box.height - 40)));
  }
  await expect(tooltip).toContainText(/sweep-\d+/);
  await expect(tooltip).toContainText("lr");
  await expect(tooltip).toContainText("loss (min)");
  await screenshot(page, "workspace-scatter");

  // a filter narrows the points to its jobs
  await page.goto(page.url().replace(`?ws=`, `?q=${encodeURIComponent('params.optimizer = "sgd"')}&ws=`));
  const points = Number(await drawn(page, "scatter").getAttribute("data-points"));
  expect(points).toBeGreaterThan(0);
  expect(points).toBeLessThan(RUNS);
});

test("bars of a metric each job logged once, one per visible job in its colour", async ({ page }) => {
  await openWith(page, { kind: "bar", settings: { metric: "test_acc", style: "bar" } });
  const panel = drawn(page, "bar");
  await expect(panel.getByTestId("bar")).toHaveCount(10);
  await expect(panel.getByTestId("bar-value").first()).toHaveText(/^0\.\d+$/);
  await expect(panel.locator("rect")).toHaveCount(10);
  await expect(panel.getByText(`sweep-${RUNS - 1}`, { exact: true })).toBeVisible();
});

test("parallel coordinates over the filter's jobs, narrowed by a brush", async ({ page }) => {
  await openWith(page, { kind: "parallel", settings: { fields: ["params.lr", "params.batch_size", "metrics.loss.min"], color: "metrics.loss.min" } });
  const panel = drawn(page, "parallel");
  await expect(panel.getByTestId("parallel-axis")).toHaveCount(3);
  await expect(panel.getByTestId("parallel-line")).toHaveCount(RUNS);
  await expect(panel.getByTestId("parallel-count")).toHaveText(`${RUNS} jobs`);
  const brush = panel.getByTestId("parallel-brush").first();
  const box = await brush.boundingBox();
  if (!box) throw new Error("the axis has no box");
  await page.mouse.move(box.x + box.width / 2, box.y + 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(panel.getByTestId("parallel-count")).toHaveText(new RegExp(`^\\d+ of ${RUNS} jobs in the brushes$`));
  await screenshot(page, "workspace-parallel");
  await panel.getByRole("button", { name: "Clear brushes" }).click();
  await expect(panel.getByTestId("parallel-count")).toHaveText(`${RUNS} jobs`);
});

test("param importance and correlation for a chosen metric", async ({ page }) => {
  await openWith(page, { kind: "importance", settings: { metric: "metrics.loss.min" } });
  const panel = drawn(page, "importance");
  await expect(panel.getByTestId("importance-jobs")).toContainText(`over ${RUNS} jobs`);
  await expect(panel.getByTestId("importance-row")).toHaveCount(3);
  // lr drives the loss: the most important, and negatively correlated with it
  const first = panel.getByTestId("importance-row").first();
  await expect(first.getByRole("rowheader")).toHaveText("lr");
  await expect(first.locator("td").last()).toHaveText(/^-0\.\d+$/);
  // a categorical param has no rank correlation
  await expect(panel.getByRole("row", { name: /optimizer/ }).locator("td").last()).toHaveText("—");
  await screenshot(page, "workspace-importance");
});

test("images of a key across the visible jobs at a chosen step", async ({ page }) => {
  await openWith(page, { kind: "media", settings: { key: "samples", step: null } });
  const panel = drawn(page, "media");
  await expect(panel.getByTestId("media-cell")).toHaveCount(10);
  const image = panel.getByRole("img", { name: `samples of sweep-${RUNS - 1} at step 5` });
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(32);
  await expect(panel.getByText(`did not log samples`)).toHaveCount(10 - MEDIA_RUNS);
  const slider = panel.getByRole("slider", { name: "Step" });
  await slider.focus();
  await slider.press("Home");
  await expect(panel.getByRole("img", { name: `samples of sweep-${RUNS - 1} at step 0` })).toBeVisible();
  await expect(page).toHaveURL(/%22step%22%3A0|"step":0/);
  await screenshot(page, "workspace-media");
});

test("histograms over steps for each visible job that logged them", async ({ page }) => {
  await openWith(page, { kind: "histogram", settings: { key: "weights", mode: "ridges" } });
  const panel = drawn(page, "histogram");
  await expect(panel.getByTestId("histogram-job")).toHaveCount(MEDIA_RUNS);
  await expect(panel.getByTestId("histogram-job").first().locator("svg")).toBeVisible();
  await screenshot(page, "workspace-histogram");
});
