"""End to end on S3: a real ``atlas server --artifacts s3://bucket/x`` whose endpoint is a
real moto server (``ATLAS_S3_ENDPOINT_URL``); a tracked script uploads an artifact and writes
its log, and both read back through the API, with ranges, and the log as it streams."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.s3server import CREDENTIALS, MotoServer
from tests.sdk.conftest import clean_env, free_port
from tests.servers import wait_healthy

from atlas.store.artifacts import S3ArtifactStore, artifact_path, log_path

SCRIPT = """
    import sys
    import atlas

    run = atlas.init(project="s3")
    print("first line of the log", flush=True)
    with open("model.bin", "wb") as file:
        file.write(bytes(range(256)) * (12 * 4096))  # 12 MiB: a multipart upload
    atlas.save_artifact("model.bin")
    print("last line of the log", flush=True)
    atlas.finish()
    print(run.id, file=sys.stderr)
"""


@pytest.fixture
def s3_server(tmp_path: Path, moto_server: MotoServer, s3_bucket: str) -> Iterator[str]:
    """The URL of an ``atlas server`` keeping its artifacts in ``s3://<bucket>/x``."""
    port = free_port()
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(
        home,
        ATLAS_S3_ENDPOINT_URL=moto_server.url,
        ATLAS_S3_REGION="us-east-1",
        ATLAS_S3_ACCESS_KEY_ID="testing",
        ATLAS_S3_SECRET_ACCESS_KEY="testing",
    )
    for name in CREDENTIALS:  # the settings alone reach the bucket
        env.pop(name, None)
    log = (home / "server.log").open("ab")
    command = ["--port", str(port), "--artifacts", f"s3://{s3_bucket}/x"]
    process = subprocess.Popen(
        [sys.executable, "-m", "atlas", "server", *command],
        cwd=home,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    output = lambda: (home / "server.log").read_text(errors="replace")  # noqa: E731
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process, output)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_tracked_job_keeps_its_artifact_and_log_in_the_bucket(
    tmp_path: Path, s3_server: str, moto_server: MotoServer, s3_bucket: str
) -> None:
    work = tmp_path / "job"
    work.mkdir()
    (work / "train.py").write_text(textwrap.dedent(SCRIPT))
    done = subprocess.run(
        [sys.executable, "train.py"],
        cwd=work,
        env=clean_env(tmp_path / "client-home", ATLAS_URL=s3_server, ATLAS_FLUSH_INTERVAL="0.05"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    job_id = done.stderr.strip().splitlines()[-1]
    model = bytes(range(256)) * (12 * 4096)

    api = f"{s3_server}/api/v1/jobs/{job_id}"
    whole = httpx.get(f"{api}/artifacts/model.bin", timeout=30)
    assert whole.status_code == 200
    assert hashlib.sha256(whole.content).hexdigest() == hashlib.sha256(model).hexdigest()
    part = httpx.get(
        f"{api}/artifacts/model.bin", headers={"Range": "bytes=10000000-10000009"}, timeout=30
    )
    assert part.status_code == 206
    assert part.content == model[10_000_000:10_000_010]

    log = httpx.get(f"{api}/log", timeout=30)
    assert log.status_code == 200
    assert "first line of the log\n" in log.text
    assert log.text.rstrip().endswith("last line of the log")
    start = log.text.index("last line")
    tail = httpx.get(f"{api}/log", params={"offset": start, "limit": 4}, timeout=30)
    assert tail.text == "last"
    assert tail.headers["X-Atlas-Log-Size"] == str(len(log.content))
    stream = httpx.get(f"{api}/log/stream", params={"offset": start}, timeout=30)
    assert "last line of the log" in stream.text
    assert "event: end" in stream.text

    bucket = S3ArtifactStore(f"s3://{s3_bucket}/x", options=moto_server.options())
    assert bucket.size(artifact_path(job_id, "model.bin")) == len(model)
    assert b"".join(bucket.open_read(log_path(job_id))) == log.content
    parts = bucket._fs.find(f"{s3_bucket}/x/jobs/{job_id}/log.txt.atlas-parts")
    assert parts, "the log is kept as appended parts"
