"""The signing key, the origin and the kept checkpoint, in ``$COLLAB_DATA_DIR/keys/`` (§5).

They live outside the database: someone who can rewrite the database cannot sign, and a
restored database cannot make us forget the last checkpoint we signed. Creation is
exclusive (a lock file), so gunicorn workers or CLI processes starting together on a new
data directory agree on one key and one origin. The data directory and ``keys/`` are 0700,
the private keys 0600; a directory an older version left open to others is tightened.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from collab.audit.signing import Signer, generate
from collab.audit.verify import VerifierKey
from collab.stores import tighten

KEYS = "keys"
ORIGIN_PREFIX = "collab.example/"


class KeysMissingError(RuntimeError):
    """Server mode refuses to start without a key and an origin (`collab audit keygen`)."""


@dataclass
class KeyRing:
    """The current signer, every verifier key ever used, and where the checkpoint is kept.

    ``directory`` is None for a throwaway ring (tests on ``memory://``): nothing on disk."""

    signer: Signer
    verifiers: dict[str, VerifierKey]
    directory: Path | None

    @property
    def origin(self) -> str:
        return self.signer.name

    @classmethod
    def ephemeral(cls) -> KeyRing:
        private, public = generate(ORIGIN_PREFIX + secrets.token_hex(8))
        verifier = VerifierKey.parse(public)
        return cls(Signer.from_private(private), {verifier.key_id: verifier}, None)

    @classmethod
    def load(cls, data_dir: Path, *, create: bool) -> KeyRing:
        """The ring in ``data_dir/keys``; made first (exclusively) when ``create``."""
        directory = keys_directory(data_dir, create=create)
        if create:
            with locked(directory):
                if not current_key(directory):
                    make_key(directory)
        key = current_key(directory)
        if key is None or not (directory / "origin").exists():
            raise KeysMissingError(
                f"no signing key and origin in {directory}: run `collab audit keygen` first"
            )
        signer = Signer.from_private(key.read_text().strip())
        origin = (directory / "origin").read_text().strip()
        if signer.name != origin:
            raise KeysMissingError(f"{key.name} is a key for {signer.name!r}, not {origin!r}")
        verifiers = {}
        for pub in sorted(directory.glob("*.pub")):
            verifier = VerifierKey.parse(pub.read_text().strip())
            verifiers[verifier.key_id] = verifier
        return cls(signer, verifiers, directory)

    def kept_checkpoint(self) -> str | None:
        if self.directory is None:
            return None
        path = self.directory / "checkpoint"
        return path.read_text() if path.exists() else None


def keys_directory(data_dir: Path, *, create: bool = True) -> Path:
    """``data_dir/keys``, made 0700 when ``create``; it and the data directory tightened if
    an older version left them open to others (docs/decisions.md)."""
    directory = data_dir / KEYS
    if create:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    for path in (data_dir, directory):
        tighten(path)
    return directory


@contextlib.contextmanager
def locked(directory: Path, name: str = ".lock") -> Iterator[None]:
    """An exclusive lock across processes (a lock file; released when the block ends)."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(directory / name, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_key(directory: Path) -> Path | None:
    keys = sorted(directory.glob("*.key")) if directory.exists() else []
    if len(keys) > 1:
        names = ", ".join(k.name for k in keys)
        raise KeysMissingError(f"more than one current key in {directory}: {names}")
    return keys[0] if keys else None


def make_key(directory: Path) -> str:
    """A new key under the origin (made now if this is the first key); its key id.
    The caller holds the lock."""
    origin_file = directory / "origin"
    if not origin_file.exists():
        write_new(origin_file, ORIGIN_PREFIX + secrets.token_hex(8) + "\n", mode=0o644)
    private, public = generate(origin_file.read_text().strip())
    signer = Signer.from_private(private)
    write_new(directory / f"{signer.key_id}.pub", public + "\n", mode=0o644)
    write_new(directory / f"{signer.key_id}.key", private + "\n", mode=0o600)
    return signer.key_id


def rotate(data_dir: Path) -> str:
    """Retire the current key (kept as ``.key.retired``, its ``.pub`` stays) and make a new
    one under the same origin: old checkpoints and signatures stay verifiable."""
    directory = keys_directory(data_dir)
    with locked(directory):
        old = current_key(directory)
        if old is None:
            raise KeysMissingError(f"no key to rotate in {directory}")
        old.rename(old.with_name(old.name + ".retired"))
        return make_key(directory)


def write_new(path: Path, content: str, *, mode: int) -> None:
    """Create a file that must not exist yet, durably (written, synced, then named)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def replace_file(path: Path, content: str) -> None:
    """Atomically replace ``path`` (a temporary file, fsync, rename, fsync the directory)."""
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
