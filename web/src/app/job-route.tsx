import { useQuery } from "@tanstack/react-query";
import { Outlet, useOutletContext, useParams } from "react-router-dom";
import { ArtifactsTab } from "../features/artifacts/artifacts-tab";
import { CodeTab } from "../features/job/code-tab";
import { JobHeader, runFromPython } from "../features/job/job-header";
import { JobOverview } from "../features/job/job-overview";
import { LogsTab } from "../features/logs/logs-tab";
import { MediaTab } from "../features/media/media-tab";
import { MetricsTab } from "../features/metrics/metrics-tab";
import { jobQuery } from "../lib/api/queries";
import type { Job } from "../lib/api/types";
import { ErrorPanel, Loading } from "../components/states";
import { TabLinks } from "../components/tab-links";
import { NotFound } from "./route-error";

const TABS = ["overview", "metrics", "media", "logs", "artifacts", "code", "system"] as const;
type Tab = (typeof TABS)[number];

/** A job: header with actions, then Overview · Metrics · Media · Logs · Artifacts · Code · System
 * (no Code tab for a job run from Python: it has no snapshot). */
export function JobRoute() {
  const id = useParams().id ?? "";
  const job = useQuery(jobQuery(id));
  if (job.isPending) return <Loading what="Loading the job" />;
  if (job.isError) return <ErrorPanel error={job.error} title={`Could not load job ${id}`} />;
  const base = `/jobs/${id}`;
  return (
    <>
      <JobHeader job={job.data} />
      <TabLinks
        label="Job sections"
        tabs={TABS.filter((tab) => tab !== "code" || !runFromPython(job.data)).map((tab) => ({ to: tab === "overview" ? base : `${base}/${tab}`, label: tab[0]?.toUpperCase() + tab.slice(1) }))}
      />
      <Outlet context={job.data} />
    </>
  );
}

export function JobTabRoute({ tab }: { tab?: Tab }) {
  const job = useOutletContext<Job>();
  const param = useParams().tab;
  const current = tab ?? (TABS.includes(param as Tab) ? (param as Tab) : null);
  switch (current) {
    case "overview":
      return <JobOverview job={job} />;
    case "metrics":
      return <MetricsTab key="metrics" job={job} />;
    case "system":
      return <MetricsTab key="system" job={job} system />;
    case "media":
      return <MediaTab job={job} />;
    case "logs":
      return <LogsTab job={job} />;
    case "artifacts":
      return <ArtifactsTab job={job} />;
    case "code":
      return <CodeTab job={job} />;
    default:
      return <NotFound />;
  }
}
