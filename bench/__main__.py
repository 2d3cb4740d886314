"""``python -m bench [--only NAME] [--repetitions N]``: run the benchmarks.

Each benchmark writes ``bench/results/<name>.json`` and prints a one-line summary on stdout;
progress goes to stderr. The exit status is 1 when a benchmark could not run (a missed target
is a result, not an error).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from collections.abc import Iterable

from bench.result import Result
from bench.trial import Context
from bench.worker import BenchError

BENCHMARKS = (
    "log_metric",
    "log_image",
    "flush",
    "ingest",
    "series_read",
    "job_listing",
    "import_time",
    "tbevents",
    "scheduling",
    "containers",
    "ray_executor",
    "gui",
    "gui_workspace",
    "tensorboard_view",
    "auth",
    "sweeps",
    "mlflow_api",
)


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run the chosen benchmarks, print their summaries."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", choices=BENCHMARKS, help="run this benchmark only")
    parser.add_argument(
        "--repetitions", type=int, default=5, help="recorded repetitions (>= 5, default 5)"
    )
    args = parser.parse_args(argv)
    if args.repetitions < 5:
        parser.error("--repetitions must be at least 5 (BENCH.md)")
    context = Context(repetitions=args.repetitions)
    failed = 0
    for name in [args.only] if args.only else BENCHMARKS:
        failed += not _run_one(name, context)
    return 1 if failed else 0


def _run_one(name: str, context: Context) -> bool:
    print(f"bench: {name} ...", file=sys.stderr, flush=True)
    started = time.monotonic()
    try:
        module = importlib.import_module(f"bench.{name}")
        results: Iterable[Result] = module.run(context)
        for result in results:  # a generator writes each result as soon as it is measured
            path = result.write()
            print(result.summary(), flush=True)
            print(f"  -> {path}", file=sys.stderr, flush=True)
    except (BenchError, OSError) as exc:
        print(f"{name}: could not run: {exc}", flush=True)
        return False
    except Exception:
        print(f"{name}: crashed:\n{traceback.format_exc()}", flush=True)
        return False
    print(f"bench: {name} took {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    return True


if __name__ == "__main__":
    sys.exit(main())
