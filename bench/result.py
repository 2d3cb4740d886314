"""A benchmark's result: the JSON file under bench/results/ and its one-line summary.

The file's shape is BENCH.md's: ``{"name", "unit", "ours": {"median", "min", "max", "p99"?},
"peer": {"name", "version", "median", ...} | null, "ratio", "target", "meets_target",
"machine": {"cpus", "python"}, "when"}``, plus a ``"note"`` saying what the figures include.
``ratio`` is always "how many times better ours is": peer/ours for a time, ours/peer for a
rate, so a ratio above 1 means Atlas wins.
"""

from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.stats import Stats

__all__ = ["RESULTS_DIR", "PeerFigure", "Result", "machine"]

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, object]:
    """The machine the figures were taken on."""
    return {"cpus": os.cpu_count(), "python": platform.python_version()}


@dataclass(frozen=True, slots=True)
class PeerFigure:
    """The peer's figure: which software, which version, and its statistics."""

    name: str
    version: str
    stats: Stats

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "version": self.version, **self.stats.as_json()}


@dataclass(frozen=True, slots=True)
class Result:
    """One benchmark's outcome. ``higher_is_better`` is true for rates (points/s)."""

    name: str
    unit: str
    ours: Stats
    peer: PeerFigure | None
    target: str
    meets_target: bool
    note: str
    higher_is_better: bool = False

    @property
    def ratio(self) -> float | None:
        """How many times better ours is than the peer (above 1: Atlas wins)."""
        if self.peer is None or self.ours.median <= 0 or self.peer.stats.median <= 0:
            return None
        if self.higher_is_better:
            return self.ours.median / self.peer.stats.median
        return self.peer.stats.median / self.ours.median

    def as_json(self) -> dict[str, object]:
        """The result file's object."""
        ratio = self.ratio
        return {
            "name": self.name,
            "unit": self.unit,
            "ours": self.ours.as_json(),
            "peer": None if self.peer is None else self.peer.as_json(),
            "ratio": None if ratio is None else round(ratio, 1 if ratio >= 10 else 2),
            "target": self.target,
            "meets_target": self.meets_target,
            "machine": machine(),
            "when": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "note": self.note,
        }

    def write(self, directory: Path = RESULTS_DIR) -> Path:
        """Write ``<directory>/<name>.json`` and return its path."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.name}.json"
        path.write_text(json.dumps(self.as_json(), indent=2) + "\n", encoding="utf-8")
        return path

    def summary(self) -> str:
        """One line: our median (min-max, p99), the peer's, the ratio and the verdict."""
        ours = _figure(self.ours, self.unit)
        peer = "no peer"
        if self.peer is not None:
            peer = f"{self.peer.name} {self.peer.version} {_figure(self.peer.stats, self.unit)}"
        ratio = self.ratio
        times = ""
        if ratio is not None:
            times = (
                f" | atlas {ratio:,.1f}x better"
                if ratio >= 1
                else f" | peer {1 / ratio:,.1f}x better"
            )
        verdict = "MET" if self.meets_target else "MISSED"
        return f"{self.name}: atlas {ours} | {peer}{times} | target {self.target}: {verdict}"


def _figure(stats: Stats, unit: str) -> str:
    text = f"{_num(stats.median)} {unit} ({_num(stats.min)}-{_num(stats.max)}"
    if stats.p99 is not None:
        text += f", p99 {_num(stats.p99)}"
    return text + ")"


def _num(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"
