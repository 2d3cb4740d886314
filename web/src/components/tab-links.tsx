import { NavLink, useLocation } from "react-router-dom";

export interface TabLink {
  to: string;
  label: string;
  end?: boolean;
}

/** Tabs that are links (each tab has a URL), keeping the query string where asked. */
export function TabLinks({ tabs, label, keepSearch = false }: { tabs: TabLink[]; label: string; keepSearch?: boolean }) {
  const location = useLocation();
  return (
    <nav className="tabs" aria-label={label}>
      {tabs.map((tab) => (
        <NavLink key={tab.to} to={{ pathname: tab.to, search: keepSearch ? location.search : "" }} end={tab.end ?? true} className={({ isActive }) => (isActive ? "active" : "")}>
          {tab.label}
        </NavLink>
      ))}
    </nav>
  );
}
