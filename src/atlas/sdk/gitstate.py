"""The git state of a submitted folder: commit, branch, dirty flag and the uncommitted diff.

Recorded with a submitted job (the ``git`` field) so the job can be traced back to the code
it ran, and the diff re-applied to the commit when the snapshot itself is gone.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

__all__ = ["MAX_DIFF_BYTES", "git_state"]

MAX_DIFF_BYTES = 1024 * 1024
_GIT_TIMEOUT = 30.0


def _git(folder: Path, *args: str) -> str | None:
    """Git's output, or ``None`` when git is missing or fails."""
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=folder,
            capture_output=True,
            timeout=_GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace")


def in_git_checkout(folder: Path) -> bool:
    """Whether ``folder`` or a parent holds a ``.git`` entry: the cheap test that spares a
    submission from a folder outside any checkout two ``git`` processes."""
    current = folder.resolve()
    return any((candidate / ".git").exists() for candidate in (current, *current.parents))


def git_state(folder: Path) -> dict[str, object]:
    """``{"commit", "branch", "dirty", "diff"}`` for a folder in a git checkout with at least
    one commit, else ``{}``. ``diff`` is ``git diff HEAD`` of the folder (tracked files), cut
    at :data:`MAX_DIFF_BYTES` (then ``diff_truncated`` is true); ``dirty`` also counts
    untracked files that are not ignored."""
    commit = _git(folder, "rev-parse", "HEAD") if in_git_checkout(folder) else None
    if commit is None:
        return {}
    branch = (_git(folder, "rev-parse", "--abbrev-ref", "HEAD") or "").strip()
    status = _git(folder, "status", "--porcelain", "--", ".") or ""
    diff = _git(folder, "diff", "--no-color", "--no-ext-diff", "HEAD", "--", ".") or ""
    state: dict[str, object] = {
        "commit": commit.strip(),
        "branch": "" if branch == "HEAD" else branch,  # a detached head has no branch
        "dirty": bool(status.strip()),
        "diff": diff,
    }
    encoded = diff.encode("utf-8")
    if len(encoded) > MAX_DIFF_BYTES:
        state["diff"] = encoded[:MAX_DIFF_BYTES].decode("utf-8", "ignore")
        state["diff_truncated"] = True
    return state
