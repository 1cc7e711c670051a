"""RFC 9162 proof vectors (transparency-dev/merkle testdata, kept in shared/, never copied here).

Every ``happy-path.json`` must verify and every other file must be rejected, by
``verify_inclusion`` / ``verify_consistency``; ``tree.py`` must generate exactly the
happy-path proofs from the eight classic RFC 6962 test leaves.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import pytest

from collab.audit import tree
from collab.audit.verify import (
    EMPTY_ROOT,
    leaf_hash,
    node_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "vectors" / "rfc9162"
FILES = sorted(VECTORS.rglob("*.json")) if VECTORS.is_dir() else []
HAPPY = [f for f in FILES if f.name == "happy-path.json"]
LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
          "606162636465666768696a6b6c6d6e6f"]  # fmt: skip
ROOT8 = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
HASHES = [leaf_hash(bytes.fromhex(x)) for x in LEAVES]


def _need_vectors() -> None:
    reason = f"RFC 9162 vectors not found at {VECTORS}"
    if os.environ.get("COLLAB_REQUIRE_VECTORS") == "1":
        pytest.fail(f"{reason} (COLLAB_REQUIRE_VECTORS=1)")
    pytest.skip(f"{reason} (set COLLAB_REQUIRE_VECTORS=1 to fail instead)")


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    for key in ("root", "leafHash", "root1", "root2"):
        if key in data:
            data[key] = base64.b64decode(data[key])
    data["proof"] = [base64.b64decode(p) for p in data["proof"] or []]
    return data


def _verify(path: Path, v: dict[str, Any]) -> bool:
    if path.parent.parent.name == "inclusion":
        return verify_inclusion(v["leafIdx"], v["treeSize"], v["leafHash"], v["proof"], v["root"])
    return verify_consistency(v["size1"], v["size2"], v["root1"], v["root2"], v["proof"])


def _name(path: Path | None) -> str:
    return "missing" if path is None else str(path.relative_to(VECTORS))


@pytest.mark.parametrize("path", FILES or [None], ids=_name)
def test_vector_is_accepted_or_rejected_as_its_file_says(path: Path | None) -> None:
    if path is None:
        _need_vectors()
        return
    # Given a vector file
    v = _load(path)
    # When it is verified
    ok = _verify(path, v)
    # Then only the happy paths verify
    assert ok is (not v["wantErr"]), v["desc"]
    assert v["wantErr"] is (path.name != "happy-path.json")


@pytest.mark.parametrize("path", HAPPY or [None], ids=_name)
def test_tree_generates_the_happy_path_proofs(path: Path | None) -> None:
    if path is None:
        _need_vectors()
        return
    # Given the eight classic leaves, looked up as tree.py looks up stored nodes
    v = _load(path)
    lookup = tree.lookup_in(HASHES)
    # When tree.py computes the same proof
    if path.parent.parent.name == "inclusion":
        proof = tree.inclusion_proof(v["leafIdx"], v["treeSize"], lookup)
        roots = [(v["treeSize"], v["root"])]
        assert HASHES[v["leafIdx"]] == v["leafHash"]
    else:
        proof = tree.consistency_proof(v["size1"], v["size2"], lookup)
        roots = [(v["size1"], v["root1"]), (v["size2"], v["root2"])]
    # Then it is the vector's proof, and the roots match the streaming root too
    assert proof == v["proof"]
    for size, root in roots:
        assert tree.root(size, lookup) == root
        assert root_of(HASHES[:size]) == root


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
        old = i + 1
        consistency = tree.consistency_proof(old, size, lookup)
        assert verify_consistency(old, size, root_of(hashes[:old]), root, consistency)
        if old < size:
            assert not verify_consistency(old, size, root, root, consistency)


def test_hostile_inputs_are_refused_not_raised() -> None:
    # Given malformed arguments of every kind; When verified; Then False, never an exception
    h = HASHES[0]
    bad: list[tuple[Any, ...]] = [
        (-1, 1, h, [], h), (0, 1, h[:31], [], h), (0, 1, h, [], "x" * 32),
        (True, 2, h, [h], h), (0, 2**64, h, [h], h), (0, 2, h, [None], h), (0, 2, h, 5, h),
    ]  # fmt: skip
    for args in bad:
        assert verify_inclusion(*args) is False
    assert verify_consistency(0, 1, EMPTY_ROOT, h, [h]) is False  # from size 0, non-empty
    assert verify_consistency(0, 1, EMPTY_ROOT, h, []) is True
    assert verify_consistency(1, 1, h, h, [h]) is False  # equal sizes need an empty proof
    assert verify_consistency(2, 1, h, h, [h]) is False
    assert verify_consistency(1, 2, h, node_hash(h, h), [h[:16]]) is False
    assert verify_consistency(1, 2, h, node_hash(h, h), 7) is False  # type: ignore[arg-type]
