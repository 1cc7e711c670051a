"""Fixtures of the offline verifier's tests: a synthetic signed log and its public key."""

from __future__ import annotations

from pathlib import Path

import pytest

from .support import Log, N, write_text


@pytest.fixture
def log() -> Log:
    return Log.populate(N)


@pytest.fixture
def key(tmp_path: Path, log: Log) -> Path:
    return write_text(tmp_path / "log.pub", log.signer.verifier + "\n")
