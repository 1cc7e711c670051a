"""`collab due`: the due-date processor (DESIGN §2 invariant 8), on demand or following."""

from __future__ import annotations

import signal
import threading

import click


@click.group()
def due() -> None:
    """Effects that take time: exits after notice, mandates' ends, remedy periods, lapses."""


@due.command("run")
@click.option("--follow", is_flag=True, help="keep running every interval (server mode)")
@click.option("--interval", type=float, default=60.0, show_default=True, help="seconds")
def run(follow: bool, interval: float) -> None:
    """Record every effect whose date has come (today by this machine's clock, UTC)."""
    from api.cli import service
    from api.due import DueRunner

    with service() as (app, read, config):
        runner = DueRunner(app, read)
        if not follow:
            click.echo(f"recorded {len(runner.run_once())} effects due")
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        click.echo(f"recording effects due on {config.kind} every {interval:g} s; Ctrl-C stops")
        while not stop.is_set():
            runner.run_quietly()
            stop.wait(interval)
