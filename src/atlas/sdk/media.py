"""The media calls of a run: ``log_image``, ``log_audio``, ``log_video``, ``log_table`` and
``log_histogram`` (docs/media.md).

A call checks its arguments and copies what it was given on the caller's thread, then
queues a ``MediaUpload`` for the run's sender, whose thread encodes the file (PNG, WAV, GIF,
JSON) and uploads it as the artifact ``media/<key><suffix>`` at the call's step; the call
returns at once. Bytes waiting to be sent are bounded (``MAX_PENDING_MEDIA_BYTES``): past
that, a call waits for the sender. A key keeps the kind it was first logged as in a job.
"""

from __future__ import annotations

import math
import operator
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from atlas.errors import AtlasError
from atlas.names import (
    AUDIO_SUFFIXES,
    HISTOGRAM_SUFFIX,
    MAX_PENDING_MEDIA_BYTES,
    TABLE_SUFFIX,
    VIDEO_FORMATS,
    VIDEO_SUFFIXES,
    check_caption,
    invalid,
    media_path,
)
from atlas.sdk import media_files
from atlas.sdk.media_arrays import (
    ArrayPool,
    audio_array,
    frames_array,
    image_array,
    values_array,
)
from atlas.sdk.records import LazyBytes, MediaUpload

if TYPE_CHECKING:
    from atlas.sdk.media_arrays import Pixels
    from atlas.sdk.sender import Sender

__all__ = ["MediaLog"]

_INT64 = (-(2**63), 2**63 - 1)
_MAX_SAMPLE_RATE = 2**31 - 1
_MAX_FPS = 1000.0
_WAKE_BYTES = 4 * 1024 * 1024

Encoder = Callable[[], bytes]


class MediaLog:
    """The media calls of one run, sent through its ``sender`` (see the module docstring)."""

    def __init__(self, sender: Sender, *, limit: int = MAX_PENDING_MEDIA_BYTES) -> None:
        self.sender = sender
        self._lock = threading.Lock()
        self._next_step: dict[str, int] = {}
        self._kinds: dict[str, str] = {}
        self._paths: dict[tuple[str, str], str] = {}
        self._budget = _Budget(limit)
        self._pool = ArrayPool(limit // 4)

    def image(self, key: str, image: object, step: object, caption: object) -> None:
        """Queue ``image`` (array, tensor, PIL image or file path) as a PNG."""
        path = self._check(key, "image", ".png", step, caption)
        encode: Encoder
        if isinstance(image, str | os.PathLike):
            data, is_png = media_files.image_file(Path(image), "image")
            encode, size = (
                (lambda: data) if is_png else (lambda: media_files.png_bytes(data)),
                len(data),
            )
        elif media_files.is_pil_image(image):
            copy = media_files.pil_copy(image, "image")
            encode, size = (lambda: media_files.png_bytes(copy)), _pil_bytes(copy)
        else:
            pixels = image_array(image, pool=self._pool)
            encode, size = (lambda: self._encoded(pixels)), pixels.nbytes
        self._queue(key, "image", path, step, caption, encode, size)

    def audio(
        self, key: str, samples: object, sample_rate: object, step: object, caption: object
    ) -> None:
        """Queue ``samples`` as a WAV file, or an audio file by path as it is."""
        if isinstance(samples, str | os.PathLike):
            suffix, data = media_files.read_file(Path(samples), AUDIO_SUFFIXES, "samples")
            path = self._check(key, "audio", suffix, step, caption)
            self._queue(key, "audio", path, step, caption, lambda: data, len(data))
            return
        path = self._check(key, "audio", ".wav", step, caption)
        rate = _sample_rate(sample_rate)
        pcm = audio_array(samples)
        encode = lambda: media_files.wav_bytes(pcm, rate)  # noqa: E731
        self._queue(key, "audio", path, step, caption, encode, pcm.nbytes)

    def video(
        self,
        key: str,
        frames: object,
        fps: object,
        step: object,
        caption: object,
        movie: object = "gif",
    ) -> None:
        """Queue ``frames`` as an animated GIF, an MP4 or a WebM (``movie``), or a GIF, MP4
        or WebM file by path as it is."""
        if isinstance(frames, str | os.PathLike):
            suffix, data = media_files.read_file(Path(frames), VIDEO_SUFFIXES, "frames")
            path = self._check(key, "video", suffix, step, caption)
            self._queue(key, "video", path, step, caption, lambda: data, len(data))
            return
        if movie not in VIDEO_FORMATS:
            raise invalid(
                "format", f"format must be one of {', '.join(VIDEO_FORMATS)}, not {movie!r:.40}"
            )
        path = self._check(key, "video", f".{movie}", step, caption)
        rate = _fps(fps)
        if movie == "gif":
            _PILLOW.require("atlas.log_video")
        else:
            _PYAV.require("atlas.log_video")
        pixels = frames_array(frames)
        encode: Encoder
        if movie == "gif":
            encode = lambda: media_files.gif_bytes(pixels, rate)  # noqa: E731
        else:
            encode = lambda: media_files.movie_bytes(pixels, rate, str(movie))  # noqa: E731
        self._queue(key, "video", path, step, caption, encode, pixels.nbytes)

    def table(self, key: str, rows: object, columns: Sequence[object] | None, step: object) -> None:
        """Queue a table (DataFrame, list of dicts, list of lists with ``columns``) as JSON."""
        path = self._check(key, "table", TABLE_SUFFIX, step, None)
        names, cells = media_files.table_of(rows, columns)
        encode = lambda: media_files.table_json(names, cells)  # noqa: E731
        size = 16 * (len(names) + len(names) * len(cells))  # about: cells are Python objects
        self._queue(key, "table", path, step, None, encode, size)

    def histogram(self, key: str, values: object, step: object, bins: object) -> None:
        """Queue the histogram of ``values`` (computed on the sender thread) as JSON."""
        path = self._check(key, "histogram", HISTOGRAM_SUFFIX, step, None)
        count = media_files.check_bins(bins)
        numbers = values_array(values)
        encode = lambda: media_files.histogram_json(key, numbers, count)  # noqa: E731
        self._queue(key, "histogram", path, step, None, encode, numbers.nbytes)

    # -- common steps ----------------------------------------------------------------------
    def _encoded(self, pixels: Pixels) -> bytes:
        data = media_files.png_bytes(pixels)
        self._pool.give(pixels)
        return data

    def _check(self, key: str, kind: str, suffix: str, step: object, caption: object) -> str:
        """The artifact path of ``key``, once the key, kind, step and caption are valid."""
        path = self._paths.get((key, suffix))
        if path is None:
            path = self._paths[(key, suffix)] = media_path(key, suffix)
        known = self._kinds.get(key)
        if known is not None and known != kind:
            raise invalid("key", f"media key {key!r} holds {known}s in this job, not {kind}s")
        if step is not None:
            _step(step)
        check_caption(caption)
        return path

    def _queue(
        self,
        key: str,
        kind: str,
        path: str,
        step: object,
        caption: object,
        encode: Encoder,
        size: int,
    ) -> None:
        with self._lock:
            at = self._next_step.get(key, 0) if step is None else _step(step)
            self._next_step[key] = at + 1
            self._kinds[key] = kind
        wake = self._budget.take(size, self.sender)
        text = caption if isinstance(caption, str) else None
        record = MediaUpload(path, at, text, LazyBytes(encode))
        self.sender.submit(record, _Sent(self._budget, size), wake=wake)


class _Extra:
    """Whether an optional package (Pillow, PyAV) was found once: later calls skip the
    import machinery."""

    def __init__(self, find: Callable[[str], object]) -> None:
        self._find = find
        self._found = False

    def require(self, what: str) -> None:
        """``ImportError`` saying that ``what`` needs the package, when it is missing."""
        if not self._found:
            self._find(what)
            self._found = True


_PILLOW = _Extra(media_files.pillow)
_PYAV = _Extra(media_files.pyav)


class _Budget:
    """The bytes of media queued and not yet sent, spooled or dropped."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._held = 0
        self._changed = threading.Condition()

    def take(self, size: int, sender: Sender) -> bool:
        """Count ``size`` more bytes, first waiting while the queue holds more than the limit
        (one item over the limit alone passes); ``AtlasError`` when the sender has stopped.
        True when the sender should start on the queue now (``_WAKE_BYTES`` are held, or a
        quarter of a smaller limit): waking it for each call would slow the training thread
        (the GIL) for little gain, while waiting for its next interval would leave every
        image logged meanwhile in its own fresh copy (see ``ArrayPool``)."""
        with self._changed:
            while self._held and self._held + size > self._limit:
                if not sender.alive:
                    raise AtlasError(f"job {sender.job_id}: the sender stopped; media not sent")
                sender.wake()
                self._changed.wait(0.5)
            self._held += size
            return self._held >= min(_WAKE_BYTES, self._limit // 4)

    def give(self, size: int) -> None:
        """Count ``size`` bytes as gone (sent, spooled or dropped)."""
        with self._changed:
            self._held -= size
            self._changed.notify_all()


class _Sent:
    """A media record's receipt: gives its bytes back to the budget when the sender is done
    with it (lighter than a ``Ticket``: no one waits on it)."""

    __slots__ = ("_budget", "_size")

    def __init__(self, budget: _Budget, size: int) -> None:
        self._budget = budget
        self._size = size

    def finish(self, *, stored: bool, error: BaseException | None = None) -> None:
        self._budget.give(self._size)


def _step(step: object) -> int:
    if isinstance(step, bool):
        raise invalid("step", "step must be an integer, not a bool")
    try:
        number = operator.index(step)  # type: ignore[arg-type]
    except TypeError:
        raise invalid("step", f"step must be an integer, not {type(step).__name__}") from None
    if not _INT64[0] <= number <= _INT64[1]:
        raise invalid("step", f"step {number} is outside the 64-bit integer range")
    return number


def _sample_rate(rate: object) -> int:
    if rate is None:
        raise invalid("sample_rate", "audio samples need sample_rate= (samples per second)")
    if isinstance(rate, bool):
        raise invalid("sample_rate", "sample_rate must be an integer, not a bool")
    try:
        number = operator.index(rate)  # type: ignore[arg-type]
    except TypeError:
        raise invalid("sample_rate", f"sample_rate must be an integer, not {rate!r:.40}") from None
    if not 0 < number <= _MAX_SAMPLE_RATE:
        raise invalid("sample_rate", f"sample_rate must be a positive integer, not {number}")
    return number


def _fps(fps: object) -> float:
    if fps is None:
        raise invalid("fps", "video frames need fps= (frames per second)")
    if isinstance(fps, bool) or not hasattr(fps, "__float__"):
        raise invalid("fps", f"fps must be a number, not {fps!r:.40}")
    number = float(fps)
    if not (math.isfinite(number) and 0 < number <= _MAX_FPS):
        raise invalid("fps", f"fps must be a positive number up to {_MAX_FPS:g}, not {fps}")
    return number


def _pil_bytes(image: object) -> int:
    width, height = getattr(image, "size", (0, 0))
    return int(width) * int(height) * 4
