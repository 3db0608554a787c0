"""The bridge service (run by the Market org): relays tokens between envalue and a partner
ledger, off-ledger and outside the chaincode tree.

Modules: `adapters` (how the service talks to a ledger: `LedgerAdapter`, and the Fabric
adapter over `envalue.client`), `relay` (the operations: create pledge, fetch proof,
submit claim, submit return, reclaim, status, event feed, `resume_pending`), `steps` (one
ledger call each, journaled), `transfers` (the journal's states), `store` (requests,
journal and feed in SQL), `idempotency` (answers kept by request id), `signing` (the
signed-request headers partners send) and `request_auth` (checking them). The protocol
itself is chaincode: `envalue.chaincode.domain.bridge` (home) and
`envalue.chaincode.domain.wrapped` (partner). The REST API over it is
`envalue.webapp.bridge_api`.
"""
