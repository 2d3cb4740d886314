"""``atlas tensorboard JOB...``: TensorBoard over these jobs, run and served by the server.

The server starts a real ``tensorboard`` process over exactly these jobs' event files (or
finds the one running: the same jobs are the same TensorBoard, shared), each job a run named
after it, and serves it under ``/tensorboard/<id>/`` with the same login as the GUI. The
command prints its address (and with ``--open`` opens it in a browser). See
docs/tensorboard.md.
"""

from __future__ import annotations

import webbrowser
from dataclasses import replace

import click

from atlas.cli.context import CliContext, pass_cli

__all__ = ["START_TIMEOUT_S", "tensorboard_command"]

START_TIMEOUT_S = 90.0
"""The client's timeout while the server starts a TensorBoard (it answers once it serves)."""


@click.command("tensorboard", short_help="Open TensorBoard over jobs, served by the server.")
@click.argument("jobs", nargs=-1)
@click.option("--open", "open_browser", is_flag=True, help="Open it in a web browser too.")
@click.option("--list", "list_them", is_flag=True, help="List the TensorBoards running.")
@click.option("--stop", "stop_id", metavar="ID", help="Stop the TensorBoard ID.")
@pass_cli
def tensorboard_command(
    cli: CliContext, jobs: tuple[str, ...], open_browser: bool, list_them: bool, stop_id: str | None
) -> None:
    """Open TensorBoard over the jobs JOB... side by side, each job a run named after it
    (its name and the start of its id), live while they run: the server runs it and serves
    it at the printed address. The same jobs give the same TensorBoard, shared with
    everyone who may read them; it stops after a few idle minutes.

    \b
    atlas tensorboard 0k3x9m2b7c1d4e5f 9q8w7e6r5t4y3u2i --open
    atlas tensorboard --list
    atlas tensorboard --stop ID
    """
    if sum((bool(jobs), list_them, stop_id is not None)) != 1:
        raise click.UsageError("name the jobs, or give --list or --stop ID")
    settings = cli.settings()
    settings = replace(settings, timeout=max(settings.timeout, START_TIMEOUT_S))
    with cli.client(settings) as client:
        if stop_id is not None:
            client.stop_tensorboard(stop_id)
            click.echo(f"Stopped TensorBoard {stop_id}.")
            return
        if list_them:
            for found in client.list_tensorboards():
                runs = ", ".join(found.runs.values())
                idle = f"idle {found.idle_seconds:.0f} s"
                click.echo(f"{found.id}  {client.url}{found.path}  {idle}  {runs}")
            return
        info = client.open_tensorboard(list(jobs))
        url = client.url.rstrip("/") + info.path
    how = "started" if info.started else "running"
    click.echo(f"TensorBoard {info.id} ({how}) over {len(info.runs)} jobs:", err=True)
    for job_id, run in info.runs.items():
        click.echo(f"  {run}  ({job_id})", err=True)
    click.echo(url)
    if open_browser:
        webbrowser.open(url)
