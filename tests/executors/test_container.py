"""The container executor on a real engine: Podman's Docker-compatible API
(``podman system service``), with the local base image that `make container-base` makes
(no registry is reachable here), and a real `atlas server` for the end-to-end tests.

The set-up runs tests/packaging/container-base.sh: as root it installs podman, runc and
debootstrap and makes the image; otherwise it fails with the command to run.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from atlas.domain import JobStatus
from atlas.errors import ResourceUnavailableError, UnauthenticatedError
from atlas.executors.base import Allocation, LaunchSpec
from atlas.executors.container import ContainerExecutor
from atlas.executors.container_engine import (
    JOB_LABEL,
    PIDS_LIMIT,
    RUN_DIR,
    SDK_DIR,
    WORKDIR,
    Engine,
    container_options,
    gpu_options,
    write_site,
)
from atlas.sdk.client import Client
from tests.cli.team import ADMIN, ADMIN_PASSWORD, add_user, api_token
from tests.executors.conftest import Specs, make_tar, wait_for, wait_outcome
from tests.sdk.conftest import ServerProcess, clean_env

REPO = Path(__file__).resolve().parents[2]
IMAGE = os.environ.get("ATLAS_TEST_BASE_IMAGE", "localhost/atlas-base:bookworm")
EMPTY = "localhost/atlas-empty:test"
INSTALL = "apt-get install -y podman runc debootstrap (or, as root: make container-base)"
DEADLINE_S = 60.0


def _podman() -> str:
    found = shutil.which("podman")
    if found is None:
        pytest.fail(f"the container executor's tests need podman: {INSTALL}")
    return found


def _start_service(podman: str, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    url = f"unix://{folder}/podman.sock"
    log = (folder / "service.log").open("wb")
    # conmon leaves files (an empty `oom` after an out-of-memory kill) in the service's
    # working folder: keep them in the test's own folder, out of the checkout.
    service = subprocess.Popen(
        [podman, "system", "service", "--time=0", url],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=folder,
    )
    log.close()
    deadline = time.monotonic() + DEADLINE_S
    while not _answers(folder / "podman.sock", url):
        if service.poll() is not None or time.monotonic() > deadline:
            service.kill()
            text = (folder / "service.log").read_text(errors="replace")
            pytest.fail(f"podman system service did not answer at {url}:\n{text}")
        time.sleep(0.05)
    return service, url


def _answers(socket: Path, url: str) -> bool:
    # docker-py leaks the socket of a refused connection: try only once the socket exists
    if not socket.exists():
        return False
    try:
        Engine(url, timeout=5).close()
    except ResourceUnavailableError:
        return False
    return True


@pytest.fixture(scope="session")
def engine_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a `podman system service` that serves this session; the base image and
    an image without anything in it (no Python) exist."""
    podman = _podman()
    made = subprocess.run(
        ["bash", str(REPO / "tests/packaging/container-base.sh")],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.fail(f"the base image {IMAGE} is not ready ({INSTALL}):\n{made.stderr}")
    if subprocess.run([podman, "image", "exists", EMPTY], check=False).returncode != 0:
        empty = tmp_path_factory.mktemp("empty") / "empty.tar"
        subprocess.run(["tar", "-cf", str(empty), "--files-from", "/dev/null"], check=True)
        subprocess.run([podman, "import", "--quiet", str(empty), EMPTY], check=True)
    service, url = _start_service(podman, tmp_path_factory.mktemp("podman"))
    yield url
    service.terminate()
    service.wait(timeout=30)


@pytest.fixture
def containers(engine_url: str, tmp_path: Path) -> Iterator[ContainerExecutor]:
    executor = ContainerExecutor(Engine(engine_url), tmp_path / "work", grace=2.0)
    yield executor
    for job_id in executor.running():
        executor.cancel(job_id, grace=0)
    for job_id in executor.running():
        wait_outcome(executor, job_id)
    executor.engine.close()


def _image_spec(
    specs: Specs,
    command: list[str],
    *,
    image: str = IMAGE,
    gpus: tuple[int, ...] = (),
    params: dict[str, object] | None = None,
    snapshot: Path | None = None,
    network: bool = False,
) -> LaunchSpec:
    spec = specs(command, gpus=gpus, params=params, snapshot=snapshot)
    resources = {"network": True} if network else {}
    return replace(spec, job=replace(spec.job, image=image, resources=resources))


# -- the container a job asks for (no engine needed) --------------------------------------------
def test_gpus_are_cdi_names_for_podman_and_device_requests_for_docker() -> None:
    assert gpu_options((1, 3), podman=True) == {"devices": ["nvidia.com/gpu=1", "nvidia.com/gpu=3"]}
    requests = gpu_options((1, 3), podman=False)["device_requests"]
    assert isinstance(requests, list)
    [request] = requests
    assert request["Driver"] == "nvidia"
    assert request["DeviceIDs"] == ["1", "3"]
    assert request["Capabilities"] == [["gpu"]]
    assert gpu_options((), podman=True) == {}


def test_the_container_holds_the_limits_the_scheduler_accounted(
    specs: Specs, tmp_path: Path
) -> None:
    spec = _image_spec(specs, ["python3", "main.py"], gpus=(2,))
    spec = replace(spec, allocation=Allocation(cpus=3, memory=1 << 30, gpus=(2,)))
    options = container_options(
        spec, workdir=tmp_path, mounts=[write_site(tmp_path / "site")], podman=True, name="n"
    )
    assert options["nano_cpus"] == 3_000_000_000
    assert options["mem_limit"] == options["memswap_limit"] == 1 << 30
    assert options["pids_limit"] == PIDS_LIMIT
    assert options["init"] is True
    assert options["devices"] == ["nvidia.com/gpu=2"]
    assert options["labels"] == {JOB_LABEL: spec.job_id}
    assert options["working_dir"] == WORKDIR
    env = options["environment"]
    assert isinstance(env, dict)
    assert env["ATLAS_JOB_ID"] == spec.job_id
    assert env["PYTHONPATH"].split(":")[0] == SDK_DIR
    assert "CUDA_VISIBLE_DEVICES" not in env  # the container sees its own GPUs only, from 0


def test_a_container_has_no_network_and_reaches_the_server_through_its_socket(
    specs: Specs, tmp_path: Path
) -> None:
    sock = tmp_path / "run" / "atlas.sock"

    def network(*, asks: bool, server_socket: Path | None) -> tuple[object, object, object]:
        spec = _image_spec(specs, ["python3", "main.py"], network=asks)
        options = container_options(
            spec, workdir=tmp_path, mounts=[], podman=True, name="n", server_socket=server_socket
        )
        env, volumes = options["environment"], options["volumes"]
        assert isinstance(env, dict)
        assert isinstance(volumes, dict)
        return options["network_mode"], env["ATLAS_URL"], volumes.get(str(sock.parent))

    # the folder is mounted, so that the socket a restarted server makes afresh is seen
    assert network(asks=False, server_socket=sock) == (
        "none",
        f"unix://{RUN_DIR}/atlas.sock",
        {"bind": RUN_DIR, "mode": "ro"},
    )
    tcp = ("host", "http://127.0.0.1:9", None)
    assert network(asks=True, server_socket=sock) == tcp  # it asked for a network
    assert network(asks=False, server_socket=None) == tcp  # the server serves no socket


def test_an_older_python_is_told_which_versions_the_sdk_supports(tmp_path: Path) -> None:
    site = Path(write_site(tmp_path / "site").source) / "sitecustomize.py"
    site.write_text(site.read_text().replace('"3.11"', '"3.99"'))  # as if this one were old
    code = "import atlas"
    env = {**os.environ, "PYTHONPATH": str(site.parent)}
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert run.returncode == 1
    assert "atlas needs Python 3.99 or newer; this image runs Python 3.11" in run.stderr


# -- jobs on a real engine ----------------------------------------------------------------------
def test_a_job_runs_in_its_image_with_its_snapshot_and_params(
    containers: ContainerExecutor, specs: Specs, tmp_path: Path
) -> None:
    snapshot = make_tar(tmp_path / "code.tar.gz", {"data.txt": b"from the snapshot\n"})
    code = (
        "import os, sys, json\n"
        "print(open('data.txt').read().strip(), os.getcwd())\n"
        "print(json.load(open('atlas_job_parameters.json')))\n"
        "print('to stderr', file=sys.stderr)\n"
        "sys.exit(3)\n"
    )
    spec = _image_spec(specs, ["python3", "-c", code], snapshot=snapshot, params={"lr": 0.1})
    handle = containers.launch(spec)
    assert handle.record()["executor"] == "container"
    outcome = wait_outcome(containers, spec.job_id)
    assert (outcome.status, outcome.exit_code, outcome.error) == (
        JobStatus.FAILED,
        3,
        "exited with code 3",
    )
    log = spec.log_path.read_text()
    assert "the server serves no socket for jobs" in log  # no server here: the host's network
    assert f"from the snapshot {WORKDIR}" in log
    assert "{'lr': 0.1}" in log
    assert "to stderr" in log
    assert containers.engine.find(spec.job_id) is None  # removed once it ended


def test_cancel_delivers_sigterm_through_the_init(
    containers: ContainerExecutor, specs: Specs
) -> None:
    code = (
        "import signal, sys, time\n"
        "def stop(*args):\n"
        "    print('got SIGTERM', flush=True)\n"
        "    sys.exit(5)\n"
        "signal.signal(signal.SIGTERM, stop)\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    spec = _image_spec(specs, ["python3", "-c", code])
    containers.launch(spec)
    wait_for(lambda: spec.log_path.is_file() and "ready" in spec.log_path.read_text())
    containers.cancel(spec.job_id, grace=10)
    outcome = wait_outcome(containers, spec.job_id)
    assert outcome.status == JobStatus.CANCELLED
    assert "got SIGTERM" in spec.log_path.read_text()


def test_the_engine_kills_a_job_over_its_memory(
    containers: ContainerExecutor, specs: Specs
) -> None:
    code = "x = []\nwhile True: x.append(bytearray(16 << 20))\n"
    spec = _image_spec(specs, ["python3", "-c", code])
    spec = replace(spec, allocation=Allocation(cpus=1, memory=64 << 20))
    containers.launch(spec)
    outcome = wait_outcome(containers, spec.job_id)
    assert outcome.status == JobStatus.FAILED
    assert outcome.exit_code == 137
    assert outcome.error is not None
    assert outcome.error.startswith("killed: out of memory?")


def test_a_server_in_standby_cancels_a_job_it_does_not_follow(
    containers: ContainerExecutor, specs: Specs, engine_url: str
) -> None:
    code = (
        "import time\n"
        "for i in range(600):\n"
        "    print('tick', i, flush=True)\n"
        "    time.sleep(0.05)\n"
    )
    spec = _image_spec(specs, ["python3", "-c", code])
    record = containers.launch(spec).record()
    wait_for(lambda: spec.log_path.is_file() and "tick 3" in spec.log_path.read_text())
    standby = ContainerExecutor(Engine(engine_url), containers.work_dir)
    try:
        assert not standby.adopt("no-such-job", {})
        assert standby.adopt(spec.job_id, record)
        standby.cancel(spec.job_id, grace=5)
        outcome = wait_outcome(containers, spec.job_id)
    finally:
        standby.engine.close()
    assert outcome.status == JobStatus.CANCELLED
    ticks = [line for line in spec.log_path.read_text().splitlines() if line.startswith("tick")]
    assert ticks == [f"tick {i}" for i in range(len(ticks))]  # one copy of the log


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (
            "localhost/no-such-image:1",
            "image localhost/no-such-image:1 not found on the engine: build or pull it first",
        ),
        (
            EMPTY,
            f"the image {EMPTY} has no python3 to run: a Python job needs an image with "
            "Python 3.11 or newer",
        ),
    ],
)
def test_an_image_that_cannot_run_the_job_says_why(
    containers: ContainerExecutor, specs: Specs, image: str, message: str
) -> None:
    spec = _image_spec(specs, ["python3", "main.py"], image=image)
    containers.launch(spec)
    outcome = wait_outcome(containers, spec.job_id)
    assert outcome.status == JobStatus.FAILED
    assert outcome.error is not None
    assert outcome.error.startswith(message)
    assert message in spec.log_path.read_text()


# -- end to end: atlas server, atlas submit --image, a restart ---------------------------------
MAIN = """\
import os, sys, time
import atlas
print("python", sys.version.split()[0], "in", os.getcwd(), flush=True)
atlas.log_metric("loss", 0.25)
for i in range(int(sys.argv[1]) if len(sys.argv) > 1 else 0):
    print("tick", i, flush=True)
    time.sleep(0.1)
if len(sys.argv) > 2:  # wait for the file the test makes, then send a metric
    for _ in range(1200):
        if os.path.exists(sys.argv[2]):
            break
        time.sleep(0.1)
    atlas.log_metric("after", 1)
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "main.py").write_text(MAIN)
    return folder


def _submit(server: ServerProcess, folder: Path, *args: str, token: str = "") -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")}
    env["ATLAS_URL"] = server.url
    if token:
        env["ATLAS_TOKEN"] = token
    run = subprocess.run(
        [sys.executable, "-m", "atlas", "submit", "--no-follow", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def _get(server: ServerProcess, path: str, token: str = "") -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = httpx.get(f"{server.url}/api/v1{path}", headers=headers, timeout=10)
    answer.raise_for_status()
    return answer


def _job(server: ServerProcess, job_id: str, token: str = "") -> dict[str, object]:
    job: dict[str, object] = _get(server, f"/jobs/{job_id}", token).json()
    return job


def _ended(server: ServerProcess, job_id: str, token: str = "") -> dict[str, object]:
    deadline = time.monotonic() + DEADLINE_S
    while (job := _job(server, job_id, token))["status"] in ("queued", "starting", "running"):
        assert time.monotonic() < deadline, f"job {job_id} still {job['status']}"
        time.sleep(0.05)
    return job


def _log(server: ServerProcess, job_id: str, token: str = "") -> str:
    return _get(server, f"/jobs/{job_id}/log", token).text


def test_atlas_submit_image_runs_the_job_with_the_sdk(
    engine_url: str, tmp_path: Path, project: Path
) -> None:
    server = ServerProcess(tmp_path / "home", env={"ATLAS_CONTAINER_ENGINE": engine_url})
    server.start()
    try:
        job_id = _submit(server, project, "--image", IMAGE, ".", "python3", "main.py")
        job = _ended(server, job_id)
        assert job["status"] == "completed", _log(server, job_id)
        assert job["image"] == IMAGE
        assert f"python 3.11.2 in {WORKDIR}" in _log(server, job_id)
        metrics = httpx.get(f"{server.url}/api/v1/jobs/{job_id}/metrics", timeout=10).json()
        assert [m["last"] for m in metrics["items"]] == [0.25]
    finally:
        server.stop()


def test_a_restarted_server_follows_the_container_on(
    engine_url: str, tmp_path: Path, project: Path
) -> None:
    server = ServerProcess(tmp_path / "home", env={"ATLAS_CONTAINER_ENGINE": engine_url})
    server.start()
    try:
        args = ("--image", IMAGE, ".", "python3", "main.py", "40", "restarted")
        job_id = _submit(server, project, *args)
        wait_for(lambda: "tick 3" in _log(server, job_id), timeout=DEADLINE_S)
        server.stop(signal.SIGKILL)
        server.start()
        (server.home / "work" / job_id / "work" / "restarted").touch()
        job = _ended(server, job_id)
        log = _log(server, job_id)
        assert job["status"] == "completed", log
        for i in range(40):
            assert log.count(f"tick {i}\n") == 1, log  # nothing lost, nothing twice
        assert log.count("python 3.11.2") == 1  # it never ran again
        # it reaches the restarted server through the socket that server made afresh
        metrics = _get(server, f"/jobs/{job_id}/metrics").json()["items"]
        assert [(m["key"], m["last"]) for m in metrics] == [("after", 1), ("loss", 0.25)]
    finally:
        server.stop()


def test_an_engine_that_does_not_answer_is_named(
    engine_url: str, tmp_path: Path, project: Path
) -> None:
    gone = f"unix://{tmp_path}/nothing.sock"
    server = ServerProcess(tmp_path / "home", env={"ATLAS_CONTAINER_ENGINE": gone})
    with pytest.raises(AssertionError) as refused:
        server.start()
    assert f"the container engine at {gone} is unreachable" in str(refused.value)
    podman = _podman()
    service, url = _start_service(podman, tmp_path)
    server = ServerProcess(tmp_path / "home2", env={"ATLAS_CONTAINER_ENGINE": url})
    server.start()
    try:
        service.terminate()
        service.wait(timeout=30)
        answer = httpx.post(
            f"{server.url}/api/v1/submissions",
            json={"project": "p", "command": ["python3", "main.py"], "image": IMAGE},
            timeout=30,
        )
        assert answer.status_code == 422
        assert f"the container engine at {url} is unreachable" in answer.json()["error"]["message"]
    finally:
        server.stop()
        if service.poll() is None:
            service.kill()


# -- the server's socket: no network unless the job asks for one --------------------------------
REACH = """\
import os, socket, sys
import atlas
print("url", os.environ["ATLAS_URL"], flush=True)
print("interfaces", sorted(os.listdir("/sys/class/net")), flush=True)
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5).close()
    print("tcp: connected", flush=True)
except OSError as exc:
    print("tcp: failed", type(exc).__name__, flush=True)
atlas.log_param("reached", "yes")
atlas.log_metric("loss", 0.5)
"""


@pytest.fixture
def team(engine_url: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, str]]:
    """A server with authentication on and a container engine, and its admin's API token."""
    home = tmp_path / "home"
    added = add_user(home, ADMIN, ADMIN_PASSWORD, admin=True)
    assert added.exit_code == 0, added.output
    server = ServerProcess(home, env={"ATLAS_CONTAINER_ENGINE": engine_url, "ATLAS_AUTH": "on"})
    server.start()
    try:
        yield server, api_token(server.url, ADMIN, ADMIN_PASSWORD)
    finally:
        server.stop()


def test_a_job_in_an_image_reaches_the_server_through_its_socket_with_no_network(
    team: tuple[ServerProcess, str], project: Path
) -> None:
    server, token = team
    (project / "reach.py").write_text(REACH)
    args = ("--image", IMAGE, ".", "python3", "reach.py", str(server.port))
    job_id = _submit(server, project, *args, token=token)
    job = _ended(server, job_id, token)
    log = _log(server, job_id, token)
    assert job["status"] == "completed", log
    assert f"url unix://{RUN_DIR}/atlas.sock" in log
    assert "interfaces ['lo']" in log  # no network but its own loopback
    assert "tcp: failed ConnectionRefusedError" in log  # the server's port is out of reach
    assert job["params"] == {"reached": "yes"}  # through the socket, with the job's token
    metrics = _get(server, f"/jobs/{job_id}/metrics", token).json()
    assert [m["last"] for m in metrics["items"]] == [0.5]


def test_a_job_that_asks_for_a_network_reaches_the_server_over_tcp(
    engine_url: str, tmp_path: Path, project: Path
) -> None:
    (project / "reach.py").write_text(REACH)
    server = ServerProcess(tmp_path / "home", env={"ATLAS_CONTAINER_ENGINE": engine_url})
    server.start()
    try:
        args = ("--network", "--image", IMAGE, ".", "python3", "reach.py", str(server.port))
        job_id = _submit(server, project, *args)
        job = _ended(server, job_id)
        log = _log(server, job_id)
        assert job["status"] == "completed", log
        assert f"url {server.url}" in log
        assert "tcp: connected" in log
        assert "interfaces ['lo']" not in log  # the host's network
        assert job["params"] == {"reached": "yes"}
    finally:
        server.stop()


def test_the_sdk_speaks_to_the_server_over_its_socket(
    team: tuple[ServerProcess, str], tmp_path: Path
) -> None:
    server, token = team
    sock = server.home / "run" / "atlas.sock"
    mode = sock.stat().st_mode
    assert stat.S_ISSOCK(mode)
    assert stat.S_IMODE(mode) == 0o666  # any local user, as the loopback port
    url = f"unix://{sock}"
    script = tmp_path / "train.py"
    script.write_text(
        "import atlas\n"
        "atlas.log_params({'lr': 0.1})\n"
        "atlas.set_tag('over', 'socket')\n"
        "for step in range(3):\n"
        "    atlas.log_metric('loss', 1.0 / (step + 1), step=step)\n"
        "open('model.txt', 'w').write('weights')\n"
        "atlas.save_artifact('model.txt')\n"
        "print('done')\n"
    )
    env = clean_env(tmp_path / "job-home", ATLAS_URL=url, ATLAS_TOKEN=token, ATLAS_PROJECT="p")
    run = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    with Client(url, token=token, timeout=10) as client:
        assert client.url == url
        [job] = client.list_jobs("p").items
        job = client.get_job(job.id)
        assert (job.params, job.tags) == ({"lr": 0.1}, {"over": "socket"})
        [loss] = client.list_metrics(job.id)
        assert (loss.count, loss.last) == (3, 1.0 / 3)
        target = client.download_artifact(job.id, "model.txt", tmp_path / "copy.txt")
        assert target.read_text() == "weights"
        client.append_log(job.id, "a line over the socket\n")
        events = list(client.stream_log(job.id))
        assert "a line over the socket" in "".join(e.text for e in events)
    with Client(url, token="", timeout=10) as anonymous, pytest.raises(UnauthenticatedError):
        anonymous.list_jobs("p")
    # the host guard holds over the socket too
    with httpx.Client(transport=httpx.HTTPTransport(uds=str(sock))) as http:
        assert http.get("http://evil.example/healthz").status_code == 421
    server.stop()
    assert not sock.exists()  # removed at stop


TENSORBOARD_MAIN = """
import os, shutil, time
os.makedirs("runs/train", exist_ok=True)
shutil.copy("events.bin", "runs/train/events.out.tfevents.1.container")
while not os.path.exists("done"):
    time.sleep(0.1)
"""


def test_a_container_jobs_event_files_become_its_metrics_while_it_runs(
    engine_url: str, tmp_path: Path
) -> None:
    """The event files a job writes in its image (no SDK call, no TensorBoard there) reach
    its metrics and its tensorboard/ artifacts while it runs, as a local job's do."""
    from tests.tbevents.writers import simple, write_events

    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "tb.py").write_text(TENSORBOARD_MAIN)
    made = write_events(tmp_path / "logs", [(s, [simple("loss", 1 / (s + 1))]) for s in range(5)])
    (folder / "events.bin").write_bytes(made.read_bytes())
    server = ServerProcess(tmp_path / "home", env={"ATLAS_CONTAINER_ENGINE": engine_url})
    server.start()
    try:
        job_id = _submit(server, folder, "--image", IMAGE, ".", "python3", "tb.py")

        def loss_arrived() -> bool:
            items = _get(server, f"/jobs/{job_id}/metrics").json()["items"]
            return [(m["key"], m["count"]) for m in items] == [("loss", 5)]

        wait_for(loss_arrived, timeout=DEADLINE_S)
        assert _job(server, job_id)["status"] == "running"  # live, not at the job's end
        (server.home / "work" / job_id / "work" / "done").touch()
        job = _ended(server, job_id)
        assert job["status"] == "completed", _log(server, job_id)
        paths = [a["path"] for a in _get(server, f"/jobs/{job_id}/artifacts").json()["items"]]
        assert "tensorboard/runs/train/events.out.tfevents.1.container" in paths
    finally:
        server.stop()
