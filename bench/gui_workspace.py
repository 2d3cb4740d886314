"""The project workspace in a real browser: 20 line panels of 10 jobs x 100,000 points drawn
after navigation, redrawn after a smoothing change, and a scatter panel over 100,000 jobs.

Set-up (not measured): a SQLite database filled by ``bench.population`` (the job_listing
corpus: 100,000 jobs x 20 params x 10 metric summaries, bulk-inserted) for the scatter, plus
a project of 10 finished jobs with 20 metrics of 100,000 points each, loaded through the REST
API by ``bench.series_read.load_finished_jobs`` (the same loss curve under every key: drawing
costs the same whatever the values); then a real ``atlas server`` on it serving the built GUI.

Measured by ``bench/gui_workspace_probe.mjs`` in Debian's Chromium with a warm bundle: one
browser context whose HTTP cache holds the GUI's scripts from the warm-up visit, a new page
for every repetition (fresh script heap, API answers not cached). Times are the page's own
(``performance.now()``, 0 = navigation start) at the end of the first frame painted after a
panel's ``data-drawn`` became "1":

- panels: navigation start to the last of the 20 line panels drawn (the default workspace of
  the project: its first 10 jobs visible, one panel per metric) at 1440x900; the workspace
  draws every panel of an open section, those below the fold included, so all 20 count;
- smoothing: from the smoothing control's ``input`` event to every panel drawn again, 3
  changes per repetition, each recorded;
- scatter: navigation start to the scatter panel of ``metrics.loss.min`` against
  ``params.lr`` drawn with all 100,000 points.

No peer runs here: W&B's and MLflow's workspaces are reports in the issue, not measured.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.browser import check_gui, check_tools, run_probe
from bench.population import populate_jobs
from bench.result import Result
from bench.series_read import load_finished_jobs
from bench.server import AtlasServer
from bench.stats import Stats
from bench.trial import Context, progress

NAME = "gui_workspace"
PROJECT = "bench-workspace"
SCATTER_PROJECT = "bench-gui"
JOBS = 10
POINTS = 100_000
SCATTER_JOBS = 100_000
METRICS = tuple(
    [f"train/{key}" for key in ("loss", "acc", "lr", "grad_norm", "throughput", "f1", "auc")]
    + [f"val/{key}" for key in ("loss", "acc", "f1", "auc", "precision", "recall")]
    + [f"system/{key}" for key in ("gpu_util", "gpu_mem", "cpu", "mem", "disk", "net", "power")]
)
SMOOTHING_CHANGES = 3
VIEWPORT = {"width": 1440, "height": 900}
PANELS_TARGET_MS = 1000.0
SMOOTHING_TARGET_MS = 150.0
SCATTER_TARGET_MS = 500.0
SCATTER_PANEL = {
    "id": "scatter-lr-loss",
    "kind": "scatter",
    "section": None,
    "w": 2,
    "h": 2,
    "title": None,
    "settings": {
        "x": "params.lr",
        "y": "metrics.loss.min",
        "color": None,
        "logX": True,
        "logY": False,
    },
}
PROBE = Path(__file__).resolve().parent / "gui_workspace_probe.mjs"


def run(context: Context) -> Iterator[Result]:
    """Fill the store, start a server, run the browser probe; one result per figure."""
    node = check_tools("the GUI workspace benchmark drives Chromium from Node")
    with context.workdir(NAME) as work:
        url = f"sqlite:///{work / 'atlas.db'}"
        started = time.monotonic()
        populate_jobs(url, SCATTER_PROJECT, SCATTER_JOBS)
        progress(NAME, f"{SCATTER_JOBS:,} jobs inserted in {time.monotonic() - started:.0f} s")
        with AtlasServer(work / "atlas", db_url=url) as server:
            check_gui(server.url)
            started = time.monotonic()
            load_finished_jobs(server.url, PROJECT, jobs=JOBS, points=POINTS, keys=METRICS)
            progress(
                NAME,
                f"{JOBS} jobs x {len(METRICS)} metrics x {POINTS:,} points loaded in "
                f"{time.monotonic() - started:.0f} s",
            )
            figures = _probe(node, server.url, context, work)
    yield _panels(figures["panels"])
    yield _smoothing([change for sample in figures["panels"] for change in sample["smoothing"]])
    yield _scatter(figures["scatter"])


def _probe(node: str, url: str, context: Context, work: Path) -> dict[str, Any]:
    scatter_view = json.dumps({"panels": [SCATTER_PANEL]}, separators=(",", ":"))
    config = {
        "viewport": VIEWPORT,
        "panelsUrl": f"{url}/projects/{quote(PROJECT)}",
        "panels": len(METRICS),
        "seriesPath": "/api/v1/series",
        "smoothingChanges": SMOOTHING_CHANGES,
        "scatterUrl": f"{url}/projects/{quote(SCATTER_PROJECT)}?ws={quote(scatter_view)}",
        "scatterPoints": SCATTER_JOBS,
        "valuesPath": "/jobs/values",
    }
    figures: dict[str, Any] = run_probe(
        node, PROBE, config, context=context, work=work, label=NAME, timeout=1800
    )
    return figures


def _viewport() -> str:
    return f"{VIEWPORT['width']}x{VIEWPORT['height']}"


def _panels(samples: list[dict[str, Any]]) -> Result:
    ours = Stats.of([sample["total"] for sample in samples])
    fetch = statistics.median(sample["fetch"] for sample in samples)
    requests = statistics.median(sample["requests"] for sample in samples)
    return Result(
        name=f"{NAME}_panels",
        unit="ms",
        ours=ours,
        peer=None,
        target=f"<= {PANELS_TARGET_MS:g} ms (median)",
        meets_target=ours.median <= PANELS_TARGET_MS,
        note=(
            f"Chromium (headless, warm bundle: scripts in the HTTP cache, a new page each "
            f"time, {_viewport()}, panels below the fold drawn too) opening "
            f"/projects/{PROJECT}, "
            f"the default workspace of {JOBS} finished jobs with {len(METRICS)} metrics of "
            f"{POINTS:,} points each: navigation start to the first frame painted after the "
            f"last of the {len(METRICS)} line panels is drawn ({JOBS} jobs each). Median "
            f"{requests:.0f} series requests, {fetch:.0f} ms from the first one's start to "
            f"the last one's answer; the server keeps finished jobs' downsampled series in "
            f"memory, so the repetitions after the warm-up read that cache (the warm-up's "
            f"figure is in the progress output). No peer measured"
        ),
    )


def _smoothing(samples: list[float]) -> Result:
    ours = Stats.of(samples)
    return Result(
        name=f"{NAME}_smoothing",
        unit="ms",
        ours=ours,
        peer=None,
        target=f"<= {SMOOTHING_TARGET_MS:g} ms (median)",
        meets_target=ours.median <= SMOOTHING_TARGET_MS,
        note=(
            f"the same workspace ({len(METRICS)} line panels x {JOBS} jobs): from the "
            f"smoothing control's input event to the first frame painted after every panel "
            f"is drawn again; {SMOOTHING_CHANGES} changes per page, all recorded "
            f"({len(samples)} samples). No peer measured"
        ),
    )


def _scatter(samples: list[dict[str, float]]) -> Result:
    ours = Stats.of([sample["total"] for sample in samples])
    fetch = statistics.median(sample["fetch"] for sample in samples)
    return Result(
        name="gui_scatter",
        unit="ms",
        ours=ours,
        peer=None,
        target=f"<= {SCATTER_TARGET_MS:g} ms (median)",
        meets_target=ours.median <= SCATTER_TARGET_MS,
        note=(
            f"Chromium (headless, warm bundle) opening the workspace of the "
            f"{SCATTER_JOBS:,}-job project with one scatter panel (metrics.loss.min against "
            f"params.lr, log x): navigation start to the first frame painted after the panel "
            f"is drawn with all {SCATTER_JOBS:,} points; median {fetch:.0f} ms of it in the "
            f"values request(s). No peer measured"
        ),
    )
