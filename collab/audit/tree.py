"""RFC 9162 proofs over any tree whose perfect subtrees can be looked up (§2.1.3, §2.1.4).

The tree is stored as its perfect, aligned subtrees: node ``(level, index)`` covers leaves
``[index * 2**level, (index + 1) * 2**level)``. Every range the RFC's recursions visit
splits into such nodes, so a root or a proof needs O(log² n) lookups and no full scan.
A proof is computed twice: once to learn which nodes it needs (the recursion's shape does
not depend on hash values), then on those nodes fetched in one query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from collab.audit.verify import EMPTY_ROOT, node_hash

NodeKey = tuple[int, int]  # (level, index)
Lookup = Callable[[Iterable[NodeKey]], dict[NodeKey, bytes]]


def split(n: int) -> int:
    """The largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class _Tree:
    def __init__(self, nodes: Callable[[NodeKey], bytes]) -> None:
        self.node = nodes

    def mth(self, start: int, end: int) -> bytes:
        n = end - start
        if n == 0:
            return EMPTY_ROOT
        if n & (n - 1) == 0 and start % n == 0:
            level = n.bit_length() - 1
            return self.node((level, start >> level))
        k = split(n)
        return node_hash(self.mth(start, start + k), self.mth(start + k, end))

    def path(self, m: int, start: int, end: int) -> list[bytes]:
        """PATH(m, D[start:end]) of RFC 9162 §2.1.3.1, bottom first."""
        n = end - start
        if n <= 1:
            return []
        k = split(n)
        if m < k:
            return [*self.path(m, start, start + k), self.mth(start + k, end)]
        return [*self.path(m - k, start + k, end), self.mth(start, start + k)]

    def subproof(self, m: int, start: int, end: int, complete: bool) -> list[bytes]:
        """SUBPROOF(m, D[start:end], b) of RFC 9162 §2.1.4.1."""
        n = end - start
        if m == n:
            return [] if complete else [self.mth(start, end)]
        k = split(n)
        if m <= k:
            return [*self.subproof(m, start, start + k, complete), self.mth(start + k, end)]
        return [*self.subproof(m - k, start + k, end, False), self.mth(start, start + k)]


def _twice(lookup: Lookup, compute: Callable[[_Tree], list[bytes]]) -> list[bytes]:
    wanted: list[NodeKey] = []

    def record(key: NodeKey) -> bytes:
        wanted.append(key)
        return b"\x00" * 32

    compute(_Tree(record))
    found = lookup(dict.fromkeys(wanted))
    missing = [k for k in wanted if k not in found]
    if missing:
        raise LookupError(f"tree nodes missing: {missing[:3]}")
    return compute(_Tree(found.__getitem__))


def root(size: int, lookup: Lookup) -> bytes:
    return _twice(lookup, lambda t: [t.mth(0, size)])[0]


def inclusion_proof(index: int, size: int, lookup: Lookup) -> list[bytes]:
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of size {size}")
    return _twice(lookup, lambda t: t.path(index, 0, size))


def consistency_proof(old: int, new: int, lookup: Lookup) -> list[bytes]:
    if not 0 <= old <= new:
        raise ValueError(f"no consistency proof from size {old} to {new}")
    if old in (0, new):
        return []
    return _twice(lookup, lambda t: t.subproof(old, 0, new, True))


def lookup_in(leaf_hashes: list[bytes]) -> Lookup:
    """A lookup over leaf hashes held in memory (tests, exports, a rebuild from scratch)."""
    levels = [list(leaf_hashes)]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])

    def lookup(keys: Iterable[NodeKey]) -> dict[NodeKey, bytes]:
        return {
            (lv, ix): levels[lv][ix] for lv, ix in keys if lv < len(levels) and ix < len(levels[lv])
        }

    return lookup


__all__ = ["consistency_proof", "inclusion_proof", "lookup_in", "root", "split"]
