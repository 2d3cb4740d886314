"""`atlas logs -f` goes on through a server restart and ends with the job."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from atlas.domain import JobStatus
from atlas.sdk.scheduling import LogEvent, log_events
from tests.cli.conftest import clean_env
from tests.sdk.conftest import ServerProcess

DEADLINE_S = 60.0

JOB = """\
import pathlib, time
import atlas

release = pathlib.Path(atlas.load_parameters(log=False)["release"])
print("before", flush=True)
deadline = time.time() + 60
while not release.exists() and time.time() < deadline:
    time.sleep(0.05)
print("after", flush=True)
"""


def wait_for_line(path: Path, text: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text():
            return
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never appeared in {path}")


def test_following_resumes_after_a_server_restart(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "server-home")
    server.start()
    code = tmp_path / "code"
    code.mkdir()
    (code / "job.py").write_text(JOB)
    release = tmp_path / "release"
    env = clean_env(tmp_path / "client-home", ATLAS_URL=server.url)
    atlas = [sys.executable, "-m", "atlas"]
    try:
        submitted = subprocess.run(
            [*atlas, "submit", "--no-follow", "-p", "restart", "--param", f"release={release}",
             str(code), "python", "job.py"],
            env=env, capture_output=True, text=True, timeout=DEADLINE_S, check=True,
        )  # fmt: skip
        job_id = submitted.stdout.strip()
        out = tmp_path / "follow.out"
        with out.open("w") as sink:
            follower = subprocess.Popen(
                [*atlas, "logs", "-f", job_id], env=env, stdout=sink, stderr=subprocess.PIPE
            )
        wait_for_line(out, "before")
        server.stop()
        server.start()
        release.write_text("go")
        _, stderr = follower.communicate(timeout=DEADLINE_S)
        assert follower.returncode == 0, stderr
        assert out.read_text().count("before") == 1
        assert out.read_text().count("after") == 1
        assert b"lost the server" in stderr
        with server.client() as client:
            assert client.get_job(job_id).status is JobStatus.COMPLETED
    finally:
        release.write_text("go")
        server.stop()


def test_server_sent_events_are_parsed() -> None:
    lines = [
        ": keep-alive",
        "",
        "id: 6",
        'data: "hello\\n"',
        "",
        "event: ping",
        "data: {}",
        "",
        'data: "no id"',
        "",
        "event: end",
        'data: "completed"',
        "",
        'data: "never read"',
        "",
    ]
    assert list(log_events(lines)) == [
        LogEvent(text="hello\n", offset=6),
        LogEvent(text="no id"),
        LogEvent(status=JobStatus.COMPLETED),
    ]
