"""What a partnership's state is made of: small frozen values, replaced, never mutated.

Events carry plain data (their stored form never changes); each value is built from that
data by `of(...)`, which also reads the state of snapshots taken before the values existed
(`Partnership.upcast_v1_v2`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any, NotRequired, TypedDict

from collab.domain.partnership_rules import STANDING, balance_group
from collab.domain.terms import Territory

# -- what events carry (their stored form: plain data, never changed) ----------------------


class MembershipData(TypedDict):
    """The terms an organisation is invited or admitted on, as `MemberInvited` stores them."""

    organisation: str
    roles: list[str]
    weight: int
    interest_group: str
    signatory: bool
    sector: str


class SubjectData(TypedDict):
    """What a decision is about, as `DecisionRecorded` stores it (a settlement of a
    delivery adds the commitment and delivery it names)."""

    action: str
    organisation: str | None
    summary: str | None
    commitment: NotRequired[str]
    delivery: NotRequired[str]
    publishes: NotRequired[list[str]]  # a practice's publishing: the figures it publishes
    audience: NotRequired[str]  # and who reads it (DESIGN §8)


class MilestoneData(TypedDict):
    milestone_id: str
    title: str
    due_date: str
    status: str


class IndicatorData(TypedDict):
    indicator_id: str
    kind: str
    name: str
    unit: str
    baseline: Decimal
    target: Decimal


Terms = dict[str, Any]  # an agreement's terms: JSON data, hashed as RFC 8785
Record = dict[str, Any]  # a value's fields, or a plain record of an older snapshot

# -- the values ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """An organisation's membership: its terms and where it stands."""

    organisation: str
    roles: tuple[str, ...]
    weight: int
    interest_group: str
    signatory: bool
    sector: str
    status: str = "invited"
    admitted_by: str | None = None
    needs_accession: bool = False
    remedy_until: str | None = None  # a breach notified: the end of its remedy period
    remedy_ended: bool = False  # the due-date processor recorded that period's end
    exit_date: str | None = None
    exit_version: int | None = None  # the partnership's version at the exit event

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", tuple(self.roles))

    @property
    def balance_group(self) -> str:
        """The group it counts in for the CLLD balance (`partnership_rules.balance_group`)."""
        return balance_group(self.sector, self.interest_group)

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Member:  # a MembershipData, or a lead's record
        """From an event's membership (or an older snapshot's record)."""
        breach = data.get("breach")
        return cls(
            organisation=data["organisation"],
            roles=tuple(data["roles"]),
            weight=data["weight"],
            interest_group=data["interest_group"],
            signatory=data["signatory"],
            sector=data["sector"],
            status=data.get("status", "invited"),
            admitted_by=data.get("admitted_by"),
            needs_accession=data.get("needs_accession", False),
            remedy_until=data.get("remedy_until") or (breach or {}).get("remedy_until"),
            remedy_ended=data.get("remedy_ended", False),
            exit_date=data.get("exit_date"),
            exit_version=data.get("exit_version"),
        )

    @property
    def standing(self) -> bool:
        return self.status in STANDING

    def data(self) -> MembershipData:
        """The terms it was invited on."""
        return MembershipData(
            organisation=self.organisation,
            roles=list(self.roles),
            weight=self.weight,
            interest_group=self.interest_group,
            signatory=self.signatory,
            sector=self.sector,
        )


@dataclass(frozen=True)
class AgreementVersion:
    """One text: its terms (the object whose hash is signed), hash and status."""

    number: int
    terms: Terms
    hash: str
    status: str
    base: int | None = None


@dataclass(frozen=True)
class Signature:
    actor: str
    mandate: str | None
    signed_at: str


@dataclass(frozen=True)
class Decision:
    """A recorded decision: its subject, the body that took it, whether it passed, and
    whether a transition has used it."""

    action: str
    organisation: str | None
    summary: str | None
    body: str
    passed: bool
    used: bool = False
    commitment: str | None = None  # a settlement's commitment and delivery
    delivery: str | None = None
    conflicts: tuple[str, ...] = ()  # members that declared a conflict of interest
    recorded_at: str | None = None  # when it was recorded (None: a snapshot older than it)
    publishes: tuple[str, ...] = ()  # a practice's publishing: the figures it publishes
    audience: str | None = None  # and who reads the practice

    def __post_init__(self) -> None:
        object.__setattr__(self, "conflicts", tuple(self.conflicts))
        object.__setattr__(self, "publishes", tuple(self.publishes))


@dataclass(frozen=True)
class Milestone:
    milestone_id: str
    title: str
    due_date: str
    status: str


@dataclass(frozen=True)
class Indicator:
    """An indicator and what its reports leave in the aggregate: a constant size, however
    many periods are reported (the series itself lives in the read model). `actual` and
    `actual_as_of` are the latest report's figure (as corrected) and measurement date."""

    indicator_id: str
    kind: str
    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    actual: Decimal | None = None
    actual_as_of: str | None = None
    reported_until: str | None = None  # the end of the latest period reported
    latest_report: int | None = None  # that report's number (its event's stream version)


@dataclass(frozen=True)
class Relation:
    """A link to another partnership (replicates, scales, succeeds, replicated_by)."""

    partnership: str
    relation: str
    territory: Territory | None = None


@dataclass(frozen=True)
class Pledged:
    """The partnership's marker of a commitment pledged in it (invariant 5)."""

    organisation: str
    confirmed: bool = False


def record(value: Any) -> Record:
    """A value's fields, as the read side and snapshots keep them."""
    return {f.name: getattr(value, f.name) for f in fields(value)}


def values_of(data: Mapping[str, Any], cls: type[Any]) -> Any:
    """A value from a plain record with exactly its fields."""
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


VALUES = (Member, AgreementVersion, Signature, Decision, Milestone, Indicator, Relation, Pledged)
