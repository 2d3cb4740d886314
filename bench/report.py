"""``python -m bench.report``: the results in bench/results/ as a Markdown table, to paste
into docs/performance.md after a run."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.result import RESULTS_DIR

ORDER = (
    "log_metric",
    "log_metric_async",
    "flush",
    "ingest",
    "series_read",
    "job_listing_sqlite",
    "job_listing_postgres",
    "import_time",
)


def table(directory: Path = RESULTS_DIR) -> str:
    """One row per result file: Atlas's median (min-max, p99), the peer's, ratio, target."""
    rows = [
        "| benchmark | unit | Atlas median (min-max) | p99 | MLflow median (min-max) | "
        "ratio | target | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    files = {path.stem: path for path in directory.glob("*.json")}
    for name in [n for n in ORDER if n in files] + sorted(set(files) - set(ORDER)):
        result = json.loads(files[name].read_text(encoding="utf-8"))
        ours, peer = result["ours"], result["peer"]
        theirs = "-" if peer is None else f"{_span(peer)} ({peer['name']} {peer['version']})"
        ratio = "-" if result["ratio"] is None else f"{result['ratio']:,}x"
        rows.append(
            f"| {name} | {result['unit']} | {_span(ours)} | {_num(ours.get('p99'))} | "
            f"{theirs} | {ratio} | {result['target']} | "
            f"{'yes' if result['meets_target'] else '**no**'} |"
        )
    return "\n".join(rows)


def _span(figure: dict[str, float]) -> str:
    return f"{_num(figure['median'])} ({_num(figure['min'])}-{_num(figure['max'])})"


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


if __name__ == "__main__":
    sys.stdout.write(table() + "\n")
