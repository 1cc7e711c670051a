"""Forms after confirmation (invariant 6): a revision of a commitment's quantity or period
proposed by its member and agreed or declined by its recipient (for the pool, the lead),
and a disputed delivery or correction settled by a partnership decision that a partnership
broker or the lead applies.

As web/forms_commitments.py: the API route's authority check first, then its schema and
command through `web.forms.handle`; success lands at the commitment on the partnership's
page. A correction of a confirmed delivery and the recipient's answer to it use that
module's correct and answer pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import g
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from api import authority
from api.schemas import commitments as s
from api.schemas.common import CommandBody
from api.service import service
from collab.commitments.commands import (
    AgreeRevision,
    DeclineRevision,
    ProposeRevision,
    SettleDelivery,
)
from collab.domain import values as v
from collab.domain.errors import NotFoundError
from web.forms import handle
from web.forms_commitments import COMMITMENT, DELIVERY, at, concerned, delivery_of
from web.frame import pages
from web.labels import label

blp = pages("forms_corrections")


@blp.route(f"{COMMITMENT}/revise", methods=["GET", "POST"])
def propose_revision(commitment_id: str) -> ResponseReturnValue:
    """The committing member proposes a revision (the API's POST …/revisions)."""
    shown = concerned(commitment_id, authority.committer)
    cid = shown["commitment"]["commitment_id"]
    return handle(
        "commitment_revise.html",
        s.ProposeRevision(),
        lambda a: ProposeRevision(commitment_id=cid, **a),
        at(shown["commitment"]),
        **shown,
    )


def answer(commitment_id: str, revision_id: str, kind: type[AgreeRevision]) -> ResponseReturnValue:
    """One page, two routes: the revision agreed, or declined."""
    shown = concerned(commitment_id, authority.confirmer)
    cid, revision = shown["commitment"]["commitment_id"], shown["commitment"]["revision"]
    rid = v.identifier(revision_id, "revision_id")
    if revision is None or revision["revision_id"] != rid:
        raise NotFoundError(f"no revision {rid}")
    return handle(
        "revision_answer.html",
        CommandBody(),
        lambda a: kind(cid, revision_id=rid),
        at(shown["commitment"]),
        revision=revision,
        **shown,
    )


@blp.route(f"{COMMITMENT}/revisions/<revision_id>/agree", methods=["GET", "POST"])
def agree_revision(commitment_id: str, revision_id: str) -> ResponseReturnValue:
    """The recipient agrees to a revision (the API's POST …/agree)."""
    return answer(commitment_id, revision_id, AgreeRevision)


@blp.route(f"{COMMITMENT}/revisions/<revision_id>/decline", methods=["GET", "POST"])
def decline_revision(commitment_id: str, revision_id: str) -> ResponseReturnValue:
    """The recipient declines a revision (the API's POST …/decline)."""
    return answer(commitment_id, revision_id, DeclineRevision)


def settlements(partnership_id: str, cid: str, did: str) -> list[tuple[str, str]]:
    """The partnership's passed, unused decisions about this delivery, as choices."""
    p = service().app.get_partnership(g.actor, partnership_id)
    return [
        (decision_id, f"{label(d.action, 'decision')} — {d.body}")
        for decision_id, d in sorted(p.decisions.items())
        if d.passed and not d.used and (d.commitment, d.delivery) == (cid, did)
    ]


@blp.route(f"{DELIVERY}/settle", methods=["GET", "POST"])
def settle_delivery(commitment_id: str, delivery_id: str) -> ResponseReturnValue:
    """A steward applies a decision settling a disputed delivery (the API's POST …/settle)."""
    shown = concerned(commitment_id, authority.settler)
    c: Mapping[str, Any] = shown["commitment"]
    delivery = delivery_of(shown, delivery_id)
    cid, did = c["commitment_id"], delivery["delivery_id"]
    return handle(
        "delivery_settle.html",
        s.SettleDelivery(),
        lambda a: SettleDelivery(cid, delivery_id=did, **a),
        at(c),
        delivery=delivery,
        decisions=settlements(c["partnership_id"], cid, did),
        actions=[
            ("accept_delivery", _("Accept: it counts as stated")),
            ("reject_delivery", _("Reject: it does not count as stated")),
        ],
        **shown,
    )
