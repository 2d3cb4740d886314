import { renderToStaticMarkup } from "react-dom/server";
import { MemoryRouter } from "react-router-dom";
import { describe, expect, it } from "vitest";
import type { SchedulerNode } from "../../lib/api/types";
import { NodeCard } from "./node-card";

const box: SchedulerNode = {
  id: "5c9a1e0f7b5c9a1e0f7b",
  name: "gpu-box-1",
  address: "10.0.0.11",
  alive: true,
  labels: { zone: "b", gpu_type: "a100" },
  cpus: { total: 32, used: 4 },
  memory: { total: 256 * 1024 ** 3, used: 16 * 1024 ** 3 },
  gpus: [
    { index: 0, name: "NVIDIA A100", memory_total: 80 * 1024 ** 3, job_id: "01m8d5j1ck6w0kbd", held: true },
    { index: 1, name: "NVIDIA A100", memory_total: 80 * 1024 ** 3, job_id: null, held: false },
  ],
  running: ["01m8d5j1ck6w0kbd", "01m8d5j7pg3p5b1v"],
};

function render(node: SchedulerNode): string {
  const names = new Map([["01m8d5j1ck6w0kbd", "resnet-lr0.1"]]);
  return renderToStaticMarkup(
    <MemoryRouter>
      <NodeCard node={node} name={node.name} names={names} />
    </MemoryRouter>,
  );
}

describe("a node's card", () => {
  it("shows the name, address, labels as chips and what its jobs hold", () => {
    const html = render(box);
    expect(html).toContain(">gpu-box-1</h3>");
    expect(html).toContain("10.0.0.11");
    // labels sorted by key, one chip each
    expect(html).toMatch(/aria-label="Labels of gpu-box-1".*gpu_type=a100.*zone=b/);
    expect(html).toContain('aria-label="CPU slots on gpu-box-1"');
    expect(html).toContain('aria-valuenow="4"');
    expect(html).toContain("4 of 32");
    expect(html).toContain("16 GiB of 256 GiB");
    expect(html).not.toContain("left the cluster");
  });

  it("shows each GPU with a link to its holder, or free", () => {
    const html = render(box);
    const gpus = html.split('data-testid="node-gpu"').slice(1);
    expect(gpus).toHaveLength(2);
    expect(gpus[0]).toContain('href="/jobs/01m8d5j1ck6w0kbd"');
    expect(gpus[0]).toContain("resnet-lr0.1");
    expect(gpus[0]).toContain("NVIDIA A100 · 80 GiB");
    expect(gpus[1]).toContain(">free<");
  });

  it("links the jobs running there, by name when known", () => {
    const html = render(box);
    expect(html).toContain("Running (2)");
    const jobs = html.split('data-testid="node-job"').slice(1);
    expect(jobs[0]).toContain(">resnet-lr0.1</a>");
    expect(jobs[1]).toContain('href="/jobs/01m8d5j7pg3p5b1v"');
    expect(jobs[1]).toContain(">01m8d5j7pg3p5b1v</a>");
  });

  it("marks a node that left the cluster and shows only what its jobs hold", () => {
    const gone = { ...box, alive: false, address: "", labels: {}, cpus: { total: 0, used: 1 }, memory: { total: 0, used: 0 }, gpus: [], running: ["01m8d5k2x0q4c9ha"] };
    const html = render(gone);
    expect(html).toContain('data-testid="node-gone"');
    expect(html).toContain("left the cluster");
    expect(html).toContain("node-card dead");
    expect(html).toContain("1 held");
    expect(html).not.toContain("Labels of");
  });

  it("says when nothing runs there", () => {
    expect(render({ ...box, running: [], gpus: [] })).toContain("Nothing running here.");
  });
});
