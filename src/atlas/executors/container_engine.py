"""The container engine a job with an image runs on: a Docker Engine API (Docker or Podman),
reached with docker-py, and the container a job asks for.

:func:`container_options` turns a :class:`~atlas.executors.base.LaunchSpec` into the options
of ``containers.create``: the job's image and command, its working folder bind-mounted at
:data:`WORKDIR` as the current folder, the SDK mounted read-only at :data:`SDK_DIR` and put on
``PYTHONPATH`` (so ``import atlas`` works without installing anything into the image), the
job's contract variables (``ATLAS_URL``, ``ATLAS_TOKEN``, ``ATLAS_JOB_ID``...), the limits
the scheduler accounted (CPUs as ``nano_cpus``, memory, a pids limit), its GPUs (a device
request for Docker, CDI names for Podman, which drops device requests silently), ``init`` so
that a stop delivers SIGTERM to the command, and the label :data:`JOB_LABEL` that finds the
container again after a restart.

The container has no network: the folder of the server's Unix socket is mounted read-only at
:data:`RUN_DIR` and ``ATLAS_URL`` names the socket there (the folder, not the socket itself,
so that the socket a restarted server makes afresh is the one the container sees). A job
that asks for a network (``resources.network``), or one whose server serves no socket, gets
the host's network and the URL a local job uses.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from atlas.errors import InvalidInputError, ResourceUnavailableError
from atlas.executors.base import LaunchSpec
from atlas.sdk.connection import UNIX_SCHEME

if TYPE_CHECKING:
    import docker
    from docker.models.containers import Container

__all__ = [
    "JOB_LABEL",
    "MIN_PYTHON",
    "PIDS_LIMIT",
    "RUN_DIR",
    "SDK_DIR",
    "SDK_PACKAGES",
    "WORKDIR",
    "Engine",
    "Mount",
    "container_options",
    "gpu_options",
    "missing_command_error",
    "sdk_mounts",
    "wants_network",
    "write_site",
]

JOB_LABEL = "atlas.job_id"
"""The label that names the job a container runs (found again after a server restart)."""
WORKDIR = "/atlas/job"
"""The job's working folder inside its container: the unpacked snapshot, read-write."""
SDK_DIR = "/atlas/sdk"
"""Where the SDK and the pure-Python packages it imports are mounted, read-only."""
RUN_DIR = "/atlas/run"
"""Where the folder of the server's Unix socket is mounted, read-only."""
SITE_DIR = "/atlas/site"
"""Where ``sitecustomize.py`` is mounted: it names the Python versions the SDK supports
when a job imports ``atlas`` under an older one."""
PIDS_LIMIT = 32768
"""Most processes (and threads) one job's container may hold: a fork bomb stops there."""
MIN_PYTHON = (3, 11)
"""The oldest Python the SDK runs on (``requires-python`` in pyproject.toml)."""
SDK_PACKAGES = (
    "atlas",
    "httpx",
    "httpcore",
    "h11",
    "anyio",
    "sniffio",
    "idna",
    "certifi",
    "typing_extensions",
)
"""The SDK and what ``httpx`` needs: all pure Python, so they run on any CPython the SDK
supports."""
_POOL = 256
"""Connections kept to the engine: one per running job follows its log."""
_FOREVER_S = 10 * 365 * 24 * 3600
_SITE = '''\
"""Written by Atlas: ``import atlas`` under a Python older than the SDK supports fails with
the versions it needs, not with a syntax error deep inside it."""
import sys

_NEEDED = tuple(int(p) for p in "{needed}".split("."))
if sys.version_info[:2] < _NEEDED:

    class _AtlasNeedsNewerPython(object):
        def find_spec(self, name, path=None, target=None):
            if name == "atlas" or name.startswith("atlas."):
                raise ImportError(
                    "atlas needs Python %s or newer; this image runs Python %d.%d: use an "
                    "image with a newer Python" % ("{needed}", sys.version_info[0],
                                                   sys.version_info[1])
                )
            return None

    sys.meta_path.insert(0, _AtlasNeedsNewerPython())
'''


@dataclass(frozen=True, slots=True)
class Mount:
    """A host path bind-mounted read-only at ``target`` in every job's container."""

    source: str
    target: str

    def as_volume(self) -> tuple[str, dict[str, str]]:
        """The ``volumes`` entry of docker-py."""
        return self.source, {"bind": self.target, "mode": "ro"}


def sdk_mounts() -> list[Mount]:
    """The installed SDK's packages (:data:`SDK_PACKAGES` that this interpreter has), each
    mounted under :data:`SDK_DIR` with its own name."""
    mounts = []
    for name in SDK_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        origin = Path(spec.origin)
        source = origin.parent if spec.submodule_search_locations is not None else origin
        mounts.append(Mount(str(source), f"{SDK_DIR}/{source.name}"))
    return mounts


def write_site(folder: Path) -> Mount:
    """Write the ``sitecustomize.py`` of jobs' containers into ``folder``; its mount."""
    folder.mkdir(parents=True, exist_ok=True)
    needed = ".".join(str(p) for p in MIN_PYTHON)
    (folder / "sitecustomize.py").write_text(_SITE.replace("{needed}", needed), encoding="utf-8")
    return Mount(str(folder), SITE_DIR)


def gpu_options(gpus: Sequence[int], *, podman: bool) -> dict[str, object]:
    """The options that pass the GPUs ``gpus`` (host indices) to a container: CDI device
    names (``nvidia.com/gpu=N``, made by ``nvidia-ctk cdi generate``) for Podman, an NVIDIA
    device request for Docker. Inside, the container sees these GPUs only, from 0."""
    if not gpus:
        return {}
    if podman:
        return {"devices": [f"nvidia.com/gpu={index}" for index in gpus]}
    from docker.types import DeviceRequest

    request = DeviceRequest(
        driver="nvidia", device_ids=[str(index) for index in gpus], capabilities=[["gpu"]]
    )
    return {"device_requests": [request]}


def wants_network(spec: LaunchSpec) -> bool:
    """Whether the job asked for a network (``resources.network``, ``atlas submit
    --network``)."""
    return spec.job.resources.get("network") is True


def container_options(
    spec: LaunchSpec,
    *,
    workdir: Path,
    mounts: Sequence[Mount],
    podman: bool,
    name: str,
    server_socket: Path | None = None,
) -> dict[str, object]:
    """The keyword arguments of ``containers.create`` for the job ``spec`` whose working
    folder is the host folder ``workdir``; ``server_socket`` is the Unix socket the server
    serves, ``None`` when it serves none (see the module's documentation)."""
    if spec.job.image is None:
        raise InvalidInputError(f"job {spec.job_id} names no image", detail={"field": "image"})
    allocation = spec.allocation
    volumes = [(str(workdir), {"bind": WORKDIR, "mode": "rw"})] + [m.as_volume() for m in mounts]
    url, network = spec.server_url, "host"
    if server_socket is not None and not wants_network(spec):
        url, network = f"{UNIX_SCHEME}{RUN_DIR}/{server_socket.name}", "none"
        volumes.append(Mount(str(server_socket.parent), RUN_DIR).as_volume())
    options: dict[str, object] = {
        "image": spec.job.image,
        "command": spec.command,
        "name": name,
        "labels": {JOB_LABEL: spec.job_id},
        "environment": _environment(spec, mounts, url=url),
        "working_dir": WORKDIR,
        "volumes": dict(volumes),
        "init": True,
        "network_mode": network,
        "nano_cpus": allocation.cpus * 1_000_000_000,
        "pids_limit": PIDS_LIMIT,
        "stdin_open": False,
        "tty": False,
    }
    if allocation.memory:
        options["mem_limit"] = allocation.memory
        options["memswap_limit"] = allocation.memory  # no swap beyond it: OOM is OOM
    options.update(gpu_options(allocation.gpus, podman=podman))
    return options


def _environment(spec: LaunchSpec, mounts: Sequence[Mount], *, url: str) -> dict[str, str]:
    project = spec.job.project
    paths = [SDK_DIR] + [m.target for m in mounts if m.target == SITE_DIR]
    return {
        "ATLAS_JOB_ID": spec.job_id,
        "ATLAS_URL": url,
        "ATLAS_TOKEN": spec.token,
        "ATLAS_PROJECT": project,
        "FOUNDATIONS_JOB_ID": spec.job_id,
        "FOUNDATIONS_PROJECT_NAME": project,
        "FOUNDATIONS_USER": spec.job.user or "",
        "PYTHONPATH": os.pathsep.join(paths),
        "PYTHONUNBUFFERED": "1",
        "OMP_NUM_THREADS": str(spec.allocation.cpus),
    }


def missing_command_error(image: str, command: str) -> str:
    """The job's error when its image has no ``command`` to run."""
    program = os.path.basename(command)
    if program.startswith("python"):
        needed = ".".join(str(p) for p in MIN_PYTHON)
        return (
            f"the image {image} has no {program} to run: a Python job needs an image with "
            f"Python {needed} or newer (the Atlas SDK is mounted into it; nothing is installed)"
        )
    return f"the image {image} has no {command!r} to run: it is not on the image's PATH"


class Engine:
    """A connection to the Docker Engine API at ``url`` (``unix:///run/podman/podman.sock``,
    ``tcp://host:2375``...). ``ResourceUnavailableError`` naming the URL when nothing
    answers there; ``InvalidInputError`` when docker-py is not installed."""

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        try:
            import docker
            import docker.errors
        except ImportError:
            raise InvalidInputError(
                "the container executor needs docker-py: pip install 'atlas[containers]'",
                detail={"setting": "container_engine"},
            ) from None
        self.url = url
        self.errors = docker.errors
        try:
            self.client: docker.DockerClient = docker.DockerClient(
                base_url=url, timeout=int(timeout), max_pool_size=_POOL
            )
            # Following a job's log and waiting for its end may take days: no read timeout.
            self.streams: docker.DockerClient = docker.DockerClient(
                base_url=url, timeout=_FOREVER_S, max_pool_size=_POOL
            )
            version = self.client.version()
        except (docker.errors.DockerException, OSError) as exc:
            self.close()
            raise self.unreachable(exc) from None
        components = version.get("Components") or []
        names = " ".join(str(c.get("Name", "")) for c in components if isinstance(c, dict))
        self.podman = "podman" in names.lower()
        self.version = str(version.get("Version", "?"))

    def unreachable(self, exc: BaseException) -> ResourceUnavailableError:
        """The error of an engine that does not answer."""
        return ResourceUnavailableError(
            f"the container engine at {self.url} is unreachable ({type(exc).__name__}): start "
            "it (podman system service, or dockerd) or fix the container_engine setting "
            "(docs/containers.md)",
            detail={"setting": "container_engine", "url": self.url},
        )

    def check(self) -> None:
        """``ResourceUnavailableError`` when the engine does not answer now."""
        try:
            self.client.ping()
        except (self.errors.DockerException, OSError) as exc:
            raise self.unreachable(exc) from None

    def find(self, job_id: str) -> Container | None:
        """The container (running or ended) of the job ``job_id``, if there is one."""
        found = self.client.containers.list(all=True, filters={"label": f"{JOB_LABEL}={job_id}"})
        return found[0] if found else None

    def describe(self) -> str:
        """The engine in words, for the server's log."""
        return f"{'Podman' if self.podman else 'Docker'} {self.version} at {self.url}"

    def close(self) -> None:
        """Close the connection pools."""
        for client in (getattr(self, "client", None), getattr(self, "streams", None)):
            if client is not None:
                client.close()
