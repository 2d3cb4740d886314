"""Console capture with jobs tracked from threads: each job's log holds what its own thread
printed; a thread with no job of its own prints into the process's main job."""

from __future__ import annotations

from pathlib import Path

from atlas.sdk.client import Client

from .conftest import ServerProcess, make_script

TWO_THREADS = """
import sys, threading
import atlas

main = atlas.init(project="threads", name="main")
print("main says hello")
barrier = threading.Barrier(2)
ids = {}

def work(name):
    with atlas.init(project="threads", name=name) as run:
        ids[name] = run.id
        barrier.wait()  # both jobs run and capture at once
        for i in range(50):
            print(f"{name} line {i}")
            print(f"{name} err {i}", file=sys.stderr)
        barrier.wait()
    if name == "b":
        raise RuntimeError("b failed")  # after its job ended: the main job's output

def orphan():
    print("orphan thread line")

threads = [threading.Thread(target=work, args=(name,)) for name in ("a", "b")]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
lone = threading.Thread(target=orphan)
lone.start()
lone.join()
print("main says bye")
atlas.finish()
print("ids", main.id, ids["a"], ids["b"])
"""


def test_each_thread_s_output_goes_to_its_own_job(tmp_path: Path, server: ServerProcess) -> None:
    script = make_script(tmp_path, server.url)
    done = script.run(TWO_THREADS, check=True)
    assert "a line 49" in done.stdout  # still printed
    main_id, a_id, b_id = done.stdout.splitlines()[-1].split()[1:]
    with Client(server.url, token="", timeout=10.0) as api:
        logs = {job: api.read_log(job).data.decode() for job in (main_id, a_id, b_id)}
    for name, job in (("a", a_id), ("b", b_id)):
        other = "b" if name == "a" else "a"
        lines = logs[job].splitlines()
        assert sorted(lines) == sorted(
            [f"{name} line {i}" for i in range(50)] + [f"{name} err {i}" for i in range(50)]
        ), logs[job][:500]
        assert f"{other} line" not in logs[job]
    main_log = logs[main_id]
    assert main_log.startswith("main says hello\n")
    assert "orphan thread line\n" in main_log
    assert "RuntimeError: b failed" in main_log  # the thread's traceback, printed on stderr
    assert main_log.endswith("main says bye\n")
    assert "a line" not in main_log
    assert "b err" not in main_log
