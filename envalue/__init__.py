"""envalue: environmental value management on Hyperledger Fabric.

The checkout's top-level folders are exposed under this namespace:
`envalue.client` (Fabric Gateway SDK), `envalue.chaincode` (chaincode and the pure
domain rules it shares with off-ledger dry runs), `envalue.network` (the native
Fabric network), `envalue.ingest` (operation-data ingestion) and `envalue.cli`.
"""

__version__ = "0.1.0"
