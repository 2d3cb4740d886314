"""Where event files are, which run each belongs to, and the metric key of a tag.

TensorBoard calls every folder that directly holds event files a *run*, named by its path
below the log folder. Atlas keys a run's scalars by their tag, except where a job holds
several runs (see :class:`RunKeys`).
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

from atlas.tbevents.eventfile import is_event_file

__all__ = ["RunKeys", "find_event_files", "metric_key", "run_of", "runs_of"]


def find_event_files(root: str | os.PathLike[str], *, skip: Collection[str] = ()) -> list[Path]:
    """Every event file below ``root``, in sorted order; folders named in ``skip`` are not
    entered, nor are symbolic links to folders (a loop, or a dataset elsewhere)."""
    found = []
    for folder, folders, files in os.walk(root):
        folders[:] = sorted(name for name in folders if name not in skip)
        found += [Path(folder, name) for name in sorted(files) if is_event_file(name)]
    return found


def run_of(root: Path, path: Path) -> str:
    """The run of the event file ``path``: its folder's path below ``root`` (``""`` for
    ``root`` itself), with ``/`` separators."""
    folder = path.parent.relative_to(root)
    return "" if folder == Path() else folder.as_posix()


def runs_of(root: str | os.PathLike[str]) -> dict[str, list[Path]]:
    """The event files below ``root`` by run, runs in sorted order."""
    base = Path(root)
    runs: dict[str, list[Path]] = {}
    for path in find_event_files(base):
        runs.setdefault(run_of(base, path), []).append(path)
    return dict(sorted(runs.items()))


def metric_key(run: str, tag: str) -> str:
    """The key of ``tag`` written in the run folder ``run`` (relative to the job's main run):
    ``run/tag``, or ``run`` alone where the folder is named after the tag, as the
    ``add_scalars`` of torch and tensorboardX name theirs (``loss/train`` or ``loss_train``
    for the tag ``loss``): each of its lines is then a key of its own."""
    if not run:
        return tag
    if run == tag or run.startswith((f"{tag}/", f"{tag.replace('/', '_')}_")):
        return run
    return f"{run}/{tag}"


class RunKeys:
    """Metric keys of a job's runs: the job's main run (the first found: the shallowest,
    then the first by name) keys its scalars by their tags alone; any other run prefixes
    them with its path relative to the main run's folder, or to the folder above it (a
    Keras callback's ``logs/train`` and ``logs/validation``: ``epoch_loss`` and
    ``validation/epoch_loss``)."""

    def __init__(self) -> None:
        self.main: str | None = None

    def choose_main(self, runs: Collection[str]) -> None:
        """Make the first of ``runs`` (by depth, then name) the main run, unless one is set."""
        if self.main is None and runs:
            self.main = min(runs, key=lambda run: (run.count("/") + bool(run), run))

    def key(self, run: str, tag: str) -> str:
        """The metric key of ``tag`` in ``run``."""
        self.choose_main([run])
        main = self.main or ""
        if run == main:
            return tag
        parent = main.rpartition("/")[0] if "/" in main else ""
        for base in (main, parent):
            if not base:
                return metric_key(run, tag)
            if run.startswith(f"{base}/"):
                return metric_key(run[len(base) + 1 :], tag)
        return metric_key(run, tag)
