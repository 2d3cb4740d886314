// Sweeps (docs/sweeps.md): sweeps started through the REST API run real trials (trial.py, as
// jobs on the scheduler); the Sweeps tab lists them, the sweep page charts the search, Stop
// and Add trials change it, and the jobs table and the job page lead to and from it.
import type { Page } from "@playwright/test";
import { expect, screenshot, test } from "./support/fixtures";
import { EMPTY } from "./support/seed";
import type { SuiteState } from "./support/state";
import { createSweep, finished, listTrials, stopSweep, waitForSweep } from "./support/sweeps";

const SPACE = {
  lr: { type: "float", low: 1.0e-4, high: 1.0, log: true },
  layers: { type: "int", low: 1, high: 4 },
  optimizer: { type: "categorical", choices: ["adam", "sgd"] },
  momentum: { type: "float", low: 0.0, high: 0.9, when: { optimizer: "sgd" } },
};

function formatted(value: number): string {
  return Number(value.toPrecision(4)).toString();
}

/** The project of the docs' screenshots (a name of its own: the suite's server is fresh). */
const DEMO = "sweeps-demo";

test("the Sweeps tab lists a sweep and its page charts the search", async ({ page, suite }) => {
  const project = DEMO;
  try {
    await sweepPages(page, suite, project);
  } finally {
    await fetch(`${suite.url}/api/v1/projects/${project}`, { method: "DELETE" });
  }
});

async function sweepPages(page: Page, suite: SuiteState, project: string): Promise<void> {
  const created = await createSweep(suite, project, {
    name: "lr-search",
    command: "python trial.py --steps 4",
    objective: { metric: "val_loss", direction: "minimize" },
    sampler: { name: "random", seed: 7 },
    trials: 8,
    parallel: 2,
    space: SPACE,
    resources: { cpus: 1 },
  });
  const sweep = await waitForSweep(suite, created.id, (s) => s.status === "completed");
  const trials = await listTrials(suite, created.id);
  const values = trials.filter((t) => t.state === "complete").map((t) => Number(t.values?.[0]));
  const best = Math.min(...values);

  await page.goto(`/projects/${project}`);
  await page.getByRole("navigation", { name: "Project sections" }).getByRole("link", { name: "Sweeps" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${project}/sweeps$`));
  const row = page.getByTestId("sweep-row").filter({ hasText: "lr-search" });
  await expect(row.getByTestId("status-badge")).toHaveText("Completed");
  await expect(row.getByTestId("sweep-progress")).toHaveText(`${finished(sweep)} / 8`);
  await expect(row.getByTestId("sweep-best")).toHaveText(formatted(best));
  await expect(row).toContainText("min val_loss");
  await screenshot(page, "sweeps");

  await row.getByRole("link", { name: "lr-search" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${project}/sweeps/${created.id}$`));
  await expect(page.getByTestId("sweep-name")).toHaveText("lr-search");
  await expect(page.getByRole("navigation", { name: "Breadcrumbs" })).toContainText("Sweeps");
  const facts = page.getByTestId("sweep-facts");
  await expect(facts.getByTestId("sweep-objective")).toHaveText("minimize val_loss");
  await expect(facts).toContainText("sampler random");
  await expect(facts).toContainText("pruner none");
  // a completed sweep offers more trials, not Stop or Resume
  await expect(page.getByRole("button", { name: "Add trials" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Stop sweep" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Resume" })).toHaveCount(0);

  await expect(page.getByTestId("best-chart").getByTestId("line-chart").locator("canvas")).toBeVisible();
  await expect(page.getByTestId("best-value")).toContainText(formatted(best));
  const bars = page.getByTestId("importance-bar");
  await expect(bars.first()).toBeVisible();
  await expect(page.getByTestId("importance-chart")).toContainText("lr");
  // one axis per param of the space and one for the objective; one line per trial
  await expect(page.getByTestId("parallel-axis")).toHaveCount(5);
  await expect(page.getByTestId("parallel-axis").first()).toContainText("lr (log)");
  await expect(page.getByTestId("parallel-line")).toHaveCount(8);
  // the trials table: every trial, the best one marked; sorting by the objective puts it first
  const rows = page.getByTestId("trial-row");
  await expect(rows).toHaveCount(8);
  await expect(page.getByTestId("best-tag")).toHaveCount(1);
  await page.getByRole("table", { name: "Trials" }).getByRole("button", { name: "val_loss" }).click();
  await expect(page).toHaveURL(/sort=value%3A0/);
  await expect(rows.first().getByTestId("trial-value-0")).toHaveText(formatted(best));
  await expect(rows.first().getByTestId("best-tag")).toBeVisible();
  await page.getByRole("table", { name: "Trials" }).getByRole("button", { name: /val_loss/ }).click();
  await expect(rows.last().getByTestId("trial-value-0")).toHaveText(formatted(best));
  await page.goto(`/projects/${project}/sweeps/${created.id}`);
  await expect(rows).toHaveCount(8);
  // taller than the other pictures, so the docs show the charts and the first trials
  await page.setViewportSize({ width: 1440, height: 1500 });
  await expect(page.getByTestId("best-chart").getByTestId("line-chart").locator("canvas")).toBeVisible();
  await screenshot(page, "sweep");
  await page.setViewportSize({ width: 1440, height: 900 });
  // a trial's line in the parallel coordinates opens its job
  await page.getByTestId("parallel-line").first().dispatchEvent("click");
  await expect(page).toHaveURL(/\/jobs\/[0-9a-z]{16}$/);
  await page.goBack();
  await expect(rows).toHaveCount(8);

  // the trials in the jobs table, filtered by the sweep; a trial's job links back
  await page.getByRole("link", { name: "Trials in the jobs table" }).click();
  await expect(page).toHaveURL(/q=sweep/);
  await expect(page.getByTestId("filter-chip")).toHaveCount(1);
  await expect(page.getByTestId("filter-chip")).toContainText(`sweep = "${created.id}"`);
  await expect(page.getByTestId("jobs-total")).toHaveText(/^8 jobs/);
  const first = trials.find((t) => t.number === 0);
  await page.goto(`/jobs/${first?.job_id}`);
  const back = page.getByRole("link", { name: "trial 0 of sweep lr-search" });
  await expect(back).toBeVisible();
  // a trial is not rerun on its own (its sweep takes more trials instead)
  await expect(page.getByRole("button", { name: "Rerun" })).toBeDisabled();
  await back.click();
  await expect(page).toHaveURL(new RegExp(`/sweeps/${created.id}$`));
}

test("a running sweep updates live, stops, takes more trials and resumes", async ({ page, suite, project }) => {
  const created = await createSweep(suite, project, {
    name: "slow-search",
    command: "python trial.py --steps 60 --sleep 0.5",
    objective: { metric: "val_loss", direction: "minimize" },
    sampler: { name: "random", seed: 3 },
    trials: 4,
    parallel: 2,
    space: SPACE,
    resources: { cpus: 1 },
  });
  try {
    await page.goto(`/projects/${project}/sweeps/${created.id}`);
    const header = page.locator("header", { has: page.getByTestId("sweep-name") });
    await expect(header.getByTestId("status-badge")).toHaveText("Running");
    // trials appear as the controller starts them, without a reload
    await expect(page.getByTestId("trial-row").filter({ has: page.locator('[data-status="running"]') })).toHaveCount(2, { timeout: 30_000 });
    await expect(page.getByTestId("trial-row")).toHaveCount(2);

    await header.getByRole("button", { name: "Stop sweep" }).click();
    const dialog = page.getByRole("dialog", { name: "Stop this sweep?" });
    await expect(dialog).toContainText("running trials are cancelled");
    await dialog.getByRole("button", { name: "Stop sweep" }).click();
    await expect(header.getByTestId("status-badge")).toHaveText("Stopped");
    await expect(page.getByTestId("trial-row").filter({ has: page.locator('[data-status="running"]') })).toHaveCount(0, { timeout: 30_000 });
    await expect(header.getByRole("button", { name: "Stop sweep" })).toHaveCount(0);

    await header.getByRole("button", { name: "Add trials" }).click();
    const add = page.getByRole("dialog", { name: "Add trials" });
    const count = add.getByRole("spinbutton");
    await count.fill("0");
    await expect(add.getByRole("button", { name: "Add trials" })).toBeDisabled();
    // the budget may grow to the server's limit (TrialsAdd's maximum), 4 trials in already
    await count.fill("9997");
    await expect(add.getByRole("button", { name: "Add trials" })).toBeDisabled();
    await expect(add).toContainText("a whole number from 1 to 9,996 (a sweep has at most 10,000 trials)");
    await count.fill("3");
    await add.getByRole("button", { name: "Add 3 trials" }).click();
    await expect(header.getByTestId("sweep-progress")).toHaveText(/ \/ 7$/);

    await header.getByRole("button", { name: "Resume" }).click();
    await expect(header.getByTestId("status-badge")).toHaveText("Running");
    await expect(page.getByTestId("trial-row").filter({ has: page.locator('[data-status="running"]') })).not.toHaveCount(0, { timeout: 30_000 });
  } finally {
    await stopSweep(suite, created.id);
  }
});

test("two objectives show the Pareto front", async ({ page, suite, project }) => {
  const created = await createSweep(suite, project, {
    name: "loss-vs-latency",
    command: "python trial.py --steps 3",
    objective: [
      { metric: "val_loss", direction: "minimize" },
      { metric: "latency", direction: "minimize" },
    ],
    sampler: { name: "random", seed: 11 },
    trials: 6,
    parallel: 2,
    space: { lr: SPACE.lr, layers: SPACE.layers },
    resources: { cpus: 1 },
  });
  await waitForSweep(suite, created.id, (s) => s.status === "completed");
  await page.goto(`/projects/${project}/sweeps/${created.id}`);
  await expect(page.getByTestId("sweep-objective")).toHaveText("minimize val_loss, minimize latency");
  await expect(page.getByTestId("best-chart")).toHaveCount(2);
  const pareto = page.getByTestId("pareto-chart");
  const front = pareto.getByTestId("pareto-front-point");
  await expect(front.first()).toBeVisible();
  const onFront = await front.count();
  await expect(pareto.getByTestId("pareto-count")).toHaveText(`${onFront} of 6 trials on the front`);
  // the trials on the front are the sweep's best, marked in the table
  await expect(page.getByTestId("best-tag")).toHaveCount(onFront);
  await expect(page.getByTestId("parallel-axis")).toHaveCount(4);
  await page.setViewportSize({ width: 1440, height: 1250 });
  await expect(pareto.getByTestId("pareto-front-point").first()).toBeInViewport();
  await screenshot(page, "sweep-pareto");
});

test("a trial the pruner stops is marked pruned at its step", async ({ page, suite, project }) => {
  // two fixed param sets, one after the other: the second's curve is worse than the first's
  // at every step, so the median pruner (after one trial) stops it early
  const created = await createSweep(suite, project, {
    name: "pruning",
    command: "python trial.py --steps 40 --sleep 0.25",
    objective: { metric: "val_loss", direction: "minimize" },
    pruner: { name: "median", options: { n_startup_trials: 1, n_warmup_steps: 0 } },
    params: [
      { lr: 0.01, layers: 1, optimizer: "adam" },
      { lr: 0.0001, layers: 4, optimizer: "adam" },
    ],
    trials: 2,
    parallel: 1,
    resources: { cpus: 1 },
  });
  try {
    await page.goto(`/projects/${project}/sweeps/${created.id}`);
    const pruned = page.getByTestId("trial-row").filter({ has: page.locator('[data-status="pruned"]') });
    await expect(pruned).toHaveCount(1, { timeout: 60_000 });
    await expect(pruned.getByTestId("pruned-step")).toHaveText(/^\d+$/);
    await expect(pruned).toContainText("1e-4");
    await expect(page.getByTestId("sweep-facts")).toContainText("pruner median");
    await expect(page.getByTestId("sweep-facts")).toContainText("1 pruned");
    await expect(page.getByTestId("sweep-facts").getByTestId("sweep-progress")).toHaveText("2 / 2");
    // a fixed list of param sets takes no more trials: no Add, and the header says why
    await expect(page.getByRole("button", { name: "Add trials" })).toHaveCount(0);
    await expect(page.getByTestId("sweep-no-add")).toHaveText("No trials can be added: this sweep runs a fixed list of param sets, all in its budget.");
  } finally {
    await stopSweep(suite, created.id);
  }
});

test("a sweep whose trials never log the objective says why on its page", async ({ page, suite, project }) => {
  const created = await createSweep(suite, project, {
    name: "wrong-metric",
    command: "python trial.py --steps 2",
    objective: { metric: "accuracy", direction: "maximize" },
    sampler: "random",
    // the sweep gives up once its first trials all ended without the metric
    trials: 4,
    parallel: 2,
    space: { lr: SPACE.lr },
    resources: { cpus: 1 },
  });
  try {
    const sweep = await waitForSweep(suite, created.id, (s) => s.error !== null);
    await page.goto(`/projects/${project}/sweeps/${created.id}`);
    const alert = page.getByTestId("sweep-error");
    await expect(alert).toBeVisible();
    await expect(alert).toContainText(sweep.error?.message ?? "");
    await expect(alert).toContainText("accuracy");
  } finally {
    await stopSweep(suite, created.id);
  }
});

test("a project without sweeps shows how to start one", async ({ page }) => {
  await page.goto(`/projects/${EMPTY}/sweeps`);
  const empty = page.getByRole("region", { name: "No sweeps in this project yet" });
  await expect(empty).toContainText("atlas sweep create sweep.yaml . --project empty-project");
  await expect(empty).toContainText("atlas.load_parameters()");
});
