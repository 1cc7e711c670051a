"""The `collab` command."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import click

from api.wiring import follow_commands, open_read_side
from collab.application import Collab
from collab.domain.errors import CollabError
from collab.stores import StoreConfig
from projections.readside import ReadSide


@click.group()
def main() -> None:
    """collab: an event-sourced ledger of multi-actor collaboration agreements."""


@contextmanager
def service() -> Iterator[tuple[Collab, ReadSide, StoreConfig]]:
    from api.service import Settings

    settings = Settings.from_env()
    config = settings.store
    app = Collab(config, keys=settings.key_ring())
    read = open_read_side(app, config)
    try:
        yield app, read, config
    finally:
        read.close()
        app.close()


@main.command()
def demo() -> None:
    """Seed a CLLD local action group scenario through the application service."""
    from api.demo import run_demo
    from projections.operations import digest

    with service() as (app, read, config):
        follow_commands(app, read)  # embedded mode: views caught up before each command returns
        try:
            click.echo(f"store: {config.kind} ({config.url})")
            click.echo(run_demo(app))
        except CollabError as refused:  # pragma: no cover - the scenario is valid by construction
            click.echo(f"refused: {refused.message}", err=True)
            sys.exit(1)
        reached = read.catch_up()
        with read.reader() as conn:
            click.echo(f"read models at position {reached}, digest {digest(conn, read.tables)}")


@main.command()
@click.option("--bind", envvar="COLLAB_BIND", default="127.0.0.1:8000", show_default=True)
@click.option("--workers", envvar="COLLAB_WORKERS", default=2, show_default=True, type=int)
def serve(bind: str, workers: int) -> None:
    """Serve the HTTP API under gunicorn (embedded SQLite unless configured otherwise)."""
    import os
    import shutil

    from api.service import Service, Settings
    from collab.audit.keys import KeysMissingError

    settings = Settings.from_env()
    # Create every table (and, in embedded mode, the signing key) once, here, before
    # gunicorn forks its workers.
    try:
        svc = Service(settings)
    except KeysMissingError as e:
        click.echo(f"collab: {e}", err=True)
        sys.exit(1)
    first_run = not svc.credentials.any_token()
    svc.close()
    click.echo(f"collab: {settings.mode} mode on {settings.store.kind}; workers {workers}")
    click.echo(f"API docs: http://{bind}/v1/docs  (OpenAPI: http://{bind}/v1/openapi.json)")
    if first_run:
        click.echo("No credentials yet. Create the first admin and its token with:")
        click.echo("  .venv/bin/collab actors create --name 'Your Name' --role admin --with-token")
    gunicorn = shutil.which("gunicorn") or os.path.join(os.path.dirname(sys.executable), "gunicorn")
    args = [gunicorn, "api.wsgi:app", "--bind", bind, "--workers", str(workers)]
    os.execv(gunicorn, [*args, "--graceful-timeout", "10"])


def _add_admin_commands() -> None:
    from api.cli_admin import actors, grants, tokens
    from api.cli_audit import audit

    for group in (actors, tokens, grants, audit):
        main.add_command(group)


_add_admin_commands()


@main.group()
def projections() -> None:
    """The read models: follow the log, rebuild, status, digest."""


@projections.command("run")
@click.option("--poll", default=0.5, show_default=True, help="seconds between polls")
def projections_run(poll: float) -> None:
    """Follow the log in this process (worker mode) until SIGTERM or Ctrl-C."""
    from projections.worker import follow

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with service() as (_app, read, config):
        click.echo(f"following {config.kind} log; Ctrl-C stops")
        follow(read, config, stop, poll=poll)


@projections.command("rebuild")
def projections_rebuild() -> None:
    """Rebuild every view from position 0 into fresh tables, then swap them in."""
    from projections.operations import rebuild

    with service() as (_app, read, _config):

        def progress(reached: int, head: int) -> None:
            click.echo(f"  rebuilt to {reached} of {head}", err=True)

        click.echo(f"rebuilt; views at position {rebuild(read, progress)}")


@projections.command("status")
def projections_status() -> None:
    """Position, head and lag of each projection."""
    from projections.operations import status

    with service() as (_app, read, _config):
        for row in status(read):
            name, pos, head, lag = (row[k] for k in ("projection", "position", "head", "lag"))
            click.echo(f"{name}: position {pos} head {head} lag {lag}")


@projections.command("digest")
def projections_digest() -> None:
    """SHA-256 over every view's rows: equal for SQLite and PostgreSQL built from one log."""
    from projections.operations import digest

    with service() as (_app, read, _config), read.reader() as conn:
        click.echo(digest(conn, read.tables))
