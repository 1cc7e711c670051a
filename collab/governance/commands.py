"""Commands on what a partnership decides, plans and reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from collab.domain import codes, practice_terms
from collab.domain import values as v
from collab.domain.errors import InvalidInputError
from collab.domain.partnership_rules import MEMBER_DECISIONS, TRANSITIONS
from collab.domain.partnership_values import SubjectData
from collab.partnerships.commands import InviteMember, OnPartnership

MAX_VOTES = 500
SUBJECT_FIELDS: tuple[str, ...] = ("action", "organisation_id", "summary", "commitment_id")
SUBJECT_FIELDS += ("delivery_id", "publishes", "audience")
MAX_REMEDY_DAYS = 3650


@dataclass(frozen=True)
class DecisionSubject:
    """What a decision is about: an action, and the organisation a member action names (or
    the commitment and delivery a settlement names)."""

    action: str
    organisation_id: str | None = None
    summary: str | None = None
    commitment_id: str | None = None
    delivery_id: str | None = None
    publishes: tuple[str, ...] | None = None  # publish_practice: the figures it publishes
    audience: str | None = None  # publish_practice: who reads the practice

    def __post_init__(self) -> None:
        v.choice(self.action, "subject.action", codes.DECISION_SUBJECTS)
        self.target("organisation_id", codes.MEMBER_SUBJECTS)
        self.target("commitment_id", codes.DELIVERY_SUBJECTS)
        self.target("delivery_id", codes.DELIVERY_SUBJECTS)
        v.optional_text(self.summary, "subject.summary", max_length=v.LONG)
        self.publication()

    def publication(self) -> None:
        """A practice's publishing decision lists the figures it publishes (the record's
        own fields always) and its audience (DESIGN §8); no other decision names them."""
        if self.action != "publish_practice":
            for name in ("publishes", "audience"):
                if getattr(self, name) is not None:
                    raise InvalidInputError(f"subject.{name}", f"{self.action} names no {name}")
            return
        object.__setattr__(self, "publishes", practice_terms.figures(self.publishes or []))
        audience = "signed_in" if self.audience is None else self.audience
        v.choice(audience, "subject.audience", practice_terms.AUDIENCES)
        object.__setattr__(self, "audience", audience)

    def target(self, name: str, actions: tuple[str, ...]) -> None:
        """An id the action names (required), or None when the action names no such thing."""
        value = getattr(self, name)
        if self.action in actions:
            object.__setattr__(self, name, v.identifier(value, f"subject.{name}"))
        elif value is not None:
            raise InvalidInputError(f"subject.{name}", f"{self.action} names no {name[:-3]}")

    def data(self) -> SubjectData:
        """As `DecisionRecorded` stores it (a settlement adds its commitment and delivery)."""
        data = SubjectData(
            action=self.action, organisation=self.organisation_id, summary=self.summary
        )
        if self.commitment_id is not None and self.delivery_id is not None:
            data["commitment"] = self.commitment_id
            data["delivery"] = self.delivery_id
        if self.publishes is not None and self.audience is not None:
            data["publishes"] = list(self.publishes)
            data["audience"] = self.audience
        return data


def votes_of(value: object) -> dict[str, str]:
    if not isinstance(value, dict) or not value or len(value) > MAX_VOTES:
        raise InvalidInputError(
            "votes", f"must map 1 to {MAX_VOTES} member organisation ids to for/against/abstain"
        )
    checked = {
        v.identifier(o, "votes"): v.choice(b, f"votes.{o}", codes.VOTES) for o, b in value.items()
    }
    if len(checked) != len(value):
        raise InvalidInputError("votes", "names an organisation twice")
    return checked


def conflicts_of(value: object, votes: dict[str, str]) -> tuple[str, ...]:
    """Members declaring a conflict of interest on the decision: they neither vote nor count
    as present (DESIGN §2 invariant 4; Reg. (EU) 2021/1060 art. 33(3)(b))."""
    if value is None:
        return ()
    if not isinstance(value, list | tuple) or len(value) > MAX_VOTES:
        raise InvalidInputError(
            "conflicts", f"must list at most {MAX_VOTES} member organisation ids"
        )
    checked = tuple(sorted({v.identifier(o, "conflicts") for o in value}))
    if len(checked) != len(value):
        raise InvalidInputError("conflicts", "names an organisation twice")
    voting = sorted(set(checked) & set(votes))
    if voting:
        raise InvalidInputError(
            "conflicts", f"a member declaring a conflict of interest does not vote: {voting[0]}"
        )
    return checked


@dataclass(frozen=True)
class RecordDecision(OnPartnership):
    """Record a meeting's decision with votes by member; quorum and rule decide if it passed."""

    NAME = "record_decision"
    partnership_id: str
    body: str
    subject: DecisionSubject
    votes: dict[str, str]
    conflicts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.check_partnership()
        v.text(self.body, "body")
        if not isinstance(self.subject, DecisionSubject):  # from a body: a plain object
            data = v.mapping(self.subject, "subject", SUBJECT_FIELDS, ("action",))
            self.normalise("subject", DecisionSubject(**data))
        self.normalise("votes", votes_of(self.votes))
        self.normalise("conflicts", conflicts_of(self.conflicts, self.votes))


@dataclass(frozen=True)
class ApplyDecision(OnPartnership):
    """Suspend, resume, start moving on, conclude or terminate under a passed decision."""

    NAME = "apply_decision"
    partnership_id: str
    action: str
    decision_id: str

    def command_name(self) -> str:
        return self.action

    def __post_init__(self) -> None:
        self.check_partnership()
        v.choice(self.action, "action", tuple(TRANSITIONS))
        self.normalise("decision_id", v.identifier(self.decision_id, "decision_id"))


@dataclass(frozen=True)
class AdmitMember(InviteMember):
    """After entry into force, invite a member under a passed admission decision."""

    NAME = "admit_member"
    decision_id: str = field(kw_only=True)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.normalise("decision_id", v.identifier(self.decision_id, "decision_id"))


@dataclass(frozen=True)
class NotifyBreach(OnPartnership):
    """A partnership broker or the lead notifies a member of a breach, with a remedy period."""

    NAME = "notify_breach"
    partnership_id: str
    organisation_id: str
    remedy_days: int

    def __post_init__(self) -> None:
        self.check_partnership()
        self.normalise("organisation_id", v.identifier(self.organisation_id, "organisation_id"))
        v.integer(self.remedy_days, "remedy_days", maximum=MAX_REMEDY_DAYS)


@dataclass(frozen=True)
class DecideMember(OnPartnership):
    """Declare a member defaulting, remedied, or remove it, under a passed decision."""

    NAME = "decide_member"
    partnership_id: str
    action: str
    organisation_id: str
    decision_id: str

    def command_name(self) -> str:
        return self.action

    def __post_init__(self) -> None:
        self.check_partnership()
        v.choice(self.action, "action", tuple(MEMBER_DECISIONS))
        self.normalise("organisation_id", v.identifier(self.organisation_id, "organisation_id"))
        self.normalise("decision_id", v.identifier(self.decision_id, "decision_id"))


@dataclass(frozen=True)
class SetMilestone(OnPartnership):
    """Add a milestone, or update the one `milestone_id` names."""

    NAME = "set_milestone"
    partnership_id: str
    title: str
    due_date: str
    status: str = "planned"
    milestone_id: str | None = None

    def __post_init__(self) -> None:
        self.check_partnership()
        v.text(self.title, "title")
        v.iso_date(self.due_date, "due_date")
        v.choice(self.status, "status", codes.MILESTONE_STATUSES)
        if self.milestone_id is not None:
            self.normalise("milestone_id", v.identifier(self.milestone_id, "milestone_id"))


@dataclass(frozen=True)
class SetIndicator(OnPartnership):
    """Add an output, outcome or impact indicator with baseline and target, or update one."""

    NAME = "set_indicator"
    partnership_id: str
    kind: str
    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    indicator_id: str | None = None

    def __post_init__(self) -> None:
        self.check_partnership()
        v.choice(self.kind, "kind", codes.INDICATOR_KINDS)
        v.text(self.name, "name")
        v.text(self.unit, "unit", max_length=50)
        self.normalise("baseline", v.decimal(self.baseline, "baseline"))
        self.normalise("target", v.decimal(self.target, "target"))
        if self.indicator_id is not None:
            self.normalise("indicator_id", v.identifier(self.indicator_id, "indicator_id"))


@dataclass(frozen=True)
class ReportResult(OnPartnership):
    """Report the actual value of an indicator as of a date."""

    NAME = "report_result"
    partnership_id: str
    indicator_id: str
    actual: Decimal
    as_of: str

    def __post_init__(self) -> None:
        self.check_partnership()
        self.normalise("indicator_id", v.identifier(self.indicator_id, "indicator_id"))
        self.normalise("actual", v.decimal(self.actual, "actual"))
        v.iso_date(self.as_of, "as_of")
