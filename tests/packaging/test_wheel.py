"""The wheel carries the built GUI, and an installed wheel serves it with no checkout."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from uv import find_uv_bin

from tests.packaging.conftest import GUI, REPO, run
from tests.servers import wait_healthy

pytestmark = pytest.mark.slow

URL_LINE = re.compile(r"serving (http://\S+)")
START_DEADLINE_S = 60.0
PLAYWRIGHT = REPO / "web/node_modules/playwright-core"


def test_the_wheel_holds_the_built_gui_and_only_the_package(
    wheel_build: tuple[Path, str], source_tree: Path
) -> None:
    wheel, output = wheel_build
    assert "packaging the built web GUI" in output  # the fresh build was reused, not redone
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        index = archive.read("atlas/server/static/index.html").decode()
    assert index == (source_tree / GUI / "index.html").read_text()
    referenced = set(re.findall(r'(?:src|href)="/(assets/[^"]+)"', index))
    assert referenced, index
    assert {f"atlas/server/static/{name}" for name in referenced} <= names
    tops = {name.split("/", 1)[0] for name in names}
    assert tops == {"atlas", "foundations", "atlas_ml-0.1.0.dist-info"}  # old Atlas's SDK too
    assert {"atlas/py.typed", "foundations/templates/main.py.tmpl"} <= names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if "node_modules" in n or n.startswith(("tests/", "web/"))]


@contextmanager
def _installed_server(venv: Path, home: Path) -> Iterator[str]:
    """``atlas server --port 0`` from ``venv``, run in ``home`` (outside any checkout)."""
    log = home / "server.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [venv / "bin/atlas", "server", "--port", "0"],
            cwd=home,
            env={"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "ATLAS_HOME": str(home)},
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        deadline = time.monotonic() + START_DEADLINE_S
        while not (match := URL_LINE.search(log.read_text())):
            assert process.poll() is None, f"the server exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"the server printed no URL:\n{log.read_text()}"
            time.sleep(0.05)
        url = match.group(1)
        wait_healthy(url, process, log.read_text)
        yield url
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.browser
def test_an_installed_wheel_serves_the_gui(wheel: Path, tmp_path: Path) -> None:
    if not PLAYWRIGHT.is_dir():
        pytest.fail(f"{PLAYWRIGHT} is missing: run `make setup` (npm ci in web/)")
    if not Path("/usr/bin/chromium").is_file():
        pytest.fail("Debian's Chromium is missing: run `make chromium`")
    venv, home = tmp_path / "venv", tmp_path / "home"
    run(["python3", "-m", "venv", "--without-pip", venv], cwd=tmp_path)
    run(
        [find_uv_bin(), "pip", "install", "--quiet", "--python", venv / "bin/python", wheel],
        cwd=tmp_path,
    )
    where = run([venv / "bin/python", "-c", "import atlas; print(atlas.__file__)"], cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout
    home.mkdir()
    project = f"from-wheel-{uuid.uuid4().hex[:8]}"
    with _installed_server(venv, home) as url:
        created = httpx.post(f"{url}/api/v1/projects", json={"name": project}, timeout=10)
        assert created.status_code == 201, created.text
        shown = run(
            ["node", REPO / "tests/packaging/gui_check.mjs", url, project],
            cwd=tmp_path,
            timeout=120,
        )
    page = json.loads(shown.stdout)
    assert project in page["row"]
    assert page["title"]
    assert page["errors"] == []
