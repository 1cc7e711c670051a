"""The document store with files large enough to hash on the store's thread and to start
their writeback early (collab/documents/store.py): the same digest as hashing the bytes
at once, reused buffers copied, a refused or aborted file leaving no file and no thread."""

from __future__ import annotations

import hashlib
import io
import threading
from pathlib import Path

import pytest

from collab.documents import store as ds
from collab.documents.store import DocumentStore, TooLargeError

BIG = 2 * ds.WRITEBACK + 3 * ds.HASH_ALONE + 12345  # past every threshold, twice


def threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "document-hash")


def payload(size: int) -> bytes:
    block = hashlib.sha256(b"collab").digest() * 4096  # 128 KiB that is not all zeros
    return (block * (size // len(block) + 1))[:size]


def test_a_big_file_hashes_as_its_bytes_and_lands_whole(tmp_path: Path) -> None:
    data = payload(BIG)
    store = DocumentStore(tmp_path / "docs")
    received = store.receive(io.BytesIO(data))
    assert received.sha256 == hashlib.sha256(data).hexdigest()
    assert received.size == BIG
    assert store.commit(received).read_bytes() == data
    assert threads() == 0


def test_a_reused_buffer_is_hashed_as_it_was_when_written(tmp_path: Path) -> None:
    # Given a caller that lends one buffer and overwrites it after each write
    data = payload(BIG)
    target = DocumentStore(tmp_path / "docs").incoming()
    buffer = bytearray(ds.CHUNK)
    for start in range(0, len(data), ds.CHUNK):
        piece = data[start : start + ds.CHUNK]
        buffer[: len(piece)] = piece
        target.write(memoryview(buffer)[: len(piece)])
    received = target.finish()
    assert received.sha256 == hashlib.sha256(data).hexdigest()


def test_too_big_a_file_is_refused_midway_and_leaves_nothing(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    store = DocumentStore(root, max_bytes=BIG - 1)
    with pytest.raises(TooLargeError):
        store.receive(io.BytesIO(payload(BIG)))
    assert [p for p in root.rglob("*") if p.is_file()] == []
    assert threads() == 0


def test_an_aborted_file_leaves_no_file_and_no_thread(tmp_path: Path) -> None:
    target = DocumentStore(tmp_path / "docs").incoming()
    for _ in range(8):
        target.write(payload(ds.CHUNK))
    assert threads() == 1
    target.abort()
    assert not target.path.exists()
    assert threads() == 0
