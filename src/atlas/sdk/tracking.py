"""The module-level tracking API: ``atlas.init``, ``atlas.log_metric``, ... (docs/sdk.md).

Each call goes to the active run (see ``atlas.sdk.run``). The first tracking call in a
process with no run starts one (autostart); a process started by the Atlas scheduler
(``ATLAS_JOB_ID`` set) attaches to its job instead of creating one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, SupportsFloat, SupportsIndex, cast

from atlas.errors import AtlasError
from atlas.sdk.run import Run, _Process, active_run, current, open_runs

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from atlas.domain import ParamValue
    from atlas.sdk.client import Client
    from atlas.settings import Settings

__all__ = [
    "configure",
    "current_job",
    "finish",
    "get_metrics_for_all_jobs",
    "init",
    "load_parameters",
    "log_audio",
    "log_histogram",
    "log_image",
    "log_metric",
    "log_metrics",
    "log_param",
    "log_params",
    "log_table",
    "log_video",
    "save_artifact",
    "set_tag",
]


class _Config:
    """Process state of the tracking API (settings and client: ``atlas.sdk.configuration``)."""

    shutting_down = False


def configure(
    *,
    url: str | None = None,
    token: str | None = None,
    project: str | None = None,
    client: Client | None = None,
    settings: Settings | None = None,
) -> None:
    """Set how the SDK reaches the server from now on, for tracking, ``atlas.submit``,
    ``atlas.Job`` and ``atlas.Client()`` alike: ``settings`` replaces the resolved settings
    (``atlas.settings.load_settings()`` by default), ``url``, ``token`` and ``project``
    override theirs, and ``client`` (an ``atlas.Client``, e.g. built on a test client) is
    used instead of one made from the settings. A new ``url`` or ``token`` without a
    ``client`` drops a client configured before. Jobs already started keep what they had."""
    from atlas.sdk import configuration

    configuration.configure(url=url, token=token, project=project, client=client, settings=settings)


def init(
    project: str | None = None,
    name: str | None = None,
    params: Mapping[str, object] | None = None,
    tags: Mapping[str, object] | list[str] | None = None,
    *,
    client: Client | None = None,
) -> Run:
    """Start a job and make it the active run (also a context manager: leaving the
    ``with`` block ends the job, failed when an exception escapes it).

    The job this context started, or the process's job when this thread started it, is
    ended (completed) first, so a loop of ``init`` calls or a re-run notebook cell starts a
    fresh job each time; a job of another thread is left alone. In a process the
    scheduler started (``ATLAS_JOB_ID``), the job is that one: ``name``, ``params`` and
    ``tags`` are added to it. ``project`` defaults to ``ATLAS_PROJECT``, then
    ``job.config.yaml``'s ``project_name``, then the folder's name; ``tags`` is a dict or a
    list of names.
    """
    from atlas.names import check_job_name
    from atlas.sdk.configuration import sdk_settings
    from atlas.sdk.params import flatten_params, normalize_tags

    if name is not None:
        check_job_name(name)
    flat = flatten_params(params) if params is not None else {}
    tag_values = normalize_tags(tags) if tags is not None else {}
    settings = sdk_settings()
    with _Process.lock:
        run = active_run()
        if settings.job_id and run is not None and run.attached and run.id == settings.job_id:
            _amend(run, project, name, flat, tag_values)
        else:
            previous = _started_here()
            if previous is not None:
                previous.finish()
            run = _start(settings, project, name, flat, tag_values, client)
    current.set(run)
    return run


def _started_here() -> Run | None:
    """The active job of this context, or the process's job when this thread started it."""
    run = current.get()
    if run is not None and not run.finished:
        return run
    default = _Process.default
    if default is not None and not default.finished and default.thread == threading.get_ident():
        return default
    return None


def _amend(
    run: Run,
    project: str | None,
    name: str | None,
    params: dict[str, ParamValue],
    tags: dict[str, str],
) -> None:
    import logging

    from atlas.sdk.records import UpdateJob

    if project and run.project and project != run.project:
        logging.getLogger(__name__).warning(
            "job %s belongs to project %r, not %r", run.id, run.project, project
        )
    if name:
        run.name = name
        run._sender.submit(UpdateJob(name=name))
    if params:
        run.log_params(params)
    if tags:
        run.set_tags(dict(tags))


def _start(
    settings: Settings,
    project: str | None,
    name: str | None,
    params: dict[str, ParamValue],
    tags: dict[str, str],
    client: Client | None,
) -> Run:
    from atlas.domain import JobKind, new_job_id
    from atlas.sdk import environment, exits
    from atlas.sdk.configuration import configured_client
    from atlas.sdk.records import CreateJob

    client = client if client is not None else cast("Client | None", configured_client())
    exits.install(_at_exit)  # an attached job also flushes at exit (its status is ignored)
    if settings.job_id:
        run = Run(
            job_id=settings.job_id,
            project=settings.project or "",
            name=name or "",
            settings=settings,
            client=client,
            attached=True,
            creation=None,
        )
        _amend(run, None, name, params, tags)
        return run
    project = environment.check_project(environment.default_project(project or settings.project))
    name = environment.job_name() if name is None else name
    fields = {**environment.origin(), "name": name, "kind": str(JobKind.LOCAL)}
    fields["started_at"] = time.time()  # kept in the spool: a job replayed later keeps it
    fields.update(params=params, tags=tags)
    run = Run(
        job_id=new_job_id(),
        project=project,
        name=name,
        settings=settings,
        client=client,
        attached=False,
        creation=CreateJob(project, fields),
    )
    run._params.update(params)
    if settings.capture_output:
        run.capture_output()
    return run


def _active() -> Run:
    """The active run, started on first use."""
    run = active_run()
    if run is not None:
        return run
    with _Process.lock:
        run = active_run()
        if run is not None:
            return run
        if _Config.shutting_down:
            raise AtlasError("cannot start a job: the process is exiting")
        from atlas.sdk.configuration import sdk_settings

        return _start(sdk_settings(), None, None, {}, {}, None)


def _at_exit() -> None:
    """End every job still open with the process's outcome."""
    from atlas.sdk import exits

    _Config.shutting_down = True
    ending = exits.outcome()
    for run in reversed(open_runs()):
        run.end(ending.status, ending.exit_code, ending.error)


def log_metric(key: str, value: SupportsFloat, step: SupportsIndex | None = None) -> None:
    """Record ``value`` of metric ``key`` at ``step`` (default: the key's previous step + 1,
    0 first). Values are ints, floats or numpy scalars; NaN and infinities are kept;
    anything else raises ``TypeError`` naming the key (bools included)."""
    run = current.get()
    if run is None or run.finished:
        run = _Process.default
        if run is None or run.finished:
            run = _active()
    run.log_metric(key, value, step)


def log_metrics(metrics: Mapping[str, SupportsFloat], step: SupportsIndex | None = None) -> None:
    """Record several metrics at one ``step`` (all or none)."""
    _active().log_metrics(metrics, step)


def log_param(key: str, value: object) -> None:
    """Record one param of the active job."""
    _active().log_param(key, value)


def log_params(params: Mapping[str, object]) -> None:
    """Record params; nested dicts are flattened with ``.`` separators (docs/sdk.md)."""
    _active().log_params(params)


def set_tag(key: str, value: str = "") -> None:
    """Set a tag of the active job (a plain label when ``value`` is empty)."""
    _active().set_tag(key, value)


def save_artifact(
    path: str | Path, key: str | None = None, *, step: int | None = None
) -> list[str]:
    """Store a file, or every file under a folder, as artifacts of the active job (under
    ``key``, default: its name); returns the artifact paths once stored or spooled."""
    return _active().save_artifact(path, key, step=step)


def log_image(
    key: str, image: object, *, step: int | None = None, caption: str | None = None
) -> None:
    """Record an image of the active job at ``step`` (default: the key's previous step + 1):
    a numpy array (``H x W``, ``H x W x 1|3|4``; uint8, or floats of 0-1, clipped), a torch
    or TensorFlow tensor (``C x H x W`` read as channels first), a PIL image or an image file
    path; stored as PNG (``media/<key>.png``), encoded and sent in the background. Needs
    Pillow (``pip install 'atlas-ml[media]'``). See docs/media.md."""
    _active().log_image(key, image, step=step, caption=caption)


def log_audio(
    key: str,
    samples_or_path: object,
    *,
    sample_rate: int | None = None,
    step: int | None = None,
    caption: str | None = None,
) -> None:
    """Record audio of the active job: samples (floats of -1..1 or int16, ``N`` or
    ``N x C``) as a 16-bit WAV at ``sample_rate`` (required for samples), or a ``.wav``,
    ``.mp3``, ``.flac``, ``.ogg`` or ``.m4a`` file by path, as it is."""
    _active().log_audio(key, samples_or_path, sample_rate=sample_rate, step=step, caption=caption)


def log_video(
    key: str,
    frames_or_path: object,
    *,
    fps: float | None = None,
    step: int | None = None,
    caption: str | None = None,
    format: str = "gif",
) -> None:
    """Record a video of the active job: frames (``T x H x W x C``, values as for images)
    at ``fps`` (required for frames) as an animated GIF (``format="gif"``, needs Pillow),
    an H.264 MP4 (``"mp4"``) or a VP9 WebM (``"webm"``; both need PyAV:
    ``pip install 'atlas-ml[video]'``), or a ``.gif``, ``.mp4`` or ``.webm`` file by path,
    as it is."""
    _active().log_video(key, frames_or_path, fps=fps, step=step, caption=caption, format=format)


def log_table(
    key: str,
    rows_or_dataframe: object,
    *,
    columns: Sequence[object] | None = None,
    step: int | None = None,
) -> None:
    """Record a table of the active job: a list of dicts, a list of lists with ``columns``,
    or a pandas DataFrame; stored as JSON (``media/<key>.table.json``)."""
    _active().log_table(key, rows_or_dataframe, columns=columns, step=step)


def log_histogram(key: str, values: object, *, step: int | None = None, bins: int = 64) -> None:
    """Record the histogram of ``values`` (an array or tensor of numbers) of the active
    job: ``bins`` equal bins computed in this process, only edges and counts stored; NaN and
    infinities are counted apart, with a warning naming the key."""
    _active().log_histogram(key, values, step=step, bins=bins)


def finish() -> bool:
    """End the active job as completed; True when the server has everything (see
    ``Run.end``), and when no job is active (nothing happens)."""
    run = active_run()
    return True if run is None else run.finish()


def current_job() -> Run | None:
    """The active run, or None when this process tracks nothing (does not start one)."""
    return active_run()


def load_parameters(*, log: bool = True) -> dict[str, object]:
    """The parameters this job was given: ``atlas_job_parameters.json`` (or the old
    ``foundations_job_parameters.json``) in the current folder, as written there (and, with
    ``log``, recorded as the job's params); else the params of the job Atlas started
    (``ATLAS_JOB_ID``) or the params already recorded by the active run; else ``{}``."""
    from pathlib import Path

    from atlas.sdk.client import sdk_client
    from atlas.sdk.configuration import sdk_settings
    from atlas.sdk.params import read_parameter_file

    from_file = read_parameter_file(Path.cwd())
    if from_file is not None:
        if log and from_file:
            log_params(from_file)
        return from_file
    settings = sdk_settings()
    if settings.job_id:
        with sdk_client() as client:
            return dict(client.get_job(settings.job_id).params)
    run = active_run()
    return dict(run.params()) if run is not None else {}


def get_metrics_for_all_jobs(project: str) -> pd.DataFrame | list[dict[str, object]]:
    """One row per job of ``project``: id, name, status, user and times, then a column per
    param, per metric (its last value) and per tag. A pandas DataFrame when pandas is
    installed, else a list of dicts (docs/sdk.md gives the column names)."""
    from atlas.sdk.client import sdk_client

    with sdk_client() as client:
        return client.get_metrics_for_all_jobs(project)
