"""The ledger registry: sites, equipment, meters, edge devices, and governance of
methodology and factor versions.

One module per message (`msg_<verb>.py`: stateless `validate(msg)` and
`async apply(store, ctx, msg) -> list[DomainEvent]`), records and keys in `state.py`,
who-may-do-what in `access.py`, approval and factor selection rules in `governance.py`,
field checks in `fields.py`. No Fabric imports.
"""
