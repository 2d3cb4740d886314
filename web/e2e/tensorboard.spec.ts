// TensorBoard from the GUI: jobs selected in the table, the TensorBoard action, a real
// `tensorboard` process started by the server and shown through it in a new tab, each job a
// run. The time from the click to the first scalar chart drawn is printed (the target,
// <= 5 s for 10 jobs, is measured by `make bench ONLY=tensorboard`: a test asserts no time).
import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import type { Locator, Page } from "@playwright/test";
import { expect, screenshot, test, tick } from "./support/fixtures";
import type { JobEnv } from "./support/jobs";
import { atlasPython, jobsDir } from "./support/paths";
import { jobRows } from "./support/table";

// the last part opens a TensorBoard page for a job that does not exist (404)
test.use({ consoleAllow: [/status of 404 \(Not Found\)/] });

const JOBS = 10;

/** Make `count` jobs whose event files are in their artifacts as a job's launcher sends them. */
async function jobsWithEventFiles(env: JobEnv, project: string, count: number): Promise<string[]> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("ATLAS_")));
  const { stdout } = await promisify(execFile)(
    atlasPython(),
    [resolve(jobsDir, "tensorboard_runs.py"), JSON.stringify({ project, count, steps: 200 })],
    { env: { ...clean, ATLAS_URL: env.url, ATLAS_HOME: join(env.scratch, "sdk-home") }, timeout: 120_000 },
  );
  const line = /^ATLAS_E2E_JOBS (.+)$/m.exec(stdout);
  if (!line?.[1]) throw new Error(`tensorboard_runs.py printed no ids:\n${stdout}`);
  return JSON.parse(line[1]) as string[];
}

/** Whether TensorBoard's first scalar chart shows lines: its canvas holds pixels of the runs'
 * colours (TensorBoard draws the lines into a canvas, the axes in grey). */
async function chartDrawn(page: Page, chart: Locator): Promise<boolean> {
  if ((await chart.count()) === 0) return false;
  const png = (await chart.first().screenshot({ animations: "disabled" })).toString("base64");
  return page.evaluate(async (data) => {
    const image = new Image();
    image.src = `data:image/png;base64,${data}`;
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext("2d");
    if (!context) return false;
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let coloured = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      const [r, g, b] = [pixels[i] ?? 0, pixels[i + 1] ?? 0, pixels[i + 2] ?? 0];
      if (Math.max(r, g, b) - Math.min(r, g, b) > 80) coloured += 1;
    }
    return coloured > 30;
  }, png);
}

test("TensorBoard over jobs selected in the table", async ({ page, jobEnv, project }) => {
  test.setTimeout(120_000);
  const ids = await jobsWithEventFiles(jobEnv, project, JOBS);
  await page.goto(`/projects/${project}`);
  await expect(jobRows(page)).toHaveCount(JOBS);
  await tick(page.getByRole("checkbox", { name: "Select all loaded jobs" }));
  const bar = page.getByRole("toolbar", { name: "Selected jobs" });
  await expect(bar).toContainText(`${JOBS} selected`);

  const clickedAt = Date.now();
  const [tab] = await Promise.all([page.context().waitForEvent("page"), bar.getByRole("link", { name: "TensorBoard" }).click()]);
  await expect(tab).toHaveURL(/\/tensorboard\/[0-9a-f]{16}\//, { timeout: 60_000 });
  const startedMs = Date.now() - clickedAt;
  const chart = tab.locator("scalar-card line-chart canvas");
  await expect(chart.first()).toBeAttached({ timeout: 60_000 });
  const cardMs = Date.now() - clickedAt;
  await expect.poll(() => chartDrawn(tab, chart), { timeout: 60_000, intervals: [50] }).toBe(true);
  const firstChartMs = Date.now() - clickedAt;
  console.log(
    `tensorboard: first scalar chart of ${JOBS} jobs drawn ${firstChartMs} ms after the click ` +
      `(TensorBoard answering at ${startedMs} ms, its first chart's canvas at ${cardMs} ms)`,
  );

  // every job is a run, named after it
  for (const [index, id] of ids.entries()) {
    await expect(tab.getByText(`tb-${String(index).padStart(2, "0")}-${id.slice(0, 8)}/train`).first()).toBeAttached();
  }
  await expect(tab.locator("scalar-card").first()).toContainText(/accuracy|loss/);
  await screenshot(tab, "tensorboard");
  await tab.close();
});

test("the TensorBoard action of the job page and the compare page", async ({ page, jobEnv, project }) => {
  test.setTimeout(120_000);
  const [first, second] = await jobsWithEventFiles(jobEnv, project, 2);
  await page.goto(`/jobs/${first}`);
  const action = page.getByRole("link", { name: "TensorBoard" });
  await expect(action).toHaveAttribute("href", `/tensorboards/open?jobs=${first}`);
  await expect(action).toHaveAttribute("target", "_blank");

  await page.goto(`/compare?jobs=${first},${second}`);
  const [tab] = await Promise.all([page.context().waitForEvent("page"), page.getByRole("link", { name: "TensorBoard" }).click()]);
  await expect(tab).toHaveURL(/\/tensorboard\/[0-9a-f]{16}\//, { timeout: 60_000 });
  await expect(tab.getByText(`tb-01-${second?.slice(0, 8)}/train`).first()).toBeAttached({ timeout: 30_000 });
  await tab.close();

  // an unknown job: a clear error on the page, no TensorBoard
  await page.goto("/tensorboards/open?jobs=0123456789abcdef");
  await expect(page.getByRole("alert")).toContainText("TensorBoard could not start");
  await expect(page.getByRole("alert")).toContainText("not_found");
});
