// A server that dispatches to a real Ray cluster of four nodes on loopback (2 CPUs and 2 fake
// GPUs each, one labelled gpu_type=a100; e2e/support/ray_cluster.py): the scheduler view
// lists every node as a card with its labels, GPUs and jobs, a running job names its node,
// and the job page shows where the job ran and the labels it asked for.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { expect, screenshot, test } from "./support/fixtures";
import { atlasPython, repoRoot } from "./support/paths";
import { submit } from "./support/seed";
import { startServer } from "./support/server";

const RAY_LINE = /^ATLAS_E2E_RAY (\S+)$/m;
const RAY_START_MS = 180_000;
const RAY_STOP_MS = 60_000;

interface RayCluster {
  address: string;
  stop(): Promise<void>;
}

/** Ray's processes inherit this environment: the repository's Python comes first on PATH,
 * so `python main.py` runs where Atlas is installed, and Ray stays on loopback. */
function rayEnv(): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("ATLAS_")));
  return {
    ...clean,
    PATH: `${dirname(atlasPython())}:${process.env.PATH ?? ""}`,
    PYTHONPATH: repoRoot,
    PYTHONUNBUFFERED: "1",
    RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER: "0",
  };
}

/** Start the cluster and return once its dashboard lists every node; stopping closes the
 * helper's standard input, on which it shuts the cluster down. */
function startRay(): Promise<RayCluster> {
  const child = spawn(atlasPython(), [join(repoRoot, "web", "e2e", "support", "ray_cluster.py")], {
    cwd: repoRoot,
    env: rayEnv(),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  const stop = () =>
    new Promise<void>((resolveStop) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolveStop();
      const timer = setTimeout(() => child.kill("SIGKILL"), RAY_STOP_MS);
      child.on("exit", () => {
        clearTimeout(timer);
        resolveStop();
      });
      child.stdin?.end();
    });
  return new Promise((resolveCluster, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the Ray cluster did not start in time:\n${output.slice(-3000)}`));
    }, RAY_START_MS);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = RAY_LINE.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveCluster({ address: match[1], stop });
      }
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the Ray cluster helper exited with ${code}:\n${output.slice(-3000)}`));
    });
  });
}

test("a Ray cluster's nodes are cards in the scheduler view, and a job names its node", async ({ page, suite }) => {
  test.setTimeout(300_000);
  const ray = await startRay();
  const home = mkdtempSync(join(suite.scratch, "ray-home-"));
  const tag = randomUUID().slice(0, 6);
  const signal = join(suite.scratch, `hold-${tag}.go`);
  try {
    const server = await startServer(home, "server.log", {
      ATLAS_EXECUTOR: "ray",
      ATLAS_RAY_ADDRESS: ray.address,
      RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER: "0",
    });
    try {
      const env = { url: server.url, scratch: suite.scratch };
      const hold = ["--no-follow", "--param", `wait_for=${signal}`, "--param", "steps=3"];
      const a100 = await submit(env, `a100-${tag}`, [...hold, "--gpus", "1", "--label", "gpu_type=a100"]);
      await submit(env, `pair-${tag}`, [...hold, "--gpus", "2"]);
      await submit(env, `cpu-${tag}`, [...hold, "--cpus", "1"]);

      await page.goto(`${server.url}/scheduler`);
      await expect(page.getByRole("heading", { name: "Nodes (4)" })).toBeVisible();
      const cards = page.getByTestId("node-card");
      await expect(cards).toHaveCount(4);
      await expect(page.getByTestId("running-row")).toHaveCount(3, { timeout: 90_000 });
      await expect(page.getByText("GPUs: 3 of 8 held")).toBeVisible();
      // the labelled node shows its label and holds the job that asked for it
      const labelled = cards.filter({ has: page.getByTestId("label-chip") });
      await expect(labelled).toHaveCount(1);
      await expect(labelled.getByTestId("label-chip")).toHaveText("gpu_type=a100");
      const held = labelled.getByTestId("node-gpu").filter({ has: page.getByRole("link", { name: `a100-${tag}` }) });
      await expect(held).toHaveCount(1);
      await expect(labelled.getByRole("list", { name: /^Jobs running on / }).getByRole("link", { name: `a100-${tag}` })).toBeVisible();
      await expect(page.getByTestId("node-gone")).toHaveCount(0);
      // the running job's row names the node its card is titled with
      const title = (await labelled.getByRole("heading", { level: 3 }).textContent()) ?? "";
      expect(title).toMatch(/\S/);
      const row = page.getByTestId("running-row").filter({ hasText: `a100-${tag}` });
      await expect(row.getByTestId("job-node")).toHaveText(title);
      await screenshot(page, "scheduler-nodes");

      await row.getByRole("link", { name: `a100-${tag}` }).click();
      await expect(page).toHaveURL(new RegExp(`/jobs/${a100}`));
      const resources = page.getByRole("region", { name: "Resources and GPUs" });
      await expect(resources.getByTestId("job-node")).toContainText(title.split(" (")[0] ?? title);
      await expect(resources.getByRole("list", { name: "Node labels asked for" })).toHaveText("gpu_type=a100");
    } finally {
      await page.goto("about:blank"); // stop polling the server before it stops
      writeFileSync(signal, "go"); // never leave jobs holding the cluster
      await server.stop();
    }
  } finally {
    await ray.stop();
  }
});
