import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { ApiError } from "../../lib/api/client";
import * as api from "../../lib/api/endpoints";
import type { Job } from "../../lib/api/types";
import { formatBytes } from "../../lib/format";
import { useUrlParam } from "../../lib/url-state";
import { EmptyState, ErrorPanel, Loading } from "../../components/states";

interface TreeNode {
  name: string;
  path: string;
  size?: number;
  children: TreeNode[];
}

/** Files as a tree: folders first, then files, each by name. */
export function buildTree(files: readonly { path: string; size: number }[]): TreeNode {
  const root: TreeNode = { name: "", path: "", children: [] };
  for (const file of files) {
    const parts = file.path.split("/");
    let node = root;
    parts.forEach((part, i) => {
      const path = parts.slice(0, i + 1).join("/");
      let child = node.children.find((c) => c.name === part && (i === parts.length - 1) === (c.size !== undefined));
      if (!child) {
        child = { name: part, path, children: [], ...(i === parts.length - 1 ? { size: file.size } : {}) };
        node.children.push(child);
      }
      node = child;
    });
  }
  const sort = (node: TreeNode) => {
    node.children.sort((a, b) => Number(a.size !== undefined) - Number(b.size !== undefined) || a.name.localeCompare(b.name));
    node.children.forEach(sort);
  };
  sort(root);
  return root;
}

/** The code snapshot the job ran: a file tree, a file's text, and the whole tar to download.
 * A job without one (run directly from Python) says so, with no request and no error. */
export function CodeTab({ job }: { job: Job }) {
  return job.snapshot ? <SnapshotFiles job={job} /> : <NoSnapshot python={job.kind === "local"} />;
}

function NoSnapshot({ python = false }: { python?: boolean }) {
  return (
    <EmptyState title="No code snapshot">
      <p>
        {python ? "This job was run directly from Python, so Atlas keeps no snapshot of its code. " : "Atlas has no snapshot of this job's code. "}
        Jobs submitted to the scheduler keep one of the folder they ran from:
      </p>
      <pre>atlas submit -- python train.py</pre>
      <p className="soft">Its git commit, when it had one, is on the Overview tab.</p>
    </EmptyState>
  );
}

function SnapshotFiles({ job }: { job: Job }) {
  const files = useQuery({
    queryKey: ["snapshot-files", job.id],
    queryFn: ({ signal }) => api.listSnapshotFiles(job.id, signal),
    retry: false,
    meta: { what: "Loading the code snapshot", inlineCodes: ["not_found"] },
  });
  const [selected, setSelected] = useUrlParam("path");
  const tree = useMemo(() => buildTree(files.data?.items ?? []), [files.data]);
  if (files.isPending) return <Loading what="Loading the code snapshot" />;
  if (files.isError) {
    if (files.error instanceof ApiError && files.error.code === "not_found") {
      return <NoSnapshot />;
    }
    return <ErrorPanel error={files.error} />;
  }
  const first = files.data.items.find((f) => /(^|\/)(main|train)\.py$/.test(f.path)) ?? files.data.items[0];
  const path = selected || first?.path || "";
  return (
    <div className="code-tab">
      <nav className="panel file-tree" aria-label="Snapshot files">
        <div className="row">
          <strong>{files.data.items.length} files</strong>
          <span className="spacer" />
          <a href={api.snapshotUrl(job.id)} download={`${job.id}-code.tar.gz`}>
            Download .tar.gz
          </a>
        </div>
        <ul role="tree" aria-label="Files">
          {tree.children.map((node) => (
            <TreeItem key={node.path} node={node} selected={path} onSelect={setSelected} depth={0} />
          ))}
        </ul>
      </nav>
      {path ? <FileView job={job} path={path} /> : null}
    </div>
  );
}

function TreeItem({ node, selected, onSelect, depth }: { node: TreeNode; selected: string; onSelect: (path: string) => void; depth: number }) {
  const [open, setOpen] = useState(depth < 1 || selected.startsWith(`${node.path}/`));
  if (node.size === undefined) {
    return (
      <li role="treeitem" aria-expanded={open} aria-selected={false}>
        <button type="button" className="tree-button" style={{ paddingLeft: depth * 14 }} onClick={() => setOpen(!open)}>
          {open ? "▾" : "▸"} {node.name}/
        </button>
        {open ? (
          <ul role="group">
            {node.children.map((child) => (
              <TreeItem key={child.path} node={child} selected={selected} onSelect={onSelect} depth={depth + 1} />
            ))}
          </ul>
        ) : null}
      </li>
    );
  }
  return (
    <li role="treeitem" aria-selected={node.path === selected}>
      <button type="button" className={`tree-button${node.path === selected ? " active" : ""}`} style={{ paddingLeft: depth * 14 + 12 }} onClick={() => onSelect(node.path)} title={`${node.path} (${formatBytes(node.size)})`}>
        {node.name}
      </button>
    </li>
  );
}

function FileView({ job, path }: { job: Job; path: string }) {
  const text = useQuery({
    queryKey: ["snapshot-file", job.id, path],
    queryFn: ({ signal }) => api.readSnapshotFile(job.id, path, signal),
    staleTime: Infinity,
    meta: { what: `Loading ${path}` },
  });
  const lines = text.data?.split("\n") ?? [];
  const binary = text.data?.includes("\u0000");
  return (
    <section className="panel file-view" aria-label={`File ${path}`}>
      <div className="row">
        <h2 className="mono">{path}</h2>
        <span className="spacer" />
        <a href={api.snapshotFileUrl(job.id, path)} download={path.split("/").pop()}>
          Download file
        </a>
      </div>
      {text.isPending ? <Loading /> : null}
      {text.isError ? <ErrorPanel error={text.error} /> : null}
      {binary ? <p className="soft">A binary file; download it to open it.</p> : null}
      {text.data !== undefined && !binary ? (
        <pre className="code-view" data-testid="code-view">
          {lines.map((line, i) => (
            <div key={i} className="code-line">
              <span className="log-number" aria-hidden="true">
                {i + 1}
              </span>
              <span>{line}</span>
            </div>
          ))}
        </pre>
      ) : null}
    </section>
  );
}
