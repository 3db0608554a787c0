"""ISO 8601 timestamps with offset → UTC nanoseconds, and the canonical UTC text back.

Accepted here (anything else is left to the reference path): ``YYYY-MM-DDTHH:MM:SS``,
optionally ``.`` and 1–6 fraction digits, then ``Z`` or ``±HH:MM``; a real calendar date,
hour ≤ 23, minute and second ≤ 59, offset ≤ 18 h, year 1900–2200. For these the result
equals ``pandas.to_datetime(..., format="ISO8601", utc=True)``, which the reference uses
(the equivalence tests check it).
"""

from __future__ import annotations

import numpy as np

from envalue.ingest.fast.fields import Buffer, exact_codes

__all__ = ["days_from_civil", "format_utc", "parse_iso", "parse_iso_split"]

_DIGITS = (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18)
_LITERALS = {4: ord("-"), 7: ord("-"), 10: ord("T"), 13: ord(":"), 16: ord(":")}
_NS = 1_000_000_000


def _num(d: np.ndarray, cols: tuple[int, ...]) -> np.ndarray:
    out = d[:, cols[0]].astype(np.int64)
    for c in cols[1:]:
        out = out * 10 + d[:, c]
    return out


def days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    y = y - (m <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * np.where(m > 2, m - 3, m + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _days_in_month(y: np.ndarray, m: np.ndarray) -> np.ndarray:
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    table = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
    return table[np.clip(m, 0, 12)] + ((m == 2) & leap)


_LO = np.array([_LITERALS.get(c, 48) for c in range(19)], dtype=np.uint8)
_SPAN = np.array([0 if c in _LITERALS else 9 for c in range(19)], dtype=np.uint8)


def parse_iso(buf: Buffer, starts: np.ndarray, lengths: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """(ok, UTC ns) per field; `ns` is meaningless where not ok."""
    n = len(starts)
    ok = (lengths >= 20) & (lengths <= 32)
    if n == 0:
        return ok, np.zeros(0, dtype=np.int64)
    raw = buf.matrix(starts, 32)
    # uint8 arithmetic wraps: a byte is a digit iff (byte - 48) <= 9
    ok &= np.all((raw[:, :19] - _LO) <= _SPAN, axis=1)
    d = raw - np.uint8(48)
    rows = np.arange(n)
    last = np.clip(lengths - 1, 0, 31)
    zulu = raw[rows, last] == ord("Z")
    off_len = np.where(zulu, 1, 6)
    frac_len = lengths - 19 - off_len  # 0, or "." plus 1..6 digits
    ok &= (frac_len == 0) | ((frac_len >= 2) & (frac_len <= 7))
    ok &= (frac_len == 0) | (raw[:, 19] == ord("."))
    us = np.zeros(n, dtype=np.int64)
    if np.any(frac_len > 0):
        for j in range(6):
            present = j < frac_len - 1
            dj = d[:, 20 + j]
            ok &= ~present | (dj <= 9)
            us = us * 10 + np.where(present, dj, 0)  # absent digits are zeros: µs
    o = np.clip(lengths - 6, 0, 26)[:, None] + np.arange(6)
    off = np.take_along_axis(raw, o, axis=1)
    od = off - np.uint8(48)
    sign_ok = (off[:, 0] == ord("+")) | (off[:, 0] == ord("-"))
    digits_ok = np.all(od[:, [1, 2, 4, 5]] <= 9, axis=1)
    off_h = od[:, 1].astype(np.int64) * 10 + od[:, 2]
    off_m = od[:, 4].astype(np.int64) * 10 + od[:, 5]
    ok &= zulu | (sign_ok & digits_ok & (off[:, 3] == ord(":")) & (off_h <= 18)
                  & (off_m <= 59))
    offset = np.where(zulu, 0, np.where(off[:, 0] == ord("-"), -1, 1) * (off_h * 3600
                                                                        + off_m * 60))
    y, mo, dd = _num(d, (0, 1, 2, 3)), _num(d, (5, 6)), _num(d, (8, 9))
    hh, mi, ss = _num(d, (11, 12)), _num(d, (14, 15)), _num(d, (17, 18))
    ok &= (y >= 1900) & (y <= 2200) & (mo >= 1) & (mo <= 12) & (dd >= 1)
    ok &= dd <= _days_in_month(y, mo)
    ok &= (hh <= 23) & (mi <= 59) & (ss <= 59)
    seconds = days_from_civil(y, mo, dd) * 86400 + hh * 3600 + mi * 60 + ss - offset
    return ok, np.where(ok, seconds * _NS + us * 1000, 0)


_Y2K_NS = 946_684_800 * _NS


def _parse_texts(texts: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    body = b",".join(texts)
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    starts = np.r_[0, np.cumsum(lengths + 1)[:-1]].astype(np.int64)
    return parse_iso(Buffer(body), starts, lengths)


def parse_iso_split(buf: Buffer, starts: np.ndarray, lengths: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """`parse_iso`, computed once per distinct date and once per distinct time-of-day
    with offset (a file has few of each): the date gives the days, the rest the seconds
    from local midnight minus the offset, and the instant is their sum. Validity is also
    per part (a date's validity does not depend on the time, and vice versa)."""
    n = len(starts)
    if n == 0:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=np.int64)
    date_codes, date_rows = exact_codes([buf.words[starts],
                                         buf.words[starts + 8] & np.uint64(0xFFFF)])
    tail = np.clip(lengths - 10, 0, 22)
    time_codes, time_rows = exact_codes([buf.word(starts + 10, tail, k) for k in range(3)])
    data = buf.data
    dates = [bytes(data[s:s + 10]) + b"T00:00:00Z" for s in starts[date_rows].tolist()]
    times = [b"2000-01-01" + bytes(data[s + 10:s + 10 + t])
             for s, t in zip(starts[time_rows].tolist(), tail[time_rows].tolist(),
                             strict=True)]
    d_ok, d_ns = _parse_texts(dates)
    t_ok, t_ns = _parse_texts(times)
    ok = (lengths >= 20) & (lengths <= 32) & d_ok[date_codes] & t_ok[time_codes]
    return ok, np.where(ok, d_ns[date_codes] + (t_ns[time_codes] - _Y2K_NS), 0)


def format_utc(ns: np.ndarray, prefix: bytes = b"", suffix: bytes = b"") -> np.ndarray:
    """``S`` array of ``prefix‖YYYY-MM-DDTHH:MM:SS.ffffffZ‖suffix`` (the Merkle timestamp
    text; a NUL prefix survives, only trailing NULs are dropped by numpy)."""
    n = len(ns)
    us_total = ns // 1000
    secs, us = np.divmod(us_total, 1_000_000)
    days, sod = np.divmod(secs, 86400)
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    y = y + (month <= 2)
    hh, rem = np.divmod(sod, 3600)
    mi, ss = np.divmod(rem, 60)
    p = len(prefix)
    width = p + 27 + len(suffix)
    full = np.empty((n, width), dtype=np.uint8)
    full[:, :p] = np.frombuffer(prefix, dtype=np.uint8)
    full[:, p + 27:] = np.frombuffer(suffix, dtype=np.uint8)
    out = full[:, p:p + 27]
    for col, ch in ((4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "."),
                    (26, "Z")):
        out[:, col] = ord(ch)
    for value, first, digits in ((y, 0, 4), (month, 5, 2), (day, 8, 2), (hh, 11, 2),
                                 (mi, 14, 2), (ss, 17, 2), (us, 20, 6)):
        v = value.copy()
        for k in range(digits - 1, -1, -1):
            v, digit = np.divmod(v, 10)
            out[:, first + k] = digit + 48
    return full.view(f"S{width}").ravel()
