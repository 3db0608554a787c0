"""Fix for defect (c): quiet shim, one structured line per transaction.

fabric-chaincode-python 2.5.4 logs every proposal and payload at INFO on the
`asyncio` logger, warns "Look out!" per message and, on import, configures the
root logger at DEBUG. Transaction data must not reach logs. The session and
stub in this package do not call the noisy shim code; `silence_shim_logging`
additionally drops any record the shim package still emits, and
`log_transaction` writes one `key=value` line per transaction: short tx id,
channel, function name, status, duration. Never arguments or payloads.
"""

from __future__ import annotations

import logging
import os

import fabric_chaincode_python

__all__ = [
    "TX_LOGGER_NAME",
    "configure_logging",
    "log_transaction",
    "short_txid",
    "silence_shim_logging",
    "unsilence_shim_logging",
]

TX_LOGGER_NAME = "envalue.chaincode.tx"
_SHIM_DIR = os.path.dirname(fabric_chaincode_python.__file__)
_tx_logger = logging.getLogger(TX_LOGGER_NAME)


class _DropShimRecords(logging.Filter):
    """Rejects records created by code inside the fabric_chaincode_python package."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.pathname.startswith(_SHIM_DIR)


_DROP_SHIM = _DropShimRecords()


def silence_shim_logging() -> None:
    """Drop everything the shim logs (it logs on the shared `asyncio` logger)."""
    shim_logger = logging.getLogger("asyncio")
    if _DROP_SHIM not in shim_logger.filters:
        shim_logger.addFilter(_DROP_SHIM)


def unsilence_shim_logging() -> None:
    """Let shim records through again (to diagnose the unfixed shim in tests)."""
    logging.getLogger("asyncio").removeFilter(_DROP_SHIM)


def configure_logging(level: int | str = logging.INFO) -> None:
    """Replace the shim's DEBUG root configuration by one-line records at `level`."""
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        force=True,
    )
    silence_shim_logging()


def short_txid(txid: str) -> str:
    """First 8 characters of a transaction id, as Fabric's own logs show it."""
    return txid[:8]


def log_transaction(
    *, txid: str, channel: str, function: str, status: int, duration_ms: float, kind: str
) -> None:
    """Log one transaction outcome; at WARNING when the response is an error."""
    level = logging.INFO if status < 400 else logging.WARNING
    _tx_logger.log(
        level,
        "tx=%s channel=%s kind=%s fn=%s status=%d duration_ms=%.1f",
        short_txid(txid),
        channel,
        kind,
        function,
        status,
        duration_ms,
    )


silence_shim_logging()
