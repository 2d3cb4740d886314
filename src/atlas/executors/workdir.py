"""A job's working folder, ``<work_dir>/<job_id>/``: the code snapshot unpacked safely.

The folder holds the code unpacked from the snapshot (the job's current folder), the params
files ``atlas_job_parameters.json`` and ``foundations_job_parameters.json``, and ``.atlas/``
with the launcher's control files (``spec.json``, ``launcher.json``, ``started.json``,
``cancel.json``, ``exit.json``; see :mod:`atlas.executors.launcher`).

Unpacking refuses the whole archive when any member would land outside the folder (absolute
names, ``..``, links pointing out, devices: "tar slip") or inside ``.atlas/``; nothing of a
refused archive is kept.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

from atlas.errors import InvalidInputError

__all__ = ["unpack_snapshot"]


def unpack_snapshot(archive: Path, dest: Path, *, reserved: str | None = None) -> int:
    """Unpack the ``.tar.gz`` ``archive`` into the folder ``dest``; return the member count.

    ``InvalidInputError`` naming the member for an unsafe member (the archive is refused
    whole: members are checked before anything is written) and for an unreadable archive.
    A member under the top-level folder ``reserved`` (the launcher's control folder) is
    unsafe too.
    """
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            checked = [_checked_member(member, dest, reserved) for member in members]
            dest.mkdir(parents=True, exist_ok=True)
            tar.extractall(dest, members=checked, filter="data")
    except InvalidInputError:
        raise
    except tarfile.FilterError as exc:
        raise _unsafe(getattr(exc, "tarinfo", None), str(exc)) from None
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise InvalidInputError(
            f"the code snapshot {archive.name} cannot be unpacked: {exc}",
            detail={"field": "snapshot"},
        ) from None
    return len(checked)


def _checked_member(member: tarfile.TarInfo, dest: Path, reserved: str | None) -> tarfile.TarInfo:
    """``member`` after the stdlib's ``data`` filter, or ``InvalidInputError``."""
    name = member.name
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    if name.startswith("/") or ".." in parts:
        raise _unsafe(member, "the name leaves the working folder")
    if member.issym() and member.linkname.startswith("/"):
        raise _unsafe(member, "the link points outside the working folder")
    if reserved is not None and parts and parts[0] == reserved:
        raise _unsafe(member, f"{reserved}/ is reserved for Atlas's own files")
    try:
        return tarfile.data_filter(member, str(dest))
    except tarfile.FilterError as exc:
        raise _unsafe(member, str(exc)) from None


def _unsafe(member: tarfile.TarInfo | None, why: str) -> InvalidInputError:
    name = member.name if member is not None else "?"
    return InvalidInputError(
        f"the code snapshot holds an unsafe member {name!r}: {why}",
        detail={"field": "snapshot", "member": name},
    )
