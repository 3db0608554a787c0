"""Decimal value texts → exact integers at a common decimal scale, and back to the
canonical text.

Accepted here (anything else is left to the reference path): 1–16 characters of digits
with at most one inner ``.`` (``12``, ``0.50``, ``007.5``), at most 15 digits. Such a
text is the exact decimal ``mantissa × 10^-fd``; with the unit's exact factor
``fnum × 10^-fexp`` the canonical value is ``mantissa × fnum × 10^-(fd + fexp)``, held as
an int64 count of ``10^-E`` (E the largest fd + fexp of the upload). The Decimal exponent
the reference would carry (it decides how a total prints in `repr`, never its value) is
tracked beside it.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from envalue.ingest.fast.fields import Buffer

__all__ = ["LIMIT", "decimal_texts", "parse_plain", "scaled_of_decimal"]

LIMIT = 1 << 61  # |scaled value| bound: sums of 2^31 values still fit after splitting
_POW10 = np.array([10 ** k for k in range(19)], dtype=np.int64)


def parse_plain(buf: Buffer, starts: np.ndarray, lengths: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ok, mantissa, fraction digits) per field."""
    n = len(starts)
    ok = (lengths >= 1) & (lengths <= 16)
    if n == 0:
        z = np.zeros(0, dtype=np.int64)
        return ok, z, z
    width = int(np.clip(lengths, 1, 16).max())
    raw = buf.matrix(starts, width)
    inside = np.arange(width)[None, :] < lengths[:, None]
    digit = (raw >= 48) & (raw <= 57) & inside
    dot = (raw == 46) & inside
    ok &= np.all(digit | dot | ~inside, axis=1)
    dots = dot.sum(axis=1)
    ok &= dots <= 1
    dot_at = np.where(dots == 1, np.argmax(dot, axis=1), lengths)
    ok &= (dot_at > 0) & ((dots == 0) | (dot_at < lengths - 1))
    ok &= digit.sum(axis=1) <= 15
    mantissa = np.zeros(n, dtype=np.int64)
    d = raw - np.uint8(48)
    for j in range(width):
        mantissa = np.where(digit[:, j], mantissa * 10 + d[:, j], mantissa)
    fd = np.where(dots == 1, lengths - 1 - dot_at, 0)
    return ok, mantissa, fd


def scaled_of_decimal(value: Decimal, scale: int) -> int | None:
    """``value × 10^scale`` as an int when exact and within `LIMIT`, else None."""
    shifted = value.scaleb(scale)
    if shifted != shifted.to_integral_value():
        return None
    out = int(shifted)
    return out if -LIMIT < out < LIMIT else None


def decimal_texts(scaled: np.ndarray, scale: int) -> list[bytes]:
    """The canonical plain text of each ``scaled × 10^-scale`` (values ≥ 0), as bytes:
    no exponent, no trailing fractional zeros, ``0`` for zero (`decimal_text`)."""
    if len(scaled) == 0:
        return []
    ip, fp = np.divmod(scaled, _POW10[scale])
    # trailing zeros of the fraction, and its remaining digits
    tz = np.full(len(fp), scale, dtype=np.int64)
    nz = fp != 0
    rest = fp.copy()
    tz[nz] = 0
    for _ in range(scale):
        more = nz & (rest % 10 == 0)
        if not more.any():
            break
        tz += more
        rest = np.where(more, rest // 10, rest)
    nf = scale - tz  # fraction digits written
    ndig = np.ones(len(ip), dtype=np.int64)
    for k in range(1, 19):
        ndig += ip >= _POW10[k]
    width = int((ndig + np.where(nf > 0, nf + 1, 0)).max())
    out = np.zeros((len(ip), width), dtype=np.uint8)
    # integer digits: column c < ndig holds digit (ip // 10^(ndig-1-c)) % 10
    for c in range(min(width, 19)):
        live = c < ndig
        e = np.clip(ndig - 1 - c, 0, 18)
        out[:, c] = np.where(live, (ip // _POW10[e]) % 10 + 48, out[:, c])
    has_frac = nf > 0
    out[np.arange(len(ip))[has_frac], ndig[has_frac]] = ord(".")
    for c in range(1, scale + 1):  # fraction digit c (1-based) sits at column ndig + c
        live = has_frac & (c <= nf)
        if not live.any():
            break
        idx = np.flatnonzero(live)
        digit = (fp[idx] // _POW10[scale - c]) % 10 + 48
        out[idx, ndig[idx] + c] = digit
    return out.view(f"S{width}").ravel().tolist()
