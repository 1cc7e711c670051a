"""The operator's money and documents commands: `collab budget show` prints the budget
view the API serves; `collab documents get` writes a stored file's bytes, re-hashed first,
and refuses an altered or unknown one."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from collab.application import Collab
from collab.documents.store import DocumentStore
from collab.stores import StoreConfig
from tests.application.budgets import adopt
from tests.application.conftest import Clock
from tests.application.world import World


def run(env: dict[str, str], *args: str, code: int = 0) -> bytes:
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == code, result.output
    return result.stdout_bytes


@pytest.fixture
def env(sqlite_config: StoreConfig, tmp_path: Path) -> dict[str, str]:
    return {
        "COLLAB_DATABASE_URL": sqlite_config.url,
        "COLLAB_DOCUMENTS_DIR": str(tmp_path / "documents"),
    }


def test_budget_show_prints_the_view_of_the_adopted_version(
    env: dict[str, str], sqlite_config: StoreConfig
) -> None:
    # Given a partnership with a budget, recorded in the operator's database
    app = Collab(sqlite_config, clock=Clock())
    try:
        world = World(app)
        pid = world.in_force()
        adopt(world, pid)
    finally:
        app.close()
    # When the operator asks for its budget
    view = json.loads(run(env, "budget", "show", pid))
    # Then it is the adopted version, line by line and source by source
    assert view["partnership_id"] == pid and view["number"] == 1
    assert [x["line_id"] for x in view["lines"]] and [x["source_id"] for x in view["sources"]]
    assert view["totals"][0]["currency"] == "EUR"
    # And an unknown or malformed partnership is refused with a message
    assert (
        b"no partnership"
        in CliRunner()
        .invoke(main, ["budget", "show", "00000000-0000-4000-8000-000000000000"], env=env)
        .output.encode()
    )
    run(env, "budget", "show", "00000000-0000-4000-8000-000000000000", code=1)
    run(env, "budget", "show", "not-an-id", code=1)


def test_documents_get_writes_verified_bytes_and_refuses_altered_ones(
    env: dict[str, str], tmp_path: Path
) -> None:
    # Given a stored file
    data = b"%PDF-1.4 annex of the agreement\n" * 100
    store = DocumentStore(Path(env["COLLAB_DOCUMENTS_DIR"]))
    path = store.commit(store.receive(io.BytesIO(data)))
    sha = hashlib.sha256(data).hexdigest()
    # When the operator gets it, to stdout and to a file
    assert run(env, "documents", "get", sha) == data
    out = tmp_path / "annex.pdf"
    run(env, "documents", "get", sha, "--output", str(out))
    assert out.read_bytes() == data
    # Then an altered file is reported and not written; unknown and malformed are refused
    path.chmod(0o600)
    path.write_bytes(data + b"changed")
    altered = tmp_path / "altered.pdf"
    run(env, "documents", "get", sha, "--output", str(altered), code=1)
    assert not altered.exists() or altered.read_bytes() == b""
    run(env, "documents", "get", "0" * 64, code=1)
    run(env, "documents", "get", "NOT-A-HASH", code=1)
