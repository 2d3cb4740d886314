// Recurring jobs on the scheduler page: a schedule made with `atlas schedule create` is
// listed with its cron expression in words, its zone and next run, and an editor pauses and
// resumes it there; on a team server, a slot skipped because its maker was disabled says so.
import { randomUUID } from "node:crypto";
import { expect, screenshot, test } from "./support/fixtures";
import { runCli } from "./support/jobs";
import { SUBMIT_DIR } from "./support/seed";
import { ADMIN, OWNER, startTeamServer, teamApi, TEAM_PROJECT, tokenFor } from "./support/team";

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

test.describe("on a team server", () => {
  // The sign-in page's first look at the session is refused while no one is signed in.
  test.use({ consoleAllow: [/status of 401 \(Unauthorized\)/] });

  test("a slot skipped because its maker was disabled says why", async ({ page }) => {
    test.setTimeout(180_000); // the cron's next minute comes, then the page's next refresh
    const team = await startTeamServer();
    try {
      const owner = { url: team.url, token: await tokenFor(team.url, OWNER) };
      const job = { project: TEAM_PROJECT, command: ["python", "-c", "pass"], env: "none" };
      const body = { cron: "* * * * *", name: "every-minute", job };
      await teamApi(owner, "POST", `/projects/${TEAM_PROJECT}/schedules`, body);
      await teamApi(team, "PATCH", `/users/${OWNER.name}`, { disabled: true });

      await page.goto(`${team.url}/scheduler`);
      await page.getByLabel("User name").fill(ADMIN.name);
      await page.getByLabel("Password").fill(ADMIN.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      const row = page.getByTestId("schedule-row").filter({ hasText: "every-minute" });
      await expect(row).toBeVisible();
      await expect(row.getByTestId("schedule-error")).toContainText(`its maker '${OWNER.name}' is disabled`, { timeout: 150_000 });
      await expect(row.getByTestId("schedule-error").locator("time")).toBeVisible();
      await expect(row).toContainText("none yet");
      await screenshot(page, "scheduler-recurring-skipped");
    } finally {
      await page.goto("about:blank"); // the page polls: leave it before its server stops
      await team.remove();
    }
  });
});
