// Recurring jobs on the scheduler page: a schedule made with `atlas schedule create` is
// listed with its cron expression in words, its zone and next run, and an editor pauses and
// resumes it there.
import { randomUUID } from "node:crypto";
import { expect, screenshot, test } from "./support/fixtures";
import { runCli } from "./support/jobs";
import { SUBMIT_DIR } from "./support/seed";

test("the scheduler lists a recurring job and pauses and resumes it", async ({ page, jobEnv, project }) => {
  const name = `nightly-${randomUUID().slice(0, 6)}`;
  const args = ["schedule", "create", "--cron", "0 3 * * *", "--tz", "Europe/Paris", "--project", project, "--name", name, "--env", "none"];
  await runCli(jobEnv, [...args, SUBMIT_DIR, "python", "main.py"]);

  await page.goto("/scheduler");
  await expect(page.getByRole("heading", { name: /^Recurring jobs/ })).toBeVisible();
  const row = page.getByTestId("schedule-row").filter({ hasText: name });
  await expect(row).toBeVisible();
  await expect(row).toContainText("0 3 * * *");
  await expect(row).toContainText("(Europe/Paris)");
  await expect(row.getByTestId("cron-words")).toHaveText("every day at 03:00");
  await expect(row.getByRole("link", { name: project })).toBeVisible();
  await expect(row.getByTestId("schedule-state")).toHaveText("active");
  await expect(row.getByTestId("next-run").locator("time")).toHaveAttribute("datetime", /T0[12]:00:00/); // 03:00 in Paris
  await expect(row).toContainText("none yet");
  await screenshot(page, "scheduler-recurring");

  await row.getByRole("button", { name: `Pause recurring job ${name}` }).click();
  await expect(row.getByTestId("schedule-state")).toHaveText("paused");
  await expect(row.getByTestId("next-run")).toHaveText("paused");

  await page.reload(); // kept by the server, not by the page
  await expect(row.getByTestId("schedule-state")).toHaveText("paused");
  await row.getByRole("button", { name: `Resume recurring job ${name}` }).click();
  await expect(row.getByTestId("schedule-state")).toHaveText("active");
  await expect(row.getByTestId("next-run").locator("time")).toBeVisible();
});
