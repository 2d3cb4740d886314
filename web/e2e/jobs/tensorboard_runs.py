"""Jobs with TensorBoard event files for the end-to-end suite: ``python tensorboard_runs.py
SPEC_JSON`` with ``{"project", "count", "steps"}``.

Each job writes its scalars with tensorboard's own event file writer (as TF2 and Keras write
them) and its event file reaches the job's artifacts as the job's launcher sends it while a
job runs: appended in pieces to ``tensorboard/<run>/<file>``. Prints ``ATLAS_E2E_JOBS [ids]``.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
from pathlib import Path

from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from atlas.sdk.client import Client

PIECE = 4096


def main() -> None:
    spec = json.loads(sys.argv[1])
    ids = []
    with Client() as client, tempfile.TemporaryDirectory() as scratch:
        for index in range(int(spec["count"])):
            job = client.create_job(spec["project"], name=f"tb-{index:02d}")
            folder = Path(scratch, job.id, "train")
            writer = EventFileWriter(str(folder))
            for step in range(int(spec["steps"])):
                loss = 2.0 * math.exp(-step / 40) * (1 + index / 10) + 0.05
                values = [
                    summary_pb2.Summary.Value(tag="loss", simple_value=loss),
                    summary_pb2.Summary.Value(tag="accuracy", simple_value=1 - loss / 3),
                ]
                summary = summary_pb2.Summary(value=values)
                writer.add_event(
                    event_pb2.Event(wall_time=1.7e9 + step, step=step, summary=summary)
                )
            writer.close()
            (path,) = folder.iterdir()
            data = path.read_bytes()
            name = f"tensorboard/train/{path.name}"
            for start in range(0, len(data), PIECE):
                client.append_artifact(job.id, name, data[start : start + PIECE], offset=start)
            ids.append(job.id)
    print("ATLAS_E2E_JOBS " + json.dumps(ids), flush=True)


if __name__ == "__main__":
    main()
