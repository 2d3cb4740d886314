"""``atlas get job`` and ``atlas delete job``: bring a job home, or remove it.

``atlas get job ID`` writes into DEST (default ``./ID``, which must not exist or be empty):
``code/`` the snapshot the job ran, unpacked, with the job's params in
``atlas_job_parameters.json`` (so ``python main.py`` in ``code/`` runs it again), ``artifacts/``
the job's artifacts and ``log.txt`` its log. The snapshot is unpacked with tarfile's ``data``
filter: absolute paths, ``..``, links leading outside, devices and special modes are refused.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from atlas.cli.context import CliContext, pass_cli
from atlas.cli.jobs import jobs_delete
from atlas.errors import ConflictError, NotFoundError
from atlas.executors.workdir import unpack_snapshot

if TYPE_CHECKING:
    from atlas.domain import Job
    from atlas.sdk.client import Client

__all__ = ["delete_group", "fetch_job", "get_group", "unpack_snapshot"]


def _destination(dest: Path) -> Path:
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise ConflictError(f"{dest} exists and is not an empty folder: pick another --dest")
    dest.mkdir(parents=True, exist_ok=True)
    return dest


def _fetch_code(client: Client, job: Job, dest: Path) -> bool:
    with tempfile.TemporaryDirectory(prefix="atlas-get-") as scratch:
        archive = Path(scratch) / "snapshot.tar.gz"
        try:
            client.download_snapshot(job.id, archive)
        except NotFoundError:
            return False
        unpack_snapshot(archive, dest / "code")
    params = json.dumps(job.params, indent=2, sort_keys=True) + "\n"
    (dest / "code" / "atlas_job_parameters.json").write_text(params, encoding="utf-8")
    return True


def _fetch_artifacts(client: Client, job_id: str, dest: Path) -> int:
    artifacts = client.list_artifacts(job_id)
    for artifact in artifacts:
        target = dest / "artifacts" / Path(*artifact.path.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        client.download_artifact(job_id, artifact.path, target)
    return len(artifacts)


def _fetch_log(client: Client, job_id: str, dest: Path) -> int:
    offset = 0
    with (dest / "log.txt").open("wb") as handle:
        while True:
            chunk = client.read_log(job_id, offset=offset, limit=1 << 20)
            handle.write(chunk.data)
            offset += len(chunk.data)
            if not chunk.data or offset >= chunk.size:
                return offset


def fetch_job(client: Client, job_id: str, dest: Path) -> list[str]:
    """Write the job's code, artifacts and log into ``dest``; answer what was written, one
    line each."""
    job = client.get_job(job_id)
    _destination(dest)
    lines = []
    if _fetch_code(client, job, dest):
        lines.append(f"code:      {dest / 'code'} (snapshot {job.snapshot or '?'})")
    else:
        lines.append("code:      none (the job was not submitted with a snapshot)")
    count = _fetch_artifacts(client, job.id, dest)
    lines.append(f"artifacts: {count} in {dest / 'artifacts'}" if count else "artifacts: none")
    size = _fetch_log(client, job.id, dest)
    lines.append(f"log:       {dest / 'log.txt'} ({size} bytes)")
    return lines


@click.group("get")
def get_group() -> None:
    """Bring something home from the server."""


@get_group.command("job")
@click.argument("job_id", metavar="ID")
@click.option(
    "--dest",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write into (default ./ID; must not exist or be empty).",
)
@pass_cli
def get_job(cli: CliContext, job_id: str, dest: Path | None) -> None:
    """Download a job's code snapshot (unpacked into DEST/code, with its params file),
    artifacts (DEST/artifacts) and log (DEST/log.txt)."""
    with cli.client() as client:
        lines = fetch_job(client, job_id, dest or Path(job_id))
    click.echo(f"Job {job_id}:")
    for line in lines:
        click.echo("  " + line)


@click.group("delete")
def delete_group() -> None:
    """Delete something on the server."""


@delete_group.command("job")
@click.argument("job_ids", metavar="ID...", nargs=-1, required=True)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def delete_job(ctx: click.Context, job_ids: tuple[str, ...], yes: bool) -> None:
    """Delete jobs with their metrics, artifacts and logs (the same as `atlas jobs delete`)."""
    ctx.invoke(jobs_delete, job_ids=job_ids, yes=yes)
