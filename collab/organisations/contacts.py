"""Representatives' contact details: personal data in an erasable side table, never in an
event (DESIGN §3), so the log stays complete after erasure."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from collab import access
from collab.domain import values as v
from collab.domain.envelope import Actor, rfc3339
from collab.domain.errors import NotFoundError
from collab.domain.organisation import Organisation
from collab.stores.base import Contact

if TYPE_CHECKING:
    from collab.application import Collab


def keeper(app: Collab, actor: Actor, organisation_id: str) -> str:
    """The organisation (404 unknown) whose contacts the caller may keep (403 otherwise)."""
    org_id = v.identifier(organisation_id, "organisation_id")
    if not isinstance(app.load_or_none(uuid.UUID(org_id)), Organisation):
        raise NotFoundError(f"no organisation {org_id}")
    access.check_contact_keeper(actor, org_id)
    return org_id


def own_contact(app: Collab, org_id: str, contact_id: str) -> str:
    """A contact of this organisation: never another's by its id (404)."""
    cid = v.identifier(contact_id, "contact_id")
    if all(c.contact_id != cid for c in app.side.list_contacts(org_id)):
        raise NotFoundError(f"no contact {cid}")
    return cid


def set_contact(
    app: Collab,
    actor: Actor,
    organisation_id: str,
    *,
    name: str,
    email: str,
    role: str,
    contact_id: str | None = None,
) -> Contact:
    """Record or update a representative's contact details (erasable, not in the log)."""
    org_id = keeper(app, actor, organisation_id)
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


def erase_contact(app: Collab, actor: Actor, organisation_id: str, contact_id: str) -> bool:
    """Erase a representative's personal data; the event log stays complete."""
    org_id = keeper(app, actor, organisation_id)
    return app.side.erase_contact(own_contact(app, org_id, contact_id))
