import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, NavLink, Outlet, useLocation, useMatch } from "react-router-dom";
import { jobQuery, sweepQuery } from "../lib/api/queries";
import { UserMenu } from "../features/auth/user-menu";
import { setThemeChoice, useTheme, useThemeChoice, type ThemeChoice } from "../lib/theme";

const NEXT_THEME: Record<ThemeChoice, ThemeChoice> = { system: "light", light: "dark", dark: "system" };

/** The rail (projects, scheduler, theme), the top bar with breadcrumbs, and the page. Under
 * 1200 px the rail folds away behind the top bar's menu button (styles.css). */
export function Layout() {
  const location = useLocation();
  const fill = location.pathname.startsWith("/projects/") && !/\/(overview|members|sweeps(\/[^/]+)?)$/.test(location.pathname);
  const [menu, setMenu] = useState(false);
  // a link followed from the folded rail closes it; so do Escape and a click outside it
  useEffect(() => setMenu(false), [location.pathname]);
  useEffect(() => {
    if (!menu) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") setMenu(false);
    };
    const onDown = (event: MouseEvent) => {
      const target = event.target as Element | null;
      if (!target?.closest("#rail, .rail-toggle")) setMenu(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("mousedown", onDown);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("mousedown", onDown);
    };
  }, [menu]);
  return (
    <div className="shell">
      <nav className={`rail${menu ? " open" : ""}`} id="rail" aria-label="Main">
        <Link to="/" className="brand">
          <img src="/favicon.svg" alt="" width={22} height={22} /> Atlas
        </Link>
        <NavLink to="/" end className={({ isActive }) => `nav${isActive || location.pathname.startsWith("/projects") ? " active" : ""}`}>
          Projects
        </NavLink>
        <NavLink to="/scheduler" className={({ isActive }) => `nav${isActive ? " active" : ""}`}>
          Scheduler
        </NavLink>
        <NavLink to="/compare" className={({ isActive }) => `nav${isActive ? " active" : ""}`}>
          Compare
        </NavLink>
        <div className="bottom">
          <UserMenu />
          <ThemeToggle />
          <a className="nav soft" href="/api/v1/docs">
            API docs
          </a>
        </div>
      </nav>
      <div className="main">
        <div className="topbar" role="banner">
          <button type="button" className="rail-toggle" aria-label="Menu" aria-expanded={menu} aria-controls="rail" data-testid="rail-toggle" onClick={() => setMenu((open) => !open)}>
            ☰
          </button>
          <Breadcrumbs />
        </div>
        <main className={`content${fill ? " fill" : ""}`} id="content">
          <Outlet />
        </main>
      </div>
    </div>
  );
}

function ThemeToggle() {
  const choice = useThemeChoice();
  const theme = useTheme();
  const label = choice === "system" ? `Auto (${theme})` : choice === "light" ? "Light" : "Dark";
  return (
    <button type="button" onClick={() => setThemeChoice(NEXT_THEME[choice])} aria-label={`Theme: ${label}; change theme`} title="Change theme (system → light → dark)">
      ◐ {label}
    </button>
  );
}

function Breadcrumbs() {
  const project = useMatch("/projects/:name/*");
  const job = useMatch("/jobs/:id/*");
  const compare = useMatch("/compare");
  const scheduler = useMatch("/scheduler");
  const tokens = useMatch("/settings/tokens");
  const password = useMatch("/settings/password");
  const users = useMatch("/admin/users");
  const sweep = useMatch("/projects/:name/sweeps/:id");
  const jobData = useQuery({ ...jobQuery(job?.params.id ?? ""), enabled: Boolean(job?.params.id) });
  const sweepData = useQuery({ ...sweepQuery(sweep?.params.id ?? ""), enabled: Boolean(sweep?.params.id) });
  const crumbs: { label: string; to?: string }[] = [{ label: "Projects", to: "/" }];
  if (project?.params.name) crumbs.push({ label: project.params.name, to: `/projects/${encodeURIComponent(project.params.name)}` });
  if (sweep?.params.name) {
    crumbs.push({ label: "Sweeps", to: `/projects/${encodeURIComponent(sweep.params.name)}/sweeps` });
    crumbs.push({ label: sweepData.data?.name || sweep.params.id || "" });
  }
  if (job) {
    const data = jobData.data;
    if (data) crumbs.push({ label: data.project, to: `/projects/${encodeURIComponent(data.project)}` });
    crumbs.push({ label: data?.name || job.params.id || "" });
  }
  if (compare) crumbs.push({ label: "Compare" });
  if (scheduler) crumbs.splice(0, crumbs.length, { label: "Scheduler" });
  if (tokens) crumbs.splice(0, crumbs.length, { label: "API tokens" });
  if (password) crumbs.splice(0, crumbs.length, { label: "Change password" });
  if (users) crumbs.splice(0, crumbs.length, { label: "Users" });
  return (
    <nav className="crumbs" aria-label="Breadcrumbs">
      {crumbs.map((crumb, i) => (
        <span key={i} className="row" style={{ gap: 6, flexWrap: "nowrap", minWidth: 0 }}>
          {i > 0 ? <span className="soft">/</span> : null}
          {crumb.to && i < crumbs.length - 1 ? (
            <Link to={crumb.to}>{crumb.label}</Link>
          ) : (
            <span className="current" aria-current="page" title={crumb.label}>
              {crumb.label}
            </span>
          )}
        </span>
      ))}
    </nav>
  );
}
