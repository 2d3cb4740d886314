"""Every Atlas setting, declared once: name, type, default and help.

Values are layered, later wins: the declared default < the credentials file of ``atlas
login`` (``url`` and ``token`` only; ``atlas.credentials``) < the TOML file < ``ATLAS_*``
environment variables < explicit overrides (CLI flags). The TOML file is ``ATLAS_CONFIG`` when
set, else ``./atlas.toml`` when it exists, else ``$ATLAS_HOME/atlas.toml``. Nothing is read or
created at import time: call :func:`load_settings`.

docs/configuration.md is generated from :data:`SETTINGS` (``python -m atlas.settings``) and a
test keeps it in sync.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, get_args, get_type_hints

from atlas.addresses import is_loopback
from atlas.errors import InvalidInputError

__all__ = [
    "SERVER_SECRETS",
    "SETTINGS",
    "Setting",
    "Settings",
    "load_settings",
    "render_docs",
    "server_only_variables",
]

SettingValue = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Setting:
    """The declaration of one setting. Its environment variable is ``ATLAS_<NAME>``."""

    name: str
    type: type
    default: SettingValue
    help: str
    group: str = "general"

    @property
    def env(self) -> str:
        return "ATLAS_" + self.name.upper()


def _declare(default: Any, help: str, group: str = "general") -> Any:
    """A field of :class:`Settings`: its default, with the help and group that
    docs/configuration.md and ``atlas server --help`` show."""
    return field(default=default, metadata={"help": help, "group": group})


@dataclass(frozen=True, slots=True)
class Settings:
    """Resolved settings, each declared once here: type, default, help and group.

    Build with :func:`load_settings`; tests pass values directly.
    """

    home: str = _declare("~/.atlas", "Folder for the embedded database, artifacts and spool.")
    host: str = _declare("127.0.0.1", "Address the server binds to.", "server")
    port: int = _declare(5555, "Port the server listens on.", "server")
    db_url: str | None = _declare(
        None,
        "Metadata store URL: sqlite:///path or postgresql://user@host/db. "
        "Default: SQLite at $ATLAS_HOME/atlas.db.",
        "server",
    )
    artifacts: str | None = _declare(
        None,
        "Artifact store: a folder or any fsspec URL (s3://bucket/prefix). "
        "Default: $ATLAS_HOME/artifacts.",
        "server",
    )
    max_upload_mb: int = _declare(
        10240, "Largest artifact upload the server accepts, in MiB.", "server"
    )
    log_level: str = _declare("info", "Server log level: debug, info, warning, error.", "server")
    allowed_hosts: str | None = _declare(
        None,
        "Host names the server answers for besides localhost and loopback addresses, "
        "comma-separated; `*.example.com` matches every subdomain, `*` any host (only behind "
        "a proxy that checks Host itself). Requests naming another host get 421 "
        "host_not_allowed: this keeps web pages out through DNS rebinding. The address given "
        "to --host with --insecure is allowed too (with 0.0.0.0 or ::, every IP address).",
        "server",
    )
    lost_after: float = _declare(
        120.0,
        "Seconds without a heartbeat after which a running tracked script's job is marked "
        "lost (it comes back to running if it reports again); 0 never marks one lost.",
        "server",
    )
    query_timeout: float = _declare(
        10.0,
        "Seconds the database may work on one job listing (its page and its count together) "
        "before it is stopped and the request answered 422 query_too_expensive: the bound on "
        "a filter that is slow to run, such as a regex PostgreSQL's engine finds hard.",
        "server",
    )
    auth: str = _declare(
        "auto",
        "Authentication: `on` (users, sessions, API tokens and project roles; see "
        "docs/auth.md), `off` (anyone who reaches the server may do anything: loopback only, "
        "or with --insecure), or `auto`: on when the server binds an address other than "
        "loopback, off on loopback.",
        "auth",
    )
    session_lifetime: str = _declare(
        "14d",
        "How long a browser session lasts without use before it must log in again, e.g. 12h, 14d.",
        "auth",
    )
    trusted_proxies: str | None = _declare(
        None,
        "Addresses or networks of reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto headers are believed, comma-separated (e.g. 127.0.0.1 or "
        "10.0.0.0/8). From any other peer those headers are ignored; unset: from every peer.",
        "auth",
    )
    public_url: str | None = _declare(
        None,
        "The server's address as users reach it, e.g. https://atlas.example.com (behind a "
        "proxy): single sign-on sends the browser back to it. Default: the request's own.",
        "auth",
    )
    oidc_issuer: str | None = _declare(
        None,
        "OpenID Connect issuer URL (single sign-on), e.g. https://login.example.com/realms/ml; "
        "its /.well-known/openid-configuration is read at the first login. Unset: no single "
        "sign-on.",
        "auth",
    )
    oidc_client_id: str | None = _declare(None, "OpenID Connect client id.", "auth")
    oidc_client_secret: str | None = _declare(
        None, "OpenID Connect client secret (unset: a public client, PKCE only).", "auth"
    )
    oidc_scopes: str = _declare(
        "openid profile email", "Scopes asked of the OpenID Connect provider.", "auth"
    )
    oidc_username_claim: str = _declare(
        "preferred_username",
        "ID-token claim that names the Atlas user (falls back to `sub`).",
        "auth",
    )
    oidc_groups_claim: str = _declare(
        "groups", "ID-token claim that lists the user's groups.", "auth"
    )
    oidc_role_map: str | None = _declare(
        None,
        "Groups to Atlas roles, `;`-separated: `GROUP=admin` makes members instance admins, "
        "`GROUP=PROJECT:ROLE` gives them ROLE (viewer, editor, owner) in PROJECT, e.g. "
        "`ml-admins=admin; vision=vision:editor`. Applied at every single sign-on login.",
        "auth",
    )
    oidc_label: str = _declare(
        "single sign-on", "What the login page's single sign-on button names.", "auth"
    )
    s3_endpoint_url: str | None = _declare(
        None,
        "Endpoint of S3-compatible storage for s3:// artifact locations (MinIO, Ceph, ...). "
        "Default: AWS (AWS_ENDPOINT_URL works too).",
        "storage",
    )
    s3_region: str | None = _declare(
        None, "Region of the S3 bucket. Default: AWS_REGION / AWS_DEFAULT_REGION.", "storage"
    )
    s3_access_key_id: str | None = _declare(
        None,
        "Access key of the S3 bucket. Default: the usual AWS sources (AWS_ACCESS_KEY_ID, "
        "~/.aws/credentials, instance roles).",
        "storage",
    )
    s3_secret_access_key: str | None = _declare(
        None, "Secret key of the S3 bucket. Default: the usual AWS sources.", "storage"
    )
    url: str = _declare(
        "http://127.0.0.1:5555", "Server URL used by the SDK and the CLI.", "client"
    )
    token: str | None = _declare(None, "API token sent by the SDK and the CLI.", "client")
    project: str | None = _declare(None, "Project for jobs started by the SDK.", "client")
    job_id: str | None = _declare(
        None, "Id of the job this process belongs to (set by Atlas).", "client"
    )
    control_dir: str | None = _declare(
        None,
        "The control folder of the job this process belongs to, where "
        "`atlas.set_tensorboard_logdir` leaves word for the job's launcher (set by Atlas).",
        "client",
    )
    flush_interval: float = _declare(1.0, "Seconds between the SDK's background sends.", "client")
    batch_points: int = _declare(50000, "Most metric points in one request.", "client")
    buffer_points: int = _declare(
        2000000, "Metric points the SDK holds in memory before spilling to the spool.", "client"
    )
    capture_output: bool = _declare(
        True, "Copy a tracked script's console into the job log.", "client"
    )
    timeout: float = _declare(10.0, "HTTP timeout of the SDK and the CLI, in seconds.", "client")
    heartbeat_interval: float = _declare(
        10.0,
        "Seconds between the SDK's heartbeats, which tell the server a tracked script is "
        "alive (keep it well below the server's lost_after); 0 sends none.",
        "client",
    )
    foundations_command_line: bool = _declare(
        False,
        "Old Atlas scripts (`import foundations`, docs/migrating.md): when true, a process "
        "that Atlas did not start is no job, and its foundations logging calls warn once "
        "and do nothing, as old Atlas did with FOUNDATIONS_COMMAND_LINE=True.",
        "client",
    )
    gpus: str | None = _declare(
        None,
        "GPU indices the scheduler hands out, e.g. 0,1,2,3 (empty: none). "
        "Default: the NVIDIA GPUs nvidia-ml-py finds.",
        "scheduler",
    )
    cpus: int | None = _declare(
        None, "CPU slots the scheduler hands out. Default: the CPU count.", "scheduler"
    )
    memory: str | None = _declare(
        None,
        "Memory the scheduler hands out, in bytes or with a unit (64G, 512M). "
        "Default: the machine's physical memory.",
        "scheduler",
    )
    labels: str = _declare(
        "",
        "Labels of the server's machine that jobs may ask for with --label, as "
        "KEY=VALUE,KEY=VALUE (e.g. gpu_type=a100). On a Ray cluster each node's own labels "
        "count instead (ray start --labels).",
        "scheduler",
    )
    work_dir: str | None = _declare(
        None,
        "Folder of the jobs' working copies and environments. Default: $ATLAS_HOME/work.",
        "scheduler",
    )
    keep_workdirs: bool = _declare(
        False, "Keep a job's working folder after it ends (default: removed).", "scheduler"
    )
    max_snapshot_mb: int = _declare(
        1024, "Largest code snapshot the server accepts, in MiB.", "scheduler"
    )
    cancel_grace: float = _declare(
        10.0,
        "Seconds between SIGTERM and SIGKILL when a job is cancelled or times out.",
        "scheduler",
    )
    executor: str = _declare(
        "local",
        "Where scheduled jobs run: `local` (processes on this host) or `ray` (the Ray "
        "cluster at ray_address; docs/cluster.md). Jobs that name a container image run "
        "through container_engine either way.",
        "scheduler",
    )
    ray_address: str | None = _declare(
        None,
        "Address of the dashboard of the Ray cluster jobs run on with executor = ray, e.g. "
        "http://10.0.0.5:8265 (Atlas uses the Ray Jobs API; docs/cluster.md).",
        "scheduler",
    )
    container_engine: str | None = _declare(
        None,
        "Docker Engine API of the container engine that runs jobs with an image, e.g. "
        "unix:///run/podman/podman.sock or unix:///var/run/docker.sock (docs/containers.md). "
        "Default: DOCKER_HOST, else none: a job with an image is refused at submit.",
        "scheduler",
    )
    tensorboard_idle: float = _declare(
        300.0,
        "Seconds without a request after which a TensorBoard opened from Atlas is stopped.",
        "server",
    )
    tensorboard_busy: float = _declare(
        30.0,
        "A TensorBoard that served a request this many seconds ago or less is busy: it is "
        "not stopped to make room for another when `max_tensorboards` run.",
        "server",
    )
    max_tensorboards: int = _declare(
        4, "Most TensorBoard processes the server runs at once.", "server"
    )
    slack_token: str | None = _declare(
        None,
        "Slack bot token (xoxb-...) with which the server posts the state changes of jobs "
        "whose job_notification_channel tag (old Atlas's job.config.yaml key) names a "
        "channel, through chat.postMessage (docs/notifications.md). Read from "
        "FOUNDATIONS_SLACK_TOKEN too, as old Atlas did.",
        "notifications",
    )
    slack_api_url: str = _declare(
        "https://slack.com/api",
        "Base URL of Slack's Web API that slack_token posts to.",
        "notifications",
    )
    notify_private_hosts: str = _declare(
        "auto",
        "Whether notification rules may post to loopback, link-local (cloud metadata) and "
        "private addresses: `refuse`, `allow`, or `auto`: allowed when authentication is "
        "off (a server for one person on loopback), refused when it is on. Checked at each "
        "send, on the addresses the URL's host resolves to (docs/notifications.md).",
        "notifications",
    )
    notify_log_days: float = _declare(
        30.0,
        "Days a delivered or failed notification stays in the delivery log; older ones "
        "are deleted by the server (0: kept forever).",
        "notifications",
    )
    uv_args: str | None = _declare(
        None,
        "Extra arguments of `uv pip install` when a job's requirements.txt environment is "
        "built, e.g. `--index-url https://pypi.example.com/simple` or "
        "`--no-index --find-links /wheels` (uv's own UV_* variables work too).",
        "scheduler",
    )

    @property
    def container_engine_url(self) -> str | None:
        """The container engine's API: ``container_engine``, else ``DOCKER_HOST``, else
        ``None`` (no engine: jobs with an image are refused at submit)."""
        return self.container_engine or os.environ.get("DOCKER_HOST") or None

    @property
    def notify_private_allowed(self) -> bool:
        """Whether notifications may go to private addresses (``notify_private_hosts``)."""
        if self.notify_private_hosts == "auto":
            return not self.auth_enabled
        return self.notify_private_hosts == "allow"

    @property
    def auth_enabled(self) -> bool:
        """Whether the server asks who is calling: ``auth = on``, or ``auto`` on an address
        other than loopback."""
        if self.auth == "auto":
            return not is_loopback(self.host)
        return self.auth == "on"

    @property
    def home_path(self) -> Path:
        return Path(self.home).expanduser()

    @property
    def resolved_db_url(self) -> str:
        """The store URL, defaulting to SQLite under home."""
        return self.db_url or f"sqlite:///{self.home_path / 'atlas.db'}"

    @property
    def resolved_artifacts(self) -> str:
        """The artifact store location, defaulting to a folder under home."""
        return self.artifacts or str(self.home_path / "artifacts")

    @property
    def spool_path(self) -> Path:
        return self.home_path / "spool"

    @property
    def socket_path(self) -> Path:
        """The Unix socket a server with a container engine serves besides its port: jobs in
        containers reach the server through it with no network (docs/containers.md)."""
        return self.home_path / "run" / "atlas.sock"

    @property
    def work_path(self) -> Path:
        """The folder of the jobs' working copies, defaulting to one under home."""
        return Path(self.work_dir).expanduser() if self.work_dir else self.home_path / "work"

    def with_overrides(self, **values: SettingValue) -> Settings:
        """A copy with ``values`` (``None`` values are ignored) parsed like CLI flags."""
        known = {s.name: s for s in SETTINGS}
        parsed = {k: _parse(known[k], v, k) for k, v in values.items() if v is not None}
        return replace(self, **parsed)  # type: ignore[arg-type]


def _declarations() -> tuple[Setting, ...]:
    hints = get_type_hints(Settings)
    declared: list[Setting] = []
    for item in fields(Settings):
        kinds = [
            k for k in get_args(hints[item.name]) or (hints[item.name],) if k is not type(None)
        ]
        if len(kinds) != 1 or kinds[0] not in (str, int, float, bool):
            raise TypeError(f"setting {item.name}: one of str, int, float, bool (or None)")
        default: SettingValue = item.default  # type: ignore[assignment]
        help_text, group = item.metadata["help"], item.metadata["group"]
        declared.append(Setting(item.name, kinds[0], default, help_text, group))
    return tuple(declared)


SETTINGS: tuple[Setting, ...] = _declarations()
"""Every setting in declaration order, read off :class:`Settings`."""


def _parse(setting: Setting, raw: object, source: str) -> SettingValue:
    if raw is None:
        return None
    kind = setting.type
    try:
        if kind is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError(text)
        if kind is int and isinstance(raw, bool):
            raise ValueError(raw)
        value = kind(raw)
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"setting {setting.name} from {source}: {raw!r} is not a valid {kind.__name__}",
            detail={"setting": setting.name, "source": source},
        ) from None
    assert isinstance(value, str | int | float | bool)
    choices = _CHOICES.get(setting.name)
    if choices is not None and value not in choices:
        raise InvalidInputError(
            f"setting {setting.name} from {source}: {raw!r} is not one of {', '.join(choices)}",
            detail={"setting": setting.name, "source": source},
        )
    return value


_CHOICES: dict[str, tuple[str, ...]] = {
    "auth": ("auto", "on", "off"),
    "executor": ("local", "ray"),
    "notify_private_hosts": ("auto", "allow", "refuse"),
}
"""Settings that take one of a few words."""


def _config_file(env: Mapping[str, str], home: str) -> Path | None:
    if env.get("ATLAS_CONFIG"):
        return Path(env["ATLAS_CONFIG"]).expanduser()
    local = Path("atlas.toml")
    if local.is_file():
        return local
    in_home = Path(home).expanduser() / "atlas.toml"
    return in_home if in_home.is_file() else None


def _read_toml(path: Path) -> dict[str, object]:
    import tomllib  # only when a file exists: keeps `import atlas` light

    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise InvalidInputError(f"cannot read settings file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInputError(f"settings file {path} is not valid TOML: {exc}") from None
    known = {s.name for s in SETTINGS}
    section = data.get("atlas", data)
    if not isinstance(section, dict):
        raise InvalidInputError(f"settings file {path}: [atlas] must be a table")
    unknown = sorted(set(section) - known)
    if unknown:
        raise InvalidInputError(
            f"settings file {path} has unknown settings: {', '.join(unknown)}",
            detail={"unknown": unknown},
        )
    return dict(section)


def load_settings(
    overrides: Mapping[str, SettingValue] | None = None,
    *,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve every setting: defaults < the credentials file (``url`` and ``token`` only)
    < TOML file < ``ATLAS_*`` env < ``overrides``.

    From the credentials file ``atlas login`` writes (``$ATLAS_HOME/credentials``), ``url``
    is its current server and ``token`` the token stored for the ``url`` the other layers
    resolve, so a token is never sent to another server than its own.

    ``overrides`` values that are ``None`` are ignored (an unset CLI flag).
    Raises :class:`InvalidInputError` naming the setting and its source on a bad value.
    """
    env = os.environ if env is None else env
    values: dict[str, SettingValue] = {s.name: s.default for s in SETTINGS}
    home = env.get("ATLAS_HOME") or str(values["home"])
    if overrides and overrides.get("home"):
        home = str(overrides["home"])
    path = _config_file(env, home)
    layers: list[tuple[str, Mapping[str, object]]] = []
    if path is not None:
        layers.append((str(path), _read_toml(path)))
    layers.append(("environment", _environment(env)))
    layers.append(("command line", {k: v for k, v in (overrides or {}).items() if v is not None}))
    layers.insert(0, _credentials_layer(home, layers))
    by_name = {s.name: s for s in SETTINGS}
    for source, layer in layers:
        for name, raw in layer.items():
            if name not in by_name:
                raise InvalidInputError(f"unknown setting {name!r} from {source}")
            values[name] = _parse(by_name[name], raw, source)
    return Settings(**values)  # type: ignore[arg-type]


ENV_ALIASES: dict[str, str] = {
    "FOUNDATIONS_JOB_ID": "job_id",
    "FOUNDATIONS_PROJECT_NAME": "project",
    "FOUNDATIONS_COMMAND_LINE": "foundations_command_line",
    "FOUNDATIONS_SLACK_TOKEN": "slack_token",
}
"""Old Atlas (foundations) variables read as settings, below their ``ATLAS_*`` names."""

SERVER_SECRETS = ("db_url", "oidc_client_secret", "s3_secret_access_key", "slack_token")
"""Settings only the server may know: their environment variables (and old aliases) are
removed from the environment of the jobs it runs (``server_only_variables``)."""


def server_only_variables() -> tuple[str, ...]:
    """The environment variables of :data:`SERVER_SECRETS`, ``ATLAS_*`` names and aliases."""
    by_name = {s.name: s for s in SETTINGS}
    names = [by_name[name].env for name in SERVER_SECRETS]
    return tuple(names + [old for name in SERVER_SECRETS for old in _aliases_of(name)])


def _environment(env: Mapping[str, str]) -> dict[str, object]:
    """The settings ``env`` gives: ``ATLAS_*`` variables over their old aliases."""
    values: dict[str, object] = {name: env[old] for old, name in ENV_ALIASES.items() if old in env}
    values.update({s.name: env[s.env] for s in SETTINGS if s.env in env})
    return values


def _credentials_layer(
    home: str, layers: list[tuple[str, Mapping[str, object]]]
) -> tuple[str, Mapping[str, object]]:
    """``url`` and ``token`` from the credentials file, for those the other ``layers`` leave
    unset (the file is not read when they set both)."""
    given = {name for _, layer in layers for name in layer}
    if {"url", "token"} <= given:
        return ("credentials file", {})
    from atlas.credentials import credentials_path, read_credentials

    path = credentials_path(home)
    stored = read_credentials(path)
    url: object = next(
        (layer["url"] for _, layer in reversed(layers) if "url" in layer), stored.current
    )
    found: dict[str, object] = {}
    if stored.current is not None:
        found["url"] = stored.current
    if isinstance(url, str) and (token := stored.token_for(url)) is not None:
        found["token"] = token
    return (str(path), found)


def _aliases_of(name: str) -> list[str]:
    return [old for old, setting in ENV_ALIASES.items() if setting == name]


def render_docs() -> str:
    """docs/configuration.md, generated from :data:`SETTINGS`."""
    lines = [
        "# Configuration",
        "",
        "<!-- Generated by `python -m atlas.settings > docs/configuration.md`; do not edit. -->",
        "",
        "Every setting can be given, from lowest to highest precedence, as its default, in a",
        "TOML file, as an `ATLAS_*` environment variable, or as a command-line flag.",
        "",
        "The TOML file is `$ATLAS_CONFIG` when that is set, else `./atlas.toml` when it exists,",
        "else `$ATLAS_HOME/atlas.toml`. Settings go at the top level or under `[atlas]`:",
        "",
        "```toml",
        "[atlas]",
        'db_url = "postgresql://atlas@db.example.com/atlas"',
        "port = 8080",
        "```",
        "",
        "Command-line flags use the setting's name with dashes (`--db-url`).",
        "",
        "Below all of these, the SDK and the CLI take `url` and `token` from the credentials",
        "file `atlas login` writes (`$ATLAS_HOME/credentials`): `url` is its current server,",
        "`token` the one stored for the resolved `url`, never another server's (docs/auth.md).",
        "",
    ]
    groups: dict[str, list[Setting]] = {}
    for setting in SETTINGS:
        groups.setdefault(setting.group, []).append(setting)
    for group, members in groups.items():
        header = "| setting | environment | type | default | meaning |"
        lines += [f"## {group.capitalize()}", "", header]
        lines.append("|---|---|---|---|---|")
        for s in members:
            default = "" if s.default is None else f"`{s.default}`"
            env = " or ".join(f"`{v}`" for v in (s.env, *_aliases_of(s.name)))
            lines.append(f"| `{s.name}` | {env} | {s.type.__name__} | {default} | {s.help} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_docs(), end="")
