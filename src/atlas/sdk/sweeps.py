"""Hyperparameter sweeps from Python: ``atlas.sweep``, ``atlas.get_sweep`` and the ``Sweep``
handle (docs/sweeps.md).

The SDK only shapes the sweep's JSON (the same shape as a sweep's YAML file) and uploads the
folder's code snapshot the way ``atlas.submit`` does; the server checks the search space,
samples it (Optuna runs there, never here) and runs each trial as a job.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from atlas import domain
from atlas.domain import SweepStatus, Trial
from atlas.errors import InvalidInputError
from atlas.names import check_labels
from atlas.sdk.environment import check_project
from atlas.sdk.jobconfig import load_job_config, parse_command, parse_memory, with_interpreter
from atlas.sdk.params import flatten_params, normalize_tags

if TYPE_CHECKING:
    from atlas.sdk.client import Client

__all__ = ["Sweep", "get_sweep", "sweep", "sweep_spec"]

logger = logging.getLogger(__name__)

_POLL_FIRST = 0.1
_POLL_MAX = 2.0

Directions = str | Sequence[str]


def _objectives(
    objective: str | Sequence[str], direction: Directions, summary: str
) -> dict[str, object] | list[dict[str, object]]:
    """The spec's ``objective``: one ``{metric, direction, summary}``, or a list of them."""
    if isinstance(objective, str):
        if not isinstance(direction, str):
            raise InvalidInputError("one objective takes one direction: minimize or maximize")
        return {"metric": objective, "direction": direction, "summary": summary}
    metrics = list(objective)
    directions = [direction] * len(metrics) if isinstance(direction, str) else list(direction)
    if len(directions) != len(metrics):
        raise InvalidInputError(
            f"{len(metrics)} objectives need {len(metrics)} directions, not {len(directions)}"
        )
    return [
        {"metric": metric, "direction": way, "summary": summary}
        for metric, way in zip(metrics, directions, strict=True)
    ]


def _named(kind: str, value: str | Mapping[str, object], seed: int | None) -> object:
    """A sampler or pruner as the spec writes it: a name, or ``{name, seed, options}``."""
    if isinstance(value, Mapping):
        shaped = dict(value)
    elif isinstance(value, str):
        shaped = {"name": value}
    else:
        raise InvalidInputError(f"{kind} must be a name or a mapping, not {value!r}")
    if seed is not None:
        shaped["seed"] = seed
    return shaped["name"] if list(shaped) == ["name"] else shaped


def _space(space: Mapping[str, object] | None) -> dict[str, object]:
    if space is None:
        return {}
    if not isinstance(space, Mapping) or not all(isinstance(k, str) for k in space):
        raise InvalidInputError(
            "the space maps each parameter's name to its definition, e.g. "
            "{'lr': {'type': 'float', 'low': 1e-5, 'high': 0.1, 'log': True}}"
        )
    return {name: dict(d) if isinstance(d, Mapping) else d for name, d in space.items()}


def _param_sets(params: Sequence[Mapping[str, object]]) -> list[dict[str, object]]:
    if isinstance(params, Mapping | str) or not all(isinstance(p, Mapping) for p in params):
        raise InvalidInputError("params must be a list of param sets: [{'lr': 0.1}, ...]")
    return [dict(flatten_params(p)) for p in params]


def sweep_spec(
    space: Mapping[str, object] | None,
    *,
    command: str | Sequence[str],
    objective: str | Sequence[str],
    direction: Directions = "minimize",
    summary: str = "last",
    sampler: str | Mapping[str, object] = "tpe",
    pruner: str | Mapping[str, object] | None = None,
    trials: int | None = None,
    parallel: int | None = None,
    params: Sequence[Mapping[str, object]] | None = None,
    seed: int | None = None,
    cpus: int | None = None,
    gpus: int | None = None,
    memory: int | str | None = None,
    image: str | None = None,
    labels: Mapping[str, str] | None = None,
    tags: Mapping[str, object] | list[str] | tuple[str, ...] | None = None,
    timeout: float | None = None,
    name: str | None = None,
) -> dict[str, object]:
    """The JSON spec of a sweep (the shape of its YAML file, docs/sweeps.md) from the
    arguments of :func:`sweep`; what is not given is left to the server's defaults. Only
    shapes are checked here: ``InvalidInputError`` for a space that is not a mapping, a
    command that does not split, directions that do not match the objectives."""
    argv = with_interpreter(parse_command(command if isinstance(command, str) else list(command)))
    spec: dict[str, object] = {
        "command": argv,
        "objective": _objectives(objective, direction, summary),
        "sampler": _named("sampler", sampler, seed),
        "space": _space(space),
    }
    if pruner is not None:
        spec["pruner"] = _named("pruner", pruner, None)
    resources = {"cpus": cpus, "gpus": gpus}
    resources["memory"] = None if memory is None else parse_memory(memory)
    optional: dict[str, object] = {
        "name": name,
        "trials": trials,
        "parallel": parallel,
        "params": None if params is None else _param_sets(params),
        "resources": {k: v for k, v in resources.items() if v is not None} or None,
        "image": image,
        "labels": None if labels is None else check_labels(dict(labels)),
        "tags": None if tags is None else normalize_tags(tags),
        "timeout": timeout,
    }
    spec.update({key: value for key, value in optional.items() if value is not None})
    return spec


class Sweep:
    """A sweep, by id. ``client`` is used for every request (not closed by the handle);
    without one each call uses the SDK's client (``atlas.configure``, else one made from
    the settings: ``ATLAS_URL``...). Every call asks the server afresh."""

    def __init__(self, sweep_id: str, *, project: str = "", client: Client | None = None) -> None:
        self.id = sweep_id
        self.project = project
        self._client = client

    def __repr__(self) -> str:
        return f"Sweep({self.id!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sweep) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def _use(self) -> AbstractContextManager[Client]:
        return _client(self._client)

    def info(self) -> domain.Sweep:
        """Everything the server knows of the sweep: status, spec, budget, trial counts,
        the error that stopped it."""
        with self._use() as client:
            return client.get_sweep(self.id)

    def status(self) -> SweepStatus:
        """The sweep's status now (``running``, ``stopped``, ``completed``, ``failed``)."""
        return self.info().status

    def trials(self) -> list[Trial]:
        """Every trial so far, by number: its job, state, params, objective values."""
        with self._use() as client:
            return client.list_trials(self.id)

    def best(self) -> Trial | None:
        """The best complete trial (``None`` before any); ``InvalidInputError`` for a sweep
        with several objectives, whose best trials are a Pareto front: :meth:`best_trials`."""
        with self._use() as client:
            info, found = client.get_sweep_with_best(self.id)
        objectives = info.spec.get("objective")
        if isinstance(objectives, list) and len(objectives) > 1:
            raise InvalidInputError(
                f"sweep {self.id} has {len(objectives)} objectives: its best trials are a "
                "Pareto front, read them with best_trials()"
            )
        return found[0] if found else None

    def best_trials(self) -> list[Trial]:
        """The best trial as a list of one, or the Pareto front of a sweep with several
        objectives (no trial of it is beaten on every objective by another)."""
        with self._use() as client:
            return client.get_best_trials(self.id)

    def importances(self, objective: int = 0) -> dict[str, float]:
        """How much each param explains objective ``objective`` (its index), most important
        first; empty while fewer than two trials are complete."""
        with self._use() as client:
            return client.get_importances(self.id, objective=objective)

    def wait(self, timeout: float | None = None) -> SweepStatus:
        """Block until the sweep is no longer running (completed, stopped or failed); answer
        its status. ``TimeoutError`` after ``timeout`` seconds (the sweep goes on)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        pause = _POLL_FIRST
        with self._use() as client:
            while True:
                status = client.get_sweep(self.id).status
                if status is not SweepStatus.RUNNING:
                    return status
                if deadline is not None and time.monotonic() + pause > deadline:
                    raise TimeoutError(f"sweep {self.id} is still {status} after {timeout} s")
                time.sleep(pause)
                pause = min(pause * 2, _POLL_MAX)

    def stop(self) -> SweepStatus:
        """Stop the sweep: no new trials, its running trials are cancelled."""
        with self._use() as client:
            return client.stop_sweep(self.id).status

    def resume(self) -> SweepStatus:
        """Let a stopped (or failed) sweep start trials again, up to its budget."""
        with self._use() as client:
            return client.resume_sweep(self.id).status

    def add_trials(self, count: int) -> SweepStatus:
        """Raise the trial budget by ``count``; a completed sweep runs again."""
        with self._use() as client:
            return client.add_trials(self.id, count).status


def get_sweep(sweep_id: str, *, client: Client | None = None) -> Sweep:
    """A handle on the sweep ``sweep_id``; ``NotFoundError`` when the server has none."""
    handle = Sweep(sweep_id, client=client)
    handle.project = handle.info().project
    return handle


def sweep(
    space: Mapping[str, object] | None,
    *,
    command: str | Sequence[str],
    objective: str | Sequence[str],
    directory: str | os.PathLike[str] = ".",
    direction: Directions = "minimize",
    summary: str = "last",
    sampler: str | Mapping[str, object] = "tpe",
    pruner: str | Mapping[str, object] | None = None,
    trials: int | None = None,
    parallel: int | None = None,
    params: Sequence[Mapping[str, object]] | None = None,
    seed: int | None = None,
    cpus: int | None = None,
    gpus: int | None = None,
    memory: int | str | None = None,
    image: str | None = None,
    labels: Mapping[str, str] | None = None,
    tags: Mapping[str, object] | list[str] | tuple[str, ...] | None = None,
    timeout: float | None = None,
    name: str | None = None,
    project: str | None = None,
    client: Client | None = None,
) -> Sweep:
    """Start a hyperparameter sweep: ``trials`` runs of ``command`` from a snapshot of
    ``directory``, ``parallel`` at once, each a job whose params are values sampled from
    ``space`` (``atlas.load_parameters()`` reads them in the script); answer its
    :class:`Sweep`.

    ``objective`` is the metric each trial logs with ``atlas.log_metric`` (its ``summary``
    ``last``, ``min`` or ``max``), to ``direction`` ``minimize`` or ``maximize``; a list of
    metrics (and of directions) makes a multi-objective sweep. ``sampler``: ``random``,
    ``grid``, ``tpe``, ``cmaes``, ``gp`` or ``qmc`` (or ``{"name", "options"}``), seeded by
    ``seed``; ``pruner``: ``median``, ``percentile``, ``successive_halving``, ``hyperband``.
    ``trials`` is the budget (default 10; a grid's size for ``grid``; one trial per param set
    when there is no space), ``parallel`` how many run at once (default 1). ``params`` lists
    param sets to try first (alone, without a space: a fixed list of runs). ``cpus``,
    ``gpus``, ``memory``, ``image``, ``labels``, ``tags`` and ``timeout`` (seconds) apply to
    each trial as to ``atlas.submit``. The project defaults as for ``atlas.submit``. The
    server checks the spec: ``InvalidInputError`` (its ``detail["errors"]`` lists each
    problem with its field path)."""
    from atlas.sdk.configuration import sdk_settings
    from atlas.sdk.submit import current_user, resolve_project, upload_folder

    settings = sdk_settings()
    folder = Path(directory)
    if not folder.is_dir():
        raise InvalidInputError(f"cannot start a sweep from {folder}: not a folder")
    spec = sweep_spec(
        space,
        command=command,
        objective=objective,
        direction=direction,
        summary=summary,
        sampler=sampler,
        pruner=pruner,
        trials=trials,
        parallel=parallel,
        params=params,
        seed=seed,
        cpus=cpus,
        gpus=gpus,
        memory=memory,
        image=image,
        labels=labels,
        tags=tags,
        timeout=timeout,
        name=name,
    )
    chosen = check_project(resolve_project(project, load_job_config(folder), settings, folder))
    limit = settings.max_snapshot_mb * 1024 * 1024
    with _client(client) as api:
        snapshot = upload_folder(api, folder, max_snapshot_bytes=limit, warn=_log)
        created = api.create_sweep(chosen, spec, snapshot=snapshot, user=current_user())
    return Sweep(created.id, project=created.project, client=client)


@contextmanager
def _client(given: Client | None) -> Iterator[Client]:
    if given is not None:
        yield given
        return
    from atlas.sdk.client import sdk_client

    with sdk_client() as own:
        yield own


def _log(message: str) -> None:
    logger.warning("%s", message)
