"""The partnership aggregate: one stream holding memberships, texts, signatures, decisions.

One class (the event classes are its attributes: `Partnership.MemberInvited`); its state
is made of frozen values (partnership_values.py), replaced by each event, and its rules
that need no state are plain functions (partnership_rules.py). Each command method
checks, then records one event whose body only applies it (it re-runs on every replay).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import register_topic

from collab.domain import budget as budgeting
from collab.domain import documents as docs
from collab.domain import partnership_values as val
from collab.domain.envelope import Acting, Envelope
from collab.domain.errors import ForbiddenError, InvalidInputError, RuleViolationError
from collab.domain.partnership_rules import (
    CLOSED,
    DEPARTED,
    IN_FORCE,
    MEMBER_DECISIONS,
    PRE_FORCE,
    TRANSITIONS,
    add_days,
    balance_group,
    balance_limit,
    imbalance,
    tally,
)
from collab.domain.partnership_values import (
    AgreementVersion,
    Decision,
    Indicator,
    IndicatorData,
    Member,
    MembershipData,
    Milestone,
    MilestoneData,
    Pledged,
    Record,
    Relation,
    Signature,
    SubjectData,
    Terms,
)
from collab.domain.terms import Period, Territory


class Partnership(Aggregate):
    """A local partnership that tackles an unmet social need together (DESIGN §2)."""

    # 2: state made of values (snapshots of version 1 held plain dicts: upcast_v1_v2);
    # 3: the budget in force and its number (issue 18).
    class_version: ClassVar[int] = 3

    @event("Initiated")
    def __init__(
        self,
        title: str,
        need_statement: str,
        territory: Territory,
        classifications: list[dict[str, str]],
        partnership_type: str,
        broker_id: str | None,
        lead: Record | None,
        lineage: Record | None,
        meta: Envelope,
    ) -> None:
        self.title = title
        self.need_statement = need_statement
        self.territory = territory
        self.classifications = classifications
        self.partnership_type = partnership_type
        self.status = "scoping"
        self.brokers: list[str] = [broker_id] if broker_id else []
        self.members: dict[str, Member] = {}
        self.versions: list[AgreementVersion] = []
        self.signatures: dict[str, dict[str, Signature]] = {}  # text hash -> organisation
        self.in_force: int | None = None
        self.pending: int | None = None
        self.decisions: dict[str, Decision] = {}
        self.milestones: dict[str, Milestone] = {}
        self.indicators: dict[str, Indicator] = {}
        self.related: list[Relation] = [val.values_of(lineage, Relation)] if lineage else []
        self.commitments: dict[str, Pledged] = {}
        # The budget version adopted last: {number, decision_id, budget} (budget.py).
        self.budget: Record | None = None
        if lead is not None:
            self.members[lead["organisation"]] = Member.of(lead)

    @staticmethod
    def upcast_v1_v2(state: Record) -> None:
        """A snapshot taken when the state was plain dicts, read back as values."""
        state["members"] = {o: Member.of(m) for o, m in state["members"].items()}
        state["versions"] = [
            AgreementVersion(int(n), v["terms"], v["hash"], v["status"], v["base"])
            for n, v in sorted(state["versions"].items(), key=lambda kv: int(kv[0]))
        ]
        state["signatures"] = {
            h: {o: val.values_of(s, Signature) for o, s in by.items()}
            for h, by in state["signatures"].items()
        }
        state["decisions"] = {d: val.values_of(x, Decision) for d, x in state["decisions"].items()}
        for name, cls in (("milestones", Milestone), ("indicators", Indicator)):
            state[name] = {k: val.values_of(x, cls) for k, x in state[name].items()}
        state["related"] = [val.values_of(r, Relation) for r in state["related"]]
        state["commitments"] = {
            c: Pledged(x["organisation"], x["confirmed"]) for c, x in state["commitments"].items()
        }

    @staticmethod
    def upcast_v2_v3(state: Record) -> None:
        """A snapshot from before budgets."""
        state["budget"] = None

    # -- queries -------------------------------------------------------------------------

    def member(self, org_id: str | None) -> Member | None:
        return self.members.get(org_id) if org_id else None

    def active_members(self) -> dict[str, Member]:
        return {o: m for o, m in self.members.items() if m.standing}

    def lead_organisation(self) -> str | None:
        for org_id, m in self.members.items():
            if "lead" in m.roles and m.status in ("active", "leaving"):
                return org_id
        return None

    def is_partnership_broker(self, acting: Acting) -> bool:
        return acting.as_broker and acting.actor_id in self.brokers

    def is_lead(self, acting: Acting) -> bool:
        lead = self.lead_organisation()
        return lead is not None and acting.organisation_id == lead

    def text(self, number: int | None) -> AgreementVersion | None:
        """Agreement version `number` (1, 2, …), if drafted."""
        if number is None or not 1 <= number <= len(self.versions):
            return None
        return self.versions[number - 1]

    def in_force_version(self) -> AgreementVersion | None:
        return self.text(self.in_force)

    def next_version_number(self) -> int:
        return len(self.versions) + 1

    def required_signatories(self) -> list[str]:
        """Active signatory members that count: acceded ones only, after entry into force."""
        return sorted(
            o for o, m in self.active_members().items() if m.signatory and not m.needs_accession
        )

    def commitments_of(self, org_id: str) -> list[str]:
        return [c for c, marker in self.commitments.items() if marker.organisation == org_id]

    # -- checks: raise before anything changes -------------------------------------------

    def check_status(self, *allowed: str) -> None:
        if self.status not in allowed:
            raise RuleViolationError(
                f"not allowed while the partnership is {self.status} (needs {' or '.join(allowed)})"
            )

    def check_open(self) -> None:
        if self.status in CLOSED:
            raise RuleViolationError(f"the partnership is {self.status}")

    def check_steward(self, acting: Acting) -> None:
        """A partnership broker, or the lead organisation (or a broker under its mandate)."""
        if not (self.is_partnership_broker(acting) or self.is_lead(acting)):
            raise ForbiddenError("only a partnership broker or the lead organisation may do this")

    def check_active_member(self, acting: Acting, on: str | None = None) -> Member:
        """Invariant 3: only an active member acts for itself (or a broker under its mandate);
        a leaving member only before its exit date (`on`: the act's effective date), also
        when the due-date processor has not yet recorded the exit (invariant 8)."""
        m = self.member(acting.organisation_id)
        if m is None or acting.actor.role not in ("partner", "broker"):
            raise ForbiddenError("only a member organisation may do this for itself")
        if acting.actor.role == "broker" and acting.mandate_id is None:
            raise ForbiddenError("a broker acts for an organisation only under its mandate")
        if not m.standing:
            raise RuleViolationError(f"the member is {m.status} and can no longer act")
        if on is not None and self.gone_by(m, on):
            raise RuleViolationError(f"the member's notice ran out on {m.exit_date}")
        return m

    @staticmethod
    def gone_by(m: Member, day: str) -> bool:
        """A leaving member whose exit date has come by `day` (its exit may not be recorded
        yet: the processor records it, but nothing waits for that)."""
        return m.status == "leaving" and m.exit_date is not None and m.exit_date <= day

    def check_signatory(self, acting: Acting, on: str | None = None) -> Member:
        m = self.check_active_member(acting, on)
        if not m.signatory:
            raise ForbiddenError("the member is not a signatory")
        return m

    def check_proposer(self, acting: Acting, on: str | None = None) -> None:
        """An amendment is proposed by a partnership broker, the lead or any signatory."""
        if not (self.is_partnership_broker(acting) or self.is_lead(acting)):
            self.check_signatory(acting, on)

    def check_reporter(self, acting: Acting, on: str | None = None) -> None:
        """Results are reported by a partnership broker, the lead or any active member."""
        if not (self.is_partnership_broker(acting) or self.is_lead(acting)):
            self.check_active_member(acting, on)

    def check_invited_self(self, acting: Acting) -> None:
        # Authority first (403), then state (409): only the organisation answers.
        if acting.organisation_id is None or acting.actor.role not in ("partner", "broker"):
            raise ForbiddenError("only the invited organisation (or its mandated broker) answers")
        m = self.member(acting.organisation_id)
        if m is None or m.status != "invited":
            raise RuleViolationError("there is no open invitation for this organisation")

    def check_invitable(self, membership: MembershipData) -> None:
        org_id = membership["organisation"]
        current = self.members.get(org_id)
        if current is not None and (current.standing or current.status == "invited"):
            raise RuleViolationError(f"the organisation is already {current.status}")
        if "lead" in membership["roles"] and any(
            "lead" in m.roles and (m.standing or m.status == "invited")
            for o, m in self.members.items()
            if o != org_id
        ):
            raise RuleViolationError("the partnership already has a lead organisation")

    def balance_limit(self, number: int | None = None) -> Decimal:
        """Invariant 4's limit: that of text `number` when given (the text being opened);
        else the strictest of the text in force and the text open for signature (a
        change made while an amendment awaits signatures must hold under both); before
        any, the latest draft's; 49 where the terms do not say."""
        if number is not None:
            texts = [self.text(number)]
        else:
            texts = [self.in_force_version(), self.text(self.pending)]
            if not any(texts) and self.versions:
                texts = [self.versions[-1]]
        limits = [balance_limit(t.terms) for t in texts if t is not None]
        return min(limits, default=balance_limit(None))

    def check_balance(
        self,
        extra: MembershipData | None = None,
        *,
        pending: bool = False,
        limit: Decimal | None = None,
    ) -> None:
        """Invariant 4 over active members, plus `extra`; `pending` adds open invitations;
        the limit is the current text's (`balance_limit`) unless given."""
        if self.partnership_type != "clld_lag":
            return
        standing = ("active", "leaving", "defaulting")
        statuses = (*standing, "invited") if pending else standing
        weights = [
            (m.balance_group, m.weight)
            for o, m in self.members.items()
            if m.status in statuses and (extra is None or o != extra["organisation"])
        ]
        if extra:
            group = balance_group(extra["sector"], extra["interest_group"])
            weights.append((group, extra["weight"]))
        problem = imbalance(weights, self.balance_limit() if limit is None else limit)
        if problem:
            raise RuleViolationError(problem)

    def check_next(self, terms: Terms) -> None:
        if terms["version"] != self.next_version_number():
            raise RuleViolationError("the terms name a version number that is not the next one")
        if terms["partnership_id"] != str(self.id):
            raise RuleViolationError("the terms name another partnership")

    def check_decision(self, decision_id: str, action: str, target: str | None = None) -> None:
        d = self.decisions.get(decision_id)
        if d is None:
            raise RuleViolationError("no such decision in this partnership")
        if d.action != action or d.organisation != target:
            raise RuleViolationError(f"the decision is not about {action}")
        if not d.passed:
            raise RuleViolationError("the decision did not pass")
        if d.used:
            raise RuleViolationError("the decision has already been applied")

    def check_transferable(self, acting: Acting, territory: Territory) -> None:
        self.check_steward(acting)
        self.check_status("moving_on")
        if territory == self.territory:
            raise RuleViolationError("a practice is transferred to another territory")

    def check_planner(self, acting: Acting) -> None:
        self.check_steward(acting)
        self.check_open()

    # -- state changes shared by several events ------------------------------------------

    def put_member(self, org_id: str, **changes: Any) -> None:
        self.members[org_id] = replace(self.members[org_id], **changes)

    def use_decision(self, decision_id: str) -> None:
        self.decisions[decision_id] = replace(self.decisions[decision_id], used=True)

    def put_invitation(self, membership: MembershipData, decision_id: str | None) -> None:
        self.members[membership["organisation"]] = Member.of(
            {**membership, "status": "invited", "admitted_by": decision_id}
        )
        if self.status == "scoping":
            self.status = "negotiating"

    def put_text(self, number: int, **changes: Any) -> None:
        self.versions[number - 1] = replace(self.versions[number - 1], **changes)

    def note_exit(self, org_id: str) -> None:
        """The membership record keeps the version of its exit event (the one being
        applied): a former member sees the partnership up to it (DESIGN §3)."""
        self.put_member(org_id, exit_version=self.version + 1)

    def unplaced_exits(self) -> bool:
        """Whether a former member's record lacks its exit version: state restored from a
        snapshot taken before records kept it."""
        return any(m.status in DEPARTED and m.exit_version is None for m in self.members.values())

    def place_exits(self, events: Iterable[Any]) -> None:
        """Complete such records from the stream's own exit events (by their fields)."""
        last: dict[str, int] = {}
        for e in events:
            if e.originator_version <= self.version and type(e).__name__ in (
                "MemberWithdrew",
                "MemberExited",
                "MemberRemoved",
            ):
                last[e.org_id] = e.originator_version
        for org_id, m in list(self.members.items()):
            if m.status in DEPARTED and m.exit_version is None:
                self.put_member(org_id, exit_version=last[org_id])

    # -- details and lifecycle -----------------------------------------------------------

    def assign_broker(self, broker_id: str, acting: Acting, meta: Envelope) -> None:
        self.check_steward(acting)
        self.check_status(*PRE_FORCE, *IN_FORCE, "suspended")
        if broker_id in self.brokers:
            raise RuleViolationError("the broker is already assigned")
        self._broker_assigned(broker_id, meta)

    @event("BrokerAssigned")
    def _broker_assigned(self, broker_id: str, meta: Envelope) -> None:
        self.brokers = [*self.brokers, broker_id]

    def correct_details(
        self, changes: Record, corrects: Record, acting: Acting, meta: Envelope
    ) -> None:
        self.check_steward(acting)
        self.check_status(*PRE_FORCE, *IN_FORCE, "suspended")
        if not set(changes) <= {"title", "need_statement", "territory", "classifications"}:
            raise RuleViolationError(
                "only title, need, territory and classifications are corrected"
            )
        if not changes:
            raise RuleViolationError("a correction must change at least one field")
        self._details_corrected(changes, corrects, meta)

    @event("DetailsCorrected")
    def _details_corrected(self, changes: Record, corrects: Record, meta: Envelope) -> None:
        for name, value in changes.items():
            setattr(self, name, value)

    def cancel(self, acting: Acting, meta: Envelope) -> None:
        self.check_steward(acting)
        self.check_status(*PRE_FORCE)
        self._cancelled(meta)

    @event("Cancelled")
    def _cancelled(self, meta: Envelope) -> None:
        self.status = "cancelled"

    def relate(self, other_id: str, relation: str, acting: Acting, meta: Envelope) -> None:
        self.check_steward(acting)
        if other_id == str(self.id):
            raise RuleViolationError("a partnership cannot relate to itself")
        if any(r.partnership == other_id and r.relation == relation for r in self.related):
            raise RuleViolationError("this relation is already recorded")
        self._related({"partnership": other_id, "relation": relation}, meta)

    @event("PartnershipRelated")
    def _related(self, link: Record, meta: Envelope) -> None:
        self.related = [*self.related, val.values_of(link, Relation)]

    def record_transfer(
        self, new_id: str, territory: Territory, acting: Acting, meta: Envelope
    ) -> None:
        self.check_transferable(acting, territory)
        self._practice_transferred(new_id, territory, meta)

    @event("PracticeTransferred")
    def _practice_transferred(self, new_id: str, territory: Territory, meta: Envelope) -> None:
        self.related = [*self.related, Relation(new_id, "replicated_by", territory)]

    def publish_practice(
        self, practice_id: str, number: int, decision_id: str, acting: Acting, meta: Envelope
    ) -> Decision:
        """A practice's version published under a passed decision (DESIGN §8), by a
        steward; the decision is used once. Returns it: what it publishes, to whom."""
        self.check_steward(acting)
        self.check_decision(decision_id, "publish_practice")
        self._practice_published(practice_id, number, decision_id, meta)
        return self.decisions[decision_id]

    @event("PracticePublished")
    def _practice_published(
        self, practice_id: str, number: int, decision_id: str, meta: Envelope
    ) -> None:
        self.use_decision(decision_id)

    # -- budget and funding (DESIGN §9; the checks live in budget.py) --------------------

    def adopt_budget(
        self, plan: Record, decision_id: str, facts: Record, acting: Acting, meta: Envelope
    ) -> int:
        """A budget version (`budget.checked`) adopted by a steward under a passed decision,
        used once; `facts`: the commitments it names (`budget.fact`). Returns its number."""
        self.check_steward(acting)
        self.check_status(*IN_FORCE, "suspended")
        self.check_decision(decision_id, "set_budget")
        budgeting.check_rules(plan)
        budgeting.check_match(plan, str(self.id), facts)
        budgeting.check_financing(plan, facts)
        number = 1 + (self.budget["number"] if self.budget else 0)
        self._budget_adopted(number, plan, decision_id, meta)
        return number

    @event("BudgetAdopted")
    def _budget_adopted(
        self, number: int, budget: Record, decision_id: str, meta: Envelope
    ) -> None:
        # Each version replaces the one before; earlier ones stay in the stream's history.
        self.budget = {"number": number, "decision_id": decision_id, "budget": budget}
        self.use_decision(decision_id)

    # -- memberships ---------------------------------------------------------------------

    def invite(self, membership: MembershipData, acting: Acting, meta: Envelope) -> None:
        self.check_steward(acting)
        self.check_status("scoping", "negotiating")
        self.check_invitable(membership)
        self._member_invited(membership, None, meta)

    @event("MemberInvited")
    def _member_invited(
        self, membership: MembershipData, decision_id: str | None, meta: Envelope
    ) -> None:
        self.put_invitation(membership, decision_id)

    def join(self, acting: Acting, meta: Envelope) -> None:
        self.check_invited_self(acting)
        self.check_status(*PRE_FORCE, *IN_FORCE, "suspended")
        if self.in_force is not None:
            # Joining after entry into force is an admission: the balance must hold with it.
            m = self.members[str(acting.organisation_id)]
            self.check_balance(extra=m.data())
        self._member_joined(str(acting.organisation_id), meta)

    @event("MemberJoined")
    def _member_joined(self, org_id: str, meta: Envelope) -> None:
        # After entry into force a signatory accedes to the text in force before it counts.
        accedes = self.members[org_id].signatory and self.in_force is not None
        self.put_member(org_id, status="active", needs_accession=accedes)

    def decline(self, acting: Acting, meta: Envelope) -> None:
        self.check_invited_self(acting)
        self._member_declined(str(acting.organisation_id), meta)

    @event("MemberDeclined")
    def _member_declined(self, org_id: str, meta: Envelope) -> None:
        self.put_member(org_id, status="declined")

    def withdraw(self, acting: Acting, meta: Envelope) -> str:
        """Never refused for balance (invariant 4); returns the date the exit takes effect.
        Invariant 8: while notice runs the member is `leaving`, in standing with its
        commitments, and the due-date processor records its exit on that date; an exit
        date already reached (no notice, or notice given long ago) is the exit itself."""
        m = self.check_active_member(acting, meta["effective_date"])
        if m.status != "active":
            raise RuleViolationError(f"a {m.status} member does not withdraw (DESIGN §2 table)")
        self.check_status(*PRE_FORCE, *IN_FORCE, "suspended")
        version = self.in_force_version()
        notice = version.terms["exit_notice_days"] if version else 0
        exit_date = add_days(meta["effective_date"], notice)
        if exit_date > meta["recorded_at"][:10]:
            self._member_gave_notice(m.organisation, exit_date, meta)
        else:
            self._member_withdrew(m.organisation, exit_date, meta)
        return exit_date

    @event("MemberWithdrew")
    def _member_withdrew(self, org_id: str, exit_date: str, meta: Envelope) -> None:
        # Stored meaning, never changed: the member left when this was recorded.
        self.put_member(org_id, status="withdrawn", exit_date=exit_date)
        self.note_exit(org_id)

    @event("MemberGaveNotice")
    def _member_gave_notice(self, org_id: str, exit_date: str, meta: Envelope) -> None:
        self.put_member(org_id, status="leaving", exit_date=exit_date)

    def record_exit(self, org_id: str, today: str, meta: Envelope) -> bool:
        """Due-date processor: a leaving member whose exit date has come leaves; False
        when there is nothing (any more) to record (another process recorded it)."""
        m = self.member(org_id)
        if m is None or m.status != "leaving" or m.exit_date is None or m.exit_date > today:
            return False
        self._member_exited(org_id, m.exit_date, meta)
        return True

    @event("MemberExited")
    def _member_exited(self, org_id: str, exit_date: str, meta: Envelope) -> None:
        self.put_member(org_id, status="withdrawn")
        self.note_exit(org_id)

    def notify_breach(self, org_id: str, remedy_days: int, acting: Acting, meta: Envelope) -> None:
        self.check_steward(acting)
        self.check_status(*IN_FORCE, "suspended")
        m = self.member(org_id)
        if m is None or m.status != "active":
            raise RuleViolationError("a breach is notified to an active member")
        self._breach_notified(org_id, add_days(meta["effective_date"], remedy_days), meta)

    @event("BreachNotified")
    def _breach_notified(self, org_id: str, remedy_until: str, meta: Envelope) -> None:
        self.put_member(org_id, remedy_until=remedy_until, remedy_ended=False)

    def end_remedy_period(self, org_id: str, today: str, meta: Envelope) -> bool:
        """Due-date processor: the remedy period of a breach notified to an active member
        has passed (declaring it defaulting still needs a decision); False when nothing
        is (any more) to record."""
        m = self.member(org_id)
        if m is None or m.status != "active" or m.remedy_until is None or m.remedy_ended:
            return False
        if today <= m.remedy_until:
            return False
        self._remedy_period_ended(org_id, m.remedy_until, meta)
        return True

    @event("RemedyPeriodEnded")
    def _remedy_period_ended(self, org_id: str, remedy_until: str, meta: Envelope) -> None:
        self.put_member(org_id, remedy_ended=True)

    # -- commitment markers: keep cross-aggregate rules true at commit (invariant 5) ------

    def note_pledge(self, commitment_id: str, acting: Acting, meta: Envelope) -> None:
        self.check_active_member(acting, meta["effective_date"])
        self.check_status(*PRE_FORCE, *IN_FORCE, "suspended")
        self._commitment_noted(commitment_id, str(acting.organisation_id), meta)

    @event("CommitmentNoted")
    def _commitment_noted(self, commitment_id: str, org_id: str, meta: Envelope) -> None:
        self.commitments[commitment_id] = Pledged(org_id)

    def note_confirmation(self, commitment_id: str, acting: Acting, meta: Envelope) -> None:
        member = self.check_active_member(acting, meta["effective_date"])
        if member.status not in ("active", "leaving"):
            raise RuleViolationError("a commitment is confirmed only by an active member")
        if self.status not in IN_FORCE:
            raise RuleViolationError("a commitment is confirmed only under an agreement in force")
        marker = self.commitments.get(commitment_id)
        if marker is None or marker.organisation != acting.organisation_id:
            raise RuleViolationError("the commitment is not this member's in this partnership")
        self._commitment_confirmation_noted(commitment_id, meta)

    @event("CommitmentConfirmationNoted")
    def _commitment_confirmation_noted(self, commitment_id: str, meta: Envelope) -> None:
        self.commitments[commitment_id] = replace(self.commitments[commitment_id], confirmed=True)

    # -- agreement texts (invariants 1, 2) -----------------------------------------------

    def draft_version(self, terms: Terms, text_hash: str, acting: Acting, meta: Envelope) -> None:
        self.check_steward(acting)
        # Re-drafting while awaiting signatures reopens negotiation: the open hash is dropped.
        self.check_status("scoping", "negotiating", "awaiting_signatures")
        self.check_next(terms)
        self.check_limit_kind(terms)
        self._version_drafted(terms, text_hash, meta)

    def check_limit_kind(self, terms: Terms) -> None:
        if "balance_limit" in terms and self.partnership_type != "clld_lag":
            raise RuleViolationError(
                "only a CLLD local action group's terms set a balance limit (invariant 4)"
            )

    @event("VersionDrafted")
    def _version_drafted(self, terms: Terms, text_hash: str, meta: Envelope) -> None:
        self.versions.append(AgreementVersion(terms["version"], terms, text_hash, "draft"))
        if self.pending is not None:  # re-drafting abandons the text open for signature
            self.put_text(self.pending, status="abandoned")
        self.pending = None
        self.status = "negotiating"

    def open_for_signature(self, number: int, acting: Acting, meta: Envelope) -> None:
        self.check_steward(acting)
        self.check_status("negotiating")
        version = self.text(number)
        if version is None or version.status != "draft":
            raise RuleViolationError("only a drafted version can be opened for signature")
        if number != len(self.versions):
            raise RuleViolationError("only the latest drafted version can be opened for signature")
        if len(self.active_members()) < 2:
            raise RuleViolationError("a partnership needs at least two active members to sign")
        if not self.required_signatories():
            raise RuleViolationError("no active member is a signatory")
        self.check_balance(limit=self.balance_limit(number))
        self._opened_for_signature(number, meta)

    @event("VersionOpenedForSignature")
    def _opened_for_signature(self, number: int, meta: Envelope) -> None:
        self.put_text(number, status="open")
        self.pending = number
        self.status = "awaiting_signatures"

    def sign(self, text_hash: str, acting: Acting, meta: Envelope) -> bool:
        """Sign a hash; returns True when this signature brought a text into force."""
        m = self.check_signatory(acting, meta["effective_date"])
        if m.needs_accession:
            self.check_status(*IN_FORCE, "suspended")
            target = self.in_force_version()
            if target is None or target.hash != text_hash:
                raise RuleViolationError("an acceding member signs the hash of the text in force")
        else:
            self.check_status("awaiting_signatures", "in_modification")
            pending = self.text(self.pending)
            if pending is None or pending.hash != text_hash:
                raise RuleViolationError(
                    "the hash signed is not the hash of the text open for signature"
                )
        if m.organisation in self.signatures.get(text_hash, {}):
            raise RuleViolationError("the organisation has already signed this text")
        if (
            not m.needs_accession
            and self.would_complete(m.organisation)
            and self.status == "awaiting_signatures"
        ):
            self.check_balance()
        self._signed(text_hash, m.organisation, meta)
        return self.complete_if_signed(meta)

    def would_complete(self, extra_signer: str) -> bool:
        pending = self.text(self.pending)
        assert pending is not None
        signed = set(self.signatures.get(pending.hash, {})) | {extra_signer}
        return set(self.required_signatories()) <= signed

    @event("AgreementSigned")
    def _signed(self, text_hash: str, org_id: str, meta: Envelope) -> None:
        by = self.signatures.setdefault(text_hash, {})
        by[org_id] = Signature(meta["actor"], meta["mandate"], meta["recorded_at"])
        current = self.in_force_version()
        accedes = current is not None and current.hash == text_hash
        if self.members[org_id].needs_accession and accedes:
            self.put_member(org_id, needs_accession=False)

    def complete_if_signed(self, meta: Envelope) -> bool:
        """Invariant 1: a text enters into force once every required signatory signed its hash."""
        pending = self.text(self.pending)
        if pending is None or self.status not in ("awaiting_signatures", "in_modification"):
            return False
        required = set(self.required_signatories())
        if not required or not required <= set(self.signatures.get(pending.hash, {})):
            return False
        if self.status == "awaiting_signatures":
            try:
                self.check_balance()
            except RuleViolationError:
                return False  # a withdrawal is never refused; entry waits for balance
        self._entered_into_force(pending.number, pending.hash, sorted(required), meta)
        return True

    @event("AgreementEnteredIntoForce")
    def _entered_into_force(
        self, number: int, text_hash: str, signatories: list[str], meta: Envelope
    ) -> None:
        if self.in_force is not None:
            self.put_text(self.in_force, status="superseded")
        self.put_text(number, status="in_force")
        self.in_force = number
        self.pending = None
        self.status = "active"

    def propose_amendment(
        self, base: int, terms: Terms, text_hash: str, acting: Acting, meta: Envelope
    ) -> None:
        self.check_proposer(acting, meta["effective_date"])
        self.check_status("active")
        if base != self.in_force:
            raise RuleViolationError(
                "the amendment's base version is no longer the version in force"
            )
        self.check_next(terms)
        self.check_limit_kind(terms)
        self.check_balance(limit=balance_limit(terms))  # a lower limit must hold already
        self._amendment_proposed(base, terms, text_hash, meta)

    @event("AmendmentProposed")
    def _amendment_proposed(self, base: int, terms: Terms, text_hash: str, meta: Envelope) -> None:
        number = terms["version"]
        self.versions.append(AgreementVersion(number, terms, text_hash, "open", base))
        self.pending = number
        self.status = "in_modification"

    def reject_amendment(self, acting: Acting, meta: Envelope) -> None:
        self.check_signatory(acting, meta["effective_date"])
        self.check_status("in_modification")
        assert self.pending is not None  # in_modification always has a pending version
        self._amendment_rejected(self.pending, meta)

    @event("AmendmentRejected")
    def _amendment_rejected(self, number: int, meta: Envelope) -> None:
        self.put_text(number, status="rejected")
        self.pending = None
        self.status = "active"

    # -- decisions, and what they allow (DESIGN §2 "Decision") ---------------------------

    def record_decision(
        self,
        decision_id: str,
        body: str,
        subject: SubjectData,
        votes: dict[str, str],
        acting: Acting,
        meta: Envelope,
        conflicts: tuple[str, ...] = (),
    ) -> dict[str, int | bool]:
        """Invariant 4 on the weight present: a member declaring a conflict of interest is
        not present (Reg. (EU) 2021/1060 art. 33(3)(b))."""
        self.check_steward(acting)
        self.check_status(*IN_FORCE, "suspended")
        version = self.in_force_version()
        assert version is not None  # every status checked above has a text in force
        day = meta["effective_date"]  # a member whose notice ran out by then is gone
        members = {o: m for o, m in self.active_members().items() if not self.gone_by(m, day)}
        strangers = sorted((set(votes) | set(conflicts)) - set(members))
        if strangers:
            raise RuleViolationError(
                f"only active members vote or declare conflicts; not active: {', '.join(strangers)}"
            )
        if self.partnership_type == "clld_lag":
            present = ((members[o].balance_group, members[o].weight) for o in votes)
            problem = imbalance(present, self.balance_limit())
            if problem:
                raise RuleViolationError(f"decision blocked: of the weight present, {problem}")
        weights = {o: m.weight for o, m in members.items()}
        result = tally(version.terms["governance"], weights, votes, conflicts)
        self._decision_recorded(decision_id, body, subject, votes, result, list(conflicts), meta)
        return result

    class DecisionRecorded(Aggregate.Event):
        """A meeting's decision. 2: `conflicts`, the members that declared a conflict of
        interest (events of version 1 were recorded before it could be declared)."""

        class_version: ClassVar[int] = 2
        decision_id: str
        body: str
        subject: SubjectData
        votes: dict[str, str]
        result: dict[str, int | bool]
        conflicts: list[str]
        meta: Envelope

        @staticmethod
        def upcast_v1_v2(state: Record) -> None:
            state["conflicts"] = []

    @event(DecisionRecorded)
    def _decision_recorded(
        self,
        decision_id: str,
        body: str,
        subject: SubjectData,
        votes: dict[str, str],
        result: dict[str, int | bool],
        conflicts: list[str],
        meta: Envelope,
    ) -> None:
        self.decisions[decision_id] = Decision(
            subject["action"],
            subject.get("organisation"),
            subject.get("summary"),
            body,
            bool(result["passed"]),
            commitment=subject.get("commitment"),
            publishes=tuple(subject.get("publishes", ())),
            audience=subject.get("audience"),
            delivery=subject.get("delivery"),
            conflicts=tuple(conflicts),
            recorded_at=meta["recorded_at"],
        )

    def use_settlement(
        self,
        action: str,
        decision_id: str,
        commitment_id: str,
        delivery_id: str,
        acting: Acting,
        meta: Envelope,
    ) -> str:
        """A passed decision settling a disputed delivery of a commitment pledged here
        (invariant 6): `accept_delivery` (it counts) or `reject_delivery` (it does not).
        Returns when the decision was recorded: it settles only a dispute raised before."""
        self.check_steward(acting)
        self.check_status(*IN_FORCE, "suspended")
        if commitment_id not in self.commitments:
            raise RuleViolationError("the commitment is not pledged in this partnership")
        self.check_decision(decision_id, action)
        d = self.decisions[decision_id]
        if (d.commitment, d.delivery) != (commitment_id, delivery_id):
            raise RuleViolationError("the decision settles another delivery")
        self._settlement_applied(decision_id, commitment_id, delivery_id, meta)
        return d.recorded_at or ""

    @event("SettlementApplied")
    def _settlement_applied(
        self, decision_id: str, commitment_id: str, delivery_id: str, meta: Envelope
    ) -> None:
        self.use_decision(decision_id)

    def apply_transition(
        self, action: str, decision_id: str, acting: Acting, meta: Envelope
    ) -> None:
        self.check_steward(acting)
        self.check_status(*TRANSITIONS[action][0])
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
        self.use_decision(decision_id)

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

    def admit(
        self, membership: MembershipData, decision_id: str, acting: Acting, meta: Envelope
    ) -> None:
        self.check_steward(acting)
        self.check_status("active")
        self.check_invitable(membership)
        self.check_decision(decision_id, "admit_member", membership["organisation"])
        self.check_balance(extra=membership, pending=True)
        self._member_admitted(membership, decision_id, meta)

    @event("MemberAdmitted")
    def _member_admitted(
        self, membership: MembershipData, decision_id: str, meta: Envelope
    ) -> None:
        self.use_decision(decision_id)
        self.put_invitation(membership, decision_id)

    def member_decision(
        self, action: str, org_id: str, decision_id: str, acting: Acting, meta: Envelope
    ) -> None:
        """declare_defaulting, remedied or remove_member, on a passed decision."""
        self.check_steward(acting)
        self.check_status(*IN_FORCE, "suspended")
        self.check_decision(decision_id, action, org_id)
        m = self.member(org_id)
        needed = MEMBER_DECISIONS[action]
        if m is None or m.status != needed:
            raise RuleViolationError(f"{action} applies to a {needed} member")
        if action == "declare_defaulting":
            if m.remedy_until is None:
                raise RuleViolationError("no breach has been notified to this member")
            if meta["effective_date"] <= m.remedy_until:
                raise RuleViolationError(f"the remedy period runs until {m.remedy_until}")
        recorders = {
            "declare_defaulting": self._declared_defaulting,
            "remedied": self._default_remedied,
            "remove_member": self._member_removed,
        }
        recorders[action](org_id, decision_id, meta)

    @event("MemberDeclaredDefaulting")
    def _declared_defaulting(self, org_id: str, decision_id: str, meta: Envelope) -> None:
        self.put_member(org_id, status="defaulting")
        self.use_decision(decision_id)

    @event("DefaultRemedied")
    def _default_remedied(self, org_id: str, decision_id: str, meta: Envelope) -> None:
        self.put_member(org_id, status="active", remedy_until=None)
        self.use_decision(decision_id)

    def change_membership(
        self, org_id: str, changes: Record, decision_id: str, acting: Acting, meta: Envelope
    ) -> None:
        """New terms for a member in standing (weight, roles, interest group, signatory)
        under a passed decision; the CLLD balance re-checked with them (invariant 4)."""
        self.check_steward(acting)
        self.check_status(*IN_FORCE, "suspended")
        self.check_decision(decision_id, "change_membership", org_id)
        m = self.member(org_id)
        if m is None or not m.standing:
            raise RuleViolationError("only a member in standing has its terms changed")
        if "signatory" in changes and self.status == "in_modification":
            raise RuleViolationError(
                "who signs does not change while an amendment awaits signatures"
            )
        values: dict[str, Any] = {k: tuple(x) if k == "roles" else x for k, x in changes.items()}
        changed = replace(m, **values)
        if changed == m:
            raise RuleViolationError("the new terms are the member's terms already")
        lead = self.lead_holder()
        handed = lead if "lead" in changed.roles and lead not in (None, org_id) else None
        if "lead" not in changed.roles and lead == org_id and not self.brokers:
            raise RuleViolationError("a partnership without a broker keeps its lead")
        if self.partnership_type == "clld_lag":
            weights = [(x.balance_group, x.weight) for o, x in self.standing_except(org_id)]
            problem = imbalance(
                [*weights, (changed.balance_group, changed.weight)], self.balance_limit()
            )
            if problem:
                raise RuleViolationError(f"with the new terms, {problem}")
        self._membership_changed(org_id, changes, decision_id, handed, meta)

    def lead_holder(self) -> str | None:
        """The member holding the lead role, in any status short of departure (a
        defaulting lead still holds it: handing the lead over takes it away)."""
        for org_id, m in self.members.items():
            if "lead" in m.roles and m.status not in (*DEPARTED, "declined"):
                return org_id
        return None

    def standing_except(self, org_id: str) -> list[tuple[str, Member]]:
        return [(o, x) for o, x in self.members.items() if x.standing and o != org_id]

    @event("MembershipChanged")
    def _membership_changed(
        self,
        org_id: str,
        changes: Record,
        decision_id: str,
        previous_lead: str | None,
        meta: Envelope,
    ) -> None:
        values = {k: tuple(x) if k == "roles" else x for k, x in changes.items()}
        if values.get("signatory") and not self.members[org_id].signatory:
            # A new signatory accedes to the text in force before it counts (as on joining).
            current = self.in_force_version()
            signed = current is not None and org_id in self.signatures.get(current.hash, {})
            values["needs_accession"] = current is not None and not signed
        self.put_member(org_id, **values)
        if previous_lead is not None:
            roles = self.members[previous_lead].roles
            self.put_member(previous_lead, roles=tuple(r for r in roles if r != "lead"))
        self.use_decision(decision_id)

    def unassign_broker(self, broker_id: str, acting: Acting, meta: Envelope) -> None:
        """A partnership broker leaves the partnership's stewardship (a steward, or the
        broker itself, records it); a partnership keeps a broker or a lead."""
        if acting.actor_id != broker_id:
            self.check_steward(acting)
        self.check_status(*PRE_FORCE, *IN_FORCE, "suspended")
        if broker_id not in self.brokers:
            raise RuleViolationError("the broker is not assigned to this partnership")
        lead = self.member(self.lead_organisation())
        if self.brokers == [broker_id] and (lead is None or lead.status == "leaving"):
            raise RuleViolationError(
                "the last broker stays: the partnership has no lead to steward it"
            )
        self._broker_unassigned(broker_id, meta)

    @event("BrokerUnassigned")
    def _broker_unassigned(self, broker_id: str, meta: Envelope) -> None:
        self.brokers = [b for b in self.brokers if b != broker_id]

    @event("MemberRemoved")
    def _member_removed(self, org_id: str, decision_id: str, meta: Envelope) -> None:
        self.put_member(org_id, status="removed")
        self.use_decision(decision_id)
        self.note_exit(org_id)

    # -- plans and results ---------------------------------------------------------------

    def set_milestone(self, milestone: MilestoneData, acting: Acting, meta: Envelope) -> None:
        self.check_planner(acting)
        self._milestone_set(milestone, meta)

    @event("MilestoneSet")
    def _milestone_set(self, milestone: MilestoneData, meta: Envelope) -> None:
        self.milestones[milestone["milestone_id"]] = val.values_of(milestone, Milestone)

    def set_indicator(self, indicator: IndicatorData, acting: Acting, meta: Envelope) -> None:
        self.check_planner(acting)
        current = self.indicators.get(indicator["indicator_id"])
        if current is not None and current.unit != indicator["unit"]:
            raise RuleViolationError("an indicator keeps its unit; define a new indicator instead")
        self._indicator_set(indicator, meta)

    @event("IndicatorSet")
    def _indicator_set(self, indicator: IndicatorData, meta: Envelope) -> None:
        # Re-setting an indicator keeps what its reports left: the latest figure and period.
        current = self.indicators.get(indicator["indicator_id"])
        self.indicators[indicator["indicator_id"]] = (
            val.values_of(indicator, Indicator)
            if current is None
            else replace(
                current,
                kind=indicator["kind"],
                name=indicator["name"],
                unit=indicator["unit"],
                baseline=indicator["baseline"],
                target=indicator["target"],
            )
        )

    # Indicators' reports (issue 15 part 5). The aggregate keeps per indicator only the end
    # of the latest period reported and that report's number (its event's version): a
    # constant size, so folding n reports costs n. The series is the read model's.

    def reported_indicator(self, indicator_id: str, acting: Acting, on: str) -> Indicator:
        self.check_reporter(acting, on)
        self.check_open()
        found = self.indicators.get(indicator_id)
        if found is None:
            raise RuleViolationError("no such indicator in this partnership")
        return found

    def report_result(
        self,
        indicator_id: str,
        actual: Decimal,
        as_of: str,
        acting: Acting,
        meta: Envelope,
        period: Period | None = None,
    ) -> int:
        """Report an indicator's figure for a period (default: the day `as_of`), measured
        as of a date; returns the report's number. Periods are reported in order, each
        after the last one reported: a period already reported is corrected, not reported
        again, so no two reports of an indicator overlap."""
        indicator = self.reported_indicator(indicator_id, acting, meta["effective_date"])
        span = period or Period(start=as_of, end=as_of)
        if max(as_of, span["end"]) > meta["effective_date"]:
            # a period not yet over (or a far-future one) would block every later report
            raise RuleViolationError(
                "a period is reported once it has ended, with a figure measured by then"
            )
        if indicator.reported_until is not None and span["start"] <= indicator.reported_until:
            raise RuleViolationError(
                f"this indicator is reported until {indicator.reported_until}: a period "
                "starts after it (correct an earlier report instead)"
            )
        if as_of < span["start"]:
            raise RuleViolationError("a figure is measured on or after its period's start")
        self._result_reported_for_period(indicator_id, actual, as_of, span, meta)
        return self.version

    @event("ResultReported")
    def _result_reported(
        self, indicator_id: str, actual: Decimal, as_of: str, meta: Envelope
    ) -> None:
        # Stored meaning, never recorded now: a figure for the single day `as_of`, shown
        # until the next report (a same-day repeat replaced it).
        current = self.indicators[indicator_id]
        until = max(current.reported_until or as_of, as_of)
        self.indicators[indicator_id] = replace(
            current,
            actual=actual,
            actual_as_of=as_of,
            reported_until=until,
            latest_report=self.version + 1,
        )

    @event("ResultReportedForPeriod")
    def _result_reported_for_period(
        self, indicator_id: str, actual: Decimal, as_of: str, period: Period, meta: Envelope
    ) -> None:
        self.indicators[indicator_id] = replace(
            self.indicators[indicator_id],
            actual=actual,
            actual_as_of=as_of,
            reported_until=period["end"],
            latest_report=self.version + 1,
        )

    def correct_result(
        self,
        indicator_id: str,
        report: int,
        reported: Any,
        actual: Decimal,
        acting: Acting,
        meta: Envelope,
    ) -> None:
        """Correct a report's figure by an event naming it (invariant 6: both stay in
        history). `reported` is this stream's event number `report`, as stored (None if
        there is none): it must be a report of this indicator."""
        self.reported_indicator(indicator_id, acting, meta["effective_date"])
        if (
            reported is None
            or type(reported).__name__ not in REPORTS
            or reported.originator_version != report
            or reported.indicator_id != indicator_id
        ):
            raise RuleViolationError(f"no report {report} of this indicator")
        if not meta["reason"]:
            raise InvalidInputError("reason", "a correction states its reason")
        corrects = {"stream": str(self.id), "version": report}
        self._result_corrected(indicator_id, report, actual, corrects, meta)

    @event("ResultCorrected")
    def _result_corrected(
        self, indicator_id: str, report: int, actual: Decimal, corrects: Record, meta: Envelope
    ) -> None:
        current = self.indicators[indicator_id]
        if current.latest_report == report:  # the latest figure shown is the corrected one
            self.indicators[indicator_id] = replace(current, actual=actual)

    # -- documents (DESIGN §9) -----------------------------------------------------------

    def attach_document(
        self, document: Record, acting: Acting, meta: Envelope, reported: Any = None
    ) -> None:
        """Record a stored file's hash, name, type and size, and what it documents (a
        broker, the lead or an active member). `reported`: for an indicator report, this
        stream's event of that number as stored."""
        self.check_reporter(acting, meta["effective_date"])
        self.check_open()
        about = document["about"]
        kind = about["documents"]
        if kind == "agreement_version":
            found = self.text(about["agreement_version"]) is not None
        elif kind == "decision":
            found = about["decision_id"] in self.decisions
        elif kind == "delivery":
            found = about["commitment_id"] in self.commitments
        elif kind == "indicator_report":
            found = reported is not None and type(reported).__name__ in REPORTS
        else:
            found = True
        docs.check_reference(found, kind.replace("_", " "))
        self._document_attached(document, meta)

    @event("DocumentAttached")
    def _document_attached(self, document: Record, meta: Envelope) -> None:
        """The event is the record: the store holds the file, the read side lists it."""

    def unplaced_reports(self) -> bool:
        """Whether state restored from a snapshot taken before indicators kept their
        latest period lacks it (an indicator with a figure but no period): the repository
        then folds the stream's own events instead (`CollabRepository.get`)."""
        found = self.indicators.values()
        return any(i.actual is not None and i.reported_until is None for i in found)


REPORTS = ("ResultReported", "ResultReportedForPeriod")


# Topics: events were recorded under the classes of an earlier shape of this aggregate (a
# chain of mixins, one module each); stored bytes never change, so those topics name these
# classes now. The aggregate's own topic and `Initiated`'s are unchanged.
LEGACY_EVENTS = {
    "core:PartnershipCore": (
        "BrokerAssigned",
        "DetailsCorrected",
        "Cancelled",
        "PartnershipRelated",
        "PracticeTransferred",
    ),
    "members:PartnershipMembers": (
        "MemberInvited",
        "MemberJoined",
        "MemberDeclined",
        "MemberWithdrew",
        "BreachNotified",
        "CommitmentNoted",
        "CommitmentConfirmationNoted",
    ),
    "agreement:PartnershipAgreement": (
        "VersionDrafted",
        "VersionOpenedForSignature",
        "AgreementSigned",
        "AgreementEnteredIntoForce",
        "AmendmentProposed",
        "AmendmentRejected",
    ),
    "governance:PartnershipGovernance": (
        "DecisionRecorded",
        "Suspended",
        "Resumed",
        "MovingOnStarted",
        "Concluded",
        "Terminated",
        "MemberAdmitted",
        "MemberDeclaredDefaulting",
        "DefaultRemedied",
        "MemberRemoved",
    ),
    "plans:PartnershipPlans": ("MilestoneSet", "IndicatorSet", "ResultReported"),
}
for _where, _names in LEGACY_EVENTS.items():
    for _name in _names:
        register_topic(f"collab.domain.partnership.{_where}.{_name}", getattr(Partnership, _name))

__all__ = ["CLOSED", "IN_FORCE", "PRE_FORCE", "Partnership"]
