"""Ratio benchmarks (DESIGN §6): a measured path against its ceiling, in the same run.

Absolute times on shared machines are noise, so each benchmark times the measured path (A)
and its ceiling (B) alternately, A B A B …, for at least five rounds after a warm-up, and
reports the ratio ceiling time ÷ measured time for the same work (1.0 = as fast as the
ceiling): median, min and max over the rounds.
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).parent / "results"
MIN_ROUNDS = 5

# Runs a fixed amount of work once and returns the seconds it took (wall clock).
Timed = Callable[[], float]


@dataclass(frozen=True)
class Result:
    """One benchmark line: the per-round ratios and what was measured under which settings."""

    bench_id: str
    ratios: tuple[float, ...]
    target: float
    settings: dict[str, Any] = field(default_factory=dict)
    # False for comparison lines (e.g. the store option not chosen): printed, not gating.
    gating: bool = True
    # (measured, ceiling) seconds per round: orientation only, ratios are the result.
    seconds: tuple[tuple[float, float], ...] = ()

    @property
    def median(self) -> float:
        return statistics.median(self.ratios)

    @property
    def ok(self) -> bool:
        return self.median >= self.target

    def summary(self) -> str:
        verdict = "ok" if self.ok else "MISS"
        return (
            f"{self.bench_id} ratio={self.median:.2f} min={min(self.ratios):.2f} "
            f"max={max(self.ratios):.2f} target>={self.target:g} {verdict}"
        )


def compare(
    bench_id: str,
    measured: Timed,
    ceiling: Timed,
    *,
    target: float,
    rounds: int = 7,
    warmup: int = 1,
    settings: dict[str, Any] | None = None,
    gating: bool = True,
) -> Result:
    """Alternate ``measured`` and ``ceiling``; one ratio per round."""
    if rounds < MIN_ROUNDS:
        raise ValueError(f"at least {MIN_ROUNDS} rounds, got {rounds}")
    for _ in range(warmup):
        measured()
        ceiling()
    seconds = []
    for n in range(rounds):
        a = measured()
        b = ceiling()
        seconds.append((a, b))
        print(f"  {bench_id} round {n + 1}/{rounds}: ratio {b / a:.3f}", file=sys.stderr)
    ratios = tuple(b / a for a, b in seconds)
    return Result(bench_id, ratios, target, dict(settings or {}), gating, tuple(seconds))


def git_revision() -> str:
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no commit yet or no git)"
    return head + ("+dirty" if dirty else "")


def environment() -> dict[str, Any]:
    return {
        "git_revision": git_revision(),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def write_result(result: Result, results_dir: Path = RESULTS_DIR) -> Path:
    """``<results_dir>/<bench_id>.json``: the summary, every ratio, settings and machine."""
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{result.bench_id}.json"
    document = {
        "id": result.bench_id,
        "summary": result.summary(),
        "ratio_median": result.median,
        "ratio_min": min(result.ratios),
        "ratio_max": max(result.ratios),
        "ratios": list(result.ratios),
        "seconds_measured_ceiling": [list(pair) for pair in result.seconds],
        "target": result.target,
        "ok": result.ok,
        "gating": result.gating,
        "settings": result.settings,
        **environment(),
    }
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    return path
