"""What the media calls take, checked and copied on the caller's thread (docs/media.md).

Each ``*_array`` function turns what a script passed (a numpy array, a torch or TensorFlow
tensor, nested lists) into a private numpy copy of a fixed layout, or raises
``InvalidInputError`` naming the argument; the encoders (``atlas.sdk.media_files``) run later
on the sender thread. numpy is imported here, so only a media call loads it.
"""

from __future__ import annotations

import threading
from typing import cast

import numpy as np
import numpy.typing as npt

from atlas.names import MAX_AUDIO_CHANNELS, MAX_IMAGE_SIDE, MAX_VIDEO_FRAMES, invalid

__all__ = [
    "ArrayPool",
    "Pixels",
    "as_array",
    "audio_array",
    "frames_array",
    "image_array",
    "values_array",
]

Pixels = npt.NDArray[np.uint8]
"""An image's pixels: ``H x W`` (grey) or ``H x W x 3|4``."""
_CHANNELS = (1, 3, 4)
_INT16 = np.iinfo(np.int16).max
_PAGE = 4096


class ArrayPool:
    """Spare ``uint8`` buffers by size, given back once encoded: a media call copies into
    memory already touched, since copying into fresh memory costs its page faults (about
    five times the copy, for a 256 x 256 x 3 image). Each buffer is a page longer than the
    pixels, and a copy starts where its address is half a page away from the source's
    (modulo a page): a copy whose target lies a few bytes past its source modulo 4 KiB
    runs about ten times slower on x86 (its loads wait on the stores they seem to alias).
    Holds at most ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._bytes = 0
        self._spare: dict[int, list[npt.NDArray[np.uint8]]] = {}
        self._lock = threading.Lock()

    def copy(self, array: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
        """A copy of ``array`` (C order), in a spare buffer when there is one."""
        size = array.nbytes
        with self._lock:
            spare = self._spare.get(size)
            buffer = spare.pop() if spare else None
            if buffer is not None:
                self._bytes -= buffer.nbytes
        if buffer is None:
            buffer = np.empty(size + _PAGE, dtype=np.uint8)
        start = (array.ctypes.data + _PAGE // 2 - buffer.ctypes.data) % _PAGE
        flat = buffer[start : start + size]
        if array.flags.c_contiguous:  # a memcpy that keeps the GIL (numpy's lets it go, and
            # the thread then waits for the sender to hand it back)
            flat.data[:] = array.data.cast("B")
            return flat.reshape(array.shape)
        target = flat.reshape(array.shape)
        np.copyto(target, array)
        return target

    def give(self, array: npt.NDArray[np.uint8]) -> None:
        """Keep the buffer of ``array`` (a copy made here, no longer used) for a later copy,
        while there is room."""
        buffer = array.base
        if not isinstance(buffer, np.ndarray) or buffer.nbytes != array.nbytes + _PAGE:
            return
        with self._lock:
            if self._bytes + buffer.nbytes <= self._max_bytes:
                self._spare.setdefault(array.nbytes, []).append(buffer)
                self._bytes += buffer.nbytes


def as_array(value: object, name: str) -> npt.NDArray[np.generic]:
    """``value`` as a numpy array: tensors by duck typing (``.detach().cpu().numpy()`` for
    torch, ``.numpy()`` for TensorFlow), anything else through ``np.asarray``."""
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        value = value.detach().cpu().numpy()
    elif callable(getattr(value, "numpy", None)):
        value = value.numpy()  # type: ignore[attr-defined]
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise invalid(name, f"{name} is not an array: {exc}") from None
    if array.dtype.kind == "O":
        raise invalid(name, f"{name} must be an array of numbers, not of Python objects")
    return array


def image_array(
    value: object, name: str = "image", *, pool: ArrayPool | None = None
) -> npt.NDArray[np.uint8]:
    """An image as a ``uint8`` copy, ``H x W`` (grey) or ``H x W x 3|4``: from ``H x W``,
    ``H x W x C`` or ``C x H x W`` (``C`` of 1, 3 or 4, the last dimension not), in
    ``uint8``, integers of 0-255, ``bool`` or floats of 0-1 (clipped; NaN refused). A
    ``uint8`` image is copied into a spare array of ``pool`` when it has one."""
    array = as_array(value, name)
    if (
        pool is not None
        and array.dtype == np.uint8
        and array.ndim == 3
        and array.shape[-1] in (3, 4)
    ):
        _check_sides(array.shape[:2], name)
        return pool.copy(cast("npt.NDArray[np.uint8]", array))  # the common case, fast
    if array.ndim == 3 and array.shape[-1] not in _CHANNELS and array.shape[0] in _CHANNELS:
        array = array.transpose(1, 2, 0)
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[-1] not in _CHANNELS):
        raise invalid(
            name,
            f"{name} must be H x W, H x W x C or C x H x W with C of 1, 3 or 4, "
            f"not of shape {array.shape}",
        )
    _check_sides(array.shape[:2], name)
    pixels = _as_uint8(array, name)
    return pixels[:, :, 0] if pixels.ndim == 3 and pixels.shape[-1] == 1 else pixels


def frames_array(value: object, name: str = "frames") -> npt.NDArray[np.uint8]:
    """Video frames as a ``uint8`` copy ``T x H x W x C`` (``C`` of 1, 3 or 4): from
    ``T x H x W``, ``T x H x W x C`` or ``T x C x H x W``, values as for images."""
    array = as_array(value, name)
    if array.ndim == 3:
        array = array[..., np.newaxis]
    if array.ndim == 4 and array.shape[-1] not in _CHANNELS and array.shape[1] in _CHANNELS:
        array = array.transpose(0, 2, 3, 1)
    if array.ndim != 4 or array.shape[-1] not in _CHANNELS:
        raise invalid(
            name,
            f"{name} must be T x H x W, T x H x W x C or T x C x H x W with C of 1, 3 or 4, "
            f"not of shape {array.shape}",
        )
    if not 1 <= array.shape[0] <= MAX_VIDEO_FRAMES:
        raise invalid(name, f"a video has 1 to {MAX_VIDEO_FRAMES} frames, not {array.shape[0]}")
    _check_sides(array.shape[1:3], name)
    return _as_uint8(array, name)


def audio_array(value: object, name: str = "samples") -> npt.NDArray[np.int16]:
    """Audio samples as an ``int16`` copy ``N x C``: from ``N`` (mono) or ``N x C``
    (channels last, at most ``MAX_AUDIO_CHANNELS``), floats of -1..1 (clipped; NaN refused)
    or ``int16``."""
    array = as_array(value, name)
    if array.ndim == 1:
        array = array[:, np.newaxis]
    if array.ndim != 2 or not 1 <= array.shape[1] <= MAX_AUDIO_CHANNELS:
        raise invalid(
            name,
            f"{name} must be N (mono) or N x C (channels last, C of 1 to "
            f"{MAX_AUDIO_CHANNELS}), not of shape {array.shape}",
        )
    if array.dtype == np.int16:
        return np.array(array, dtype=np.int16)
    if array.dtype.kind != "f":
        raise invalid(name, f"{name} must be floats of -1 to 1 or int16, not {array.dtype}")
    _check_finite(array, name)
    scaled = np.clip(array, -1.0, 1.0) * _INT16
    return cast("npt.NDArray[np.int16]", np.rint(scaled).astype(np.int16))


def values_array(value: object, name: str = "values") -> npt.NDArray[np.float64]:
    """Numbers to bin, as a flat ``float64`` copy (NaN and infinities kept)."""
    array = as_array(value, name)
    if array.dtype.kind not in "biuf":
        raise invalid(name, f"{name} must be real numbers, not {array.dtype}")
    return np.array(array, dtype=np.float64).ravel()


def _check_sides(sides: tuple[int, ...], name: str) -> None:
    if not all(1 <= side <= MAX_IMAGE_SIDE for side in sides):
        raise invalid(
            name, f"{name} has sides of 1 to {MAX_IMAGE_SIDE} pixels, not {sides[0]} x {sides[1]}"
        )


def _check_finite(array: npt.NDArray[np.generic], name: str) -> None:
    if not np.isfinite(array).all():
        raise invalid(name, f"{name} holds NaN or infinite values")


def _as_uint8(array: npt.NDArray[np.generic], name: str) -> npt.NDArray[np.uint8]:
    """A ``uint8`` copy of pixel values (see ``image_array``)."""
    kind = array.dtype.kind
    if array.dtype == np.uint8:
        return np.array(array, copy=True, order="C")
    if kind == "b":
        return array.astype(np.uint8) * np.uint8(255)
    if kind == "f":
        _check_finite(array, name)
        return cast(
            "npt.NDArray[np.uint8]", np.rint(np.clip(array, 0.0, 1.0) * 255).astype(np.uint8)
        )
    if kind in "iu":
        if array.size and (array.min() < 0 or array.max() > 255):
            raise invalid(
                name,
                f"{name}: integer pixels must be 0 to 255 (scale to uint8, or pass floats of "
                f"0 to 1), not {array.min()} to {array.max()}",
            )
        return array.astype(np.uint8)
    raise invalid(name, f"{name} must be uint8, integers, bool or floats, not {array.dtype}")
