"""Token ledger: lots of reduction tokens in integer kg-CO2e and their whole life.

One module per message (`msg_<verb>.py`: `validate(msg)` stateless checks and
`apply(store, ctx, msg)` returning domain events), the records and key scheme in
`state.py`, supply proofs in `invariants.py`, read-only queries in `queries.py`.
`mint.mint_lot` is the entry point of the measurement side.
"""
