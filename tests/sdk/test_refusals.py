"""Nothing is lost without a word: a bad name is refused at the call that made it, a batch
the server still refuses loses only the refused keys' points (and says so), and spooling is
announced once.
"""

from __future__ import annotations

import logging
import time
from array import array
from pathlib import Path

import pytest

import atlas
from atlas.domain import JobStatus, new_job_id
from atlas.errors import InvalidInputError
from atlas.sdk.buffer import MetricColumns
from atlas.sdk.client import Client
from atlas.sdk.records import CreateJob, MetricBatch
from atlas.sdk.sender import REFUSED_TAG
from atlas.sdk.spool import SpoolWriter, upload_spool

from .conftest import ServerProcess, free_port, make_script, only_job

BAD_NAMES = r"""
import atlas
from atlas.errors import InvalidInputError

atlas.log_metric("loss", 0.5)
calls = {
    "metrics": lambda: atlas.log_metrics({"ok": 1.0, "bad\ud800": 2.0}),
    "metric": lambda: atlas.log_metric("x\ud800", 1.0),
    "control": lambda: atlas.log_metric("a\x85b", 1.0),
    "tag": lambda: atlas.set_tag("t", "v" * 501),
    "param": lambda: atlas.log_param("p", "a\ud800"),
    "artifact": lambda: atlas.save_artifact("train.py", "a\\b"),
}
for name, call in calls.items():
    try:
        call()
        print(name, "accepted")
    except InvalidInputError as exc:
        print(name, "refused:", exc.message.encode("ascii", "backslashreplace").decode())
print("flushed", atlas.current_job().flush())
"""


def test_a_name_the_server_would_refuse_is_refused_at_the_call(
    tmp_path: Path, server: ServerProcess
) -> None:
    script = make_script(tmp_path, server.url)
    done = script.run(BAD_NAMES, check=True)
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    assert lines["metrics"] == r"refused: a metric key may not hold lone surrogates: 'bad\ud800'"
    assert lines["metric"].startswith("refused: a metric key may not hold lone surrogates")
    assert lines["control"].startswith("refused: a metric key may not hold control characters")
    assert lines["tag"] == "refused: tag 't' has at most 500 characters, not 501"
    assert lines["param"].startswith("refused: param 'p' may not hold")
    assert lines["artifact"].startswith("refused: invalid artifact path 'a\\\\b'")
    assert lines["flushed"] == "True"  # nothing was queued that the server refuses
    with server.client() as api:
        job = only_job(api, "myproject")
        assert job.status == JobStatus.COMPLETED
        assert set(job.metrics) == {"loss"}  # log_metrics is all or none
        assert REFUSED_TAG not in job.tags
    assert "refused" not in done.stderr


def test_a_job_name_too_long_is_refused_by_init_and_submit(
    tracking_client: Client, tmp_path: Path
) -> None:
    with pytest.raises(InvalidInputError, match="a job name has at most 500 characters"):
        atlas.init(project="refusals", name="x" * 501)
    assert atlas.current_job() is None  # nothing started
    with pytest.raises(InvalidInputError, match="a job name has at most 500 characters"):
        atlas.submit("python main.py", directory=tmp_path, name="x" * 501)


def _columns(key: str, values: list[float]) -> MetricColumns:
    now = time.time()
    steps = array("q", range(len(values)))
    return MetricColumns(key, steps, array("d", [now] * len(values)), array("d", values))


def test_a_batch_the_server_refuses_loses_only_the_refused_keys_and_says_so(
    tracking_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    run = atlas.init(project="refusals", name="forced")
    run.log_metric("before", 1.0)
    assert run.flush() is True
    # A batch as an SDK with other rules would send it: the server refuses the whole batch.
    batch = MetricBatch("forced-1", [_columns("good", [1.0, 2.0]), _columns("bad\ud800", [3.0])])
    run._sender.submit(batch)
    with caplog.at_level(logging.ERROR, logger="atlas.sdk.sender"):
        assert run.flush() is False
        assert tracking_client.get_metric(run.id, "good").values == [1.0, 2.0]
        assert run.flush() is True  # nothing refused since the previous flush
        assert run.finish() is False  # the job lost something
    job = tracking_client.get_job(run.id)
    assert job.status == JobStatus.COMPLETED
    assert set(job.metrics) == {"before", "good"}
    assert job.tags[REFUSED_TAG] == r"metrics 'bad\ud800' (1 points)"
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any(run.id in m and "refused metrics 'bad\\ud800' (1 points)" in m for m in errors)
    assert any(m.startswith(f"job {run.id} ended without what the server refused") for m in errors)


def test_a_batch_refused_whole_is_reported_by_flush_and_finish(
    tracking_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    run = atlas.init(project="refusals", name="one-key")
    run._sender.submit(MetricBatch("forced-2", [_columns("bad\x00", [1.0])]))
    with caplog.at_level(logging.CRITICAL, logger="atlas.sdk.sender"):
        assert run.flush() is False
        assert atlas.finish() is False
    assert tracking_client.get_job(run.id).tags[REFUSED_TAG] == r"metrics 'bad\x00' (1 points)"


def test_a_spooled_batch_the_server_refuses_loses_only_the_refused_keys(
    client: Client, tmp_path: Path
) -> None:
    folder = tmp_path / "spool"
    job_id = new_job_id()
    writer = SpoolWriter(folder, job_id)
    writer.append(CreateJob("refusals", {"name": "offline", "kind": "local"}))
    writer.append(MetricBatch("spooled-1", [_columns("good", [1.0]), _columns("bad\x00", [2.0])]))
    writer.close()
    report = upload_spool(client, folder)
    assert report.rejected == [
        f"job {job_id}: the server refused spooled metrics 'bad\\x00' (1 points): the server "
        "refused metric 'bad\\x00' (invalid series.0.key: a metric key may not hold control "
        "characters: 'bad\\x00'); the points of the batch's other keys were stored"
    ]
    assert client.get_metric(job_id, "good").values == [1.0]
    assert not list(folder.glob("*.spool"))


SPOOLING = """
import atlas
for step in range(5):
    atlas.log_metric("loss", 1.0 / (step + 1))
    atlas.current_job().flush()
print("job", atlas.current_job().id)
"""


def test_spooling_is_announced_once_and_its_upload_is_one_summary_line(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    script = make_script(tmp_path, url)
    done = script.run(SPOOLING, check=True)
    job_id = done.stdout.split()[-1]
    spool = tmp_path / "job-home" / "spool"
    said = [line for line in done.stderr.splitlines() if "no Atlas server answers" in line]
    assert len(said) == 1, done.stderr
    assert said[0].startswith(f"job {job_id}: no Atlas server answers at {url}")
    assert str(spool) in said[0]
    assert "`atlas sync`" in said[0]
    # The server started on that home imports the spool: one line, not one per request.
    server = ServerProcess(tmp_path / "job-home")
    server.start()
    try:
        with server.client() as api:
            deadline = time.monotonic() + 30  # the import runs in the background
            while "imported the spool" not in server.output():
                assert time.monotonic() < deadline, server.output()
                time.sleep(0.05)
            assert api.get_job(job_id).metrics["loss"].count == 5
    finally:
        server.stop()
    log = server.output()
    assert "imported the spool" in log
    assert "HTTP Request" not in log
