"""CSV exports of the ledger's records: holdings, transfers, retirements, credit batches.

`holdings_frame` & co. turn lists of domain records (dicts) into DataFrames with a fixed
column order and types; `write_csv`/`csv_bytes` write them as UTF-8 CSV, with a BOM for
Excel users when asked.
"""

from __future__ import annotations

from .columns import Column, ExportError
from .csvfile import csv_bytes, write_csv
from .frames import build_frame, iso_utc
from .tables import (
    TABLES,
    credit_batches_frame,
    credit_shares_frame,
    holdings_frame,
    retirements_frame,
    transfers_frame,
    transfers_from_history,
)

__all__ = [
    "TABLES",
    "Column",
    "ExportError",
    "build_frame",
    "credit_batches_frame",
    "credit_shares_frame",
    "csv_bytes",
    "holdings_frame",
    "iso_utc",
    "retirements_frame",
    "transfers_frame",
    "transfers_from_history",
    "write_csv",
]
