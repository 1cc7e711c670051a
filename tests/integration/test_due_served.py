"""The due-date processor in real served processes (invariant 8): in embedded mode it runs
in every gunicorn worker's background, in server mode as `collab due run --follow` beside
the follower and the sealer; either way an effect whose date has come is recorded once.

Served processes run on the real clock and offer no way to set it: the effect here is a
mandate granted with an end date already past, which is due at once.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from collab.stores import StoreConfig
from tests.integration.conftest import Http, run_collab, serve
from tests.integration.test_http_scenario import ok, register

DEADLINE = 20.0  # seconds for a background pass (every 0.2 s here) to record it


def enrol(admin: Http, role: str, organisation_id: str | None = None) -> tuple[str, Http]:
    """An actor (its id) with a token (an HTTP client acting as it)."""
    body: dict[str, Any] = {"name": f"{role} person", "role": role}
    if organisation_id:
        body["organisation_id"] = organisation_id
    actor_id: str = ok(admin.post("/v1/actors", body), 201)["actor_id"]
    token = ok(admin.post(f"/v1/actors/{actor_id}/tokens", {"label": "due"}), 201)["token"]
    return actor_id, admin.as_(token)


def feed(admin: Http) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = ok(admin.get("/v1/events?after=0&limit=1000"))["items"]
    return events


def test_a_past_due_mandate_end_is_recorded_once_by_the_served_processor(
    durable: StoreConfig, tmp_path: Path
) -> None:
    with serve(durable, tmp_path, {"COLLAB_DUE_INTERVAL": "0.2"}) as served:
        admin = served.http.as_(served.admin_token())
        broker_id, broker = enrol(admin, "broker")
        org = register(broker, "civil_society")
        _, partner = enrol(admin, "partner", org)
        # Given a mandate whose last day was yesterday
        yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
        body = {"broker_id": broker_id, "until": yesterday}
        ok(partner.post(f"/v1/organisations/{org}/mandates", body), 201)
        # When the served processes run their passes, Then its end is recorded
        deadline = time.monotonic() + DEADLINE
        while not [e for e in feed(admin) if e["type"] == "MandateEnded"]:
            assert time.monotonic() < deadline, "the processor never recorded the end"
            time.sleep(0.1)  # polling the log to a deadline
        # And once only, by the processor, however many workers and passes ran
        again = run_collab("due", "run", env=served.env)
        assert again.returncode == 0 and "recorded 0 effects due" in again.stdout
        [ended] = [e for e in feed(admin) if e["type"] == "MandateEnded"]
        assert ended["envelope"]["actor"] == "due-date-processor"
