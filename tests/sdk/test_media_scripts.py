"""Media from plain ``python train.py`` scripts against a real server process: a media call
outside a job starts one (as ``log_metric`` does), and everything reaches the server by the
script's end; without Pillow, arrays still log and Pillow's calls say how to get it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from atlas.domain import ArtifactKind, JobStatus
from atlas.sdk.client import Client

from .conftest import ServerProcess, make_script, only_job


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(tmp_path_factory.mktemp("server") / "home") as process:
        yield process


@pytest.fixture
def api(shared_server: ServerProcess) -> Iterator[Client]:
    with shared_server.client() as client:
        yield client


MEDIA = """
import numpy as np
import atlas

for step in range(3):
    atlas.log_image("samples", np.full((8, 8, 3), step * 50, dtype=np.uint8), caption=str(step))
    atlas.log_histogram("weights", np.random.randn(1000) + step)
atlas.log_audio("tone", np.sin(np.linspace(0, 50, 4000)), sample_rate=4000)
atlas.log_video("rollout", np.zeros((3, 8, 8, 3), dtype=np.uint8), fps=5)
atlas.log_table("preds", [{"id": 1, "p": 0.9}])
print("job", atlas.current_job().id)
"""


def test_a_script_logs_media_without_init(
    tmp_path: Path, shared_server: ServerProcess, api: Client
) -> None:
    script = make_script(tmp_path, shared_server.url)
    (script.folder / "job.config.yaml").write_text("project_name: media-script\n")
    done = script.run(MEDIA, check=True)
    job = only_job(api, "media-script")
    assert done.stdout.splitlines()[-1] == f"job {job.id}"
    assert job.status == JobStatus.COMPLETED
    media = {m.key: (m.kind, m.steps) for m in api.list_media(job.id)}
    assert media == {
        "preds": (ArtifactKind.TABLE, (0,)),
        "rollout": (ArtifactKind.GIF, (0,)),
        "samples": (ArtifactKind.IMAGE, (0, 1, 2)),
        "tone": (ArtifactKind.AUDIO, (0,)),
        "weights": (ArtifactKind.HISTOGRAM, (0, 1, 2)),
    }
    captions = [v.caption for v in api.list_artifact_versions(job.id, "media/samples.png")]
    assert captions == ["0", "1", "2"]


WITHOUT_PILLOW = """
import sys
sys.modules["PIL"] = None  # as if Pillow were not installed
import numpy as np
import atlas

atlas.log_image("plain", np.zeros((4, 4), dtype=np.uint8))
try:
    atlas.log_video("clip", np.zeros((2, 4, 4, 3), dtype=np.uint8), fps=5)
except ImportError as exc:
    print("refused:", exc)
sys.modules["av"] = None  # nor PyAV
try:
    atlas.log_video("clip", np.zeros((2, 4, 4, 3), dtype=np.uint8), fps=5, format="mp4")
except ImportError as exc:
    print("refused:", exc)
"""


def test_without_pillow_arrays_log_and_gifs_say_what_to_install(
    tmp_path: Path, shared_server: ServerProcess, api: Client
) -> None:
    script = make_script(tmp_path, shared_server.url)
    (script.folder / "job.config.yaml").write_text("project_name: no-pillow\n")
    done = script.run(WITHOUT_PILLOW, check=True)
    assert "refused: atlas.log_video needs Pillow: pip install 'atlas-ml[media]'" in done.stdout
    assert (
        "refused: atlas.log_video needs PyAV for MP4 and WebM: pip install 'atlas-ml[video]'"
        in done.stdout
    )
    job = only_job(api, "no-pillow")
    assert [m.key for m in api.list_media(job.id)] == ["plain"]
