"""Use cases on agreement texts: draft, open, sign, amend, reject."""

from __future__ import annotations

from typing import Any

from collab.commands import Command, Outcome
from collab.domain import terms
from collab.domain import values as v
from collab.use_cases.partnerships import PartnershipUseCases


class AgreementUseCases(PartnershipUseCases):
    """Partners sign hashes; the service computes them the way partners can recompute them."""

    def draft_version(self, cmd: Command, partnership_id: Any, *, terms_: Any) -> Outcome:
        """Draft the next agreement version; its text hash is computed from the terms object."""

        def act(attempt: Any, p: Any, acting: Any, meta: Any) -> dict[str, Any]:
            number = p.next_version_number()
            checked = terms.agreement_terms(terms_, str(p.id), number)
            text_hash = terms.terms_hash(checked)
            p.draft_version(checked, text_hash, acting, meta)
            return {"agreement_version": number, "text_hash": text_hash}

        return self.step("draft_version", cmd, partnership_id, {"terms": terms_}, act)

    def open_for_signature(
        self, cmd: Command, partnership_id: Any, *, agreement_version: Any
    ) -> Outcome:
        """Fix the latest draft for signature (CLLD balance checked here)."""
        number = v.integer(agreement_version, "agreement_version", minimum=1)
        return self.step(
            "open_for_signature",
            cmd,
            partnership_id,
            {"version": number},
            lambda a, p, acting, meta: p.open_for_signature(number, acting, meta),
        )

    def sign_agreement(self, cmd: Command, partnership_id: Any, *, text_hash: Any) -> Outcome:
        """A signatory member signs the exact hash; the last signature brings it into force."""
        digest = v.text_hash(text_hash)

        def act(attempt: Any, p: Any, acting: Any, meta: Any) -> dict[str, Any]:
            entered = p.sign(digest, acting, meta)
            return {"text_hash": digest, "entered_into_force": entered, "status": p.status}

        return self.step("sign_agreement", cmd, partnership_id, {"hash": digest}, act)

    def propose_amendment(
        self, cmd: Command, partnership_id: Any, *, base_version: Any, terms_: Any
    ) -> Outcome:
        """Propose new terms on the version in force; every active signatory must sign them."""
        base = v.integer(base_version, "base_version", minimum=1)

        def act(attempt: Any, p: Any, acting: Any, meta: Any) -> dict[str, Any]:
            number = p.next_version_number()
            checked = terms.agreement_terms(terms_, str(p.id), number)
            text_hash = terms.terms_hash(checked)
            p.propose_amendment(base, checked, text_hash, acting, meta)
            return {"agreement_version": number, "text_hash": text_hash}

        return self.step(
            "propose_amendment", cmd, partnership_id, {"base": base, "terms": terms_}, act
        )

    def reject_amendment(self, cmd: Command, partnership_id: Any) -> Outcome:
        """Any active signatory rejects the pending amendment; the version in force stays."""
        return self.step(
            "reject_amendment",
            cmd,
            partnership_id,
            {},
            lambda a, p, acting, meta: p.reject_amendment(acting, meta),
        )
