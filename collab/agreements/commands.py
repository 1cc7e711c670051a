"""Commands on agreement texts. Partners sign hashes; terms are checked when the command is
built and hashed the way partners recompute them (DESIGN §2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from collab.domain import terms as t
from collab.domain import values as v
from collab.partnerships.commands import OnPartnership

PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def checked_terms(value: object) -> dict[str, Any]:
    """The terms a version will hold, less its identity (partnership and number), which
    the handler adds once it knows the number."""
    full = t.agreement_terms(value, PLACEHOLDER, 1)
    return {k: full[k] for k in full if k not in ("partnership_id", "version")}


def numbered(terms: dict[str, Any], partnership_id: str, number: int) -> dict[str, Any]:
    """The terms object whose hash partners sign: it names the partnership and the version
    (so a restored old text never revives old signatures)."""
    return {"partnership_id": partnership_id, "version": number, **terms}


@dataclass(frozen=True)
class DraftVersion(OnPartnership):
    """Draft the next agreement version; its text hash is computed from the terms."""

    NAME = "draft_version"
    partnership_id: str
    terms: dict[str, Any]

    def __post_init__(self) -> None:
        self.check_partnership()
        self.normalise("terms", checked_terms(self.terms))


@dataclass(frozen=True)
class OpenForSignature(OnPartnership):
    """Fix the latest draft for signature (CLLD balance checked here)."""

    NAME = "open_for_signature"
    partnership_id: str
    agreement_version: int

    def __post_init__(self) -> None:
        self.check_partnership()
        v.integer(self.agreement_version, "agreement_version", minimum=1)


@dataclass(frozen=True)
class SignAgreement(OnPartnership):
    """A signatory member signs the exact hash; the last signature brings it into force."""

    NAME = "sign_agreement"
    partnership_id: str
    text_hash: str

    def __post_init__(self) -> None:
        self.check_partnership()
        v.text_hash(self.text_hash)


@dataclass(frozen=True)
class ProposeAmendment(OnPartnership):
    """Propose new terms on the version in force; every active signatory must sign them."""

    NAME = "propose_amendment"
    partnership_id: str
    base_version: int
    terms: dict[str, Any]

    def __post_init__(self) -> None:
        self.check_partnership()
        v.integer(self.base_version, "base_version", minimum=1)
        self.normalise("terms", checked_terms(self.terms))


@dataclass(frozen=True)
class RejectAmendment(OnPartnership):
    """An active signatory rejects the pending amendment; the version in force stays."""

    NAME = "reject_amendment"
    partnership_id: str

    def __post_init__(self) -> None:
        self.check_partnership()
