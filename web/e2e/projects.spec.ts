// The projects page: what the seed jobs and the CLI made, a project appearing while the page
// is open, rename and delete with a confirmation that says what goes.
import { runCli, runJob } from "./support/jobs";
import { expect, screenshot, test } from "./support/fixtures";
import { EMPTY, NLP, VISION } from "./support/seed";

test("lists every project with its description, job counts and tags", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Projects" })).toBeVisible();
  const list = page.getByRole("list", { name: "Projects" });
  const vision = list.locator(`[data-project="${VISION}"]`);
  await expect(vision.getByRole("link", { name: VISION })).toBeVisible();
  await expect(vision.getByTestId("project-summary")).toHaveText("Image classifiers on CIFAR-10. ResNet sweeps over the learning rate.");
  await expect(vision.locator('[data-status="completed"]')).toBeVisible();
  await expect(vision.locator('[data-status="failed"]')).toBeVisible();
  await expect(vision.getByLabel("Tags in use")).toContainText("stage");
  await expect(list.locator(`[data-project="${NLP}"]`)).toContainText("1");
  await expect(list.locator(`[data-project="${EMPTY}"]`)).toContainText("no jobs");
  await screenshot(page, "projects");
});

test("a description reads as text in the list: its markdown marks go and its HTML never runs", async ({ page, jobEnv, project }) => {
  const description = "Trying **bold** ideas <script>window.__atlasInjected = 1</script>\n\n## Next\n- [the plan](https://example.org)";
  await runCli(jobEnv, ["projects", "create", project, "--description", description]);
  await page.goto("/");
  const row = page.locator(`[data-project="${project}"]`);
  await expect(row.getByTestId("project-summary")).toHaveText("Trying bold ideas <script>window.__atlasInjected = 1</script> Next");
  await expect(row.getByTestId("project-summary").locator("*")).toHaveCount(0); // text only: no bold, no link
  await expect(row.locator("script")).toHaveCount(0);
  expect(await page.evaluate(() => "__atlasInjected" in window)).toBe(false);
});

test("a project made by a new job appears without a reload", async ({ page, jobEnv, project }) => {
  await page.goto("/");
  await expect(page.getByRole("list", { name: "Projects" })).toBeVisible();
  await runJob(jobEnv, { project, name: "first", params: { lr: 0.1 }, steps: 5 });
  const row = page.locator(`[data-project="${project}"]`);
  await expect(row).toBeVisible({ timeout: 20_000 });
  await expect(row.locator('[data-status="completed"]')).toBeVisible();
});

test("renames a project, then deletes it after a confirmation naming its jobs", async ({ page, jobEnv, project }) => {
  await runCli(jobEnv, ["projects", "create", project, "--description", "to be deleted"]);
  await runJob(jobEnv, { project, name: "only-job", steps: 3 });
  await page.goto("/");
  const row = page.locator(`[data-project="${project}"]`);
  await row.getByRole("button", { name: `Rename project ${project}` }).click();
  await row.getByLabel(`New name for ${project}`).fill(`${project}-2`);
  await row.getByRole("button", { name: "Save" }).click();
  const renamed = page.locator(`[data-project="${project}-2"]`);
  await expect(renamed.getByRole("link", { name: `${project}-2` })).toBeVisible();
  await expect(row).toHaveCount(0);

  await renamed.getByRole("button", { name: `Delete project ${project}-2` }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText(`Delete project “${project}-2”?`);
  await expect(dialog).toContainText("1 job");
  await dialog.getByRole("button", { name: "Delete project" }).click();
  await expect(renamed).toHaveCount(0);
  await page.reload();
  await expect(page.locator(`[data-project="${VISION}"]`)).toBeVisible();
  await expect(page.locator(`[data-project="${project}-2"]`)).toHaveCount(0);
});
