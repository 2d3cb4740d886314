"""Every naming rule and limit of Atlas, owned here and applied alike by the SDK (at the call
that made a name) and by the server (before anything is stored).

- **keys** of params, tags and metrics: 1-250 characters, no control characters (C0, DEL or
  C1), no NUL and no lone surrogate; ``/`` groups metric keys (``system/cpu``).
- **tag values**: strings of at most 500 characters (tags are indexed, and a PostgreSQL
  index entry holds about 2,700 bytes), storable text.
- **param values** as JSON: at most 65,536 characters.
- **project names**: 1-200 letters, digits, ``.``, ``_``, ``-`` and spaces, not starting with
  a space or a dot.
- **job ids**: 16 characters of ``0-9a-z``; **job names**: at most 500 characters.
- **user names**: 1-100 letters, digits, ``.``, ``_``, ``-``, ``+`` and ``@`` (an e-mail
  address from single sign-on fits), starting with a letter or digit; **token names**: 1-100
  characters without control characters.
- **artifact paths**: relative, ``/``-separated, at most 1,000 characters, each name at most
  255 UTF-8 bytes; no backslash, control character, empty, ``.`` or ``..`` part.

Every check returns the value it accepts or raises ``InvalidInputError`` whose ``detail``
is ``{"errors": [{"field", "message"}]}``, the server's shape, so a caller reads the same
error in process and over HTTP. Standard library only: ``import atlas`` stays light.
"""

from __future__ import annotations

from typing import TypeGuard

from atlas.errors import InvalidInputError

__all__ = [
    "IMAGE_PATTERN",
    "JOB_ID_PATTERN",
    "KEY_PATTERN",
    "LABEL_KEY_PATTERN",
    "LABEL_VALUE_PATTERN",
    "MAX_LABELS",
    "AUDIO_SUFFIXES",
    "MAX_APPEND_BYTES",
    "MAX_ARTIFACT_PATH_LENGTH",
    "MAX_AUDIO_CHANNELS",
    "MAX_AUTHOR_LENGTH",
    "MAX_CAPTION_LENGTH",
    "MAX_COMMAND_LENGTH",
    "MAX_COMPARED_JOBS",
    "MAX_ERROR_TYPE_LENGTH",
    "MAX_HISTOGRAM_BINS",
    "MAX_IMAGE_LENGTH",
    "MAX_IMAGE_SIDE",
    "MAX_JOB_NAME_LENGTH",
    "MAX_KEY_LENGTH",
    "MAX_PARAM_JSON_LENGTH",
    "MAX_PATH_PART_BYTES",
    "MAX_PENDING_MEDIA_BYTES",
    "MAX_PROJECT_NAME_LENGTH",
    "MAX_RETRIES",
    "MAX_SWEEP_CHOICES",
    "MAX_SWEEP_ERROR_CODE_LENGTH",
    "MAX_SWEEP_GRID_POINTS",
    "MAX_SWEEP_NAME_LENGTH",
    "MAX_SWEEP_OBJECTIVES",
    "MAX_SWEEP_PARALLEL",
    "MAX_SWEEP_PARAMS",
    "MAX_SWEEP_PARAM_SETS",
    "MAX_SWEEP_TRIALS",
    "MAX_TABLE_COLUMNS",
    "MAX_TABLE_ROWS",
    "MAX_TAG_VALUE_LENGTH",
    "MAX_TENSORBOARD_JOBS",
    "MAX_TOKEN_ID_LENGTH",
    "MAX_TOKEN_NAME_LENGTH",
    "MAX_USER_LENGTH",
    "MAX_USER_NAME_LENGTH",
    "MAX_VERSIONS_LISTED",
    "MAX_VIDEO_FRAMES",
    "MAX_VIEW_NAME_LENGTH",
    "MAX_VIEW_STATE_BYTES",
    "MAX_VALUE_FIELDS",
    "MAX_VALUES_JOBS",
    "MAX_GROUP_FIELDS",
    "MAX_GROUP_SUMMARIES",
    "MAX_GROUPS",
    "MAX_IMPORTANCE_JOBS",
    "MAX_IMPORTANCE_PARAMS",
    "MAX_SERIES_JOBS",
    "MAX_SERIES_KEYS",
    "MAX_SERIES_PAIRS",
    "MAX_SERIES_POINTS",
    "MEDIA_FOLDER",
    "MEDIA_SUFFIXES",
    "USER_NAME_PATTERN",
    "PROJECT_NAME_PATTERN",
    "SHA256_PATTERN",
    "TENSORBOARD_FOLDER",
    "TENSORBOARD_LOGDIRS_FILE",
    "HISTOGRAM_SUFFIX",
    "TABLE_SUFFIX",
    "VIDEO_FORMATS",
    "VIDEO_SUFFIXES",
    "artifact_path_problem",
    "check_artifact_path",
    "check_caption",
    "check_job_id",
    "check_job_name",
    "check_labels",
    "check_key",
    "check_project_name",
    "check_tag_value",
    "check_token_name",
    "check_user_name",
    "invalid",
    "is_job_id",
    "is_sha256",
    "is_key",
    "is_project_name",
    "is_storable",
    "is_user_name",
    "media_key",
    "media_path",
    "param_json",
    "parse_label",
    "shown",
]

MAX_KEY_LENGTH = 250
"""Longest param, tag or metric key, in characters."""
MAX_TAG_VALUE_LENGTH = 500
"""Longest tag value: tags are indexed, and a PostgreSQL index entry holds ~2,700 bytes."""
MAX_PARAM_JSON_LENGTH = 65_536
"""Longest param value, in characters of its JSON text."""
MAX_PROJECT_NAME_LENGTH = 200
"""Longest project name, in characters."""
MAX_JOB_NAME_LENGTH = 500
"""Longest job name, in characters."""
MAX_USER_LENGTH = 200
"""Longest user name recorded on a job."""
MAX_USER_NAME_LENGTH = 100
"""Longest name of an Atlas user account (fits in ``MAX_USER_LENGTH``)."""
MAX_TOKEN_ID_LENGTH = 32
"""Longest API token id (the ids the server makes are shorter; the column holds this)."""
MAX_TOKEN_NAME_LENGTH = 100
"""Longest name of an API token."""
MAX_IMAGE_LENGTH = 500
"""Longest container image reference (``registry/name:tag@sha256:...``)."""
MAX_RETRIES = 100
"""Most times a job may be queued again after it fails or is lost."""
MAX_LABELS = 20
"""Most labels a node may have asked of it by one job."""
MAX_SWEEP_TRIALS = 10_000
"""Largest trial budget of one sweep (``trials``, also after adding trials)."""
MAX_SWEEP_PARALLEL = 256
"""Most trials of one sweep running at once (``parallel``)."""
MAX_SWEEP_PARAMS = 100
"""Most parameters in a sweep's search space."""
MAX_SWEEP_CHOICES = 1_000
"""Most choices of one categorical parameter of a sweep's space."""
MAX_SWEEP_OBJECTIVES = 8
"""Most objectives of one sweep (several: a multi-objective search, a Pareto front)."""
MAX_SWEEP_PARAM_SETS = 10_000
"""Most explicit param sets a sweep's spec may list (``params``, tried first)."""
MAX_SWEEP_NAME_LENGTH = 500
"""Longest sweep name, in characters (its trials' job names shorten it to end in
``-<number>`` within ``MAX_JOB_NAME_LENGTH``)."""
MAX_SWEEP_GRID_POINTS = 100_000
"""Most points of a grid sampler's grid (the product of its parameters' sizes): a larger
grid is refused before Optuna builds it in memory."""
MAX_SWEEP_ERROR_CODE_LENGTH = 100
"""Longest code of a sweep's error (``objective_missing``, ``trials_failed``, ...)."""
MAX_AUTHOR_LENGTH = 200
"""Longest author name of a project note."""
MAX_COMMAND_LENGTH = 100_000
"""Longest command of a job (its shell-quoted argv), and longest single argument."""
MAX_ERROR_TYPE_LENGTH = 500
"""Longest error type recorded on a job that ended badly."""
SHA256_PATTERN = "^[0-9a-f]{64}$"
"""A content address (code snapshots, artifacts): 64 lowercase hex digits."""
MAX_ARTIFACT_PATH_LENGTH = 1000
"""Longest artifact path, in characters (the width of ``artifacts.path``)."""
MAX_PATH_PART_BYTES = 255
"""Longest file or folder name of an artifact path, in UTF-8 bytes (common filesystems)."""

_JOB_ID_RULE = r"[0-9a-z]{16}"
_PROJECT_NAME_RULE = rf"[\w\-][\w.\- ]{{0,{MAX_PROJECT_NAME_LENGTH - 1}}}"
_KEY_RULE = rf"[^\x00-\x1f\x7f-\x9f]{{1,{MAX_KEY_LENGTH}}}"
_USER_NAME_RULE = rf"[A-Za-z0-9][A-Za-z0-9._@+\-]{{0,{MAX_USER_NAME_LENGTH - 1}}}"

JOB_ID_PATTERN = f"^{_JOB_ID_RULE}$"
"""A job id, as a pattern for schemas (the Python checks use ``fullmatch``)."""
PROJECT_NAME_PATTERN = f"^{_PROJECT_NAME_RULE}$"
"""A project name, as a pattern for schemas."""
IMAGE_PATTERN = rf"^[A-Za-z0-9][A-Za-z0-9._/:@+\-]{{0,{MAX_IMAGE_LENGTH - 1}}}$"
"""A container image reference as Docker and Podman write it (``python:3.11-slim``,
``registry.example.com:5000/team/train@sha256:...``); the engine checks the rest."""
USER_NAME_PATTERN = f"^{_USER_NAME_RULE}$"
"""A user account's name, as a pattern for schemas."""
KEY_PATTERN = f"^{_KEY_RULE}$"
LABEL_KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/\-]{0,62}$"
"""A node label's key (``gpu_type``, ``example.com/zone``): 1-63 characters."""
LABEL_VALUE_PATTERN = r"^[A-Za-z0-9._\-]{0,63}$"
"""A node label's value (``a100``): up to 63 letters, digits, ``.``, ``_`` and ``-``."""
"""A key but for lone surrogates and NUL, as a pattern for schemas (see ``is_key``)."""

_SHOWN = 60  # characters of a refused value repeated in a message


def shown(text: str) -> str:
    """The start of a refused value, as an error message repeats it (never the whole of a
    value that may be megabytes long)."""
    return text[:_SHOWN]


def _fullmatch(rule: str, text: str) -> bool:
    # ``re`` is imported on first use: the metric hot path checks keys without it.
    import re

    return re.fullmatch(rule, text) is not None  # re caches compiled patterns


def _has_key_control(text: str) -> bool:
    return any(char < " " or "\x7f" <= char <= "\x9f" for char in text)


def invalid(field: str, message: str) -> InvalidInputError:
    """An ``InvalidInputError`` whose detail names ``field``."""
    return InvalidInputError(message, detail={"errors": [{"field": field, "message": message}]})


def is_storable(text: str) -> bool:
    """Whether ``text`` can be stored and looked up: no NUL (PostgreSQL refuses it) and no
    lone surrogate (not UTF-8)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_key(key: object) -> bool:
    """Whether ``key`` is a valid param, tag or metric key."""
    return (
        isinstance(key, str)
        and 1 <= len(key) <= MAX_KEY_LENGTH
        and not _has_key_control(key)
        and is_storable(key)
    )


def check_key(key: object, kind: str, *, field: str | None = None, type_error: bool = False) -> str:
    """``key`` when it is a valid ``kind`` (``param``, ``tag``, ``metric``) key, else
    ``InvalidInputError`` naming the key and ``field`` (default ``"<kind>s"``). With
    ``type_error`` (the SDK), a key that is not a string raises ``TypeError`` instead."""
    # The common case, fast: printable ASCII holds no control character, NUL or surrogate.
    if (
        isinstance(key, str)
        and 1 <= len(key) <= MAX_KEY_LENGTH
        and key.isascii()
        and key.isprintable()
    ):
        return key
    field = field or f"{kind}s"
    if not isinstance(key, str):
        message = f"a {kind} key must be a string, not {type(key).__name__}: {key!r:.60}"
        raise TypeError(message) if type_error else invalid(field, message)
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        shown = key[:40]
        raise invalid(field, f"a {kind} key has 1 to {MAX_KEY_LENGTH} characters: {shown!r}")
    if _has_key_control(key):
        raise invalid(field, f"a {kind} key may not hold control characters: {key!r}")
    if not is_storable(key):
        raise invalid(field, f"a {kind} key may not hold lone surrogates: {key!r}")
    return key


def check_tag_value(key: str, value: object, *, field: str = "tags") -> str:
    """A tag value: a string of at most ``MAX_TAG_VALUE_LENGTH`` storable characters."""
    if not isinstance(value, str):
        raise invalid(field, f"tag {key!r} must be a string, not {type(value).__name__}")
    if len(value) > MAX_TAG_VALUE_LENGTH:
        raise invalid(
            field,
            f"tag {key!r} has at most {MAX_TAG_VALUE_LENGTH} characters, not {len(value)}",
        )
    if not is_storable(value):
        raise invalid(field, f"tag {key!r} may not hold NUL characters or lone surrogates")
    return value


def param_json(key: str, value: object, *, field: str = "params") -> str:
    """The JSON text of param ``key``'s ``value``: refused when JSON cannot hold it (NaN,
    infinities, non-string mapping keys, objects), when it is over
    ``MAX_PARAM_JSON_LENGTH`` characters, or when it holds a lone surrogate."""
    import json

    try:
        encoded = json.dumps(value, allow_nan=False, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError, RecursionError) as exc:
        message = f"param {key!r} is not a JSON value (finite numbers only): {exc}"
        raise invalid(field, message) from exc
    if len(encoded) > MAX_PARAM_JSON_LENGTH:
        raise invalid(field, f"param {key!r} is over {MAX_PARAM_JSON_LENGTH} characters as JSON")
    if not is_storable(encoded) or (isinstance(value, str) and not is_storable(value)):
        # json escapes NUL, but a string param is also stored as text; a lone surrogate stays
        raise invalid(field, f"param {key!r} may not hold NUL characters or lone surrogates")
    return encoded


def is_project_name(name: object) -> bool:
    """Whether ``name`` is a valid project name."""
    return isinstance(name, str) and _fullmatch(_PROJECT_NAME_RULE, name)


def check_project_name(name: object, *, field: str = "name") -> str:
    """``name`` when it is a valid project name (see the module docstring)."""
    if not isinstance(name, str):
        raise invalid(field, "a project name must be a string")
    if not 1 <= len(name) <= MAX_PROJECT_NAME_LENGTH:
        raise invalid(field, f"a project name has 1 to {MAX_PROJECT_NAME_LENGTH} characters")
    if not _fullmatch(_PROJECT_NAME_RULE, name):
        raise invalid(
            field,
            f"invalid project name {name[:_SHOWN]!r}: use letters, digits, '.', '_', '-' and "
            "spaces, not starting with a space or a dot",
        )
    return name


def is_user_name(name: object) -> bool:
    """Whether ``name`` is a valid user account name."""
    return isinstance(name, str) and _fullmatch(_USER_NAME_RULE, name)


def check_user_name(name: object, *, field: str = "name") -> str:
    """``name`` when it is a valid user account name (see the module docstring)."""
    if not isinstance(name, str) or not is_user_name(name):
        shown = name[:_SHOWN] if isinstance(name, str) else name
        raise invalid(
            field,
            f"invalid user name {shown!r}: use 1 to {MAX_USER_NAME_LENGTH} letters, digits, "
            "'.', '_', '-', '+' and '@', starting with a letter or digit",
        )
    return name


def check_token_name(name: object, *, field: str = "name") -> str:
    """``name`` when it can name an API token: 1-100 characters, no control characters."""
    if (
        not isinstance(name, str)
        or not 1 <= len(name) <= MAX_TOKEN_NAME_LENGTH
        or _has_key_control(name)
        or not is_storable(name)
        or not name.strip()
    ):
        raise invalid(
            field,
            f"a token name has 1 to {MAX_TOKEN_NAME_LENGTH} characters, not only spaces, "
            "and no control characters",
        )
    return name


def is_job_id(job_id: object) -> bool:
    """Whether ``job_id`` is a valid job id."""
    return isinstance(job_id, str) and _fullmatch(_JOB_ID_RULE, job_id)


def check_job_id(job_id: object, *, field: str = "id") -> str:
    """``job_id`` when it is 16 characters of ``0-9a-z``."""
    if not is_job_id(job_id):
        shown = job_id[:_SHOWN] if isinstance(job_id, str) else job_id
        raise invalid(field, f"invalid job id {shown!r}: expected 16 characters of 0-9a-z")
    return job_id  # type: ignore[return-value]  # is_job_id checked the type


def check_job_name(name: object, *, field: str = "name") -> str:
    """``name`` when it is a job name: a string of at most ``MAX_JOB_NAME_LENGTH`` storable
    characters (``""`` included)."""
    if not isinstance(name, str):
        raise invalid(field, f"a job name must be a string, not {type(name).__name__}")
    if len(name) > MAX_JOB_NAME_LENGTH:
        raise invalid(field, f"a job name has at most {MAX_JOB_NAME_LENGTH} characters")
    if not is_storable(name):
        raise invalid(field, "a job name may not hold NUL characters or lone surrogates")
    return name


def check_labels(labels: object, *, field: str = "labels") -> dict[str, str]:
    """``labels`` when it maps label keys to label values (see ``LABEL_KEY_PATTERN`` and
    ``LABEL_VALUE_PATTERN``), at most ``MAX_LABELS`` of them: the node labels a job asks for."""
    import re

    if not isinstance(labels, dict):
        raise invalid(field, "labels must be an object of KEY: VALUE strings")
    if len(labels) > MAX_LABELS:
        raise invalid(field, f"a job asks for at most {MAX_LABELS} labels, not {len(labels)}")
    for key, value in labels.items():
        if not isinstance(key, str) or not re.match(LABEL_KEY_PATTERN, key):
            shown = key[:_SHOWN] if isinstance(key, str) else key
            raise invalid(
                field,
                f"invalid label key {shown!r}: 1 to 63 letters, digits, '.', '_', '-' and '/', "
                "starting with a letter or digit",
            )
        if not isinstance(value, str) or not re.match(LABEL_VALUE_PATTERN, value):
            shown = value[:_SHOWN] if isinstance(value, str) else value
            raise invalid(
                field,
                f"invalid value {shown!r} of label {key}: up to 63 letters, digits, '.', '_' "
                "and '-'",
            )
    return dict(labels)


def parse_label(text: str, *, field: str = "label") -> tuple[str, str]:
    """``"gpu_type=a100"`` -> ``("gpu_type", "a100")``, checked."""
    key, sep, value = text.partition("=")
    if not sep:
        raise invalid(field, f"a label is KEY=VALUE, e.g. gpu_type=a100, not {text[:_SHOWN]!r}")
    check_labels({key.strip(): value.strip()}, field=field)
    return key.strip(), value.strip()


def artifact_path_problem(path: object) -> str | None:
    """Why ``path`` is not a safe artifact path, or None when it is one."""
    if not isinstance(path, str) or not path:
        return "a path must be a non-empty string"
    if len(path) > MAX_ARTIFACT_PATH_LENGTH:
        return f"a path has at most {MAX_ARTIFACT_PATH_LENGTH} characters"
    if "\\" in path:
        return "use '/' to separate folders, not '\\'"
    if any(char < " " or char == "\x7f" for char in path):
        return "control characters are not allowed"
    if not is_storable(path):
        return "lone surrogates are not allowed"
    if path.startswith("/"):
        return "the path must be relative (no leading '/')"
    for part in path.split("/"):
        if part in ("", ".", ".."):
            return "empty, '.' and '..' parts are not allowed"
        if len(part.encode("utf-8")) > MAX_PATH_PART_BYTES:
            return f"a name has at most {MAX_PATH_PART_BYTES} bytes"
    return None


def check_artifact_path(path: object, *, field: str = "path") -> str:
    """``path`` when it is a safe artifact path; such a path never leaves the folder it is
    joined to."""
    problem = artifact_path_problem(path)
    if problem is not None:
        shown = path[:_SHOWN] if isinstance(path, str) else path
        raise invalid(field, f"invalid artifact path {shown!r}: {problem}")
    return path  # type: ignore[return-value]  # the problem check covered the type


def is_sha256(value: object) -> TypeGuard[str]:
    """Whether ``value`` is a content address: exactly 64 lowercase hex digits."""
    return (
        isinstance(value, str)
        and len(value) == 64
        and value.isascii()
        and all(char in "0123456789abcdef" for char in value)
    )


# -- media (docs/media.md) -------------------------------------------------------------------
MAX_CAPTION_LENGTH = 1000
"""Longest caption of a media file, in characters."""
MAX_IMAGE_SIDE = 16_384
"""Widest and tallest image (or video frame) ``atlas.log_image`` takes, in pixels."""
MAX_VIDEO_FRAMES = 10_000
"""Most frames of a video ``atlas.log_video`` encodes."""
MAX_AUDIO_CHANNELS = 16
"""Most channels of the samples ``atlas.log_audio`` takes."""
MAX_TABLE_ROWS = 100_000
"""Most rows of a table ``atlas.log_table`` takes."""
MAX_TABLE_COLUMNS = 1_000
"""Most columns of a table ``atlas.log_table`` takes."""
MAX_HISTOGRAM_BINS = 10_000
"""Most bins of a histogram ``atlas.log_histogram`` computes."""
MAX_VERSIONS_LISTED = 10_000
"""Most versions of an artifact one listing answers."""
MAX_COMPARED_JOBS = 100
"""Most jobs one cross-job media request names."""
MAX_PENDING_MEDIA_BYTES = 256 * 1024 * 1024
"""Most bytes of media a job's process holds before they are sent: a media call past it
waits for the sender, so memory stays bounded when a script logs faster than it uploads."""
MAX_APPEND_BYTES = 8 * 1024 * 1024
"""Most bytes one append to an artifact carries (``POST /jobs/{id}/artifacts/{path}``)."""
MAX_TENSORBOARD_JOBS = 100
"""Most jobs one TensorBoard shows side by side."""


# -- the GUI workspace (docs/rest-api.md, "Workspace") ----------------------------------------
MAX_VIEW_NAME_LENGTH = 100
"""Longest name of a saved view, in characters."""
MAX_VIEW_STATE_BYTES = 65_536
"""Most bytes of a saved view's state, as compact UTF-8 JSON."""
MAX_VALUE_FIELDS = 16
"""Most fields one columnar values request reads."""
MAX_VALUES_JOBS = 100_000
"""Most jobs one columnar values request answers."""
MAX_GROUP_FIELDS = 3
"""Most fields the jobs are grouped by at once."""
MAX_GROUP_SUMMARIES = 16
"""Most metrics summarised per group."""
MAX_GROUPS = 1_000
"""Most groups one grouping answers."""
MAX_IMPORTANCE_JOBS = 5_000
"""Most jobs (the most recent that have the metric) a project's importances are fit on."""
MAX_IMPORTANCE_PARAMS = 100
"""Most params a project's importances weigh."""
MAX_SERIES_JOBS = 100
"""Most jobs one batch series read names."""
MAX_SERIES_KEYS = 100
"""Most metric keys one batch series read names."""
MAX_SERIES_PAIRS = 2_000
"""Most (job, key) pairs one batch series read answers: jobs times keys."""
MAX_SERIES_POINTS = 100_000
"""Most points a series read (single or batch) is downsampled to."""
TENSORBOARD_FOLDER = "tensorboard"
"""The artifact folder a job's TensorBoard event files are copied to as they grow:
``tensorboard/<path below the log folder>``."""
TENSORBOARD_LOGDIRS_FILE = "tensorboard.json"
"""The file of a job's control folder naming the folders ``atlas.set_tensorboard_logdir``
added, which the job's launcher follows besides its working folder."""
MEDIA_FOLDER = "media"
"""The artifact folder media files are saved in: ``media/<key><suffix>``."""
TABLE_SUFFIX = ".table.json"
"""How the artifact of ``atlas.log_table`` ends (its kind is ``table``)."""
HISTOGRAM_SUFFIX = ".histogram.json"
"""How the artifact of ``atlas.log_histogram`` ends (its kind is ``histogram``)."""
AUDIO_SUFFIXES = (".wav", ".mp3", ".flac", ".ogg", ".m4a")
"""Audio files ``atlas.log_audio`` stores as they are (samples become ``.wav``)."""
VIDEO_SUFFIXES = (".gif", ".mp4", ".webm")
"""Video files ``atlas.log_video`` stores as they are (frames become ``.gif``)."""
VIDEO_FORMATS = ("gif", "mp4", "webm")
"""What ``atlas.log_video`` encodes frames as (``format=``): a GIF with Pillow, an H.264 MP4
or a VP9 WebM with PyAV."""
MEDIA_SUFFIXES = (
    TABLE_SUFFIX,
    HISTOGRAM_SUFFIX,
    ".png",
    ".jpg",
    ".jpeg",
    ".webp",
    *AUDIO_SUFFIXES,
    *VIDEO_SUFFIXES,
)
"""The endings of media files (longest first: ``.table.json`` before a plain extension)."""


def media_path(key: object, suffix: str) -> str:
    """The artifact path of media ``key`` saved as a ``suffix`` file (``.png``), checked:
    ``key`` must be a valid key whose path is a safe artifact path."""
    checked = check_key(key, "media", field="key", type_error=True)
    problem = artifact_path_problem(f"{MEDIA_FOLDER}/{checked}{suffix}")
    if problem is not None:
        raise invalid("key", f"invalid media key {checked[:_SHOWN]!r}: {problem}")
    return f"{MEDIA_FOLDER}/{checked}{suffix}"


def media_key(path: str) -> str | None:
    """The media key an artifact path holds (``media/val/x.png`` -> ``val/x``), or None for
    an artifact that is not a media file."""
    prefix = MEDIA_FOLDER + "/"
    if not path.startswith(prefix):
        return None
    lowered = path.lower()
    for suffix in MEDIA_SUFFIXES:
        if lowered.endswith(suffix) and len(path) > len(prefix) + len(suffix):
            return path[len(prefix) : -len(suffix)]
    return None


def check_caption(caption: object, *, field: str = "caption") -> str | None:
    """``caption`` when it is ``None`` or storable text of at most ``MAX_CAPTION_LENGTH``
    characters."""
    if caption is None:
        return None
    if not isinstance(caption, str):
        raise invalid(field, f"a caption is a string, not {type(caption).__name__}")
    if len(caption) > MAX_CAPTION_LENGTH:
        raise invalid(field, f"a caption has at most {MAX_CAPTION_LENGTH} characters")
    if "\x00" in caption or not is_storable(caption):
        raise invalid(field, "a caption may not hold NUL or lone surrogates")
    return caption
