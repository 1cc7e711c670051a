"""A database written by an earlier main still replays, projects, serves and exports exactly
as it did (tests/fixtures/legacy, written before the typed-command refactor).

Stored bytes never change: they are signed and in the Merkle tree. So whatever the code
becomes, every stored event must decode and fold, the views rebuilt from the log must
have the digest they had, the feed must give the same public events, the export the same
lines, and the standalone verifier must accept that export.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from flask import Flask

from api import create_app
from api.service import Service
from collab.audit import verify
from tests.fixtures.legacy.make import golden, settings

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "legacy"


def stored(db: Path) -> str:
    """A digest of every stored event and snapshot row, as bytes."""
    h = hashlib.sha256()
    with sqlite3.connect(db) as conn:
        for table in ("stored_events", "stored_snapshots"):
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
                h.update(repr(row).encode())
    return h.hexdigest()


@pytest.fixture
def legacy(tmp_path: Path) -> tuple[Flask, Path]:
    """The fixture copied to a temporary folder (never opened in place), served."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURE / "collab.db", data / "collab.db")
    shutil.copytree(FIXTURE / "keys", data / "keys")
    (data / "keys").chmod(0o700)
    return create_app(settings(data)), data


def test_the_legacy_database_answers_as_it_did(legacy: tuple[Flask, Path], tmp_path: Path) -> None:
    app, data = legacy
    svc: Service = app.extensions["collab"]
    before = stored(data / "collab.db")
    try:
        # Given the admin the fixture was written with, holding a token issued now
        admin = (FIXTURE / "admin-id.txt").read_text().strip()
        token, _ = svc.credentials.issue(admin, "legacy test", svc.now(), 1)
        # When the views are rebuilt from the log and the feed and the export are read
        answers = golden(app, token)
        # Then they equal what the earlier main answered, byte for byte
        for name, text in answers.items():
            assert text == (FIXTURE / name).read_text(encoding="utf-8"), name
        # (among them events with codes that new input may no longer use: the scheme
        # PT-NIPC, which is not in the org-id register, and the NUTS 2021 code PT184)
        assert '"scheme": "PT-NIPC"' in answers["feed.json"]
        assert '"nuts": "PT184"' in answers["feed.json"]
        # And every stream still folds from its stored events (and snapshots)
        streams = {n.originator_id for n in svc.app.recorder.select_notifications(1, 10_000)}
        assert all(svc.app.repository.get(uuid.UUID(str(s))).version >= 1 for s in streams)
    finally:
        svc.close()
    # And nothing stored changed
    assert stored(data / "collab.db") == before
    # And the standalone verifier accepts the export against the fixture's public key
    export = tmp_path / "export.jsonl"
    export.write_text(answers["export.jsonl"], encoding="utf-8")
    pubkey = next((FIXTURE / "keys").glob("*.pub"))
    args = [sys.executable, verify.__file__, str(export), "--pubkey", str(pubkey)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
