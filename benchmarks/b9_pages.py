"""B9: the explorer's partnership page ÷ the JSON API's view of the same partnership.

Measured: ``GET /partnerships/<id>`` (web/partnership_pages.py), signed in to the explorer
through the real flow (a sign-in link, the welcome form with its CSRF token) and sent with
the session cookie. Ceiling: ``GET /v1/partnerships/<id>/view`` with a bearer token, for
the same actor (the partnership's broker) and the same partnership. Both go through the
Flask test client in process (no HTTP, no server), one request of each in turn after a
warm-up, and every answer must be 200. Each round gives the p95 of its requests of each;
ratio = JSON p95 ÷ page p95, target (issue) ≥ 0.5, i.e. the page costs at most twice the
JSON view. Non-gating lines give the medians' ratio and the ratio of the p95s of CPU
time (the request's thread), which other processes on a busy machine do not inflate.

The partnership is B5's (``b5_asof.Seeded``): six member organisations, four confirmed
commitments, results reported on the partnership and deliveries on its commitments until
its streams hold at least 5,000 events, and as many events on a second partnership. One
SQLite file (WAL) and, when PostgreSQL is reachable, a schema of its own; the views are
caught up before measuring. When the page misses, the top of a cProfile of one page
render is printed and kept in the result's settings, for the page's author.
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import re
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from api.service import Service, Settings
from benchmarks.b2_append import postgres_url
from benchmarks.b3_rebuild import postgres_store, sqlite_store
from benchmarks.b5_asof import Seeded
from benchmarks.harness import Result
from collab.application import Collab
from collab.stores import StoreConfig

TARGET = 0.5
EVENTS = 5_000  # in the partnership's streams: the issue's "a partnership with 5,000 events"
WARMUP = 3
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSPHRASE = "a long enough benchmark passphrase"
PROFILE_LINES = 30

# One request; returns (wall-clock seconds, this thread's CPU seconds, response body).
Request = Callable[[], tuple[float, float, bytes]]
# Per round: (page seconds, JSON seconds), one entry per request.
Rounds = list[tuple[list[float], list[float]]]


def seed(config: StoreConfig, events: int) -> tuple[Seeded, int, float]:
    """B5's long-lived partnership, written through the domain; the writer closed after.
    Also the events in the partnership's streams and the seconds it took."""
    writer = Collab(config, snapshot_interval=100)
    try:
        started = time.perf_counter()
        seeded = Seeded(writer)
        seeded.pad(events)
        return seeded, seeded.events(), time.perf_counter() - started
    finally:
        writer.close()


def sign_in(app: Flask, actor_id: str) -> FlaskClient:
    """A browser-like client signed in as `actor_id` through a one-time link."""
    svc: Service = app.extensions["collab"]
    client = app.test_client()
    token, _ = svc.people.issue_link(actor_id, "bench", svc.now(), 1)
    expect(client.get(f"/signin/link/{token}"), 303, "following the sign-in link")
    form = client.get("/signin/welcome")
    expect(form, 200, "the welcome form")
    found = CSRF_RE.search(form.text)
    if found is None:
        raise RuntimeError("the welcome form carries no CSRF token")
    done = client.post(
        "/signin/welcome",
        data={
            "csrf_token": found.group(1),
            "login": f"b9{uuid.uuid4().hex[:10]}",
            "passphrase": PASSPHRASE,
            "repeat": PASSPHRASE,
        },
    )
    expect(done, 303, "the welcome form's post")
    return client


def expect(response: Any, status: int, what: str) -> None:
    if response.status_code != status:
        body = response.get_data(as_text=True)[:300]
        raise RuntimeError(f"{what}: {response.status_code}, expected {status}: {body}")


def getter(client: FlaskClient, path: str, headers: dict[str, str] | None = None) -> Request:
    def run() -> tuple[float, float, bytes]:
        start, cpu = time.perf_counter(), time.thread_time()
        response = client.get(path, headers=headers)
        body = response.get_data()
        elapsed, cpu = time.perf_counter() - start, time.thread_time() - cpu
        expect(response, 200, f"GET {path}")
        return elapsed, cpu, body

    return run


def p95(seconds: list[float]) -> float:
    return statistics.quantiles(seconds, n=20, method="inclusive")[18]


def profile(request: Request) -> list[str]:
    """The top functions by cumulative time for one request, as pstats prints them."""
    profiler = cProfile.Profile()
    profiler.runcall(request)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(PROFILE_LINES)
    return [line for line in out.getvalue().splitlines() if line.strip()]


def alternate(
    page: Request, json_view: Request, rounds: int, per_round: int
) -> tuple[Rounds, Rounds]:
    """Wall-clock and CPU seconds per round, one request of each in turn."""
    for _ in range(WARMUP):
        page()
        json_view()
    wall: Rounds = []
    cpu: Rounds = []
    for n in range(rounds):
        pages: list[tuple[float, float]] = []
        views: list[tuple[float, float]] = []
        for _ in range(per_round):
            pages.append(page()[:2])
            views.append(json_view()[:2])
        wall.append(([w for w, _ in pages], [w for w, _ in views]))
        cpu.append(([c for _, c in pages], [c for _, c in views]))
        print(
            f"  B9 round {n + 1}/{rounds}: page p95 {p95(wall[-1][0]) * 1e3:.1f} ms, "
            f"JSON p95 {p95(wall[-1][1]) * 1e3:.1f} ms",
            file=sys.stderr,
        )
    return wall, cpu


def measure(backend: str, config: StoreConfig, rounds: int, per_round: int) -> list[Result]:
    seeded, events, seed_seconds = seed(config, EVENTS)
    app = create_app(Settings(store=config, mode="embedded", data_dir=None))
    svc: Service = app.extensions["collab"]
    try:
        head = svc.read.catch_up()
        actor_id = seeded.demo.broker.id
        token, _ = svc.credentials.issue(actor_id, "bench", svc.now(), 1)
        bearer = {"Authorization": f"Bearer {token}"}
        json_view = getter(app.test_client(), f"/v1/partnerships/{seeded.pid}/view", bearer)
        page = getter(sign_in(app, actor_id), f"/partnerships/{seeded.pid}")
        view, shown, answered = content(json_view, page, seeded.pid)
        wall, cpu = alternate(page, json_view, rounds, per_round)
        settings: dict[str, Any] = {
            "backend": backend,
            "store": "sqlite WAL" if backend == "sqlite" else "postgres",
            "mode": "embedded, Flask test client in process",
            "actor": "the partnership's broker (bearer token / explorer session)",
            "partnership_events": events,
            "log_events": head,
            **shown_in(view),
            "seed": f"b5_asof.Seeded, domain + Collab.save ({seed_seconds:.1f} s)",
            "requests_per_round_each": per_round,
            "warmup_each": WARMUP,
            "page_bytes": len(shown),
            "json_bytes": len(answered),
            **over_all("wall", wall),
            **over_all("cpu", cpu),
            "ceiling": "GET /v1/partnerships/<id>/view, bearer token",
        }
        results = [
            line(f"B9.{backend}.p95", wall, p95, settings, gating=True),
            line(f"B9.{backend}.p50", wall, statistics.median, settings, gating=False),
            # This thread's CPU time: what the page costs when other processes take turns.
            line(f"B9.{backend}.cpu_p95", cpu, p95, settings, gating=False),
        ]
        if not results[0].ok:
            settings["page_profile"] = profile(page)
            print("\n".join(settings["page_profile"]), file=sys.stderr)
        return results
    finally:
        svc.close()


def over_all(kind: str, rounds: Rounds) -> dict[str, float]:
    """p95 and median of every request of the run (not per round), in milliseconds."""
    pages = [s for got, _ in rounds for s in got]
    views = [s for _, got in rounds for s in got]
    return {
        f"{kind}_page_p95_ms_all": p95(pages) * 1e3,
        f"{kind}_json_p95_ms_all": p95(views) * 1e3,
        f"{kind}_ratio_p95_all": p95(views) / p95(pages),
        f"{kind}_page_p50_ms_all": statistics.median(pages) * 1e3,
        f"{kind}_json_p50_ms_all": statistics.median(views) * 1e3,
    }


def content(json_view: Request, page: Request, pid: str) -> tuple[dict[str, Any], bytes, bytes]:
    """Both answer with the partnership: the JSON with its members, the page with its title.
    The view, the page's body and the JSON's body."""
    answered = json_view()[2]
    view: dict[str, Any] = json.loads(answered)
    if view.get("partnership_id") != pid or not view.get("members"):
        raise RuntimeError(f"the JSON view has no members of {pid}")
    shown = page()[2]
    title = str(view.get("title", "")).encode()
    if title and title not in shown:
        raise RuntimeError("the partnership page does not show the partnership's title")
    return view, shown, answered


def shown_in(view: dict[str, Any]) -> dict[str, int]:
    """What the JSON view holds: members, their commitments and their deliveries."""
    commitments = [c for m in view["members"] for c in m.get("commitments", [])]
    return {
        "members": len(view["members"]),
        "commitments": len(commitments),
        "deliveries": sum(len(c.get("deliveries", [])) for c in commitments),
    }


def line(
    bench_id: str,
    rounds: Rounds,
    statistic: Callable[[list[float]], float],
    settings: dict[str, Any],
    *,
    gating: bool,
) -> Result:
    seconds = tuple((statistic(pages), statistic(views)) for pages, views in rounds)
    ratios = tuple(json_s / page_s for page_s, json_s in seconds)
    return Result(bench_id, ratios, TARGET, settings, gating, seconds)


def run(smoke: bool = False) -> list[Result]:
    rounds, per_round = (5, 20) if smoke else (7, 40)
    results = []
    with sqlite_store() as config:
        results += measure("sqlite", config, rounds, per_round)
    if (url := postgres_url("B9")) is not None:
        with postgres_store(url, prefix="b9") as config:
            results += measure("postgres", config, rounds, per_round)
    return results
