"""Media files: the encoders the sender thread runs (PNG, WAV, GIF, JSON), and the checks
and copies of files, PIL images and tables made on the caller's thread (docs/media.md).

PNGs of arrays are written here (zlib); Pillow (``pip install 'atlas-ml[media]'``) reads
image files and PIL images and writes GIFs; WAV is written with the standard library's
``wave``, tables and histograms as JSON.
"""

from __future__ import annotations

import io
import json
import logging
import math
import struct
import wave
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from atlas.names import (
    MAX_HISTOGRAM_BINS,
    MAX_IMAGE_SIDE,
    MAX_TABLE_COLUMNS,
    MAX_TABLE_ROWS,
    invalid,
)

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = [
    "PILLOW_HINT",
    "PYAV_HINT",
    "Cell",
    "check_bins",
    "gif_bytes",
    "histogram_json",
    "image_file",
    "is_pil_image",
    "pil_copy",
    "pillow",
    "png_bytes",
    "read_file",
    "table_json",
    "table_of",
    "wav_bytes",
]

logger = logging.getLogger(__name__)

PILLOW_HINT = "pip install 'atlas-ml[media]'"
PYAV_HINT = "pip install 'atlas-ml[video]'"
_CODECS = {"mp4": ("mp4", "libx264"), "webm": ("webm", "libvpx-vp9")}
"""The container and the encoder of each movie format ``atlas.log_video`` writes."""
Cell = str | int | float | bool | None
_PNG_MODES = frozenset({"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"})
_PNG_LEVEL = 1  # zlib level: several times faster than the default 6, files ~10% larger
_PNG_COLOR = {1: 0, 3: 2, 4: 6}  # channels -> PNG colour type (grey, RGB, RGBA)
_MIN_GIF_FRAME_MS = 20  # browsers show shorter GIF frames at 100 ms


def pillow(what: str) -> ModuleType:
    """``PIL.Image``, or ``ImportError`` saying that ``what`` needs Pillow and how to get it."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(f"{what} needs Pillow: {PILLOW_HINT}") from None
    return Image


def pyav(what: str) -> ModuleType:
    """PyAV's ``av``, or ``ImportError`` saying that ``what`` needs it and how to get it."""
    try:
        import av
    except ImportError:
        raise ImportError(f"{what} needs PyAV for MP4 and WebM: {PYAV_HINT}") from None
    return av


def is_pil_image(value: object) -> bool:
    """Whether ``value`` is a PIL image (without importing Pillow)."""
    return type(value).__module__.startswith("PIL.") and hasattr(value, "getdata")


def pil_copy(image: object, name: str) -> Image:
    """A copy of the PIL image ``image``, when its sides are within ``MAX_IMAGE_SIDE``."""
    width, height = image.size  # type: ignore[attr-defined]
    if not (1 <= width <= MAX_IMAGE_SIDE and 1 <= height <= MAX_IMAGE_SIDE):
        sides = f"{width} x {height}"
        raise invalid(name, f"{name} has sides of 1 to {MAX_IMAGE_SIDE} pixels, not {sides}")
    copy: Image = image.copy()  # type: ignore[attr-defined]
    return copy


def read_file(path: Path, suffixes: Sequence[str], name: str) -> tuple[str, bytes]:
    """The suffix and bytes of the media file ``path`` (one of ``suffixes``), read now: the
    script may overwrite it before the sender sends it."""
    suffix = path.suffix.lower()
    if suffix not in suffixes:
        raise invalid(name, f"{name}: {path.name!r} is not one of {', '.join(suffixes)}")
    return suffix, path.read_bytes()  # FileNotFoundError names the path


def image_file(path: Path, name: str) -> tuple[bytes, bool]:
    """The bytes of the image file ``path``, read now, and whether they are PNG already;
    ``InvalidInputError`` when Pillow cannot read it or it is too large."""
    image_module = pillow("atlas.log_image")
    data = path.read_bytes()
    try:
        with image_module.open(io.BytesIO(data)) as image:
            width, height = image.size
            is_png = image.format == "PNG"
    except (OSError, ValueError) as exc:  # UnidentifiedImageError is an OSError
        raise invalid(name, f"{name}: {path.name!r} is not an image Pillow reads ({exc})") from None
    if not (1 <= width <= MAX_IMAGE_SIDE and 1 <= height <= MAX_IMAGE_SIDE):
        raise invalid(
            name, f"{name} has sides of 1 to {MAX_IMAGE_SIDE} pixels, not {width}x{height}"
        )
    return data, is_png


def png_bytes(pixels: npt.NDArray[np.uint8] | Image | bytes) -> bytes:
    """PNG of ``uint8`` pixels (``H x W``, ``H x W x 3|4``: written here, without Pillow),
    of a PIL image, or of an image file's bytes."""
    if isinstance(pixels, np.ndarray):
        return _png_of_array(pixels)
    image_module = pillow("atlas.log_image")
    image = image_module.open(io.BytesIO(pixels)) if isinstance(pixels, bytes) else pixels
    if image.mode not in _PNG_MODES:
        image = image.convert("RGBA" if "A" in image.mode else "RGB")
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=_PNG_LEVEL)
    return out.getvalue()


def _png_of_array(pixels: npt.NDArray[np.uint8]) -> bytes:
    """A PNG of 8-bit grey, RGB or RGBA pixels: each row with the "Sub" filter (a pixel
    minus the one on its left, which compresses photos and plots well), then zlib, which
    lets the training thread run meanwhile (it releases the GIL)."""
    height, width = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    rows = pixels.reshape(height, width * channels)
    filtered = np.empty((height, width * channels + 1), dtype=np.uint8)
    filtered[:, 0] = 1  # filter type Sub
    filtered[:, 1 : channels + 1] = rows[:, :channels]
    np.subtract(rows[:, channels:], rows[:, :-channels], out=filtered[:, channels + 1 :])
    header = struct.pack(">IIBBBBB", width, height, 8, _PNG_COLOR[channels], 0, 0, 0)
    data = zlib.compress(filtered.tobytes(), _PNG_LEVEL)
    return b"".join(
        (b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", header), _chunk(b"IDAT", data), _chunk(b"IEND", b""))
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(data, zlib.crc32(kind))
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def wav_bytes(samples: npt.NDArray[np.int16], sample_rate: int) -> bytes:
    """A 16-bit PCM WAV file of ``N x C`` samples."""
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(samples.shape[1])
        file.setsampwidth(2)
        file.setframerate(sample_rate)
        file.writeframes(samples.astype("<i2").tobytes())
    return out.getvalue()


def gif_bytes(frames: npt.NDArray[np.uint8], fps: float) -> bytes:
    """An animated GIF (looping) of ``T x H x W x C`` frames at ``fps`` frames a second."""
    image_module = pillow("atlas.log_video")
    if frames.shape[-1] == 1:
        frames = frames[..., 0]
    elif frames.shape[-1] == 4:
        frames = frames[..., :3]  # GIF has no partial transparency
    images = [image_module.fromarray(np.ascontiguousarray(frame)) for frame in frames]
    out = io.BytesIO()
    duration = max(_MIN_GIF_FRAME_MS, round(1000 / fps))
    images[0].save(
        out, format="GIF", save_all=True, append_images=images[1:], duration=duration, loop=0
    )
    return out.getvalue()


def movie_bytes(frames: npt.NDArray[np.uint8], fps: float, movie: str) -> bytes:
    """An H.264 MP4 or a VP9 WebM (``movie``) of ``T x H x W x C`` frames at ``fps`` frames
    a second, in 4:2:0 colour as every browser plays it: odd sides get the last row or
    column repeated (4:2:0 needs even ones), an alpha channel is dropped, grey made RGB."""
    from fractions import Fraction

    av = pyav("atlas.log_video")
    container, codec = _CODECS[movie]
    if frames.shape[-1] == 1:
        frames = np.repeat(frames, 3, axis=-1)
    elif frames.shape[-1] == 4:
        frames = frames[..., :3]
    height, width = frames.shape[1:3]
    frames = np.pad(frames, ((0, 0), (0, height % 2), (0, width % 2), (0, 0)), mode="edge")
    out = io.BytesIO()
    with av.open(out, mode="w", format=container) as output:
        stream = output.add_stream(codec, rate=Fraction(fps).limit_denominator(1001))
        stream.width, stream.height = frames.shape[2], frames.shape[1]
        stream.pix_fmt = "yuv420p"
        for frame in frames:
            picture = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")
            output.mux(stream.encode(picture))
        output.mux(stream.encode(None))
    return out.getvalue()


def check_bins(bins: object) -> int:
    """``bins`` when it is an int of 1 to ``MAX_HISTOGRAM_BINS``."""
    if isinstance(bins, bool) or not isinstance(bins, int | np.integer):
        raise invalid("bins", f"bins must be an integer, not {type(bins).__name__}")
    if not 1 <= bins <= MAX_HISTOGRAM_BINS:
        raise invalid("bins", f"bins must be 1 to {MAX_HISTOGRAM_BINS}, not {bins}")
    return int(bins)


def histogram_json(key: str, values: npt.NDArray[np.float64], bins: int) -> bytes:
    """The histogram of ``values`` as JSON: ``bins`` equal bins between the finite minimum
    and maximum, their ``edges`` and ``counts``; NaN and infinities are counted, not binned
    (a warning names ``key``)."""
    finite = values[np.isfinite(values)]
    nan = int(np.isnan(values).sum())
    inf = int(values.size - finite.size - nan)
    if nan or inf:
        logger.warning("histogram %r: %d NaN and %d infinite values not binned", key, nan, inf)
    low = high = None
    if finite.size:
        low, high = float(finite.min()), float(finite.max())
        span = (low, high) if low < high else (low - 0.5, high + 0.5)
        counts, edges = np.histogram(finite, bins=bins, range=span)
    else:
        counts, edges = np.zeros(bins, dtype=np.int64), np.linspace(0.0, 1.0, bins + 1)
    total = float(finite.sum())
    body = {
        "bins": bins,
        "edges": edges.tolist(),
        "counts": counts.tolist(),
        "count": int(finite.size),
        "min": low,
        "max": high,
        "sum": total if math.isfinite(total) else None,
        "nan": nan,
        "inf": inf,
    }
    return _json(body)


def table_of(rows: object, columns: Sequence[object] | None) -> tuple[list[str], list[list[Cell]]]:
    """Column names and rows of cells, copied: from a pandas DataFrame (by duck typing), a
    list of dicts or a list of lists or tuples with ``columns``."""
    if hasattr(rows, "columns") and hasattr(rows, "itertuples"):
        return _frame_rows(rows, columns)
    if not isinstance(rows, Sequence) or isinstance(rows, str | bytes):
        raise invalid("rows", f"rows must be a list or a DataFrame, not {type(rows).__name__}")
    _check_size(len(rows), 0 if columns is None else len(columns))
    if all(isinstance(row, Mapping) for row in rows):
        return _dict_rows(rows, columns)
    if columns is None:
        raise invalid("columns", "rows of lists need columns=[...] naming each column")
    names = _names(columns)
    table = []
    for number, row in enumerate(rows):
        if not isinstance(row, Sequence) or isinstance(row, str | bytes) or len(row) != len(names):
            raise invalid("rows", f"row {number} is not a list of {len(names)} cells: {row!r:.60}")
        table.append([_cell(v) for v in row])
    return names, table


def table_json(columns: list[str], rows: list[list[Cell]]) -> bytes:
    """The JSON of a table: ``{"columns": [...], "rows": [[...], ...]}``."""
    return _json({"columns": columns, "rows": rows})


def _frame_rows(
    frame: object, columns: Sequence[object] | None
) -> tuple[list[str], list[list[Cell]]]:
    """The rows of a pandas DataFrame (its index left out), or of its ``columns``."""
    picked = getattr(frame, "columns") if columns is None else columns  # noqa: B009
    names = _names(list(picked))
    _check_size(len(frame), len(names))  # type: ignore[arg-type]
    if columns is not None:
        frame = frame[list(columns)]  # type: ignore[index]
    tuples = frame.itertuples(index=False, name=None)  # type: ignore[attr-defined]
    return names, [[_cell(v) for v in row] for row in tuples]


def _dict_rows(
    rows: Sequence[Mapping[object, object]], columns: Sequence[object] | None
) -> tuple[list[str], list[list[Cell]]]:
    if columns is None:
        seen: dict[object, None] = {}
        for row in rows:
            seen.update(dict.fromkeys(row))
        columns = list(seen)
    names = _names(columns)
    return names, [[_cell(row.get(c)) for c in columns] for row in rows]


def _names(columns: Sequence[object]) -> list[str]:
    names = [str(c) for c in columns]
    _check_size(0, len(names))
    if len(set(names)) != len(names):
        raise invalid("columns", f"column names must differ: {names!r:.100}")
    return names


def _check_size(rows: int, columns: int) -> None:
    if rows > MAX_TABLE_ROWS:
        raise invalid("rows", f"a table has at most {MAX_TABLE_ROWS} rows, not {rows}")
    if columns > MAX_TABLE_COLUMNS:
        raise invalid("columns", f"a table has at most {MAX_TABLE_COLUMNS} columns, not {columns}")


def _cell(value: object) -> Cell:
    """A JSON cell: numbers, strings, bools and None as they are (numpy scalars converted,
    NaN and infinities as None), anything else as its ``str()``."""
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if type(value).__name__ in ("NAType", "NaTType"):  # pandas' missing values
        return None
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return _cell(value.item())
    return str(value)


def _json(body: object) -> bytes:
    return json.dumps(body, allow_nan=False, separators=(",", ":"), ensure_ascii=False).encode()
