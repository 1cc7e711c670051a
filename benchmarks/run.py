"""Run every registered benchmark: ``python -m benchmarks [--smoke] [--only B2] [--strict]``.

Prints one summary line per result (``B2.sqlite.collab.w1 ratio=… target>=0.5 ok``) and
writes ``benchmarks/results/<id>.json``. ``--strict`` exits 1 when a gating result misses
its target; comparison lines (an option not chosen) never gate.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from benchmarks import (
    b1_http,
    b2_append,
    b3_rebuild,
    b4_load,
    b5_asof,
    b6_scale,
    b7_lag,
    b8_append,
    b8_verify,
    b9_pages,
    b10_documents,
    b11_search,
    b12_reports,
)
from benchmarks.harness import RESULTS_DIR, Result, write_result

BENCHMARKS: dict[str, Callable[[bool], list[Result]]] = {
    "B1": b1_http.run,
    "B2": b2_append.run,
    "B3": b3_rebuild.run,
    "B4": b4_load.run,
    "B5": b5_asof.run,
    "B6": b6_scale.run,
    "B7": b7_lag.run,
    # Offline verification ÷ its ceiling, and leaf appends ÷ B1's ceiling commit rate.
    "B8": lambda smoke: [*b8_verify.run(smoke), *b8_append.run(smoke)],
    # The explorer's partnership page ÷ the JSON API's view of it (p95 of each).
    "B9": b9_pages.run,
    # A 20 MB document uploaded and downloaded through the API ÷ copying it on disk.
    "B10": b10_documents.run,
    # Search p95 at 20,000 ÷ 2,000 practices, ÷ a bare full-text query; its index rebuilt.
    "B11": b11_search.run,
    # Each report of a partnership with 5,000 events ÷ reading its views.
    "B12": b12_reports.run,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="short run: 5 rounds, small batches")
    parser.add_argument("--only", action="append", choices=sorted(BENCHMARKS), default=None)
    parser.add_argument("--strict", action="store_true", help="exit 1 if a gating result misses")
    args = parser.parse_args(argv)

    results: list[Result] = []
    for name in args.only or sorted(BENCHMARKS):
        done = BENCHMARKS[name](args.smoke)
        for result in done:  # written as each finishes: a later failure loses nothing
            write_result(result, RESULTS_DIR)
            print(result.summary(), flush=True)
        results += done
    print()
    for result in results:
        print(result.summary())
    missed = [r.bench_id for r in results if r.gating and not r.ok]
    return 1 if args.strict and missed else 0
