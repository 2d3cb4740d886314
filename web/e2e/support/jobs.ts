// Real jobs and CLI calls: Python subprocesses that `import atlas` (web/e2e/jobs/train.py) or
// run `python -m atlas ...`, against the suite's server. Nothing here talks to the API itself.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { join, resolve } from "node:path";
import { atlasPython, jobsDir } from "./paths";

/** What train.py does; see its docstring. */
export interface JobSpec {
  /** The script in web/e2e/jobs that runs the job (train.py unless named). */
  script?: string;
  project: string;
  name: string;
  params?: Record<string, unknown>;
  tags?: Record<string, string>;
  steps?: number;
  media?: boolean;
  fail?: boolean;
  wait_for?: string;
  extra_metrics?: Record<string, number | string>;
  /** rich_media.py: the steps its images and histograms are logged at, and how far its
   * values and colours are moved (so two jobs differ). */
  media_steps?: number[];
  shift?: number;
  /** search.py: how many jobs it runs one after another, and the index of the first. */
  runs?: number;
  first?: number;
}

/** Where the jobs run: the server's URL and a scratch folder for their homes and files. */
export interface JobEnv {
  url: string;
  scratch: string;
}

/** How a job or CLI call ended. */
export interface Outcome {
  code: number | null;
  output: string;
}

/** A job that was started: its id once printed, and its end. */
export interface StartedJob {
  process: ChildProcess;
  id: Promise<string>;
  done: Promise<Outcome>;
}

const JOB_LINE = /^ATLAS_E2E_JOB (.+)$/m;

function childEnv(env: JobEnv, user: string): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith("ATLAS_")),
  );
  return {
    ...clean,
    ATLAS_URL: env.url,
    ATLAS_HOME: join(env.scratch, "sdk-home"),
    PYTHONUNBUFFERED: "1",
    USER: user,
    LOGNAME: user,
    COLUMNS: "200",
  };
}

function collect(child: ChildProcess, what: string, timeoutMs: number): Promise<Outcome> {
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${what} did not end within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output });
    });
  });
}

/** Start train.py (or `spec.script`) with `spec` as user `user` in a fresh working folder. */
export function startJob(env: JobEnv, spec: JobSpec, user = "ana"): StartedJob {
  const cwd = mkdtempSync(join(env.scratch, "job-"));
  const child = spawn(atlasPython(), [resolve(jobsDir, spec.script ?? "train.py"), JSON.stringify(spec)], {
    cwd,
    env: childEnv(env, user),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const done = collect(child, `job ${spec.name}`, 120_000);
  const id = new Promise<string>((resolveId, reject) => {
    let seen = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const match = JOB_LINE.exec(seen);
      if (match?.[1]) resolveId((JSON.parse(match[1]) as { id: string }).id);
    });
    done.then(
      (outcome) => reject(new Error(`job ${spec.name} printed no id:\n${outcome.output}`)),
      reject,
    );
  });
  id.catch(() => undefined); // a job that ends first rejects `id`; callers that await it see it
  return { process: child, id, done };
}

/** Run train.py to its end and return the job's id; a job must end as `spec.fail` says. */
export async function runJob(env: JobEnv, spec: JobSpec, user = "ana"): Promise<string> {
  const job = startJob(env, spec, user);
  const outcome = await job.done;
  const expected = spec.fail ? 1 : 0;
  if (outcome.code !== expected) {
    throw new Error(`job ${spec.name} exited ${outcome.code}, not ${expected}:\n${outcome.output}`);
  }
  return job.id;
}

/** Run `atlas --url URL ARGS...` and return what it printed; a non-zero exit throws. */
export async function runCli(env: JobEnv, args: string[]): Promise<string> {
  const child = spawn(atlasPython(), ["-m", "atlas", "--url", env.url, ...args], {
    cwd: env.scratch,
    env: childEnv(env, "ana"),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const outcome = await collect(child, `atlas ${args.join(" ")}`, 60_000);
  if (outcome.code !== 0) {
    throw new Error(`atlas ${args.join(" ")} exited ${outcome.code}:\n${outcome.output}`);
  }
  return outcome.output;
}
