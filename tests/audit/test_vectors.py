"""RFC 9162 proof vectors (transparency-dev/merkle testdata, kept in shared/, never copied here).

Each vector file states its own expectation in ``wantErr``: it must verify where that is false
and be rejected where it is true, by ``verify_inclusion`` / ``verify_consistency``; the file
name means nothing. ``tree.py`` must generate exactly the proofs of the vectors that verify.

The upstream suite holds more than our copy (``inclusion/additional/*``,
``inclusion/single-entry``, ``consistency/additional``: edge cases of sizes 0 and 1, equal
sizes, empty and odd-length hashes). Those cases are restated below from our own trees, each
naming its upstream file, with the verdict of the reference verifier (transparency-dev/merkle,
``proof/verify.go``), which ``_reference_inclusion`` / ``_reference_consistency`` port to
compare with ours on many more trees. Where ours is deliberately stricter (hashes that are not
32 bytes), its reason says ``STRICTER`` and docs/verifiable-log.md lists the cases.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from collab.audit import tree
from collab.audit.verify import (
    EMPTY_ROOT,
    STRICTER,
    VerifierKey,
    consistency_problem,
    inclusion_problem,
    leaf_hash,
    node_hash,
    open_checkpoint,
    root_of,
    verify_bundle,
    verify_consistency,
    verify_inclusion,
)

from .support import Log

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "vectors" / "rfc9162"
FILES = sorted(VECTORS.rglob("*.json")) if VECTORS.is_dir() else []
LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
          "606162636465666768696a6b6c6d6e6f"]  # fmt: skip
ROOT8 = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
HASHES = [leaf_hash(bytes.fromhex(x)) for x in LEAVES]
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")
DONT_CARE_1, DONT_CARE_2 = b"don't care 1", b"don't care 2"  # upstream's 12-byte "roots"


def _need_vectors() -> None:
    reason = f"RFC 9162 vectors not found at {VECTORS}"
    if os.environ.get("COLLAB_REQUIRE_VECTORS") == "1":
        pytest.fail(f"{reason} (COLLAB_REQUIRE_VECTORS=1)")
    pytest.skip(f"{reason} (set COLLAB_REQUIRE_VECTORS=1 to fail instead)")


def _b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    for key in ("root", "leafHash", "root1", "root2"):
        if key in data:
            data[key] = _b64(data[key])
    data["proof"] = [_b64(p) for p in data["proof"] or []]
    if not isinstance(data.get("wantErr"), bool):
        raise ValueError(f"{path}: wantErr is not true or false")
    return data


def _kind(path: Path) -> str:
    """``inclusion`` or ``consistency``: the top folder, however deep the file lies."""
    kind = path.relative_to(VECTORS).parts[0]
    assert kind in ("inclusion", "consistency"), path
    return kind


def _problem(path: Path, v: dict[str, Any]) -> str | None:
    if _kind(path) == "inclusion":
        return inclusion_problem(v["leafIdx"], v["treeSize"], v["leafHash"], v["proof"], v["root"])
    return consistency_problem(v["size1"], v["size2"], v["root1"], v["root2"], v["proof"])


def _odd_length_hash(v: dict[str, Any]) -> bool:
    values = [v[k] for k in ("root", "leafHash", "root1", "root2") if k in v] + v["proof"]
    return any(len(h) != 32 for h in values)


def _name(path: Path | None) -> str:
    return "missing" if path is None else str(path.relative_to(VECTORS))


VERIFYING = [f for f in FILES if not _load(f)["wantErr"]]


@pytest.mark.parametrize("path", FILES or [None], ids=_name)
def test_vector_is_accepted_or_rejected_as_its_wantErr_says(path: Path | None) -> None:
    if path is None:
        _need_vectors()
        return
    # Given a vector file and the expectation it states itself
    v = _load(path)
    # When it is verified
    problem = _problem(path, v)
    # Then it is rejected where wantErr is true, and verifies where it is false, unless the
    # verifier says it is deliberately stricter about a hash that is not 32 bytes long
    if v["wantErr"]:
        assert problem is not None, f"{v['desc']}: verified, the file wants an error"
    elif problem is not None:
        assert STRICTER in problem and _odd_length_hash(v), f"{v['desc']}: {problem}"


def _tree_of(path: Path, v: dict[str, Any]) -> list[bytes] | None:
    """The leaf hashes of the tree a vector is about, from its own data: the classic leaves
    when its hashes are theirs, or the single leaf a one-leaf tree names."""
    if _kind(path) == "inclusion":
        size, index = v["treeSize"], v["leafIdx"]
        if index < size <= len(HASHES) and HASHES[index] == v["leafHash"]:
            return HASHES[:size]
        return [v["leafHash"]] if size == 1 else None
    size = v["size2"]
    return HASHES[:size] if size <= len(HASHES) and root_of(HASHES[:size]) == v["root2"] else None


@pytest.mark.parametrize("path", VERIFYING or [None], ids=_name)
def test_tree_generates_the_proofs_of_the_vectors_that_verify(path: Path | None) -> None:
    if path is None:
        _need_vectors()
        return
    # Given a vector whose wantErr is false, and the tree it is about, looked up as tree.py
    # looks up stored nodes
    v = _load(path)
    hashes = _tree_of(path, v)
    if hashes is None:
        pytest.skip(f"{_name(path)}: not a tree of the classic leaves nor of one leaf")
    lookup = tree.lookup_in(hashes)
    # When tree.py computes the same proof
    if _kind(path) == "inclusion":
        proof = tree.inclusion_proof(v["leafIdx"], v["treeSize"], lookup)
        roots = [(v["treeSize"], v["root"])]
        assert hashes[v["leafIdx"]] == v["leafHash"]
    else:
        proof = tree.consistency_proof(v["size1"], v["size2"], lookup)
        roots = [(v["size1"], v["root1"]), (v["size2"], v["root2"])]
    # Then it is the vector's proof, and the roots match the streaming root too
    assert proof == v["proof"]
    for size, root in roots:
        assert tree.root(size, lookup) == root
        assert root_of(hashes[:size]) == root


def test_the_vectors_hold_both_verdicts() -> None:
    # Given the vector folder; Then it holds both kinds of proof, expecting both verdicts
    if not FILES:
        _need_vectors()
    kinds = {(_kind(f), bool(_load(f)["wantErr"])) for f in FILES}
    assert kinds == {(k, w) for k in ("inclusion", "consistency") for w in (False, True)}


def test_root_of_the_eight_classic_leaves() -> None:
    # Given the eight RFC 6962 test leaves; When the root is computed both ways; Then it is known
    assert root_of(HASHES).hex() == ROOT8
    assert tree.root(8, tree.lookup_in(HASHES)).hex() == ROOT8
    assert root_of([]) == EMPTY_ROOT == tree.root(0, tree.lookup_in([]))


@pytest.mark.parametrize("size", range(1, 70))
def test_every_generated_proof_verifies(size: int) -> None:
    # Given trees of many shapes
    hashes = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    lookup = tree.lookup_in(hashes)
    root = root_of(hashes)
    assert tree.root(size, lookup) == root
    for i in range(size):
        # When each inclusion and consistency proof is made; Then it verifies, and not elsewhere
        proof = tree.inclusion_proof(i, size, lookup)
        assert verify_inclusion(i, size, hashes[i], proof, root)
        assert not verify_inclusion(i, size, hashes[i - 1], proof, root) or size == 1
        assert not verify_inclusion(size, size, hashes[i], proof, root)  # index == size
        old = i + 1
        consistency = tree.consistency_proof(old, size, lookup)
        assert verify_consistency(old, size, root_of(hashes[:old]), root, consistency)
        if old < size:
            assert not verify_consistency(old, size, root, root, consistency)


# -- The reference verifier, ported -------------------------------------------------------------
# transparency-dev/merkle proof/verify.go (RootFromInclusionProof, RootFromConsistencyProof and
# verifyMatch): hash lengths are checked for the leaf hash only; everything else is hashed or
# compared as given.


def _chain_inner(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, h in enumerate(proof):
        seed = node_hash(seed, h) if (index >> i) & 1 == 0 else node_hash(h, seed)
    return seed


def _chain_inner_right(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, h in enumerate(proof):
        if (index >> i) & 1:
            seed = node_hash(h, seed)
    return seed


def _chain_border_right(seed: bytes, proof: Sequence[bytes]) -> bytes:
    for h in proof:
        seed = node_hash(h, seed)
    return seed


def _decomp(index: int, size: int) -> tuple[int, int]:
    inner = (index ^ (size - 1)).bit_length()
    return inner, bin(index >> inner).count("1")


def _reference_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    if index >= size or len(leaf) != 32:
        return False
    inner, border = _decomp(index, size)
    if len(proof) != inner + border:
        return False
    return _chain_border_right(_chain_inner(leaf, proof[:inner], index), proof[inner:]) == root


def _reference_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> bool:
    if size2 < size1 or size1 == 0:
        return False
    if size1 == size2:
        return not proof and root1 == root2
    if not proof:
        return False
    inner, border = _decomp(size1 - 1, size2)
    shift = (size1 & -size1).bit_length() - 1
    inner -= shift
    seed, start = (root1, 0) if size1 == 1 << shift else (proof[0], 1)
    if len(proof) != start + inner + border:
        return False
    rest, mask = proof[start:], (size1 - 1) >> shift
    if _chain_border_right(_chain_inner_right(seed, rest[:inner], mask), rest[inner:]) != root1:
        return False
    return _chain_border_right(_chain_inner(seed, rest[:inner], mask), rest[inner:]) == root2


def _flipped(proof: list[bytes], i: int, bit: int) -> list[bytes]:
    wrong = list(proof)
    wrong[i] = bytes([wrong[i][0] ^ bit]) + wrong[i][1:]
    return wrong


def _inclusion_probes(
    i: int, n: int, root: bytes, h: bytes, proof: list[bytes]
) -> list[tuple[int, int, bytes, list[bytes], bytes]]:
    """The happy path and the corruptions of upstream cmd/proofgen (invalidInclusionProof)."""
    probes = [
        (i, n, h, proof, root), (i - 1, n, h, proof, root), (i + 1, n, h, proof, root),
        (i ^ 2, n, h, proof, root), (i, n * 2, h, proof, root), (i, n // 2, h, proof, root),
        (i, n, b"WrongLeaf", proof, root), (i, n, h, proof, EMPTY_ROOT),
        (i, n, h, proof, SOME_HASH),
        (i, n, h, [*proof, b""], root), (i, n, h, [*proof, root], root),
        (i, n, h, [b"", *proof], root), (i, n, h, [root, *proof], root),
    ]  # fmt: skip
    probes += [(i, n, h, _flipped(proof, k, 8), root) for k in range(len(proof))]
    if proof:
        probes.append((i, n, h, proof[:-1], root))
    if len(proof) > 1:
        probes.append((i, n, h, [proof[0], SOME_HASH, *proof[1:]], root))
    return [(x % (1 << 64), s, leaf, p, r) for x, s, leaf, p, r in probes]  # uint64, as upstream


def _consistency_probes(
    m: int, n: int, r1: bytes, r2: bytes, proof: list[bytes]
) -> list[tuple[int, int, bytes, bytes, list[bytes]]]:
    """The happy path and the corruptions of upstream cmd/proofgen (invalidConsistencyProof)."""
    probes = [(m, n, r1, r2, proof)]
    if proof:
        probes += [
            (m - 1, n, r1, r2, proof), (m + 1, n, r1, r2, proof), (m ^ 2, n, r1, r2, proof),
            (m, n * 2, r1, r2, proof), (m, n // 2, r1, r2, proof),
            (m, n, b"WrongRoot", r2, proof), (m, n, r1, b"WrongRoot", proof),
            (m, n, r2, r1, proof), (m, n, r1, r2, []), (m, n, r1, r2, [*proof, b""]),
            (m, n, r1, r2, [*proof, r1]), (m, n, r1, r2, [*proof, r2]),
            (m, n, r1, r2, [b"", *proof]), (m, n, r1, r2, [r1, *proof]),
            (m, n, r1, r2, [r2, *proof]), (m, n, r1, r2, [proof[0], *proof]),
            (m, n, r1, r2, proof[:-1]),
        ]  # fmt: skip
        probes += [(m, n, r1, r2, _flipped(proof, k, 16)) for k in range(len(proof))]
    return probes


def _same_verdict(reason: str | None, reference: bool, probe: Sequence[Any]) -> None:
    """Ours verifies where the reference does, or refuses saying STRICTER; never otherwise."""
    if reference:
        assert reason is None or STRICTER in reason, (probe[:2], reason)
    else:
        assert reason is not None and STRICTER not in reason, (probe[:2], reason)
    if STRICTER in (reason or ""):
        assert any(len(h) != 32 for h in probe if isinstance(h, bytes)), (probe[:2], reason)


@pytest.mark.parametrize("size", range(1, 40))
def test_the_verifier_agrees_with_the_reference_on_upstreams_corruptions(size: int) -> None:
    # Given every proof of a tree of this size, and upstream's corruptions of each
    hashes = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    lookup = tree.lookup_in(hashes)
    root = root_of(hashes)
    verdicts: set[bool] = set()
    for i in range(size):
        proof = tree.inclusion_proof(i, size, lookup)
        for probe in _inclusion_probes(i, size, root, hashes[i], proof):
            # When ours and the reference verify it; Then they agree
            reference = _reference_inclusion(*probe)
            _same_verdict(inclusion_problem(*probe), reference, probe)
            assert verify_inclusion(*probe) is reference
            verdicts.add(reference)
        old = i + 1
        consistency = tree.consistency_proof(old, size, lookup)
        r1 = root_of(hashes[:old])
        for c in _consistency_probes(old, size, r1, root, consistency):
            reference = _reference_consistency(*c)
            _same_verdict(consistency_problem(*c), reference, c)
            assert verify_consistency(*c) is reference
            verdicts.add(reference)
    assert verdicts == {True, False}


# -- Upstream's edge cases, restated from our own trees -----------------------------------------
# Each case names its file in transparency-dev/merkle (testdata/); the verdict is the one the
# reference gives (wantErr there), here True for "verifies".

R1, R2, R3 = (root_of(HASHES[:n]) for n in (1, 2, 3))
DATA = leaf_hash(b"data")  # upstream's single-entry tree
C = "consistency/additional/"
Case = tuple[str, Callable[[], bool], bool]
UPSTREAM: list[Case] = [
    (C + "sizes-are-equal-(zero)-but-roots-are-not.json",
     lambda: verify_consistency(0, 0, EMPTY_ROOT, R1, []), False),
    (C + "sizes-are-equal-(one)-but-roots-are-not.json",
     lambda: verify_consistency(1, 1, R1, R2, []), False),
    (C + "sizes-are-equal-zero-and-proof-is-empty.json",  # wantErr true since the
     lambda: verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, []), False),  # size-0 rule
    (C + "size1-is-zero-and-does-not-equal-size2.json",
     lambda: verify_consistency(0, 1, EMPTY_ROOT, R1, []), False),
    (C + "sizes-are-equal-one-and-proof-is-empty.json",
     lambda: verify_consistency(1, 1, R1, R1, []), True),
    (C + "sizes-are-equal-one-and-proof-is-empty.json (size 8)",
     lambda: verify_consistency(8, 8, bytes.fromhex(ROOT8), bytes.fromhex(ROOT8), []), True),
    (C + "size1-is-greater-than-size2.json", lambda: verify_consistency(1, 0, R1, R1, []), False),
    (C + "size1-is-greater-than-size2-again.json",
     lambda: verify_consistency(2, 1, R2, R1, []), False),
    (C + "sizes-do-not-watch-and-proof-is-empty.json",
     lambda: verify_consistency(1, 2, R1, R2, []), False),
    (C + "roots-do-not-match-and-sizes-are-zero.json",
     lambda: verify_consistency(0, 0, EMPTY_ROOT, SOME_HASH, []), False),
    (C + "roots-do-not-not-match-and-sizes-are-one.json",
     lambda: verify_consistency(1, 1, EMPTY_ROOT, R1, []), False),
    (C + "sizes-match-but-proof-is-not-empty-and-sizes-are-zero.json",
     lambda: verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT]), False),
    (C + "sizes-match-but-proof-is-not-empty-and-sizes-are-one.json",
     lambda: verify_consistency(1, 1, R1, R1, [EMPTY_ROOT]), False),
    (C + "size1-is-zero-and-size2-is-not-zero.json",
     lambda: verify_consistency(0, 3, EMPTY_ROOT, R3, []), False),
    (C + "consistency-check-on-empty-tree-(size1-is-zero)-is-useless.json",
     lambda: verify_consistency(0, 1, EMPTY_ROOT, R1, [HASHES[0]]), False),
    ("inclusion/single-entry/matching-root-and-leaf.json",
     lambda: verify_inclusion(0, 1, DATA, [], DATA), True),
    ("inclusion/single-entry/empty-leaf.json",
     lambda: verify_inclusion(0, 1, b"", [], DATA), False),
    ("inclusion/single-entry/empty-root.json",
     lambda: verify_inclusion(0, 1, DATA, [], b""), False),
    ("inclusion/single-entry/empty-root-and-leaf.json",
     lambda: verify_inclusion(0, 1, b"", [], b""), False),
    ("inclusion/0/happy-path.json (size 1, the classic leaf)",
     lambda: verify_inclusion(0, 1, HASHES[0], [], R1), True),
    ("inclusion/0/leafIdx-plus-@1.json (index == size)",
     lambda: verify_inclusion(1, 1, HASHES[0], [], R1), False),
    ("inclusion/0/leafIdx-plus-@1.json (index == size 8)",
     lambda: verify_inclusion(8, 8, HASHES[7], [], bytes.fromhex(ROOT8)), False),
]  # fmt: skip
# inclusion/additional/{0,1,2,3}: (index, size) = (0, 0), (0, 1), (1, 0), (2, 1), empty proofs
for _i, (_x, _n) in enumerate([(0, 0), (0, 1), (1, 0), (2, 1)]):
    UPSTREAM += [
        (f"inclusion/additional/{_i}/random-leaf.json",
         lambda x=_x, n=_n: verify_inclusion(x, n, SOME_HASH, [], b""), False),
        (f"inclusion/additional/{_i}/empty-root.json",
         lambda x=_x, n=_n: verify_inclusion(x, n, b"", [], EMPTY_ROOT), False),
        (f"inclusion/additional/{_i}/empty-root-and-random-leaf.json",
         lambda x=_x, n=_n: verify_inclusion(x, n, SOME_HASH, [], EMPTY_ROOT), False),
    ]  # fmt: skip


@pytest.mark.parametrize(("upstream", "check", "verifies"), UPSTREAM, ids=[c[0] for c in UPSTREAM])
def test_upstream_edge_cases_get_the_reference_verdict(
    upstream: str, check: Callable[[], bool], verifies: bool
) -> None:
    # Given the semantics of an upstream vector, on our trees; When verified; Then as upstream
    assert check() is verifies, upstream


def test_the_port_gives_the_verdicts_upstream_states() -> None:
    # Given the reference port; Then it too gives upstream's verdicts on the edge cases above
    assert _reference_consistency(1, 1, R1, R1, []) and not _reference_consistency(0, 0, R1, R1, [])
    assert not _reference_consistency(0, 3, EMPTY_ROOT, R3, [])
    assert _reference_inclusion(0, 1, DATA, [], DATA)
    assert not _reference_inclusion(0, 1, b"", [], b"")
    assert not _reference_inclusion(1, 1, DATA, [], DATA)
    # upstream's consistency/additional/sizes-are-equal-one-and-proof-is-empty.json, verbatim
    assert _reference_consistency(1, 1, DONT_CARE_2, DONT_CARE_2, [])


# -- Where ours is stricter: hashes that are not 32 bytes ---------------------------------------


def _chosen_root_inclusion() -> tuple[int, int, bytes, list[bytes], bytes]:
    """Leaf 0 of a tree of size 2 whose proof hash is 5 bytes, the root hashed from it."""
    return 0, 2, HASHES[0], [b"short"], node_hash(HASHES[0], b"short")


STRICTER_CASES: list[tuple[str, Callable[[], bool], Callable[[], str | None]]] = [
    # upstream consistency/additional/sizes-are-equal-one-and-proof-is-empty.json (wantErr
    # false), and sizes-are-equal-and-proof-is-empty-where-both-sizes-are-one.json before it
    ("equal sizes, equal 12-byte roots",
     lambda: _reference_consistency(1, 1, DONT_CARE_2, DONT_CARE_2, []),
     lambda: consistency_problem(1, 1, DONT_CARE_2, DONT_CARE_2, [])),
    ("inclusion proof hash of 5 bytes, root hashed from it",
     lambda: _reference_inclusion(*_chosen_root_inclusion()),
     lambda: inclusion_problem(*_chosen_root_inclusion())),
    ("consistency proof hash of 5 bytes, root2 hashed from it",
     lambda: _reference_consistency(1, 2, R1, node_hash(R1, b"short"), [b"short"]),
     lambda: consistency_problem(1, 2, R1, node_hash(R1, b"short"), [b"short"])),
    ("root1 of 12 bytes from a power-of-two size, root2 hashed from it",
     lambda: _reference_consistency(1, 2, DONT_CARE_1, node_hash(DONT_CARE_1, R1), [R1]),
     lambda: consistency_problem(1, 2, DONT_CARE_1, node_hash(DONT_CARE_1, R1), [R1])),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "reference", "ours"), STRICTER_CASES, ids=[c[0] for c in STRICTER_CASES]
)
def test_where_ours_is_stricter_it_says_so(
    case: str, reference: Callable[[], bool], ours: Callable[[], str | None]
) -> None:
    # Given a case the reference accepts only because it never checks a hash's length
    assert reference(), case
    # When ours checks it; Then it refuses, and its reason says it is stricter than the reference
    reason = ours()
    assert reason is not None and STRICTER in reason, reason


def test_hostile_inputs_are_refused_not_raised() -> None:
    # Given malformed arguments of every kind; When verified; Then False, never an exception
    h = HASHES[0]
    bad: list[tuple[Any, ...]] = [
        (-1, 1, h, [], h), (0, 1, h[:31], [], h), (0, 1, h, [], "x" * 32),
        (True, 2, h, [h], h), (0, 2**64, h, [h], h), (0, 2, h, [None], h), (0, 2, h, 5, h),
    ]  # fmt: skip
    for args in bad:
        assert verify_inclusion(*args) is False
        assert isinstance(inclusion_problem(*args), str)
    assert verify_consistency(0, 1, EMPTY_ROOT, h, [h]) is False  # from size 0, non-empty
    assert verify_consistency(0, 1, EMPTY_ROOT, h, []) is False  # from size 0: meaningless
    assert verify_consistency(1, 1, h, h, [h]) is False  # equal sizes need an empty proof
    assert verify_consistency(2, 1, h, h, [h]) is False
    assert verify_consistency(1, 2, h, node_hash(h, h), [h[:16]]) is False
    assert verify_consistency(1, 2, h, node_hash(h, h), 7) is False  # type: ignore[arg-type]
    assert verify_consistency(1, 2, h, node_hash(h, h), [None]) is False  # type: ignore[list-item]


def test_a_bundle_from_a_previous_checkpoint_of_size_0_needs_no_proof() -> None:
    # Given an auditor holding the checkpoint of the empty log (verify_consistency refuses a
    # proof from size 0, as the reference does: the bundle check asks for the empty root instead)
    log = Log.populate(12)
    keys = [VerifierKey.parse(log.signer.verifier)]
    previous = open_checkpoint(log.checkpoint(0), keys)
    bundle = log.bundle(3, from_size=0)
    # When the bundle proving size 0 -> 12 is verified; Then it is clean
    assert bundle["consistency"]["proof"] == []
    assert verify_bundle(bundle, keys, previous=previous).problems == []
    # But a proof from size 0 that is not empty is named
    bundle["consistency"]["proof"] = [EMPTY_ROOT.hex()]
    problems = verify_bundle(bundle, keys, previous=previous).problems
    assert [p.reason for p in problems] == [
        "consistency proof from size 0 to 12 does not verify: from size 0 the proof must be "
        "empty (the log was rewritten since the previous checkpoint)"
    ]
