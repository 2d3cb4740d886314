import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense } from "react";
import { Outlet, useParams } from "react-router-dom";
import { projectQuery } from "../lib/api/queries";
import { JobsTab } from "./jobs-tab";
import { authOn, useMe } from "../lib/session";
import { ErrorPanel, Loading } from "../components/states";
import { StatusBadge } from "../components/status-badge";
import { TabLinks } from "../components/tab-links";

const ProjectOverview = lazy(() => import("../features/projects/project-overview").then((m) => ({ default: m.ProjectOverview })));
const SweepsTab = lazy(() => import("../features/sweeps/sweeps-tab").then((m) => ({ default: m.SweepsTab })));
const SweepPage = lazy(() => import("../features/sweeps/sweep-page").then((m) => ({ default: m.SweepPage })));
const MembersPanel = lazy(() => import("../features/members/members-panel").then((m) => ({ default: m.MembersPanel })));

/** A project: its name, live counts, and the Jobs, Overview and Sweeps tabs. */
export function ProjectRoute() {
  const name = useParams().name ?? "";
  const project = useQuery(projectQuery(name));
  const me = useMe();
  const base = `/projects/${encodeURIComponent(name)}`;
  const counts = project.data?.job_counts ?? {};
  return (
    <>
      <div className="row project-head">
        <h1 title={name}>{name}</h1>
        <span className="spacer" />
        {(["running", "queued", "failed"] as const).map((status) =>
          counts[status] ? (
            <span key={status} className="row" style={{ gap: 4 }} data-testid={`count-${status}`}>
              <StatusBadge status={status} /> <span className="num">{counts[status]}</span>
            </span>
          ) : null,
        )}
        {project.data ? <span className="soft">{project.data.job_count.toLocaleString()} jobs</span> : null}
      </div>
      <TabLinks
        label="Project sections"
        tabs={[
          { to: base, label: "Jobs" },
          { to: `${base}/overview`, label: "Overview" },
          // a sweep's page is under the tab (/sweeps/<id>), which stays marked there
          { to: `${base}/sweeps`, label: "Sweeps", end: false },
          // with auth off everyone may do everything: there are no members to show
          ...(authOn(me) ? [{ to: `${base}/members`, label: "Members" }] : []),
        ]}
      />
      {project.isError ? <ErrorPanel error={project.error} title={`Could not load project ${name}`} /> : <Outlet />}
    </>
  );
}

export function ProjectTabRoute({ tab }: { tab: "jobs" | "overview" | "members" | "sweeps" | "sweep" }) {
  const { name = "", id = "" } = useParams();
  if (tab === "jobs") return <JobsTab key={name} project={name} />;
  if (tab === "sweeps" || tab === "sweep") {
    return (
      <Suspense fallback={<Loading />}>
        {tab === "sweeps" ? <SweepsTab key={name} project={name} /> : <SweepPage key={id} id={id} />}
      </Suspense>
    );
  }
  if (tab === "members") {
    return (
      <Suspense fallback={<Loading />}>
        <MembersPanel key={name} project={name} />
      </Suspense>
    );
  }
  return (
    <Suspense fallback={<Loading />}>
      <ProjectOverview key={name} project={name} />
    </Suspense>
  );
}
