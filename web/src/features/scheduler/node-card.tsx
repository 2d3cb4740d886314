import { useId } from "react";
import { Link } from "react-router-dom";
import type { SchedulerNode } from "../../lib/api/types";
import { formatBytes, formatNumber } from "../../lib/format";
import { LabelChips } from "../../components/label-chips";
import { Meter } from "./meter";

interface NodeCardProps {
  node: SchedulerNode;
  /** How the node is named (see `nodeName`: its name, told apart from its namesakes). */
  name: string;
  /** How each running job is named in links (its name, else its id). */
  names: ReadonlyMap<string, string>;
}

/** One node of the cluster: name and address, labels as chips, CPU slots and memory in
 * use, each GPU with the job holding it, and the jobs running there. A node that left the
 * cluster while jobs still count on it is marked, with only what they hold. */
export function NodeCard({ node, name, names }: NodeCardProps) {
  const titleId = useId();
  const jobLink = (id: string) => (
    <Link to={`/jobs/${id}`} className="mono" title={id}>
      {names.get(id) ?? id}
    </Link>
  );
  return (
    <article className={node.alive ? "panel node-card" : "panel node-card dead"} aria-labelledby={titleId} data-testid="node-card" data-node={node.id}>
      <header className="node-head">
        <h3 id={titleId} title={`node ${node.id}`}>
          {name}
        </h3>
        {node.alive ? null : (
          <span className="node-gone" data-testid="node-gone" title="This node left the cluster while jobs still count on it: they end lost (or run again elsewhere with --retries).">
            ✕ left the cluster
          </span>
        )}
        <span className="spacer" />
        {node.address ? <span className="mono soft">{node.address}</span> : null}
      </header>
      <LabelChips labels={node.labels} label={`Labels of ${name}`} />
      <Meter label="CPU slots" name={`CPU slots on ${name}`} used={node.cpus.used} total={node.cpus.total} format={formatNumber} known={node.alive} />
      <Meter label="Memory" name={`Memory on ${name}`} used={node.memory.used} total={node.memory.total} format={formatBytes} known={node.alive} />
      {node.gpus.length ? (
        <ul className="node-list" aria-label={`GPUs of ${name}`}>
          {node.gpus.map((gpu) => (
            <li key={gpu.index} data-testid="node-gpu">
              <span className="num">GPU {gpu.index}</span>
              <span className="soft">
                {gpu.name && gpu.name !== `GPU ${gpu.index}` ? ` · ${gpu.name}` : ""}
                {gpu.memory_total != null ? ` · ${formatBytes(gpu.memory_total)}` : ""}
              </span>
              <span className="spacer" />
              {gpu.job_id ? jobLink(gpu.job_id) : <span className="soft">{gpu.held ? "held by another project's job" : "free"}</span>}
            </li>
          ))}
        </ul>
      ) : null}
      <h4 className="node-sub">Running ({node.running.length})</h4>
      {node.running.length ? (
        <ul className="node-list" aria-label={`Jobs running on ${name}`}>
          {node.running.map((id) => (
            <li key={id} data-testid="node-job">
              {jobLink(id)}
            </li>
          ))}
        </ul>
      ) : (
        <p className="soft node-idle">Nothing running here.</p>
      )}
    </article>
  );
}
