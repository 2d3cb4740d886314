"""`atlas db backup` and `atlas db restore`: real SQLite files written to while they are
copied, a real server holding the scheduler's lock, a real PostgreSQL database and the real
pg_dump, pg_restore and psql."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from atlas.cli.main import cli
from atlas.domain import JobSpec
from atlas.store.api import SeriesBatch
from atlas.store.schema import current_revision, head_revision, upgrade
from atlas.store.sql_store import SqlStore
from tests.cli.conftest import running_server
from tests.conftest import PG_ADMIN_URL, pg_admin, pg_database


def atlas(*args: str, home: Path) -> Result:
    """``atlas ARGS`` in this process, with its home (and nothing else) from ``home``."""
    return CliRunner().invoke(cli, list(args), env={"ATLAS_HOME": str(home)})


def write_job(store: SqlStore, index: int) -> None:
    """One job with its params and tags (one transaction), then its metrics (another)."""
    spec = JobSpec(
        "backups",
        name=f"run-{index}",
        params={"i": index, "double": 2 * index},
        tags={"index": str(index)},
    )
    job = store.create_job(spec)
    store.append_metrics(job.id, [SeriesBatch("loss", [0, 1], [1.0, 2.0], [0.5, 0.25])])


def sqlite_rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of the SQLite database at ``path``, sorted."""
    conn = sqlite3.connect(path)
    try:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
            for name in names
        }
    finally:
        conn.close()


@pytest.fixture
def writing(sqlite_url: str) -> Iterator[tuple[SqlStore, threading.Event]]:
    """A store that a thread writes jobs into until the event is set."""
    store = SqlStore(sqlite_url)
    for index in range(20):
        write_job(store, index)
    stop = threading.Event()
    failures: list[BaseException] = []

    def keep_writing() -> None:
        index = 20
        try:
            while not stop.is_set():
                write_job(store, index)
                index += 1
        except BaseException as exc:  # reported by the fixture, not lost in the thread
            failures.append(exc)

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        yield store, stop
    finally:
        stop.set()
        thread.join()
        store.close()
    assert not failures, failures


def test_a_backup_taken_while_the_server_writes_is_one_consistent_moment(
    tmp_path: Path, sqlite_url: str, writing: tuple[SqlStore, threading.Event]
) -> None:
    store, stop = writing
    copies = []
    for number in range(3):
        copy = tmp_path / f"copy-{number}.db"
        result = atlas("db", "backup", str(copy), f"--db-url={sqlite_url}", home=tmp_path)
        assert result.exit_code == 0, result.output
        copies.append(copy)
    stop.set()
    written = store.get_project("backups").job_count
    counts = []
    for copy in copies:
        assert oct(copy.stat().st_mode & 0o777) == "0o600"  # it holds password hashes
        assert not Path(f"{copy}-wal").exists()  # one self-contained file
        conn = sqlite3.connect(copy)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
            # Every transaction is in the copy whole or not at all.
            torn = conn.execute(
                "SELECT count(*) FROM jobs WHERE "
                "(SELECT count(*) FROM params p WHERE p.job_id = jobs.id) != 2 "
                "OR (SELECT count(*) FROM tags t WHERE t.job_id = jobs.id) != 1 "
                "OR (SELECT count(*) FROM metric_chunks c WHERE c.job_id = jobs.id) != "
                "(SELECT count(*) FROM metric_summaries s WHERE s.job_id = jobs.id)"
            ).fetchone()
            assert torn == (0,)
            (count,) = conn.execute("SELECT count(*) FROM jobs").fetchone()
        finally:
            conn.close()
        counts.append(count)
    assert 20 <= counts[0] <= counts[1] <= counts[2] <= written
    assert counts[2] > 20, "the writer wrote nothing while the backups ran"


def test_restore_puts_back_exactly_the_backup_and_says_what_it_did_not_copy(
    tmp_path: Path, sqlite_url: str
) -> None:
    database = Path(sqlite_url.removeprefix("sqlite:///"))
    store = SqlStore(sqlite_url)
    for index in range(5):
        write_job(store, index)
    store.close()
    backup = tmp_path / "backups" / "atlas.db"
    done = atlas("db", "backup", str(backup), f"--db-url={sqlite_url}", home=tmp_path / "home")
    assert done.exit_code == 0, done.output
    assert done.output.splitlines() == [
        f"backed up {sqlite_url} to {backup}",
        f"NOT copied: the artifacts at {tmp_path / 'home' / 'artifacts'}. Copy them too "
        f"(e.g. rsync -a {tmp_path / 'home' / 'artifacts'}/ BACKUP-HOST:atlas-artifacts/); "
        "see docs/deployment.md#backup-and-restore.",
    ]
    expected = sqlite_rows(backup)
    assert expected == sqlite_rows(database)

    again = atlas("db", "backup", str(backup), f"--db-url={sqlite_url}", home=tmp_path)
    assert again.exit_code == 1
    assert again.stderr == f"error: {backup} exists: pass --force to replace it\n"

    store = SqlStore(sqlite_url)  # changes made after the backup, the WAL still open
    write_job(store, 99)
    store.delete_project("backups")
    refused = atlas("db", "restore", str(backup), f"--db-url={sqlite_url}", home=tmp_path)
    assert refused.exit_code == 1
    assert "already holds an Atlas database: pass --force" in refused.stderr
    store.close()

    restored = atlas(
        "db", "restore", str(backup), f"--db-url={sqlite_url}", "--force", home=tmp_path
    )
    assert restored.exit_code == 0, restored.output
    assert f"restored {sqlite_url} from {backup} (schema revision {head_revision()})" in (
        restored.output
    )
    assert "The artifacts are not in the backup" in restored.output
    assert sqlite_rows(database) == expected
    store = SqlStore(sqlite_url)
    try:
        assert store.get_project("backups").job_count == 5
    finally:
        store.close()

    fresh = tmp_path / "elsewhere" / "atlas.db"  # a new host: no --force needed
    moved = atlas("db", "restore", str(backup), f"--db-url=sqlite:///{fresh}", home=tmp_path)
    assert moved.exit_code == 0, moved.output
    assert sqlite_rows(fresh) == expected


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path, sqlite_url: str) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")
    result = atlas("db", "restore", str(junk), f"--db-url={sqlite_url}", "--force", home=tmp_path)
    assert result.exit_code == 1
    assert result.stderr == f"error: {junk} is not a backup of an Atlas SQLite database\n"
    missing = atlas("db", "restore", str(tmp_path / "nope.db"), home=tmp_path)
    assert missing.stderr == f"error: no backup file {tmp_path / 'nope.db'}\n"
    nothing = atlas("db", "backup", str(tmp_path / "b.db"), home=tmp_path / "empty")
    assert nothing.stderr == f"error: no SQLite database at {tmp_path / 'empty' / 'atlas.db'}\n"
    assert not (tmp_path / "b.db").exists()


def test_restore_refuses_while_a_server_schedules_on_the_database(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with running_server(home):
        backup = tmp_path / "atlas-backup.db"
        assert atlas("db", "backup", str(backup), home=home).exit_code == 0
        result = atlas("db", "restore", str(backup), "--force", home=home)
        assert result.exit_code == 1
        lock = f"{(home / 'atlas.db').resolve()}.scheduler.lock"
        assert result.stderr == (
            f"error: a server is running on sqlite:///{home / 'atlas.db'} (it holds the lock "
            f"file {lock}): stop every server that uses this database, then restore\n"
        )
    assert atlas("db", "restore", str(backup), "--force", home=home).exit_code == 0


# -- PostgreSQL -------------------------------------------------------------------------------


@pytest.fixture
def throwaway_pg() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards."""
    with pg_database(pg_admin(), "atlas_backup_test") as name:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


def pg_rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every Atlas table of the PostgreSQL database at ``url``, sorted."""
    import psycopg

    with psycopg.connect(url) as conn:
        names = [
            n
            for (n,) in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
        ]
        return {
            name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
            for name in names
        }


@pytest.mark.postgres
def test_postgres_backup_and_restore_round_trip(tmp_path: Path, throwaway_pg: str) -> None:
    for tool in ("pg_dump", "pg_restore", "psql"):
        assert shutil.which(tool), f"{tool} is missing: apt install postgresql-client"
    store = SqlStore(throwaway_pg)
    store.upgrade()
    for index in range(5):
        write_job(store, index)
    expected = pg_rows(throwaway_pg)
    backup = tmp_path / "atlas.dump"
    done = atlas("db", "backup", str(backup), f"--db-url={throwaway_pg}", home=tmp_path)
    assert done.exit_code == 0, done.output
    assert "NOT copied: the artifacts at" in done.output

    write_job(store, 99)
    store.delete_project("backups")
    store.close()
    args = ("db", "restore", str(backup), f"--db-url={throwaway_pg}")
    refused = atlas(*args, home=tmp_path)
    assert refused.exit_code == 1
    assert "already holds an Atlas database: pass --force" in refused.stderr
    restored = atlas(*args, "--force", home=tmp_path)
    assert restored.exit_code == 0, restored.output
    assert pg_rows(throwaway_pg) == expected

    junk = tmp_path / "junk.dump"
    junk.write_bytes(b"PGDMP but not really")
    not_a_dump = atlas(
        "db", "restore", str(junk), f"--db-url={throwaway_pg}", "--force", home=tmp_path
    )
    assert not_a_dump.exit_code == 1
    assert not_a_dump.stderr.startswith(f"error: {junk} is not a pg_dump backup of an Atlas")
    assert pg_rows(throwaway_pg) == expected


@pytest.mark.postgres
def test_a_postgres_backup_from_before_an_upgrade_restores_over_the_upgraded_database(
    tmp_path: Path, throwaway_pg: str
) -> None:
    store = SqlStore(throwaway_pg)
    upgrade(store.engine, "0003")  # a release before the accounts tables
    backup = tmp_path / "old.dump"
    assert (
        atlas("db", "backup", str(backup), f"--db-url={throwaway_pg}", home=tmp_path).exit_code == 0
    )
    store.upgrade()
    restored = atlas(
        "db", "restore", str(backup), f"--db-url={throwaway_pg}", "--force", home=tmp_path
    )
    assert restored.exit_code == 0, restored.output
    assert current_revision(store.engine) == "0003"
    store.upgrade()  # the tables of later revisions were dropped, so they can be made again
    assert current_revision(store.engine) == head_revision()
    store.close()


@pytest.mark.postgres
def test_postgres_backup_without_the_client_tools_says_what_to_install(
    tmp_path: Path, throwaway_pg: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without pg_dump
    result = atlas(
        "db", "backup", str(tmp_path / "x.dump"), f"--db-url={throwaway_pg}", home=tmp_path
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: pg_dump is not installed: install PostgreSQL's client tools (Debian and "
        "Ubuntu: apt install postgresql-client"
    )
