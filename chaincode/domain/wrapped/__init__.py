"""Wrapped environmental value tokens: the partner ledger's side of the bridge.

Wrapped units of one origin lot form a denomination (`state.Denom`) that keeps its
origin: source network, lot, vintage, methodology and serial space. Units enter only by
`msg_claim` — once per pledge, keyed by (source network, pledge id) in the origin index,
with a proof of the pledge from the source network, before the pledge expires — and
leave by `msg_burn` (return home), `msg_retire` (retired here, reported home). A pledge
that expired unclaimed is voided (`msg_void`), which makes the "no claim" final and is
what the source network needs to see to reclaim. `msg_transfer` and the HTLC messages
trade wrapped units on this ledger.
"""
