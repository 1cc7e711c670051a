"""A content-addressed file store: a file lives at `<root>/<aa>/<sha256>`.

A file is received into a temporary file in the store's own folder (same file system,
so the final rename is atomic), hashed and measured while it is written, refused past the
size limit without reading the rest, and its type sniffed from its first bytes (never
the client's word). It is committed into place only after the command that records it
succeeded: a refused command leaves nothing behind. Reading recomputes the hash before
the first byte is served: a file whose bytes no longer match is reported, never served.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import logging
import os
import queue
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import filetype

from collab.stores import private_directory

log = logging.getLogger("collab.documents")
CHUNK = 1 << 20
SNIFF = 8192  # filetype reads at most 8 KiB
SHA256 = re.compile(r"[0-9a-f]{64}")
DEFAULT_TYPE = "application/octet-stream"
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
HASH_ALONE = CHUNK  # bytes of a file hashed inline; past them, on a thread of its own
HASH_QUEUE = 4  # chunks waiting for that thread at most
WRITEBACK = 4 << 20  # bytes written between two starts of their writeback to disk


class TooLargeError(Exception):
    """The file exceeds the store's size limit."""


class EmptyFileError(Exception):
    """A document holds at least one byte."""


class CorruptDocumentError(Exception):
    """A stored file's bytes no longer match its name (its SHA-256)."""

    def __init__(self, sha256: str) -> None:
        super().__init__(f"document {sha256} no longer matches its hash")
        self.sha256 = sha256


@dataclass
class Received:
    """A file received but not yet committed: its temporary path and what was measured."""

    path: Path
    sha256: str
    size: int
    media_type: str


def sniff(head: bytes) -> str:
    """The media type the first bytes show; plain text and unknown kinds are octet-stream."""
    kind = filetype.guess(head) if head else None
    return DEFAULT_TYPE if kind is None else str(kind.mime)


class Incoming:
    """A document being received: hashed, measured and its head kept as it is written.

    Past its first `HASH_ALONE` bytes, a file is hashed on a thread of its own (hashlib
    lets go of the GIL on large buffers) while the caller reads, parses and writes the
    next chunks: the thread sees the chunks in order, at most `HASH_QUEUE` of them wait
    for it (memory stays bounded), and `finish` waits for it before taking the digest.
    Every `WRITEBACK` bytes, their writeback to disk is started, so that most of the
    final fsync's wait overlaps the rest of the upload."""

    def __init__(self, path: Path, out: BinaryIO, max_bytes: int) -> None:
        self.path, self.out, self.max_bytes = path, out, max_bytes
        self.digest = hashlib.sha256()
        self.size = 0
        self.head = b""
        self.hasher: _Hasher | None = None
        self.flushed = 0  # bytes whose writeback to disk has been started

    def write(self, chunk: bytes | bytearray | memoryview) -> None:
        self.size += len(chunk)
        if self.size > self.max_bytes:  # refused before the rest is read
            raise TooLargeError(f"a document holds at most {self.max_bytes} bytes")
        if len(self.head) < SNIFF:
            self.head += bytes(chunk[: SNIFF - len(self.head)])
        if self.hasher is None and self.size > HASH_ALONE:
            self.hasher = _Hasher(self.digest)
        if self.hasher is None:
            self.digest.update(chunk)
        else:  # the caller may reuse a buffer it lends: the thread gets bytes of its own
            self.hasher.update(chunk if isinstance(chunk, bytes) else bytes(chunk))
        self.out.write(chunk)
        if self.size - self.flushed >= WRITEBACK:
            self.out.flush()
            _start_writeback(self.out.fileno(), self.flushed, self.size - self.flushed)
            self.flushed = self.size

    def finish(self) -> Received:
        """The file flushed to disk (fsync) and what was measured; empty is refused."""
        if self.size == 0:
            self.abort()
            raise EmptyFileError("the file is empty")
        try:
            self.out.flush()
            os.fsync(self.out.fileno())
            self.out.close()
            if self.hasher is not None:
                self.hasher.join()
        except BaseException:
            self.abort()
            raise
        return Received(self.path, self.digest.hexdigest(), self.size, sniff(self.head))

    def abort(self) -> None:
        if self.hasher is not None:
            self.hasher.stop()
        self.out.close()
        self.path.unlink(missing_ok=True)


class _Hasher:
    """A digest updated on a thread of its own, chunk by chunk, in order."""

    def __init__(self, digest: Any) -> None:
        self.digest = digest
        self.error: BaseException | None = None
        self.queue: queue.Queue[bytes | None] = queue.Queue(HASH_QUEUE)
        self.thread = threading.Thread(target=self._run, name="document-hash", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (chunk := self.queue.get()) is not None:
            if self.error is None:  # after an error, only drained: the writer never blocks
                try:
                    self.digest.update(chunk)
                except BaseException as e:  # raised again by `join`
                    self.error = e

    def update(self, chunk: bytes) -> None:
        self.queue.put(chunk)

    def join(self) -> None:
        """Wait until every chunk given is hashed."""
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def stop(self) -> None:
        """Drop what waits and end the thread (an aborted file: its digest is not read)."""
        with contextlib.suppress(queue.Empty):
            while True:
                self.queue.get_nowait()
        self.queue.put(None)  # room: only this side puts
        self.thread.join()


class DocumentStore:
    """Files under one root, by hash; see the module docstring."""

    def __init__(self, root: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if max_bytes < 1:
            raise ValueError("the document size limit must be at least 1 byte")
        self.root = root
        self.max_bytes = max_bytes

    def path_of(self, sha256: str) -> Path:
        if not SHA256.fullmatch(sha256):
            raise ValueError("a document is named by its lowercase hex SHA-256")
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return SHA256.fullmatch(sha256) is not None and self.path_of(sha256).is_file()

    # -- writing -------------------------------------------------------------------------

    def incoming(self) -> Incoming:
        """A temporary file in the store's folder to write a document into, a chunk at a
        time (`Incoming.write`, then `finish` or `abort`)."""
        private_directory(self.root)
        fd, name = tempfile.mkstemp(prefix=".incoming-", dir=self.root)
        return Incoming(Path(name), os.fdopen(fd, "wb"), self.max_bytes)

    def receive(self, source: BinaryIO) -> Received:
        """Stream `source` into a temporary file (fsynced), hashing and measuring it."""
        target = self.incoming()
        try:
            while chunk := source.read(CHUNK):
                target.write(chunk)
            return target.finish()
        except BaseException:
            target.abort()
            raise

    def commit(self, received: Received) -> Path:
        """Move a received file into place by atomic rename (an existing one is kept)."""
        final = self.path_of(received.sha256)
        private_directory(final.parent)
        if final.is_file():
            received.path.unlink(missing_ok=True)
        else:
            os.replace(received.path, final)
            _fsync_dir(final.parent)
        return final

    @staticmethod
    def discard(received: Received) -> None:
        received.path.unlink(missing_ok=True)

    # -- reading -------------------------------------------------------------------------

    def open_verified(self, sha256: str) -> BinaryIO:
        """The file, open at its start, after its bytes were hashed again and matched its
        name (FileNotFoundError if missing, CorruptDocumentError if altered)."""
        handle = self.path_of(sha256).open("rb")
        try:
            if _digest(handle) != sha256:
                log.error("collab: document %s no longer matches its hash", sha256)
                raise CorruptDocumentError(sha256)
            handle.seek(0)
        except BaseException:
            handle.close()
            raise
        return handle

    def check(self) -> Iterator[tuple[Path, str]]:
        """Every stored file whose bytes no longer match its name, with what is wrong."""
        if not self.root.is_dir():
            return
        for folder in sorted(p for p in self.root.iterdir() if p.is_dir()):
            for path in sorted(folder.iterdir()):
                if not SHA256.fullmatch(path.name) or folder.name != path.name[:2]:
                    yield path, "not named by a SHA-256 under its first two digits"
                    continue
                with path.open("rb") as handle:
                    if _digest(handle) != path.name:
                        yield path, "bytes no longer match the name"


def _digest(handle: BinaryIO) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _load_sync_file_range() -> Any:
    """Linux's `sync_file_range`, or None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        call = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError):
        return None
    call.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    call.restype = ctypes.c_int
    return call


_sync_file_range = _load_sync_file_range()
_SYNC_FILE_RANGE_WRITE = 2


def _start_writeback(fd: int, offset: int, n: int) -> None:
    """Start writing the range to disk without waiting for it, so that the `fsync` that
    still follows has little left to do (its wait overlaps the rest of the upload). Only
    a head start: it promises nothing, and a failure here changes nothing."""
    if _sync_file_range is not None:
        _sync_file_range(fd, offset, n, _SYNC_FILE_RANGE_WRITE)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def chunks(handle: BinaryIO) -> Iterator[bytes]:
    """A verified file's bytes, a chunk at a time, closing it at the end."""
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk
