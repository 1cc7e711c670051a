"""Authority before the body (DESIGN §3 statuses).

Authentication runs first (api/auth.py). Then, from the path and the credential alone,
whether the caller may do this kind of operation on this target at all: 404 when it
cannot see the target, 403 when it sees it but no identity it may take passes the
domain's own authority check (an auditor writing, a member doing a lead's act). Only
then is the body parsed (422), and then the command checks what depends on the body (the
organisation named in `on_behalf_of`, the state of the world: 409). So a caller without
authority learns nothing from a malformed body, and a refusal records nothing.

Each route names its check with `@before_body(...)`, placed between `@blp.route` and
`@blp.arguments`. The checks call the same domain methods the commands call; no rule is
restated here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from api import seen
from api.auth import current_actor
from api.service import service
from collab import access
from collab.access import authorised
from collab.actors.handlers import check_admin
from collab.domain import values as v
from collab.domain.commitment import Commitment
from collab.domain.envelope import Acting
from collab.domain.organisation import Organisation
from collab.domain.partnership import Partnership
from collab.organisations.handlers import check_deactivator, check_registrar
from collab.partnerships.handlers import check_initiator
from collab.tx import Tx

Check = Callable[..., None]  # called with the route's path arguments
V = TypeVar("V", bound=Callable[..., Any])


def before_body(check: Check) -> Callable[[V], V]:
    """Run `check` on the path's ids before flask-smorest parses the body or query."""

    def decorate(view: V) -> V:
        @wraps(view)  # keeps flask-smorest's documentation attributes
        def gated(*args: Any, **path: Any) -> Any:
            check(**path)
            return view(*args, **path)

        return gated  # type: ignore[return-value]

    return decorate


def reading() -> Tx:
    return service().app.reader(current_actor())


# -- targets ---------------------------------------------------------------------------


def partnership(rule: Callable[[Partnership, Acting], object]) -> Check:
    """A partnership in the path: 404 unless visible (the views first: the same work for
    every id the caller does not see), then the rule's authority."""

    def check(partnership_id: str, **_: str) -> None:
        pid = v.identifier(partnership_id, "partnership_id")
        seen.window_on(pid, fresh=True)
        app, tx = service().app, reading()
        # Visible on the views, current (seen.current); the command asks the aggregates again
        p = app.get(Partnership, pid, "partnership")
        authorised(access.candidates(tx, p.members, str(p.id)), lambda a: rule(p, a))

    return check


def commitment(rule: Callable[[Commitment, Partnership, Acting], object]) -> Check:
    """A commitment in the path: 404 unless in the caller's window, then the rule."""

    def check(commitment_id: str, **_: str) -> None:
        cid = v.identifier(commitment_id, "commitment_id")
        seen.commitment_window(cid, fresh=True)
        app, tx = service().app, reading()
        # Visible on the views, current (seen.current); the command asks the aggregates again
        c = app.get(Commitment, cid, "commitment")
        p = app.get(Partnership, c.partnership_id, "partnership")
        authorised(access.candidates(tx, p.members, str(p.id)), lambda a: rule(c, p, a))

    return check


def seen_commitment(commitment_id: str, **_: str) -> None:
    """A read of a commitment in the path: 404 unless in the caller's window."""
    seen.views_reached()
    seen.commitment_window(v.identifier(commitment_id, "commitment_id"), fresh=True)
    # (the read itself asks the aggregates again: Collab.get_commitment)


def organisation(rule: Callable[[Organisation, Acting], object]) -> Check:
    """An organisation in the path (the register is public: 404 only when unknown)."""

    def check(organisation_id: str, **_: str) -> None:
        app, tx = service().app, reading()
        org = app.get_organisation(organisation_id)
        authorised(access.candidates(tx, [str(org.id)], None), lambda a: rule(org, a))

    return check


def mandate(organisation_id: str, mandate_id: str, **_: str) -> None:
    """A mandate in the path: 404 unless the caller may see it, then its organisation's
    partner manages it."""
    app, tx = service().app, reading()
    org = app.get_organisation(organisation_id)
    access.check_mandate_visible(tx, org, str(mandate_id))
    authorised(access.candidates(tx, [str(org.id)], None), org.check_own_partner)


def actor(*, admin: bool) -> Check:
    """An actor in the path: its own records, or an admin's (404 otherwise); `admin`: the
    operation is an admin's only (403 for the actor itself)."""

    def check(actor_id: str, **_: str) -> None:
        app, caller = service().app, current_actor()
        access.check_actor_visible(caller, actor_id)
        app.get_binding(actor_id)
        if admin:
            check_admin(caller)

    return check


def link_issuer(actor_id: str, **_: str) -> None:
    """A sign-in link for the actor in the path: `access.check_link_issuer` (404 for an
    actor the caller does not see, 403 for one it sees but may not issue for)."""
    svc = service()
    access.check_link_issuer(svc.app, current_actor(), svc.app.get_binding(actor_id))


def caller(rule: Callable[[Acting], object]) -> Check:
    """No target in the path: the rule's authority over the caller in its own right."""

    def check(**_: str) -> None:
        authorised(access.candidates(reading(), (), None), rule)

    return check


# -- the rules routes name: the domain's own checks --------------------------------------

steward = Partnership.check_steward
invited = Partnership.check_invited_self
member = Partnership.check_active_member
signatory = Partnership.check_signatory
proposer = Partnership.check_proposer
reporter = Partnership.check_reporter


def committer(c: Commitment, p: Partnership, acting: Acting) -> None:
    c.check_committer(acting)
    p.check_active_member(acting)


def confirmer(c: Commitment, p: Partnership, acting: Acting) -> None:
    """The recipient (for the pool, the lead; for the lead's own, a partnership broker)."""
    broker = acting.as_broker and p.is_partnership_broker(acting)
    c.check_confirmer(acting, p.lead_organisation(), broker)
    if not broker:
        p.check_active_member(acting)


def lapser(c: Commitment, p: Partnership, acting: Acting) -> None:
    p.check_steward(acting)


settler = lapser  # a decision settling a delivery is applied by a steward, as a lapse is


def amender(org: Organisation, acting: Acting) -> None:
    """Correcting and reclassifying an organisation (DESIGN §3)."""
    org.check_amender(acting)


def deactivator(org: Organisation, acting: Acting) -> None:
    check_deactivator(acting.actor)


def mandator(org: Organisation, acting: Acting) -> None:
    org.check_own_partner(acting)


def registrar(acting: Acting) -> None:
    check_registrar(acting.actor)


def initiator(acting: Acting) -> None:
    check_initiator(acting)


def admin(acting: Acting) -> None:
    check_admin(acting.actor)
