"""Hostile exports and bundles: random damage is reported, never raised, never passed as clean.

Seeded mutations (reproducible): random bytes written into a line, and random values put in
place of fields of a line, of its entry, or of a bundle.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from typing import Any

import pytest

from collab.audit.verify import MAX_PROBLEMS, VerifierKey, verify_bundle, verify_export

from .support import Log

NOW = datetime(2026, 2, 1, tzinfo=UTC)
VALUES: list[Any] = [None, True, 0, -1, 2**70, 1.5, "", "x", [], {}, [1], {"a": 1}, "\ud800"]


def damage(rng: random.Random, value: Any) -> Any:
    """``value`` with one part somewhere inside it replaced, removed or added to."""
    if isinstance(value, dict) and value:
        key = rng.choice(sorted(value))
        roll = rng.random()
        if roll < 0.3:
            value[key] = rng.choice(VALUES)
        elif roll < 0.4:
            del value[key]
        elif roll < 0.5:
            value[key + "_"] = rng.choice(VALUES)
        else:
            value[key] = damage(rng, value[key])
        return value
    if isinstance(value, list) and value:
        i = rng.randrange(len(value))
        value[i] = damage(rng, value[i])
        return value
    if isinstance(value, str) and value:
        i = rng.randrange(len(value))
        return value[:i] + rng.choice(['"', "\\", "\x00", "\ud800", "é", "{", "1", "+"]) + value[i:]
    return rng.choice([v for v in VALUES if v != value])


def strip(obj: dict[str, Any], key: str) -> str:
    """The JSON text of ``obj`` without ``key`` (as text: in Python True == 1)."""
    return json.dumps({k: v for k, v in obj.items() if k != key}, sort_keys=True)


@pytest.fixture(scope="module")
def world() -> tuple[Log, VerifierKey, list[bytes]]:
    log = Log.populate(10)
    lines = [json.dumps(x).encode() for x in [log.header(), *log.lines()]]
    return log, VerifierKey.parse(log.signer.verifier), lines


@pytest.mark.parametrize("seed", range(200))
def test_damaged_lines_are_tampering(
    seed: int, world: tuple[Log, VerifierKey, list[bytes]]
) -> None:
    _, key, clean = world
    rng = random.Random(seed)
    # Given one line (header or leaf) damaged in its fields or in its entry's fields
    lines = list(clean)
    i = rng.randrange(len(lines))
    obj = json.loads(lines[i])
    if "entry" in obj and rng.random() < 0.5:
        obj["entry"] = json.dumps(damage(rng, json.loads(obj["entry"])))
    else:
        obj = damage(rng, obj)
    lines[i] = json.dumps(obj).encode()
    # When verified; Then no exception, and tampering unless only the human view changed
    report = verify_export(lines, [key], now=NOW)
    before = json.loads(clean[i])
    only_public = isinstance(obj, dict) and strip(obj, "public") == strip(before, "public")
    assert report.exit_code == (0 if only_public else 1), (obj, report.problems)


@pytest.mark.parametrize("seed", range(200))
def test_random_bytes_never_raise(seed: int, world: tuple[Log, VerifierKey, list[bytes]]) -> None:
    _, key, clean = world
    rng = random.Random(seed)
    # Given random bytes written over any line
    lines = list(clean)
    i = rng.randrange(len(lines))
    damaged = bytearray(lines[i])
    for _ in range(rng.randint(1, 4)):
        damaged[rng.randrange(len(damaged))] = rng.randrange(256)
    lines[i] = bytes(damaged)
    # When verified; Then a report, never an exception
    assert verify_export(lines, [key], now=NOW).exit_code in (0, 1)


@pytest.mark.parametrize("seed", range(200))
def test_damaged_bundles_fail(seed: int, world: tuple[Log, VerifierKey, list[bytes]]) -> None:
    log, key, _ = world
    # Given a valid bundle with one part damaged
    bundle = damage(random.Random(seed), log.bundle(4, from_size=3))
    # When verified; Then it fails (except where only an unchecked consistency proof changed)
    report = verify_bundle(bundle, [key])
    clean = log.bundle(4)
    same_keys = bundle.keys() == clean.keys()
    unchecked = same_keys and strip(bundle, "consistency") == strip(clean, "consistency")
    assert report.exit_code == (0 if unchecked else 1), bundle


def test_a_flood_of_problems_is_capped(world: tuple[Log, VerifierKey, list[bytes]]) -> None:
    # Given an export of 10 leaves followed by thousands of garbage lines
    _, key, clean = world
    report = verify_export([*clean, *[b"garbage"] * 5000], [key], now=NOW)
    # Then the report keeps MAX_PROBLEMS and counts the rest
    assert len(report.problems) == MAX_PROBLEMS and report.omitted > 4000
    assert report.problems[0].leaf == 10 and "extra line" in report.problems[0].reason
