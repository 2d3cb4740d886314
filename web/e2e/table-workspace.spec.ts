// The jobs table at a glance (issue 13): column resize, reorder and pinning kept in the URL,
// one number format per column, row grouping with counts and summaries, the keyboard, the
// forgiving query box, the 1024 px layout, and job pages that offer only what applies.
import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { VISION } from "./support/seed";
import { jobRow, jobRows } from "./support/table";

const VISION_URL = `/projects/${VISION}`;

const header = (page: Page, id: string) => page.locator(`[role="columnheader"][data-col="${id}"]`);
const ws = (page: Page) => JSON.parse(new URL(page.url()).searchParams.get("ws") ?? "{}") as Record<string, unknown>;
const headerIds = (page: Page) => page.locator('[role="columnheader"]').evaluateAll((cells) => cells.map((c) => c.getAttribute("data-col")));

/** The project page with the table taking the whole width (the charts folded away). */
const TABLE_ONLY = `${VISION_URL}?ws=${encodeURIComponent(JSON.stringify({ pane: "table" }))}`;

test("resizes, reorders and pins columns, and keeps them in the URL", async ({ page }) => {
  await page.goto(TABLE_ONLY);
  await expect(jobRows(page)).toHaveCount(5);

  // resize: drag the right edge of the lr header 80 px wider
  const lr = header(page, "params.lr");
  const before = (await lr.boundingBox())?.width ?? 0;
  const edge = lr.getByRole("separator", { name: "Resize lr" });
  const box = await edge.boundingBox();
  if (!box) throw new Error("no resize handle");
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + 40, box.y + box.height / 2, { steps: 4 });
  await page.mouse.move(box.x + 80 + box.width / 2, box.y + box.height / 2, { steps: 4 });
  await page.mouse.up();
  await expect.poll(() => (ws(page).widths as Record<string, number> | undefined)?.["params.lr"]).toBe(Math.round(before + 80));

  // reorder from the keyboard: Alt+→ on a focused header moves its column right
  const start = (await headerIds(page)).indexOf("params.lr");
  const next = (await headerIds(page))[start + 1];
  await lr.focus();
  await page.keyboard.press("Alt+ArrowRight");
  await expect.poll(async () => (await headerIds(page)).slice(start, start + 2)).toEqual([next, "params.lr"]);
  await expect(page).toHaveURL(/cols=/);
  await expect(lr).toBeFocused();

  // reorder by drag and drop: the duration column dropped on the left half of the id column
  await header(page, "duration").dragTo(header(page, "id"), { targetPosition: { x: 5, y: 10 } });
  await expect.poll(async () => (await headerIds(page)).slice(0, 4)).toEqual(["status", "name", "duration", "id"]);

  // pin from the header's menu: the column joins the pinned block (the menu closes on a
  // scroll, so the column is brought into view first)
  await header(page, "params.optimizer").scrollIntoViewIfNeeded();
  await expect(header(page, "params.optimizer")).toBeInViewport();
  await header(page, "params.optimizer").getByRole("button", { name: "Column optimizer" }).click();
  await page.getByRole("menuitem", { name: "Pin to the left" }).click();
  await expect.poll(() => ws(page).pin).toEqual(["params.optimizer"]);
  await expect(page.locator(".jobs-head .pinned [data-col='params.optimizer']")).toBeVisible();

  // all of it survives a reload
  await page.reload();
  await expect(jobRows(page)).toHaveCount(5);
  await expect(page.locator(".jobs-head .pinned [data-col='params.optimizer']")).toBeVisible();
  expect(Math.round((await header(page, "params.lr").boundingBox())?.width ?? 0)).toBe(Math.round(before + 80));
  expect((await headerIds(page)).slice(0, 5)).toEqual(["status", "name", "params.optimizer", "duration", "id"]);
  expect((await headerIds(page)).slice(start + 1, start + 3)).toEqual([next, "params.lr"]);
});

test("writes ids so they never collide, and each number column in one format", async ({ page }) => {
  await page.goto(TABLE_ONLY);
  await expect(jobRows(page)).toHaveCount(5);
  const ids = await page.getByRole("button", { name: /^Copy job id / }).allTextContents();
  expect(new Set(ids).size).toBe(ids.length);
  const copy = jobRow(page, "diverged").getByRole("button", { name: /^Copy job id / });
  await expect(copy).toHaveAttribute("title", /^[0-9a-z]{16} \(click to copy\)$/);
  // lr holds 0.1, 0.01, 0.001, 0.9, 0.05: every cell with the same decimals
  const cells = await page.locator('[data-testid="job-row"]').evaluateAll((rows) =>
    rows.map((row) => {
      const head = document.querySelector('[role="columnheader"][data-col="params.lr"]') as HTMLElement;
      const left = head.getBoundingClientRect().left;
      const cell = Array.from(row.querySelectorAll<HTMLElement>('[role="gridcell"]')).find((c) => Math.abs(c.getBoundingClientRect().left - left) < 2);
      return cell?.textContent ?? "";
    }),
  );
  expect(cells.sort()).toEqual(["0.001", "0.010", "0.050", "0.100", "0.900"]);
});

test.describe("row grouping", () => {
  test("groups by a param with each group's count and summaries, and lists a group's jobs", async ({ page }) => {
    await page.goto(TABLE_ONLY);
    await expect(jobRows(page)).toHaveCount(5);
    await header(page, "params.optimizer").scrollIntoViewIfNeeded();
    await expect(header(page, "params.optimizer")).toBeInViewport();
    await header(page, "params.optimizer").getByRole("button", { name: "Column optimizer" }).click();
    await page.getByRole("menuitem", { name: "Group rows by this" }).click();
    const groups = page.getByTestId("group-row");
    await expect(groups).toHaveCount(3); // adam, sgd, and the job without an optimizer
    await expect(groups.filter({ hasText: "adam" })).toHaveAttribute("data-count", "2");
    await expect(groups.filter({ hasText: "sgd" })).toHaveAttribute("data-count", "2");
    await expect(groups.filter({ hasText: "(none)" })).toHaveAttribute("data-count", "1");
    expect(ws(page).group).toEqual(["params.optimizer"]);

    // summaries of a metric per group
    await page.getByTestId("group-picker").click();
    await page.getByRole("checkbox", { name: "metrics.loss.min" }).check();
    await page.keyboard.press("Escape");
    await expect(groups.filter({ hasText: "adam" }).getByTestId("group-summary")).toContainText("loss.min");

    // opening a group lists its jobs
    await groups.filter({ hasText: "adam" }).click();
    await expect(page.getByTestId("job-row")).toHaveCount(2);
    await expect(page.getByRole("link", { name: "resnet-lr0.01", exact: true })).toBeVisible();
    await expect(page.getByRole("link", { name: "resnet-lr0.001", exact: true })).toBeVisible();

    await page.getByRole("button", { name: "Stop grouping by params.optimizer" }).click();
    await expect(jobRows(page)).toHaveCount(5);
  });

  test("grouped rows take the arrows, Enter and Space", async ({ page }) => {
    await page.goto(TABLE_ONLY);
    await expect(jobRows(page)).toHaveCount(5);
    await header(page, "params.optimizer").scrollIntoViewIfNeeded();
    await header(page, "params.optimizer").getByRole("button", { name: "Column optimizer" }).click();
    await page.getByRole("menuitem", { name: "Group rows by this" }).click();
    const groups = page.getByTestId("group-row");
    await expect(groups).toHaveCount(3);
    const adam = groups.filter({ hasText: "adam" });
    await adam.focus();
    await page.keyboard.press("ArrowRight"); // opens the group
    const jobs = page.getByTestId("job-row");
    await expect(jobs).toHaveCount(2);
    await page.keyboard.press("ArrowDown");
    await expect(jobs.nth(0)).toBeFocused();
    await page.keyboard.press(" ");
    await expect(jobs.nth(0)).toHaveAttribute("aria-selected", "true");
    await page.keyboard.press("ArrowLeft"); // back to its group
    await expect(adam).toBeFocused();
    await page.keyboard.press("ArrowLeft"); // closes it
    await expect(jobs).toHaveCount(0);
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("End");
    await expect(groups.last()).toBeFocused();
    await page.keyboard.press("Home");
    await expect(groups.first()).toBeFocused();
    await adam.focus();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await expect(jobs.nth(1)).toBeFocused();
    const name = await jobs.nth(1).locator("a.job-link").textContent();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/jobs\/[0-9a-z]{16}$/);
    await expect(page.getByTestId("job-name")).toHaveText(name ?? "");
  });
});

test("moves between rows with the arrows, opens with Enter, selects with Space", async ({ page }) => {
  await page.goto(`${VISION_URL}?sort=params.lr`);
  await expect(jobRows(page)).toHaveCount(5);
  // the header row is one tab stop; ↓ goes to the rows
  const status = header(page, "status");
  await status.focus();
  await page.keyboard.press("ArrowRight");
  await expect(header(page, "name")).toBeFocused();
  await expect(page.locator('[role="columnheader"][tabindex="0"]')).toHaveCount(1);
  await page.keyboard.press("ArrowDown");
  const rows = jobRows(page);
  await expect(rows.nth(0)).toBeFocused();
  // Tab reaches the focused row's eye (shown in the charts or not, one label)
  await page.keyboard.press("Tab");
  await expect(rows.nth(0).getByTestId("row-eye")).toBeFocused();
  await expect(rows.nth(0).getByTestId("row-eye")).toHaveAccessibleName(/^Show .* in the charts$/);
  await page.keyboard.press("Shift+Tab");
  await expect(rows.nth(0)).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  const third = page.locator('[data-testid="job-row"][data-index="2"]');
  await expect(third).toBeFocused();
  await page.keyboard.press(" ");
  await expect(third).toHaveAttribute("aria-selected", "true");
  await expect(page).toHaveURL(/sel=/);
  await page.keyboard.press("ArrowUp");
  await expect(page.locator('[data-testid="job-row"][data-index="1"]')).toBeFocused();
  const name = await page.locator('[data-testid="job-row"][data-index="1"] a.job-link').textContent();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/jobs\/[0-9a-z]{16}$/);
  await expect(page.getByTestId("job-name")).toHaveText(name ?? "");
});

test("an unknown key is named with the closest known names", async ({ page }) => {
  await page.goto(VISION_URL);
  await expect(jobRows(page)).toHaveCount(5);
  const box = page.getByRole("combobox", { name: "Filter jobs" });
  await box.fill("metrics.los < 1");
  await box.press("Enter");
  const warning = page.getByTestId("query-warning");
  await expect(warning).toContainText("This project has no metrics.los");
  await expect(warning).toContainText("did you mean");
  await warning.getByRole("button", { name: "metrics.loss", exact: true }).click();
  await expect(box).toHaveValue("metrics.loss < 1");
  await expect(warning).toHaveCount(0);
});

test.describe("an invalid query", () => {
  test.use({ consoleAllow: [/status of 400/] });

  test("keeps the last good rows and shows one error, no toast", async ({ page }) => {
    await page.goto(`${VISION_URL}?q=${encodeURIComponent('status = "failed"')}`);
    await expect(jobRows(page)).toHaveCount(1);
    const box = page.getByRole("combobox", { name: "Filter jobs" });
    await box.fill("params.lr < ");
    await box.press("Enter");
    await expect(page.getByTestId("query-error")).toHaveCount(1);
    await expect(page.getByTestId("query-error")).toContainText("expected a value after '<'");
    await expect(jobRows(page)).toHaveCount(1);
    await expect(page.getByTestId("jobs-total")).toHaveText(/^1 job/);
    await expect(page.getByRole("alert").filter({ hasText: "Loading jobs failed" })).toHaveCount(0);
    await expect(page.locator(".toast")).toHaveCount(0);
  });
});

test.describe("at 1024 px", () => {
  test.use({ viewport: { width: 1024, height: 768 } });

  test("the rail folds behind a menu button and nothing overflows the page", async ({ page }) => {
    await page.goto(VISION_URL);
    await expect(jobRows(page)).toHaveCount(5);
    await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const table = await page.getByRole("grid", { name: "Jobs" }).boundingBox();
    expect(table?.width ?? 0).toBeGreaterThan(400);
    await page.getByTestId("rail-toggle").click();
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    await page.getByRole("link", { name: "Scheduler" }).click();
    await expect(page).toHaveURL(/\/scheduler$/);
    await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  });
});

test("a finished job run from Python offers no Stop, no Rerun and no Code error", async ({ page, suite }) => {
  const id = suite.ids["resnet-lr0.01"];
  await page.goto(`/jobs/${id}`);
  const head = page.locator("header", { has: page.getByTestId("job-name") });
  await expect(head.getByTestId("status-badge")).toHaveText("Completed");
  await expect(head.getByRole("button", { name: "Stop" })).toHaveCount(0);
  await expect(head.getByRole("button", { name: "Rerun" })).toHaveCount(0);
  await expect(head.getByTestId("python-run")).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Job sections" }).getByRole("link", { name: "Code" })).toHaveCount(0);
  // an old link to the Code tab says plainly why there is no code, without an error
  await page.goto(`/jobs/${id}/code`);
  await expect(page.getByText("This job was run directly from Python")).toBeVisible();
  await expect(page.locator(".toast")).toHaveCount(0);
});
