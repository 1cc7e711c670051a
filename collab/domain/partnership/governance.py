"""Recorded decisions and the transitions that need one (DESIGN §2 "Decision")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from eventsourcing.domain import event

from collab.domain.envelope import Acting, Envelope
from collab.domain.errors import RuleViolationError
from collab.domain.partnership.agreement import PartnershipAgreement
from collab.domain.partnership.core import IN_FORCE
from collab.domain.partnership.members import imbalance

# subject -> (states it may be applied in, state after)
TRANSITIONS = {
    "suspend": (("active",), "suspended"),
    "resume": (("suspended",), "active"),
    "start_moving_on": (("active",), "moving_on"),
    "conclude": (("moving_on",), "concluded"),
    "terminate": (("active", "suspended", "moving_on"), "terminated"),
}


def tally(rule: dict[str, str], weights: dict[str, int], votes: dict[str, str]) -> dict[str, Any]:
    """Quorum and outcome of a vote under a governance rule, by voting weight."""
    total = sum(weights.values())
    present = sum(weights[o] for o in votes)
    in_favour = sum(weights[o] for o, v in votes.items() if v == "for")
    against = sum(weights[o] for o, v in votes.items() if v == "against")
    quorum_met = total > 0 and Decimal(present) * 100 >= Decimal(rule["quorum"]) * total
    name = rule["rule"]
    if name == "majority":
        carried = in_favour * 2 > present
    elif name == "qualified":
        carried = Decimal(in_favour) * 100 >= Decimal(rule["threshold"]) * present and present > 0
    elif name == "consensus":
        carried = against == 0  # DESIGN §2: consensus is no vote against
    else:  # unanimity: every active voting member present and for
        voters = [o for o, w in weights.items() if w > 0]
        carried = bool(voters) and all(votes.get(o) == "for" for o in voters)
    return {
        "total_weight": total,
        "present_weight": present,
        "for_weight": in_favour,
        "against_weight": against,
        "quorum_met": quorum_met,
        "passed": bool(quorum_met and carried),
    }


class PartnershipGovernance(PartnershipAgreement):
    """Decisions are recorded after the meeting; transitions cite a passed, unused decision."""

    def record_decision(
        self,
        decision_id: str,
        body: str,
        subject: dict[str, Any],
        votes: dict[str, str],
        acting: Acting,
        meta: Envelope,
    ) -> dict[str, Any]:
        self.check_steward(acting)
        self.check_status(*IN_FORCE, "suspended")
        version = self.in_force_version()
        assert version is not None  # every status checked above has a text in force
        members = self.active_members()
        strangers = sorted(set(votes) - set(members))
        if strangers:
            raise RuleViolationError(
                f"only active members vote; not active: {', '.join(strangers)}"
            )
        if self.partnership_type == "clld_lag":
            problem = imbalance((members[o]["interest_group"], members[o]["weight"]) for o in votes)
            if problem:
                raise RuleViolationError(f"decision blocked: of the weight present, {problem}")
        result = tally(
            version["terms"]["governance"], {o: m["weight"] for o, m in members.items()}, votes
        )
        self._decision_recorded(decision_id, body, subject, votes, result, meta)
        return result

    @event("DecisionRecorded")
    def _decision_recorded(
        self,
        decision_id: str,
        body: str,
        subject: dict[str, Any],
        votes: dict[str, str],
        result: dict[str, Any],
        meta: Envelope,
    ) -> None:
        self.decisions[decision_id] = {
            **subject,
            "body": body,
            "passed": result["passed"],
            "used": False,
        }

    def check_decision(self, decision_id: str, action: str, target: str | None = None) -> None:
        d = self.decisions.get(decision_id)
        if d is None:
            raise RuleViolationError("no such decision in this partnership")
        if d["action"] != action or d.get("organisation") != target:
            raise RuleViolationError(f"the decision is not about {action}")
        if not d["passed"]:
            raise RuleViolationError("the decision did not pass")
        if d["used"]:
            raise RuleViolationError("the decision has already been applied")

    def apply_transition(
        self, action: str, decision_id: str, acting: Acting, meta: Envelope
    ) -> None:
        self.check_steward(acting)
        allowed, _after = TRANSITIONS[action]
        self.check_status(*allowed)
        self.check_decision(decision_id, action)
        recorders = {
            "suspend": self._suspended,
            "resume": self._resumed,
            "start_moving_on": self._moving_on_started,
            "conclude": self._concluded,
            "terminate": self._terminated,
        }
        recorders[action](decision_id, meta)

    def apply_decision(self, action: str, decision_id: str) -> None:
        self.status = TRANSITIONS[action][1]
        self.decisions[decision_id]["used"] = True

    @event("Suspended")
    def _suspended(self, decision_id: str, meta: Envelope) -> None:
        self.apply_decision("suspend", decision_id)

    @event("Resumed")
    def _resumed(self, decision_id: str, meta: Envelope) -> None:
        self.apply_decision("resume", decision_id)

    @event("MovingOnStarted")
    def _moving_on_started(self, decision_id: str, meta: Envelope) -> None:
        self.apply_decision("start_moving_on", decision_id)

    @event("Concluded")
    def _concluded(self, decision_id: str, meta: Envelope) -> None:
        self.apply_decision("conclude", decision_id)

    @event("Terminated")
    def _terminated(self, decision_id: str, meta: Envelope) -> None:
        self.apply_decision("terminate", decision_id)

    # -- members after entry into force --------------------------------------------------

    def admit(
        self, membership: dict[str, Any], decision_id: str, acting: Acting, meta: Envelope
    ) -> None:
        self.check_steward(acting)
        self.check_status("active")
        org = membership["organisation"]
        self.check_invitable(membership)
        self.check_decision(decision_id, "admit_member", org)
        self.check_balance(extra=membership, pending=True)
        self._member_admitted(membership, decision_id, meta)

    @event("MemberAdmitted")
    def _member_admitted(
        self, membership: dict[str, Any], decision_id: str, meta: Envelope
    ) -> None:
        self.decisions[decision_id]["used"] = True
        self.put_invitation(membership, decision_id)

    def member_decision(
        self, action: str, org_id: str, decision_id: str, acting: Acting, meta: Envelope
    ) -> None:
        """declare_defaulting, remedied or remove_member, on a passed decision."""
        self.check_steward(acting)
        self.check_status(*IN_FORCE, "suspended")
        self.check_decision(decision_id, action, org_id)
        m = self.member(org_id)
        needed = {
            "declare_defaulting": "active",
            "remedied": "defaulting",
            "remove_member": "defaulting",
        }[action]
        if m is None or m["status"] != needed:
            raise RuleViolationError(f"{action} applies to a {needed} member")
        if action == "declare_defaulting":
            breach = m["breach"]
            if breach is None:
                raise RuleViolationError("no breach has been notified to this member")
            if meta["effective_date"] <= breach["remedy_until"]:
                raise RuleViolationError(f"the remedy period runs until {breach['remedy_until']}")
        recorders = {
            "declare_defaulting": self._declared_defaulting,
            "remedied": self._default_remedied,
            "remove_member": self._member_removed,
        }
        recorders[action](org_id, decision_id, meta)

    def set_member_status(self, org_id: str, status: str, decision_id: str) -> None:
        self.members[org_id]["status"] = status
        self.decisions[decision_id]["used"] = True

    @event("MemberDeclaredDefaulting")
    def _declared_defaulting(self, org_id: str, decision_id: str, meta: Envelope) -> None:
        self.set_member_status(org_id, "defaulting", decision_id)

    @event("DefaultRemedied")
    def _default_remedied(self, org_id: str, decision_id: str, meta: Envelope) -> None:
        self.set_member_status(org_id, "active", decision_id)
        self.members[org_id]["breach"] = None

    @event("MemberRemoved")
    def _member_removed(self, org_id: str, decision_id: str, meta: Envelope) -> None:
        self.set_member_status(org_id, "removed", decision_id)
        self.note_exit(org_id)
