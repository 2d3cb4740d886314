"""A small package built by the test into a local wheel folder, so environments are built
without any network (``--offline --no-index --find-links``)."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

import pytest

PACKAGE = "atlas-testpkg"
MODULE = "atlas_testpkg"


def build_wheel(folder: Path, *, version: str = "1.0", value: int = 42) -> Path:
    """Write ``atlas_testpkg-<version>-py3-none-any.whl`` (a module holding ``VALUE``)."""
    folder.mkdir(parents=True, exist_ok=True)
    dist_info = f"{MODULE}-{version}.dist-info"
    files = {
        f"{MODULE}/__init__.py": f"VALUE = {value}\n".encode(),
        f"{dist_info}/METADATA": (
            f"Metadata-Version: 2.1\nName: {PACKAGE}\nVersion: {version}\n"
        ).encode(),
        f"{dist_info}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: atlas-tests\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n"
        ),
    }
    record = [f"{name},sha256={_digest(data)},{len(data)}" for name, data in files.items()]
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = folder / f"{MODULE}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for name, data in files.items():
            wheel.writestr(name, data)
    return path


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def offline_uv_args(wheels: Path) -> list[str]:
    """uv arguments that install from ``wheels`` only."""
    return ["--offline", "--no-index", "--find-links", str(wheels)]


@pytest.fixture
def wheels(tmp_path: Path) -> Path:
    """A folder holding the wheel of ``atlas-testpkg`` 1.0."""
    folder = tmp_path / "wheels"
    build_wheel(folder)
    return folder


@pytest.fixture(autouse=True)
def _uv_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """uv's cache inside the test's folder (the machine's cache is left alone)."""
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv-cache"))
