"""``RoutingExecutor``: jobs that name an image go to the container executor, every other job
to the server's own executor (local processes, or the Ray cluster).

Each job stays with the executor that launched or adopted it; a launch record written by
the container executor says so (``"executor": "container"``), so after a restart each job is
adopted by the executor that runs it.
"""

from __future__ import annotations

from collections.abc import Callable

from atlas.executors.base import Executor, Handle, LaunchSpec, Node, Outcome
from atlas.executors.container import ContainerExecutor

__all__ = ["RoutingExecutor"]


class RoutingExecutor:
    """Sends jobs with an image to ``images``, the others to ``default``."""

    runs_images = True

    def __init__(self, default: Executor, images: ContainerExecutor) -> None:
        self.default = default
        self.images = images

    def __repr__(self) -> str:
        return f"RoutingExecutor({self.default!r}, {self.images!r})"

    def check_image(self, image: str) -> None:
        """``ResourceUnavailableError`` when the container engine does not answer now."""
        self.images.check_image(image)

    def _of(self, job_id: str) -> Executor:
        return self.images if self.images.knows(job_id) else self.default

    def launch(self, spec: LaunchSpec) -> Handle:
        """Launch on the container executor when the job names an image, else on the
        default executor."""
        if spec.job.image is not None:
            return self.images.launch(spec)
        return self.default.launch(spec)

    def poll(self, job_id: str) -> Outcome | None:
        """The job's outcome from the executor that runs it."""
        return self._of(job_id).poll(job_id)

    def started(self, job_id: str) -> bool:
        """Whether the job's command has started, on the executor that runs it."""
        return self._of(job_id).started(job_id)

    def cancel(self, job_id: str, *, grace: float) -> None:
        """Stop the job on the executor that runs it."""
        self._of(job_id).cancel(job_id, grace=grace)

    def adopt(self, job_id: str, record: dict[str, object]) -> bool:
        """Adopt on the container executor when ``record`` came from it, else on the default
        executor."""
        if record.get("executor") == "container":
            return self.images.adopt(job_id, record)
        return self.default.adopt(job_id, record)

    def running(self) -> list[str]:
        """Jobs running on either executor."""
        return [*self.default.running(), *self.images.running()]

    def nodes(self) -> tuple[Node, ...] | None:
        """The default executor's nodes (containers run on the server's machine)."""
        return self.default.nodes()

    def on_exit(self, callback: Callable[[str], None] | None) -> None:
        """Both executors call ``callback`` when one of their jobs ends."""
        self.default.on_exit(callback)
        self.images.on_exit(callback)
