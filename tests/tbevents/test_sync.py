"""Live sync without the launcher: a server that stops answering keeps the points in the
event files, and they are all sent, once, when it answers again."""

from __future__ import annotations

from pathlib import Path

from atlas.tbevents.live import LiveSync
from tests.sdk.conftest import ServerProcess
from tests.tbevents.writers import simple, write_events


def test_points_wait_in_the_files_while_no_server_answers(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "server")
    with server, server.client() as client:
        job_id = client.create_job("sync").id
    work = tmp_path / "work"
    write_events(work / "runs" / "a", [(s, [simple("loss", s)]) for s in range(3)])
    sync = LiveSync(work, job_id, server.client)
    assert not sync.poll(now=0.0)  # read, then refused: no server
    write_events(work / "runs" / "b", [(s, [simple("loss", s)]) for s in range(3, 5)])
    assert not sync.poll(now=10.0)  # nothing more is read while the first points wait
    assert list(sync.files) == [next((work / "runs" / "a").iterdir())]

    server.start()
    try:
        assert sync.poll(now=20.0)  # the first points, then the new file's
        assert sync.finish()
        with server.client() as client:
            assert list(client.get_metric(job_id, "loss").steps) == [0, 1, 2]
            assert list(client.get_metric(job_id, "b/loss").steps) == [3, 4]  # another run
    finally:
        server.stop()
