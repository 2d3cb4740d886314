// A team server (auth on): sign-in and its errors, coming back to the page that asked, the
// user menu and logout, controls a viewer may not use, project members, API tokens and the
// admin's users page. Runs against its own server (support/team.ts); the rest of the suite
// runs with auth off, where none of this shows (the last test checks that).
import type { Page } from "@playwright/test";
import { expect, screenshot, test as base } from "./support/fixtures";
import { ADMIN, NEWCOMER, OWNER, SOLO_PROJECT, startTeamServer, TEAM_PROJECT, VIEWER, type Account, type TeamServer } from "./support/team";

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

// The browser logs the API's refusals that these tests cause on purpose.
test.use({ consoleAllow: [/status of (401 \(Unauthorized\)|409 \(Conflict\)|429 \(Too Many Requests\))/] });

async function signIn(page: Page, account: Account, path = "/"): Promise<void> {
  await page.goto(path);
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel("User name").fill(account.name);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

test("a wrong password is said in words; the right one opens the projects", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await expect(page.getByTestId("user-menu")).toHaveCount(0);
  await screenshot(page, "login");
  await page.getByLabel("User name").fill(ADMIN.name);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("login-error")).toHaveText("Wrong user name or password");
  await expect(page).toHaveURL(/\/login$/);

  await page.getByLabel("Password").fill(ADMIN.password);
  const started = Date.now();
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator(`[data-project="${TEAM_PROJECT}"]`).getByRole("link", { name: TEAM_PROJECT })).toBeVisible();
  // the issue's target is 1 s; timing belongs to the GUI benchmark, so it is reported here, not asserted
  console.log(`e2e: sign-in to the first project shown: ${Date.now() - started} ms`);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId("user-menu")).toContainText(ADMIN.name);
});

test("a failed single sign-on is said on the login page; no SSO button without a provider", async ({ page }) => {
  await page.goto("/login?error=sso_failed");
  await expect(page.getByTestId("login-notice")).toHaveText("Single sign-on did not work. Try again, or sign in with your user name and password.");
  await expect(page.getByRole("link", { name: /Sign in with/ })).toHaveCount(0);
});

test("sign-in comes back to the page that asked for it, and never leaves the site", async ({ page }) => {
  await signIn(page, OWNER, `/projects/${TEAM_PROJECT}/members`);
  await expect(page).toHaveURL(new RegExp(`/projects/${TEAM_PROJECT}/members$`));
  await expect(page.getByRole("table", { name: "Project members" })).toBeVisible();

  await page.context().clearCookies();
  await page.goto("/login?next=//evil.example/x");
  await page.getByLabel("User name").fill(OWNER.name);
  await page.getByLabel("Password").fill(OWNER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Projects", exact: true })).toBeVisible();
  expect(new URL(page.url()).host).toBe(new URL(test.info().project.use.baseURL ?? page.url()).host);
});

test("the user menu says who is signed in and logs out", async ({ page }) => {
  await signIn(page, VIEWER);
  await page.getByTestId("user-menu").click();
  const menu = page.getByRole("menu", { name: "User menu" });
  await expect(menu).toContainText(VIEWER.name);
  await expect(menu.getByRole("menuitem", { name: "API tokens" })).toBeVisible();
  await expect(menu.getByRole("menuitem", { name: "Change password" })).toBeVisible();
  await expect(menu.getByRole("menuitem", { name: "Users" })).toHaveCount(0); // not an admin
  await menu.getByRole("menuitem", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto(`/projects/${TEAM_PROJECT}`);
  await expect(page).toHaveURL(/\/login\?next=/);
});

test("a session that ends sends the next call to the login page", async ({ page }) => {
  await signIn(page, VIEWER);
  await expect(page.locator(`[data-project="${TEAM_PROJECT}"]`)).toBeVisible();
  await page.context().clearCookies(); // as when the session expires
  await page.goto(`/projects/${TEAM_PROJECT}/overview`);
  await expect(page).toHaveURL(new RegExp(`/login\\?next=${encodeURIComponent(`/projects/${TEAM_PROJECT}/overview`)}`));
});

test("a viewer sees what they may not do, and why", async ({ page, team }) => {
  await signIn(page, VIEWER);
  const row = page.locator(`[data-project="${TEAM_PROJECT}"]`);
  await expect(row.getByRole("button", { name: `Rename project ${TEAM_PROJECT}` })).toBeDisabled();
  await expect(row.getByRole("button", { name: `Delete project ${TEAM_PROJECT}` })).toHaveAttribute("title", /only owners can delete the project/);
  await expect(page.locator(`[data-project="${SOLO_PROJECT}"]`)).toHaveCount(0); // no role there: not listed

  await page.goto(`/jobs/${team.runningJob}`);
  const stop = page.getByRole("button", { name: "Stop" });
  await expect(stop).toBeDisabled();
  await expect(stop).toHaveAttribute("title", /editors and owners can cancel jobs/);
  // the job was made through the API as a Python run: it has nothing to rerun
  await expect(page.getByRole("button", { name: "Rerun" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Add tag" })).toBeDisabled();

  await page.goto(`/projects/${TEAM_PROJECT}/overview`);
  await expect(page.getByRole("button", { name: "Edit description" })).toHaveAttribute("title", /editors and owners can edit the description/);
  await expect(page.getByRole("button", { name: "Add note" })).toBeDisabled();

  await page.goto(`/projects/${TEAM_PROJECT}/members`);
  await expect(page.getByRole("table", { name: "Project members" })).toContainText(OWNER.name);
  await expect(page.getByLabel(`Role of ${OWNER.name}`)).toBeDisabled();
  await expect(page.getByRole("button", { name: "Add member" })).toHaveAttribute("title", /only owners can manage members/);
});

test("an owner adds a member and changes their role; the last owner stays", async ({ page }) => {
  await signIn(page, OWNER, `/projects/${TEAM_PROJECT}/members`);
  await page.getByLabel("Add", { exact: true }).fill(NEWCOMER.name);
  await page.getByLabel("as", { exact: true }).selectOption("editor");
  await page.getByRole("button", { name: "Add member" }).click();
  const added = page.locator(`[data-member="${NEWCOMER.name}"]`);
  await expect(added.getByLabel(`Role of ${NEWCOMER.name}`)).toHaveValue("editor");
  await screenshot(page, "members");
  await added.getByLabel(`Role of ${NEWCOMER.name}`).selectOption("viewer");
  await expect(page.getByText(`${NEWCOMER.name} is viewer of ${TEAM_PROJECT}`)).toBeVisible();
  await added.getByRole("button", { name: `Remove ${NEWCOMER.name}` }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Remove member" }).click();
  await expect(added).toHaveCount(0);

  await page.goto(`/projects/${TEAM_PROJECT}/overview`);
  await expect(page.getByText(`as ${OWNER.name}`)).toBeVisible(); // the server writes who signed in
  await page.getByRole("textbox", { name: "Note" }).fill("Kept lr 0.1 for the next sweep.");
  await page.getByRole("button", { name: "Add note" }).click();
  await expect(page.getByRole("list", { name: "Notes" }).getByRole("listitem").first()).toContainText(OWNER.name);

  await page.goto(`/projects/${SOLO_PROJECT}/members`);
  await page.getByLabel(`Role of ${OWNER.name}`).selectOption("editor");
  await expect(page.getByTestId("members-error")).toHaveText(`${OWNER.name} is the last owner: a project always keeps one. Make someone else owner first.`);
  await page.reload();
  await expect(page.getByLabel(`Role of ${OWNER.name}`)).toHaveValue("owner");
});

test("a new token's secret is shown once, works, and stops working once revoked", async ({ page, team }) => {
  await signIn(page, VIEWER);
  await page.getByTestId("user-menu").click();
  await page.getByRole("menuitem", { name: "API tokens" }).click();
  await expect(page.getByRole("heading", { name: "API tokens" })).toBeVisible();
  await page.getByLabel("Name").fill("laptop");
  await page.getByLabel("Expires").selectOption({ label: "In 7 days" });
  await page.getByLabel("Project").selectOption(TEAM_PROJECT);
  await page.getByRole("button", { name: "Create token" }).click();
  const secretBox = page.getByTestId("token-secret");
  await expect(secretBox).toHaveValue(/^atlas_/);
  await expect(page.getByTestId("new-secret")).toContainText("will not show it again");
  await expect(page.getByTestId("new-secret").getByRole("button", { name: "Copy" })).toBeVisible();
  await screenshot(page, "tokens");
  const secret = await secretBox.inputValue();

  const asToken = (path: string) => fetch(`${team.url}/api/v1${path}`, { headers: { Authorization: `Bearer ${secret}` } });
  const me = (await (await asToken("/auth/me")).json()) as { user: { name: string } };
  expect(me.user.name).toBe(VIEWER.name);

  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByTestId("new-secret")).toHaveCount(0);
  await page.reload();
  const row = page.locator('[data-token="laptop"]');
  await expect(row).toContainText(`${TEAM_PROJECT} as viewer`);
  await expect(page.getByText(secret)).toHaveCount(0);
  await row.getByRole("button", { name: "Revoke token laptop" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke token" }).click();
  await expect(row).toHaveCount(0);
  expect((await asToken("/projects")).status).toBe(401);
});

test("an admin adds a user, who signs in, disables, enables and resets their password", async ({ page, browser, team }) => {
  await signIn(page, ADMIN);
  await page.getByTestId("user-menu").click();
  await page.getByRole("menuitem", { name: "Users" }).click();
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
  await page.getByLabel("User name").fill("zoe");
  await page.getByLabel("Password", { exact: true }).fill("zoe-password-1");
  await page.getByRole("button", { name: "Add user" }).click();
  const row = page.locator('[data-user="zoe"]');
  await expect(row.getByTestId("user-status")).toHaveText("active");
  await screenshot(page, "users");

  const other = await browser.newContext({ baseURL: team.url });
  const zoe = await other.newPage();
  await signIn(zoe, { name: "zoe", password: "zoe-password-1" });
  await expect(zoe.getByRole("heading", { name: "Projects", exact: true })).toBeVisible();
  await expect(zoe.getByRole("region", { name: "No projects yet" })).toContainText(`atlas login ${team.url} --token`);

  await row.getByRole("button", { name: "Disable zoe" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Disable user" }).click();
  await expect(row.getByTestId("user-status")).toHaveText("disabled");
  await zoe.reload();
  await expect(zoe).toHaveURL(/\/login/);
  await zoe.getByLabel("User name").fill("zoe");
  await zoe.getByLabel("Password").fill("zoe-password-1");
  await zoe.getByRole("button", { name: "Sign in" }).click();
  await expect(zoe.getByTestId("login-error")).toHaveText("Wrong user name or password");
  await other.close();

  await row.getByRole("button", { name: "Enable zoe" }).click();
  await expect(row.getByTestId("user-status")).toHaveText("active");
  await row.getByRole("button", { name: "Reset the password of zoe" }).click();
  await page.getByRole("dialog", { name: "Reset the password of zoe" }).getByLabel("New password for zoe").fill("zoe-password-2");
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByText("zoe: password reset")).toBeVisible();
  const again = await browser.newContext({ baseURL: team.url });
  await signIn(await again.newPage(), { name: "zoe", password: "zoe-password-2" });
  await again.close();
  await row.getByRole("button", { name: "Make admin" }).click();
  await expect(row).toContainText("admin");
});

test("too many wrong passwords for one name make the page say how long to wait", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("User name").fill("ghost");
  for (let i = 0; i < 5; i++) {
    await page.getByLabel("Password").fill(`wrong-${i}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("login-error")).toHaveText("Wrong user name or password");
  }
  await page.getByLabel("Password").fill("wrong-again");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("login-error")).toHaveText(/^Too many attempts; try again in \d+ s$/);
});

test("a user changes their own password and signs in with the new one", async ({ page }) => {
  await signIn(page, NEWCOMER);
  await page.getByTestId("user-menu").click();
  await page.getByRole("menuitem", { name: "Change password" }).click();
  await page.getByLabel("Current password").fill("not-my-password");
  await page.getByLabel("New password", { exact: true }).fill("a-new-password-2");
  await page.getByLabel("New password again").fill("a-new-password-2");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("alert")).toHaveText("The current password is wrong.");
  await expect(page).toHaveURL(/\/settings\/password$/); // a wrong password is not a lost session
  await page.getByLabel("Current password").fill(NEWCOMER.password);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Use the new password from now on.")).toBeVisible();
  await page.getByTestId("user-menu").click();
  await page.getByRole("menuitem", { name: "Log out" }).click();
  await signIn(page, { name: NEWCOMER.name, password: "a-new-password-2" });
  await expect(page.getByTestId("user-menu")).toContainText(NEWCOMER.name);
});

test("with auth off there is no sign-in, no user menu and no members tab", async ({ page, suite }) => {
  await page.goto(`${suite.url}/`);
  await expect(page.getByRole("heading", { name: "Projects", exact: true })).toBeVisible();
  await expect(page.getByTestId("user-menu")).toHaveCount(0);
  await page.goto(`${suite.url}/projects/vision`);
  await expect(page.getByRole("navigation", { name: "Project sections" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Members" })).toHaveCount(0);
  await page.goto(`${suite.url}/login`);
  await expect(page.getByRole("heading", { name: "Projects", exact: true })).toBeVisible();
});
