"""Memberships: invitation, joining, withdrawal, breach (DESIGN §2 membership table)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from eventsourcing.domain import event

from collab.domain.envelope import Acting, Envelope
from collab.domain.errors import ForbiddenError, InvalidInputError, RuleViolationError
from collab.domain.partnership.core import (
    BALANCE_LIMIT,
    CLOSED,
    IN_FORCE,
    PRE_FORCE,
    PartnershipCore,
)


def imbalance(weights: Iterable[tuple[str, int]]) -> str | None:
    """CLLD rule (invariant 4): no interest group may hold more than 49% of the weight."""
    totals: dict[str, int] = {}
    for group, weight in weights:
        totals[group] = totals.get(group, 0) + weight
    total = sum(totals.values())
    if total == 0:
        return None
    for group, weight in sorted(totals.items()):
        if Decimal(weight) * 100 > BALANCE_LIMIT * total:
            share = (Decimal(weight) * 100 / total).quantize(Decimal("0.1"))
            return f"the {group} interest group holds {share}% of the voting weight (at most 49%)"
    return None


def add_days(day: str, days: int) -> str:
    try:
        return (date.fromisoformat(day) + timedelta(days=days)).isoformat()
    except OverflowError:
        raise InvalidInputError(
            "effective_date", "the period it starts runs past 9999-12-31"
        ) from None


class PartnershipMembers(PartnershipCore):
    """Who is in the partnership, and on which terms."""

    def active_members(self) -> dict[str, dict[str, Any]]:
        return {o: m for o, m in self.members.items() if m["status"] in ("active", "defaulting")}

    def check_balance(self, extra: dict[str, Any] | None = None, *, pending: bool = False) -> None:
        """Invariant 4 over active members, plus `extra`; `pending` adds open invitations."""
        if self.partnership_type != "clld_lag":
            return
        statuses = ("active", "defaulting", "invited") if pending else ("active", "defaulting")
        members = [
            m
            for o, m in self.members.items()
            if m["status"] in statuses and (extra is None or o != extra["organisation"])
        ]
        members += [extra] if extra else []
        problem = imbalance((m["interest_group"], m["weight"]) for m in members)
        if problem:
            raise RuleViolationError(problem)

    def invite(self, membership: dict[str, Any], acting: Acting, meta: Envelope) -> None:
        self.check_steward(acting)
        self.check_status("scoping", "negotiating")
        self.check_invitable(membership)
        self._member_invited(membership, None, meta)

    def check_invitable(self, membership: dict[str, Any]) -> None:
        org_id = membership["organisation"]
        current = self.members.get(org_id)
        if current is not None and current["status"] in ("invited", "active", "defaulting"):
            raise RuleViolationError(f"the organisation is already {current['status']}")
        if "lead" in membership["roles"] and any(
            "lead" in m["roles"] and m["status"] in ("invited", "active", "defaulting")
            for o, m in self.members.items()
            if o != org_id
        ):
            raise RuleViolationError("the partnership already has a lead organisation")

    @event("MemberInvited")
    def _member_invited(
        self, membership: dict[str, Any], decision_id: str | None, meta: Envelope
    ) -> None:
        self.put_invitation(membership, decision_id)

    def put_invitation(self, membership: dict[str, Any], decision_id: str | None) -> None:
        self.members[membership["organisation"]] = {
            **membership,
            "status": "invited",
            "admitted_by": decision_id,
            "needs_accession": False,
            "breach": None,
        }
        if self.status == "scoping":
            self.status = "negotiating"

    def check_invited_self(self, acting: Acting) -> None:
        # Authority first (403), then state (409): only the organisation answers.
        if acting.organisation_id is None or acting.actor.role not in ("partner", "broker"):
            raise ForbiddenError("only the invited organisation (or its mandated broker) answers")
        m = self.member(acting.organisation_id)
        if m is None or m["status"] != "invited":
            raise RuleViolationError("there is no open invitation for this organisation")

    def join(self, acting: Acting, meta: Envelope) -> None:
        self.check_invited_self(acting)
        self.check_status(*PRE_FORCE, *IN_FORCE, "suspended")
        if self.in_force is not None:
            # Joining after entry into force is an admission: the balance must hold with it.
            self.check_balance(extra=self.members[str(acting.organisation_id)])
        self._member_joined(str(acting.organisation_id), meta)

    @event("MemberJoined")
    def _member_joined(self, org_id: str, meta: Envelope) -> None:
        m = self.members[org_id]
        m["status"] = "active"
        # After entry into force a signatory accedes to the text in force before it counts.
        m["needs_accession"] = bool(m["signatory"] and self.in_force is not None)

    def decline(self, acting: Acting, meta: Envelope) -> None:
        self.check_invited_self(acting)
        self._member_declined(str(acting.organisation_id), meta)

    @event("MemberDeclined")
    def _member_declined(self, org_id: str, meta: Envelope) -> None:
        self.members[org_id]["status"] = "declined"

    def withdraw(self, acting: Acting, meta: Envelope) -> str:
        """Never refused for balance (invariant 4); returns the date the exit takes effect."""
        m = self.check_active_member(acting)
        if m["status"] != "active":
            raise RuleViolationError(f"a {m['status']} member does not withdraw (DESIGN §2 table)")
        self.check_status(*PRE_FORCE, *IN_FORCE, "suspended")
        version = self.in_force_version()
        notice = version["terms"]["exit_notice_days"] if version else 0
        exit_date = add_days(meta["effective_date"], notice)
        self._member_withdrew(m["organisation"], exit_date, meta)
        return exit_date

    @event("MemberWithdrew")
    def _member_withdrew(self, org_id: str, exit_date: str, meta: Envelope) -> None:
        self.members[org_id]["status"] = "withdrawn"
        self.members[org_id]["exit_date"] = exit_date
        self.note_exit(org_id)

    def note_exit(self, org_id: str) -> None:
        """The membership record keeps the version of its exit event (this one): a former
        member sees the partnership up to it (DESIGN §3), found without searching events."""
        self.members[org_id]["exit_version"] = self.version + 1

    def unplaced_exits(self) -> bool:
        """Whether a former member's record lacks its exit version: state restored from a
        snapshot taken before records kept it."""
        return any(
            m["status"] in ("withdrawn", "removed") and "exit_version" not in m
            for m in self.members.values()
        )

    def place_exits(self, events: Iterable[Any]) -> None:
        """Complete such records from the stream's own exit events (by their fields)."""
        last: dict[str, int] = {}
        for e in events:
            if e.originator_version <= self.version and type(e).__name__ in (
                "MemberWithdrew",
                "MemberRemoved",
            ):
                last[e.org_id] = e.originator_version
        for org_id, m in self.members.items():
            if m["status"] in ("withdrawn", "removed") and "exit_version" not in m:
                m["exit_version"] = last[org_id]

    def notify_breach(self, org_id: str, remedy_days: int, acting: Acting, meta: Envelope) -> None:
        self.check_steward(acting)
        self.check_status(*IN_FORCE, "suspended")
        m = self.member(org_id)
        if m is None or m["status"] != "active":
            raise RuleViolationError("a breach is notified to an active member")
        self._breach_notified(org_id, add_days(meta["effective_date"], remedy_days), meta)

    @event("BreachNotified")
    def _breach_notified(self, org_id: str, remedy_until: str, meta: Envelope) -> None:
        self.members[org_id]["breach"] = {"remedy_until": remedy_until}

    # -- commitment markers: keep cross-aggregate rules true at commit (invariant 5) ------

    def note_pledge(self, commitment_id: str, acting: Acting, meta: Envelope) -> None:
        self.check_active_member(acting)
        self.check_status(*PRE_FORCE, *IN_FORCE, "suspended")
        self._commitment_noted(commitment_id, str(acting.organisation_id), meta)

    @event("CommitmentNoted")
    def _commitment_noted(self, commitment_id: str, org_id: str, meta: Envelope) -> None:
        self.commitments[commitment_id] = {"organisation": org_id, "confirmed": False}

    def note_confirmation(self, commitment_id: str, acting: Acting, meta: Envelope) -> None:
        if self.check_active_member(acting)["status"] != "active":
            raise RuleViolationError("a commitment is confirmed only by an active member")
        if self.status not in IN_FORCE:
            raise RuleViolationError("a commitment is confirmed only under an agreement in force")
        if self.commitments.get(commitment_id, {}).get("organisation") != acting.organisation_id:
            raise RuleViolationError("the commitment is not this member's in this partnership")
        self._commitment_confirmation_noted(commitment_id, meta)

    @event("CommitmentConfirmationNoted")
    def _commitment_confirmation_noted(self, commitment_id: str, meta: Envelope) -> None:
        self.commitments[commitment_id]["confirmed"] = True

    def commitments_of(self, org_id: str) -> list[str]:
        return [c for c, info in self.commitments.items() if info["organisation"] == org_id]

    def check_open(self) -> None:
        if self.status in CLOSED:
            raise RuleViolationError(f"the partnership is {self.status}")
