// A scheduled job with retries (`atlas submit --retries 1`) whose first run fails: the job
// page says which attempt it is on and lists the earlier attempt, how it ended and why.
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, screenshot, test } from "./support/fixtures";
import { submit } from "./support/seed";

test("a job retried after a failure shows its attempt and the earlier one", async ({ page, jobEnv }) => {
  const name = `flaky-${randomUUID().slice(0, 6)}`;
  const counter = join(mkdtempSync(join(jobEnv.scratch, "attempts-")), "runs");
  const id = await submit(jobEnv, name, ["--no-follow", "--retries", "1", "--param", `fail_first=${counter}`]);

  await page.goto(`/jobs/${id}`);
  const header = page.locator("header", { has: page.getByTestId("job-name") });
  // the first run fails, the job is queued again (after a 2 s wait) and the second completes
  await expect(header.getByTestId("status-badge")).toHaveText("Completed", { timeout: 60_000 });
  expect(readFileSync(counter, "utf8")).toBe("2");
  await expect(header.getByTestId("job-attempt")).toHaveText("Attempt 2 of 2");

  const panel = page.getByRole("region", { name: "Earlier attempts" });
  const rows = panel.getByTestId("attempt-row");
  await expect(rows).toHaveCount(1);
  await expect(rows.first().getByTestId("status-badge")).toHaveText("Failed");
  await expect(rows.first().getByRole("cell").first()).toHaveText("1");
  await expect(rows.first()).toContainText("exited with code 1");
  await expect(page.getByRole("region", { name: "Run" })).toContainText("retries1");
  await screenshot(page, "job-attempts");
});
