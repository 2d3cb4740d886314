// The pictures of the workspace in docs/gui.md (`make screenshots`): a hyper-parameter search of
// 150 real jobs (search.py through the SDK), its workspace in the light and dark themes, row
// grouping and the saved views menu, at 1440x900 (the panel kinds' pictures, the scatter's
// among them, come from workspace-panels.spec.ts).
import type { Page } from "@playwright/test";
import { expect, screenshot, test } from "./support/fixtures";
import { runJob } from "./support/jobs";
import type { SuiteState } from "./support/state";

/** The project of the pictures (a name of its own: the suite's server is fresh). */
const SEARCH = "resnet-search";
const RUNS = 150;
const PROCESSES = 3;
/** The table's order in every picture: the best jobs first; and its columns. */
const BEST_FIRST = "-metrics.best_val_acc";
const COLUMNS = "status,name,params.lr,params.optimizer,params.batch_size,params.dropout,metrics.best_val_acc";

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ suite }, info) => {
  info.setTimeout(240_000);
  await seedSearch(suite);
});

test.afterAll(async ({ suite }) => {
  await fetch(`${suite.url}/api/v1/projects/${SEARCH}`, { method: "DELETE" });
});

/** 150 jobs of a search, run by 3 processes side by side (50 each, named trial-000..149). */
async function seedSearch(suite: SuiteState): Promise<void> {
  const env = { url: suite.url, scratch: suite.scratch };
  const share = RUNS / PROCESSES;
  await Promise.all(
    Array.from({ length: PROCESSES }, (_, index) =>
      runJob(env, { script: "search.py", project: SEARCH, name: "trial", runs: share, first: index * share, steps: 60 }),
    ),
  );
}

/** The workspace with `ws` (the view's JSON fields beyond q, sort and cols), every panel drawn. */
async function openWorkspace(page: Page, ws: Record<string, unknown> = {}): Promise<void> {
  const params = new URLSearchParams({ sort: BEST_FIRST, cols: COLUMNS });
  if (Object.keys(ws).length) params.set("ws", JSON.stringify(ws));
  await page.goto(`/projects/${SEARCH}?${params}`);
  await allDrawn(page);
}

/** Every panel drawn once the page has asked for everything it shows (a change of the
 * visible jobs, e.g. by grouping, asks for their series again). */
async function allDrawn(page: Page): Promise<void> {
  await expect(page.getByTestId("panel").first()).toBeVisible();
  await page.waitForLoadState("networkidle");
  await expect(page.locator('[data-testid="panel"]:not([data-drawn="1"])')).toHaveCount(0, { timeout: 20_000 });
}

test("the workspace of a search, light and dark", async ({ page }) => {
  await openWorkspace(page, { smoothing: 0.6 });
  await expect(page.getByTestId("workspace-table")).toContainText("trial-");
  await screenshot(page, "workspace");
  await page.emulateMedia({ colorScheme: "dark" });
  await page.reload();
  await allDrawn(page);
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await screenshot(page, "workspace-dark");
});

test("rows grouped by optimizer with their mean accuracy", async ({ page }) => {
  await openWorkspace(page, { group: ["params.optimizer"], groupMetrics: ["metrics.best_val_acc"] });
  const groups = page.getByTestId("group-row");
  await expect(groups).toHaveCount(3);
  await groups.filter({ hasText: "adamw" }).click();
  await expect(page.getByTestId("workspace-table").getByText("trial-", { exact: false }).first()).toBeVisible();
  await allDrawn(page);
  await screenshot(page, "workspace-grouping");
});

test("the saved views menu", async ({ page, suite }) => {
  const views = [
    { name: "Best first", is_default: true, state: { sort: BEST_FIRST } },
    { name: "SGD only", state: { q: 'params.optimizer = "sgd"', sort: BEST_FIRST } },
    { name: "Validation curves", state: { sort: BEST_FIRST, panelSearch: "^val/", smoothing: 0.6 } },
  ];
  for (const view of views) {
    const answer = await fetch(`${suite.url}/api/v1/projects/${SEARCH}/views`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ is_default: false, ...view }),
    });
    expect(answer.status).toBe(201);
  }
  await openWorkspace(page);
  await page.getByTestId("views-menu").click();
  await expect(page.getByText("Validation curves")).toBeVisible();
  await screenshot(page, "workspace-views");
});
