// A second real server, with authentication on, for the sign-in, roles, members, tokens and
// users tests: its first admin is made with `atlas users add` before it starts (as an
// operator does), everything else through its API with the admin's token.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { atlasPython } from "./paths";
import { startServer, type RunningServer } from "./server";

export interface Account {
  name: string;
  password: string;
}

/** The instance admin, made by the CLI. */
export const ADMIN: Account = { name: "admin", password: "admin-password-1" };
/** A viewer of TEAM_PROJECT. */
export const VIEWER: Account = { name: "vic", password: "viewer-password-1" };
/** An owner of TEAM_PROJECT, and the only owner of SOLO_PROJECT. */
export const OWNER: Account = { name: "eda", password: "owner-password-1" };
/** A user with no role anywhere, whom the owner adds. */
export const NEWCOMER: Account = { name: "nia", password: "newcomer-password-1" };

export const TEAM_PROJECT = "team-vision";
export const SOLO_PROJECT = "solo";

export interface TeamServer extends RunningServer {
  /** The admin's API token (setup calls; never what the browser uses). */
  token: string;
  /** A running job of TEAM_PROJECT. */
  runningJob: string;
}

function cleanEnv(home: string): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("ATLAS_")));
  return { ...clean, ATLAS_HOME: home, PYTHONUNBUFFERED: "1" };
}

/** `atlas users add NAME --admin --password-stdin --home HOME`, on the server's database. */
function addAdminWithCli(home: string, account: Account): Promise<void> {
  return new Promise((resolveAdd, reject) => {
    const child = spawn(atlasPython(), ["-m", "atlas", "users", "add", account.name, "--admin", "--password-stdin", "--home", home], {
      cwd: home,
      env: cleanEnv(home),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolveAdd() : reject(new Error(`atlas users add exited ${code}:\n${output}`))));
    child.stdin.end(`${account.password}\n`);
  });
}

/** One API call made with the admin's token; a failure throws with the server's answer. */
export async function teamApi<T>(server: { url: string; token: string }, method: string, path: string, body?: unknown): Promise<T> {
  const answer = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${server.token}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${await answer.text()}`);
  return (answer.status === 204 ? undefined : await answer.json()) as T;
}

/** Log in as `account` through the API and make a token with the session (as `atlas login
 * --user` does). */
export async function tokenFor(url: string, account: Account): Promise<string> {
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: account.name, password: account.password }),
  });
  if (!login.ok) throw new Error(`login as ${account.name}: ${login.status} ${await login.text()}`);
  const { csrf_token: csrf } = (await login.json()) as { csrf_token: string };
  const cookie = login.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
  const created = await fetch(`${url}/api/v1/tokens`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Cookie: cookie, "X-CSRF-Token": csrf },
    body: JSON.stringify({ name: "e2e setup", expires_in: 86_400, project: null, role: null }),
  });
  if (!created.ok) throw new Error(`token for ${account.name}: ${created.status} ${await created.text()}`);
  return ((await created.json()) as { secret: string }).secret;
}

/** Start the server with auth on and fill it: users, two projects with members, a running job. */
export async function startTeamServer(): Promise<TeamServer & { remove(): Promise<void> }> {
  const home = mkdtempSync(join(tmpdir(), "atlas-e2e-team-"));
  await addAdminWithCli(home, ADMIN);
  const server = await startServer(home, "server.log", { ATLAS_AUTH: "on" });
  try {
    const token = await tokenFor(server.url, ADMIN);
    const team = { url: server.url, token };
    for (const account of [VIEWER, OWNER, NEWCOMER]) {
      await teamApi(team, "POST", "/users", { name: account.name, password: account.password, admin: false });
    }
    await teamApi(team, "POST", "/projects", { name: TEAM_PROJECT, description: "Shared **vision** work." });
    await teamApi(team, "PUT", `/projects/${TEAM_PROJECT}/members/${VIEWER.name}`, { role: "viewer" });
    await teamApi(team, "PUT", `/projects/${TEAM_PROJECT}/members/${OWNER.name}`, { role: "owner" });
    await teamApi(team, "POST", "/projects", { name: SOLO_PROJECT, description: "" });
    await teamApi(team, "PUT", `/projects/${SOLO_PROJECT}/members/${OWNER.name}`, { role: "owner" });
    await teamApi(team, "DELETE", `/projects/${SOLO_PROJECT}/members/${ADMIN.name}`);
    const job = await teamApi<{ id: string }>(team, "POST", "/jobs", { project: TEAM_PROJECT, name: "long-run", params: { lr: 0.1 } });
    return {
      ...server,
      token,
      runningJob: job.id,
      remove: async () => {
        await server.stop();
        if (process.env.ATLAS_E2E_KEEP) console.log(`e2e: kept ${home}`);
        else rmSync(home, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
