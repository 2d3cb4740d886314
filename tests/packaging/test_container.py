"""The server's container image (Containerfile), built with podman from the wheel: it runs as
a non-root user, answers /healthz, the API and the GUI through a published port, passes its
HEALTHCHECK, keeps its data in the volume, and stops cleanly.

No registry may be reachable, so the image is built FROM the local base that `make
container-base` makes (ATLAS_TEST_BASE_IMAGE, default localhost/atlas-base:bookworm), as an
offline build: the dependencies' wheels beside Atlas's (pip wheel) and PIP_ARGS=--no-index.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.packaging.conftest import REPO, run

pytestmark = pytest.mark.slow

BASE = os.environ.get("ATLAS_TEST_BASE_IMAGE", "localhost/atlas-base:bookworm")
HOW = "run `make container-base` (as root it installs podman, runc and debootstrap)"
START_DEADLINE_S = 60.0


@pytest.fixture(scope="module")
def podman() -> str:
    found = shutil.which("podman")
    if found is None:
        pytest.fail(f"the container test needs podman: {HOW}")
    exists = subprocess.run([found, "image", "exists", BASE], check=False)
    if exists.returncode != 0:
        pytest.fail(f"the base image {BASE} is missing: {HOW}")
    return found


@pytest.fixture(scope="module")
def image(podman: str, wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The image built from the Containerfile and the wheel, removed afterwards."""
    context = tmp_path_factory.mktemp("context")
    (context / "dist").mkdir()
    shutil.copy(wheel, context / "dist")
    run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "-w", context / "dist", wheel],
        cwd=context,
    )
    tag = f"localhost/atlas-test:{uuid.uuid4().hex[:12]}"
    run(
        [
            podman,
            "build",
            "--format",
            "docker",
            "--build-arg",
            f"BASE={BASE}",
            "--build-arg",
            "PIP_ARGS=--no-index",
            "-t",
            tag,
            "-f",
            REPO / "Containerfile",
            context,
        ],
        cwd=context,
    )
    try:
        yield tag
    finally:
        subprocess.run([podman, "rmi", "--force", tag], capture_output=True, check=False)


def _inspect(podman: str, thing: str) -> dict[str, object]:
    (found,) = json.loads(run([podman, "inspect", thing], cwd=REPO).stdout)
    assert isinstance(found, dict)
    return found


class _Container:
    """One `podman run -d` of the image, reached through its published port."""

    def __init__(self, podman: str, image: str, volume: str) -> None:
        self.podman = podman
        self.name = f"atlas-test-{uuid.uuid4().hex[:12]}"
        run(
            [
                podman,
                "run",
                "--detach",
                "--init",
                "--name",
                self.name,
                "--publish",
                "127.0.0.1::5555",
                "--volume",
                f"{volume}:/var/lib/atlas",
                image,
            ],
            cwd=REPO,
        )
        published = run([podman, "port", self.name, "5555/tcp"], cwd=REPO).stdout.strip()
        self.url = f"http://127.0.0.1:{published.rsplit(':', 1)[1]}"
        # What a browser on this machine sends for http://localhost:PORT.
        self.http = httpx.Client(
            base_url=self.url,
            headers={"Host": f"localhost:{published.rsplit(':', 1)[1]}"},
            timeout=10,
        )

    def logs(self) -> str:
        result = subprocess.run(
            [self.podman, "logs", self.name], capture_output=True, text=True, check=False
        )
        return result.stdout + result.stderr

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline:
            try:
                if self.http.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            state = _inspect(self.podman, self.name)["State"]
            assert isinstance(state, dict)
            assert state["Running"], f"the container stopped:\n{self.logs()}"
            time.sleep(0.2)
        raise AssertionError(f"the container never answered /healthz:\n{self.logs()}")

    def stop(self) -> int:
        run([self.podman, "stop", "--time", "20", self.name], cwd=REPO)
        state = _inspect(self.podman, self.name)["State"]
        assert isinstance(state, dict)
        code = state["ExitCode"]
        assert isinstance(code, int)
        return code

    def remove(self) -> None:
        self.http.close()
        subprocess.run([self.podman, "rm", "--force", self.name], capture_output=True, check=False)


def test_the_image_declares_its_user_port_volume_and_health(podman: str, image: str) -> None:
    found = _inspect(podman, image)
    config, health = found["Config"], found.get("Healthcheck")
    assert isinstance(config, dict)
    assert config["User"] == "atlas"
    assert "5555/tcp" in config["ExposedPorts"]
    assert "/var/lib/atlas" in config["Volumes"]
    assert config["Entrypoint"] == ["atlas"]
    # Kept only in the docker format (`podman build --format docker`).
    assert isinstance(health, dict), "the image has no HEALTHCHECK"
    assert "/healthz" in " ".join(health["Test"])


def test_the_container_serves_keeps_its_data_and_stops_cleanly(podman: str, image: str) -> None:
    volume = f"atlas-test-{uuid.uuid4().hex[:12]}"
    project = f"in-volume-{uuid.uuid4().hex[:8]}"
    first = _Container(podman, image, volume)
    try:
        first.wait_healthy()
        info = first.http.get("/api/v1/info").json()
        assert info["db"] == "sqlite"
        assert info["artifacts"] == "/var/lib/atlas/artifacts"
        page = first.http.get("/projects", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert '<div id="root">' in page.text
        assert first.http.post("/api/v1/projects", json={"name": project}).status_code == 201
        checked = run([podman, "healthcheck", "run", first.name], cwd=REPO)
        assert "unhealthy" not in checked.stdout
        user = run([podman, "exec", first.name, "id", "-un"], cwd=REPO).stdout.strip()
        assert user == "atlas"
        assert first.stop() == 0, first.logs()
        assert "Atlas server stopped." in first.logs()
        first.remove()
        # The entrypoint is `atlas`: other commands run on the same volume.
        upgraded = run(
            [podman, "run", "--rm", "--volume", f"{volume}:/var/lib/atlas", image, "db", "upgrade"],
            cwd=REPO,
        )
        assert "sqlite:////var/lib/atlas/atlas.db is at revision" in upgraded.stdout
        second = _Container(podman, image, volume)
        try:
            second.wait_healthy()
            names = [p["name"] for p in second.http.get("/api/v1/projects").json()["items"]]
            assert project in names
        finally:
            second.remove()
    finally:
        first.remove()
        subprocess.run(
            [podman, "volume", "rm", "--force", volume], capture_output=True, check=False
        )
