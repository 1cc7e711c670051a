"""Use cases that start partnerships and manage who is in them."""

from __future__ import annotations

from typing import Any

from collab.commands import Attempt, Command, Outcome
from collab.domain import codes, terms
from collab.domain import values as v
from collab.domain.commitment import Commitment
from collab.domain.envelope import Acting, Envelope
from collab.domain.errors import ForbiddenError, InvalidInputError, RuleViolationError
from collab.domain.partnership import Partnership
from collab.use_cases.base import CollabBase


def partnership_fields(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Check the descriptive fields of a partnership (title, need, territory, ...)."""
    checked: dict[str, Any] = {}
    if "title" in data:
        checked["title"] = v.text(data["title"], f"{prefix}title")
    if "need_statement" in data:
        checked["need_statement"] = v.text(
            data["need_statement"], f"{prefix}need_statement", max_length=v.TEXT
        )
    if "territory" in data:
        checked["territory"] = dict(terms.territory(data["territory"], f"{prefix}territory"))
    if "classifications" in data:
        checked["classifications"] = terms.classifications(
            data["classifications"], f"{prefix}classifications"
        )
    return checked


def check_initiator(acting: Acting) -> None:
    """A broker in its own right, or an organisation (community-led partnerships)."""
    if not (acting.as_broker or acting.organisation_id is not None):
        raise ForbiddenError("partnerships are initiated by brokers or partner organisations")


class PartnershipUseCases(CollabBase):
    """Initiate, staff and close partnerships."""

    def membership(
        self,
        attempt: Attempt,
        organisation_id: Any,
        roles: Any,
        weight: Any,
        interest_group: Any,
        signatory: Any,
    ) -> dict[str, Any]:
        org = self.organisation(attempt, organisation_id)
        if not isinstance(signatory, bool):
            raise InvalidInputError("signatory", "must be true or false")
        group = (
            codes.DEFAULT_INTEREST_GROUP[org.sector] if interest_group is None else interest_group
        )
        return {
            "organisation": str(org.id),
            "roles": v.choices(roles, "roles", codes.ROLES),
            "weight": v.integer(weight, "weight"),
            "interest_group": v.choice(group, "interest_group", codes.INTEREST_GROUPS),
            "signatory": signatory,
            "sector": org.sector,
        }

    def start(
        self,
        attempt: Attempt,
        fields: dict[str, Any],
        ptype: str,
        lead: dict[str, Any] | None,
        lineage: dict[str, Any] | None,
    ) -> Partnership:
        acting = attempt.acting
        assert acting is not None
        if acting.actor.role == "broker" and acting.mandate_id is None:
            broker, lead_member = acting.actor_id, None
        elif acting.organisation_id is not None:
            lead = lead or {}
            member = self.membership(
                attempt,
                acting.organisation_id,
                ["lead"],
                lead.get("weight", 1),
                lead.get("interest_group"),
                lead.get("signatory", True),
            )
            broker, lead_member = (
                None,
                {
                    **member,
                    "status": "active",
                    "admitted_by": None,
                    "needs_accession": False,
                    "breach": None,
                },
            )
        else:
            check_initiator(acting)
        return Partnership(
            fields["title"],
            fields["need_statement"],
            fields["territory"],
            fields.get("classifications", []),
            ptype,
            broker,
            lead_member,
            lineage,
            attempt.meta(),
        )

    def initiate_partnership(
        self,
        cmd: Command,
        *,
        title: Any,
        need_statement: Any,
        territory: Any,
        partnership_type: Any,
        classifications: Any = None,
        lead: Any = None,
    ) -> Outcome:
        """Start a partnership: a broker's, or a community-led one whose organisation leads."""
        args = {
            "title": title,
            "need": need_statement,
            "territory": territory,
            "type": partnership_type,
            "cls": classifications,
            "lead": lead,
        }
        fields = partnership_fields(
            {
                "title": title,
                "need_statement": need_statement,
                "territory": territory,
                "classifications": [] if classifications is None else classifications,
            }
        )
        ptype = v.choice(partnership_type, "partnership_type", codes.PARTNERSHIP_TYPES)
        lead_terms = (
            None
            if lead is None
            else dict(v.mapping(lead, "lead", ("weight", "interest_group", "signatory"), ()))
        )

        def handle(attempt: Attempt) -> dict[str, Any]:
            self.resolve_acting(attempt, None)
            p = self.start(attempt, fields, ptype, lead_terms, None)
            attempt.stage(p)
            return {"partnership_id": str(p.id), "version": p.version}

        return self.run("initiate_partnership", cmd, args, handle)

    def step(
        self, name: str, cmd: Command, partnership_id: Any, args: dict[str, Any], act: Any
    ) -> Outcome:
        """The common shape: load, check visibility and authority, call the aggregate, save."""

        def handle(attempt: Attempt) -> dict[str, Any]:
            p, acting = self.partnership_for(attempt, partnership_id)
            extra = act(attempt, p, acting, attempt.meta()) or {}
            attempt.stage(p)
            return {"partnership_id": str(p.id), "version": p.version, **extra}

        return self.run(name, cmd, {"partnership": partnership_id, **args}, handle)

    def assign_broker(self, cmd: Command, partnership_id: Any, *, broker_id: Any) -> Outcome:
        """A partnership broker or the lead assigns another partnership broker."""
        v.identifier(broker_id, "broker_id")
        return self.step(
            "assign_broker",
            cmd,
            partnership_id,
            {"broker": broker_id},
            lambda a, p, acting, meta: p.assign_broker(
                self.check_broker(a, broker_id, "broker_id"), acting, meta
            ),
        )

    def invite_member(
        self,
        cmd: Command,
        partnership_id: Any,
        *,
        organisation_id: Any,
        roles: Any,
        weight: Any,
        interest_group: Any = None,
        signatory: Any = True,
    ) -> Outcome:
        """Invite an organisation before entry into force (after it, use admit_member)."""
        args = {
            "org": organisation_id,
            "roles": roles,
            "weight": weight,
            "group": interest_group,
            "signatory": signatory,
        }

        def act(attempt: Attempt, p: Partnership, acting: Acting, meta: Envelope) -> None:
            p.invite(
                self.membership(attempt, organisation_id, roles, weight, interest_group, signatory),
                acting,
                meta,
            )

        return self.step("invite_member", cmd, partnership_id, args, act)

    def join_partnership(self, cmd: Command, partnership_id: Any) -> Outcome:
        """The invited organisation accepts its invitation."""
        return self.step(
            "join_partnership",
            cmd,
            partnership_id,
            {},
            lambda a, p, acting, meta: p.join(acting, meta),
        )

    def decline_invitation(self, cmd: Command, partnership_id: Any) -> Outcome:
        """The invited organisation declines its invitation."""
        return self.step(
            "decline_invitation",
            cmd,
            partnership_id,
            {},
            lambda a, p, acting, meta: p.decline(acting, meta),
        )

    def release_commitments(
        self, attempt: Attempt, p: Partnership, org_id: str, why: str, meta: Envelope
    ) -> list[str]:
        """Open commitments of a member who leaves are released in the same transaction."""
        released = []
        for cid in p.commitments_of(org_id):
            commitment = attempt.get(Commitment, cid)
            if commitment.release(why, meta):
                attempt.stage(commitment)
                released.append(cid)
        return released

    def withdraw_membership(self, cmd: Command, partnership_id: Any) -> Outcome:
        """The organisation leaves (notice per exit rules); its open commitments are released."""

        def act(attempt: Attempt, p: Partnership, acting: Acting, meta: Envelope) -> dict[str, Any]:
            exit_date = p.withdraw(acting, meta)
            released = self.release_commitments(
                attempt, p, str(acting.organisation_id), "withdrawn", meta
            )
            p.complete_if_signed(meta)  # remaining signatories may now be complete
            return {"exit_date": exit_date, "released_commitments": released}

        return self.step("withdraw_membership", cmd, partnership_id, {}, act)

    def correct_partnership(
        self, cmd: Command, partnership_id: Any, *, changes: Any, corrects_version: Any = None
    ) -> Outcome:
        """Correct title, need, territory or classifications, naming the corrected event."""
        data = dict(
            v.mapping(
                changes, "changes", ("title", "need_statement", "territory", "classifications"), ()
            )
        )
        checked = partnership_fields(data, "changes.")

        def act(attempt: Attempt, p: Partnership, acting: Acting, meta: Envelope) -> None:
            number = (
                p.version
                if corrects_version is None
                else v.integer(corrects_version, "corrects_version", minimum=1)
            )
            if number > p.version:
                raise RuleViolationError("the corrected event does not exist")
            p.correct_details(checked, {"stream": str(p.id), "version": number}, acting, meta)

        return self.step(
            "correct_partnership",
            cmd,
            partnership_id,
            {"changes": changes, "corrects": corrects_version},
            act,
        )

    def cancel_partnership(self, cmd: Command, partnership_id: Any) -> Outcome:
        """Cancel a partnership before its agreement enters into force."""
        return self.step(
            "cancel_partnership",
            cmd,
            partnership_id,
            {},
            lambda a, p, acting, meta: p.cancel(acting, meta),
        )

    def relate_partnerships(
        self, cmd: Command, partnership_id: Any, *, other_id: Any, relation: Any
    ) -> Outcome:
        """Record that this partnership replicates, scales or succeeds another."""
        other = v.identifier(other_id, "other_id")
        rel = v.choice(relation, "relation", codes.RELATIONS)

        def act(attempt: Attempt, p: Partnership, acting: Acting, meta: Envelope) -> None:
            attempt.get(Partnership, other)  # must exist
            p.relate(other, rel, acting, meta)

        return self.step(
            "relate_partnerships",
            cmd,
            partnership_id,
            {"other": other_id, "relation": relation},
            act,
        )

    def transfer_practice(
        self,
        cmd: Command,
        partnership_id: Any,
        *,
        title: Any,
        need_statement: Any,
        territory: Any,
        partnership_type: Any = None,
        classifications: Any = None,
    ) -> Outcome:
        """While moving on, start a partnership in another territory that replicates this one."""
        args = {
            "title": title,
            "need": need_statement,
            "territory": territory,
            "type": partnership_type,
            "cls": classifications,
        }
        fields = partnership_fields(
            {"title": title, "need_statement": need_statement, "territory": territory}
        )

        def act(attempt: Attempt, p: Partnership, acting: Acting, meta: Envelope) -> dict[str, Any]:
            p.check_transferable(acting, fields["territory"])
            ptype = (
                p.partnership_type
                if partnership_type is None
                else v.choice(partnership_type, "partnership_type", codes.PARTNERSHIP_TYPES)
            )
            fields["classifications"] = (
                p.classifications
                if classifications is None
                else terms.classifications(classifications)
            )
            lineage = {"partnership": str(p.id), "relation": "replicates", "territory": p.territory}
            new = self.start(attempt, fields, ptype, None, lineage)
            p.record_transfer(str(new.id), fields["territory"], acting, meta)
            attempt.stage(new)
            return {"new_partnership_id": str(new.id)}

        return self.step("transfer_practice", cmd, partnership_id, args, act)
