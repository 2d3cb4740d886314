// The members panel's words, apart from React.
import { ApiError } from "../../lib/api/client";

/** A failed change of members in words; the last owner's 409 says what to do instead. */
export function memberErrorText(error: unknown, user: string): string {
  if (error instanceof ApiError) {
    if (error.status === 409) return `${user} is the last owner: a project always keeps one. Make someone else owner first.`;
    if (error.status === 404) return `There is no user named ${user}. An admin adds users on the Users page (or with atlas users add).`;
    return `${error.message} (${error.code})`;
  }
  return error instanceof Error ? error.message : String(error);
}
