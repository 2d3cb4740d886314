// The machines jobs run on: a server whose machine has labels (the setting `labels`) shows
// them in the scheduler view, still as one machine without cluster chrome, and a job that
// asked for a label shows it, with the node it ran on, on its page.
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "./support/fixtures";
import { submit } from "./support/seed";
import { startServer } from "./support/server";

test("one machine with labels: the scheduler lists it and a job shows its node and labels", async ({ page, suite }) => {
  // a home of its own: the suite's server holds the scheduler's lock on its home
  const home = mkdtempSync(join(suite.scratch, "labels-home-"));
  const server = await startServer(home, "server.log", { ATLAS_LABELS: "gpu_type=a100,zone=b" });
  const tag = randomUUID().slice(0, 6);
  const signal = join(suite.scratch, `hold-${tag}.go`);
  try {
    const env = { url: server.url, scratch: suite.scratch };
    const id = await submit(env, `labelled-${tag}`, [
      "--no-follow", "--gpus", "1", "--label", "gpu_type=a100", "--param", `wait_for=${signal}`, "--param", "steps=3",
    ]);
    await page.goto(`${server.url}/scheduler`);
    await expect(page.getByRole("heading", { name: "Scheduler" })).toBeVisible();
    const labels = page.getByRole("list", { name: "Labels of this machine" });
    await expect(labels.getByTestId("label-chip")).toHaveText(["gpu_type=a100", "zone=b"]);
    // one machine: its resources and GPUs, no node cards
    await expect(page.getByRole("heading", { name: /^Nodes/ })).toHaveCount(0);
    await expect(page.getByTestId("node-card")).toHaveCount(0);
    const running = page.getByTestId("running-row").filter({ hasText: `labelled-${tag}` });
    await expect(running).toBeVisible({ timeout: 20_000 });
    await expect(running).toContainText("1 GPU · GPU 0 · gpu_type=a100");
    await expect(page.getByTestId("gpu-row").filter({ has: page.getByRole("link", { name: id }) })).toHaveCount(1);

    await page.goto(`${server.url}/jobs/${id}`);
    const resources = page.getByRole("region", { name: "Resources and GPUs" });
    await expect(resources.getByTestId("job-node")).toHaveText("this server's machine");
    await expect(resources.getByRole("list", { name: "Node labels asked for" })).toHaveText("gpu_type=a100");
    await expect(resources).toContainText("gpu_indices");
  } finally {
    await page.goto("about:blank"); // stop polling the server before it stops
    writeFileSync(signal, "go"); // never leave a job holding the machine
    await server.stop();
  }
});
