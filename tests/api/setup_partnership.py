"""Given-helpers for API tests: an active partnership built through the application service.

The partnership lifecycle has its own endpoints (tests/api/test_partnerships.py); the tests
that use this module exercise later commands over HTTP, so their setup calls the service
directly with commands from the same callers that hold tokens.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, cast

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from collab.agreements.commands import DraftVersion, OpenForSignature, SignAgreement
from collab.application import Collab
from collab.commands import Context
from collab.commitments.commands import ConfirmCommitment, Pledge, ReportDelivery
from collab.domain.commitment import Commitment
from collab.domain.envelope import Actor, Role
from collab.domain.partnership import Partnership
from collab.governance.commands import RecordDecision
from collab.organisations.commands import RegisterOrganisation
from collab.partnerships.commands import InitiatePartnership, InviteMember, JoinPartnership
from tests.api.conftest import SECTOR_TYPES, TERRITORY, Auth, Caller
from tests.application.world import terms


def initiation(title: str = "Care rounds") -> InitiatePartnership:
    """A partnership to start: a social innovation in the test territory."""
    return InitiatePartnership(
        title=title,
        need_statement="Isolated elders lack care",
        territory=TERRITORY,
        partnership_type="social_innovation",
    )


def actor_of(caller: Caller) -> Actor:
    return Actor(caller.actor_id, cast(Role, caller.role), caller.organisation_id)


def command(caller: Caller, **options: Any) -> Context:
    return Context(actor_of(caller), **options)


def problem_type(response: TestResponse) -> str:
    """The problem+json `type` of a refusal, e.g. 'rule-violation'."""
    assert response.mimetype == "application/problem+json", response.data
    kind: str = response.json["type"]  # type: ignore[index]
    return kind.rsplit(":", 1)[-1]


def outcome(response: TestResponse, status: int) -> dict[str, Any]:
    """Then: the command succeeded with `status`; its position is in the body and header."""
    assert response.status_code == status, response.json
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    assert response.headers["Collab-Position"] == str(body["position"])
    return body


@dataclass
class Setup:
    """A broker and partners of organisations 'a' (the lead), 'b', 'c' in one partnership."""

    auth: Auth
    client: FlaskClient
    partnership_id: str = ""
    orgs: dict[str, str] = field(default_factory=dict)
    partners: dict[str, Caller] = field(default_factory=dict)

    @property
    def app(self) -> Collab:
        return self.auth.service.app

    @property
    def broker(self) -> Caller:
        return self.auth.broker

    def org(self, key: str, sector: str = "civil_society") -> str:
        """Register organisation `key` (once) and a partner caller bound to it."""
        if key not in self.orgs:
            out = self.app.execute(
                command(self.broker),
                RegisterOrganisation(
                    identifiers=[{"scheme": "PT-NIPPC", "id": uuid.uuid4().hex[:12]}],
                    legal_name=f"{key} organisation",
                    org_type=SECTOR_TYPES[sector],
                    sector=sector,
                    territory=TERRITORY,
                ),
            )
            self.orgs[key] = out.result["organisation_id"]
            self.partners[key] = self.auth.actor("partner", self.orgs[key])
        return self.orgs[key]

    def start(self, keys: tuple[str, ...] = ("a", "b", "c"), **terms_options: Any) -> str:
        """Initiate, invite and join every key (the first leads), draft, open, all sign."""
        out = self.app.execute(
            command(self.broker),
            initiation(),
        )
        pid: str = out.result["partnership_id"]
        for i, key in enumerate(keys):
            self.app.execute(
                command(self.broker),
                InviteMember(
                    pid,
                    organisation_id=self.org(key),
                    roles=["lead"] if i == 0 else ["implementer"],
                    weight=1,
                ),
            )
            self.app.execute(self.as_(key), JoinPartnership(pid))
        draft = self.app.execute(
            command(self.broker), DraftVersion(pid, terms=terms(**terms_options))
        )
        self.app.execute(command(self.broker), OpenForSignature(pid, agreement_version=1))
        for key in keys:
            self.app.execute(self.as_(key), SignAgreement(pid, text_hash=draft.result["text_hash"]))
        self.partnership_id = pid
        assert self.partnership().status == "active"
        return pid

    def as_(self, key: str, **options: Any) -> Context:
        return command(self.partners[key], **options)

    @property
    def url(self) -> str:
        return f"/partnerships/{self.partnership_id}"

    # -- whens over HTTP -----------------------------------------------------------------

    def post(self, who: Caller, path: str, body: Any = None, **headers: str) -> TestResponse:
        """POST /v1{path} as `who` ('./x' is the partnership's x), a JSON body or {}."""
        if path.startswith("./"):
            path = f"{self.url}/{path[2:]}"
        return self.client.post(f"/v1{path}", json=body or {}, headers=who.headers(**headers))

    def refused(
        self, status: int, kind: str, who: Caller, path: str, body: Any = None, **headers: str
    ) -> None:
        """Then: the command is refused with `status` and `kind`; nothing was recorded."""
        before = self.head()
        response = self.post(who, path, body, **headers)
        assert response.status_code == status, response.json
        assert problem_type(response) == kind
        assert self.head() == before

    # -- givens through the service ------------------------------------------------------

    def decide(self, action: str, organisation: str | None = None, vote: str = "for") -> str:
        """A decision on `action` recorded by the broker, every active member voting `vote`."""
        subject: dict[str, Any] = {"action": action}
        if organisation is not None:
            subject["organisation_id"] = organisation
        members = self.partnership().members
        votes = {o: vote for o, m in members.items() if m.standing}
        out = self.app.execute(
            command(self.broker),
            RecordDecision(
                self.partnership_id, body="General assembly", subject=subject, votes=votes
            ),
        )
        decision_id: str = out.result["decision_id"]
        return decision_id

    def pledge(
        self,
        key: str,
        *,
        value: str = "100",
        recipient: str = "pool",
        confirm: bool = True,
        period: dict[str, str] | None = None,
    ) -> str:
        out = self.app.execute(
            self.as_(key),
            Pledge(
                self.partnership_id,
                contribution_type="staff_time",
                quantity={"value": value, "unit": "hour"},
                valuation={"method": "not_valued"},
                recipient=recipient,
                period=period,
            ),
        )
        cid: str = out.result["commitment_id"]
        if confirm:
            self.app.execute(self.as_(key), ConfirmCommitment(cid))
        return cid

    def deliver(self, key: str, commitment_id: str, quantity: str = "40") -> str:
        out = self.app.execute(
            self.as_(key),
            ReportDelivery(commitment_id, quantity=quantity, delivered_on="2030-05-01"),
        )
        delivery_id: str = out.result["delivery_id"]
        return delivery_id

    # -- then ----------------------------------------------------------------------------

    def partnership(self) -> Partnership:
        return self.app.get_partnership(actor_of(self.auth.admin), self.partnership_id)

    def commitment(self, commitment_id: str) -> Commitment:
        return self.app.get_commitment(actor_of(self.auth.admin), commitment_id)

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def recorded(self, outcome: dict[str, Any]) -> list[str]:
        """Event class names at an HTTP outcome's positions, in log order."""
        positions = outcome["positions"]
        assert positions and outcome["position"] == max(positions)
        found = self.app.recorder.select_notifications(min(positions), 1000, stop=max(positions))
        return [n.topic.rsplit(".", 1)[-1] for n in found if n.id in positions]


def active_partnership(
    auth: Auth, client: FlaskClient, keys: tuple[str, ...] = ("a", "b", "c"), **terms: Any
) -> Setup:
    setup = Setup(auth, client)
    setup.start(keys, **terms)
    return setup
