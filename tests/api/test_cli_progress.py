"""Long commands show their progress on stderr: `projections rebuild`, `audit export` and
`audit verify` print plain lines (position/total, rate, time left) when stderr is not a
terminal, click's bar when it is; stdout and the export file are what they were before."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from api.cli import main
from api.progress import Progress, leaf_lines
from api.service import Service, Settings
from collab.stores import StoreConfig
from tests.audit.test_verify_progress import Clock, Terminal

ACTORS = 12


def plain(label: str, unit: str) -> re.Pattern[str]:
    return re.compile(rf"{label}: (\d+)/(\d+) {unit} \((\d+)%\), [\d,]+ {unit}/s, \d+:\d\d left")


def positions(stderr: str, label: str, unit: str) -> list[tuple[int, int]]:
    """The (done, total) of each progress line; every line on stderr must be one."""
    lines = stderr.splitlines()
    found = [plain(label, unit).fullmatch(line) for line in lines]
    assert all(found), lines
    return [(int(m.group(1)), int(m.group(2))) for m in found if m]


@pytest.fixture
def env(durable: StoreConfig, tmp_path: Path) -> dict[str, str]:
    """A data directory whose log holds ACTORS enrolments and more."""
    # Embedded on PostgreSQL too: no follower process to append the leaves in a test
    env = {
        "COLLAB_DATABASE_URL": durable.url,
        "COLLAB_DATA_DIR": str(tmp_path / "data"),
        "COLLAB_MODE": "embedded",
    }
    for n in range(ACTORS):
        run(env, "actors", "create", "--name", f"Actor {n}", "--role", "admin")
    return env


def run(env: dict[str, str], *args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == code, result.output
    return result


def exported_by_the_service(env: dict[str, str]) -> tuple[int, str]:
    """The leaves under the latest checkpoint, and the export the service makes of them."""
    svc = Service(Settings.from_env(env))
    try:
        with svc.audit.connect() as conn:
            checkpoint = svc.audit.checkpoint(conn)
            return checkpoint[0], "".join(svc.export_lines(conn, checkpoint))
    finally:
        svc.close()


def test_rebuild_prints_its_position_on_stdout_and_plain_progress_on_stderr(
    env: dict[str, str],
) -> None:
    # When the views are rebuilt, stderr not a terminal
    result = run(env, "projections", "rebuild")
    # Then stdout is the one line it always was
    said = re.fullmatch(r"rebuilt; views at position (\d+)\n", result.stdout)
    assert said and int(said.group(1)) >= ACTORS
    head = int(said.group(1))
    # And stderr holds plain lines ending at the head (one batch: one line)
    assert positions(result.stderr, "rebuilding", "events") == [(head, head)]


def test_export_writes_the_same_file_and_shows_plain_progress(
    env: dict[str, str], tmp_path: Path
) -> None:
    # When the log is exported to a file
    file = tmp_path / "export.jsonl"
    result = run(env, "audit", "export", str(file))
    # Then the file is the service's export, byte for byte, and stdout says how many leaves
    size, expected = exported_by_the_service(env)
    assert size >= ACTORS and file.read_text() == expected
    sealed = re.match(r"checkpoint signed: size (\d+) root [0-9a-f]{64}\n", result.stdout)
    assert sealed and int(sealed.group(1)) == size  # embedded mode seals first
    assert result.stdout[sealed.end() :] == f"exported {size} leaves to {file}\n"
    # And stderr has one plain line per tenth of the leaves, the last at the total
    shown = positions(result.stderr, "exporting", "leaves")
    assert len(shown) == 10 and shown[-1] == (size, size)
    assert [done * 10 // size for done, _ in shown] == list(range(1, 11))


def test_verify_prints_the_report_on_stdout_and_plain_progress_on_stderr(
    env: dict[str, str], tmp_path: Path
) -> None:
    # Given an export and the log's public key
    file = tmp_path / "export.jsonl"
    run(env, "audit", "export", str(file))
    (pub,) = (tmp_path / "data" / "keys").glob("*.pub")
    # When `collab audit verify` checks it
    result = run(env, "audit", "verify", str(file), "--pubkey", str(pub))
    # Then stdout is the verifier's report, clean, and stderr its progress
    size, _ = exported_by_the_service(env)
    assert result.stdout == f"clean (export, {size} leaves checked, checkpoint size {size})\n"
    assert positions(result.stderr, "verifying", "leaves")[-1] == (size, size)


def test_verify_of_a_live_database_shows_plain_progress_on_stderr(
    env: dict[str, str], tmp_path: Path
) -> None:
    # Given a sealed log (an export seals first in embedded mode)
    run(env, "audit", "export", str(tmp_path / "export.jsonl"))
    size, _ = exported_by_the_service(env)
    # When `collab audit verify --database` checks the live database
    result = run(env, "audit", "verify", "--database", env["COLLAB_DATABASE_URL"])
    # Then stdout is the verdict alone, and stderr follows the leaves up to the checkpoint
    assert result.stdout == "clean\n"
    assert positions(result.stderr, "verifying", "leaves")[-1] == (size, size)


def test_off_a_terminal_a_line_per_tenth_with_rate_and_time_left() -> None:
    # Given a progress on a pipe, started at a clock the test moves
    clock, stream = Clock(), io.StringIO()
    shown = Progress("exporting", "leaves", stream, clock)
    # When 1000 leaves pass, one a millisecond
    for done in range(1, 1001):
        clock.now += 0.001
        shown(done, 1000)
    shown.close()
    # Then ten lines, each with its position, the rate and the time left
    lines = stream.getvalue().splitlines()
    assert len(lines) == 10
    assert lines[0] == "exporting: 100/1000 leaves (10%), 1,000 leaves/s, 0:01 left"
    assert lines[-1] == "exporting: 1000/1000 leaves (100%), 1,000 leaves/s, 0:00 left"


def test_on_a_terminal_clicks_bar_is_drawn_with_rate_and_time_left() -> None:
    # Given a progress on a terminal
    clock, stream = Clock(), Terminal()
    shown = Progress("rebuilding", "events", stream, clock)
    # When a quarter of the events are applied in 5 seconds, then all of them
    clock.now += 5
    shown(2500, 10000)
    clock.now += 15
    shown(10000, 10000)
    shown.close()
    # Then the bar is redrawn in place, with position, rate and time left, then its line ends
    out = stream.getvalue()
    draws = [part for part in out.split("\r") if "events/s" in part]
    assert "2500/10000" in draws[0] and "500 events/s, 0:15 left" in draws[0]
    assert "10000/10000" in draws[-1] and "100%" in draws[-1]
    assert out.endswith("\n") and out.count("\n") == 1


def test_leaf_lines_passes_the_lines_through_and_counts_the_leaves() -> None:
    # Given an export's header and three leaf lines
    lines = ["header\n", "a\n", "b\n", "c\n"]
    seen: list[tuple[int, int]] = []
    # When they pass through
    passed = list(leaf_lines(lines, 3, lambda done, total: seen.append((done, total))))
    # Then they are unchanged, and each leaf line after the header was counted
    assert passed == lines and seen == [(1, 3), (2, 3), (3, 3)]
