// The project's Overview tab: the markdown description (rendered and sanitised by the
// server: a <script> in it shows as text and never runs), the summary chart and notes.
import { randomUUID } from "node:crypto";
import { runCli } from "./support/jobs";
import { expect, screenshot, test } from "./support/fixtures";
import { VISION } from "./support/seed";

const HOSTILE = [
  "# Findings",
  "",
  "The **baseline** holds.",
  "",
  '<script>window.__atlasPwned = "script"</script>',
  "",
  '<img src="x" onerror="window.__atlasPwned = \'img\'">',
  "",
  "[a link](javascript:window.__atlasPwned='link')",
].join("\n");

test("a description with a <script> in it is shown as text and never runs", async ({ page, jobEnv, project }) => {
  await runCli(jobEnv, ["projects", "create", project]);
  await page.goto(`/projects/${project}/overview`);
  await page.getByRole("button", { name: "Edit description" }).click();
  await page.getByLabel("Markdown").fill(HOSTILE);
  await page.getByRole("button", { name: "Save description" }).click();
  const shown = page.getByTestId("project-description");
  await expect(shown.getByRole("heading", { name: "Findings" })).toBeVisible();
  await expect(shown.locator("strong")).toHaveText("baseline");
  await expect(shown).toContainText('<script>window.__atlasPwned = "script"</script>');
  await expect(shown).toContainText("<img src=");
  await expect(shown.locator("script, img")).toHaveCount(0);
  await expect(shown.locator('a[href^="javascript:"]')).toHaveCount(0);
  await shown.getByText("a link").click();
  expect(await page.evaluate(() => (window as unknown as { __atlasPwned?: string }).__atlasPwned)).toBeUndefined();

  await page.reload();
  await expect(shown.getByRole("heading", { name: "Findings" })).toBeVisible();
  await expect(shown.locator("script, img")).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __atlasPwned?: string }).__atlasPwned)).toBeUndefined();
  await page.goto("/");
  await expect(page.locator(`[data-project="${project}"]`)).toContainText("Findings");
});

test("the overview charts a metric across jobs and keeps notes", async ({ page }) => {
  await page.goto(`/projects/${VISION}/overview`);
  await expect(page.getByTestId("project-description")).toContainText("Image classifiers on CIFAR-10");
  await expect(page.getByTestId("project-description").locator("strong")).toHaveText("CIFAR-10");
  const chart = page.locator("section", { has: page.getByRole("heading", { name: "Metric across jobs" }) });
  await page.getByLabel("Metric", { exact: true }).selectOption("loss");
  await page.getByLabel("Summary").selectOption("min");
  await expect(page).toHaveURL(/metric=loss/);
  await expect(chart).toContainText("5 jobs by launch time");
  await expect(chart.locator("canvas")).toBeVisible();
  const text = `lr 0.01 wins ${randomUUID().slice(0, 6)}`;
  await page.getByLabel("Note", { exact: true }).fill(text);
  await page.getByLabel("Author").fill("ana");
  await page.getByRole("button", { name: "Add note" }).click();
  const notes = page.getByRole("list", { name: "Notes" });
  await expect(notes.getByText(text)).toBeVisible();
  await expect(notes.locator("li").filter({ hasText: text })).toContainText("ana");
  await screenshot(page, "project-overview");
});
