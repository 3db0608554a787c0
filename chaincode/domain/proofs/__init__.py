"""Cross-ledger proofs: a ledger view carried with the endorsements of the source network.

A proof shows that a source network's peers executed a query and agreed on its result
(a pledge, a claim, a burn, a retirement record). The verifying ledger checks it in
chaincode against the source network's MSP root certificates and a verification policy
that its own governance registered (`state.RemoteNetwork`), the way Hyperledger
Cacti/Weaver checks cross-network views.

Modules: `wire` (the few protobuf messages involved, decoded without Fabric imports so the
package stays pure), `proof` (the carried structure), `view` (the canonical view JSON),
`x509chain` (certificate chains), `state` + `msg_register_network` (trust anchors),
`verify` (the rules), `builder` (turning endorsements into a proof, off-ledger).
"""
