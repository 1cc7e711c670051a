"""The `collab` command."""

from __future__ import annotations

import ipaddress
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import click

from api.wiring import follow_commands, open_read_side
from collab.application import Collab
from collab.domain.errors import CollabError
from collab.stores import PRIVATE, StoreConfig
from projections.readside import ReadSide


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """collab: an event-sourced ledger of multi-actor collaboration agreements."""
    # Every file a command makes is its owner's alone (docs/decisions.md); gunicorn, which
    # `serve` becomes, and its workers inherit the umask. Put back when the command ends,
    # for callers that run it in their own process (CliRunner).
    previous = os.umask(PRIVATE)
    ctx.call_on_close(lambda: os.umask(previous))


@contextmanager
def service(*, documents: bool = False) -> Iterator[tuple[Collab, ReadSide, StoreConfig]]:
    from api.cli_admin import configured

    settings = configured()
    config = settings.store
    store = settings.document_store() if documents else None  # files the demo stores
    app = Collab(config, keys=settings.key_ring(), documents=store)
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

    with service(documents=True) as (app, read, config):
        follow_commands(app, read)  # embedded mode: views caught up before each command returns
        try:
            click.echo(f"store: {config.kind} ({config.url})")
            click.echo(run_demo(app))
        except CollabError as refused:  # pragma: no cover - the scenario is valid by construction
            click.echo(f"refused: {refused.message}", err=True)
            sys.exit(1)
        reached = read.catch_up()
        name_demo_people(app, read)
        with read.reader() as conn:
            click.echo(f"read models at position {reached}, digest {digest(conn, read.tables)}")


def name_demo_people(app: Collab, read: ReadSide) -> None:
    """Display names for the demo's actors (an erasable table, never the log), so the
    explorer's pages say who acted: the broker, and each partner by its organisation."""
    from api.credentials import Credentials
    from web.roster import enrolled

    credentials = Credentials(read.writer, read.readers)
    credentials.setup()
    with read.reader() as conn:
        people = enrolled(conn, read.tables)
    for person in people:
        if credentials.name_of(person.actor_id) is not None:
            continue
        if person.organisation_id is None:
            name = "Rita Lopes (LAG animator)" if person.role == "broker" else person.role
        else:
            org = app.get_organisation(person.organisation_id).legal_name
            name = f"Representative of {org}"
        credentials.set_name(person.actor_id, name, app.clock())


@main.command()
@click.option("--bind", envvar="COLLAB_BIND", default="127.0.0.1:8000", show_default=True)
@click.option(
    "--workers",
    envvar="COLLAB_WORKERS",
    type=click.IntRange(1, 64),
    help="processes [default: 2]",
)
@click.option(
    "--threads",
    envvar="COLLAB_THREADS",
    # At most 12: each process's connection pools hold 15 connections, and its writer,
    # sealer and due-date threads need theirs.
    type=click.IntRange(1, 12),
    help="threads per process [default: 8 in embedded mode, 1 (sync) in server mode]",
)
def serve(bind: str, workers: int | None, threads: int | None) -> None:
    """Serve the HTTP API under gunicorn (embedded SQLite unless configured otherwise)."""
    from api.cli_admin import configured, first_admin_link
    from api.service import Service
    from collab.audit.keys import KeysMissingError

    if not local(bind) and os.environ.get("COLLAB_BEHIND_PROXY", "") in ("", "0"):
        click.echo(DIRECT_CLIENTS.format(bind=bind), err=True)
    if not local(bind) and not os.environ.get("COLLAB_PUBLIC_URL", "").strip():
        click.echo(NO_PUBLIC_URL.format(bind=bind), err=True)
    settings = configured()
    # Create every table (and, in embedded mode, the signing key) once, here, before
    # gunicorn forks its workers.
    try:
        svc = Service(settings)
    except KeysMissingError as e:
        click.echo(f"collab: {e}", err=True)
        sys.exit(1)
    try:
        link = first_admin_link(svc, f"http://{bind}")
    finally:
        svc.close()
    workers, threads = concurrency(settings.mode, workers, threads)
    click.echo(
        f"collab: {settings.mode} mode on {settings.store.kind}; "
        f"workers {workers}, threads {threads}"
    )
    click.echo(f"Explorer: http://{bind}/   API docs: http://{bind}/v1/docs")
    if link is not None:
        click.echo(f"Sign in as the first admin: {link}")
        click.echo("  (one use: choose a sign-in name and passphrase there; `collab people link")
        click.echo("  ACTOR_ID` prints a new link for anyone)")
    # This interpreter's gunicorn: the one whose settings `gunicorn_args` looked up.
    args = [sys.executable, "-m", "gunicorn", *gunicorn_args(bind, workers, threads)]
    os.execv(sys.executable, args)


DIRECT_CLIENTS = """\
collab: warning: listening on {bind}, not a loopback address, and COLLAB_BEHIND_PROXY is not set.
  gunicorn's workers expect a buffering reverse proxy (nginx) in front of them: a client that
  sends its request slowly holds a worker process or thread for up to 30 s (docs/decisions.md,
  "Slow clients").
  Serve clients through such a proxy, then set COLLAB_BEHIND_PROXY=1 to silence this warning."""


def concurrency(mode: str, workers: int | None, threads: int | None) -> tuple[int, int]:
    """Processes and threads per process. Embedded mode: two processes (two cores for the
    Python of requests, which one process's GIL would serialise) of eight threads each;
    each process's writer commits its threads' commands in groups, and the two writers take
    turns on the file (docs/decisions.md, "One embedded writer"). Server mode: sync
    processes, each with its own connections to PostgreSQL."""
    if mode == "embedded":
        return workers or 2, threads or 8
    return workers or 2, threads or 1


NO_PUBLIC_URL = """\
collab: warning: COLLAB_PUBLIC_URL is not set: sign-in links issued on the pages or over the API
  take their address from each request's Host header. Set COLLAB_PUBLIC_URL to the address
  people use (https://collab.example.org) (docs/explorer.md)."""


def local(bind: str) -> bool:
    """Whether gunicorn's --bind reaches this machine only: a unix socket, or loopback
    (127.0.0.0/8, ::1, localhost), read as gunicorn reads it. Anything else: not local."""
    from gunicorn.util import parse_address  # type: ignore[import-untyped]  # no py.typed

    try:
        address = parse_address(bind)
    except RuntimeError:
        return False  # gunicorn will refuse it
    if isinstance(address, str):
        return True  # a unix socket
    if isinstance(address, int):
        return False  # an inherited descriptor (fd://N): no telling
    host = address[0]
    if host == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False  # a host name: it may resolve to anything
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    return (mapped or ip).is_loopback


def gunicorn_args(bind: str, workers: int, threads: int = 1) -> list[str]:
    """gunicorn's command line: the app, its socket, its processes and threads (gthread
    workers when more than one), and no control socket (a gunicorn that has one, 25.1 and
    later, would open it in $XDG_RUNTIME_DIR or ~/.gunicorn)."""
    from gunicorn.config import KNOWN_SETTINGS  # type: ignore[import-untyped]  # no py.typed

    args = ["api.wsgi:app", "--bind", bind, "--workers", str(workers), "--graceful-timeout", "10"]
    if threads > 1:
        args += ["--worker-class", "gthread", "--threads", str(threads)]
    if any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS):
        args.append("--no-control-socket")
    return args


def _add_admin_commands() -> None:
    from api.cli_admin import actors, grants, people, tokens
    from api.cli_audit import audit
    from api.cli_budget import budget
    from api.cli_documents import documents
    from api.cli_due import due
    from api.cli_reports import reports

    for group in (actors, tokens, grants, people, audit, due, documents, budget, reports):
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
    from api.progress import progress
    from projections.operations import rebuild

    with service() as (_app, read, _config), progress("rebuilding", "events") as shown:
        position = rebuild(read, shown)
    click.echo(f"rebuilt; views at position {position}")  # after the bar's line has ended


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
