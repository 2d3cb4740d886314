import type { RouteObject } from "react-router-dom";
import { ComparePage } from "../features/compare/compare-page";
import { ProjectsPage } from "../features/projects/projects-page";
import { SchedulerPage } from "../features/scheduler/scheduler-page";
import { Layout } from "./layout";
import { JobRoute, JobTabRoute } from "./job-route";
import { ProjectRoute, ProjectTabRoute } from "./project-route";
import { NotFound, RouteError } from "./route-error";

/** Every page has a URL; the job and project tabs are nested paths. */
export const routes: RouteObject[] = [
  {
    element: <Layout />,
    errorElement: <RouteError />,
    children: [
      { index: true, element: <ProjectsPage /> },
      {
        path: "projects/:name",
        element: <ProjectRoute />,
        children: [
          { index: true, element: <ProjectTabRoute tab="jobs" /> },
          { path: "overview", element: <ProjectTabRoute tab="overview" /> },
        ],
      },
      {
        path: "jobs/:id",
        element: <JobRoute />,
        children: [
          { index: true, element: <JobTabRoute tab="overview" /> },
          { path: ":tab", element: <JobTabRoute /> },
        ],
      },
      { path: "compare", element: <ComparePage /> },
      { path: "scheduler", element: <SchedulerPage /> },
      { path: "*", element: <NotFound /> },
    ],
  },
];
