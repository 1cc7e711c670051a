"""Commands that start partnerships and manage who is in them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from collab.commands import Command
from collab.domain import codes, terms
from collab.domain import values as v
from collab.domain.errors import InvalidInputError
from collab.domain.terms import Territory

DESCRIPTIVE = ("title", "need_statement", "territory", "classifications")


def described(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """The descriptive fields of a partnership (title, need, territory, ...), checked."""
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


class Describes(Command):
    """Title, need statement, territory and classifications of a new partnership."""

    title: str
    need_statement: str
    territory: Territory
    classifications: list[dict[str, str]] | None

    def check_description(self) -> None:
        data: dict[str, Any] = {"title": self.title, "need_statement": self.need_statement}
        data["territory"] = self.territory
        if self.classifications is not None:
            data["classifications"] = self.classifications
        for name, value in described(data).items():
            self.normalise(name, value)


class Joins(Command):
    """The terms on which an organisation is invited or admitted."""

    organisation_id: str
    roles: list[str]
    weight: int
    interest_group: str | None
    signatory: bool

    def check_membership(self) -> None:
        self.normalise("organisation_id", v.identifier(self.organisation_id, "organisation_id"))
        self.normalise("roles", v.choices(self.roles, "roles", codes.ROLES))
        v.integer(self.weight, "weight")
        if self.interest_group is not None:
            v.choice(self.interest_group, "interest_group", codes.INTEREST_GROUPS)
        if not isinstance(self.signatory, bool):
            raise InvalidInputError("signatory", "must be true or false")


class OnPartnership(Command):
    partnership_id: str

    def check_partnership(self) -> None:
        self.normalise("partnership_id", v.identifier(self.partnership_id, "partnership_id"))


@dataclass(frozen=True)
class LeadTerms:
    """The initiating organisation's membership; absent fields take the defaults."""

    weight: int = 1
    interest_group: str | None = None
    signatory: bool = True

    def __post_init__(self) -> None:
        v.integer(self.weight, "weight")
        if self.interest_group is not None:
            v.choice(self.interest_group, "interest_group", codes.INTEREST_GROUPS)
        if not isinstance(self.signatory, bool):
            raise InvalidInputError("signatory", "must be true or false")


@dataclass(frozen=True)
class InitiatePartnership(Describes):
    """Start a partnership: a broker's, or a community-led one whose organisation leads."""

    NAME = "initiate_partnership"
    title: str
    need_statement: str
    territory: Territory
    partnership_type: str
    classifications: list[dict[str, str]] | None = None
    lead: LeadTerms | None = None

    def __post_init__(self) -> None:
        self.check_description()
        v.choice(self.partnership_type, "partnership_type", codes.PARTNERSHIP_TYPES)
        if isinstance(self.lead, dict):  # from a body: a plain object
            data = v.mapping(self.lead, "lead", ("weight", "interest_group", "signatory"), ())
            self.normalise("lead", LeadTerms(**data))


@dataclass(frozen=True)
class AssignBroker(OnPartnership):
    """A partnership broker or the lead assigns another partnership broker."""

    NAME = "assign_broker"
    partnership_id: str
    broker_id: str

    def __post_init__(self) -> None:
        self.check_partnership()
        self.normalise("broker_id", v.identifier(self.broker_id, "broker_id"))


@dataclass(frozen=True)
class InviteMember(OnPartnership, Joins):
    """Invite an organisation before entry into force (after it, AdmitMember)."""

    NAME = "invite_member"
    partnership_id: str
    organisation_id: str
    roles: list[str]
    weight: int
    interest_group: str | None = None
    signatory: bool = True

    def __post_init__(self) -> None:
        self.check_partnership()
        self.check_membership()


@dataclass(frozen=True)
class JoinPartnership(OnPartnership):
    """The invited organisation accepts its invitation."""

    NAME = "join_partnership"
    partnership_id: str

    def __post_init__(self) -> None:
        self.check_partnership()


@dataclass(frozen=True)
class DeclineInvitation(JoinPartnership):
    """The invited organisation declines its invitation."""

    NAME = "decline_invitation"


@dataclass(frozen=True)
class WithdrawMembership(JoinPartnership):
    """The organisation gives notice per the exit rules: `leaving` until its exit date, when
    the due-date processor records its exit and releases its open commitments (at once if
    no notice is left to run)."""

    NAME = "withdraw_membership"


@dataclass(frozen=True)
class CancelPartnership(JoinPartnership):
    """Cancel a partnership before its agreement enters into force."""

    NAME = "cancel_partnership"


@dataclass(frozen=True)
class CorrectPartnership(OnPartnership):
    """Correct title, need, territory or classifications, naming the corrected event."""

    NAME = "correct_partnership"
    partnership_id: str
    changes: dict[str, Any]
    corrects_version: int | None = None

    def __post_init__(self) -> None:
        self.check_partnership()
        data = dict(v.mapping(self.changes, "changes", DESCRIPTIVE, ()))
        self.normalise("changes", described(data, "changes."))
        if self.corrects_version is not None:
            v.integer(self.corrects_version, "corrects_version", minimum=1)


@dataclass(frozen=True)
class RelatePartnerships(OnPartnership):
    """Record that this partnership replicates, scales or succeeds another."""

    NAME = "relate_partnerships"
    partnership_id: str
    other_id: str
    relation: str

    def __post_init__(self) -> None:
        self.check_partnership()
        self.normalise("other_id", v.identifier(self.other_id, "other_id"))
        v.choice(self.relation, "relation", codes.RELATIONS)


@dataclass(frozen=True)
class TransferPractice(OnPartnership, Describes):
    """While moving on, start a partnership in another territory that replicates this one."""

    NAME = "transfer_practice"
    partnership_id: str
    title: str
    need_statement: str
    territory: Territory
    partnership_type: str | None = None
    classifications: list[dict[str, str]] | None = None

    def __post_init__(self) -> None:
        self.check_partnership()
        self.check_description()
        if self.partnership_type is not None:
            v.choice(self.partnership_type, "partnership_type", codes.PARTNERSHIP_TYPES)
