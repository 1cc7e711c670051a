"""Commands that change who holds what in a partnership once it is under way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from collab.domain import codes
from collab.domain import values as v
from collab.domain.errors import InvalidInputError
from collab.partnerships.commands import OnPartnership

TERMS = ("roles", "weight", "interest_group", "signatory")


@dataclass(frozen=True)
class ChangeMembership(OnPartnership):
    """New terms for a member in standing under a passed `change_membership` decision:
    only the terms given change (weight, roles — "lead" hands the lead over —, interest
    group, signatory)."""

    NAME = "change_membership"
    partnership_id: str
    organisation_id: str
    decision_id: str
    roles: list[str] | None = None
    weight: int | None = None
    interest_group: str | None = None
    signatory: bool | None = None

    def __post_init__(self) -> None:
        self.check_partnership()
        self.normalise("organisation_id", v.identifier(self.organisation_id, "organisation_id"))
        self.normalise("decision_id", v.identifier(self.decision_id, "decision_id"))
        if self.roles is not None:
            self.normalise("roles", v.choices(self.roles, "roles", codes.ROLES))
        if self.weight is not None:
            v.integer(self.weight, "weight")
        if self.interest_group is not None:
            v.choice(self.interest_group, "interest_group", codes.INTEREST_GROUPS)
        if self.signatory is not None and not isinstance(self.signatory, bool):
            raise InvalidInputError("signatory", "must be true or false")
        if not self.changes():
            raise InvalidInputError("roles", "give at least one term to change")

    def changes(self) -> dict[str, Any]:
        """The terms given, as `MembershipChanged` stores them."""
        return {k: getattr(self, k) for k in TERMS if getattr(self, k) is not None}


@dataclass(frozen=True)
class UnassignBroker(OnPartnership):
    """A partnership broker leaves the partnership (by a steward, or itself)."""

    NAME = "unassign_broker"
    partnership_id: str
    broker_id: str

    def __post_init__(self) -> None:
        self.check_partnership()
        self.normalise("broker_id", v.identifier(self.broker_id, "broker_id"))
