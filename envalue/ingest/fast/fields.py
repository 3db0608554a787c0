"""Byte-level field access over one CSV body held in a numpy buffer.

Why: per-row Python objects (one `str` per field) cost more than everything else the fast
path does. Fields are located by offsets into the upload's bytes and read eight bytes at
a time through an overlapping little-endian ``uint64`` view, so categorical columns are
factorised and fixed-layout columns parsed without creating a Python object per row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import as_strided

__all__ = ["Buffer"]

_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [(1 << 64) - 1], dtype=np.uint64)


_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                 0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53,
                 0x94D049BB133111EB, 0xBF58476D1CE4E5B9], dtype=np.uint64)


def exact_codes(words: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Codes of equal word tuples (first-seen order) and the first row of each code.

    One hash-table pass over a mixed key, then an exact check that every row's words
    equal its representative's; on a (practically impossible) collision the columns are
    factorised one after another instead.
    """
    n = len(words[0])
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    key = np.zeros(n, dtype=np.uint64)
    for k, w in enumerate(words):
        key ^= (w + np.uint64(k + 1)) * _MIX[k % len(_MIX)]
        key = (key << np.uint64(29)) | (key >> np.uint64(35))
    codes = pd.factorize(key)[0].astype(np.int64)
    top = np.maximum.accumulate(codes)
    first = np.flatnonzero(np.r_[True, top[1:] > top[:-1]])
    if all(np.array_equal(w, w[first][codes]) for w in words):
        return codes, first
    codes = np.zeros(n, dtype=np.int64)
    for w in words:
        c2, u2 = pd.factorize(w)
        codes = pd.factorize(codes * len(u2) + c2)[0].astype(np.int64)
    top = np.maximum.accumulate(codes)
    return codes, np.flatnonzero(np.r_[True, top[1:] > top[:-1]])


class Buffer:
    """The body bytes, a uint8 view and an overlapping uint64 view (one per byte offset)."""

    def __init__(self, body: bytes, start: int = 0, tail: bytes = b"") -> None:
        """The bytes ``body[start:] + tail`` (one copy, with the zero padding)."""
        size = len(body) - start + len(tail)
        pad = 40 + (-size) % 8  # reads start at most 26 bytes past a field start
        self._padded = b"".join((memoryview(body)[start:], tail, b"\0" * pad))
        self.data = memoryview(self._padded)[:size]
        self.u8 = np.frombuffer(self._padded, dtype=np.uint8)[:size]
        base = np.frombuffer(self._padded, dtype="<u8")
        self.words = as_strided(base, shape=(len(self._padded) - 7,), strides=(1,),
                                writeable=False)

    def word(self, starts: np.ndarray, lengths: np.ndarray, k: int) -> np.ndarray:
        """Bytes ``8k .. 8k+7`` of each field, bytes past the field's end zeroed."""
        w = self.words[starts + 8 * k]
        remaining = np.clip(lengths - 8 * k, 0, 8)
        return w & _MASKS[remaining]

    def matrix(self, starts: np.ndarray, width: int) -> np.ndarray:
        """``(n, width)`` uint8 matrix of the bytes from each start (not masked)."""
        k = -(-width // 8)
        stacked = np.stack([self.words[starts + 8 * j] for j in range(k)], axis=1)
        return stacked.view(np.uint8).reshape(len(starts), 8 * k)[:, :width]

    def text(self, start: int, end: int) -> str:
        return bytes(self.data[start:end]).decode("ascii")

    def bytes(self, start: int, end: int) -> bytes:
        return bytes(self.data[start:end])

    def factorize(self, starts: np.ndarray, lengths: np.ndarray,
                  max_words: int = 8) -> tuple[np.ndarray, list[str]] | None:
        """Exact codes of each field's text and the distinct texts (first-seen order).

        Exact because the key is the field's bytes themselves (zero-padded words; the
        body holds no NUL byte). None when a field is longer than ``8 * max_words``.
        """
        n = len(starts)
        if n == 0:
            return np.zeros(0, dtype=np.int64), []
        longest = int(lengths.max())
        words = max(1, -(-longest // 8))
        if words > max_words:
            return None
        codes, uniq = pd.factorize(self.word(starts, lengths, 0))
        for k in range(1, words):
            c2, u2 = pd.factorize(self.word(starts, lengths, k))
            codes, uniq = pd.factorize(codes.astype(np.int64) * len(u2) + c2)
        codes = codes.astype(np.int64)
        # codes are numbered in order of first appearance: a new code is a new maximum
        top = np.maximum.accumulate(codes)
        first = np.flatnonzero(np.r_[True, top[1:] > top[:-1]])
        texts = [self.text(int(starts[i]), int(starts[i] + lengths[i])) for i in first]
        return codes, texts
