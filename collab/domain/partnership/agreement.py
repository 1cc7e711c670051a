"""Agreement versions, signatures, entry into force and amendments (invariants 1, 2)."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import event

from collab.domain.envelope import Acting, Envelope
from collab.domain.errors import ForbiddenError, RuleViolationError
from collab.domain.partnership.core import IN_FORCE
from collab.domain.partnership.members import PartnershipMembers


class PartnershipAgreement(PartnershipMembers):
    """Texts are immutable once drafted; only hashes are signed."""

    def next_version_number(self) -> int:
        return len(self.versions) + 1

    def required_signatories(self) -> list[str]:
        """Active signatory members that count: acceded ones only, after entry into force."""
        return sorted(
            o
            for o, m in self.active_members().items()
            if m["signatory"] and not m["needs_accession"]
        )

    def check_signatory(self, acting: Acting) -> dict[str, Any]:
        m = self.check_active_member(acting)
        if not m["signatory"]:
            raise ForbiddenError("the member is not a signatory")
        return m

    # -- drafting and opening ------------------------------------------------------------

    def draft_version(
        self, terms: dict[str, Any], text_hash: str, acting: Acting, meta: Envelope
    ) -> None:
        self.check_steward(acting)
        # Re-drafting while awaiting signatures reopens negotiation: the open hash is dropped.
        self.check_status("scoping", "negotiating", "awaiting_signatures")
        self.check_next(terms)
        self._version_drafted(terms, text_hash, meta)

    def check_next(self, terms: dict[str, Any]) -> None:
        if terms["version"] != self.next_version_number():
            raise RuleViolationError("the terms name a version number that is not the next one")
        if terms["partnership_id"] != str(self.id):
            raise RuleViolationError("the terms name another partnership")

    @event("VersionDrafted")
    def _version_drafted(self, terms: dict[str, Any], text_hash: str, meta: Envelope) -> None:
        number = terms["version"]
        self.versions[str(number)] = {
            "terms": terms,
            "hash": text_hash,
            "status": "draft",
            "base": None,
        }
        if self.pending is not None:  # re-drafting abandons the text open for signature
            self.versions[str(self.pending)]["status"] = "abandoned"
        self.pending = None
        self.status = "negotiating"

    def open_for_signature(self, number: int, acting: Acting, meta: Envelope) -> None:
        self.check_steward(acting)
        self.check_status("negotiating")
        version = self.versions.get(str(number))
        if version is None or version["status"] != "draft":
            raise RuleViolationError("only a drafted version can be opened for signature")
        if number != len(self.versions):
            raise RuleViolationError("only the latest drafted version can be opened for signature")
        if len(self.active_members()) < 2:
            raise RuleViolationError("a partnership needs at least two active members to sign")
        if not self.required_signatories():
            raise RuleViolationError("no active member is a signatory")
        self.check_balance()
        self._opened_for_signature(number, meta)

    @event("VersionOpenedForSignature")
    def _opened_for_signature(self, number: int, meta: Envelope) -> None:
        self.versions[str(number)]["status"] = "open"
        self.pending = number
        self.status = "awaiting_signatures"

    # -- signing -------------------------------------------------------------------------

    def sign(self, text_hash: str, acting: Acting, meta: Envelope) -> bool:
        """Sign a hash; returns True when this signature brought a text into force."""
        m = self.check_signatory(acting)
        org = m["organisation"]
        if m["needs_accession"]:
            self.check_status(*IN_FORCE, "suspended")
            target = self.in_force_version()
            if target is None or target["hash"] != text_hash:
                raise RuleViolationError("an acceding member signs the hash of the text in force")
        else:
            self.check_status("awaiting_signatures", "in_modification")
            target = self.versions[str(self.pending)]
            if target["hash"] != text_hash:
                raise RuleViolationError(
                    "the hash signed is not the hash of the text open for signature"
                )
        if org in self.signatures.get(text_hash, {}):
            raise RuleViolationError("the organisation has already signed this text")
        if (
            not m["needs_accession"]
            and self.would_complete(org)
            and self.status == "awaiting_signatures"
        ):
            self.check_balance()
        self._signed(text_hash, org, meta)
        return self.complete_if_signed(meta)

    def would_complete(self, extra_signer: str) -> bool:
        signed = set(self.signatures.get(self.versions[str(self.pending)]["hash"], {})) | {
            extra_signer
        }
        return set(self.required_signatories()) <= signed

    @event("AgreementSigned")
    def _signed(self, text_hash: str, org_id: str, meta: Envelope) -> None:
        self.signatures.setdefault(text_hash, {})[org_id] = {
            "actor": meta["actor"],
            "mandate": meta["mandate"],
            "signed_at": meta["recorded_at"],
        }
        m = self.members[org_id]
        current = self.in_force_version()
        if m["needs_accession"] and current is not None and current["hash"] == text_hash:
            m["needs_accession"] = False

    def complete_if_signed(self, meta: Envelope) -> bool:
        """Invariant 1: a text enters into force once every required signatory signed its hash."""
        if self.pending is None or self.status not in ("awaiting_signatures", "in_modification"):
            return False
        text_hash = self.versions[str(self.pending)]["hash"]
        required = set(self.required_signatories())
        if not required or not required <= set(self.signatures.get(text_hash, {})):
            return False
        if self.status == "awaiting_signatures":
            try:
                self.check_balance()
            except RuleViolationError:
                return False  # a withdrawal is never refused; entry waits for balance
        self._entered_into_force(self.pending, text_hash, sorted(required), meta)
        return True

    @event("AgreementEnteredIntoForce")
    def _entered_into_force(
        self, number: int, text_hash: str, signatories: list[str], meta: Envelope
    ) -> None:
        if self.in_force is not None:
            self.versions[str(self.in_force)]["status"] = "superseded"
        self.versions[str(number)]["status"] = "in_force"
        self.in_force = number
        self.pending = None
        self.status = "active"

    # -- amendments ----------------------------------------------------------------------

    def check_proposer(self, acting: Acting) -> None:
        """An amendment is proposed by a partnership broker, the lead or any signatory."""
        if not (self.is_partnership_broker(acting) or self.is_lead(acting)):
            self.check_signatory(acting)

    def propose_amendment(
        self, base: int, terms: dict[str, Any], text_hash: str, acting: Acting, meta: Envelope
    ) -> None:
        self.check_proposer(acting)
        self.check_status("active")
        if base != self.in_force:
            raise RuleViolationError(
                "the amendment's base version is no longer the version in force"
            )
        self.check_next(terms)
        self._amendment_proposed(base, terms, text_hash, meta)

    @event("AmendmentProposed")
    def _amendment_proposed(
        self, base: int, terms: dict[str, Any], text_hash: str, meta: Envelope
    ) -> None:
        number = terms["version"]
        self.versions[str(number)] = {
            "terms": terms,
            "hash": text_hash,
            "status": "open",
            "base": base,
        }
        self.pending = number
        self.status = "in_modification"

    def reject_amendment(self, acting: Acting, meta: Envelope) -> None:
        self.check_signatory(acting)
        self.check_status("in_modification")
        assert self.pending is not None  # in_modification always has a pending version
        self._amendment_rejected(self.pending, meta)

    @event("AmendmentRejected")
    def _amendment_rejected(self, number: int, meta: Envelope) -> None:
        self.versions[str(number)]["status"] = "rejected"
        self.pending = None
        self.status = "active"
