// Jobs run by the scheduler (`atlas submit`): the scheduler view with the queue (and what each
// queued job waits for), the running jobs and the resources they hold, the Stop and Rerun
// buttons, the code snapshot, and a second server on the same database standing by.
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, screenshot, test } from "./support/fixtures";
import { submit } from "./support/seed";
import { startServer } from "./support/server";

test("the scheduler shows the queue, the running job with its GPU, and stops it", async ({ page, jobEnv }) => {
  const tag = randomUUID().slice(0, 6);
  const signal = join(jobEnv.scratch, `hold-${tag}.go`);
  const big = await submit(jobEnv, `train-large-${tag}`, [
    "--no-follow", "--cpus", "2", "--gpus", "1", "--param", `wait_for=${signal}`, "--param", "steps=5",
  ]);
  const small = await submit(jobEnv, `eval-small-${tag}`, ["--no-follow", "--cpus", "1", "--param", "steps=5"]);
  try {
    await page.goto("/scheduler");
    await expect(page.getByRole("heading", { name: "Scheduler" })).toBeVisible();
    const running = page.getByTestId("running-row").filter({ hasText: `train-large-${tag}` });
    await expect(running).toBeVisible({ timeout: 20_000 });
    await expect(running).toContainText("2 CPUs · 1 GPU");
    const queued = page.getByTestId("queue-row").filter({ hasText: `eval-small-${tag}` });
    await expect(queued).toBeVisible();
    await expect(queued).toContainText("1 CPU");
    // the big job holds both CPU slots: the small one says so rather than sitting silent
    await expect(queued.getByTestId("waiting-for")).toHaveText("1 CPU slot (0 free)");
    await expect(page.getByRole("columnheader", { name: "waiting for" })).toBeVisible();
    // this server holds the scheduler's lock: no standby banner
    await expect(page.getByTestId("standby-banner")).toHaveCount(0);
    await expect(page.getByRole("meter", { name: "CPU slots" })).toHaveAttribute("aria-valuenow", "2");
    const gpus = page.getByTestId("gpu-row");
    await expect(gpus).toHaveCount(2);
    await expect(gpus.filter({ has: page.getByRole("link", { name: big }) })).toHaveCount(1);
    await expect(gpus.filter({ hasText: "free" })).toHaveCount(1);
    await screenshot(page, "scheduler");

    await running.getByRole("link", { name: `train-large-${tag}` }).click();
    await expect(page).toHaveURL(new RegExp(`/jobs/${big}`));
    const header = page.locator("header", { has: page.getByTestId("job-name") });
    await expect(header.getByTestId("status-badge")).toHaveText("Running");
    await header.getByRole("button", { name: "Stop" }).click();
    await expect(header.getByTestId("status-badge")).toHaveText("Cancelled", { timeout: 30_000 });
    await expect(header.getByRole("button", { name: "Stop" })).toHaveCount(0); // only while a job may still run

    await page.goto(`/jobs/${small}`);
    await expect(header.getByTestId("status-badge")).toHaveText("Completed", { timeout: 30_000 });
    await page.goto("/scheduler");
    await expect(page.getByTestId("queue-row").filter({ hasText: tag })).toHaveCount(0);
    await expect(page.getByTestId("running-row").filter({ hasText: tag })).toHaveCount(0);
  } finally {
    writeFileSync(signal, "go"); // never leave a job holding the machine
  }
});

test("a scheduled job shows its code snapshot and can be rerun", async ({ page, suite }) => {
  const id = suite.ids["nightly"];
  await page.goto(`/jobs/${id}/code`);
  await expect(page.getByRole("tree", { name: "Files" })).toContainText("main.py");
  await expect(page.getByTestId("code-view")).toContainText("def main() -> None:");
  await expect(page.getByRole("link", { name: "Download .tar.gz" })).toHaveAttribute("href", new RegExp(`/jobs/${id}/snapshot`));
  await screenshot(page, "job-code");

  await page.goto(`/jobs/${id}/logs`);
  await expect(page.getByRole("log", { name: "Job log" })).toContainText("scheduled job logged 30 steps");

  await page.goto(`/jobs/${id}`);
  const header = page.locator("header", { has: page.getByTestId("job-name") });
  await header.getByRole("button", { name: "Rerun" }).click();
  await expect(page).not.toHaveURL(new RegExp(`/jobs/${id}`));
  await expect(page).toHaveURL(/\/jobs\/[0-9a-z]{16}/);
  await expect(header.getByTestId("status-badge")).toHaveText("Completed", { timeout: 30_000 });
  await expect(page.getByTestId("job-name")).toHaveText("nightly");
});

test("a second server on the same database stands by and says so in the scheduler view", async ({ page, suite }) => {
  // the suite's server holds the scheduler's lock on this home, so this one cannot take it
  const standby = await startServer(suite.home, `standby-${randomUUID().slice(0, 6)}.log`);
  try {
    await page.goto(`${standby.url}/scheduler`);
    await expect(page.getByRole("heading", { name: "Scheduler" })).toBeVisible();
    const banner = page.getByRole("note", { name: "This server is on standby: another Atlas server runs the jobs." });
    await expect(banner).toBeVisible();
    await expect(banner).toContainText("jobs queued here start there, and this server takes over if that one stops");

    await page.goto(`${suite.url}/scheduler`);
    await expect(page.getByRole("heading", { name: "Scheduler" })).toBeVisible();
    await expect(page.getByRole("meter", { name: "CPU slots" })).toBeVisible();
    await expect(page.getByTestId("standby-banner")).toHaveCount(0);
  } finally {
    await standby.stop();
  }
});
