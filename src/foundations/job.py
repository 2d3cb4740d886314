"""The process's old-Atlas job: ``current_foundations_job()``, ``set_job_resources`` and
``set_project_name``, and whether the process is in a job at all.

Old Atlas made every process that imported ``foundations`` a job, except where the user set
``FOUNDATIONS_COMMAND_LINE=True`` (a script that only submits jobs, for instance); there, its
logging calls warned once ("Script not run with Foundations.") and did nothing. Atlas keeps
that rule: a process is in a job when Atlas started it (``ATLAS_JOB_ID`` or
``FOUNDATIONS_JOB_ID``), when an Atlas run is active, or when the setting
``foundations_command_line`` (``FOUNDATIONS_COMMAND_LINE``) is not true; the job itself is
Atlas's run, started by the first call that needs it, as ``import atlas`` does.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from atlas.sdk.run import Run

__all__ = [
    "FoundationsJob",
    "JobResources",
    "current_foundations_job",
    "in_job",
    "job_resources",
    "set_job_resources",
    "set_project_name",
    "warn_outside_job",
]

logger = logging.getLogger("foundations")

NOT_IN_JOB = "Script not run with Foundations."
"""The old SDK's warning, given once per process, for a logging call outside a job."""


@dataclass(frozen=True, slots=True)
class JobResources:
    """What the next ``foundations.submit`` asks for when neither its arguments nor
    ``job.config.yaml`` say: ``num_gpus`` GPUs and ``ram`` GiB (``None``: no limit)."""

    num_gpus: int = 0
    ram: float | None = None


class _State:
    """Process state of the old SDK."""

    lock = threading.Lock()
    outside: bool | None = None  # the settings' answer, once asked (they rarely change)
    warned = False
    resources = JobResources()
    project_name: str | None = None


def reset() -> None:
    """Forget the process state (tests use it between cases)."""
    with _State.lock:
        _State.outside = None
        _State.warned = False
        _State.resources = JobResources()
        _State.project_name = None


def in_job() -> bool:
    """Whether the old SDK's calls act in this process (see the module docstring)."""
    import atlas

    if atlas.current_job() is not None:
        return True
    if _State.outside is None:
        from atlas.sdk.configuration import sdk_settings

        settings = sdk_settings()
        _State.outside = settings.foundations_command_line and not settings.job_id
    return not _State.outside


def warn_outside_job() -> None:
    """Warn, once per process, that a logging call did nothing (the old SDK's words)."""
    with _State.lock:
        if _State.warned:
            return
        _State.warned = True
    logger.warning(NOT_IN_JOB)


def job_resources() -> JobResources:
    """What ``set_job_resources`` last set."""
    return _State.resources


def set_job_resources(num_gpus: int = 0, ram: float | None = None) -> None:
    """Set the GPUs and RAM (GiB; ``None``: no limit) that jobs submitted later from this
    process ask for when ``submit``'s arguments and ``job.config.yaml`` do not say.
    ``ValueError`` for a RAM quantity that is not above zero or a GPU quantity that is not a
    non-negative integer, as before."""
    if ram is not None and ram <= 0:
        raise ValueError("Invalid RAM quantity. Please provide a RAM quantity greater than zero.")
    if not isinstance(num_gpus, int) or num_gpus < 0:
        raise ValueError(
            "Invalid GPU quantity. Please provide a non-negative integer GPU quantity."
        )
    _State.resources = JobResources(num_gpus, ram)


def set_project_name(project_name: str = "default") -> None:
    """Put the jobs this process starts from now on (its own, when not yet started, and the
    ones it submits without a project) in ``project_name``. A job already running stays in
    its project; a warning says so."""
    import atlas

    run = atlas.current_job()
    if run is not None and run.project and run.project != project_name:
        logger.warning(
            "job %s has started in project %r; set_project_name(%r) applies to the jobs "
            "started after it",
            run.id,
            run.project,
            project_name,
        )
    _State.project_name = project_name
    atlas.configure(project=project_name)


class FoundationsJob:
    """The old ``current_foundations_job()`` object, over Atlas's run of this process."""

    @property
    def job_id(self) -> str:
        """The job's id (starting the job when the process is in one but has not logged yet);
        ``ValueError`` outside a job, as before."""
        run = _run()
        if run is None:
            raise ValueError("Job ID is currently undefined, please set before retrieving")
        return run.id

    @property
    def project_name(self) -> str:
        """The job's project; outside a job, the project its jobs would go to."""
        import atlas

        run = atlas.current_job()
        if run is not None and run.project:
            return run.project
        from atlas.sdk.configuration import sdk_settings
        from atlas.sdk.environment import default_project

        return default_project(_State.project_name or sdk_settings().project)

    @project_name.setter
    def project_name(self, project_name: str) -> None:
        set_project_name(project_name)

    @property
    def user_name(self) -> str:
        """The user the process runs as."""
        from atlas.sdk.submit import current_user

        return current_user()

    @property
    def job_resources(self) -> JobResources:
        """What ``set_job_resources`` last set."""
        return _State.resources

    @job_resources.setter
    def job_resources(self, resources: JobResources) -> None:
        set_job_resources(resources.num_gpus, resources.ram)

    def is_in_running_job(self) -> bool:
        """Whether the old SDK's calls act in this process."""
        return in_job()


def _run() -> Run | None:
    """Atlas's run of this process, started when the process is in a job; else None."""
    import atlas

    run = atlas.current_job()
    if run is not None or not in_job():
        return run
    return atlas.init(project=_State.project_name)


_JOB = FoundationsJob()


def current_foundations_job() -> FoundationsJob:
    """The process's job, as the old SDK's ``current_foundations_job()`` gave it."""
    return _JOB
