// Starts one real `atlas server --port 0` with a temporary ATLAS_HOME, checks that it serves
// the built GUI, fills it through real jobs and the CLI, and hands the tests its URL and the
// seed jobs' ids through a state file named by $ATLAS_E2E_STATE. Returns the teardown.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seed } from "./support/seed";
import { startServer } from "./support/server";
import type { SuiteState } from "./support/state";

async function checkGuiBuilt(url: string): Promise<void> {
  const page = await (await fetch(`${url}/`)).text();
  if (!page.includes('type="module"')) {
    throw new Error(
      "atlas server does not serve a built GUI: run `make setup` (it builds web/ into " +
        "src/atlas/server/static). The server answered:\n" +
        page.slice(0, 500),
    );
  }
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const root = mkdtempSync(join(tmpdir(), "atlas-e2e-"));
  const home = join(root, "home");
  const scratch = join(root, "scratch");
  mkdirSync(home, { recursive: true });
  mkdirSync(scratch, { recursive: true });
  const server = await startServer(home);
  try {
    await checkGuiBuilt(server.url);
    const started = Date.now();
    const ids = await seed({ url: server.url, scratch });
    console.log(`e2e: ${server.url} filled by ${Object.keys(ids).length} jobs in ${Date.now() - started} ms`);
    const state: SuiteState = { url: server.url, home, scratch, ids };
    const statePath = join(root, "state.json");
    writeFileSync(statePath, JSON.stringify(state));
    process.env.ATLAS_E2E_STATE = statePath;
  } catch (error) {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  return async () => {
    await server.stop();
    if (process.env.ATLAS_E2E_KEEP) console.log(`e2e: kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  };
}
