"""Histograms and images of event files, stored as the job's media (docs/media.md).

A histogram becomes ``media/<tag>.histogram.json`` in the shape ``atlas.log_histogram``
writes (``bins``, ``edges``, ``counts``, ``count``, ``min``, ``max``, ``sum``, ``nan``,
``inf``), its empty buckets at either end left out and the open-ended outer limits
TensorFlow writes (±1.8e308) clamped to the values' minimum and maximum; an image becomes
``media/<tag>.png`` (or ``.jpg``) as the writer encoded it. Each is a version at its event's
step, as the media calls keep them.
"""

from __future__ import annotations

import json
import logging
import math

from atlas.errors import AtlasError, InvalidInputError, ServerUnavailableError
from atlas.names import HISTOGRAM_SUFFIX, media_path
from atlas.sdk.client import Client
from atlas.tbevents.messages import Histogram
from atlas.tbevents.scalars import Scalars

__all__ = ["MediaFile", "histogram_json", "image_suffix", "media_files", "upload_media"]

logger = logging.getLogger(__name__)

MediaFile = tuple[str, int, bytes]
"""A media artifact to store: its path, its step and its bytes."""
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_OPEN_ENDED = 1e300  # beyond this, a bucket limit stands for an open end


def histogram_json(histogram: Histogram) -> bytes:
    """``histogram`` as the JSON ``atlas.log_histogram`` stores; a histogram holding NaN or
    infinite counts, or NaN bounds (a damaged or odd writer), becomes an empty one rather
    than JSON a browser cannot parse."""
    bounds = (histogram.min, histogram.max, histogram.num)
    if not all(math.isfinite(value) for value in (*histogram.counts, *bounds)) or any(
        math.isnan(limit) for limit in histogram.limits
    ):
        histogram = Histogram(0.0, 0.0, 0.0, 0.0, 0.0, (), ())
    counts = list(histogram.counts)
    limits = list(histogram.limits)[: len(counts)]
    used = [i for i, count in enumerate(counts) if count]
    first, last = (used[0], used[-1]) if used else (0, -1)
    left = limits[first - 1] if first > 0 else histogram.min
    edges = [left, *limits[first : last + 1]] if used else []
    if edges:
        if not math.isfinite(edges[0]) or edges[0] < -_OPEN_ENDED:
            edges[0] = histogram.min
        if not math.isfinite(edges[-1]) or edges[-1] > _OPEN_ENDED:
            edges[-1] = histogram.max
    kept = counts[first : last + 1]
    body = {
        "bins": len(kept),
        "edges": edges,
        "counts": [int(c) if float(c).is_integer() else c for c in kept],
        "count": int(histogram.num) if float(histogram.num).is_integer() else histogram.num,
        "min": histogram.min if used else None,
        "max": histogram.max if used else None,
        "sum": histogram.sum if math.isfinite(histogram.sum) else None,
        "nan": 0,
        "inf": 0,
    }
    return json.dumps(body, separators=(",", ":"), allow_nan=False).encode()


def image_suffix(encoded: bytes) -> str | None:
    """``.png`` or ``.jpg`` by the image's first bytes; ``None`` for another format."""
    if encoded.startswith(_PNG):
        return ".png"
    if encoded.startswith(_JPEG):
        return ".jpg"
    return None


def media_files(found: Scalars, key_of: dict[str, str] | None = None) -> list[MediaFile]:
    """The media artifacts of the histograms and images ``found`` kept; ``key_of`` maps a
    tag to its key (default: the tag). A tag that makes no valid media path, or an image in
    another format than PNG or JPEG, is skipped with a warning."""
    files: list[MediaFile] = []
    warned: set[str] = set()
    items: list[tuple[str, int, str, bytes | None]] = [
        (h.tag, h.step, HISTOGRAM_SUFFIX, histogram_json(h.histogram)) for h in found.histograms
    ]
    items += [(i.tag, i.step, image_suffix(i.encoded) or "", i.encoded) for i in found.images]
    for tag, step, suffix, data in items:
        key = (key_of or {}).get(tag, tag)
        try:
            if not suffix:
                raise InvalidInputError("an image neither PNG nor JPEG")
            files.append((media_path(key, suffix), step, data or b""))
        except InvalidInputError as exc:
            if key not in warned:
                warned.add(key)
                logger.warning("media %r skipped: %s", key, exc.message)
    return files


def upload_media(client: Client, job_id: str, files: list[MediaFile]) -> int:
    """Store ``files`` as artifacts of the job, in order; how many were stored.
    ``ServerUnavailableError`` when the server stops answering (the rest is not sent);
    a file the server refuses is skipped with a warning."""
    stored = 0
    for path, step, data in files:
        try:
            client.upload_artifact(job_id, path, data, step=step)
        except ServerUnavailableError:
            raise
        except AtlasError as exc:
            logger.warning("job %s: media %s at step %d refused: %s", job_id, path, step, exc)
            continue
        stored += 1
    return stored
