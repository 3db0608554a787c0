"""Off-ledger pieces of the bridge service (the relay the Market org runs).

Not imported by any chaincode module. `adapters` defines how the relay talks to a
ledger (`LedgerAdapter`) with a Fabric skeleton over `envalue.client`; `idempotency`
makes every relay request idempotent by request id, crash-safely. They live here until
the service gets its own package outside the chaincode tree.
"""
