"""The old SDK's tracking calls, mapped onto ``import atlas``.

The old type rules hold: a metric is a string or a number (``int``, ``float``, ``bool``;
numpy's integers and ``float32`` were refused and still are), or a ``list`` of them, each
element logged in turn; anything else is a ``TypeError`` naming the key and a short form of
the value, and a metric name that is not a string a ``ValueError``. Numbers become points of
Atlas's metric series; a string value becomes the job's tag of the same key (Atlas metrics
are numbers), so the job table shows it. ``log_params`` flattens nested values the old way,
one level deep (``{"a": {"b": 1}, "c": [1, 2]}`` gives ``a_b``, ``c_0`` and ``c_1``; a
deeper mapping stays whole, ``{"a": {"b": {"c": 1}}}`` giving ``a_b = {"c": 1}``, which
Atlas's params hold as ``a_b.c``, its own rule for a mapping). Outside a job
(``foundations.job``) metric, param and tag calls warn once and do nothing, and
``save_artifact`` warns each time, as before; the argument checks come first either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from foundations.job import in_job, logger, warn_outside_job

__all__ = [
    "flatten_parameter_dictionary",
    "load_parameters",
    "log_metric",
    "log_param",
    "log_params",
    "save_artifact",
    "set_tag",
    "set_tensorboard_logdir",
]

_SHOWN = 30
"""Characters of a refused value that its error shows (then `` ...``), as before."""


def _scalar(value: object) -> bool:
    return isinstance(value, str | int | float)


def _shown(value: object) -> str:
    text = str(value)
    return text[:_SHOWN] + " ..." if len(text) > _SHOWN else text


def log_metric(key: str, value: object) -> None:
    """Record ``value`` (a number or string, or a list of them: each element in turn) as
    metric ``key`` of this process's job; see the module docstring for the rules."""
    if not isinstance(key, str):
        raise ValueError(f"Invalid metric name `{key}`")
    if _scalar(value):
        values: list[object] = [value]
    elif isinstance(value, list) and all(_scalar(item) for item in value):
        values = value
    else:
        raise TypeError(
            f'Invalid metric with key="{key}" of value={_shown(value)} with type '
            f"{type(value)}. Value should be of type string or number, or a list of "
            "strings / numbers"
        )
    if not values:
        return
    if not in_job():
        warn_outside_job()
        return
    import atlas

    for item in values:
        if isinstance(item, str):
            atlas.set_tag(key, item)
        else:
            atlas.log_metric(key, int(item) if isinstance(item, bool) else item)  # type: ignore[arg-type]


def log_param(key: str, value: object) -> None:
    """Record param ``key`` of this process's job (a later call with the same key replaces
    the value)."""
    if not in_job():
        warn_outside_job()
        return
    import atlas

    atlas.log_param(key, value)


def log_params(parameters: Mapping[str, object]) -> None:
    """Record each param of ``parameters``, flattened the old way
    (:func:`flatten_parameter_dictionary`)."""
    flat = flatten_parameter_dictionary(parameters)
    if not flat:
        return
    if not in_job():
        warn_outside_job()
        return
    import atlas

    atlas.log_params(flat)


def flatten_parameter_dictionary(param_dictionary: Mapping[str, object]) -> dict[str, object]:
    """The old flattening, one level deep as before: strings, numbers and ``None`` are kept;
    a mapping's items become ``key_subkey``, a list's ``key_0``, ``key_1``... with their
    values as they are (a value that is itself a mapping or list is not flattened again); an
    empty mapping or list is ``None``."""
    flat: dict[str, object] = {}
    for key, value in param_dictionary.items():
        if value is None or isinstance(value, str | int | float):
            flat[key] = value
        elif isinstance(value, Mapping):
            flat.update(_flatten_one_level(key, list(value.items())))
        else:
            flat.update(_flatten_one_level(key, list(enumerate(value))))  # type: ignore[arg-type]
    return flat


def _flatten_one_level(key: str, items: list[tuple[object, object]]) -> dict[str, object]:
    if not items:
        return {key: None}
    return {f"{key}_{sub}": value for sub, value in items}


def set_tag(key: str, value: object = "") -> None:
    """Set tag ``key`` of this process's job (a label when ``value`` is empty; numbers are
    written as text)."""
    if not in_job():
        warn_outside_job()
        return
    import atlas

    atlas.set_tag(key, value)  # type: ignore[arg-type]


def save_artifact(filepath: str | Path, key: str | int | None = None) -> None:
    """Store the file ``filepath`` as an artifact of this process's job under ``key``
    (default: the file's name); a later save under the same key replaces it. Outside a job:
    a warning, each time, and nothing stored."""
    if not in_job():
        logger.warning("Cannot save artifact outside of job.")
        return
    import atlas

    atlas.save_artifact(filepath, None if key is None else str(key))  # old keys: numbers too


def set_tensorboard_logdir(path: str | Path) -> None:
    """Keep the TensorBoard event files written under ``path`` with the job, and tag the job
    ``tf`` as before: a job Atlas runs has them followed as they grow (their scalars become
    metrics; docs/tensorboard.md); a plain run stores the folder as its artifacts
    ``tensorboard/`` when the process exits, as old Atlas uploaded it then."""
    if not in_job():
        warn_outside_job()
        return
    import atlas
    from atlas.sdk.configuration import sdk_settings

    atlas.set_tag("tf", "tf")  # starts the job first: its exit handler runs after ours
    if sdk_settings().control_dir:
        atlas.set_tensorboard_logdir(path)
        return
    import atexit

    atexit.register(_store_logdir, Path(path).resolve())


def _store_logdir(folder: Path) -> None:
    if folder.is_dir() and any(p.is_file() for p in folder.rglob("*")):
        import atlas

        atlas.save_artifact(folder, "tensorboard")


def load_parameters(log_parameters: bool = True) -> dict[str, object]:
    """The parameters this job was given (``foundations_job_parameters.json`` or
    ``atlas_job_parameters.json`` in the current folder, else those of the job Atlas
    started), with the names Atlas flattened (``model.layers``) nested again; ``{}`` when
    there are none. With ``log_parameters`` they are recorded as the job's params, flattened
    the old way, unless Atlas started the job: it holds them already."""
    from atlas.sdk.configuration import sdk_settings
    from atlas.sdk.params import read_parameter_file

    settings = sdk_settings()
    given = read_parameter_file(Path.cwd())
    if given is None and settings.job_id:
        import atlas

        given = atlas.load_parameters(log=False)
    parameters = _nested(given or {})
    if log_parameters and parameters and not settings.job_id:
        log_params(parameters)
    return parameters


def _nested(flat: Mapping[str, object]) -> dict[str, object]:
    """``{"a.b": 1}`` as ``{"a": {"b": 1}}``; ``flat`` as it is when two names clash."""
    nested: dict[str, object] = {}
    for key, value in flat.items():
        *parents, leaf = key.split(".")
        node = nested
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                return dict(flat)
            node = child
        if leaf in node:
            return dict(flat)
        node[leaf] = value
    return nested
