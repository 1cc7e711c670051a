"""The offline verifier of collab's verifiable log (DESIGN §5, docs/verifiable-log.md).

One file, the standard library and ``cryptography`` only, so an auditor can copy it alone and
run ``python verify.py FILE --pubkey KEYFILE [--checkpoint CP] [--previous-checkpoint OLD]``.
``FILE`` is an export (JSON Lines) or an inclusion proof bundle (one JSON object).
Exit 0 clean, 1 tampered, 2 warnings only, 3 usage or I/O error; a crash never exits 1.

Merkle trees follow RFC 9162 §2.1, checkpoints C2SP tlog-checkpoint, signatures C2SP signed
notes with Ed25519 keys.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import hashlib
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()
EXPORT_FORMAT = "collab-audit-export"
BUNDLE_FORMAT = "collab-audit-proof"
WRITER_PREFIX = b"collab/writer/v1\n"
MAX_PROBLEMS = 100  # per list: a hostile file must not blow memory with its complaints
MAX_LINE = 64 << 20  # bytes; a longer line is cut and reported, not held whole
MAX_BUNDLE = 64 << 20
MAX_SIGNATURES = 100  # signature lines in one note
_U64 = 1 << 64
_JSON_INT = 1 << 53  # integers in entries: 0 .. 2^53 - 1 (RFC 8785 numbers are doubles)
_sha256 = hashlib.sha256

# -- Merkle tree (RFC 9162 §2.1) --------------------------------------------------------------


def leaf_hash(entry: bytes) -> bytes:
    return _sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


class _RootBuilder:
    """The tree as a stack of perfect subtrees, largest first: O(1) amortised per leaf."""

    def __init__(self) -> None:
        self.stack: list[bytes] = []
        self.size = 0

    def add(self, h: bytes) -> None:
        n = self.size
        stack = self.stack
        while n & 1:
            h = node_hash(stack.pop(), h)
            n >>= 1
        stack.append(h)
        self.size += 1

    def root(self) -> bytes:
        if not self.stack:
            return EMPTY_ROOT
        r = self.stack[-1]
        for h in reversed(self.stack[:-1]):  # RFC 9162 MTH: fold right to left
            r = node_hash(h, r)
        return r


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    builder = _RootBuilder()
    for h in leaf_hashes:
        builder.add(h)
    return builder.root()


def _is_hash(h: object) -> bool:
    return isinstance(h, bytes) and len(h) == 32


def _is_u64(n: object) -> bool:
    return isinstance(n, int) and not isinstance(n, bool) and 0 <= n < _U64


# The reference verifier is transparency-dev/merkle's ``proof`` package; the RFC 9162 vector
# suite comes from the same repository. These functions give its verdict on every input whose
# hashes are all 32 bytes long. The reference checks the length of the leaf hash only, and
# hashes or compares any other value as given: where that would verify although a proof hash or
# a root is not 32 bytes, these refuse, and their reason says STRICTER (docs/verifiable-log.md).
STRICTER = "stricter than the reference verifier, transparency-dev/merkle's proof package"


def _bits(n: int) -> int:
    return bin(n).count("1")


def _stricter(values: Sequence[bytes], names: Sequence[str]) -> str | None:
    """The STRICTER reason for a proof that verifies only if hashes of other lengths count."""
    for value, name in zip(values, names, strict=True):
        if len(value) != 32:
            return f"{name} is {len(value)} bytes, not 32, so refused ({STRICTER})"
    return None


def _inclusion_problem(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> str | None:
    if not (_is_u64(index) and _is_u64(size)):
        return "the leaf index and the tree size must be integers from 0 to 2**64 - 1"
    if index >= size:
        return f"leaf {index} is not in a tree of size {size}"
    if not _is_hash(leaf):
        return "the leaf hash is not 32 bytes"
    path = list(proof)
    if not (isinstance(root, bytes) and all(isinstance(p, bytes) for p in path)):
        return "the proof or the root is not made of byte strings"
    inner = (index ^ (size - 1)).bit_length()  # below the node where index and size-1 part
    want = inner + _bits(index >> inner)
    if len(path) != want:
        return f"the proof has {len(path)} hashes; leaf {index} of size {size} takes {want}"
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:  # unreachable after the count above; kept as the RFC's own guard
            return "the proof is too long"
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        return "the proof is too short"
    if r != root:
        return "the proof leads to another root" if _is_hash(root) else "the root is not 32 bytes"
    return _stricter(path, [f"proof hash {k}" for k in range(len(path))])


def inclusion_problem(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> str | None:
    """Why an RFC 9162 §2.1.3.2 inclusion proof fails, or None when it verifies.

    Never raises: malformed input of any kind is a reason, not an exception."""
    try:
        return _inclusion_problem(index, size, leaf, proof, root)
    except Exception as e:  # hostile input (odd sequence types)
        return f"malformed input ({type(e).__name__})"


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2; False (never an exception) for any malformed input."""
    return inclusion_problem(index, size, leaf, proof, root) is None


def _consistency_problem(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> str | None:
    if not (_is_u64(size1) and _is_u64(size2)):
        return "tree sizes must be integers from 0 to 2**64 - 1"
    if size1 > size2:
        return f"size1 {size1} is larger than size2 {size2}"
    path = list(proof)
    if not all(isinstance(h, bytes) for h in [root1, root2, *path]):
        return "the proof or a root is not made of byte strings"
    if size1 == 0:  # the reference refuses it too: every tree extends the empty one
        return "a consistency proof from the empty tree (size 0) is meaningless"
    if size1 == size2:
        if path:
            return f"the sizes are equal ({size1}) but the proof is not empty"
        if root1 != root2:
            return f"the sizes are equal ({size1}) but the roots differ"
        return _stricter([root1, root2], ["root1", "root2"])
    if not path:
        return "the proof is empty"
    inner = ((size1 - 1) ^ (size2 - 1)).bit_length()
    shift = (size1 & -size1).bit_length() - 1  # the old tree's last perfect subtree: 2**shift
    perfect = size1 == 1 << shift  # then that subtree is the old tree: root1 starts the path
    want = int(not perfect) + inner - shift + _bits((size1 - 1) >> inner)
    if len(path) != want:
        return f"the proof has {len(path)} hashes; size {size1} to {size2} takes {want}"
    names = [f"proof hash {k}" for k in range(len(path))]
    if perfect:
        path.insert(0, root1)
        names.insert(0, "root1")
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:  # unreachable after the count above; kept as the RFC's own guard
            return "the proof is too long"
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        return "the proof is too short"
    if fr != root1:
        return f"the proof does not lead to root1 (size {size1})"
    if sr != root2:
        return f"the proof does not lead to root2 (size {size2})"
    return _stricter(path, names)


def consistency_problem(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> str | None:
    """Why an RFC 9162 §2.1.4.2 consistency proof fails, or None when it verifies.

    Never raises. Like the reference, a proof from size 0 always fails, even to size 0: there is
    nothing to prove (check instead that the old root is SHA-256 of nothing, ``EMPTY_ROOT``)."""
    try:
        return _consistency_problem(size1, size2, root1, root2, proof)
    except Exception as e:  # hostile input (odd sequence types)
        return f"malformed input ({type(e).__name__})"


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2; False (never an exception) for any malformed input."""
    return consistency_problem(size1, size2, root1, root2, proof) is None


# -- Canonical JSON, keys, notes ---------------------------------------------------------------


def _dumps(obj: Mapping[str, Any]) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(obj: Mapping[str, str | int]) -> bytes:
    """RFC 8785 for objects of strings and integers (ASCII keys sort the same either way)."""
    return _dumps(obj).encode()


def key_id(name: str, public_key: bytes) -> str:
    return _sha256(name.encode() + b"\n\x01" + public_key).digest()[:4].hex()


class NoteError(ValueError):
    """A key, note or checkpoint that cannot be read or does not verify."""


_NAME = re.compile(r"[^\s+]+")
_HEX8 = re.compile(r"[0-9a-f]{8}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,19}")
_RECORDED_AT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


def _b64(text: str) -> bytes:
    """Strict base64 (alphabet and padding); binascii.Error (a ValueError) otherwise."""
    return binascii.a2b_base64(text.encode("ascii"), strict_mode=True)


@dataclass(frozen=True)
class VerifierKey:
    name: str
    key_id: str
    public_key: Ed25519PublicKey = field(compare=False, repr=False)
    public_bytes: bytes = field(repr=False)

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        """``<name>+<hexid>+<base64(0x01 ‖ pub)>`` (C2SP signed-note verifier key)."""
        parts = text.strip().split("+", 2)  # the base64 may hold "+" too
        if len(parts) != 3 or not _NAME.fullmatch(parts[0]) or not _HEX8.fullmatch(parts[1]):
            raise NoteError("not a verifier key: expected <name>+<8 hex>+<base64>")
        name, kid, encoded = parts
        try:
            raw = _b64(encoded)
        except ValueError as e:
            raise NoteError(f"verifier key {name}+{kid}: bad base64") from e
        if len(raw) != 33 or raw[0] != 1:
            raise NoteError(f"verifier key {name}+{kid}: not an Ed25519 (0x01) key")
        if key_id(name, raw[1:]) != kid:
            raise NoteError(f"verifier key {name}+{kid}: the key id does not match the key")
        return cls(name, kid, Ed25519PublicKey.from_public_bytes(raw[1:]), raw[1:])

    def verify(self, signature: bytes, message: bytes) -> bool:
        if len(signature) != 64:
            return False
        try:
            self.public_key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


def checkpoint_body(origin: str, size: int, root: bytes) -> str:
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n"


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    note: str
    key_ids: tuple[str, ...]


def _split_note(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    if _CONTROL.search(note):
        raise NoteError("note holds control characters")
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise NoteError("not a signed note: no blank line before the signatures")
    body, lines = note[: cut + 1], note[cut + 2 : -1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError("too many signature lines")
    signatures = []
    for line in lines:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "\u2014" or not _NAME.fullmatch(parts[1]):
            raise NoteError("malformed signature line")
        try:
            raw = _b64(parts[2])
        except ValueError as e:
            raise NoteError("malformed signature line: bad base64") from e
        if len(raw) < 5:
            raise NoteError("malformed signature line: too short")
        signatures.append((parts[1], raw))
    return body, signatures


def open_checkpoint(note: str, keys: Sequence[VerifierKey]) -> Checkpoint:
    """The checkpoint in ``note`` if a signature by one of ``keys`` named as its origin verifies."""
    if not isinstance(note, str):
        raise NoteError("checkpoint is not text")
    body, signatures = _split_note(note)
    lines = body.split("\n")[:-1]
    if len(lines) < 3 or not all(lines):
        raise NoteError("checkpoint body needs origin, size and root lines")
    origin, size_text, root_text = lines[:3]
    if not _DECIMAL.fullmatch(size_text) or int(size_text) >= _U64:
        raise NoteError(f"checkpoint size {size_text!r} is not a decimal without leading zeros")
    try:
        root = _b64(root_text)
    except ValueError as e:
        raise NoteError("checkpoint root is not base64") from e
    if len(root) != 32 or base64.b64encode(root).decode() != root_text:
        raise NoteError("checkpoint root is not a base64 32-byte hash")
    verified = []
    for name, raw in signatures:
        for key in keys:
            mine = key.name == name == origin and key.key_id == raw[:4].hex()
            if mine and key.verify(raw[4:], body.encode()):
                verified.append(key.key_id)
    if not verified:
        known = ", ".join(f"{k.name}+{k.key_id}" for k in keys) or "none"
        raise NoteError(
            f"no signature by a given key of origin {origin!r} verifies (keys: {known})"
        )
    return Checkpoint(origin, int(size_text), root, note, tuple(verified))


def writer_message(stream: str, version: int, topic: str, state_sha256: str) -> bytes:
    fields: dict[str, str | int] = {
        "stream": stream,
        "version": version,
        "topic": topic,
        "state_sha256": state_sha256,
    }
    return WRITER_PREFIX + canonical_json(fields)


# -- Reports -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    leaf: int | None
    position: int | None
    reason: str

    def __str__(self) -> str:
        where = "log" if self.leaf is None else f"leaf {self.leaf}"
        if self.position is not None:
            where += f" (position {self.position})"
        return f"{where}: {self.reason}"


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)  # tampering; the first is the first bad
    warnings: list[Problem] = field(default_factory=list)
    size: int = 0  # the checkpoint's tree size
    checked: int = 0  # leaves checked
    omitted: int = 0  # problems and warnings past MAX_PROBLEMS, counted but not kept

    def problem(self, leaf: int | None, position: int | None, reason: str) -> None:
        self._add(self.problems, Problem(leaf, position, reason))

    def warn(self, leaf: int | None, position: int | None, reason: str) -> None:
        self._add(self.warnings, Problem(leaf, position, reason))

    def _add(self, into: list[Problem], problem: Problem) -> None:
        if len(into) < MAX_PROBLEMS:
            into.append(problem)
        else:
            self.omitted += 1

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 2 if self.warnings else 0

    def to_json(self) -> dict[str, Any]:
        def items(ps: list[Problem]) -> list[dict[str, Any]]:
            return [{"leaf": p.leaf, "position": p.position, "reason": p.reason} for p in ps]

        status = ("clean", "tampered", "warnings")[self.exit_code]
        first = items(self.problems[:1])
        return {
            "status": status,
            "exit_code": self.exit_code,
            "size": self.size,
            "checked": self.checked,
            "first_bad": first[0] if first else None,
            "problems": items(self.problems),
            "warnings": items(self.warnings),
            "omitted": self.omitted,
        }


class _Bad(Exception):
    """One check failed: a tampering problem at the current leaf."""

    def __init__(self, reason: str, position: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.position = reason, position


def _loads(text: str | bytes, what: str) -> Any:
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return json.loads(text)
    except UnicodeDecodeError as e:
        raise _Bad(f"{what} is not valid UTF-8") from e
    except (ValueError, RecursionError) as e:
        raise _Bad(f"{what} is not valid JSON") from e


_ENTRY_TYPES: dict[str, type] = {
    "v": int,
    "origin": str,
    "leaf": int,
    "position": int,
    "stream": str,
    "version": int,
    "topic": str,
    "state_sha256": str,
    "stream_prev": str,
    "recorded_at": str,
}
_ENTRY_KEYS = frozenset(_ENTRY_TYPES)


def _read_entry(text: str, origin: str | None) -> dict[str, Any]:
    """The entry's fields if it is canonical and well-typed; _Bad otherwise."""
    entry = _loads(text, "entry")
    if not isinstance(entry, dict) or entry.keys() != _ENTRY_KEYS:
        raise _Bad("entry does not have exactly the documented keys")
    position = entry["position"] if type(entry["position"]) is int else None
    for key, kind in _ENTRY_TYPES.items():
        if type(entry[key]) is not kind:
            raise _Bad(f"entry field {key!r} is not {kind.__name__}", position)
    try:
        canonical = _dumps(entry) == text
    except ValueError:
        canonical = False
    if not canonical:
        raise _Bad("entry is not canonical JSON (RFC 8785)", position)
    if entry["v"] != 1:
        raise _Bad(f"entry version v={entry['v']} is not 1", position)
    if origin is not None and entry["origin"] != origin:
        raise _Bad(f"entry origin {entry['origin']!r} is not the log's {origin!r}", position)
    if not (0 <= entry["position"] < _JSON_INT and 0 < entry["version"] < _JSON_INT):
        raise _Bad("entry position or version out of range", position)
    if not 0 <= entry["leaf"] < _JSON_INT:
        raise _Bad("entry leaf out of range", position)
    if not _HEX64.fullmatch(entry["state_sha256"]):
        raise _Bad("entry state_sha256 is not 64 lowercase hex digits", position)
    prev = entry["stream_prev"]
    if prev and not _HEX64.fullmatch(prev):
        raise _Bad("entry stream_prev is neither empty nor 64 lowercase hex digits", position)
    if not _RECORDED_AT.fullmatch(entry["recorded_at"]):
        raise _Bad("entry recorded_at is not YYYY-MM-DDTHH:MM:SS.ffffffZ", position)
    return entry


def _hex_hash(value: object, what: str) -> bytes:
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        raise _Bad(f"{what} is not a 64-digit lowercase hex hash")
    return bytes.fromhex(value)


# -- Export -------------------------------------------------------------------------------------

_HEADER_KEYS = frozenset({"format", "v", "origin", "size", "checkpoint", "partial"})
_VISIBLE_KEYS = frozenset({"leaf", "entry", "event", "signature", "public"})
_VISIBLE_REQUIRED = frozenset({"leaf", "entry", "event", "signature"})
_FOREIGN_KEYS = frozenset({"leaf", "leaf_hash"})
_SIGNATURE_KEYS = frozenset({"key_id", "value"})
_UNREADABLE = b"\x00" * 32  # stands for a leaf whose hash cannot be computed: the root fails


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _compare_checkpoints(report: Report, held: Checkpoint, current: Checkpoint, label: str) -> bool:
    """Size and fork rules between a checkpoint already held and a newer one (DESIGN §5)."""
    if held.origin != current.origin:
        report.problem(None, None, f"{label} is for origin {held.origin!r}, not {current.origin!r}")
    elif held.size > current.size:
        report.problem(
            current.size,
            None,
            f"checkpoint smaller than one already held: size {current.size} < {held.size} "
            f"({label}); the log was rolled back or truncated",
        )
    elif held.size == current.size and held.root != current.root:
        report.problem(
            None, None, f"fork: {label} has size {held.size} too but a different root hash"
        )
    else:
        return True
    return False


class _ExportCheck:
    """Checks an export line by line; memory is O(streams + log n), not O(leaves)."""

    def __init__(
        self,
        keys: Sequence[VerifierKey],
        held: Checkpoint | None,
        previous: Checkpoint | None,
        tolerance: float,
        now: datetime,
    ) -> None:
        self.report = Report()
        self.keys, self.held, self.previous = keys, held, previous
        self.tolerance = tolerance
        self.future = now.timestamp() + tolerance
        self.origin: str | None = None
        self.current: Checkpoint | None = None  # the header's checkpoint, once it opened
        self.size: int | None = None  # leaf lines expected
        self.partial = False
        self.writers: dict[str, VerifierKey] = {}
        self.tree = _RootBuilder()
        self.marks: dict[int, bytes] = {}  # size -> root of the first `size` leaves
        self.expected = 0  # the next leaf number
        self.last_position = -1
        self.latest: float | None = None
        self.streams: dict[str, tuple[int, bytes, int]] = {}  # stream -> (version, hash, leaf)
        self.rolled_back = False
        self.lines_before = 1  # file lines before leaf 0's: the header

    # The header ---------------------------------------------------------------------------

    def header(self, raw: bytes | None) -> bool:
        """Reads the header; False when the first line is a leaf line (header missing)."""
        problem = self.report.problem
        is_header = True
        obj: Any = None
        if raw is None:
            problem(None, None, "empty file: no export header")
        else:
            try:
                obj = _loads(raw, "header line")
            except _Bad as bad:
                problem(None, None, bad.reason)
        if isinstance(obj, dict) and obj.get("format") == EXPORT_FORMAT:
            self._read_header(obj)
        elif raw is not None:
            problem(None, None, f"first line is not a {EXPORT_FORMAT} header")
            is_header = not (isinstance(obj, dict) and "leaf" in obj)
            self.lines_before = int(is_header)
        self._setup()
        return is_header

    def _read_header(self, obj: dict[str, Any]) -> None:
        problem = self.report.problem
        if obj.keys() != _HEADER_KEYS or type(obj.get("v")) is not int or obj["v"] != 1:
            problem(None, None, "export header does not have exactly the documented keys, v=1")
        origin, size, partial = obj.get("origin"), obj.get("size"), obj.get("partial")
        self.origin = origin if isinstance(origin, str) else None
        self.size = size if _is_u64(size) else None
        self.partial = partial is True
        if self.origin is None or self.size is None or not isinstance(partial, bool):
            problem(None, None, "export header origin, size or partial has the wrong type")
        note = obj.get("checkpoint")
        try:
            if not isinstance(note, str):
                raise NoteError("it is not text")
            self.current = open_checkpoint(note, self.keys)
        except NoteError as e:
            problem(None, None, f"the export's checkpoint does not verify: {e}")
            return
        if self.current.origin != self.origin:
            problem(None, None, f"checkpoint origin {self.current.origin!r} is not the header's")
        if self.current.size != self.size:
            problem(None, None, f"checkpoint size {self.current.size} is not the header's")
        self.origin, self.size = self.current.origin, self.current.size

    def _setup(self) -> None:
        current, held, previous = self.current, self.held, self.previous
        if self.origin is None:
            known = [cp.origin for cp in (held, previous) if cp is not None]
            self.origin = known[0] if known else None
        self.writers = {k.key_id: k for k in self.keys if self.origin in (None, k.name)}
        if held is not None and current is not None and held.size <= current.size:
            _compare_checkpoints(self.report, held, current, "the checkpoint you hold")
        # (a held checkpoint larger than the export's is reported as truncation at the end)
        elif held is not None and self.origin is not None and held.origin != self.origin:
            self.report.problem(None, None, f"the checkpoint you hold is for {held.origin!r}")
        reference = current or held
        if previous is not None and reference is not None:
            label = "the previous checkpoint"
            self.rolled_back = not _compare_checkpoints(self.report, previous, reference, label)
        self.report.size = reference.size if reference else self.size or 0
        self.marks = {cp.size: b"" for cp in (current, held, previous) if cp is not None}
        if 0 in self.marks:
            self.marks[0] = EMPTY_ROOT

    # Leaf lines -----------------------------------------------------------------------------

    def _add(self, h: bytes) -> None:
        tree = self.tree
        tree.add(h)
        if tree.size in self.marks:
            self.marks[tree.size] = tree.root()

    def line(self, raw: bytes) -> None:
        n = self.tree.size
        if self.size is not None and n == self.size:
            self.report.problem(n, None, f"extra line: leaf {n} is beyond checkpoint size")
        try:
            obj = _loads(raw, "line")
            if not isinstance(obj, dict) or type(obj.get("leaf")) is not int:
                raise _Bad("line is not a JSON object with an integer leaf")
        except _Bad as bad:
            self._add(_UNREADABLE)
            self.report.problem(self.expected, None, bad.reason)
            self.expected += 1
            return
        leaf: int = obj["leaf"]
        if leaf != self.expected:
            self.report.problem(
                self.expected,
                None,
                f"line {n + 1 + self.lines_before} holds leaf {leaf} where leaf "
                f"{self.expected} belongs (a missing, extra, reordered or duplicated line)",
            )
        self.expected = leaf + 1
        try:
            if "leaf_hash" in obj:
                self._foreign(obj, leaf)
            else:
                self._visible(obj, leaf)
        except _Bad as bad:
            self.report.problem(leaf, bad.position, bad.reason)

    def _foreign(self, obj: dict[str, Any], leaf: int) -> None:
        try:
            h = _hex_hash(obj["leaf_hash"], "leaf_hash")
        except _Bad:
            self._add(_UNREADABLE)
            raise
        self._add(h)
        if obj.keys() != _FOREIGN_KEYS:
            raise _Bad("foreign leaf line does not have exactly the keys leaf, leaf_hash")
        if not self.partial:
            raise _Bad("a bare leaf hash in a complete (non-partial) export hides an event")

    def _visible(self, obj: dict[str, Any], leaf: int) -> None:
        text = obj.get("entry")
        try:
            if not isinstance(text, str):
                raise _Bad("line has no entry text")
            h = leaf_hash(text.encode())
        except (_Bad, UnicodeEncodeError):
            self._add(_UNREADABLE)
            raise _Bad("line has no entry text, or it is not valid Unicode") from None
        self._add(h)
        if not _VISIBLE_REQUIRED <= obj.keys() <= _VISIBLE_KEYS:
            raise _Bad("leaf line does not have the documented keys")
        entry = _read_entry(text, self.origin)
        position = entry["position"]
        report = self.report
        if entry["leaf"] != leaf:
            report.problem(leaf, position, f"entry says leaf {entry['leaf']}, the line {leaf}")
        if position <= self.last_position:
            report.problem(
                leaf, position, f"position does not increase (previous: {self.last_position})"
            )
        self.last_position = position
        for reason in (
            self._event(obj, entry),
            self._signature(obj, entry),
            self._stream(entry, h, leaf),
        ):
            if reason is not None:
                report.problem(leaf, position, reason)
        self._clock(entry, leaf, position)

    def _event(self, obj: dict[str, Any], entry: dict[str, Any]) -> str | None:
        event = obj["event"]
        if event is None:
            return "the stored event is missing (event is null)"
        try:
            data = _b64(event)
        except (ValueError, AttributeError):
            return "event is not a base64 string"
        if _sha256(data).hexdigest() != entry["state_sha256"]:
            return "stored event bytes do not match the entry's state_sha256"
        return None

    def _signature(self, obj: dict[str, Any], entry: dict[str, Any]) -> str | None:
        signature = obj["signature"]
        if signature is None:
            return "the event has no writer signature"
        if not isinstance(signature, dict) or signature.keys() != _SIGNATURE_KEYS:
            return "writer signature is not {key_id, value}"
        kid, value = signature["key_id"], signature["value"]
        key = self.writers.get(kid) if isinstance(kid, str) else None
        if key is None:
            return (
                f"writer signature by unknown key id {_short(kid)}: "
                "no --pubkey key of this origin has it"
            )
        try:
            raw = _b64(value)
        except (ValueError, AttributeError):
            return "writer signature value is not base64"
        message = writer_message(
            entry["stream"], entry["version"], entry["topic"], entry["state_sha256"]
        )
        if not key.verify(raw, message):
            return f"writer signature by key {kid} does not verify over the entry"
        return None

    def _stream(self, entry: dict[str, Any], h: bytes, leaf: int) -> str | None:
        stream, version, prev = entry["stream"], entry["version"], entry["stream_prev"]
        last = self.streams.get(stream)
        if last is not None and version <= last[0]:
            what = f"version {version} of stream {_short(stream)} appears again"
            if version == last[0]:
                return f"{what} (leaf {last[2]} has it)"
            return f"{what} or out of order: leaf {last[2]} has version {last[0]} already"
        self.streams[stream] = (version, h, leaf)
        if version == 1:
            return None if prev == "" else "stream_prev of a version 1 is not empty"
        if last is not None and last[0] == version - 1:
            if prev != last[1].hex():
                return f"stream_prev is not the leaf hash of version {version - 1} (leaf {last[2]})"
            return None
        if self.partial and last is None:
            return None  # the predecessor is not visible to the exporter
        return f"version {version - 1} of stream {_short(stream)} is missing from the export"

    def _clock(self, entry: dict[str, Any], leaf: int, position: int) -> None:
        try:
            t = datetime.fromisoformat(entry["recorded_at"]).timestamp()
        except ValueError:
            self.report.problem(leaf, position, "recorded_at is not a valid time")
            return
        latest = self.latest
        if latest is not None and t < latest - self.tolerance:
            self.report.warn(
                leaf,
                position,
                f"clock went back {latest - t:.3f} s (more than the tolerance "
                f"{self.tolerance:g} s): recorded_at {entry['recorded_at']}",
            )
        if t > self.future:
            self.report.warn(leaf, position, f"recorded_at {entry['recorded_at']} is in the future")
        if latest is None or t > latest:
            self.latest = t

    # The end --------------------------------------------------------------------------------

    def finish(self) -> Report:
        report, count = self.report, self.tree.size
        report.checked = count
        truncated = self.rolled_back
        labelled = (
            (self.current, "the export's checkpoint"),
            (self.held, "the checkpoint you hold"),
            (self.previous, "the previous checkpoint"),
        )
        for cp, label in labelled:
            if cp is None:
                continue
            if count < cp.size:
                if not truncated:
                    report.problem(
                        count,
                        None,
                        f"truncated: leaf {count} is missing; the export ends after "
                        f"{count} leaves but {label} has size {cp.size}",
                    )
                truncated = True
            elif self.marks[cp.size] != cp.root:
                report.problem(
                    None,
                    None,
                    f"the root of the first {cp.size} leaves is not {label}'s root "
                    "(a leaf was changed, added, removed or moved)",
                )
        if self.current is None and self.size is not None and count < self.size and not truncated:
            report.problem(count, None, f"truncated: leaf {count} is missing (header size)")
        return report


def verify_export(
    lines: Iterable[bytes],
    keys: Sequence[VerifierKey],
    *,
    checkpoint: Checkpoint | None = None,
    previous: Checkpoint | None = None,
    clock_tolerance: float = 5.0,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> Report:
    """Checks an export (its header line, then one line per leaf), streaming."""
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    check = _ExportCheck(keys, checkpoint, previous, clock_tolerance, now)
    it = iter(lines)
    first = next(it, None)
    if not check.header(first) and first is not None:
        check.line(first)
    for raw in it:
        check.line(raw)
        if progress is not None and check.size:  # the total is the header's size
            progress(min(check.tree.size, check.size), check.size)
    return check.finish()


# -- Progress -----------------------------------------------------------------------------------

Progress = Callable[[int, int], None]  # (leaves checked, leaves the export's header announces)


class Meter(Protocol):
    """A Progress the command line ends (its bar's line) before it prints the report."""

    def __call__(self, done: int, total: int) -> None: ...

    def close(self) -> None: ...


def _duration(seconds: float) -> str:
    s = round(seconds)
    h, m = s // 3600, s // 60 % 60
    return f"{h}:{m:02}:{s % 60:02}" if h else f"{m}:{s % 60:02}"


class _TextMeter:
    """Progress on stderr: a carriage-return bar on a terminal, redrawn at most every REDRAW
    seconds; otherwise a plain line at each tenth, so a log or a pipe gets ten lines at most."""

    REDRAW = 0.1
    WIDTH = 24

    def __init__(self, stream: IO[str], clock: Callable[[], float] = time.monotonic) -> None:
        self.stream, self.clock = stream, clock
        self.tty = stream.isatty()
        self.start = clock()
        self.last = float("-inf")  # when the bar was drawn, on a terminal
        self.tenth = 0  # the last tenth printed, otherwise
        self.drawn = 0  # the drawn line's length: a shorter one must blank its tail

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if self.tty:
            if done < total and now - self.last < self.REDRAW:
                return
            self.last = now
            filled = self.WIDTH * done // total
            bar = f"[{'#' * filled}{' ' * (self.WIDTH - filled)}] "
            line = "verifying " + bar + self._figures(done, total, now)
            self.stream.write("\r" + line.ljust(self.drawn))
            self.drawn = len(line)
        else:
            if done * 10 // total <= self.tenth:
                return
            self.tenth = done * 10 // total
            self.stream.write(f"verifying: {self._figures(done, total, now)}\n")
        self.stream.flush()

    def _figures(self, done: int, total: int, now: float) -> str:
        rate = done / max(now - self.start, 1e-9)
        left = _duration((total - done) / rate) if rate else "?"
        return f"{done}/{total} leaves ({100 * done // total}%), {rate:,.0f}/s, {left} left"

    def close(self) -> None:
        """Ends the bar's line on a terminal, so what follows starts on its own."""
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


# -- Proof bundle -------------------------------------------------------------------------------

_BUNDLE_KEYS = frozenset(
    {"format", "v", "checkpoint", "leaf", "entry", "leaf_hash", "inclusion", "consistency"}
)
_MAX_PROOF = 64  # hashes in one proof: log2 of any uint64 tree size, twice, is well below


def _proof(value: object, what: str) -> list[bytes]:
    if not isinstance(value, list) or len(value) > _MAX_PROOF:
        raise _Bad(f"{what} is not a list of at most {_MAX_PROOF} hashes")
    return [_hex_hash(p, f"{what} hash") for p in value]


def _check_bundle(
    report: Report,
    bundle: Mapping[str, Any],
    keys: Sequence[VerifierKey],
    previous: Checkpoint | None,
    held: Checkpoint | None,
) -> None:
    if bundle.keys() != _BUNDLE_KEYS or bundle["v"] != 1 or type(bundle["v"]) is not int:
        raise _Bad("proof bundle does not have exactly the documented keys, v=1")
    leaf = bundle["leaf"]
    if not _is_u64(leaf):
        raise _Bad("bundle leaf is not a leaf number")
    try:
        cp = open_checkpoint(bundle["checkpoint"], keys)
    except NoteError as e:
        raise _Bad(f"the bundle's checkpoint does not verify: {e}") from None
    report.size = cp.size
    text = bundle["entry"]
    if not isinstance(text, str):
        raise _Bad("bundle entry is not text")
    entry = _read_entry(text, cp.origin)
    position = entry["position"]
    try:
        h = leaf_hash(text.encode())
    except UnicodeEncodeError:
        raise _Bad("bundle entry is not valid Unicode", position) from None
    if entry["leaf"] != leaf:
        raise _Bad(f"entry says leaf {entry['leaf']}, the bundle {leaf}", position)
    if _hex_hash(bundle["leaf_hash"], "leaf_hash") != h:
        raise _Bad("leaf_hash is not the hash of the entry", position)
    inclusion = _proof(bundle["inclusion"], "inclusion proof")
    why = inclusion_problem(leaf, cp.size, h, inclusion, cp.root)
    if why is not None:
        raise _Bad(f"inclusion proof does not verify in a tree of size {cp.size}: {why}", position)
    report.checked = 1
    if held is not None and held.size == cp.size:
        _compare_checkpoints(report, held, cp, "the checkpoint you hold")
    if previous is None or not _compare_checkpoints(report, previous, cp, "previous checkpoint"):
        return
    consistency = bundle["consistency"]
    if not isinstance(consistency, dict) or consistency.keys() != {"from_size", "proof"}:
        report.problem(None, None, "no consistency proof {from_size, proof} in the bundle")
    elif consistency["from_size"] != previous.size:
        report.problem(
            None,
            None,
            f"consistency proof from size {_short(consistency['from_size'])}, "
            f"the previous checkpoint has size {previous.size}",
        )
    else:
        proof = _proof(consistency["proof"], "consistency proof")
        if previous.size == 0:  # nothing to prove: the empty tree is a prefix of every tree
            why = "from size 0 the proof must be empty" if proof else None
            if previous.root != EMPTY_ROOT:
                why = "the previous checkpoint has size 0 but not the empty tree's root"
        else:
            why = consistency_problem(previous.size, cp.size, previous.root, cp.root, proof)
        if why is not None:
            report.problem(
                None,
                None,
                f"consistency proof from size {previous.size} to {cp.size} does not verify: "
                f"{why} (the log was rewritten since the previous checkpoint)",
            )


def verify_bundle(
    bundle: Mapping[str, Any],
    keys: Sequence[VerifierKey],
    *,
    previous: Checkpoint | None = None,
    checkpoint: Checkpoint | None = None,
) -> Report:
    """Checks an inclusion proof bundle (``GET /v1/audit/proofs/inclusion``)."""
    report = Report()
    leaf = bundle.get("leaf") if isinstance(bundle, Mapping) else None
    try:
        if not isinstance(bundle, Mapping) or bundle.get("format") != BUNDLE_FORMAT:
            raise _Bad(f"not a {BUNDLE_FORMAT} object")
        _check_bundle(report, bundle, keys, previous, checkpoint)
    except _Bad as bad:
        report.problem(leaf if _is_u64(leaf) else None, bad.position, bad.reason)
    return report


# -- Command line -------------------------------------------------------------------------------


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # exit 3, not argparse's 2 (2 means warnings)
        raise _UsageError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="verify.py",
        description="Verify a collab audit export (.jsonl) or inclusion proof bundle (.json).",
        epilog="Exit 0 clean, 1 tampered, 2 warnings only, 3 usage or I/O error.",
    )
    p.add_argument("file", metavar="FILE", help="export (.jsonl) or proof bundle (.json)")
    p.add_argument(
        "--pubkey",
        action="append",
        required=True,
        metavar="KEYFILE",
        help="verifier key file <origin>+<key id>+<base64> (repeat for old keys)",
    )
    p.add_argument(
        "--checkpoint",
        metavar="CPFILE",
        help="a signed checkpoint you hold: the export must contain its tree",
    )
    p.add_argument(
        "--previous-checkpoint",
        metavar="OLDFILE",
        help="an older signed checkpoint: the log must have grown from it",
    )
    p.add_argument(
        "--clock-tolerance",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="how far recorded times may go back or ahead (default 5)",
    )
    p.add_argument("--now", help="the current time, RFC 3339 (default: the clock)")
    p.add_argument("--json", action="store_true", help="print a machine-readable report")
    return p


def _read_text(path: str, what: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read(MAX_BUNDLE)
    except (OSError, UnicodeDecodeError) as e:
        raise _UsageError(f"cannot read {what} {path}: {e}") from e


def _read_keys(paths: Sequence[str]) -> list[VerifierKey]:
    keys = []
    for path in paths:
        lines = [x.strip() for x in _read_text(path, "key file").splitlines()]
        lines = [x for x in lines if x and not x.startswith("#")]
        if not lines:
            raise _UsageError(f"key file {path} holds no key")
        for line in lines:
            try:
                keys.append(VerifierKey.parse(line))
            except NoteError as e:
                raise _UsageError(f"key file {path}: {e}") from e
    return keys


def _read_checkpoint(path: str | None, keys: Sequence[VerifierKey]) -> Checkpoint | None:
    if path is None:
        return None
    try:
        return open_checkpoint(_read_text(path, "checkpoint"), keys)
    except NoteError as e:
        raise _UsageError(f"checkpoint {path}: {e}") from e


def _detect_bundle(f: IO[bytes]) -> Any:
    """The bundle object if ``f`` holds one; None for an export (or anything else)."""
    try:
        first = json.loads(f.readline(MAX_LINE).decode())
    except (ValueError, RecursionError):
        first = None
    f.seek(0)
    if isinstance(first, dict) and first.get("format") == EXPORT_FORMAT:
        return None
    data = f.read(MAX_BUNDLE + 1)
    bundle = None
    if len(data) <= MAX_BUNDLE:
        with contextlib.suppress(ValueError, RecursionError):
            bundle = json.loads(data.decode())
    f.seek(0)
    if isinstance(bundle, dict) and bundle.get("format") == BUNDLE_FORMAT:
        return bundle
    return None


def _lines(f: IO[bytes]) -> Iterator[bytes]:
    while line := f.readline(MAX_LINE):
        if len(line) == MAX_LINE and not line.endswith(b"\n"):
            while (rest := f.readline(MAX_LINE)) and not rest.endswith(b"\n"):
                pass  # an over-long line is cut: it fails as JSON, memory stays bounded
        yield line


def _print(report: Report, kind: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"kind": kind, **report.to_json()}, ensure_ascii=False))
        return
    checked = f"{report.checked} leaves checked, checkpoint size {report.size}"
    if report.problems:
        print(f"TAMPERED ({kind}, {checked})")
        print(f"first bad: {report.problems[0]}")
        for p in report.problems[1:]:
            print(f"  also: {p}")
    elif not report.warnings:
        print(f"clean ({kind}, {checked})")
    else:
        print(f"warnings only ({kind}, {checked})")
    for w in report.warnings:
        print(f"warning: {w}")
    if report.omitted:
        print(f"... and {report.omitted} more problems or warnings not listed")


def _run(argv: Sequence[str] | None, progress: Meter | None) -> int:
    args = _parser().parse_args(argv)
    if not 0 <= args.clock_tolerance < float("inf"):
        raise _UsageError("--clock-tolerance must be a non-negative number of seconds")
    now = None
    if args.now is not None:
        try:
            now = datetime.fromisoformat(args.now)
        except ValueError as e:
            raise _UsageError(f"--now is not an RFC 3339 time: {args.now}") from e
    keys = _read_keys(args.pubkey)
    held = _read_checkpoint(args.checkpoint, keys)
    previous = _read_checkpoint(args.previous_checkpoint, keys)
    try:
        f = open(args.file, "rb")  # noqa: SIM115 (closed below; the export is streamed)
    except OSError as e:
        raise _UsageError(f"cannot read {args.file}: {e}") from e
    meter = _TextMeter(sys.stderr) if progress is None else progress
    try:
        with f:
            kind, report = _check(f, args, keys, held, previous, now, meter)
    finally:
        meter.close()  # the bar's line ends before the report is printed
    _print(report, kind, args.json)
    return report.exit_code


def _check(
    f: IO[bytes],
    args: argparse.Namespace,
    keys: Sequence[VerifierKey],
    held: Checkpoint | None,
    previous: Checkpoint | None,
    now: datetime | None,
    progress: Progress | None,
) -> tuple[str, Report]:
    """What the file is, and its report."""
    bundle = _detect_bundle(f)
    if bundle is not None:
        return "proof bundle", verify_bundle(bundle, keys, previous=previous, checkpoint=held)
    report = verify_export(
        _lines(f),
        keys,
        checkpoint=held,
        previous=previous,
        clock_tolerance=args.clock_tolerance,
        now=now,
        progress=progress,
    )
    return "export", report


def main(argv: Sequence[str] | None = None, progress: Meter | None = None) -> int:
    """The command line; returns the exit code (a crash is 3, never 1). Progress goes to
    ``progress`` if given, else to stderr (the report alone goes to stdout)."""
    try:
        return _run(argv, progress)
    except _UsageError as e:
        print(f"verify.py: {e}", file=sys.stderr)
    except SystemExit as e:  # --help
        return e.code if isinstance(e.code, int) else 3
    except OSError as e:
        print(f"verify.py: I/O error: {e}", file=sys.stderr)
    except Exception as e:
        print(f"verify.py: internal error: {type(e).__name__}: {e}", file=sys.stderr)
    return 3


__all__ = [
    "EMPTY_ROOT",
    "STRICTER",
    "Checkpoint",
    "Meter",
    "NoteError",
    "Problem",
    "Progress",
    "Report",
    "VerifierKey",
    "canonical_json",
    "checkpoint_body",
    "consistency_problem",
    "inclusion_problem",
    "key_id",
    "leaf_hash",
    "main",
    "node_hash",
    "open_checkpoint",
    "root_of",
    "verify_bundle",
    "verify_consistency",
    "verify_export",
    "verify_inclusion",
    "writer_message",
]

if __name__ == "__main__":
    sys.exit(main())
