"""The signing side of the verifiable log's formats (docs/verifiable-log.md).

Keys are C2SP signed-note Ed25519 keys: ``PRIVATE+KEY+<name>+<hexid>+<base64(0x01 ‖ seed)>``
and ``<name>+<hexid>+<base64(0x01 ‖ public key)>``; the name is always the log's origin.
"""

from __future__ import annotations

import base64
import binascii
import re

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from collab.audit.verify import key_id, writer_message

_ED25519 = b"\x01"  # the C2SP signed-note algorithm byte
_NAME = re.compile(r"[^\s+]+")
_PRIVATE = re.compile(r"PRIVATE\+KEY\+([^\s+]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _verifier(name: str, key: Ed25519PrivateKey) -> tuple[str, str]:
    public = key.public_key().public_bytes_raw()
    kid = key_id(name, public)
    return kid, f"{name}+{kid}+{_b64(_ED25519 + public)}"


def generate(name: str) -> tuple[str, str]:
    """A new key pair for ``name``: (private key string, verifier key string)."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"a key name has no '+' and no white space: {name!r}")
    key = Ed25519PrivateKey.generate()
    kid, verifier = _verifier(name, key)
    seed = _b64(_ED25519 + key.private_bytes_raw())
    return f"PRIVATE+KEY+{name}+{kid}+{seed}", verifier


class Signer:
    """Signs checkpoints (signed notes) and writer messages with one Ed25519 key."""

    def __init__(self, name: str, key: Ed25519PrivateKey) -> None:
        self._name = name
        self._key = key
        self._key_id, self._verifier_text = _verifier(name, key)

    @classmethod
    def from_private(cls, text: str) -> Signer:
        match = _PRIVATE.fullmatch(text.strip())
        if match is None:
            raise ValueError("not a private key: PRIVATE+KEY+<name>+<8 hex>+<base64>")
        name, kid, encoded = match.groups()
        try:
            raw = binascii.a2b_base64(encoded, strict_mode=True)
        except binascii.Error as e:
            raise ValueError("private key: bad base64") from e
        if len(raw) != 33 or raw[0] != 1:
            raise ValueError("private key: not an Ed25519 (0x01) seed")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if signer.key_id != kid:
            raise ValueError(f"private key: the key id {kid} does not match the key")
        return signer

    @property
    def name(self) -> str:
        return self._name

    @property
    def key_id(self) -> str:
        return self._key_id

    @property
    def verifier(self) -> str:
        return self._verifier_text

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def sign_note(self, body: str) -> str:
        """The C2SP signed note: body, a blank line, ``— <name> <base64(id ‖ signature)>``."""
        if not body.endswith("\n") or "\n\n" in body:
            raise ValueError("a note body ends with a newline and has no blank line")
        signature = bytes.fromhex(self._key_id) + self.sign(body.encode())
        return f"{body}\n\u2014 {self._name} {_b64(signature)}\n"

    def sign_event(self, stream: str, version: int, topic: str, state_sha256: str) -> str:
        """Base64 of the writer signature over ``writer_message(...)``."""
        return _b64(self.sign(writer_message(stream, version, topic, state_sha256)))


__all__ = ["Signer", "generate"]
