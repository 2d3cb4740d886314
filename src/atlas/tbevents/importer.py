"""``atlas import tensorboard``: runs of a TensorBoard log folder become Atlas jobs.

Each run (a folder that directly holds event files) becomes one job of the project, named
after the run's path below the log folder, started at its first event's wall time and
completed at its last, with every scalar as a metric (the tag as the key, the event's step
and wall time) and every histogram and image as media at its step. A job's id is derived
from the project and the run folder's absolute path, so importing the same folder again
skips the runs already imported, and finishes a run that an interrupted import left behind,
sending only the points of each key past those stored.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from atlas.domain import FINAL_STATUSES, JobStatus
from atlas.errors import NotFoundError, ServerUnavailableError
from atlas.names import MAX_JOB_NAME_LENGTH, is_key
from atlas.sdk.client import Client
from atlas.tbevents.eventfile import EventFile
from atlas.tbevents.logdir import runs_of
from atlas.tbevents.media import media_files, upload_media
from atlas.tbevents.mirror import Mirror
from atlas.tbevents.scalars import Scalars, ScalarSeries
from atlas.tbevents.upload import DEFAULT_BATCH_POINTS, Outbox

__all__ = ["IMPORT_TAG", "ImportedRun", "import_job_id", "import_logdir"]

logger = logging.getLogger(__name__)

IMPORT_TAG = ("source", "tensorboard")
"""The tag every imported job carries."""
_RETRIES = 5
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True, slots=True)
class ImportedRun:
    """What the import did with one run: its job, the metrics, points and media files it
    stored, the other values passed over, the tags that are not valid keys, the
    warnings its files gave, and whether it had been imported before (``skipped``)."""

    run: str
    job_id: str
    name: str
    metrics: int = 0
    points: int = 0
    media: int = 0
    others: int = 0
    refused_tags: tuple[str, ...] = ()
    warnings: int = 0
    skipped: bool = False


def import_job_id(project: str, run_folder: Path) -> str:
    """The id of the job a run folder becomes in ``project`` (the same at every import)."""
    digest = hashlib.sha256(f"{project}\0{run_folder.resolve()}".encode()).digest()
    number = int.from_bytes(digest[:16], "big")
    chars = []
    for _ in range(16):
        number, digit = divmod(number, 36)
        chars.append(_ALPHABET[digit])
    return "".join(chars)


def import_logdir(
    client: Client,
    logdir: str | os.PathLike[str],
    project: str,
    *,
    batch_points: int = DEFAULT_BATCH_POINTS,
    progress: Callable[[ImportedRun], None] | None = None,
) -> list[ImportedRun]:
    """Import every run below ``logdir`` into ``project``; ``progress`` hears of each run
    as it is done. ``NotFoundError`` when ``logdir`` is not a folder."""
    root = Path(logdir)
    if not root.is_dir():
        raise NotFoundError(f"no folder {str(root)!r}", detail={"path": str(root)})
    done = []
    for run, files in runs_of(root).items():
        name = (run or root.resolve().name or str(root))[:MAX_JOB_NAME_LENGTH]
        folder = root / run if run else root
        result = _import_run(client, project, run, name, folder, files, batch_points)
        done.append(result)
        if progress is not None:
            progress(result)
    return done


def _import_run(
    client: Client,
    project: str,
    run: str,
    name: str,
    folder: Path,
    files: list[Path],
    batch_points: int,
) -> ImportedRun:
    job_id = import_job_id(project, folder)
    try:
        job = client.get_job(job_id)
    except NotFoundError:
        job = None
    if job is not None and job.status in FINAL_STATUSES and job.status != JobStatus.LOST:
        return ImportedRun(run, job_id, name, skipped=True)  # a lost one: an import cut off
    found, warnings = _read_run(files)
    started = _time(found.first_time)
    if job is None:
        client.create_job(
            project, name=name, job_id=job_id, started_at=started, tags=dict([IMPORT_TAG])
        )
    chosen = [(tag, s) for tag, s in sorted(found.series.items()) if is_key(tag)]
    refused = tuple(sorted(tag for tag in found.series if not is_key(tag)))
    for tag in refused:
        logger.warning("run %r: the tag %r is not a valid metric key: skipped", run, tag)
    stored = {} if job is None else {m.key: m.count for m in client.list_metrics(job_id)}
    outbox = Outbox(client, job_id, batch_points=batch_points)
    outbox.add((tag, _after(series, stored.get(tag, 0))) for tag, series in chosen)
    _send(outbox)
    ended = _time(found.last_time)
    if ended is not None and job is not None and job.started_at is not None:
        ended = max(ended, job.started_at)  # a job made otherwise than by an import
    media = upload_media(client, job_id, media_files(found))
    _copy_files(client, job_id, files)
    client.update_job(job_id, status=JobStatus.COMPLETED, at=ended)
    return ImportedRun(
        run,
        job_id,
        name,
        metrics=len(chosen),
        points=outbox.sent_points,
        media=media,
        others=found.other_count,
        refused_tags=refused,
        warnings=warnings,
    )


def _after(series: ScalarSeries, count: int) -> ScalarSeries:
    """``series`` without its first ``count`` points (those an import cut off stored: batches
    are sent in order, each stored whole, so what is stored of a key is a prefix)."""
    if not count:
        return series
    return ScalarSeries(
        series.tag, series.steps[count:], series.times[count:], series.values[count:]
    )


def _read_run(files: list[Path]) -> tuple[Scalars, int]:
    """The scalars of a run's files (a run restarted from a checkpoint writes a second
    file: its points join the first's) and how many warnings the files gave."""
    total = Scalars()
    warnings = 0
    for path in files:
        event_file = EventFile(path, keep_histograms=True, keep_images=True)
        total.merge(event_file.read_scalars(final=True))
        warnings += event_file.warnings
    return total, warnings


def _copy_files(client: Client, job_id: str, files: list[Path]) -> None:
    """The run's event files as the job's ``tensorboard/<file name>`` artifacts, for
    TensorBoard opened from Atlas (docs/tensorboard.md); an import cut off is resumed where
    it stopped. Retries a server that does not answer a few times."""
    mirror = Mirror(client, job_id)
    for path in files:
        mirror.add(path, path.name)
    delay, failures, sent = 0.5, 0, 0
    while not mirror.push():
        if mirror.sent_bytes > sent:  # more to send: the next round goes on
            sent = mirror.sent_bytes
            continue
        failures += 1
        if failures > _RETRIES:
            raise ServerUnavailableError(
                f"the server did not store the event files of job {job_id}; "
                "run the import again to finish it"
            )
        time.sleep(delay)
        delay *= 2


def _send(outbox: Outbox) -> None:
    """Send every batch, retrying a server that does not answer a few times."""
    delay = 0.5
    for _ in range(_RETRIES):
        if outbox.flush():
            return
        if outbox.refusal is not None:
            raise outbox.refusal
        time.sleep(delay)
        delay *= 2
    if not outbox.flush():
        raise ServerUnavailableError(
            f"the server did not store the metrics of job {outbox.job_id}; "
            "run the import again to finish it"
        )


def _time(wall_time: float | None) -> datetime | None:
    return None if wall_time is None else datetime.fromtimestamp(wall_time, tz=UTC)
