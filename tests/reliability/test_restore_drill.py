"""The backup and restore drill of docs/verifiable-log.md ("Restore from a backup"), in
server mode on a throwaway PostgreSQL cluster: back up, keep working and sealing, restore
the backup into a fresh database and point the service at it. The sealer then refuses and
names the size gap, `collab audit status` exits 1 and /readyz answers 503, until the
operator moves the kept checkpoint aside as documented; the checkpoint moved aside stays
evidence of the loss for the verifier."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from collab.stores import StoreConfig
from tests.integration.conftest import Http, collab, free_port, run_collab, serve, wait_healthy
from tests.reliability.cluster import Cluster
from tests.reliability.conftest import organisation
from tests.reliability.stack import Stack

pytestmark = [pytest.mark.long, pytest.mark.postgres]

BEFORE, AFTER = 4, 3  # organisations registered before the backup, and after it


def work(stack: Stack, admin: Http, commands: int) -> int:
    """Register organisations, then wait until the leaves are appended and sealed; the
    number of events (= leaves = the kept checkpoint's size)."""
    for _ in range(commands):
        reply = admin.post("/v1/organisations", organisation())
        assert reply.status == 201, reply.body
    stack.wait_caught_up()
    events = stack.events()
    assert stack.wait_sealed(events) == events
    return events


@contextmanager
def gunicorn(env: dict[str, str], log: Path) -> Iterator[Http]:
    """The API alone (no follower, no sealer: the operator has stopped the writers)."""
    bind = f"127.0.0.1:{free_port()}"
    with log.open("wb") as out:
        proc = collab("serve", "--bind", bind, env=env, stdout=out, stderr=subprocess.STDOUT)
    http = Http(f"http://{bind}")
    try:
        wait_healthy(http, proc, log)
        yield http
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_a_restored_backup_raises_the_alarm_until_the_kept_checkpoint_is_moved_aside(
    cluster: Cluster, database: StoreConfig, tmp_path: Path
) -> None:
    dbname = database.postgres_settings()["POSTGRES_DBNAME"]
    backup = tmp_path / "collab.dump"
    with serve(database, tmp_path) as served:
        stack = Stack(served, database)
        admin = served.http.as_(served.admin_token())
        # Given a service whose log of N events is sealed, backed up with pg_dump
        n = work(stack, admin, BEFORE)
        cluster.client("pg_dump", "--format=custom", f"--file={backup}", dbname)
        # And work goes on after the backup: more commands, sealed at size M
        m = work(stack, admin, AFTER)
        assert m > n
    # When the backup is restored into a fresh database and the service pointed at it
    restored = cluster.create_database()
    try:
        target = restored.postgres_settings()["POSTGRES_DBNAME"]
        cluster.client("pg_restore", "--exit-on-error", f"--dbname={target}", str(backup))
        env = {**served.env, "COLLAB_DATABASE_URL": restored.url}
        drill(env, tmp_path, n, m)
    finally:
        cluster.drop_database(restored)


def drill(env: dict[str, str], data_dir: Path, n: int, m: int) -> None:
    keys = data_dir / "keys"
    gap = f"the log holds {n} leaves but checkpoint {m} was signed"
    with gunicorn(env, data_dir / "restored.log") as http:
        # Then the sealer refuses, naming the size gap, and raises the alarm
        sealed = run_collab("audit", "seal", env=env)
        assert sealed.returncode == 1, sealed.stdout + sealed.stderr
        assert f"ALARM: {gap}" in sealed.stderr
        assert (keys / "alarm").exists()
        # And `collab audit status` exits 1 with it; /readyz is 503 problem+json with it
        status = run_collab("audit", "status", env=env)
        assert status.returncode == 1
        assert f"alarm: {gap}" in status.stdout and f"kept checkpoint: size {m}" in status.stdout
        ready = http.get("/readyz")
        assert ready.status == 503 and ready.headers["Content-Type"] == "application/problem+json"
        assert gap in ready.body["detail"]
        # When the operator moves the kept checkpoint aside (the events are gone for good)
        lost = keys / f"checkpoint.lost-{m}"
        (keys / "checkpoint").rename(lost)
        # Then the sealer signs from the restored tree on, and the alarm clears
        resealed = run_collab("audit", "seal", env=env)
        assert resealed.returncode == 0, resealed.stderr
        assert resealed.stdout.startswith(f"checkpoint signed: size {n} ")
        assert not (keys / "alarm").exists()
        status = run_collab("audit", "status", env=env)
        assert status.returncode == 0 and "alarm: none" in status.stdout, status.stdout
        assert http.get("/readyz").status == 200
    # And the checkpoint moved aside proves the loss to the verifier: a rollback from M to N
    export = data_dir / "restored.jsonl"
    assert run_collab("audit", "export", str(export), env=env).returncode == 0
    pubkey = next(keys.glob("*.pub"))
    args = (str(export), "--pubkey", str(pubkey), "--previous-checkpoint", str(lost))
    checked = run_collab("audit", "verify", *args, env=env)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert f"size {n} < {m}" in checked.stdout
