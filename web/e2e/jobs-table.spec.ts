// The project's Jobs tab: the table of jobs made by real runs, filtering with the query box
// and the column filters, sorting, live status and deleting a job.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runJob, startJob } from "./support/jobs";
import { expect, screenshot, test, tick } from "./support/fixtures";
import { LONG_NAME, VISION } from "./support/seed";
import { jobNames, jobRow, jobRows } from "./support/table";

const VISION_URL = `/projects/${VISION}`;

test("shows every job with its status, user, params, metrics and tags", async ({ page }) => {
  // the table alone, the charts folded away: every column within reach
  await page.goto(`${VISION_URL}?ws=${encodeURIComponent(JSON.stringify({ pane: "table" }))}`);
  await expect(page.getByRole("heading", { name: VISION })).toBeVisible();
  await expect(jobRows(page)).toHaveCount(5);
  await expect(page.getByTestId("jobs-total")).toHaveText(/^5 jobs/);
  const prod = jobRow(page, "resnet-lr0.01");
  await expect(prod.locator('[data-status="completed"]')).toHaveText("Completed");
  await expect(prod).toContainText("ben");
  await expect(prod).toContainText("adam");
  await expect(jobRow(page, "diverged").locator('[data-status="failed"]')).toHaveText("Failed");
  await expect(jobRow(page, LONG_NAME)).toBeVisible();
  // one title per column group, each once: the pinned columns open the Job group
  await expect(page.getByTestId("column-group")).toHaveText(["Job", "Params", "Metrics", "Tags"]);
  for (const header of ["lr", "batch_size", "loss", "acc"]) {
    await expect(page.getByRole("button", { name: `Sort by ${header}`, exact: true })).toBeVisible();
  }
  await screenshot(page, "project-jobs");
  // the tags column is at the far right: scroll there (the table renders visible columns)
  await page.getByRole("grid", { name: "Jobs" }).evaluate((grid) => grid.scrollTo({ left: grid.scrollWidth }));
  await expect(prod).toContainText("stage=prod");
  // a job's name opens its page, within the app (the table's state stays in the history)
  await page.evaluate(() => ((window as { __sameDocument?: boolean }).__sameDocument = true));
  await prod.getByRole("link", { name: "resnet-lr0.01", exact: true }).click();
  await expect(page).toHaveURL(/\/jobs\/[0-9a-z]{16}$/);
  await expect(page.getByTestId("job-name")).toHaveText("resnet-lr0.01");
  expect(await page.evaluate(() => (window as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  await page.goBack();
  await expect(jobRows(page)).toHaveCount(5);
});

test("filters with the query box, shows the filter as a chip, and removes it", async ({ page }) => {
  await page.goto(VISION_URL);
  await expect(jobRows(page)).toHaveCount(5);
  const box = page.getByRole("combobox", { name: "Filter jobs" });
  await page.keyboard.press("/");
  await expect(box).toBeFocused();
  await box.pressSequentially("params.l");
  await expect(page.getByRole("option", { name: "params.lr" })).toBeVisible();
  await page.getByRole("option", { name: "params.lr" }).click();
  await box.pressSequentially("< 0.05 and status = \"completed\"");
  await box.press("Enter");
  await expect(jobRows(page)).toHaveCount(2);
  await expect.poll(async () => (await jobNames(page)).sort()).toEqual(["resnet-lr0.001", "resnet-lr0.01"]);
  await expect(page).toHaveURL(/q=params\.lr/);
  const chips = page.getByTestId("filter-chip");
  await expect(chips).toHaveCount(2);

  await page.reload(); // the filter is in the URL
  await expect(jobRows(page)).toHaveCount(2);
  await page.getByRole("button", { name: 'Remove filter status = "completed"' }).click();
  await expect(chips).toHaveCount(1);
  await expect(jobRows(page)).toHaveCount(2);
  await page.getByRole("button", { name: "Remove filter params.lr < 0.05" }).click();
  await expect(jobRows(page)).toHaveCount(5);
});

test.describe("a filter the server refuses", () => {
  test.use({ consoleAllow: [/status of 400/] });

  test("shows the server's message where the query went wrong", async ({ page }) => {
    await page.goto(VISION_URL);
    await expect(jobRows(page)).toHaveCount(5);
    const box = page.getByRole("combobox", { name: "Filter jobs" });
    await box.fill("params.lr < ");
    await box.press("Enter");
    await expect(page.getByTestId("query-error")).toContainText("expected a value after '<'");
  });
});

test("filters by status and by a tag from the column headers", async ({ page }) => {
  await page.goto(VISION_URL);
  await expect(jobRows(page)).toHaveCount(5);
  await page.getByRole("button", { name: "Filter status" }).click();
  const form = page.getByRole("dialog", { name: "Filter status" });
  await form.getByLabel("failed").check();
  await form.getByRole("button", { name: "Apply filter" }).click();
  await expect(jobRows(page)).toHaveCount(1);
  await expect(jobRow(page, "diverged")).toBeVisible();
  await expect(page.getByTestId("filter-chip")).toHaveCount(1);

  await page.goto(`${VISION_URL}?q=${encodeURIComponent('tags.stage = "prod"')}`);
  await expect(jobRows(page)).toHaveCount(2);
  await page.goto(`${VISION_URL}?q=${encodeURIComponent('user = "ana"')}`);
  await expect.poll(async () => (await jobNames(page)).sort()).toEqual(["resnet-lr0.001", "resnet-lr0.1"]);
});

test("sorts by a param, descending then ascending, and keeps the sort in the URL", async ({ page }) => {
  await page.goto(VISION_URL);
  await expect(jobRows(page)).toHaveCount(5);
  const sortLr = page.getByRole("button", { name: "Sort by lr", exact: true });
  await sortLr.click();
  await expect(page).toHaveURL(/sort=-params\.lr/);
  await expect.poll(() => jobNames(page)).toEqual(["diverged", "resnet-lr0.1", LONG_NAME, "resnet-lr0.01", "resnet-lr0.001"]);
  await sortLr.click();
  await expect.poll(() => jobNames(page)).toEqual(["resnet-lr0.001", "resnet-lr0.01", LONG_NAME, "resnet-lr0.1", "diverged"]);
  await page.reload();
  await expect.poll(() => jobNames(page)).toEqual(["resnet-lr0.001", "resnet-lr0.01", LONG_NAME, "resnet-lr0.1", "diverged"]);
});

test("a running job turns completed in the table without a reload", async ({ page, jobEnv, project }) => {
  const signal = join(jobEnv.scratch, `${project}.go`);
  const job = startJob(jobEnv, { project, name: "watched", steps: 20, wait_for: signal });
  await job.id;
  await page.goto(`/projects/${project}`);
  const row = jobRow(page, "watched");
  await expect(row.locator('[data-status="running"]')).toHaveText("Running");
  await expect(page.getByTestId("count-running")).toBeVisible();
  writeFileSync(signal, "go");
  expect((await job.done).code).toBe(0);
  await expect(row.locator('[data-status="completed"]')).toHaveText("Completed", { timeout: 15_000 });
});

test("deletes a selected job after a confirmation", async ({ page, jobEnv, project }) => {
  await runJob(jobEnv, { project, name: "keep-me", steps: 3 });
  await runJob(jobEnv, { project, name: "delete-me", steps: 3 });
  await page.goto(`/projects/${project}`);
  await expect(jobRows(page)).toHaveCount(2);
  await tick(page.getByRole("checkbox", { name: "Select job delete-me" }));
  const bar = page.getByRole("toolbar", { name: "Selected jobs" });
  await expect(bar).toContainText("1 selected");
  await bar.getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete 1 job?" });
  await expect(dialog).toContainText("params, tags, metrics, logs and artifacts");
  await dialog.getByRole("button", { name: "Delete 1 job" }).click();
  await expect(jobRows(page)).toHaveCount(1);
  await expect(jobRow(page, "keep-me")).toBeVisible();
  await page.reload();
  await expect(jobRows(page)).toHaveCount(1);
  await expect(jobRow(page, "delete-me")).toHaveCount(0);
});

test("the column chooser adds a metric's min column and the choice is kept in the URL", async ({ page }) => {
  await page.goto(VISION_URL);
  await expect(jobRows(page)).toHaveCount(5);
  await expect(page.getByRole("button", { name: "Sort by loss (min)", exact: true })).toHaveCount(0);
  await page.getByTestId("column-chooser").click();
  const chooser = page.getByRole("dialog", { name: "Choose columns" });
  await chooser.getByPlaceholder("Search columns").fill("loss (min)");
  await tick(chooser.getByRole("checkbox", { name: "loss (min)", exact: true }));
  await expect(page).toHaveURL(/cols=.*metrics\.loss\.min/);
  await page.keyboard.press("Escape");
  await page.getByRole("grid", { name: "Jobs" }).evaluate((grid) => grid.scrollTo({ left: grid.scrollWidth }));
  const sortMin = page.getByRole("button", { name: "Sort by loss (min)", exact: true });
  await expect(sortMin).toBeVisible();
  await sortMin.click(); // descending: the slowest learning rate never got its loss down
  await expect.poll(async () => (await jobNames(page))[0]).toBe("resnet-lr0.001");
});

test("tags the selected jobs from the action bar", async ({ page, jobEnv, project }) => {
  await runJob(jobEnv, { project, name: "first", steps: 3 });
  await runJob(jobEnv, { project, name: "second", steps: 3 });
  await page.goto(`/projects/${project}`);
  await expect(jobRows(page)).toHaveCount(2);
  await tick(page.getByRole("checkbox", { name: "Select all loaded jobs" }));
  const bar = page.getByRole("toolbar", { name: "Selected jobs" });
  await expect(bar).toContainText("2 selected");
  await bar.getByRole("button", { name: "Tag selected jobs" }).click();
  const form = page.getByRole("dialog", { name: "Tag selected jobs" });
  await form.getByLabel("Tag").fill("batch");
  await form.getByLabel("Value").fill("b7");
  await form.getByRole("button", { name: "Tag 2 jobs" }).click();
  await expect(page.getByRole("status").filter({ hasText: "2 jobs tagged batch" })).toBeVisible();
  await page.goto(`/projects/${project}?q=${encodeURIComponent('tags.batch = "b7"')}`);
  await expect(jobRows(page)).toHaveCount(2);
});
