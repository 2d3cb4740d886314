"""CRC32C, masked as TensorFlow's record files mask it, for one record or many at once.

A record file stores, for each record, the masked CRC32C of its 8 length bytes and of its
data. Python has no CRC32C of its own (``zlib.crc32`` is another polynomial), and a byte loop
in Python checks about a megabyte a second, far too slow for a file of a million records.
:func:`masked_crc32c_many` checks every record of a read at once with numpy:

- records of one length form a matrix, one row per record, and the register of every row
  advances together, four bytes a step, through two 65,536-entry tables (the step is linear
  in the register, so its low and high halves are looked up apart);
- a record longer than :data:`LONG` bytes is cut into rows of :data:`CHUNK` bytes instead,
  and each record's rows are folded together with the "append :data:`CHUNK` zero bytes"
  operator (linear too: two look-ups);
- a row is padded with zeros in front, which a register at zero ignores, and the initial
  all-ones register is XORed into a record's first four bytes, which is the same thing.

numpy is imported on the first call only: ``import atlas`` stays light.
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    U32 = npt.NDArray[np.uint32]

__all__ = ["mask", "masked_crc32c", "masked_crc32c_many"]

_POLY = 0x82F63B78  # CRC32C (Castagnoli), bit-reflected
_MASK_DELTA = 0xA282EAD8
_ALL = 0xFFFFFFFF
LONG = 2048
"""Records longer than this many bytes are checked in rows of :data:`CHUNK` bytes."""
CHUNK = 1024
_BLOCK_BYTES = 1 << 23  # bytes of records gathered into one matrix at a time


@cache
def _table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ (_POLY if crc & 1 else 0)
        table.append(crc)
    return tuple(table)


def mask(crc: int) -> int:
    """The masked form of a CRC, as record files store it (a CRC of data that holds CRCs
    is then not trivially zero)."""
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & _ALL


def masked_crc32c(data: bytes | bytearray | memoryview) -> int:
    """The masked CRC32C of ``data``, in plain Python (for a few short buffers)."""
    table = _table()
    crc = _ALL
    for byte in bytes(data):
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return mask(crc ^ _ALL)


def _zeros(registers: U32, count: int) -> U32:
    """The registers after ``count`` zero bytes each, one byte at a time."""
    import numpy as np

    table = np.array(_table(), dtype=np.uint32)
    for _ in range(count):
        registers = table[registers & 0xFF] ^ (registers >> np.uint32(8))
    return registers


@cache
def _halves(count: int) -> tuple[U32, U32]:
    """Two tables: a register ``r`` after ``count`` zero bytes is ``low[r & 0xFFFF] ^
    high[r >> 16]``."""
    import numpy as np

    values = np.arange(1 << 16, dtype=np.uint32)
    return _zeros(values, count), _zeros(values << np.uint32(16), count)


def _run(words: npt.NDArray[np.uint32]) -> U32:
    """The register of each row of little-endian words, run from zero over the row."""
    import numpy as np

    low, high = _halves(4)
    registers = np.zeros(words.shape[0], dtype=np.uint32)
    for column in range(words.shape[1]):
        x = registers ^ words[:, column]
        registers = low[x & 0xFFFF] ^ high[x >> np.uint32(16)]
    return registers


def masked_crc32c_many(
    buffer: bytes | bytearray | memoryview,
    starts: Sequence[int] | array[int] | npt.NDArray[np.int64],
    lengths: Sequence[int] | array[int] | npt.NDArray[np.int64],
) -> U32:
    """The masked CRC32C of ``buffer[start:start + length]`` for each pair, in order."""
    import numpy as np

    if not len(starts):
        return np.zeros(0, dtype=np.uint32)
    data = np.frombuffer(buffer, dtype=np.uint8)
    begin = np.asarray(starts, dtype=np.int64)
    size = np.asarray(lengths, dtype=np.int64)
    crc = np.zeros(len(begin), dtype=np.uint32)
    order = np.argsort(size, kind="stable")
    sizes = size[order]
    cuts = [0, *(np.flatnonzero(np.diff(sizes)) + 1).tolist(), len(order)]
    long: list[int] = []
    for lo, hi in itertools.pairwise(cuts):
        length = int(sizes[lo])
        if length > LONG:
            long += order[lo:hi].tolist()
            continue
        rows = max(1, _BLOCK_BYTES // max(length, 1))
        for block in range(lo, hi, rows):
            chosen = order[block : min(hi, block + rows)]
            crc[chosen] = _same_length(data, begin[chosen], length)
    if long:
        chosen = np.array(long, dtype=np.int64)
        crc[chosen] = _long(data, begin[chosen], size[chosen])
    crc ^= np.uint32(_ALL)
    masked = ((crc >> np.uint32(15)) | (crc << np.uint32(17))) + np.uint32(_MASK_DELTA)
    result: U32 = masked.astype(np.uint32)
    return result


def _same_length(data: npt.NDArray[np.uint8], begin: npt.NDArray[np.int64], length: int) -> U32:
    """The registers (before the final XOR) of records of one ``length``."""
    import numpy as np

    if length < 4:  # too short to carry the initial register in its bytes
        registers = np.full(len(begin), _ALL, dtype=np.uint32)
        table = np.array(_table(), dtype=np.uint32)
        for offset in range(length):
            registers = table[(registers ^ data[begin + offset]) & 0xFF] ^ (
                registers >> np.uint32(8)
            )
        return registers
    pad = -length % 4
    if len(begin) and int(begin.min()) >= pad:
        # each row starts ``pad`` bytes early (copied row by row from a strided view, far
        # faster than a gather by index), then those bytes are zeroed
        windows = np.lib.stride_tricks.sliding_window_view(data, length + pad)
        matrix = windows[begin - pad]
        matrix[:, :pad] = 0
    else:
        matrix = np.zeros((len(begin), length + pad), dtype=np.uint8)
        matrix[:, pad:] = data[begin[:, None] + np.arange(length)]
    matrix[:, pad : pad + 4] ^= 0xFF  # the initial all-ones register
    return _run(matrix.view("<u4"))


def _long(
    data: npt.NDArray[np.uint8], begin: npt.NDArray[np.int64], size: npt.NDArray[np.int64]
) -> U32:
    """The registers (before the final XOR) of long records: rows of :data:`CHUNK` bytes,
    run together, then folded record by record."""
    import numpy as np

    chunks = -(-size // CHUNK)
    parts = []
    for start, length, count in zip(begin.tolist(), size.tolist(), chunks.tolist(), strict=True):
        row = np.zeros(count * CHUNK, dtype=np.uint8)
        pad = count * CHUNK - length
        row[pad:] = data[start : start + length]
        row[pad : pad + 4] ^= 0xFF
        parts.append(row)
    registers = _run(np.concatenate(parts).view("<u4").reshape(-1, CHUNK // 4))
    first = np.cumsum(chunks) - chunks
    low, high = _halves(CHUNK)
    result: U32 = registers[first].copy()
    for k in range(1, int(chunks.max())):
        active = np.nonzero(chunks > k)[0]
        shifted = result[active]
        result[active] = (
            low[shifted & 0xFFFF] ^ high[shifted >> np.uint32(16)] ^ registers[first[active] + k]
        )
    return result
