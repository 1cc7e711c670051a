"""Given-helpers for the browser journeys: data set up as programs do, over the JSON API.

The site's admin token comes from the operator's CLI, actors from that admin's
`POST /v1/actors`, sign-in links from `collab people link`; organisations, partnerships,
members and versions from the same requests as tests/integration/test_http_scenario.py.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, field

from tests.integration.conftest import Http, Served, run_collab

# The HTTP scenario's helpers: the same bodies as the integration tier's walk-through.
from tests.integration.test_http_scenario import SECTORS, TERRITORY, ok, terms

LINK_RE = re.compile(r"/signin/link/(\S+)")
SETTLE_DEADLINE = 20.0  # seconds for the views to reach the log's head


@dataclass
class Someone:
    """An actor: its id, display name and a token-holding API client."""

    actor_id: str
    name: str
    api: Http
    organisation_id: str | None = None


@dataclass
class World:
    """One running site's data, made through its CLI and JSON API."""

    served: Served
    admin: Http = field(init=False)

    def __post_init__(self) -> None:
        self.admin = self.served.http.as_(self.served.admin_token())

    @property
    def base(self) -> str:
        return self.served.http.base

    def enrol(self, role: str, name: str, organisation_id: str | None = None) -> Someone:
        """An actor enrolled by the admin (`POST /v1/actors`), with a token."""
        body = {"name": name, "role": role}
        if organisation_id:
            body["organisation_id"] = organisation_id
        actor_id: str = ok(self.admin.post("/v1/actors", body), 201)["actor_id"]
        issued = self.admin.post(f"/v1/actors/{actor_id}/tokens", {"label": "browser tier"})
        token: str = ok(issued, 201)["token"]
        return Someone(actor_id, name, self.admin.as_(token), organisation_id)

    def link(self, actor_id: str) -> str:
        """A one-time sign-in link from `collab people link`, on this site's address."""
        made = run_collab("people", "link", actor_id, env=self.served.env)
        assert made.returncode == 0, made.stderr
        found = LINK_RE.search(made.stdout)
        assert found is not None, made.stdout
        return f"{self.base}/signin/link/{found.group(1)}"

    def register(self, broker: Someone, sector: str, legal_name: str) -> str:
        """An organisation registered by the broker (a fresh 9-digit NIPC)."""
        body = {
            "identifiers": [{"scheme": "PT-NIPPC", "id": str(uuid.uuid4().int)[:9]}],
            "legal_name": legal_name,
            "org_type": SECTORS[sector],
            "sector": sector,
            "territory": TERRITORY,
        }
        org_id: str = ok(broker.api.post("/v1/organisations", body), 201)["organisation_id"]
        return org_id

    def partnership(self, broker: Someone, title: str, kind: str = "social_innovation") -> str:
        """A partnership the broker starts (a social innovation has no sector quota)."""
        body = {
            "title": title,
            "need_statement": "Older residents of scattered villages lack regular care",
            "territory": TERRITORY,
            "partnership_type": kind,
        }
        pid: str = ok(broker.api.post("/v1/partnerships", body), 201)["partnership_id"]
        return pid

    def partner(self, broker: Someone, sector: str, legal_name: str, name: str) -> Someone:
        """A partner actor of a new organisation the broker registered."""
        return self.enrol("partner", name, self.register(broker, sector, legal_name))

    def member(self, broker: Someone, pid: str, partner: Someone, role: str) -> None:
        """The partner's organisation invited by the broker, and joined."""
        invite = {"organisation_id": partner.organisation_id, "roles": [role], "weight": 1}
        ok(broker.api.post(f"/v1/partnerships/{pid}/members", invite), 201)
        ok(partner.api.post(f"/v1/partnerships/{pid}/join"))

    def open_version(self, broker: Someone, pid: str, vision: str) -> str:
        """Version 1 drafted and opened for signature; its text hash."""
        body = {"terms": terms(vision)}
        drafted = ok(broker.api.post(f"/v1/partnerships/{pid}/versions", body), 201)
        ok(broker.api.post(f"/v1/partnerships/{pid}/open-for-signature", {"agreement_version": 1}))
        text_hash: str = drafted["text_hash"]
        return text_hash

    def active(self, broker: Someone, title: str, partners: list[Someone]) -> str:
        """A partnership in force: the partners' organisations joined (the first leads),
        version 1 signed by every one, and a pledge of staff time to the lead, confirmed."""
        pid = self.partnership(broker, title)
        for n, partner in enumerate(partners):
            self.member(broker, pid, partner, "lead" if n == 0 else "implementer")
        text_hash = self.open_version(broker, pid, f"{title}: every village, every week")
        for partner in partners:
            body = {"text_hash": text_hash}
            ok(partner.api.post(f"/v1/partnerships/{pid}/signatures", body), 201)
        pledge = {
            "contribution_type": "staff_time",
            "quantity": {"value": "40", "unit": "hour"},
            "valuation": {"method": "not_valued"},
            "recipient": partners[0].organisation_id,
        }
        giver = partners[-1].api
        cid = ok(giver.post(f"/v1/partnerships/{pid}/commitments", pledge), 201)["commitment_id"]
        ok(giver.post(f"/v1/commitments/{cid}/confirm"))
        return pid

    def grant(self, auditor: Someone, pid: str) -> None:
        body = {"partnership_id": pid}
        ok(self.admin.post(f"/v1/actors/{auditor.actor_id}/grants", body), 201)

    def settle(self) -> None:
        """Wait until the views have reached the log's head (server mode's follower is a
        process of its own): pages then show everything set up so far."""
        deadline = time.monotonic() + SETTLE_DEADLINE
        while True:
            ready = self.served.http.get("/readyz")
            if ready.status == 200 and ready.body["views"] >= ready.body["head"]:
                return
            assert time.monotonic() < deadline, f"the views never reached the head: {ready.body}"
            time.sleep(0.05)  # polling the follower's position to a deadline
