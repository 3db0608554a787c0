"""Merkle roots of many batches at once (numpy bookkeeping, hashlib hashing).

The same tree as `envalue.chaincode.domain.merkle` (leaf = SHA-256(0x00‖leaf), node =
SHA-256(0x01‖left‖right), odd node promoted), built level by level over all batches
together so that the per-level index work is vectorised and the only per-node Python
work is the hash call itself. The chaincode module stays standard-library only; its
`merkle_roots_of_segments` is the dependency-free equivalent.
"""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["hash_prefixed_leaves", "segment_roots"]

_NODE = b"\x01"


def hash_prefixed_leaves(prefixed: list[bytes]) -> list[bytes]:
    """Leaf hashes of leaves that already start with the 0x00 leaf prefix."""
    sha = hashlib.sha256
    return [sha(x).digest() for x in prefixed]


def segment_roots(hashes: list[bytes], lengths: np.ndarray) -> list[bytes]:
    """Root of each consecutive run of `lengths` leaf hashes (every length ≥ 1)."""
    sha = hashlib.sha256
    level = np.empty(len(hashes), dtype=object)
    level[:] = hashes
    sizes = np.asarray(lengths, dtype=np.int64)
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    segs = np.arange(len(sizes))
    while len(sizes) and sizes.max() > 1:
        pairs, odd = sizes // 2, sizes % 2
        new_sizes = pairs + odd
        new_starts = np.r_[0, np.cumsum(new_sizes)[:-1]]
        seg = np.repeat(segs, pairs)
        k = np.arange(len(seg)) - np.repeat(np.r_[0, np.cumsum(pairs)[:-1]], pairs)
        lefts = starts[seg] + 2 * k
        paired = [sha(_NODE + a + b).digest()
                  for a, b in zip(level[lefts].tolist(), level[lefts + 1].tolist(),
                                  strict=True)]
        new = np.empty(int(new_sizes.sum()), dtype=object)
        new[new_starts[seg] + k] = paired
        promoted = np.flatnonzero(odd)
        new[new_starts[promoted] + pairs[promoted]] = level[starts[promoted]
                                                           + sizes[promoted] - 1]
        level, sizes, starts = new, new_sizes, new_starts
    return level.tolist()
