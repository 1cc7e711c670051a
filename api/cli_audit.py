"""`collab audit`: keys, sealing, status, export and verification of the log (DESIGN §5)."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import Any

import click

from api.cli_admin import operator
from api.progress import leaf_lines, progress
from api.service import Service, Settings
from collab.audit import store
from collab.audit import verify as verifier
from collab.audit.database import check_database
from collab.audit.export import Sees, open_private
from collab.audit.keys import (
    KeysMissingError,
    current_key,
    keys_directory,
    locked,
    make_key,
    rotate,
)
from collab.audit.sealer import Refused
from collab.domain.errors import CollabError


@click.group()
def audit() -> None:
    """The verifiable log: keys, checkpoints, export, verification."""


def data_dir() -> Path:
    settings = Settings.from_env()
    if settings.data_dir is None:  # pragma: no cover - from_env always sets it
        raise click.UsageError("COLLAB_DATA_DIR is not set")
    return settings.data_dir


@audit.command()
def keygen() -> None:
    """Make the signing key and the origin in $COLLAB_DATA_DIR/keys (once)."""
    directory = keys_directory(data_dir())
    with locked(directory):
        if current_key(directory) is not None:
            click.echo(f"a key already exists in {directory}; use `collab audit rotate`", err=True)
            sys.exit(1)
        key_id = make_key(directory)
    origin = (directory / "origin").read_text().strip()
    click.echo(f"key {key_id} for origin {origin}")
    click.echo(f"public key: {directory / (key_id + '.pub')} (give it to auditors and partners)")


@audit.command("rotate")
def rotate_key() -> None:
    """Retire the signing key and make a new one; old checkpoints stay verifiable."""
    try:
        key_id = rotate(data_dir())
    except KeysMissingError as e:
        click.echo(str(e), err=True)
        sys.exit(1)
    click.echo(f"new key {key_id}; restart the service and the sealer to sign with it")


@audit.command()
@click.option("--follow", is_flag=True, help="keep sealing every interval (server mode)")
@click.option("--interval", type=float, default=None, help="seconds (default COLLAB_SEAL_INTERVAL)")
def seal(follow: bool, interval: float | None) -> None:
    """Check the new leaves and sign a checkpoint of the tree (exit 1 on an alarm)."""
    with operator() as svc:
        pause = interval if interval is not None else svc.settings.seal_interval
        if not follow:
            sys.exit(seal_once(svc))
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        click.echo(f"sealing every {pause:g} s; Ctrl-C stops")
        while not stop.is_set():
            try:
                seal_once(svc)
            except Exception as e:  # the database is down: try again next interval
                click.echo(f"sealing failed: {e}", err=True)
            stop.wait(pause)


def seal_once(svc: Service) -> int:
    if svc.settings.mode == "embedded":
        svc.read.catch_up()  # no follower process: the leaves are appended here
    try:
        sealed = svc.audit.sealer.seal()
    except Refused as refused:
        click.echo(f"ALARM: {refused.alarm.describe()}", err=True)
        return 1
    verb = "signed" if sealed.signed else "unchanged"
    click.echo(f"checkpoint {verb}: size {sealed.size} root {sealed.root}")
    return 0


@audit.command()
def status() -> None:
    """Origin, key, tree size, the checkpoint kept, and any alarm (exit 1 on an alarm)."""
    with operator() as svc:
        ring, sealer = svc.audit.keys, svc.audit.sealer
        with svc.audit.connect() as conn:
            size = store.size(conn)
        kept = sealer.kept_quietly()
        click.echo(f"origin {ring.origin}; signing key {ring.signer.key_id}")
        click.echo(f"events {svc.read.follower.head()}; leaves {size}")
        click.echo("kept checkpoint: " + ("none" if kept is None else f"size {kept.size}"))
        alarm = sealer.alarm()
        click.echo("alarm: " + ("none" if alarm is None else alarm.describe()))
        sys.exit(0 if alarm is None else 1)


@audit.command()
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--partnership", help="only this partnership's events; the rest as leaf hashes")
def export(file: Path, partnership: str | None) -> None:
    """Write the log up to the latest checkpoint as JSON Lines (docs/verifiable-log.md)."""
    with operator() as svc:
        if svc.settings.mode == "embedded" and seal_once(svc) != 0:
            sys.exit(1)
        with svc.audit.connect() as conn, open_private(file) as out:
            checkpoint = svc.audit.checkpoint(conn)
            sees = None if partnership is None else only_partnership(svc, conn, partnership)
            with progress("exporting", "leaves") as shown:
                lines = svc.export_lines(conn, checkpoint, sees)
                out.writelines(leaf_lines(lines, checkpoint[0], shown))
        click.echo(f"exported {checkpoint[0]} leaves to {file}")


def only_partnership(svc: Service, conn: Any, partnership_id: str) -> Sees:
    from api.events import Gate, within
    from collab.actors.handlers import OPERATOR

    pid = str(svc.app.get_partnership(OPERATOR, partnership_id).id)  # 404 if unknown
    viewer = svc.app.viewer(OPERATOR, svc.now())
    return within(Gate(svc.app, viewer, conn, svc.read.tables), pid)


@audit.command(context_settings={"ignore_unknown_options": True})
@click.option("--database", "database", help="check a live database (a store URL) instead")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def verify(database: str | None, args: tuple[str, ...]) -> None:
    """Verify an export or proof bundle offline (the standalone verifier's options), or a
    live database with --database URL (keys from $COLLAB_DATA_DIR/keys)."""
    if database is None:
        with progress("verifying", "leaves") as shown:
            code = verifier.main(list(args), shown)
        sys.exit(code)
    sys.exit(verify_database(database))


def verify_database(url: str) -> int:
    import os

    from api.events import public

    os.environ["COLLAB_DATABASE_URL"] = url
    try:
        with operator() as svc, progress("verifying", "leaves") as shown:
            report = check_database(
                svc.read.readers,
                svc.app.recorder,
                svc.app.mapper.to_domain_event,
                svc.audit.keys,
                public,
                shown,
            )
    except (KeysMissingError, ValueError, CollabError) as e:
        click.echo(f"error: {e}", err=True)
        return 3
    for problem in report.problems[:20]:
        click.echo(f"TAMPERED {problem}")
    for warning in report.warnings[:20]:
        click.echo(f"warning {warning}")
    click.echo(("clean", "tampered", "warnings only")[report.exit_code])
    return report.exit_code
