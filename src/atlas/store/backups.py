"""Backups of the metadata store: the whole database in one file, and putting one back.

- SQLite: SQLite's online backup API copies the database in one step, inside one read
  transaction: the copy is the database as of one commit, while the server goes on writing
  (WAL readers never block the writer). The copy is a plain single-file database
  (``journal_mode=DELETE``), checked (``PRAGMA quick_check``), synced and renamed into
  place: a backup file is whole or absent. A restore copies the backup into a temporary
  file beside the database and renames it over the database file, so the database is the old
  one or the backup, never a mix.
- PostgreSQL: ``pg_dump --format=custom`` into a temporary file renamed into place;
  a restore replays it with ``pg_restore --clean --if-exists --no-owner`` into ``psql
  --single-transaction``, after dropping the Atlas tables the dump does not hold (a backup
  from before an upgrade has fewer tables than the upgraded database): all or nothing.

Artifacts are not in the database and not in a backup (docs/deployment.md says how to copy
them). The caller makes sure no server uses the database while it is restored.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from atlas.errors import ConflictError, InvalidInputError, NotFoundError, ResourceUnavailableError
from atlas.store.engine import BUSY_TIMEOUT_MS, make_engine, sqlite_path
from atlas.store.schema import alembic_config
from atlas.store.tables import Base

__all__ = ["backup_database", "check_restore", "restore_database"]

_PG_TOOLS_HINT = (
    "install PostgreSQL's client tools (Debian and Ubuntu: apt install postgresql-client; "
    "RHEL: dnf install postgresql), of the server's major version or newer"
)
_COPY_REVISION = re.compile(r"^COPY \S*alembic_version \(version_num\) FROM stdin;\n(\S+)\n", re.M)


def backup_database(url: str, destination: Path, *, force: bool = False) -> None:
    """Write a consistent copy of the database at ``url`` to ``destination``, safe while a
    server writes. ``ConflictError`` when ``destination`` exists and not ``force``;
    ``NotFoundError`` when there is no database; ``ResourceUnavailableError`` when
    ``pg_dump`` is missing or fails."""
    parsed = _url(url)
    if destination.exists() and not force:
        raise ConflictError(f"{destination} exists: pass --force to replace it")
    destination.parent.mkdir(parents=True, exist_ok=True)
    with _temporary_beside(destination) as temporary:
        if parsed.get_backend_name() == "sqlite":
            _backup_sqlite(_existing_sqlite_file(parsed), temporary)
        else:
            _run_pg("pg_dump", ["--format=custom", f"--file={temporary}"], parsed)
        _sync(temporary)
        os.replace(temporary, destination)
    _sync(destination.parent)


def check_restore(url: str, source: Path, *, force: bool = False) -> str:
    """The schema revision of the backup ``source``, once it is known restorable into the
    database at ``url``: ``NotFoundError`` when ``source`` is missing, ``InvalidInputError``
    when it is no Atlas backup of that kind of database or comes from a newer Atlas,
    ``ConflictError`` when the database holds Atlas data and not ``force``."""
    parsed = _url(url)
    if not source.is_file():
        raise NotFoundError(f"no backup file {source}")
    if parsed.get_backend_name() == "sqlite":
        revision = _sqlite_revision(source)
    else:
        revision = _dump_revision(source, parsed)
    if ScriptDirectory.from_config(alembic_config()).get_revision(revision) is None:
        raise InvalidInputError(
            f"{source} is at schema revision {revision}, which this Atlas does not know: it "
            "was made by a newer Atlas; restore it with that version"
        )
    if _holds_atlas_data(parsed) and not force:  # reaches the database either way
        raise ConflictError(
            f"{_shown(parsed)} already holds an Atlas database: pass --force to replace it "
            "with the backup"
        )
    return revision


def restore_database(url: str, source: Path) -> None:
    """Replace the database at ``url`` with the backup ``source`` (see ``check_restore``),
    all or nothing. No server may use the database meanwhile."""
    parsed = _url(url)
    if parsed.get_backend_name() == "sqlite":
        _restore_sqlite(source, sqlite_path(parsed.database or ""))
    else:
        _restore_pg(source, parsed)


# -- SQLite ---------------------------------------------------------------------------------


def _backup_sqlite(source: Path, target: Path) -> None:
    with _sqlite(source) as src, _sqlite(target, create=True) as dst:
        src.backup(dst)  # one step: one read transaction, one consistent state
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        (result,) = dst.execute("PRAGMA quick_check").fetchone()
        if result != "ok":
            raise ResourceUnavailableError(f"the copy of {source} failed its check: {result}")


def _restore_sqlite(source: Path, database: Path) -> None:
    database.parent.mkdir(parents=True, exist_ok=True)
    with _temporary_beside(database) as temporary:
        with _sqlite(source) as src, _sqlite(temporary, create=True) as dst:
            src.backup(dst)
        _sync(temporary)
        if database.exists():
            _take_ownership(temporary, database)
            # Fold the old database's WAL into it and let the last connection remove the
            # WAL and its index: a WAL left beside the new file would be replayed into it.
            with _sqlite(database) as old:
                old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for leftover in (Path(f"{database}-wal"), Path(f"{database}-shm")):
            leftover.unlink(missing_ok=True)
        os.replace(temporary, database)
    _sync(database.parent)


def _sqlite_revision(source: Path) -> str:
    try:
        with _sqlite(source) as conn:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        row = None
    if row is None:
        raise InvalidInputError(f"{source} is not a backup of an Atlas SQLite database")
    return str(row[0])


def _existing_sqlite_file(url: URL) -> Path:
    path = sqlite_path(url.database or "")
    if not path.is_file():
        raise NotFoundError(f"no SQLite database at {path}")
    return path


@contextlib.contextmanager
def _sqlite(path: Path, *, create: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection to ``path`` (which must exist unless ``create``), closed afterwards."""
    mode = "rwc" if create else "rw"
    conn = sqlite3.connect(
        f"{path.absolute().as_uri()}?mode={mode}", uri=True, timeout=BUSY_TIMEOUT_MS / 1000
    )
    try:
        yield conn
    finally:
        conn.close()


# -- PostgreSQL -----------------------------------------------------------------------------


def _restore_pg(source: Path, url: URL) -> None:
    """The dump's SQL, after dropping every Atlas table, replayed in one transaction."""
    drops = "".join(
        f'DROP TABLE IF EXISTS "{name}" CASCADE;\n'
        for name in ["alembic_version", *Base.metadata.tables]
    )
    target, env = _libpq(url)
    dump = [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--file=-", str(source)]
    replay = [_pg_tool("psql"), "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1"]
    replay += ["--single-transaction", "--file=-", f"--dbname={target}"]
    with tempfile.TemporaryFile() as errors:
        reader = subprocess.Popen(dump, stdout=subprocess.PIPE, stderr=errors)
        writer = subprocess.Popen(
            replay, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors, env=env
        )
        assert reader.stdout is not None
        assert writer.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # psql stopped at an error: it says which
            writer.stdin.write(drops.encode())
            shutil.copyfileobj(reader.stdout, writer.stdin, 1 << 20)
        reader.stdout.close()
        if reader.wait() != 0:
            writer.kill()  # before its input ends: psql must not commit half a dump
        with contextlib.suppress(BrokenPipeError):
            writer.stdin.close()
        if writer.wait() != 0 or reader.returncode != 0:
            errors.seek(0)
            reason = errors.read().decode(errors="replace").strip()
            raise ResourceUnavailableError(
                f"restoring {source} into {_shown(url)} failed, nothing was changed: {reason}"
            )


def _dump_revision(source: Path, url: URL) -> str:
    args = ["--data-only", "--table=alembic_version", "--file=-", str(source)]
    done = subprocess.run([_pg_tool("pg_restore"), *args], capture_output=True, text=True)
    match = _COPY_REVISION.search(done.stdout) if done.returncode == 0 else None
    if match is None:
        raise InvalidInputError(
            f"{source} is not a pg_dump backup of an Atlas database "
            f"({done.stderr.strip() or 'it has no alembic_version table'}); restore into "
            f"{_shown(url)} needs a file made by `atlas db backup` on PostgreSQL"
        )
    return match.group(1)


def _run_pg(tool: str, args: list[str], url: URL) -> None:
    target, env = _libpq(url)
    done = subprocess.run(
        [_pg_tool(tool), *args, f"--dbname={target}"], capture_output=True, text=True, env=env
    )
    if done.returncode != 0:
        raise ResourceUnavailableError(f"{tool} failed on {_shown(url)}: {done.stderr.strip()}")


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ResourceUnavailableError(f"{name} is not installed: {_PG_TOOLS_HINT}")
    return found


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and an environment carrying it (not on
    the command line, where any user of the host could read it)."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


# -- both -----------------------------------------------------------------------------------


def _url(url: str) -> URL:
    make_engine(url).dispose()  # InvalidInputError for a URL the store cannot use
    parsed = make_url(url.strip())
    if parsed.get_backend_name() == "postgres":
        parsed = parsed.set(drivername="postgresql")
    return parsed


def _holds_atlas_data(url: URL) -> bool:
    if url.get_backend_name() == "sqlite":
        path = sqlite_path(url.database or "")
        if not path.exists():
            return False
    engine = make_engine(url.render_as_string(hide_password=False), pool_size=1)
    try:
        return inspect(engine).has_table("alembic_version")
    except DBAPIError as exc:
        reason = " ".join(str(exc.orig).split())
        raise InvalidInputError(f"cannot use the database {_shown(url)}: {reason}") from None
    finally:
        engine.dispose()


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


@contextlib.contextmanager
def _temporary_beside(path: Path) -> Iterator[Path]:
    """A free name in ``path``'s folder (same file system: a rename is atomic), removed
    afterwards unless renamed away."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(fd)  # empty, mode 0600: a backup holds password hashes; SQLite and pg_dump fill it
    temporary = Path(name)
    try:
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


def _take_ownership(path: Path, like: Path) -> None:
    """Give ``path`` the mode and (as root) the owner of ``like``: a restore run as root must
    leave a database the server's user can still write."""
    shutil.copymode(like, path)
    if os.geteuid() == 0:
        stat = like.stat()
        os.chown(path, stat.st_uid, stat.st_gid)


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
