"""``atlas.set_tensorboard_logdir``: tell the job's launcher where event files are written.

The launcher of a job the scheduler runs follows the TensorBoard event files below the job's
working folder (docs/tensorboard.md). A script that writes them elsewhere (``/scratch/tb``)
names that folder here; the launcher reads the list from a file in the job's control folder
(``ATLAS_CONTROL_DIR``, set for the job's command) at its next search for event files.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from atlas.names import TENSORBOARD_LOGDIRS_FILE
from atlas.sdk.configuration import sdk_settings

__all__ = ["TensorBoardInfo", "logdirs_in", "parse_tensorboard", "set_tensorboard_logdir"]

logger = logging.getLogger(__name__)


def set_tensorboard_logdir(path: str | os.PathLike[str]) -> None:
    """Have the TensorBoard event files below the folder ``path`` followed too (their
    scalars as the job's metrics, the files copied to its artifacts as they grow, for
    ``atlas tensorboard``). Only a job Atlas runs is followed: elsewhere this logs a warning
    and does nothing. Calling it again adds another folder."""
    control = sdk_settings().control_dir
    if not control:
        logger.warning(
            "set_tensorboard_logdir(%r): this process is not a job Atlas runs, so nothing "
            "follows its event files (use `atlas import tensorboard` afterwards)",
            os.fspath(path),
        )
        return
    folder = str(Path(path).expanduser().resolve())
    target = Path(control, TENSORBOARD_LOGDIRS_FILE)
    known = logdirs_in(target)
    if folder in known:
        return
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temp.write_text(json.dumps({"logdirs": [*known, folder]}), encoding="utf-8")
    os.replace(temp, target)


def logdirs_in(file: str | os.PathLike[str]) -> list[str]:
    """The folders named in a control folder's ``tensorboard.json`` (none when it is missing
    or unreadable)."""
    try:
        data = json.loads(Path(file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    found = data.get("logdirs") if isinstance(data, dict) else None
    return [str(item) for item in found if isinstance(item, str)] if isinstance(found, list) else []


@dataclass(frozen=True, slots=True)
class TensorBoardInfo:
    """A TensorBoard the server runs over some jobs: served at ``path`` on the server,
    each job's event files as the run ``runs[job_id]``; ``started``: this request started
    it (else it was running, perhaps opened by someone else)."""

    id: str
    path: str
    runs: dict[str, str]
    started: bool
    idle_seconds: float


def parse_tensorboard(answer: object) -> TensorBoardInfo:
    """A ``TensorBoard`` of the REST API (docs/rest-api.md#tensorboard)."""
    if not isinstance(answer, dict):
        raise ValueError(f"not a TensorBoard: {answer!r}")
    runs = {str(r["job_id"]): str(r["run"]) for r in answer.get("runs", [])}
    return TensorBoardInfo(
        id=str(answer["id"]),
        path=str(answer["path"]),
        runs=runs,
        started=bool(answer.get("started")),
        idle_seconds=float(answer.get("idle_seconds") or 0.0),
    )
