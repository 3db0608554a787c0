"""The portal's off-chain read model, fed by the channel's committed blocks.

    listener.ReadModelListener  -- follows blocks from the checkpoint, reconnects, reports lag
    blocks.block_records        -- a block's valid transactions: chaincode event + write set
    projector.Projector         -- one transaction -> row changes (idempotent, all or nothing)
    checkpoint.ReadModelCheckpointer -- the client Checkpointer, committed with the rows
    schema                      -- the tables (SQLite by default, PostgreSQL by URL)
    queries                     -- what pages read; status.lag_status -- how far behind

Pages read these tables and never scan the ledger; every row names the transaction and
block of its last change, so the ledger stays the source of truth.
"""

from .checkpoint import ReadModelCheckpointer
from .listener import ReadModelListener
from .projector import Projection, Projector
from .records import ChaincodeEventRecord
from .schema import make_engine, make_sessions
from .status import LagStatus, lag_status

__all__ = [
    "ChaincodeEventRecord",
    "LagStatus",
    "Projection",
    "Projector",
    "ReadModelCheckpointer",
    "ReadModelListener",
    "lag_status",
    "make_engine",
    "make_sessions",
]
