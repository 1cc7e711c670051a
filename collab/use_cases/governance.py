"""Use cases on decisions, decision-gated transitions, breaches, plans and results."""

from __future__ import annotations

import uuid
from typing import Any

from collab.commands import Command, Outcome
from collab.domain import codes
from collab.domain import values as v
from collab.domain.errors import InvalidInputError
from collab.domain.partnership.governance import TRANSITIONS
from collab.use_cases.agreements import AgreementUseCases


class GovernanceUseCases(AgreementUseCases):
    """What the partnership decides, plans and reports."""

    def record_decision(
        self, cmd: Command, partnership_id: Any, *, body: Any, subject: Any, votes: Any
    ) -> Outcome:
        """Record a meeting's decision with votes by member; quorum and rule decide if it passed."""
        name = v.text(body, "body")
        data = v.mapping(subject, "subject", ("action", "organisation_id", "summary"), ("action",))
        action = v.choice(data["action"], "subject.action", codes.DECISION_SUBJECTS)
        target = data.get("organisation_id")
        if action in codes.MEMBER_SUBJECTS:
            target = v.identifier(target, "subject.organisation_id")
        elif target is not None:
            raise InvalidInputError("subject.organisation_id", f"{action} names no organisation")
        checked_subject = {
            "action": action,
            "organisation": target,
            "summary": v.optional_text(data.get("summary"), "subject.summary", max_length=v.LONG),
        }
        if not isinstance(votes, dict) or not votes or len(votes) > 500:
            raise InvalidInputError(
                "votes", "must map 1 to 500 member organisation ids to for/against/abstain"
            )
        checked_votes = {
            v.identifier(o, "votes"): v.choice(b, f"votes.{o}", codes.VOTES)
            for o, b in votes.items()
        }
        if len(checked_votes) != len(votes):
            raise InvalidInputError("votes", "names an organisation twice")

        def act(attempt: Any, p: Any, acting: Any, meta: Any) -> dict[str, Any]:
            decision_id = str(uuid.uuid4())
            result = p.record_decision(
                decision_id, name, checked_subject, checked_votes, acting, meta
            )
            return {"decision_id": decision_id, **result}

        return self.step(
            "record_decision",
            cmd,
            partnership_id,
            {"body": body, "subject": subject, "votes": votes},
            act,
        )

    def apply_decision(
        self, cmd: Command, partnership_id: Any, *, action: Any, decision_id: Any
    ) -> Outcome:
        """Suspend, resume, start moving on, conclude or terminate under a passed decision."""
        name = v.choice(action, "action", tuple(TRANSITIONS))
        did = v.identifier(decision_id, "decision_id")

        def act(attempt: Any, p: Any, acting: Any, meta: Any) -> dict[str, Any]:
            p.apply_transition(name, did, acting, meta)
            return {"status": p.status}

        return self.step(name, cmd, partnership_id, {"decision": did}, act)

    def admit_member(
        self,
        cmd: Command,
        partnership_id: Any,
        *,
        decision_id: Any,
        organisation_id: Any,
        roles: Any,
        weight: Any,
        interest_group: Any = None,
        signatory: Any = True,
    ) -> Outcome:
        """After entry into force, invite a member under a passed admission decision."""
        did = v.identifier(decision_id, "decision_id")
        args = {
            "decision": did,
            "org": organisation_id,
            "roles": roles,
            "weight": weight,
            "group": interest_group,
            "signatory": signatory,
        }

        def act(attempt: Any, p: Any, acting: Any, meta: Any) -> None:
            membership = self.membership(
                attempt, organisation_id, roles, weight, interest_group, signatory
            )
            p.admit(membership, did, acting, meta)

        return self.step("admit_member", cmd, partnership_id, args, act)

    def notify_breach(
        self, cmd: Command, partnership_id: Any, *, organisation_id: Any, remedy_days: Any
    ) -> Outcome:
        """A partnership broker or the lead notifies a member of a breach, with a remedy period."""
        org = v.identifier(organisation_id, "organisation_id")
        days = v.integer(remedy_days, "remedy_days", maximum=3650)
        return self.step(
            "notify_breach",
            cmd,
            partnership_id,
            {"org": org, "days": days},
            lambda a, p, acting, meta: p.notify_breach(org, days, acting, meta),
        )

    def decide_member(
        self,
        cmd: Command,
        partnership_id: Any,
        *,
        action: Any,
        organisation_id: Any,
        decision_id: Any,
    ) -> Outcome:
        """declare_defaulting, remedied or remove_member under a passed decision."""
        name = v.choice(action, "action", ("declare_defaulting", "remedied", "remove_member"))
        org = v.identifier(organisation_id, "organisation_id")
        did = v.identifier(decision_id, "decision_id")

        def act(attempt: Any, p: Any, acting: Any, meta: Any) -> dict[str, Any]:
            p.member_decision(name, org, did, acting, meta)
            released = (
                self.release_commitments(attempt, p, org, "removed", meta)
                if name == "remove_member"
                else []
            )
            if name == "remove_member":
                p.complete_if_signed(meta)
            return {"released_commitments": released}

        return self.step(name, cmd, partnership_id, {"org": org, "decision": did}, act)

    def set_milestone(
        self,
        cmd: Command,
        partnership_id: Any,
        *,
        title: Any,
        due_date: Any,
        status: Any = "planned",
        milestone_id: Any = None,
    ) -> Outcome:
        """Add or update a milestone."""
        milestone = {
            "milestone_id": str(uuid.uuid4())
            if milestone_id is None
            else v.identifier(milestone_id, "milestone_id"),
            "title": v.text(title, "title"),
            "due_date": v.iso_date(due_date, "due_date"),
            "status": v.choice(status, "status", codes.MILESTONE_STATUSES),
        }
        return self.step(
            "set_milestone",
            cmd,
            partnership_id,
            # The caller's input, not the generated id: a retry must fingerprint the same.
            {"title": title, "due": due_date, "status": status, "id": milestone_id},
            lambda a, p, acting, meta: (
                p.set_milestone(milestone, acting, meta)
                or {"milestone_id": milestone["milestone_id"]}
            ),
        )

    def set_indicator(
        self,
        cmd: Command,
        partnership_id: Any,
        *,
        kind: Any,
        name: Any,
        unit: Any,
        baseline: Any,
        target: Any,
        indicator_id: Any = None,
    ) -> Outcome:
        """Add or update an output, outcome or impact indicator with baseline and target."""
        indicator = {
            "indicator_id": str(uuid.uuid4())
            if indicator_id is None
            else v.identifier(indicator_id, "indicator_id"),
            "kind": v.choice(kind, "kind", codes.INDICATOR_KINDS),
            "name": v.text(name, "name"),
            "unit": v.text(unit, "unit", max_length=50),
            "baseline": v.decimal(baseline, "baseline"),
            "target": v.decimal(target, "target"),
        }
        return self.step(
            "set_indicator",
            cmd,
            partnership_id,
            {
                "kind": kind,
                "name": name,
                "unit": unit,
                "baseline": baseline,
                "target": target,
                "id": indicator_id,
            },
            lambda a, p, acting, meta: (
                p.set_indicator(indicator, acting, meta)
                or {"indicator_id": indicator["indicator_id"]}
            ),
        )

    def report_result(
        self, cmd: Command, partnership_id: Any, *, indicator_id: Any, actual: Any, as_of: Any
    ) -> Outcome:
        """Report the actual value of an indicator as of a date."""
        iid = v.identifier(indicator_id, "indicator_id")
        value = v.decimal(actual, "actual")
        day = v.iso_date(as_of, "as_of")
        return self.step(
            "report_result",
            cmd,
            partnership_id,
            {"indicator": iid, "actual": actual, "as_of": day},
            lambda a, p, acting, meta: p.report_result(iid, value, day, acting, meta),
        )
