"""The MLflow client logging through Atlas's MLflow API, beside the same client against a
real ``mlflow server`` (SQLite backend) started in the same run.

One worker script (``bench/peers/mlflow_api.py``, the peer's venv: MLflow 3.x) runs twice:
once with ``MLFLOW_TRACKING_URI`` at a real ``atlas server`` (SQLite), once at ``mlflow
server --backend-store-uri sqlite:///...`` (its default workers, artifacts served by it). The
two alternate repetition by repetition. Two results:

- ``mlflow_api_log_metric``: the median per-call time of ``LOG_METRIC_CALLS`` synchronous
  ``mlflow.log_metric`` calls into a fresh run (each call one HTTP round trip); target: Atlas
  >= 5x faster.
- ``mlflow_api_log_batch``: the time of one ``MlflowClient.log_batch`` of ``BATCH_POINTS``
  points (the client sends 1,000 a request), every point counted back afterwards; target:
  Atlas >= 10x faster.
"""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from bench.peer import MLFLOW_ENV, MlflowEnv
from bench.ray_peer import free_ports
from bench.result import PeerFigure, Result
from bench.server import AtlasServer, wait_until_answered
from bench.stats import Stats
from bench.trial import Context, Sample, alternate, stats
from bench.worker import BenchError, Worker, clean_env

NAME = "mlflow_api"
LOG_METRIC_CALLS = 500
BATCH_POINTS = 100_000
TARGET_LOG_METRIC_RATIO = 5.0
TARGET_LOG_BATCH_RATIO = 10.0
START_TIMEOUT_S = 180.0


class MlflowServer:
    """``mlflow server`` on a free port with a SQLite backend under ``folder``."""

    def __init__(self, peer: MlflowEnv, folder: Path) -> None:
        self.peer = peer
        self.folder = folder
        self.url = ""
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> MlflowServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        (port,) = free_ports(1)
        command = [
            str(self.peer.python),
            "-m",
            "mlflow",
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--backend-store-uri",
            f"sqlite:///{self.folder / 'mlflow.db'}",
            "--artifacts-destination",
            str(self.folder / "artifacts"),
        ]
        with (self.folder / "server.log").open("wb") as log:
            self._process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=clean_env(**MLFLOW_ENV)
            )
        self.url = f"http://127.0.0.1:{port}"
        self._wait()
        return self

    def _wait(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        if not wait_until_answered(
            f"{self.url}/health", deadline=deadline, alive=self._check_alive, interval=0.2
        ):
            raise self._failure("did not answer /health in time")

    def _check_alive(self) -> None:
        if self._process is not None and self._process.poll() is not None:
            raise self._failure(f"exited with status {self._process.returncode}")

    def _failure(self, what: str) -> BenchError:
        log = (self.folder / "server.log").read_text(errors="replace")[-3000:]
        self.__exit__(None, None, None)
        return BenchError(f"mlflow server {what}\n--- its log ---\n{log}")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _client(peer: MlflowEnv, work: Path, name: str, uri: str) -> Worker:
    return Worker(
        peer.python, "mlflow_api.py", [uri], log_path=work / f"{name}.log", env=MLFLOW_ENV
    )


def run(context: Context) -> Iterator[Result]:
    """Alternate the client against Atlas with the client against MLflow's server."""
    peer_env = context.mlflow
    with (
        context.workdir(NAME) as work,
        AtlasServer(work / "atlas") as atlas,
        MlflowServer(peer_env, work / "mlflow-server") as mlflow_server,
    ):
        ours = _client(peer_env, work, "client-atlas", atlas.url)
        theirs = _client(peer_env, work, "client-mlflow", mlflow_server.url)
        with ours, theirs:
            mine, peer = alternate(
                NAME,
                lambda: _measure(ours),
                lambda: _measure(theirs),
                repetitions=context.repetitions,
                warmup=context.warmup,
            )
    yield _log_metric_result(mine, peer, peer_env.version)
    yield _log_batch_result(mine, peer, peer_env.version)


def _measure(worker: Worker) -> Sample:
    one = worker.call("log_metric", calls=LOG_METRIC_CALLS)
    raw = worker.call("raw_log_metric", calls=LOG_METRIC_CALLS)
    batch = worker.call("log_batch", points=BATCH_POINTS)
    return {
        "value": one["median_us"],
        "p99": one["p99_us"],
        "raw_us": raw["median_us"],
        "batch_s": batch["seconds"],
        "encode_s": batch["encode_s"],
    }


def _median(samples: list[Sample], key: str) -> float:
    return statistics.median(float(s[key]) for s in samples)


def _result(
    what: str, unit: str, ours: Stats, theirs: Stats, version: str, ratio: float, note: str
) -> Result:
    """The result ``mlflow_api_<what>``: Atlas against mlflow server, ``ratio`` times faster
    as the target."""
    return Result(
        name=f"{NAME}_{what}",
        unit=unit,
        ours=ours,
        peer=PeerFigure("mlflow server", version, theirs),
        target=f">= {ratio:g}x faster than the same client against mlflow server",
        meets_target=theirs.median / ours.median >= ratio,
        note=note,
    )


def _log_metric_result(mine: list[Sample], peer: list[Sample], version: str) -> Result:
    raw_ours, raw_theirs = _median(mine, "raw_us"), _median(peer, "raw_us")
    note = (
        f"the MLflow {version} client (bench/peers/mlflow_api.py), {LOG_METRIC_CALLS} "
        "synchronous mlflow.log_metric calls into a fresh run per repetition, each timed "
        "alone (median and p99 of the calls), over HTTP to atlas server (SQLite) and to "
        "mlflow server (SQLite backend, its default workers), alternating. The same "
        "request posted with a plain requests session (no MLflow client work): atlas "
        f"{raw_ours:,.0f} us, mlflow server {raw_theirs:,.0f} us "
        f"({raw_theirs / raw_ours:.1f}x)"
    )
    ours, theirs = stats(mine), stats(peer)
    return _result("log_metric", "us", ours, theirs, version, TARGET_LOG_METRIC_RATIO, note)


def _log_batch_result(mine: list[Sample], peer: list[Sample], version: str) -> Result:
    ours = stats([{"value": s["batch_s"]} for s in mine])
    theirs = stats([{"value": s["batch_s"]} for s in peer])
    encode = _median(mine + peer, "encode_s")
    note = (
        f"MlflowClient.log_batch of {BATCH_POINTS:,} points of one metric into a fresh "
        "run (the client sends 1,000 a request; the Metric objects are built before the "
        "clock starts), every point counted back afterwards, untimed; the same client and "
        "servers as mlflow_api_log_metric. Of each figure, the client's own JSON encoding "
        f"of the {BATCH_POINTS // 1_000} requests (message_to_json, timed apart) is "
        f"{encode:.2f} s: a floor no server can go under"
    )
    return _result("log_batch", "s", ours, theirs, version, TARGET_LOG_BATCH_RATIO, note)
