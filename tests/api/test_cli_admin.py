"""The operator's commands: actors, tokens and grants, recorded as events or kept hashed."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from api.cli import main
from api.service import Service, Settings
from collab.stores import StoreConfig

UUID = r"[0-9a-f-]{36}"


def run(env: dict[str, str], *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def env(sqlite_config: StoreConfig) -> dict[str, str]:
    return {"COLLAB_DATABASE_URL": sqlite_config.url}


def test_an_admin_with_a_token_then_list_and_revoke(env: dict[str, str]) -> None:
    # When the operator creates an admin with a token
    out = run(env, "actors", "create", "--name", "Ana", "--role", "admin", "--with-token")
    actor_id = re.search(rf"actor ({UUID})", out).group(1)  # type: ignore[union-attr]
    token = re.search(r"token (collab_\S+)", out).group(1)  # type: ignore[union-attr]
    # Then the token authenticates that actor, and only its digest is stored
    svc = Service(Settings.from_env(env))
    try:
        assert svc.credentials.actor_of(token, svc.now()) == actor_id
        with svc.read.readers.connect() as conn:
            stored = conn.exec_driver_sql("SELECT token_sha256 FROM collab_tokens").scalars().all()
        assert token not in stored and len(stored) == 1
    finally:
        svc.close()
    # And it is listed without its secret, then revoked
    listed = run(env, "tokens", "list", "--actor", actor_id)
    assert token not in listed
    token_id = re.search(rf"^({UUID})", listed, re.M).group(1)  # type: ignore[union-attr]
    run(env, "tokens", "revoke", "--actor", actor_id, "--token", token_id)
    assert "revoked" in run(env, "tokens", "list", "--actor", actor_id)
    run(env, "tokens", "revoke", "--actor", actor_id, "--token", token_id, code=1)


def test_grants_need_exactly_one_target_and_an_auditor(env: dict[str, str]) -> None:
    out = run(env, "actors", "create", "--name", "Aud", "--role", "auditor")
    auditor = re.search(rf"actor ({UUID})", out).group(1)  # type: ignore[union-attr]
    assert "granted *" in run(env, "grants", "add", "--auditor", auditor, "--all")
    assert "no longer granted *" in run(env, "grants", "remove", "--auditor", auditor, "--all")
    run(env, "grants", "add", "--auditor", auditor, code=2)  # neither --partnership nor --all
    broker = run(env, "actors", "create", "--name", "Bea", "--role", "broker")
    broker_id = re.search(rf"actor ({UUID})", broker).group(1)  # type: ignore[union-attr]
    refused = run(env, "grants", "add", "--auditor", broker_id, "--all", code=1)
    assert "only auditors" in refused
