"""A small world for application tests: a service, a broker, organisations and their partners."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest

from collab.actors.commands import EnrolActor, GrantAudit
from collab.agreements.commands import (
    DraftVersion,
    OpenForSignature,
    ProposeAmendment,
    SignAgreement,
)
from collab.application import Actor, Collab, Context, Outcome
from collab.commands import Command
from collab.commitments.commands import ConfirmCommitment, Pledge
from collab.domain.errors import CollabError
from collab.governance.commands import ApplyDecision, RecordDecision
from collab.organisations.commands import RegisterOrganisation
from collab.partnerships.commands import (
    CancelPartnership,
    InitiatePartnership,
    InviteMember,
    JoinPartnership,
)

SECTOR_TYPES = {"public": 11, "civil_society": 22, "private": 70}
TERRITORY = {"country": "PT", "nuts": "PT1C2"}


def registration(
    name: str = "A body", identifier: str | None = None, sector: str = "civil_society"
) -> RegisterOrganisation:
    """A registration under one Portuguese identifier (a fresh one unless given)."""
    return RegisterOrganisation(
        identifiers=[{"scheme": "PT-NIPPC", "id": identifier or uuid.uuid4().hex[:12]}],
        legal_name=name,
        org_type=SECTOR_TYPES[sector],
        sector=sector,
        territory=TERRITORY,
    )


def staff_hours(pid: str) -> Pledge:
    """Five hours of staff time to the pool, not valued: the plainest pledge."""
    return Pledge(
        pid,
        contribution_type="staff_time",
        quantity={"value": "5", "unit": "hour"},
        valuation={"method": "not_valued"},
    )


OTHER_TERRITORY = {"country": "ES", "nuts": "ES43"}

C = TypeVar("C", bound=Command)


def terms(
    vision: str = "A shared vision",
    *,
    rule: str = "majority",
    quorum: str = "50",
    notice: int = 0,
    threshold: str | None = None,
    limit: str | None = None,
) -> dict[str, Any]:
    """Agreement terms; no notice period unless a test gives one (a withdrawal is then the
    exit at once; with notice the member is leaving until the due-date processor runs)."""
    governance: dict[str, Any] = {"rule": rule, "quorum": quorum}
    if threshold is not None:
        governance["threshold"] = threshold
    return {
        "vision": vision,
        "shared_objectives": ["Reach every village weekly"],
        "member_objectives": {},
        "governance": governance,
        "review_schedule": "yearly",
        "exit_notice_days": notice,
        "moving_on_strategy": "replicate",
        "period": {"start": "2027-01-01", "end": "2028-12-31"},
        **({} if limit is None else {"balance_limit": limit}),  # a LAG's CLLD limit
    }


@dataclass
class World:
    """Given-helpers; every `when` goes through the application service like a real caller."""

    app: Collab
    broker: Actor = field(default_factory=lambda: Actor(str(uuid.uuid4()), "broker"))
    admin: Actor = field(default_factory=lambda: Actor(str(uuid.uuid4()), "admin"))
    auditor: Actor = field(default_factory=lambda: Actor(str(uuid.uuid4()), "auditor"))
    orgs: dict[str, str] = field(default_factory=dict)
    partners: dict[str, Actor] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Roles are recorded events: the broker is enrolled (mandates and assignments
        # name it), the auditor too, with a grant on every partnership.
        self.broker = self.another_broker()
        out = self.app.execute(Context(self.admin), EnrolActor(role="auditor"))
        self.auditor = Actor(out.result["actor_id"], "auditor")
        self.app.execute(Context(self.admin), GrantAudit(self.auditor.id, partnership_id="*"))

    # -- identities ----------------------------------------------------------------------

    def as_broker(self, **options: Any) -> Context:
        return Context(self.broker, **options)

    def as_(self, key: str, **options: Any) -> Context:
        """A partner actor of organisation `key`."""
        return Context(self.partners[key], **options)

    def another_broker(self) -> Actor:
        """A broker actor enrolled by an admin (a recorded binding)."""
        out = self.app.execute(Context(self.admin), EnrolActor(role="broker"))
        return Actor(out.result["actor_id"], "broker")

    def org(self, key: str, sector: str = "civil_society") -> str:
        """Register organisation `key` (once) and a partner actor bound to it."""
        if key not in self.orgs:
            out = self.app.execute(Context(self.broker), registration(f"{key} org", sector=sector))
            self.orgs[key] = out.result["organisation_id"]
            self.partners[key] = Actor(str(uuid.uuid4()), "partner", self.orgs[key])
        return self.orgs[key]

    # -- partnerships --------------------------------------------------------------------

    def partnership(self, ptype: str = "social_innovation", **members: dict[str, Any]) -> str:
        """A partnership initiated by the broker with members invited and joined.

        ``members`` maps a key to keyword overrides: sector, roles, weight, signatory, join.
        """
        out = self.app.execute(
            self.as_broker(),
            InitiatePartnership(
                title="Care rounds",
                need_statement="Isolated elders lack care",
                territory=TERRITORY,
                partnership_type=ptype,
            ),
        )
        pid: str = out.result["partnership_id"]
        for key, spec in members.items():
            self.org(key, spec.get("sector", "civil_society"))
            self.app.execute(
                self.as_broker(),
                InviteMember(
                    pid,
                    organisation_id=self.orgs[key],
                    roles=spec.get("roles", ["implementer"]),
                    weight=spec.get("weight", 1),
                    signatory=spec.get("signatory", True),
                    interest_group=spec.get("interest_group"),
                ),
            )
            if spec.get("join", True):
                self.app.execute(self.as_(key), JoinPartnership(pid))
        return pid

    def draft_and_open(self, pid: str, **terms_options: Any) -> str:
        draft = self.app.execute(self.as_broker(), DraftVersion(pid, terms=terms(**terms_options)))
        self.app.execute(
            self.as_broker(),
            OpenForSignature(pid, agreement_version=draft.result["agreement_version"]),
        )
        text_hash: str = draft.result["text_hash"]
        return text_hash

    def in_force(
        self,
        ptype: str = "social_innovation",
        keys: tuple[str, ...] = ("a", "b", "c"),
        **terms_options: Any,
    ) -> str:
        """A partnership whose first version is in force, signed by every member in `keys`."""
        roles = {k: (["lead"] if i == 0 else ["implementer"]) for i, k in enumerate(keys)}
        pid = self.partnership(ptype, **{k: {"roles": roles[k]} for k in keys})
        text_hash = self.draft_and_open(pid, **terms_options)
        for key in keys:
            self.app.execute(self.as_(key), SignAgreement(pid, text_hash=text_hash))
        assert self.partnership_of(pid).status == "active"
        return pid

    def runs(self, command: type[C]) -> Callable[..., Outcome]:
        """Execute `command(*args, **kwargs)` as the context given first (for refusals)."""
        return lambda ctx, *args, **kwargs: self.app.execute(ctx, command(*args, **kwargs))

    def partnership_of(self, pid: str) -> Any:
        return self.app.get_partnership(self.admin, pid)

    def commitment_of(self, cid: str) -> Any:
        return self.app.get_commitment(self.admin, cid)

    def pledge(
        self,
        key: str,
        pid: str,
        *,
        value: str = "100",
        unit: str = "hour",
        kind: str = "staff_time",
        recipient: str = "pool",
        confirm: bool = True,
        period: dict[str, str] | None = None,
    ) -> str:
        out = self.app.execute(
            self.as_(key),
            Pledge(
                pid,
                contribution_type=kind,
                quantity={"value": value, "unit": unit},
                # cash is valued at its own amount (DESIGN §2); the rest not valued here
                valuation=(
                    {"amount": value, "currency": unit, "method": "actual_cost"}
                    if kind == "cash"
                    else {"method": "not_valued"}
                ),
                recipient=recipient,
                period=period,
            ),
        )
        cid: str = out.result["commitment_id"]
        if confirm:
            self.app.execute(self.as_(key), ConfirmCommitment(cid))
        return cid

    def decide(
        self, pid: str, action: str, voters: dict[str, str], organisation: str | None = None
    ) -> str:
        subject: dict[str, Any] = {"action": action}
        if organisation is not None:
            subject["organisation_id"] = organisation
        out = self.app.execute(
            self.as_broker(),
            RecordDecision(
                pid,
                body="General assembly",
                subject=subject,
                votes={self.orgs[k]: vote for k, vote in voters.items()},
            ),
        )
        decision_id: str = out.result["decision_id"]
        return decision_id

    # -- then ----------------------------------------------------------------------------

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def events(self, aggregate_id: str) -> list[str]:
        """Class names of the events recorded in one stream, in order."""
        return [type(e).__name__ for e in self.app.events.get(uuid.UUID(aggregate_id))]

    def refused(
        self, error: type[CollabError], when: Callable[[], Outcome | object]
    ) -> CollabError:
        """Then: the command is refused with `error` and nothing at all was recorded."""
        before = self.head()
        with pytest.raises(error) as caught:
            when()
        assert self.head() == before, "a refused command recorded events"
        return caught.value

    # -- states: the shortest allowed path to each partnership status ---------------------

    def voters(self, pid: str) -> dict[str, str]:
        """Every world organisation that is an active (or defaulting) member votes for."""
        members = self.partnership_of(pid).members
        return {
            key: "for" for key, org in self.orgs.items() if org in members and members[org].standing
        }

    def transition(self, pid: str, action: str, **options: Any) -> Outcome:
        """Record a unanimous decision on a lifecycle `action` and apply it as the broker."""
        decision_id = self.decide(pid, action, self.voters(pid))
        return self.app.execute(
            self.as_broker(**options), ApplyDecision(pid, action=action, decision_id=decision_id)
        )

    def partnership_in(self, status: str, ptype: str = "social_innovation") -> str:
        """Members a (lead), b and c in a partnership brought to `status` by allowed steps."""
        if status == "scoping":
            return self.partnership(ptype)
        if status in ("negotiating", "awaiting_signatures", "cancelled"):
            pid = self.partnership(ptype, a={"roles": ["lead"]}, b={}, c={})
            if status == "awaiting_signatures":
                self.draft_and_open(pid)
            if status == "cancelled":
                self.app.execute(self.as_broker(), CancelPartnership(pid))
            return pid
        pid = self.in_force(ptype)
        if status == "in_modification":
            self.app.execute(
                self.as_broker(),
                ProposeAmendment(pid, base_version=1, terms=terms("Amended vision")),
            )
        paths = {
            "suspended": ["suspend"],
            "moving_on": ["start_moving_on"],
            "concluded": ["start_moving_on", "conclude"],
            "terminated": ["terminate"],
        }
        for action in paths.get(status, []):
            self.transition(pid, action)
        assert self.partnership_of(pid).status == status
        return pid

    def as_who(self, who: str, **options: Any) -> Context:
        """A command by broker, other_broker (in no partnership), auditor, admin, or a partner
        of organisation `who` (registered first if new: build commands before a `refused`)."""
        if who == "broker":
            return self.as_broker(**options)
        if who == "other_broker":
            return Context(self.another_broker(), **options)
        if who in ("auditor", "admin"):
            return Context(self.auditor if who == "auditor" else self.admin, **options)
        self.org(who)
        return self.as_(who, **options)
