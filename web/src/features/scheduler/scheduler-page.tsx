import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import * as api from "../../lib/api/endpoints";
import { projectsQuery } from "../../lib/api/queries";
import type { Job, SchedulerNode, SchedulerState } from "../../lib/api/types";
import { gate, isRole } from "../../lib/roles";
import { formatBytes, formatDuration, formatNumber } from "../../lib/format";
import { EmptyState, ErrorPanel, Loading } from "../../components/states";
import { StatusBadge } from "../../components/status-badge";
import { TimeText } from "../../components/time-text";
import { LabelChips, labelList } from "../../components/label-chips";
import { Meter } from "./meter";
import { NodeCard } from "./node-card";
import { RecurringJobs } from "./recurring-jobs";
import { gpuCount, jobNames, nodeName, nodeOf, nodesSummary, showsNodes } from "./nodes";
import { StandbyBanner } from "./standby-banner";

/** What a job asked for: `2 CPUs · 1 GPU · 4 GiB`, the GPUs it holds and the node labels
 * it asked for (`gpu_type=a100`). */
export function requestText(resources: Record<string, unknown>): string {
  const parts: string[] = [];
  const cpus = resources.cpus;
  const gpus = resources.gpus;
  const memory = resources.memory;
  if (typeof cpus === "number") parts.push(`${formatNumber(cpus)} CPU${cpus === 1 ? "" : "s"}`);
  if (typeof gpus === "number" && gpus > 0) parts.push(`${formatNumber(gpus)} GPU${gpus === 1 ? "" : "s"}`);
  if (typeof memory === "number") parts.push(formatBytes(memory));
  const indices = resources.gpu_indices;
  if (Array.isArray(indices) && indices.length) parts.push(`GPU ${indices.join(", ")}`);
  const labels = resources.labels;
  if (labels && typeof labels === "object" && !Array.isArray(labels)) parts.push(...labelList(labels as Record<string, string>));
  return parts.join(" · ") || "–";
}

/** What the queued job `id` waits for, in the server's words (`2 CPU slots (0 free)`), or
 * "–" when the server did not say. */
export function waitingText(waits: Record<string, string> | undefined, id: string): string {
  const text = waits?.[id]?.trim();
  return text ? text : "–";
}

/** The scheduler: whether this server runs the jobs or stands by, resources in use (one
 * machine: its GPUs with the job holding each; a cluster: every node as a card), the queue
 * in dispatch order with what each job asked for and waits for, and the running jobs. */
export function SchedulerPage() {
  const state = useQuery({
    queryKey: ["scheduler"],
    queryFn: ({ signal }) => api.getScheduler(signal),
    refetchInterval: 2_000,
    meta: { what: "Loading the scheduler" },
  });
  if (state.isPending) return <Loading what="Loading the scheduler" />;
  if (state.isError) return <ErrorPanel error={state.error} title="Could not load the scheduler" />;
  const { queue, running, reservation, queue_total, mode, waiting_for } = state.data;
  const nodes = state.data.nodes ?? [];
  const cluster = showsNodes(nodes);
  return (
    <div className="scheduler">
      <h1 style={{ marginBottom: 12 }}>Scheduler</h1>
      <StandbyBanner mode={mode} />
      {cluster ? <ClusterView state={state.data} nodes={nodes} /> : <MachineView state={state.data} />}
      <section className="panel" aria-labelledby="running-title" style={{ marginTop: 12 }}>
        <h2 id="running-title">Running ({running.length})</h2>
        {running.length ? (
          <JobTable jobs={running} label="running-title" nodes={cluster ? nodes : undefined} />
        ) : (
          <p className="soft">Nothing is running.</p>
        )}
      </section>
      <section className="panel" aria-labelledby="queue-title" style={{ marginTop: 12 }}>
        <h2 id="queue-title">
          Queue ({queue_total}){queue_total > queue.length ? <span className="soft"> · the first {queue.length} shown</span> : null}
        </h2>
        {queue.length ? (
          <JobTable jobs={queue} label="queue-title" ordered reservation={reservation} waits={waiting_for} />
        ) : (
          <EmptyState title="The queue is empty">
            <p>
              {mode === "standby"
                ? "Submit a job to queue it: the server that runs the jobs starts it when its resources are free:"
                : "Submit a job to run it on this machine when its resources are free:"}
            </p>
            <pre>atlas submit --gpus 1 -- python train.py</pre>
          </EmptyState>
        )}
      </section>
      <RecurringJobs />
    </div>
  );
}

/** One machine (the server's own): its resources in use and its GPUs with their holders. */
function MachineView({ state }: { state: SchedulerState }) {
  const { resources } = state;
  const labels = state.nodes?.[0]?.labels;
  return (
    <div className="grid2">
      <section className="panel" aria-labelledby="use-title">
        <h2 id="use-title">Resources in use</h2>
        <Meter label="CPU slots" used={resources.cpus.used} total={resources.cpus.total} format={(n) => formatNumber(n)} />
        <Meter label="Memory" used={resources.memory.used} total={resources.memory.total} format={formatBytes} />
        <LabelChips labels={labels} label="Labels of this machine" />
      </section>
      <section className="panel" aria-labelledby="gpu-title">
        <h2 id="gpu-title">GPUs</h2>
        {resources.gpus.length === 0 ? (
          <p className="soft">No GPU on this machine (or none given to Atlas with the gpus setting).</p>
        ) : (
          <table className="simple" aria-labelledby="gpu-title">
            <thead>
              <tr>
                <th className="num">#</th>
                <th>name</th>
                <th className="num">memory</th>
                <th>held by</th>
              </tr>
            </thead>
            <tbody>
              {resources.gpus.map((gpu) => (
                <tr key={gpu.index} data-testid="gpu-row">
                  <td className="num">{gpu.index}</td>
                  <td>{gpu.name}</td>
                  <td className="num">{gpu.memory_total != null ? formatBytes(gpu.memory_total) : "–"}</td>
                  <td>{gpu.job_id ? <Link to={`/jobs/${gpu.job_id}`} className="mono">{gpu.job_id}</Link> : <span className="soft">{gpu.held ? "held by another project's job" : "free"}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

/** A cluster: what every node together has in use, then each node as a card. */
function ClusterView({ state, nodes }: { state: SchedulerState; nodes: SchedulerNode[] }) {
  const { resources } = state;
  const gpus = gpuCount(nodes);
  const names = jobNames(state.running);
  return (
    <>
      <section className="panel" aria-labelledby="use-title">
        <h2 id="use-title">
          Resources in use <span className="soft">· {nodesSummary(nodes)}</span>
        </h2>
        <div className="grid2">
          <Meter label="CPU slots" used={resources.cpus.used} total={resources.cpus.total} format={(n) => formatNumber(n)} />
          <Meter label="Memory" used={resources.memory.used} total={resources.memory.total} format={formatBytes} />
        </div>
        {gpus.total ? (
          <p className="soft" style={{ margin: 0 }}>
            GPUs: {gpus.held} of {gpus.total} held
          </p>
        ) : null}
      </section>
      <section aria-labelledby="nodes-title" style={{ marginTop: 12 }}>
        <h2 id="nodes-title">Nodes ({nodes.length})</h2>
        <div className="node-grid">
          {nodes.map((node) => (
            <NodeCard key={node.id} node={node} name={nodeName(node, nodes)} names={names} />
          ))}
        </div>
      </section>
    </>
  );
}

interface JobTableProps {
  jobs: Job[];
  label: string;
  /** The queue: numbered in dispatch order, with what each job waits for. */
  ordered?: boolean;
  reservation?: string | null;
  waits?: Record<string, string>;
  /** A cluster's nodes: the table then names the node each job runs on. */
  nodes?: SchedulerNode[];
}

function JobTable({ jobs, label, ordered = false, reservation, waits, nodes }: JobTableProps) {
  const client = useQueryClient();
  const cancel = useMutation({
    mutationFn: (id: string) => api.cancelJob(id),
    meta: { what: "Stopping the job" },
    onSuccess: () => void client.invalidateQueries({ queryKey: ["scheduler"] }),
  });
  // the caller's role in each project, from the projects list (every role is owner with auth off)
  const projects = useQuery(projectsQuery());
  const mayCancel = (project: string) => {
    if (!projects.data) return gate(undefined, "editor", "cancel jobs");
    const role = projects.data.items.find((p) => p.name === project)?.role;
    return isRole(role) ? gate(role, "editor", "cancel jobs") : { disabled: true, reason: `you have no access to project ${project}` };
  };
  return (
    <div className="table-scroll">
      <table className="simple" aria-labelledby={label}>
        <thead>
          <tr>
            {ordered ? <th className="num">#</th> : null}
            <th>status</th>
            <th>job</th>
            <th>project</th>
            <th>user</th>
            <th className="num">priority</th>
            <th>asked for</th>
            {nodes ? <th>node</th> : null}
            <th>{ordered ? "queued" : "started"}</th>
            {ordered ? <th>waiting for</th> : <th>running for</th>}
            <th>
              <span className="sr-only">actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job, i) => {
            const may = mayCancel(job.project);
            return (
              <tr key={job.id} data-testid={ordered ? "queue-row" : "running-row"}>
                {ordered ? <td className="num">{i + 1}</td> : null}
                <td>
                  <StatusBadge status={job.status} />
                  {reservation === job.id ? (
                    <span className="tag" title="The resources being freed are kept for this job so that it is not starved">
                      reserved
                    </span>
                  ) : null}
                </td>
                <td>
                  <Link to={`/jobs/${job.id}`} title={job.command}>
                    {job.name || job.id}
                  </Link>
                </td>
                <td>
                  <Link to={`/projects/${encodeURIComponent(job.project)}`}>{job.project}</Link>
                </td>
                <td>{job.user}</td>
                <td className="num">{job.priority}</td>
                <td className="mono">{requestText(job.resources)}</td>
                {nodes ? <td data-testid="job-node">{nodeOf(job.resources, nodes) ?? <span className="soft">this server</span>}</td> : null}
                <td>
                  <TimeText iso={ordered ? job.created_at : job.started_at} />
                </td>
                {ordered ? (
                  <td data-testid="waiting-for" style={{ minWidth: 240 }}>
                    {waitingText(waits, job.id)}
                  </td>
                ) : (
                  <td>{formatDuration(job.duration)}</td>
                )}
                <td>
                  <button
                    type="button"
                    className="danger"
                    onClick={() => cancel.mutate(job.id)}
                    aria-label={`Stop job ${job.name || job.id}`}
                    disabled={may.disabled}
                    title={may.reason}
                  >
                    {ordered ? "Cancel" : "Stop"}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
