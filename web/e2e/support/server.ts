// A real `atlas server --port 0` with its own ATLAS_HOME, as a user starts it: the URL is
// read from what it prints, then /healthz is polled with a deadline.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { join } from "node:path";
import { atlasPython } from "./paths";

const URL_LINE = /serving (http:\/\/\S+)/;
const START_DEADLINE_MS = 60_000;
const STOP_DEADLINE_MS = 30_000;

/** A running server: its URL, its home and how to stop it. */
export interface RunningServer {
  url: string;
  home: string;
  logPath: string;
  stop(): Promise<void>;
}

function serverEnv(home: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith("ATLAS_")),
  );
  // Two CPU slots and two GPUs by index (no NVML needed), whatever the machine has, so the
  // scheduler view shows the same resources everywhere.
  return { ...clean, ATLAS_HOME: home, ATLAS_CPUS: "2", ATLAS_GPUS: "0,1", PYTHONUNBUFFERED: "1", ...extra };
}

function logTail(logPath: string): string {
  return readFileSync(logPath, "utf8").slice(-3000);
}

function waitForUrl(child: ChildProcess, logPath: string): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    let printed = "";
    const timer = setTimeout(() => {
      reject(new Error(`atlas server printed no URL in time:\n${logTail(logPath)}`));
    }, START_DEADLINE_MS);
    child.stdout?.on("data", (chunk: Buffer) => {
      printed += chunk.toString();
      const match = URL_LINE.exec(printed);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`atlas server exited with ${code}:\n${logTail(logPath)}`));
    });
  });
}

async function waitHealthy(url: string, logPath: string): Promise<void> {
  const deadline = Date.now() + START_DEADLINE_MS;
  while (Date.now() < deadline) {
    try {
      const answer = await fetch(`${url}/healthz`);
      if (answer.ok) return;
    } catch {
      // not listening yet: poll again
    }
    await new Promise((wake) => setTimeout(wake, 50));
  }
  throw new Error(`atlas server never answered /healthz:\n${logTail(logPath)}`);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolveStop) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolveStop();
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_DEADLINE_MS);
      child.on("exit", () => {
        clearTimeout(timer);
        resolveStop();
      });
      child.kill("SIGTERM");
    });
}

/** Start `atlas server --port 0 --home HOME` and return once /healthz answers; it logs to
 * HOME/LOG_NAME (a second server on the same home needs a log of its own). `env` adds
 * settings (e.g. ATLAS_AUTH=on). */
export async function startServer(home: string, logName = "server.log", env: NodeJS.ProcessEnv = {}): Promise<RunningServer> {
  const logPath = join(home, logName);
  const log = createWriteStream(logPath);
  const child = spawn(
    atlasPython(),
    ["-m", "atlas", "server", "--port", "0", "--home", home, "--log-level", "warning"],
    { cwd: home, env: serverEnv(home, env), stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const stop = stopper(child);
  try {
    const url = await waitForUrl(child, logPath);
    await waitHealthy(url, logPath);
    return { url, home, logPath, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
