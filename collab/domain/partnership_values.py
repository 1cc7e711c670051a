"""What a partnership's state is made of: small frozen values, replaced, never mutated.

Events carry plain data (their stored form never changes); each value is built from that
data by `of(...)`, which also reads the state of snapshots taken before the values existed
(`Partnership.upcast_v1_v2`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from typing import Any, TypedDict

from collab.domain.partnership_rules import STANDING
from collab.domain.terms import Period, Territory

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
    """What a decision is about, as `DecisionRecorded` stores it."""

    action: str
    organisation: str | None
    summary: str | None


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
    exit_date: str | None = None
    exit_version: int | None = None  # the partnership's version at the exit event

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", tuple(self.roles))

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


@dataclass(frozen=True)
class Milestone:
    milestone_id: str
    title: str
    due_date: str
    status: str


@dataclass(frozen=True)
class Report:
    """One figure reported for a period: kept, corrected by events naming it, never
    replaced by a later report."""

    report_id: str
    period_start: str
    period_end: str
    actual: Decimal
    as_of: str  # the date the figure was measured
    reported_in: int  # the partnership's version at its ResultReported event
    corrected: bool = False

    def overlaps(self, period: Period) -> bool:
        return self.period_start <= period["end"] and period["start"] <= self.period_end


@dataclass(frozen=True)
class Indicator:
    """An indicator and its series of reports; `actual` and `actual_as_of` are the latest
    period's current figure (what the indicator showed before periods existed)."""

    indicator_id: str
    kind: str
    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    actual: Decimal | None = None
    actual_as_of: str | None = None
    reports: tuple[Report, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "reports", tuple(self.reports))

    def report(self, report_id: str) -> Report | None:
        return next((r for r in self.reports if r.report_id == report_id), None)

    def with_report(self, report: Report) -> Indicator:
        """The series with `report` added, or put in place of the one with its id."""
        kept = [r for r in self.reports if r.report_id != report.report_id]
        series = tuple(sorted([*kept, report], key=lambda r: (r.period_start, r.period_end)))
        latest = max(series, key=lambda r: (r.period_end, r.period_start))
        return replace(self, reports=series, actual=latest.actual, actual_as_of=latest.as_of)


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


VALUES = (
    Member,
    AgreementVersion,
    Signature,
    Decision,
    Milestone,
    Indicator,
    Report,
    Relation,
    Pledged,
)
