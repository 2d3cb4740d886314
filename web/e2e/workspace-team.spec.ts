// Saved views on a team server: an owner's view is shared with the project's viewer, who
// loads it but may not save, update or delete views (the controls say why).
import type { Page } from "@playwright/test";
import { expect, test as base } from "./support/fixtures";
import { OWNER, startTeamServer, TEAM_PROJECT, VIEWER, type Account, type TeamServer } from "./support/team";

const test = base.extend<object, { team: TeamServer }>({
  team: [
    async ({}, use) => {
      const server = await startTeamServer();
      await use(server);
      await server.remove();
    },
    { scope: "worker" },
  ],
  baseURL: async ({ team }, use) => use(team.url),
});

async function signIn(page: Page, account: Account, path: string): Promise<void> {
  await page.goto(path);
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel("User name").fill(account.name);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

test("a view saved by an owner is shared with a viewer, who may load it but not change views", async ({ page, browser, team }) => {
  await signIn(page, OWNER, `/projects/${TEAM_PROJECT}`);
  await page.getByRole("button", { name: "Hide the charts" }).click();
  await expect(page.getByTestId("workspace-charts")).toHaveCount(0);
  await page.getByTestId("views-menu").click();
  await page.getByLabel("New view name").fill("table only");
  await page.getByRole("button", { name: "Save as" }).click();
  await expect(page.getByTestId("views-menu")).toHaveText("View: table only");

  const other = await browser.newContext({ baseURL: team.url });
  const viewer = await other.newPage();
  await signIn(viewer, VIEWER, `/projects/${TEAM_PROJECT}`);
  await expect(viewer.getByTestId("workspace-charts")).toBeVisible();
  await viewer.getByTestId("views-menu").click();
  await expect(viewer.getByLabel("New view name")).toBeDisabled();
  await expect(viewer.getByRole("button", { name: "Save as" })).toBeDisabled();
  await expect(viewer.getByRole("button", { name: "Delete table only" })).toBeDisabled();
  await expect(viewer.getByTestId("views-panel")).toContainText("editors and owners can save views (your role here: viewer)");
  await viewer.getByRole("button", { name: "table only", exact: true }).click();
  await expect(viewer.getByTestId("views-menu")).toHaveText("View: table only");
  await expect(viewer.getByTestId("workspace-charts")).toHaveCount(0);
  await other.close();
});
