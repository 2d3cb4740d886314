import { useQuery } from "@tanstack/react-query";
import { projectQuery } from "./api/queries";
import { isRole, type Role } from "./roles";

/** The caller's role in `project` (ProjectOut.role), undefined while unknown. Shares the
 * project's cache entry with the project page; here it does not poll. */
export function useProjectRole(project: string): Role | undefined {
  const answer = useQuery({ ...projectQuery(project), refetchInterval: false, staleTime: 30_000, enabled: Boolean(project) });
  const role = answer.data?.role;
  return isRole(role) ? role : undefined;
}
