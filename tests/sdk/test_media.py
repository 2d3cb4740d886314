"""The media calls against the real app: what a script logs is what the server keeps, every
step of it, and bad input is refused at the call (docs/media.md)."""

from __future__ import annotations

import io
import json
import logging
import wave
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import atlas
from atlas.domain import ArtifactKind
from atlas.errors import InvalidInputError
from atlas.names import MAX_TABLE_ROWS
from atlas.sdk.client import Client
from atlas.sdk.records import LazyBytes, MediaUpload
from atlas.sdk.spool import SpoolWriter, upload_spool


class Tensor:
    """A torch tensor as the SDK sees one: ``.detach().cpu().numpy()``."""

    def __init__(self, array: np.ndarray) -> None:
        self.array = array

    def detach(self) -> Tensor:
        return self

    def cpu(self) -> Tensor:
        return self

    def numpy(self) -> np.ndarray:
        return self.array


def pixels(client: Client, job_id: str, path: str, step: int) -> np.ndarray:
    data = client.read_artifact(job_id, path, step=step)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        return np.asarray(image)


def test_images_of_every_kind_each_step_kept(tracking_client: Client, tmp_path: Path) -> None:
    run = atlas.init(project="vision")
    rgb = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3)
    atlas.log_image("samples", rgb, caption="first")
    grey = np.array([[0.0, 0.5], [1.0, 2.0]])  # floats of 0-1, clipped
    atlas.log_image("samples", grey)
    chw = np.zeros((3, 2, 6), dtype=np.uint8)
    chw[0] = 255
    atlas.log_image("samples", Tensor(chw), step=10)
    atlas.log_image("pil", Image.new("RGBA", (3, 2), (1, 2, 3, 4)))
    jpeg = tmp_path / "photo.jpg"
    Image.new("RGB", (8, 8), (200, 0, 0)).save(jpeg)
    atlas.log_image("file", jpeg)
    assert run.flush(10)
    (file, pil, samples) = tracking_client.list_media(run.id)
    assert (samples.key, samples.path, samples.kind, samples.steps) == (
        "samples",
        "media/samples.png",
        ArtifactKind.IMAGE,
        (0, 1, 10),
    )
    assert np.array_equal(pixels(tracking_client, run.id, samples.path, 0), rgb)
    assert pixels(tracking_client, run.id, samples.path, 1).tolist() == [[0, 128], [255, 255]]
    red = pixels(tracking_client, run.id, samples.path, 10)
    assert red.shape == (2, 6, 3)
    assert red[..., 0].min() == 255
    assert pixels(tracking_client, run.id, pil.path, 0)[0, 0].tolist() == [1, 2, 3, 4]
    assert pixels(tracking_client, run.id, file.path, 0)[0, 0, 0] > 150
    versions = tracking_client.list_artifact_versions(run.id, samples.path)
    assert [v.caption for v in versions] == ["first", None, None]


def test_an_array_changed_after_the_call_is_logged_as_it_was(tracking_client: Client) -> None:
    run = atlas.init(project="vision")
    frame = np.zeros((2, 2, 3), dtype=np.uint8)
    atlas.log_image("frame", frame)
    frame[:] = 255  # a reused buffer
    assert run.flush(10)
    assert pixels(tracking_client, run.id, "media/frame.png", 0).max() == 0


def test_audio_samples_and_files(tracking_client: Client, tmp_path: Path) -> None:
    run = atlas.init(project="vision")
    wave_form = np.sin(np.linspace(0, 20, 800))
    atlas.log_audio("tone", wave_form, sample_rate=8000)
    stereo = np.array([[0, 1000], [-32768, 32767]], dtype=np.int16)
    atlas.log_audio("stereo", stereo, sample_rate=44100, step=3)
    mp3 = tmp_path / "clip.mp3"
    mp3.write_bytes(b"ID3 not really an mp3")
    atlas.log_audio("speech", mp3)
    assert run.flush(10)
    with wave.open(io.BytesIO(tracking_client.read_artifact(run.id, "media/tone.wav"))) as file:
        assert (file.getnchannels(), file.getframerate(), file.getnframes()) == (1, 8000, 800)
    data = tracking_client.read_artifact(run.id, "media/stereo.wav", step=3)
    with wave.open(io.BytesIO(data)) as file:
        frames = np.frombuffer(file.readframes(2), dtype="<i2").reshape(2, 2)
    assert np.array_equal(frames, stereo)
    assert tracking_client.read_artifact(run.id, "media/speech.mp3") == mp3.read_bytes()
    kinds = {m.key: (m.kind, m.mime) for m in tracking_client.list_media(run.id)}
    assert kinds["speech"] == (ArtifactKind.AUDIO, "audio/mpeg")


def test_video_frames_as_a_gif_and_files_as_they_are(
    tracking_client: Client, tmp_path: Path
) -> None:
    run = atlas.init(project="vision")
    frames = np.zeros((4, 6, 8, 3), dtype=np.uint8)
    for t in range(4):
        frames[t, :, : 2 * (t + 1)] = 255
    atlas.log_video("rollout", frames, fps=10)
    atlas.log_video("grey", Tensor(np.random.rand(2, 1, 4, 4)), fps=2.5)  # T x C x H x W
    mp4 = tmp_path / "episode.mp4"
    mp4.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    atlas.log_video("episode", mp4, step=5)
    assert run.flush(10)
    gif = tracking_client.read_artifact(run.id, "media/rollout.gif")
    with Image.open(io.BytesIO(gif)) as image:
        assert (image.format, image.n_frames, image.size) == ("GIF", 4, (8, 6))
        assert image.info["duration"] == 100
    with Image.open(io.BytesIO(tracking_client.read_artifact(run.id, "media/grey.gif"))) as g:
        assert (g.n_frames, g.info["duration"]) == (2, 400)
    assert tracking_client.read_artifact(run.id, "media/episode.mp4", step=5) == mp4.read_bytes()
    kinds = {m.key: m.kind for m in tracking_client.list_media(run.id)}
    assert kinds == {"episode": ArtifactKind.VIDEO, "grey": ArtifactKind.GIF, "rollout": "gif"}


def test_video_frames_as_mp4_and_webm_that_decode_back(tracking_client: Client) -> None:
    """Frames become an H.264 MP4 or a VP9 WebM that a decoder reads back frame for frame;
    odd sides are padded to even ones (4:2:0), grey and RGBA frames are made RGB."""
    import av

    run = atlas.init(project="vision")
    frames = np.zeros((6, 7, 9, 3), dtype=np.uint8)  # odd sides
    for t in range(6):
        frames[t, :, : t + 2] = 255
    atlas.log_video("rollout", frames, fps=12, format="mp4")
    atlas.log_video("rollout-webm", np.random.rand(3, 8, 8, 4), fps=2.5, format="webm")
    atlas.log_video("grey", np.random.rand(2, 8, 8), fps=30, format="mp4", step=3)
    assert run.flush(20)
    for path, step, count, size in (
        ("media/rollout.mp4", None, 6, (10, 8)),
        ("media/rollout-webm.webm", None, 3, (8, 8)),
        ("media/grey.mp4", 3, 2, (8, 8)),
    ):
        data = tracking_client.read_artifact(run.id, path, step=step)
        with av.open(io.BytesIO(data)) as movie:
            decoded = [f.to_ndarray(format="rgb24") for f in movie.decode(video=0)]
        assert len(decoded) == count, path
        assert (decoded[0].shape[1], decoded[0].shape[0]) == size, path
    first = tracking_client.read_artifact(run.id, "media/rollout.mp4")
    with av.open(io.BytesIO(first)) as movie:
        last = [f.to_ndarray(format="rgb24") for f in movie.decode(video=0)][-1]
    assert last[:7, :7].mean() > 200  # the white band, as drawn (lossy: not exact)
    assert last[:7, 8:].mean() < 60
    kinds = {m.key: (m.kind, m.mime) for m in tracking_client.list_media(run.id)}
    assert kinds["rollout"] == (ArtifactKind.VIDEO, "video/mp4")
    assert kinds["rollout-webm"] == (ArtifactKind.VIDEO, "video/webm")
    with pytest.raises(InvalidInputError, match="format must be one of gif, mp4, webm"):
        atlas.log_video("rollout", frames, fps=12, format="avi")


def test_tables_from_dicts_lists_and_dataframes(tracking_client: Client) -> None:
    run = atlas.init(project="vision")
    atlas.log_table("dicts", [{"id": 1, "p": 0.5}, {"id": np.int64(2), "label": "cat"}])
    atlas.log_table("lists", [(1, float("nan")), [2, None]], columns=["a", "b"])
    frame = pd.DataFrame({"x": [1.5, 2.5], "name": ["u", "v"]}, index=[10, 11])
    atlas.log_table("frame", frame, step=4)
    assert run.flush(10)

    def table(key: str, step: int = 0) -> object:
        return json.loads(
            tracking_client.read_artifact(run.id, f"media/{key}.table.json", step=step)
        )

    assert table("dicts") == {
        "columns": ["id", "p", "label"],
        "rows": [[1, 0.5, None], [2, None, "cat"]],
    }
    assert table("lists") == {"columns": ["a", "b"], "rows": [[1, None], [2, None]]}
    assert table("frame", 4) == {"columns": ["x", "name"], "rows": [[1.5, "u"], [2.5, "v"]]}
    assert {m.kind for m in tracking_client.list_media(run.id)} == {ArtifactKind.TABLE}


def test_histograms_keep_edges_and_counts(
    tracking_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    run = atlas.init(project="vision")
    atlas.log_histogram("weights", np.array([0.0, 1.0, 1.0, 2.0, 4.0]), bins=4)
    with caplog.at_level(logging.WARNING, logger="atlas.sdk.media_files"):
        atlas.log_histogram("grads", [1.0, float("nan"), float("inf"), 3.0], bins=2, step=9)
        assert run.flush(10)
    weights = json.loads(tracking_client.read_artifact(run.id, "media/weights.histogram.json"))
    assert weights["edges"] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert weights["counts"] == [1, 2, 1, 1]
    assert (weights["count"], weights["min"], weights["max"], weights["sum"]) == (5, 0.0, 4.0, 8.0)
    grads = json.loads(tracking_client.read_artifact(run.id, "media/grads.histogram.json"))
    assert (grads["counts"], grads["nan"], grads["inf"], grads["count"]) == ([1, 1], 1, 1, 2)
    assert "'grads'" in caplog.text
    (grads_key, _) = tracking_client.list_media(run.id)
    assert (grads_key.kind, grads_key.steps) == (ArtifactKind.HISTOGRAM, (9,))


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: atlas.log_image("x", np.zeros((5, 5, 2), dtype=np.uint8)), "image"),
        (lambda: atlas.log_image("x", np.zeros((2, 2, 2, 3), dtype=np.uint8)), "image"),
        (lambda: atlas.log_image("x", np.zeros((2, 2), dtype=np.complex64)), "image"),
        (lambda: atlas.log_image("x", np.array([["a"]])), "image"),
        (lambda: atlas.log_image("x", np.array([[0.5, np.nan]])), "image"),
        (lambda: atlas.log_image("x", np.array([[300]])), "image"),
        (lambda: atlas.log_image("x", np.zeros((0, 3))), "image"),
        (lambda: atlas.log_image("", np.zeros((2, 2))), "key"),
        (lambda: atlas.log_image("a\nb", np.zeros((2, 2))), "key"),
        (lambda: atlas.log_image("../up", np.zeros((2, 2))), "key"),
        (lambda: atlas.log_image("x", np.zeros((2, 2)), step=2**63), "step"),
        (lambda: atlas.log_image("x", np.zeros((2, 2)), step="3"), "step"),  # type: ignore[arg-type]
        (lambda: atlas.log_image("x", np.zeros((2, 2)), caption="c" * 1001), "caption"),
        (lambda: atlas.log_audio("a", np.zeros(10), sample_rate=0), "sample_rate"),
        (lambda: atlas.log_audio("a", np.zeros(10), sample_rate=-8000), "sample_rate"),
        (lambda: atlas.log_audio("a", np.zeros(10)), "sample_rate"),
        (lambda: atlas.log_audio("a", np.zeros(10, dtype=np.int32), sample_rate=8), "samples"),
        (lambda: atlas.log_audio("a", np.zeros((10, 40)), sample_rate=8), "samples"),
        (lambda: atlas.log_audio("a", np.array([np.inf]), sample_rate=8), "samples"),
        (lambda: atlas.log_video("v", np.zeros((2, 4, 4, 3)), fps=0), "fps"),
        (lambda: atlas.log_video("v", np.zeros((4, 4)), fps=1), "frames"),
        (lambda: atlas.log_video("v", Path("clip.avi"), fps=1), "frames"),
        (lambda: atlas.log_table("t", [[1, 2]]), "columns"),
        (lambda: atlas.log_table("t", [[1, 2]], columns=["a"]), "rows"),
        (lambda: atlas.log_table("t", "text"), "rows"),
        (lambda: atlas.log_table("t", [[1]] * (MAX_TABLE_ROWS + 1), columns=["a"]), "rows"),
        (lambda: atlas.log_table("t", [[1, 2]], columns=["a", "a"]), "columns"),
        (lambda: atlas.log_histogram("h", [1.0], bins=0), "bins"),
        (lambda: atlas.log_histogram("h", ["a"]), "values"),
    ],
)
def test_bad_input_is_refused_at_the_call(
    tracking_client: Client, call: object, field: str
) -> None:
    run = atlas.init(project="vision")
    with pytest.raises(InvalidInputError) as refused:
        call()  # type: ignore[operator]
    assert refused.value.detail["errors"][0]["field"] == field
    assert run.flush(10)
    assert tracking_client.list_media(run.id) == []


def test_a_key_keeps_its_kind(tracking_client: Client) -> None:
    run = atlas.init(project="vision")
    atlas.log_image("sample", np.zeros((2, 2)))
    with pytest.raises(InvalidInputError, match="holds images"):
        atlas.log_audio("sample", np.zeros(4), sample_rate=8)
    assert run.flush(10)
    assert [m.steps for m in tracking_client.list_media(run.id)] == [(0,)]


def test_a_key_that_is_not_a_string_is_a_type_error(tracking_client: Client) -> None:
    atlas.init(project="vision")
    with pytest.raises(TypeError, match="key must be a string"):
        atlas.log_image(3, np.zeros((2, 2)))  # type: ignore[arg-type]


def test_a_missing_file_names_the_path(tracking_client: Client, tmp_path: Path) -> None:
    atlas.init(project="vision")
    with pytest.raises(FileNotFoundError, match=r"nothing\.wav"):
        atlas.log_audio("a", tmp_path / "nothing.wav")


def test_media_spooled_offline_reach_the_server(tmp_path: Path, client: Client) -> None:
    job = client.create_job("offline")
    writer = SpoolWriter(tmp_path, job.id)
    png = np.full((2, 3), 7, dtype=np.uint8)
    from atlas.sdk.media_files import png_bytes

    writer.append(MediaUpload("media/x.png", 5, "spooled", LazyBytes(lambda: png_bytes(png))))
    writer.close()
    assert upload_spool(client, tmp_path).ok
    (version,) = client.list_artifact_versions(job.id, "media/x.png")
    assert (version.step, version.caption) == (5, "spooled")
    assert pixels(client, job.id, "media/x.png", 5).tolist() == png.tolist()


def test_save_artifact_at_several_steps_keeps_each(tracking_client: Client, tmp_path: Path) -> None:
    run = atlas.init(project="vision")
    plot = tmp_path / "plot.svg"
    for step in (1, 2):
        plot.write_text(f"<svg>{step}</svg>")
        atlas.save_artifact(plot, step=step)
    plot.write_text("<svg>latest, no step</svg>")
    atlas.save_artifact(plot)
    versions = tracking_client.list_artifact_versions(run.id, "plot.svg")
    assert [v.step for v in versions] == [1, 2]
    assert tracking_client.read_artifact(run.id, "plot.svg", step=1) == b"<svg>1</svg>"
    assert tracking_client.read_artifact(run.id, "plot.svg") == b"<svg>latest, no step</svg>"


def test_past_the_bound_on_queued_bytes_a_call_waits_for_the_sender(
    tracking_client: Client,
) -> None:
    from atlas.sdk.media import MediaLog

    run = atlas.init(project="vision")
    image = np.zeros((32, 32, 3), dtype=np.uint8)
    media = MediaLog(run._sender, limit=image.nbytes * 2)  # two images at most
    for step in range(12):
        media.image("bounded", image + step, step, None)
    assert run.flush(10)
    (bounded,) = tracking_client.list_media(run.id)
    assert bounded.steps == tuple(range(12))
    assert pixels(tracking_client, run.id, bounded.path, 11).max() == 11


def test_array_pool_copies_are_exact_and_reuse_their_buffer() -> None:
    """A pooled copy equals its source whatever the layout, is private (the caller may change
    its array after the call), and a buffer given back serves the next copy of that size."""
    from atlas.sdk.media_arrays import ArrayPool

    pool = ArrayPool(8 * 1024 * 1024)
    source = np.random.default_rng(1).integers(0, 256, (64, 48, 3), dtype=np.uint8)
    first = pool.copy(source)
    assert first.flags.c_contiguous
    assert np.array_equal(first, source)
    source[0, 0, 0] ^= 0xFF
    assert first[0, 0, 0] != source[0, 0, 0]
    pool.give(first)
    second = pool.copy(source)
    assert second.base is first.base
    assert np.array_equal(second, source)
    strided = source[:, ::-1, :]  # not C-contiguous: copied through numpy
    third = pool.copy(np.ascontiguousarray(strided)[:32].transpose(1, 0, 2))
    assert np.array_equal(third, np.ascontiguousarray(strided)[:32].transpose(1, 0, 2))
    pool.give(np.zeros((4, 4, 3), dtype=np.uint8))  # not a pooled copy: ignored
