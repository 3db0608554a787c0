"""`envalue verify`: check a token's whole lineage, and single readings, offline.

What is checked (each a named `Check` in a `LineageReport`): per anchored batch the edge
device's signature over the canonical header, the off-chain batch row, the Merkle root
recomputed from the stored readings and the per-quantity totals; for the calculation its
batches, methodology (formula hash), factor versions and values, inputs rebuilt from the
anchored totals, and a re-run of the methodology; for the lot, that it was minted once,
for exactly the reduction, after a verifier approved it. `reading_proof` and
`verify_inclusion` prove one reading against its anchored root.

Threat model. The ledger (the trace query's answer) is trusted: it is replicated and
endorsed, and it holds per batch only commitments — the Merkle root, the reading count,
the totals and the device's signature over them. The off-chain store is NOT trusted: an
attacker with write access to the database (triggers dropped, raw SQL) can change,
delete or insert readings, and can also change any other column or table, including the
leaf hashes this package uses to name readings. Consequences:

- any change to a reading's timestamp, device, quantity, value, unit or kind, and any
  deleted or inserted reading, is *detected*: the stored readings no longer reproduce the
  anchored root (second preimages of SHA-256 are infeasible; leaves and nodes are
  domain-separated);
- the altered reading is *named* (device, timestamp, quantity, stored value, leaf index,
  row id) when the leaf hashes recorded at ingest still reproduce the anchored root:
  that proves each recorded hash is the committed leaf, and a row hashing to none of them
  was altered; when the quantity's anchored total pins it down, the original value is
  also reported, and only after it hashes to the committed leaf;
- an attacker who rewrites a reading *and* its recorded leaf hash is still detected, but
  the reading can then only be listed as a suspect, not proven (reported as such);
- totals, signatures and figures are checked from the trace itself, so a trace document
  edited offline (``--trace FILE``) fails the signature, totals or recomputation checks,
  unless whoever edited it also forged the device keys in it: a trace read from a file is
  only as trustworthy as its source, which is why the CLI says where the trace came from.
"""

from envalue.verify.inclusion import (
    InclusionProof,
    ProofError,
    proof_from_batch,
    reading_proof,
    verify_inclusion,
)
from envalue.verify.leaves import OffChainBatch, StoredReading, load_batch, root_of_leaf_hashes
from envalue.verify.lineage import TraceFormatError, verify_lineage
from envalue.verify.report import Check, LineageReport, TamperedReading

__all__ = [
    "Check",
    "InclusionProof",
    "LineageReport",
    "OffChainBatch",
    "ProofError",
    "StoredReading",
    "TamperedReading",
    "TraceFormatError",
    "load_batch",
    "proof_from_batch",
    "reading_proof",
    "root_of_leaf_hashes",
    "verify_inclusion",
    "verify_lineage",
]
