"""A real job for the end-to-end suite: ``python train.py SPEC_JSON``.

It is tracked through the SDK exactly as a user's script is (``import atlas``): params, tags,
metrics (with a NaN and a spike), console output, and, with ``"media": true``, images at three
steps, a WAV, a GIF, CSV, text and JSON artifacts. ``"fail"`` ends it with an exception (the
job fails with its traceback); ``"wait_for"`` names a file the job waits for before it ends, so
a test can watch it running. It prints ``ATLAS_E2E_JOB {"id": ..., "name": ...}`` for the
harness. The SDK finds the server through ``ATLAS_URL`` in the environment.
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

from media import write_gif, write_png, write_wav

import atlas

SPIKE_STEP = 120
NAN_STEP = 50


def main() -> None:
    spec = json.loads(sys.argv[1])
    run = atlas.init(
        project=spec["project"],
        name=spec["name"],
        params=spec.get("params", {}),
        tags=spec.get("tags", {}),
    )
    run.flush(timeout=30)  # the job exists on the server before the harness is told its id
    print("ATLAS_E2E_JOB " + json.dumps({"id": run.id, "name": run.name}), flush=True)
    print("\x1b[32mINFO\x1b[0m starting training of " + spec["name"])
    steps = int(spec.get("steps", 200))
    lr = float(spec.get("params", {}).get("lr", 0.01))
    for step in range(steps):
        run.log_metrics(_metrics(step, lr), step=step)
        if step % 10 == 0:
            run.log_metric("val/loss", 1.2 / (1 + step * lr * 3), step=step)
        if step % 50 == 0:
            print(f"epoch {step // 50}: loss {_loss(step, lr):.4f}")
    for key, value in spec.get("extra_metrics", {}).items():
        run.log_metric(key, float(value))
    if spec.get("media"):
        _save_media(run, steps)
    if spec.get("wait_for"):
        _wait_for(Path(spec["wait_for"]), run)
    if spec.get("fail"):
        print("\x1b[31mERROR\x1b[0m the loss diverged", file=sys.stderr)
        raise ValueError(f"loss diverged at lr={lr}")
    print("training finished")


def _loss(step: int, lr: float) -> float:
    return 2.5 * math.exp(-step * lr * 2) + 0.05 + 0.02 * math.sin(step / 3)


def _metrics(step: int, lr: float) -> dict[str, float]:
    loss = _loss(step, lr)
    if step == NAN_STEP:
        loss = float("nan")
    elif step == SPIKE_STEP:
        loss = 25.0  # one spike: charts must never drop it
    return {"loss": loss, "acc": 1 - 0.9 * math.exp(-step * lr * 1.5)}


def _save_media(run: atlas.Run, steps: int) -> None:
    out = Path("media")
    out.mkdir(exist_ok=True)
    for index, step in enumerate((0, steps // 2, steps - 1)):
        image = out / f"samples-{step:03d}.png"
        write_png(image, width=96, height=64, hue=index / 3)
        run.save_artifact(str(image), f"samples/step-{step:03d}.png", step=step)
    write_wav(out / "tone.wav", frequency=440)
    run.save_artifact(str(out / "tone.wav"), "audio/tone.wav")
    write_gif(out / "moving.gif")
    run.save_artifact(str(out / "moving.gif"), "moving.gif")
    rows = ["epoch,loss,acc"] + [f"{e},{0.9 / (e + 1):.4f},{0.5 + e / 20:.3f}" for e in range(5)]
    (out / "results.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    run.save_artifact(str(out / "results.csv"), "results.csv")
    (out / "notes.txt").write_text("Converged after warm-up.\nNo augmentation.\n", "utf-8")
    run.save_artifact(str(out / "notes.txt"), "notes.txt")
    (out / "config.json").write_text(json.dumps({"layers": 18, "dropout": 0.1}), "utf-8")
    run.save_artifact(str(out / "config.json"), "config.json")


def _wait_for(signal_file: Path, run: atlas.Run) -> None:
    """Stay running (flushing what was logged) until the test creates ``signal_file``."""
    run.flush(timeout=30)
    print("waiting for " + signal_file.name, flush=True)
    deadline = time.monotonic() + 120
    while not signal_file.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{signal_file} never appeared")
        time.sleep(0.1)


if __name__ == "__main__":
    main()
