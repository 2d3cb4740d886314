// The data the suite browses, made by real jobs (train.py through the SDK) and the CLI.
import { resolve } from "node:path";
import { runCli, runJob, type JobEnv, type JobSpec } from "./jobs";
import { jobsDir } from "./paths";

/** The project most tests open: created with the CLI, filled by SDK jobs. */
export const VISION = "vision";
/** A second project, created by its first job (no CLI call). */
export const NLP = "nlp";
/** A project of jobs run by the scheduler (`atlas submit`). */
export const SCHEDULED = "scheduled";
/** The folder `atlas submit` snapshots. */
export const SUBMIT_DIR = resolve(jobsDir, "scheduled");
/** A project with no jobs, for the empty state. */
export const EMPTY = "empty-project";

export const VISION_DESCRIPTION =
  "Image classifiers on **CIFAR-10**.\n\nResNet sweeps over the learning rate.";

/** A name longer than any column: the GUI must show it without breaking the layout. */
export const LONG_NAME = `edge-${"very-long-name-".repeat(20)}end`;

interface SeedJob {
  spec: JobSpec;
  user: string;
}

const SEED: SeedJob[] = [
  {
    user: "ana",
    spec: {
      project: VISION,
      name: "resnet-lr0.1",
      params: { lr: 0.1, batch_size: 64, optimizer: "sgd", model: { layers: 18 } },
      tags: { stage: "baseline" },
      media: true,
    },
  },
  {
    user: "ben",
    spec: {
      project: VISION,
      name: "resnet-lr0.01",
      params: { lr: 0.01, batch_size: 128, optimizer: "adam", model: { layers: 34 } },
      tags: { stage: "prod" },
      media: true,
    },
  },
  {
    user: "ana",
    spec: {
      project: VISION,
      name: "resnet-lr0.001",
      params: { lr: 0.001, batch_size: 64, optimizer: "adam", model: { layers: 50 } },
      tags: { stage: "prod", reviewed: "" },
    },
  },
  {
    user: "ben",
    spec: {
      project: VISION,
      name: "diverged",
      params: { lr: 0.9, batch_size: 32, optimizer: "sgd", model: { layers: 18 } },
      tags: { stage: "baseline" },
      steps: 30,
      fail: true,
    },
  },
  {
    user: "chloe",
    spec: {
      project: VISION,
      name: LONG_NAME,
      params: { lr: 0.05, note: "x".repeat(500), model: { layers: 1000000000 } },
      tags: { stage: "edge" },
      steps: 20,
      extra_metrics: { huge: 1e300, tiny: 1e-300, neg_inf: "-inf", not_a_number: "nan" },
    },
  },
  {
    user: "dev",
    spec: {
      project: NLP,
      name: "bert-base",
      params: { lr: 0.00003, model: { name: "bert-base-uncased" } },
      tags: { data: "v2" },
      steps: 50,
    },
  },
];

/** Job ids by name. */
export type SeedIds = Record<string, string>;

/** Create the projects with the CLI and run the seed jobs (a few at a time). */
export async function seed(env: JobEnv): Promise<SeedIds> {
  await runCli(env, ["projects", "create", VISION, "--description", VISION_DESCRIPTION]);
  await runCli(env, ["projects", "create", EMPTY]);
  const ids: SeedIds = {};
  const queue = [...SEED];
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      ids[next.spec.name] = await runJob(env, next.spec, next.user);
    }
  };
  await Promise.all([worker(), worker(), worker(), submitted(env, ids)]);
  return ids;
}

/** `atlas submit ... python main.py`, followed to its end: a job the scheduler ran. */
export async function submit(env: JobEnv, name: string, options: string[]): Promise<string> {
  const args = ["submit", "--project", SCHEDULED, "--name", name, "--env", "none", ...options];
  const output = await runCli(env, [...args, SUBMIT_DIR, "python", "main.py"]);
  const id = /Queued job ([0-9a-z]{16})/.exec(output)?.[1];
  if (!id) throw new Error(`atlas submit printed no job id:\n${output}`);
  return id;
}

async function submitted(env: JobEnv, ids: SeedIds): Promise<void> {
  ids["nightly"] = await submit(env, "nightly", ["--param", "steps=30", "--tag", "cadence=nightly"]);
}
