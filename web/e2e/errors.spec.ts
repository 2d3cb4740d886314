// What a user sees when there is nothing to show or the server refuses: empty states that
// teach, the server's error message and code, a page for unknown addresses; and the themes.
import { expect, screenshot, test } from "./support/fixtures";
import { EMPTY } from "./support/seed";

test("an empty project says how to send it a first job", async ({ page }) => {
  await page.goto(`/projects/${EMPTY}`);
  const empty = page.getByRole("region", { name: "No jobs in this project yet" });
  await expect(empty).toBeVisible();
  await expect(empty).toContainText(`ATLAS_PROJECT="${EMPTY}" python train.py`);
});

test.describe("a job that does not exist", () => {
  test.use({ consoleAllow: [/status of 404 \(Not Found\)/] });

  test("shows the server's message and code, not a blank page", async ({ page }) => {
    await page.goto("/jobs/0000000000000000");
    const alert = page.getByRole("alert").filter({ hasText: "job 0000000000000000 not found" }).first();
    await expect(alert).toBeVisible();
    await expect(alert).toContainText("not_found");
  });
});

test("an unknown address shows a page that leads back", async ({ page }) => {
  await page.goto("/no/such/page");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await page.getByRole("link", { name: "See the projects" }).click();
  await expect(page.getByRole("heading", { name: "Projects" })).toBeVisible();
});

test("the theme switches between light and dark and is kept", async ({ page }) => {
  await page.goto("/");
  const toggle = page.getByRole("button", { name: /^Theme: / });
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await expect(toggle).toHaveAccessibleName("Theme: Auto (light); change theme");
  const light = await background();
  await toggle.click();
  await expect(toggle).toHaveAccessibleName("Theme: Light; change theme");
  await toggle.click();
  await expect(toggle).toHaveAccessibleName("Theme: Dark; change theme");
  await expect.poll(background).not.toBe(light);
  await page.reload();
  await expect(page.getByRole("button", { name: "Theme: Dark; change theme" })).toBeVisible();
  await screenshot(page, "projects-dark");
});
