"""The operator's commands: actors, tokens and grants, recorded as events or kept hashed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

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


def head_of(env: dict[str, str]) -> int:
    svc = Service(Settings.from_env(env))
    try:
        return svc.head()
    finally:
        svc.close()


def expires(out: str) -> datetime:
    found = re.search(r"expires (\S+)", out).group(1)  # type: ignore[union-attr]
    return datetime.fromisoformat(found)


def test_token_days_are_bounded_by_the_configured_maximum(env: dict[str, str]) -> None:
    # Given an actor without a token
    out = run(env, "actors", "create", "--name", "Bea", "--role", "broker")
    actor_id = re.search(rf"actor ({UUID})", out).group(1)  # type: ignore[union-attr]
    before = head_of(env)
    # When the operator asks for more days than COLLAB_TOKEN_MAX_DAYS (default 90)
    for days in ("91", "3650", str(10**12)):
        refused = run(env, "tokens", "create", "--actor", actor_id, "--days", days, code=1)
        # Then it is refused, naming the limit, and nothing is issued or recorded
        assert "refused: days: must be at most 90 (COLLAB_TOKEN_MAX_DAYS)" in refused
        assert "collab_" not in refused
    assert run(env, "tokens", "list", "--actor", actor_id) == ""
    assert head_of(env) == before
    # And 90 days is issued; a longer maximum allows longer tokens
    start = datetime.now(UTC)
    ninety = run(env, "tokens", "create", "--actor", actor_id, "--days", "90")
    assert timedelta(days=90) <= expires(ninety) - start < timedelta(days=90, minutes=1)
    longer = {**env, "COLLAB_TOKEN_MAX_DAYS": "365"}
    year = run(longer, "tokens", "create", "--actor", actor_id, "--days", "365")
    assert timedelta(days=365) <= expires(year) - start < timedelta(days=365, minutes=1)


def test_the_cli_refuses_to_start_with_a_default_past_the_maximum(env: dict[str, str]) -> None:
    # Given COLLAB_TOKEN_DAYS above COLLAB_TOKEN_MAX_DAYS
    wrong = {**env, "COLLAB_TOKEN_DAYS": "120"}
    # When the operator runs any command, Then it stops with the reason, before any work
    out = run(wrong, "actors", "create", "--name", "Ana", "--role", "admin", "--with-token", code=1)
    assert "COLLAB_TOKEN_DAYS (120) must be 1 to COLLAB_TOKEN_MAX_DAYS (90) days" in out
    assert "Traceback" not in out and "collab_" not in out
    assert head_of(env) == 0
