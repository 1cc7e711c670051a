"""Progress of long commands on stderr: click's bar on a terminal, plain lines otherwise.

stdout stays the command's output (an export may be piped), so nothing here writes there.
click's bar alone would print only its label when stderr is not a terminal; a log or a CI
job gets a plain line at each tenth instead, with the position, the rate and the time left.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, TextIO

import click

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

Clock = Callable[[], float]


def duration(seconds: float) -> str:
    """``m:ss``, or ``h:mm:ss`` from an hour."""
    s = round(seconds)
    h, m = s // 3600, s // 60 % 60
    return f"{h}:{m:02}:{s % 60:02}" if h else f"{m}:{s % 60:02}"


def as_shown(figures: str | None) -> str | None:
    """The bar shows the figures it is given as its current item."""
    return figures


class Progress:
    """Called with (done, total) as the work goes; shows it on `stream` (stderr)."""

    REDRAW = 0.1  # seconds between two drawings of the bar: a leaf is far quicker

    def __init__(
        self, label: str, unit: str, stream: TextIO | None = None, clock: Clock = time.monotonic
    ) -> None:
        self.label, self.unit = label, unit
        self.clock = clock
        self.stream = sys.stderr if stream is None else stream
        self.tty = self.stream.isatty()
        self.start = clock()
        self.last = float("-inf")  # when the bar was drawn
        self.tenth = 0  # the last tenth printed as a line
        self.bars = ExitStack()  # the bar, made on the first call: the total comes with it
        self.bar: ProgressBar[str | None] | None = None

    def __call__(self, done: int, total: int) -> None:
        if total <= 0:
            return
        done, now = min(done, total), self.clock()
        if self.tty:
            self._draw(done, total, now)
        elif done * 10 // total > self.tenth:
            self.tenth = done * 10 // total
            click.echo(f"{self.label}: {self.figures(done, total, now)}", file=self.stream)

    def _draw(self, done: int, total: int, now: float) -> None:
        if done < total and now - self.last < self.REDRAW:
            return
        self.last = now
        bar = self.bar
        if bar is None:
            bar = self.bar = self.bars.enter_context(
                click.progressbar(
                    length=total,
                    label=self.label,
                    file=self.stream,
                    show_pos=True,
                    show_percent=True,
                    show_eta=False,  # ours below: click's waits a second, then needs a tick
                    item_show_func=as_shown,
                )
            )
        bar.update(done - bar.pos, self.figures(done, total, now, pos=False))

    def figures(self, done: int, total: int, now: float, pos: bool = True) -> str:
        """Position, rate and time left: "120/400 leaves (30%), 60 leaves/s, 0:05 left"."""
        rate = done / max(now - self.start, 1e-9)
        left = duration((total - done) / rate) if rate else "?"
        where = f"{done}/{total} {self.unit} ({100 * done // total}%), " if pos else ""
        return f"{where}{rate:,.0f} {self.unit}/s, {left} left"

    def close(self) -> None:
        """Ends the bar's line, so what the command prints next starts on its own."""
        self.bars.close()


@contextmanager
def progress(label: str, unit: str) -> Iterator[Progress]:
    """A Progress on stderr, its bar ended however the work ends."""
    shown = Progress(label, unit)
    try:
        yield shown
    finally:
        shown.close()


def leaf_lines(
    lines: Iterable[str], total: int, shown: Callable[[int, int], None]
) -> Iterator[str]:
    """An export's lines passed through, counting the leaf lines after its header."""
    it = iter(lines)
    header = next(it, None)
    if header is None:
        return
    yield header
    for done, line in enumerate(it, 1):
        yield line
        shown(done, total)
