"""The offline verifier shows its progress on stderr: plain lines when stderr is a pipe or a
file, a carriage-return bar with the rate and the time left on a terminal; stdout keeps the
report alone."""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from collab.audit.verify import _TextMeter, main

from .support import NOW, Log

LINE = re.compile(r"verifying: (\d+)/(\d+) leaves \((\d+)%\), [\d,]+/s, \d+:\d\d left")


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as stderr is in an operator's or auditor's shell."""

    def isatty(self) -> bool:
        return True


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def verify(export: Path, key: Path, stderr: io.StringIO) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(stderr):
        code = main([str(export), "--pubkey", str(key), "--json", "--now", NOW])
    return code, out.getvalue()


def test_off_a_terminal_a_plain_line_per_tenth_and_the_report_alone_on_stdout(
    tmp_path: Path,
) -> None:
    # Given an export of 40 leaves, signed by the key
    log = Log.populate(40)
    (tmp_path / "k.pub").write_text(log.signer.verifier + "\n")
    export = log.export(tmp_path / "export.jsonl")
    # When it is verified with stderr going to a pipe (not a terminal)
    err = io.StringIO()
    code, out = verify(export, tmp_path / "k.pub", err)
    # Then stdout is the JSON report alone, clean
    assert code == 0 and json.loads(out)["status"] == "clean"
    # And stderr holds one plain line per tenth, each with position/total, rate, time left
    lines = err.getvalue().splitlines()
    parsed = [LINE.fullmatch(line) for line in lines]
    assert all(parsed), lines
    positions = [int(m.group(1)) for m in parsed if m]
    assert positions == [4, 8, 12, 16, 20, 24, 28, 32, 36, 40]
    assert "\r" not in err.getvalue()


def test_on_a_terminal_the_bar_is_redrawn_in_place_then_its_line_ends(
    tmp_path: Path, key: Path, log: Log
) -> None:
    # Given the verifier's export of 12 leaves
    export = log.export(tmp_path / "export.jsonl")
    # When it is verified with stderr on a terminal
    err = Terminal()
    code, out = verify(export, key, err)
    # Then the report is on stdout alone
    assert code == 0 and json.loads(out)["checked"] == 12
    # And stderr is carriage-return redraws, the last one complete, then one newline
    shown = err.getvalue()
    assert shown.startswith("\rverifying [") and shown.endswith("\n") and shown.count("\n") == 1
    last = shown.rstrip("\n").split("\r")[-1]
    assert re.match(r"verifying \[#{24}\] 12/12 leaves \(100%\), [\d,]+/s, 0:00 left", last)


def test_the_bar_shows_the_rate_and_the_time_left() -> None:
    # Given a meter on a terminal, started at a clock the test moves
    clock, err = Clock(), Terminal()
    meter = _TextMeter(err, clock)
    # When 250 of 1000 leaves are checked in 5 seconds, then 500 a second later
    clock.now += 5
    meter(250, 1000)
    clock.now += 1
    meter(500, 1000)
    meter.close()
    # Then each redraw starts with a carriage return and shows the rate and time left
    first, second = err.getvalue().split("\r")[1:]
    assert first.startswith("verifying [######                  ] 250/1000 leaves (25%)")
    assert first.rstrip().endswith("50/s, 0:15 left")
    assert second.rstrip("\n").endswith("500/1000 leaves (50%), 83/s, 0:06 left")


def test_a_redraw_sooner_than_a_tenth_of_a_second_is_skipped_but_not_the_last() -> None:
    # Given a meter on a terminal
    clock, err = Clock(), Terminal()
    meter = _TextMeter(err, clock)
    # When three leaves of three are checked within a millisecond
    for done in (1, 2, 3):
        clock.now += 0.0003
        meter(done, 3)
    # Then the first and the last are drawn, not the one between
    drawn = [part.split("] ")[1].split(" ")[0] for part in err.getvalue().split("\r")[1:]]
    assert drawn == ["1/3", "3/3"]


def test_an_export_whose_header_gives_no_size_shows_no_progress(
    tmp_path: Path, key: Path, log: Log
) -> None:
    # Given leaf lines without their header (the total is unknown)
    export = tmp_path / "headless.jsonl"
    export.write_text("".join(json.dumps(line) + "\n" for line in log.lines()))
    # When verified; Then it is tampered (no header), and stderr has no progress line
    err = io.StringIO()
    code, _ = verify(export, key, err)
    assert code == 1 and err.getvalue() == ""
