"""``atlas db``: create or migrate the metadata database, back it up and restore it.

They work on the database the server's settings name (``--db-url``, ``--home``, ``ATLAS_*``,
the TOML file), on the server's host. A backup is safe while the server runs; a restore
refuses while a server schedules on the database (it holds the scheduler's lock).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from atlas.cli.formats import mask_password
from atlas.cli.server import open_database
from atlas.errors import ConflictError
from atlas.settings import Settings, load_settings

__all__ = ["database_options", "db_group"]

F = TypeVar("F", bound=Callable[..., Any])
_DB_URL_HELP = "The server's database: sqlite:///path or postgresql://user@host/db."
_HOME_HELP = "The server's Atlas home folder (default ~/.atlas)."


def database_options(command: F) -> F:
    """The options that name the server's database, for a command run on its host:
    ``--db-url`` and ``--home`` (the other settings come from ``ATLAS_*`` and the TOML
    file)."""
    command = click.option("--home", metavar="DIR", help=_HOME_HELP)(command)
    return click.option("--db-url", metavar="URL", help=_DB_URL_HELP)(command)


@click.group("db")
def db_group() -> None:
    """Manage the metadata database: upgrade, backup, restore."""


@db_group.command("upgrade")
@database_options
def db_upgrade_command(db_url: str | None, home: str | None) -> None:
    """Create the database or migrate it to the newest schema."""
    from atlas.store.schema import current_revision

    settings = load_settings({"db_url": db_url, "home": home})
    url = settings.resolved_db_url
    store = open_database(url)
    try:
        revision = current_revision(store.engine)
    finally:
        store.close()
    click.echo(f"{mask_password(url)} is at revision {revision}")


@db_group.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE when it exists.")
@database_options
def db_backup_command(file: Path, force: bool, db_url: str | None, home: str | None) -> None:
    """Write a consistent copy of the database to FILE, safe while the server runs.

    SQLite: a copy of the database file as of one moment. PostgreSQL: pg_dump's custom format
    (needs PostgreSQL's client tools). Artifacts are NOT in the backup: copy them too (the
    command says where they are).
    """
    from atlas.store.backups import backup_database

    settings = load_settings({"db_url": db_url, "home": home})
    url = settings.resolved_db_url
    backup_database(url, file, force=force)
    click.echo(f"backed up {mask_password(url)} to {file}")
    click.echo(_not_copied(settings))


@db_group.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that holds Atlas data.")
@database_options
def db_restore_command(file: Path, force: bool, db_url: str | None, home: str | None) -> None:
    """Replace the database with the backup FILE (made by `atlas db backup`).

    Stop every server on the database first: the restore refuses while one schedules on it.
    It refuses to replace a database that holds Atlas data without --force. The next server
    start migrates a backup of an older Atlas to the newest schema.
    """
    from atlas.scheduler.lease import lease_for
    from atlas.store.backups import check_restore, restore_database

    settings = load_settings({"db_url": db_url, "home": home})
    url = settings.resolved_db_url
    revision = check_restore(url, file, force=force)
    lease = lease_for(url)
    if not lease.acquire():
        raise ConflictError(
            f"a server is running on {mask_password(url)} (it holds {lease.where}): stop "
            "every server that uses this database, then restore"
        )
    try:
        restore_database(url, file)
    finally:
        lease.release()
    click.echo(f"restored {mask_password(url)} from {file} (schema revision {revision})")
    click.echo(
        "The artifacts are not in the backup: put back the copy made with it. "
        "The server migrates the database to the newest schema when it starts."
    )
    click.echo(f"  artifacts: {mask_password(settings.resolved_artifacts)}")


def _not_copied(settings: Settings) -> str:
    location = mask_password(settings.resolved_artifacts)
    if "://" in location:
        how = f"e.g. aws s3 sync {location} s3://BACKUP-BUCKET/atlas-artifacts"
    else:
        how = f"e.g. rsync -a {location}/ BACKUP-HOST:atlas-artifacts/"
    return (
        f"NOT copied: the artifacts at {location}. Copy them too ({how}); "
        "see docs/deployment.md#backup-and-restore."
    )
