import { lazy, Suspense, type ReactNode } from "react";
import type { RouteObject } from "react-router-dom";
import { RequireUser } from "../features/auth/auth-gate";
import { LoginPage } from "../features/auth/login-page";
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
const TensorBoardPage = lazy(() => import("../features/tensorboard/tensorboard-page").then((m) => ({ default: m.TensorBoardPage })));
const SchedulerPage = lazy(() => import("../features/scheduler/scheduler-page").then((m) => ({ default: m.SchedulerPage })));
// Account pages are opened rarely: their code loads when first opened.
const TokensPage = lazy(() => import("../features/tokens/tokens-page").then((m) => ({ default: m.TokensPage })));
const UsersPage = lazy(() => import("../features/users/users-page").then((m) => ({ default: m.UsersPage })));
const PasswordPage = lazy(() => import("../features/auth/password-page").then((m) => ({ default: m.PasswordPage })));

function page(element: ReactNode) {
  return <Suspense fallback={<Loading />}>{element}</Suspense>;
}

/** Every page has a URL; the job and project tabs are nested paths. With auth on, every page
 * but /login needs a signed-in user. */
export const routes: RouteObject[] = [
  { path: "login", element: <LoginPage />, errorElement: <RouteError /> },
  {
    element: (
      <RequireUser>
        <Layout />
      </RequireUser>
    ),
    errorElement: <RouteError />,
    children: [
      { index: true, element: <ProjectsPage /> },
      {
        path: "projects/:name",
        element: <ProjectRoute />,
        children: [
          { index: true, element: <ProjectTabRoute tab="jobs" /> },
          { path: "overview", element: <ProjectTabRoute tab="overview" /> },
          { path: "members", element: <ProjectTabRoute tab="members" /> },
          { path: "sweeps", element: <ProjectTabRoute tab="sweeps" /> },
          { path: "sweeps/:id", element: <ProjectTabRoute tab="sweep" /> },
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
      { path: "tensorboards/open", element: page(<TensorBoardPage />) },
      { path: "settings/tokens", element: page(<TokensPage />) },
      { path: "settings/password", element: page(<PasswordPage />) },
      { path: "admin/users", element: page(<UsersPage />) },
      { path: "*", element: <NotFound /> },
    ],
  },
];
