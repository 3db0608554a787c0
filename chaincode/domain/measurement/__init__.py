"""Measurement on the ledger: anchored batches, calculations, reviews, mints, traceability.

One module per message (`msg_<verb>.py`: stateless `validate(msg)` and
`async apply(store, ctx, msg) -> list[DomainEvent]`), records and keys in `state.py`,
the signed batch header in `header.py` (shared with the edge simulator), signatures in
`signature.py`, the quantity → methodology-input mapping in `mapping.py`, the read-only
traceability query in `trace.py`. No Fabric imports: unit tests and dry runs use it over
an in-memory store.
"""
