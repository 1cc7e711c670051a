"""Use cases on organisations: register, correct, classify, deactivate, mandates, contacts."""

from __future__ import annotations

import uuid
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from collab import visibility
from collab.commands import Attempt, Command, Outcome
from collab.domain import codes, terms
from collab.domain import values as v
from collab.domain.envelope import Actor, rfc3339
from collab.domain.errors import ForbiddenError, NotFoundError, RuleViolationError
from collab.domain.organisation import IdentifierClaim, Organisation
from collab.domain.partnership import Partnership
from collab.stores.base import Contact
from collab.use_cases.base import CollabBase
from collab.visibility import Window


def check_registrar(actor: Actor, on_behalf_of: str | None = None) -> None:
    """Brokers and admins register and classify organisations, in their own right."""
    if actor.role not in ("admin", "broker") or on_behalf_of:
        raise ForbiddenError("organisations are registered by brokers and admins")


def check_deactivator(actor: Actor) -> None:
    if actor.role != "admin":
        raise ForbiddenError("only admins deactivate organisations")


def corrects(org: Organisation, version: object) -> dict[str, Any]:
    """Invariant 6: a correction names the event it corrects (default: the latest)."""
    number = org.version if version is None else v.integer(version, "corrects_version", minimum=1)
    if number > org.version:
        raise RuleViolationError("the corrected event does not exist")
    return {"stream": str(org.id), "version": number}


class OrganisationUseCases(CollabBase):
    """The organisation register: shared by every partnership."""

    def register_organisation(
        self,
        cmd: Command,
        *,
        identifiers: Any,
        legal_name: Any,
        org_type: Any,
        sector: Any,
        territory: Any,
    ) -> Outcome:
        """Register an organisation; each identifier may belong to one organisation only."""
        args = {
            "identifiers": identifiers,
            "legal_name": legal_name,
            "org_type": org_type,
            "sector": sector,
            "territory": territory,
        }
        ids = terms.identifiers(identifiers)
        name = v.text(legal_name, "legal_name", max_length=v.SHORT)
        kind = v.choice(org_type, "org_type", codes.ORG_TYPES)
        sect = v.choice(sector, "sector", codes.SECTORS)
        place = terms.territory(territory)

        def handle(attempt: Attempt) -> dict[str, Any]:
            check_registrar(attempt.cmd.actor, attempt.cmd.on_behalf_of)
            self.resolve_acting(attempt, None)
            org = Organisation(ids, name, kind, sect, dict(place), attempt.meta())
            attempt.stage(org, *self.claims(ids, str(org.id), attempt))
            return {"organisation_id": str(org.id), "version": org.version}

        return self.run("register_organisation", cmd, args, handle)

    def claims(
        self, identifiers: list[dict[str, str]], org_id: str, attempt: Attempt
    ) -> list[IdentifierClaim]:
        claims = []
        for ident in identifiers:
            claim_id = IdentifierClaim.create_id(ident["scheme"], ident["id"])
            try:
                self.small.get(claim_id)
            except AggregateNotFoundError:
                claims.append(IdentifierClaim(ident["scheme"], ident["id"], org_id, attempt.meta()))
                continue
            raise RuleViolationError(
                f"identifier {ident['scheme']}:{ident['id']} is already registered"
            )
        return claims

    def correct_organisation(
        self, cmd: Command, organisation_id: Any, *, changes: Any, corrects_version: Any = None
    ) -> Outcome:
        """Correct legal name, territory or identifiers, naming the corrected event."""
        allowed = ("legal_name", "territory", "identifiers")
        data = v.mapping(changes, "changes", allowed, ())
        checked: dict[str, Any] = {}
        if "legal_name" in data:
            checked["legal_name"] = v.text(data["legal_name"], "changes.legal_name")
        if "territory" in data:
            checked["territory"] = dict(terms.territory(data["territory"], "changes.territory"))
        if "identifiers" in data:
            checked["identifiers"] = terms.identifiers(data["identifiers"], "changes.identifiers")

        def handle(attempt: Attempt) -> dict[str, Any]:
            org = attempt.target(
                attempt.get(Organisation, v.identifier(organisation_id, "organisation_id"))
            )
            acting = self.resolve_acting(attempt, None)
            new_ids = [i for i in checked.get("identifiers", []) if i not in org.identifiers]
            org.correct(checked, corrects(org, corrects_version), acting, attempt.meta())
            attempt.stage(org, *self.claims(new_ids, str(org.id), attempt))
            return {"organisation_id": str(org.id), "version": org.version}

        return self.run(
            "correct_organisation",
            cmd,
            {"id": organisation_id, "changes": changes, "corrects": corrects_version},
            handle,
        )

    def classify_organisation(
        self, cmd: Command, organisation_id: Any, *, org_type: Any, sector: Any
    ) -> Outcome:
        """Change an organisation's IATI type and sector (brokers, admins)."""
        kind = v.choice(org_type, "org_type", codes.ORG_TYPES)
        sect = v.choice(sector, "sector", codes.SECTORS)

        def handle(attempt: Attempt) -> dict[str, Any]:
            org = attempt.target(
                attempt.get(Organisation, v.identifier(organisation_id, "organisation_id"))
            )
            check_registrar(attempt.cmd.actor, attempt.cmd.on_behalf_of)
            self.resolve_acting(attempt, None)
            org.classify(kind, sect, attempt.meta())
            attempt.stage(org)
            return {"organisation_id": str(org.id), "version": org.version}

        return self.run(
            "classify_organisation",
            cmd,
            {"id": organisation_id, "org_type": org_type, "sector": sector},
            handle,
        )

    def deactivate_organisation(self, cmd: Command, organisation_id: Any) -> Outcome:
        """Deactivate an organisation (admins): it can no longer be invited or grant mandates."""

        def handle(attempt: Attempt) -> dict[str, Any]:
            org = attempt.target(
                attempt.get(Organisation, v.identifier(organisation_id, "organisation_id"))
            )
            check_deactivator(attempt.cmd.actor)
            self.resolve_acting(attempt, None)
            org.deactivate(attempt.meta())
            attempt.stage(org)
            return {"organisation_id": str(org.id), "version": org.version}

        return self.run("deactivate_organisation", cmd, {"id": organisation_id}, handle)

    def grant_mandate(
        self,
        cmd: Command,
        organisation_id: Any,
        *,
        broker_id: Any,
        partnership_id: Any = None,
        until: Any = None,
    ) -> Outcome:
        """A partner of the organisation lets a broker act for it (one partnership or all)."""
        v.identifier(broker_id, "broker_id")
        scope = None if partnership_id is None else v.identifier(partnership_id, "partnership_id")
        expiry = v.optional_date(until, "until")

        def handle(attempt: Attempt) -> dict[str, Any]:
            org = attempt.target(
                attempt.get(Organisation, v.identifier(organisation_id, "organisation_id"))
            )
            acting = self.resolve_acting(attempt, scope)
            org.check_own_partner(acting)  # authority (403) before the scope's state (409)
            if scope is not None:
                self.check_mandate_scope(attempt, org, scope)
            broker = self.check_broker(attempt, broker_id, "broker_id")
            mandate_id = str(uuid.uuid4())
            org.grant_mandate(mandate_id, broker, scope, expiry, acting, attempt.meta())
            attempt.stage(org)
            return {
                "organisation_id": str(org.id),
                "mandate_id": mandate_id,
                "version": org.version,
            }

        args = {
            "id": organisation_id,
            "broker": broker_id,
            "partnership": partnership_id,
            "until": until,
        }
        return self.run("grant_mandate", cmd, args, handle)

    def revoke_mandate(self, cmd: Command, organisation_id: Any, mandate_id: Any) -> Outcome:
        """Revoke a mandate: the broker can no longer act for the organisation under it."""
        mid = v.identifier(mandate_id, "mandate_id")

        def handle(attempt: Attempt) -> dict[str, Any]:
            org = attempt.target(
                attempt.get(Organisation, v.identifier(organisation_id, "organisation_id"))
            )
            self.check_mandate_visible(attempt, org, mid)
            acting = self.resolve_acting(attempt, None)
            org.revoke_mandate(mid, acting, attempt.meta())
            attempt.stage(org)
            return {"organisation_id": str(org.id), "mandate_id": mid, "version": org.version}

        return self.run(
            "revoke_mandate", cmd, {"id": organisation_id, "mandate": mandate_id}, handle
        )

    def check_mandate_visible(self, attempt: Attempt, org: Organisation, mandate_id: str) -> None:
        """404 for a mandate the caller may not see (collab.visibility.sees_mandate)."""
        mandate = org.mandate(mandate_id)
        viewer = self.viewer(attempt.cmd.actor, attempt.now)

        def window_on(partnership_id: str) -> Window:
            return self.window(attempt.get(Partnership, partnership_id), attempt)

        if mandate is None or not visibility.sees_mandate(viewer, mandate, window_on):
            raise NotFoundError(f"no mandate {mandate_id}")

    def check_mandate_scope(self, attempt: Attempt, org: Organisation, partnership_id: str) -> None:
        """A mandate for one partnership: the organisation must stand in it (an invited,
        declined or departed organisation cannot open it through a broker)."""
        p = attempt.get(Partnership, partnership_id)
        self.check_visible(p, attempt)  # 404 for a partnership the granting partner cannot see
        org_id = str(org.id)
        standing = self.standing(p, org_id) if org_id in p.members else None
        if not visibility.may_scope_mandate(standing):
            raise RuleViolationError(
                "a mandate for a partnership is granted only while the organisation is "
                "invited to it or a member in standing"
            )

    # -- personal data: an erasable side table, never an event ---------------------------

    def check_contact_keeper(self, cmd: Command, organisation_id: Any) -> str:
        org_id = v.identifier(organisation_id, "organisation_id")
        try:
            self.repository.get(uuid.UUID(org_id))
        except AggregateNotFoundError:
            raise NotFoundError(f"no organisation {org_id}") from None
        if visibility.keeps_contacts(cmd.actor, org_id):
            return org_id
        raise ForbiddenError("contacts are kept by the organisation, brokers and admins")

    def set_contact(
        self,
        cmd: Command,
        organisation_id: Any,
        *,
        name: Any,
        email: Any,
        role: Any,
        contact_id: Any = None,
    ) -> Contact:
        """Record or update a representative's contact details (erasable, not in the log)."""
        org_id = self.check_contact_keeper(cmd, organisation_id)
        if contact_id is None:
            cid = str(uuid.uuid4())
        else:
            # Only this organisation's own contacts are updated: never another's by its id.
            cid = v.identifier(contact_id, "contact_id")
            if all(c.contact_id != cid for c in self.side.list_contacts(org_id)):
                raise NotFoundError(f"no contact {cid}")
        contact = Contact(
            contact_id=cid,
            organisation_id=org_id,
            name=v.text(name, "name"),
            email=v.text(email, "email", max_length=254),
            role=v.text(role, "role", max_length=100),
            updated_at=rfc3339(self.clock()),
        )
        self.side.put_contact(contact)
        return contact

    def erase_contact(self, cmd: Command, organisation_id: Any, contact_id: Any) -> bool:
        """Erase a representative's personal data; the event log stays complete."""
        org_id = self.check_contact_keeper(cmd, organisation_id)
        cid = v.identifier(contact_id, "contact_id")
        if all(c.contact_id != cid for c in self.side.list_contacts(org_id)):
            raise NotFoundError(f"no contact {cid}")
        return self.side.erase_contact(cid)
