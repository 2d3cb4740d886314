"""``atlas init NAME``: a new project folder from the templates in ``atlas/cli/templates``.

The folder is written under a temporary name next to its destination and moved into place
when complete, so an interrupted ``init`` leaves nothing half-written; an existing non-empty
folder (or a file) at the destination is never touched.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import tempfile
from importlib.resources import files
from pathlib import Path
from string import Template

import click

from atlas.errors import ConflictError, InvalidInputError
from atlas.names import is_project_name

__all__ = ["TEMPLATE_FILES", "create_project_folder", "init_command"]

TEMPLATE_FILES: dict[str, str] = {
    "main.py": "main.py.tmpl",
    "job.config.yaml": "job.config.yaml.tmpl",
    "requirements.txt": "requirements.txt.tmpl",
    ".atlasignore": "atlasignore.tmpl",
    "README.md": "README.md.tmpl",
}
"""Each file of a new project and the template it is rendered from."""


def _check_project_name(name: str) -> str:
    if not is_project_name(name):
        raise InvalidInputError(
            f"invalid project name {name!r}: use 1-200 letters, digits, '.', '_', '-' and "
            "spaces, not starting with a space or a dot (or give one with --project)"
        )
    return name


def _render(template: str, project_name: str) -> str:
    text = (files("atlas.cli") / "templates" / template).read_text(encoding="utf-8")
    return Template(text).substitute(
        project_name=project_name, project_name_yaml=json.dumps(project_name)
    )


def _check_destination(folder: Path) -> None:
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise ConflictError(f"{folder} exists and is not a folder; choose another name")
    if folder.is_dir() and any(folder.iterdir()):
        raise ConflictError(f"{folder} exists and is not empty; choose another name")


def create_project_folder(folder: Path, *, project_name: str) -> list[Path]:
    """Write a new project into ``folder`` (absent or empty); return the files written.

    ``ConflictError`` when ``folder`` holds anything, ``InvalidInputError`` for a bad project
    name or a folder that cannot be written.
    """
    _check_project_name(project_name)
    _check_destination(folder)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    except OSError as exc:
        raise InvalidInputError(f"cannot create {folder}: {exc.strerror or exc}") from None
    try:
        for name, template in TEMPLATE_FILES.items():
            (staging / name).write_text(_render(template, project_name), encoding="utf-8")
        staging.chmod(0o777 & ~_umask())
        os.replace(staging, folder)  # atomic; replaces an empty folder
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if folder.is_dir() and any(folder.iterdir()):
            raise ConflictError(f"{folder} exists and is not empty; choose another name") from None
        raise InvalidInputError(f"cannot write {folder}: {exc.strerror or exc}") from None
    return [folder / name for name in TEMPLATE_FILES]


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@click.command("init")
@click.argument("name", type=click.Path(path_type=Path))
@click.option(
    "--project", "project_name", metavar="NAME", help="Project name (default: the folder's name)."
)
def init_command(name: Path, project_name: str | None) -> None:
    """Create a project folder NAME with a working example job.

    Writes main.py, job.config.yaml, requirements.txt, .atlasignore and README.md; refuses
    to touch a folder that is not empty.
    """
    folder = Path(os.path.abspath(name))
    written = create_project_folder(folder, project_name=project_name or folder.name)
    click.echo(f"Created project {project_name or folder.name!r} in {name}/")
    for path in written:
        click.echo(f"  {path.name}")
    click.echo(
        f"Next: cd {shlex.quote(str(name))} && python main.py   (with `atlas server` running)"
    )
