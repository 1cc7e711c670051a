"""Authority and visibility on the write side, resolved from recorded events only (DESIGN §3).

`collab.visibility` decides who sees what; here are the facts it needs, gathered from the
aggregates, and who acts for whom: the caller itself, or (a broker) the organisation whose
live mandate it holds. The API's checks before the body (api/authority.py) and the
handlers ask the same functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from collab import visibility
from collab.domain import values as v
from collab.domain.actor import ALL, ActorBinding
from collab.domain.commitment import Commitment
from collab.domain.envelope import Acting, Actor
from collab.domain.errors import CollabError, ForbiddenError, NotFoundError, RuleViolationError
from collab.domain.organisation import Mandate, Organisation
from collab.domain.partnership import Partnership
from collab.stores.streams import position_of
from collab.visibility import Facts, Membership, Viewer, Window

if TYPE_CHECKING:
    from collab.application import Collab
    from collab.tx import Tx


def resolve_acting(tx: Tx, partnership_id: str | None) -> Acting:
    """The organisation the caller acts as, checking a broker's mandate for it."""
    ctx, actor = tx.ctx, tx.ctx.actor
    if actor.role == "partner":
        if ctx.on_behalf_of not in (None, actor.organisation_id):
            raise ForbiddenError("a partner acts only for its own organisation")
        return Acting(actor, actor.organisation_id)
    if actor.role == "broker" and ctx.on_behalf_of is not None:
        org = tx.get(Organisation, ctx.on_behalf_of)
        mandate = org.mandate_for(actor.id, partnership_id, tx.now.date().isoformat())
        if mandate is None:
            raise ForbiddenError("the broker holds no mandate from this organisation here")
        return Acting(actor, ctx.on_behalf_of, mandate)
    if ctx.on_behalf_of is not None:
        raise ForbiddenError("only brokers act on behalf of an organisation")
    return Acting(actor, None)


def candidates(tx: Tx, organisations: Iterable[str], partnership_id: str | None) -> list[Acting]:
    """Every identity the caller may act as here without a body: itself and, for a broker,
    each organisation whose live mandate it holds for this partnership (or, with none
    named, for all of the organisation's). What depends on the body is `resolve_acting`'s."""
    actor = tx.ctx.actor
    if actor.role == "partner":
        return [Acting(actor, actor.organisation_id)]
    found = [Acting(actor, None)]
    if actor.role == "broker":
        today = tx.now.date().isoformat()
        for org_id in organisations:
            mandate = tx.get(Organisation, org_id).mandate_for(actor.id, partnership_id, today)
            if mandate is not None:
                found.append(Acting(actor, org_id, mandate))
    return found


def viewer(app: Collab, actor: Actor, now: datetime) -> Viewer:
    """The caller for the visibility rule, with an auditor's grants as recorded."""
    grants = None
    if actor.role == "auditor":
        try:
            binding = app.get_binding(actor.id)
        except NotFoundError:
            return Viewer(actor, now.date().isoformat(), frozenset())
        held = binding.grants if binding.active else []
        grants = None if ALL in held else frozenset(held)
    return Viewer(actor, now.date().isoformat(), grants)


def standing(app: Collab, partnership: Partnership, org_id: str) -> Membership:
    """An organisation's membership as the rule reads it; a former member's exit placed in
    the log (the position of its exit event, found by stream and version)."""
    m = partnership.members[org_id]
    placed = m.exit_version
    exit = None if placed is None else position_of(app.recorder, partnership.id, placed)
    return Membership(m.status, exit)


def facts(tx: Tx, partnership: Partnership, who: Viewer) -> Facts:
    """What the rule needs, from the aggregates: the caller's organisation's membership, or
    a broker's mandates from the partnership's member organisations."""
    actor = who.actor
    members: dict[str, Membership] = {}
    mandates: list[Mandate] = []
    if actor.role == "partner" and actor.organisation_id in partnership.members:
        members[actor.organisation_id] = standing(tx.app, partnership, actor.organisation_id)
    if actor.role == "broker" and actor.id not in partnership.brokers:
        for org_id in partnership.members:
            given = tx.get(Organisation, org_id).mandates_of(actor.id)
            if given:
                mandates += given
                members[org_id] = standing(tx.app, partnership, org_id)
    return Facts(str(partnership.id), frozenset(partnership.brokers), members, tuple(mandates))


def window(tx: Tx, partnership: Partnership) -> Window:
    """The caller's window on the partnership (collab.visibility decides)."""
    who = viewer(tx.app, tx.ctx.actor, tx.now)
    return visibility.window(who, facts(tx, partnership, who))


def check_visible(tx: Tx, partnership: Partnership) -> Window:
    """404 unless the caller may see this partnership; its window otherwise."""
    win = window(tx, partnership)
    if not win.visible:
        raise NotFoundError(f"no partnership {partnership.id}")
    return win


def check_commitment_visible(app: Collab, commitment: Commitment, win: Window) -> None:
    """404 unless the commitment is in the caller's window on its partnership."""

    def existed_at(position: int) -> bool:
        created = position_of(app.recorder, commitment.id, 1)
        return created is not None and created <= position

    if not visibility.sees_commitment(win, existed_at):
        raise NotFoundError(f"no commitment {commitment.id}")


def check_actor_visible(actor: Actor, actor_id: str) -> None:
    """Actors see their own records; admins everyone's (DESIGN §3): others' are 404."""
    if not visibility.sees_actor(actor, actor_id):
        raise NotFoundError(f"no actor {actor_id}")


def check_link_issuer(app: Collab, issuer: Actor, target: ActorBinding) -> None:
    """Who may issue a sign-in link for an actor (DESIGN §3, §7): an admin for any actor, a
    broker for the partner actors of organisations it registered. Another actor the issuer
    does not see is a 404, as for every actor record; itself, or one it sees, a 403."""
    if issuer.role == "admin":
        return
    if issuer.role == "broker" and target.role == "partner" and target.organisation_id:
        registrar = app.get_organisation(target.organisation_id).registered_by
        if registrar == issuer.id:
            return
    check_actor_visible(issuer, str(target.id))
    raise ForbiddenError("only admins, and brokers for partners they registered, issue links")


def check_broker(tx: Tx, broker_id: str, field: str) -> str:
    """A referenced broker must be an enrolled, active broker actor (recorded events)."""
    refusal = RuleViolationError(f"{field}: no active broker has this id")
    try:  # an unknown id and another actor's get one answer (actor records are private)
        binding = tx.get(ActorBinding, v.identifier(broker_id, field))
    except NotFoundError:
        raise refusal from None
    if binding.role != "broker" or not binding.active:
        raise refusal
    return str(binding.id)


def sees_mandate(tx: Tx, mandate: Mandate) -> bool:
    """Whether the caller may see this mandate (collab.visibility.sees_mandate, on the
    aggregates' facts)."""
    who = viewer(tx.app, tx.ctx.actor, tx.now)

    def window_on(partnership_id: str) -> Window:
        return window(tx, tx.get(Partnership, partnership_id))

    return visibility.sees_mandate(who, mandate, window_on)


def check_mandate_visible(tx: Tx, org: Organisation, mandate_id: str) -> None:
    """404 for a mandate the caller may not see."""
    mandate = org.mandate(mandate_id)
    if mandate is None or not sees_mandate(tx, mandate):
        raise NotFoundError(f"no mandate {mandate_id}")


def check_mandate_scope(tx: Tx, org: Organisation, partnership_id: str) -> None:
    """A mandate for one partnership: the organisation must stand in it (an invited,
    declined or departed organisation cannot open it through a broker)."""
    p = tx.get(Partnership, partnership_id)
    check_visible(tx, p)  # 404 for a partnership the granting partner cannot see
    org_id = str(org.id)
    member = standing(tx.app, p, org_id) if org_id in p.members else None
    if not visibility.may_scope_mandate(member):
        raise RuleViolationError(
            "a mandate for a partnership is granted only while the organisation is "
            "invited to it or a member in standing"
        )


def authorised(actings: Sequence[Acting], rule: Callable[[Acting], object]) -> None:
    """Pass when some identity the caller may take passes the rule's authority (a refusal
    by state is the command's to give, after the body); else the first 403."""
    refusal: ForbiddenError | None = None
    for acting in actings:
        try:
            rule(acting)
        except ForbiddenError as e:
            refusal = refusal or e
            continue
        except CollabError:
            return
        return
    raise refusal or ForbiddenError("not allowed")


def check_amender(tx: Tx, org: Organisation) -> None:
    """403 unless the caller, itself or for the organisation under an organisation-wide
    mandate, may amend the organisation (`Organisation.check_amender`)."""
    authorised(candidates(tx, [str(org.id)], None), org.check_amender)
