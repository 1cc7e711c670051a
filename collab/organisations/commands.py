"""Commands on the organisation register; each checks its fields when built."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from collab.commands import Command
from collab.domain import codes, terms
from collab.domain import values as v
from collab.domain.terms import Territory

CHANGEABLE = ("legal_name", "territory", "identifiers")


@dataclass(frozen=True)
class RegisterOrganisation(Command):
    """Register an organisation; each identifier may belong to one organisation only."""

    NAME = "register_organisation"
    identifiers: list[dict[str, str]]
    legal_name: str
    org_type: int
    sector: str
    territory: Territory

    def __post_init__(self) -> None:
        self.normalise("identifiers", terms.identifiers(self.identifiers))
        v.text(self.legal_name, "legal_name")
        v.choice(self.org_type, "org_type", codes.ORG_TYPES)
        terms.sector(self.org_type, self.sector)
        self.normalise("territory", terms.territory(self.territory))


@dataclass(frozen=True)
class CorrectOrganisation(Command):
    """Correct legal name, territory or identifiers, naming the corrected event."""

    NAME = "correct_organisation"
    organisation_id: str
    changes: dict[str, Any]
    corrects_version: int | None = None

    def __post_init__(self) -> None:
        self.normalise("organisation_id", v.identifier(self.organisation_id, "organisation_id"))
        data = v.mapping(self.changes, "changes", CHANGEABLE, ())
        checked: dict[str, Any] = {}
        if "legal_name" in data:
            checked["legal_name"] = v.text(data["legal_name"], "changes.legal_name")
        if "territory" in data:
            checked["territory"] = dict(terms.territory(data["territory"], "changes.territory"))
        if "identifiers" in data:
            checked["identifiers"] = terms.identifiers(data["identifiers"], "changes.identifiers")
        self.normalise("changes", checked)
        if self.corrects_version is not None:
            v.integer(self.corrects_version, "corrects_version", minimum=1)


@dataclass(frozen=True)
class ClassifyOrganisation(Command):
    """Change an organisation's IATI type and sector (brokers, admins)."""

    NAME = "classify_organisation"
    organisation_id: str
    org_type: int
    sector: str

    def __post_init__(self) -> None:
        self.normalise("organisation_id", v.identifier(self.organisation_id, "organisation_id"))
        v.choice(self.org_type, "org_type", codes.ORG_TYPES)
        terms.sector(self.org_type, self.sector)


@dataclass(frozen=True)
class DeactivateOrganisation(Command):
    """Deactivate an organisation (admins): it can no longer be invited or grant mandates."""

    NAME = "deactivate_organisation"
    organisation_id: str

    def __post_init__(self) -> None:
        self.normalise("organisation_id", v.identifier(self.organisation_id, "organisation_id"))


@dataclass(frozen=True)
class GrantMandate(Command):
    """A partner of the organisation lets a broker act for it (one partnership or all)."""

    NAME = "grant_mandate"
    organisation_id: str
    broker_id: str
    partnership_id: str | None = None
    until: str | None = None

    def __post_init__(self) -> None:
        self.normalise("organisation_id", v.identifier(self.organisation_id, "organisation_id"))
        self.normalise("broker_id", v.identifier(self.broker_id, "broker_id"))
        if self.partnership_id is not None:
            self.normalise("partnership_id", v.identifier(self.partnership_id, "partnership_id"))
        v.optional_date(self.until, "until")


@dataclass(frozen=True)
class RevokeMandate(Command):
    """Revoke a mandate: the broker can no longer act for the organisation under it."""

    NAME = "revoke_mandate"
    organisation_id: str
    mandate_id: str

    def __post_init__(self) -> None:
        self.normalise("organisation_id", v.identifier(self.organisation_id, "organisation_id"))
        self.normalise("mandate_id", v.identifier(self.mandate_id, "mandate_id"))
