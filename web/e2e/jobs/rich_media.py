"""A job that logs rich media through the SDK: ``python rich_media.py SPEC_JSON``.

Images of the key ``samples`` at the steps in ``"media_steps"`` (with captions), the histogram
``weights`` at the same steps, and at the last step a tone (``log_audio``), a moving square
(``log_video``, a GIF) and a table of 10,000 predictions (``log_table``). ``"shift"`` moves the
histogram and the colours, so two jobs differ. It prints ``ATLAS_E2E_JOB {"id": ...}`` for
the harness, as train.py does.
"""

from __future__ import annotations

import json
import sys

import numpy as np

import atlas


def main() -> None:
    spec = json.loads(sys.argv[1])
    run = atlas.init(project=spec["project"], name=spec["name"], params=spec.get("params", {}))
    run.flush(timeout=30)
    print("ATLAS_E2E_JOB " + json.dumps({"id": run.id, "name": run.name}), flush=True)
    shift = float(spec.get("shift", 0.0))
    steps = [int(s) for s in spec.get("media_steps", [0, 5, 10])]
    rng = np.random.default_rng(7)
    for index, step in enumerate(steps):
        run.log_image(
            "samples", _picture(index, shift), step=step, caption=f"epoch {index} of {spec['name']}"
        )
        values = rng.normal(loc=shift + index * 0.5, scale=1.0 - index * 0.2, size=4000)
        run.log_histogram("weights", values, step=step, bins=32)
        run.log_metric("loss", 1.0 / (index + 1), step=step)
    last = steps[-1]
    seconds = np.arange(4000) / 8000
    run.log_audio("tone", 0.4 * np.sin(2 * np.pi * 440 * seconds), sample_rate=8000, step=last)
    run.log_video("rollout", _frames(), fps=5, step=last)
    labels = ["cat", "dog", "bird"]
    rows = [
        {"id": i, "label": labels[i % 3], "p": round(((i * 37) % 100) / 100, 2)}
        for i in range(10_000)
    ]
    run.log_table("predictions", rows, step=last)
    run.finish()


def _picture(index: int, shift: float) -> np.ndarray:
    """A 64 x 96 gradient whose colour turns with the step."""
    y, x = np.mgrid[0:64, 0:96]
    image = np.zeros((64, 96, 3), dtype=np.float64)
    image[..., 0] = 0.5 + 0.5 * np.sin(2 * np.pi * (x / 96 + index / 3 + shift))
    image[..., 1] = y / 63
    image[..., 2] = 1 - index / 3
    return image


def _frames() -> np.ndarray:
    """Eight 32 x 32 frames of a square moving right."""
    frames = np.zeros((8, 32, 32, 3), dtype=np.uint8)
    frames[...] = (0, 114, 178)
    for t in range(8):
        frames[t, 12:20, t * 3 : t * 3 + 8] = (230, 159, 0)
    return frames


if __name__ == "__main__":
    main()
