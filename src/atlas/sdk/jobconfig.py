"""``job.config.yaml``: what a submitted folder asks for, in the old Atlas keys and ours.

Old Atlas (Foundations) keys: ``project_name``, ``entrypoint`` (a script, run with
``python``), ``command``, ``params``, ``num_gpus``, ``ram`` (GiB, a number), ``log_level``
(accepted for old files, no effect), ``job_notification_channel`` (the Slack channel old
Atlas told of the job's end; kept as ``notification_channel``) and ``worker``: its ``image``
(the same as ``image``), ``args`` (the command, when neither ``command`` nor ``entrypoint``
is given) and ``resources`` (``requests``, else ``limits``, of ``cpu``, ``memory`` and
``nvidia.com/gpu``, in Kubernetes's units: the job's ``cpus``, ``memory`` and ``gpus`` when
those keys are not given).
Ours: ``image`` (a container image to run the job in, docs/containers.md), ``project``,
``name``, ``cpus``, ``gpus``, ``memory`` (``4G``, ``512M`` or bytes), ``priority``,
``tags``, ``labels`` (what the job's node must have), ``network`` (a job in an image gets
a network), ``timeout`` (seconds), ``env``
(``auto`` or ``none``), ``retries`` (times a failed or lost job is queued again). An old
key and ours for the same thing may not both be given; any other key is an error that
names it.
"""

from __future__ import annotations

import json
import math
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from atlas.domain import ENV_MODES
from atlas.errors import InvalidInputError
from atlas.names import IMAGE_PATTERN, MAX_RETRIES, check_labels
from atlas.units import parse_memory

__all__ = [
    "ENV_MODES",
    "JOB_CONFIG",
    "JobConfig",
    "load_job_config",
    "parse_command",
    "parse_config",
    "parse_memory",
    "parse_param",
    "with_interpreter",
]

JOB_CONFIG = "job.config.yaml"
_KEYS = {
    "project",
    "project_name",
    "name",
    "command",
    "entrypoint",
    "params",
    "cpus",
    "gpus",
    "num_gpus",
    "memory",
    "ram",
    "priority",
    "tags",
    "timeout",
    "env",
    "retries",
    "image",
    "labels",
    "network",
    "log_level",
    "worker",
    "job_notification_channel",
}
_SAME = (("project", "project_name"), ("gpus", "num_gpus"), ("memory", "ram"))
_LOG_LEVELS = {"debug", "info", "warning", "warn", "error", "critical"}


@dataclass(frozen=True, slots=True)
class JobConfig:
    """The settings of a ``job.config.yaml``; ``None`` (or empty) where the file is silent."""

    project: str | None = None
    name: str | None = None
    command: list[str] | None = None
    params: dict[str, object] = field(default_factory=dict)
    cpus: int | None = None
    gpus: int | None = None
    memory: int | None = None
    priority: int | None = None
    tags: dict[str, str] = field(default_factory=dict)
    timeout: float | None = None
    env: str | None = None
    retries: int | None = None
    image: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    network: bool | None = None
    notification_channel: str | None = None


_WORKER_KEYS = {"image", "args", "resources"}
_WORKER_RESOURCES = {"cpu": "cpus", "memory": "memory", "nvidia.com/gpu": "gpus"}


def parse_param(text: str) -> tuple[str, object]:
    """``("lr", 0.01)`` from ``lr=0.01``: the value as JSON when it parses, else the
    string."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise InvalidInputError(f"--param {text!r}: use KEY=VALUE, e.g. --param lr=0.01")
    try:
        value: object = json.loads(raw)
    except ValueError:
        value = raw
    return key.strip(), value


def parse_command(value: object, *, where: str = "command") -> list[str]:
    """An argv list from a string (split like a shell would) or a list of strings."""
    if isinstance(value, str):
        try:
            argv = shlex.split(value)
        except ValueError as exc:
            raise InvalidInputError(f"{where}: cannot split {value!r}: {exc}") from None
    elif isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        argv = [str(v) for v in value]
    else:
        raise InvalidInputError(f"{where} must be a string or a list of strings, not {value!r}")
    if not argv:
        raise InvalidInputError(f"{where} is empty")
    return argv


def _int(data: Mapping[str, object], key: str, path: Path, minimum: int) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidInputError(f"{path}: {key} must be an integer >= {minimum}, not {value!r}")
    return value


def _check_keys(data: Mapping[str, object], path: Path) -> None:
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise InvalidInputError(
            f"{path}: unknown key{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(unknown)} (known: {', '.join(sorted(_KEYS))})",
            detail={"keys": unknown},
        )
    for ours, old in _SAME:
        if data.get(ours) is not None and data.get(old) is not None:
            raise InvalidInputError(f"{path}: give {ours} or {old}, not both")
    worker = data.get("worker")
    if worker is None:
        return
    if not isinstance(worker, dict):
        raise InvalidInputError(f"{path}: worker must be a mapping")
    if "image" in worker and data.get("image") is not None:
        raise InvalidInputError(f"{path}: give image or worker.image, not both")
    extra = sorted(str(k) for k in worker if k not in _WORKER_KEYS)
    if extra:
        raise InvalidInputError(
            f"{path}: unknown key worker.{', worker.'.join(extra)} (Atlas reads worker.image, "
            "worker.args and worker.resources)"
        )


def _command(data: Mapping[str, object], path: Path) -> list[str] | None:
    if data.get("command") is not None and data.get("entrypoint") is not None:
        raise InvalidInputError(f"{path}: give command or entrypoint, not both")
    if data.get("command") is not None:
        return with_interpreter(parse_command(data["command"], where=f"{path}: command"))
    entrypoint = data.get("entrypoint")
    worker = data.get("worker")
    if entrypoint is None and isinstance(worker, dict) and worker.get("args") is not None:
        return with_interpreter(parse_command(worker["args"], where=f"{path}: worker.args"))
    if entrypoint is None:
        return None
    return with_interpreter(parse_command(entrypoint, where=f"{path}: entrypoint"))


def with_interpreter(argv: list[str]) -> list[str]:
    """``argv``, run with ``python`` when it starts with a ``.py`` script (as old Atlas ran
    ``atlas submit . main.py``)."""
    return ["python", *argv] if argv and argv[0].endswith(".py") else argv


def _mapping(data: Mapping[str, object], key: str, path: Path) -> dict[str, object]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise InvalidInputError(f"{path}: {key} must be a mapping of names to values")
    return dict(value)


def _memory(data: Mapping[str, object], path: Path) -> int | None:
    if data.get("memory") is not None:
        return parse_memory(data["memory"], where=f"{path}: memory")
    ram = data.get("ram")
    if ram is None:
        return None
    if isinstance(ram, int | float) and not isinstance(ram, bool) and ram > 0:
        return int(ram * (1 << 30))  # the old key: GiB
    return parse_memory(ram, where=f"{path}: ram")


def _text(data: Mapping[str, object], key: str, path: Path) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidInputError(f"{path}: {key} must be a string, not {value!r}")
    return value


def _timeout(data: Mapping[str, object], path: Path) -> float | None:
    value = data.get("timeout")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise InvalidInputError(f"{path}: timeout must be a number of seconds > 0")
    return float(value)


def _retries(data: Mapping[str, object], path: Path) -> int | None:
    value = data.get("retries")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_RETRIES:
        raise InvalidInputError(
            f"{path}: retries must be a whole number from 0 to {MAX_RETRIES}, not {value!r}"
        )
    return value


def _image(data: Mapping[str, object], path: Path) -> str | None:
    worker = data.get("worker")
    value = data.get("image")
    if value is None and isinstance(worker, dict):
        value = worker.get("image")
    if value is None:
        return None
    if not isinstance(value, str) or not re.match(IMAGE_PATTERN, value):
        raise InvalidInputError(f"{path}: image must be an image reference, not {value!r}")
    return value


def _labels(data: Mapping[str, object], path: Path) -> dict[str, str]:
    value = data.get("labels")
    if value is None:
        return {}
    try:
        return check_labels(value, field="labels")
    except InvalidInputError as exc:
        raise InvalidInputError(f"{path}: {exc.message}") from None


def _network(data: Mapping[str, object], path: Path) -> bool | None:
    value = data.get("network")
    if value is None or isinstance(value, bool):
        return value
    raise InvalidInputError(f"{path}: network must be true or false, not {value!r}")


def _checked(data: Mapping[str, object], path: Path) -> None:
    env = data.get("env")
    if env is not None and env not in ENV_MODES:
        raise InvalidInputError(f"{path}: env must be auto or none, not {env!r}")
    level = data.get("log_level")
    if level is not None and str(level).lower() not in _LOG_LEVELS:
        raise InvalidInputError(f"{path}: log_level {level!r} is not a log level")


def _worker_resources(data: Mapping[str, object], path: Path) -> dict[str, int]:
    """``cpus``, ``memory`` and ``gpus`` from old Atlas's ``worker.resources`` (requests over
    limits, Kubernetes units), for those the file does not give at the top level."""
    worker = data.get("worker")
    resources = worker.get("resources") if isinstance(worker, dict) else None
    if resources is None:
        return {}
    where = f"{path}: worker.resources"
    if not isinstance(resources, dict) or not set(resources) <= {"limits", "requests"}:
        raise InvalidInputError(f"{where} must be a mapping of limits and requests")
    merged: dict[str, object] = {}
    for part in ("limits", "requests"):  # requests last: what the job is given
        amounts = resources.get(part) or {}
        if not isinstance(amounts, dict) or not set(amounts) <= set(_WORKER_RESOURCES):
            raise InvalidInputError(f"{where}.{part} may give cpu, memory and nvidia.com/gpu")
        merged.update(amounts)
    found = {_WORKER_RESOURCES[k]: _kubernetes_amount(k, v, where) for k, v in merged.items()}
    spellings = {"cpus": ("cpus",), "gpus": ("gpus", "num_gpus"), "memory": ("memory", "ram")}
    return {k: v for k, v in found.items() if all(data.get(n) is None for n in spellings[k])}


def _kubernetes_amount(key: str, value: object, where: str) -> int:
    text = str(value).strip()
    try:
        if key == "memory":
            return parse_memory(text + "B" if text.endswith("i") else text, where=f"{where}.memory")
        amount = float(text[:-1]) / 1000 if text.endswith("m") else float(text)
    except ValueError:
        amount = -1.0
    if key == "cpu" and amount > 0:
        return max(1, math.ceil(amount))
    if key == "nvidia.com/gpu" and amount >= 0 and amount == int(amount):
        return int(amount)
    raise InvalidInputError(f"{where}: {key} {value!r} is not an amount")


def parse_config(data: object, path: Path) -> JobConfig:
    """A :class:`JobConfig` from the parsed YAML ``data`` of the file ``path`` (named in
    every error)."""
    if data is None:
        return JobConfig()
    if not isinstance(data, dict):
        raise InvalidInputError(f"{path} must hold a mapping of keys to values")
    _check_keys(data, path)
    _checked(data, path)
    tags = _mapping(data, "tags", path)
    worker = _worker_resources(data, path)
    return JobConfig(
        project=_text(data, "project", path) or _text(data, "project_name", path),
        name=_text(data, "name", path),
        command=_command(data, path),
        params=_mapping(data, "params", path),
        cpus=worker.get("cpus", _int(data, "cpus", path, 1)),
        gpus=worker.get("gpus", _gpus(data, path)),
        memory=worker.get("memory", _memory(data, path)),
        priority=_int(data, "priority", path, -(2**31)),
        tags={key: "" if value is None else str(value) for key, value in tags.items()},
        timeout=_timeout(data, path),
        env=_text(data, "env", path),
        retries=_retries(data, path),
        image=_image(data, path),
        labels=_labels(data, path),
        network=_network(data, path),
        notification_channel=_text(data, "job_notification_channel", path),
    )


def _gpus(data: Mapping[str, object], path: Path) -> int | None:
    return _int(data, "gpus", path, 0) if "gpus" in data else _int(data, "num_gpus", path, 0)


def load_job_config(directory: Path) -> JobConfig:
    """The ``job.config.yaml`` of ``directory``, or an empty config when there is none."""
    path = directory / JOB_CONFIG
    if not path.is_file():
        return JobConfig()
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InvalidInputError(f"{path} is not valid YAML: {exc}") from None
    return parse_config(data, path)
