"""Forms: pledge, confirm, report, confirm, dispute and correct deliveries (a confirmed one
too: the recipient confirms the correction); withdraw. Revisions and settlements: in
web/forms_corrections.py.

Each page is a route of api/commitments.py as a form: the route's own authority check
first (a person who may not act gets the API's 404 or 403 page; an auditor never sees a
form), then the route's schema and command through `web.forms.handle`. A page shows the
commitment (and the delivery) it acts on; success goes back to the partnership's page at
that commitment. `commitment_actions` tells the partnership page which of these forms the
signed-in person may use now, read from the page's own view.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import g
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from api import authority
from api.commitments import as_body
from api.schemas import commitments as s
from api.schemas.common import CommandBody
from api.service import service
from collab.commands import Outcome
from collab.commitments.commands import (
    ConfirmCommitment,
    ConfirmDelivery,
    CorrectDelivery,
    DisputeDelivery,
    Pledge,
    ReportDelivery,
    WithdrawCommitment,
)
from collab.domain import codes
from collab.domain import values as v
from collab.domain.commitment import Commitment
from collab.domain.commitment_rules import DELIVERING, REVISABLE
from collab.domain.errors import NotFoundError
from collab.domain.partnership import Partnership
from collab.domain.partnership_rules import IN_FORCE, PRE_FORCE, STANDING
from web.forms import acting_for, handle
from web.frame import pages, views_reached
from web.i18n import day, number
from web.labels import label
from web.labels import labels as code_labels
from web.names import names_for

blp = pages("forms_commitments")

COMMITMENT = "/commitments/<commitment_id>"
DELIVERY = f"{COMMITMENT}/deliveries/<delivery_id>"
PLEDGING = (*PRE_FORCE, *IN_FORCE, "suspended")  # Partnership.note_pledge's statuses
Rule = Callable[[Commitment, Partnership, Any], object]


def labels() -> dict[str, dict[str, str]]:
    """The codes these pages show, in the reader's language (web/labels.py's words)."""
    table = code_labels()
    return {
        "kinds": capitalised(table["contribution_type"]),
        "methods": capitalised(table["valuation_method"]),
        "statuses": table["commitment_status"],
        "deliveries": table["delivery_status"],
        "units": table["unit"],  # a currency is shown as recorded
    }


def capitalised(words: Mapping[str, str]) -> dict[str, str]:
    """Labels as a select shows them, each with a capital."""
    return {code: text[:1].upper() + text[1:] for code, text in words.items()}


def at(commitment: Mapping[str, Any]) -> Callable[[Outcome], str]:
    """Where a form on this commitment leads: the partnership's page, at the commitment."""
    pid, cid = commitment["partnership_id"], commitment["commitment_id"]
    return lambda _outcome: f"/partnerships/{pid}#commitment-{cid}"


def concerned(commitment_id: str, rule: Rule) -> dict[str, Any]:
    """The API route's authority check on the commitment, then what its page shows."""
    views_reached()
    cid = v.identifier(commitment_id, "commitment_id")
    authority.commitment(rule)(commitment_id=cid)
    app = service().app
    c = app.get_commitment(g.actor, cid)
    title = app.get_partnership(g.actor, c.partnership_id).title
    names = names_for([c.organisation_id, c.recipient])
    return {
        "commitment": as_body(c),
        "title": title,
        "names": names.organisations,
        "labels": labels(),
        "acting": acting_for(c.partnership_id),
    }


def delivery_of(shown: Mapping[str, Any], delivery_id: str) -> dict[str, Any]:
    """The delivery in the path, from the commitment shown (404 when it has none such)."""
    did = v.identifier(delivery_id, "delivery_id")
    for d in shown["commitment"]["deliveries"]:
        if d["delivery_id"] == did:
            return dict(d)
    raise NotFoundError(f"no delivery {did}")


# -- a pledge ------------------------------------------------------------------------


def recipients(p: Partnership) -> list[tuple[str, str]]:
    """The pool, then the member organisations a pledge may go to, by name."""
    own = g.actor.organisation_id if g.actor.role == "partner" else None
    ids = [o for o, m in p.members.items() if m.status in ("active", "invited") and o != own]
    names = names_for(ids).organisations
    members = sorted(((o, names.get(o, o)) for o in ids), key=lambda x: x[1].casefold())
    return [("pool", _("The pool (the partnership as a whole)")), *members]


@blp.route("/partnerships/<partnership_id>/pledge", methods=["GET", "POST"])
def pledge(partnership_id: str) -> ResponseReturnValue:
    """A member pledges a contribution (the API's POST …/commitments)."""
    views_reached()
    pid = v.identifier(partnership_id, "partnership_id")
    authority.partnership(authority.member)(partnership_id=pid)
    p = service().app.get_partnership(g.actor, pid)
    words = labels()
    return handle(
        "pledge.html",
        s.Pledge(),
        lambda a: Pledge(partnership_id=pid, **a),
        lambda o: f"/partnerships/{pid}#commitment-{o.text('commitment_id')}",
        partnership_id=pid,
        title=p.title,
        acting=acting_for(pid),
        kinds=list(words["kinds"].items()),
        methods=list(words["methods"].items()),
        recipients=recipients(p),
        units=[*codes.NON_CASH_UNITS, "EUR"],
    )


# -- the committing member: confirm, report, correct, withdraw ----------------------------


@blp.route(f"{COMMITMENT}/confirm", methods=["GET", "POST"])
def confirm(commitment_id: str) -> ResponseReturnValue:
    """The committing member confirms its pledge (the API's POST …/confirm)."""
    shown = concerned(commitment_id, authority.committer)
    cid = shown["commitment"]["commitment_id"]
    return handle(
        "commitment_confirm.html",
        CommandBody(),
        lambda a: ConfirmCommitment(commitment_id=cid),
        at(shown["commitment"]),
        **shown,
    )


@blp.route(f"{COMMITMENT}/deliveries/new", methods=["GET", "POST"])
def report_delivery(commitment_id: str) -> ResponseReturnValue:
    """The committing member reports a delivery (the API's POST …/deliveries)."""
    shown = concerned(commitment_id, authority.committer)
    cid = shown["commitment"]["commitment_id"]
    return handle(
        "delivery_new.html",
        s.ReportDelivery(),
        lambda a: ReportDelivery(commitment_id=cid, **a),
        at(shown["commitment"]),
        **shown,
    )


@blp.route(f"{DELIVERY}/correct", methods=["GET", "POST"])
def correct_delivery(commitment_id: str, delivery_id: str) -> ResponseReturnValue:
    """The committing member corrects a delivery (the API's POST …/corrections)."""
    shown = concerned(commitment_id, authority.committer)
    cid, delivery = shown["commitment"]["commitment_id"], delivery_of(shown, delivery_id)
    did = delivery["delivery_id"]
    return handle(
        "delivery_correct.html",
        s.CorrectDelivery(),
        lambda a: CorrectDelivery(cid, delivery_id=did, **a),
        at(shown["commitment"]),
        delivery=delivery,
        **shown,
    )


@blp.route(f"{COMMITMENT}/withdraw", methods=["GET", "POST"])
def withdraw(commitment_id: str) -> ResponseReturnValue:
    """The committing member withdraws its commitment (the API's POST …/withdraw)."""
    shown = concerned(commitment_id, authority.committer)
    cid = shown["commitment"]["commitment_id"]
    return handle(
        "commitment_withdraw.html",
        CommandBody(),
        lambda a: WithdrawCommitment(commitment_id=cid),
        at(shown["commitment"]),
        **shown,
    )


# -- the recipient (for the pool, the lead): confirm or dispute ---------------------------


def answer(
    commitment_id: str, delivery_id: str, kind: type[ConfirmDelivery]
) -> ResponseReturnValue:
    """One page, two forms' routes: the delivery confirmed, or disputed with a reason (the
    reason is the envelope's, as the API's dispute takes it)."""
    shown = concerned(commitment_id, authority.confirmer)
    cid, delivery = shown["commitment"]["commitment_id"], delivery_of(shown, delivery_id)
    did = delivery["delivery_id"]
    return handle(
        "delivery_answer.html",
        CommandBody(),
        lambda a: kind(cid, did),
        at(shown["commitment"]),
        delivery=delivery,
        answering=kind.NAME,
        **shown,
    )


@blp.route(f"{DELIVERY}/confirm", methods=["GET", "POST"])
def confirm_delivery(commitment_id: str, delivery_id: str) -> ResponseReturnValue:
    """The recipient confirms a delivery: it counts (the API's POST …/confirm)."""
    return answer(commitment_id, delivery_id, ConfirmDelivery)


@blp.route(f"{DELIVERY}/dispute", methods=["GET", "POST"])
def dispute_delivery(commitment_id: str, delivery_id: str) -> ResponseReturnValue:
    """The recipient disputes a delivery, saying why (the API's POST …/dispute)."""
    return answer(commitment_id, delivery_id, DisputeDelivery)


# -- the partnership page's links ---------------------------------------------------------


@dataclass(frozen=True)
class Link:
    href: str
    text: str


@dataclass(frozen=True)
class Item:
    """One commitment the person may act on now: whose, what, and the forms' links."""

    organisation_id: str
    what: str
    links: tuple[Link, ...]


def mine(view: Mapping[str, Any]) -> set[str]:
    """The member organisations in standing the signed-in person acts for here."""
    actor = g.actor
    if actor.role == "partner":
        acts = {actor.organisation_id}
    elif actor.role == "broker":
        acts = {org for org, _name in acting_for(view["partnership_id"])}
    else:
        return set()
    standing = {m["organisation_id"] for m in view["members"] if m["status"] in STANDING}
    return acts & standing


def delivery_links(c: Mapping[str, Any], own: bool, answers: bool, settles: bool) -> list[Link]:
    """Per delivery: the recipient answers a report or a correction; the committer corrects
    a disputed delivery or a confirmed one; a steward settles a dispute by decision."""
    base, found = f"/commitments/{c['commitment_id']}/deliveries", []
    for d in c.get("deliveries", []):
        unit, there = label(c["unit"], "unit"), f"{base}/{d['delivery_id']}"
        said = {"quantity": number(d["quantity"]), "unit": unit, "day": day(d["delivered_on"])}
        fix = d.get("correction") or {}
        if answers and d["status"] == "reported":
            text = _("Confirm or dispute the delivery of %(quantity)s %(unit)s (%(day)s)", **said)
            found.append(Link(f"{there}/confirm", text))
        if answers and fix.get("status") == "proposed":
            text = _(
                "Confirm or dispute the correction of the delivery of %(quantity)s %(unit)s "
                "(%(day)s) to %(corrected)s",
                corrected=number(fix["quantity"]),
                **said,
            )
            found.append(Link(f"{there}/confirm", text))
        if own and d["status"] == "disputed":
            text = _("Correct the disputed delivery of %(quantity)s %(unit)s (%(day)s)", **said)
            found.append(Link(f"{there}/correct", text))
        if own and d["status"] == "confirmed":
            text = _("Correct or reverse the delivery of %(quantity)s %(unit)s (%(day)s)", **said)
            found.append(Link(f"{there}/correct", text))
        if settles and (d["status"] == "disputed" or fix.get("status") == "disputed"):
            text = _("Settle by decision the dispute on %(quantity)s %(unit)s (%(day)s)", **said)
            found.append(Link(f"{there}/settle", text))
    return found


def revision_links(c: Mapping[str, Any], own: bool, answers: bool) -> list[Link]:
    """The committer proposes a revision; the recipient answers the one proposed."""
    base, revision = f"/commitments/{c['commitment_id']}", c.get("revision")
    if revision and answers:
        path = f"{base}/revisions/{revision['revision_id']}/agree"
        return [Link(path, _("Agree to or decline the proposed revision"))]
    if own and not revision and c["status"] in REVISABLE:
        return [Link(f"{base}/revise", _("Propose a revision of the quantity or period"))]
    return []


def links_of(view: Mapping[str, Any], c: Mapping[str, Any], acts: set[str]) -> list[Link]:
    """What the person may do about one commitment now, as links to the forms."""
    base, status = f"/commitments/{c['commitment_id']}", c["status"]
    own = c["organisation_id"] in acts
    confirmer = view.get("lead_organisation") if c["recipient"] == "pool" else c["recipient"]
    if confirmer == c["organisation_id"]:  # the lead's own to the pool: a broker answers
        answers = g.actor.role == "broker" and g.actor.id in view.get("brokers", [])
    else:
        answers = confirmer in acts
    delivering = status in DELIVERING
    found = []
    if own and status == "pledged" and view["status"] in IN_FORCE:
        found.append(Link(f"{base}/confirm", _("Confirm the pledge")))
    if own and status in ("confirmed", "in_delivery"):
        found.append(Link(f"{base}/deliveries/new", _("Report a delivery")))
    if delivering:
        found += delivery_links(c, own, answers, steward(view, acts))
    found += revision_links(c, own, answers)
    if own and status in ("pledged", "confirmed", "in_delivery"):
        found.append(Link(f"{base}/withdraw", _("Withdraw")))
    return found


def steward(view: Mapping[str, Any], acts: set[str]) -> bool:
    """A partnership broker in its own right, or the lead (or a broker under its mandate):
    who applies the partnership's decisions."""
    actor = g.actor
    own_right = actor.role == "broker" and actor.id in view.get("brokers", [])
    return own_right or view.get("lead_organisation") in acts


@blp.app_template_global()
def commitment_actions(view: Mapping[str, Any]) -> tuple[str | None, list[Item]]:
    """For the partnership page: the pledge form's address (where the person may pledge)
    and the commitments it may act on now, each with its links."""
    acts = mine(view)
    if not (acts or steward(view, acts)) or view.get("status") not in PLEDGING:
        return None, []
    items = []
    for m in view["members"]:
        for c in m["commitments"]:
            links = links_of(view, c, acts)
            what = _(
                "%(quantity)s %(unit)s of %(kind)s",
                quantity=number(c["quantity"]),
                unit=label(c["unit"], "unit"),
                kind=label(c["contribution_type"], "contribution_type"),
            )
            if links:
                items.append(Item(c["organisation_id"], what, tuple(links)))
    pledging = f"/partnerships/{view['partnership_id']}/pledge" if acts else None
    return pledging, items
