"""Small media files written with the standard library, for the end-to-end jobs to save.

A PNG (zlib + struct), a WAV (``wave``) and an animated GIF whose bytes are built by hand,
so the GUI's image gallery, audio player and GIF view get real files of each kind.
"""

from __future__ import annotations

import math
import struct
import wave
import zlib
from pathlib import Path

__all__ = ["write_gif", "write_png", "write_wav"]


def write_png(path: Path, *, width: int, height: int, hue: float) -> None:
    """An RGB gradient whose colour turns with ``hue`` (0-1), so each step's image differs."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type 0 (None) for this scanline
        for x in range(width):
            red = int(255 * (0.5 + 0.5 * math.sin(2 * math.pi * (hue + x / width))))
            green = int(255 * y / max(1, height - 1))
            blue = int(255 * (1 - hue))
            rows += bytes((red, green, blue))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    png = b"\x89PNG\r\n\x1a\n"
    png += _png_chunk(b"IHDR", header)
    png += _png_chunk(b"IDAT", zlib.compress(bytes(rows), 9))
    png += _png_chunk(b"IEND", b"")
    path.write_bytes(png)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def write_wav(path: Path, *, frequency: float, seconds: float = 0.5, rate: int = 8000) -> None:
    """A 16-bit mono sine tone that fades out."""
    frames = int(rate * seconds)
    samples = bytearray()
    for index in range(frames):
        fade = 1 - index / frames
        value = int(12000 * fade * math.sin(2 * math.pi * frequency * index / rate))
        samples += struct.pack("<h", value)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(samples))


# A four-colour palette: black, white, blue, orange.
_PALETTE = bytes((0, 0, 0, 255, 255, 255, 0, 114, 178, 230, 159, 0))


def write_gif(path: Path, *, size: int = 16, frames: int = 4) -> None:
    """An animated GIF89a (looping) of a square moving across the frame."""
    out = bytearray(b"GIF89a")
    out += struct.pack("<HHBBB", size, size, 0b10000001, 0, 0)  # global table of 4 colours
    out += _PALETTE
    out += b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"  # loop forever
    for frame in range(frames):
        out += b"\x21\xf9\x04\x04" + struct.pack("<H", 20) + b"\x00\x00"  # 200 ms per frame
        out += b"\x2c" + struct.pack("<HHHHB", 0, 0, size, size, 0)
        out += _lzw_block(_frame_pixels(size, frame, frames))
    out += b"\x3b"
    path.write_bytes(bytes(out))


def _frame_pixels(size: int, frame: int, frames: int) -> list[int]:
    side = size // 3
    left = (size - side) * frame // max(1, frames - 1)
    top = (size - side) // 2
    pixels = []
    for y in range(size):
        for x in range(size):
            inside = left <= x < left + side and top <= y < top + side
            pixels.append(3 if inside else (2 if (x + y) % 2 else 1))
    return pixels


def _lzw_block(pixels: list[int]) -> bytes:
    """LZW image data without compression: a clear code every two pixels keeps the code
    table from growing, so every code stays 3 bits wide (minimum code size 2)."""
    clear, end, width = 4, 5, 3
    codes: list[int] = []
    for index, pixel in enumerate(pixels):
        if index % 2 == 0:
            codes.append(clear)
        codes.append(pixel)
    codes.append(end)
    bits = 0
    count = 0
    data = bytearray()
    for code in codes:
        bits |= code << count
        count += width
        while count >= 8:
            data.append(bits & 0xFF)
            bits >>= 8
            count -= 8
    if count:
        data.append(bits & 0xFF)
    blocks = bytearray([2])  # minimum code size
    for start in range(0, len(data), 255):
        chunk = data[start : start + 255]
        blocks += bytes([len(chunk)]) + chunk
    return bytes(blocks + b"\x00")
