"""Representatives' contact details: personal data in an erasable side table, never in an
event (DESIGN §3), so the log stays complete after erasure.

Who sees them is `collab.visibility.sees_contacts`, on the caller's ties to the
organisation: its live mandates, read here from the organisation itself, and its ties
through partnerships, gathered from the views by the caller of these functions; who keeps them
(adds, erases) must also have the authority to amend the organisation
(`Organisation.check_amender`, as the register's corrections).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import TYPE_CHECKING

from collab import access, visibility
from collab.domain import values as v
from collab.domain.envelope import Actor, rfc3339
from collab.domain.errors import ForbiddenError, NotFoundError
from collab.domain.organisation import Organisation
from collab.stores.base import Contact
from collab.visibility import Ties

if TYPE_CHECKING:
    from collab.application import Collab


def reader(app: Collab, actor: Actor, organisation_id: str, ties: Ties) -> Organisation:
    """The organisation (404 unknown) whose contacts the caller may see (403 otherwise:
    the register is public, so a real organisation may say so)."""
    org = app.get_organisation(organisation_id)
    today = app.clock().date().isoformat()
    held = any(m.in_force(today) for m in org.mandates_of(actor.id))
    if not visibility.sees_contacts(actor, str(org.id), replace(ties, mandated=held)):
        raise ForbiddenError(
            "contacts are seen by admins, the organisation and its fellow members, "
            "its mandated brokers and the brokers of its partnerships"
        )
    return org


def keeper(app: Collab, actor: Actor, organisation_id: str, ties: Ties) -> str:
    """As `reader`, and the caller may amend the organisation (403 otherwise)."""
    org = reader(app, actor, organisation_id, ties)
    access.check_amender(app.reader(actor), org)
    return str(org.id)


def own_contact(app: Collab, org_id: str, contact_id: str) -> str:
    """A contact of this organisation: never another's by its id (404)."""
    cid = v.identifier(contact_id, "contact_id")
    if all(c.contact_id != cid for c in app.side.list_contacts(org_id)):
        raise NotFoundError(f"no contact {cid}")
    return cid


def list_contacts(app: Collab, actor: Actor, organisation_id: str, ties: Ties) -> list[Contact]:
    org = reader(app, actor, organisation_id, ties)
    return app.side.list_contacts(str(org.id))


def set_contact(
    app: Collab,
    actor: Actor,
    organisation_id: str,
    ties: Ties,
    *,
    name: str,
    email: str,
    role: str,
    contact_id: str | None = None,
) -> Contact:
    """Record or update a representative's contact details (erasable, not in the log)."""
    org_id = keeper(app, actor, organisation_id, ties)
    cid = str(uuid.uuid4()) if contact_id is None else own_contact(app, org_id, contact_id)
    contact = Contact(
        contact_id=cid,
        organisation_id=org_id,
        name=v.text(name, "name"),
        email=v.text(email, "email", max_length=254),
        role=v.text(role, "role", max_length=100),
        updated_at=rfc3339(app.clock()),
    )
    app.side.put_contact(contact)
    return contact


def erase_contact(
    app: Collab, actor: Actor, organisation_id: str, contact_id: str, ties: Ties
) -> bool:
    """Erase a representative's personal data; the event log stays complete."""
    org_id = keeper(app, actor, organisation_id, ties)
    return app.side.erase_contact(own_contact(app, org_id, contact_id))
