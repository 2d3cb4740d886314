import { lazy, Suspense, type ReactNode } from "react";
import type { RouteObject } from "react-router-dom";
import { ProjectsPage } from "../features/projects/projects-page";
import { Loading } from "../components/states";
import { Layout } from "./layout";
import { ProjectRoute, ProjectTabRoute } from "./project-route";
import { NotFound, RouteError } from "./route-error";

// Pages with charts load their code (and uPlot) when first opened, so the projects list and
// the job table start fast.
const JobRoute = lazy(() => import("./job-route").then((m) => ({ default: m.JobRoute })));
const JobTabRoute = lazy(() => import("./job-route").then((m) => ({ default: m.JobTabRoute })));
const ComparePage = lazy(() => import("../features/compare/compare-page").then((m) => ({ default: m.ComparePage })));
const SchedulerPage = lazy(() => import("../features/scheduler/scheduler-page").then((m) => ({ default: m.SchedulerPage })));

function page(element: ReactNode) {
  return <Suspense fallback={<Loading />}>{element}</Suspense>;
}

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
        element: page(<JobRoute />),
        children: [
          { index: true, element: page(<JobTabRoute tab="overview" />) },
          { path: ":tab", element: page(<JobTabRoute />) },
        ],
      },
      { path: "compare", element: page(<ComparePage />) },
      { path: "scheduler", element: page(<SchedulerPage />) },
      { path: "*", element: <NotFound /> },
    ],
  },
];
