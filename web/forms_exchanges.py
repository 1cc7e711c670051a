"""Forms on another partnership's practice (DESIGN §8): adopt or adapt it, ask its
partnership a question; and, for the practice's partnership, answer or decline one.

The person chooses which of its partnerships adopts or asks: those where it may act as
the command requires (a steward to adopt, any member in standing to ask), other than the
practice's own. Each form runs the API's schema and command through `web.forms.handle`;
the command checks the partnership again (a foreign one is the API's 404).
`practice_actions` and `exchange_actions` tell the practice page what the person may do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import g
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import Connection

from api import authority
from api import practice_access as access
from api.schemas import practices as s
from api.seen import read, viewer
from api.views import at_cut
from collab.domain import practice_terms as pt
from collab.domain import values as v
from collab.domain.errors import ForbiddenError, NotFoundError
from collab.domain.partnership import CLOSED, Partnership
from collab.practices.commands import AdoptPractice, AnswerExchange, AskPractice, DeclineExchange
from projections.queries import list_partnerships
from projections.tables import Tables
from web import practice_reads as reads
from web.forms import acting_for, handle
from web.forms_agreement import identities, passes, recorded
from web.forms_practices import owner_actions
from web.frame import pages, views_reached
from web.labels import label

blp = pages("forms_exchanges")
Rule = Callable[[Partnership, Any], object]
CANDIDATES = 200  # the partnerships a person's choice is made from


def mine(rule: Rule, besides: str) -> list[tuple[str, str]]:
    """The open partnerships, other than `besides`, where the person may act by `rule`,
    as (id, title), by title (none for an admin or an auditor)."""
    actor = g.get("actor")
    if actor is None or actor.role not in ("partner", "broker"):
        return []
    cache: dict[tuple[Any, str], list[tuple[str, str]]] = g.setdefault("practice_choices", {})
    if (rule, besides) not in cache:
        who = viewer()

        def ask(conn: Connection, t: Tables) -> list[dict[str, Any]]:
            return list_partnerships(conn, t, who, at_cut, limit=CANDIDATES)

        found = []
        for row in read(ask):
            if row["partnership_id"] == besides or row["status"] in CLOSED:
                continue
            p = recorded(row["partnership_id"])
            if passes(p, identities(p), rule):
                found.append((str(p.id), str(row["title"])))
        cache[rule, besides] = sorted(found, key=lambda pair: pair[1].casefold())
    return cache[rule, besides]


def other_side(practice_id: str, rule: Rule) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The practice (readable, live) and the person's partnerships that may act on it
    (none: 403, as the API's command would answer)."""
    views_reached()
    view = reads.practice(v.identifier(practice_id, "practice_id"))
    if view is None:
        raise NotFoundError(f"no practice {practice_id}")
    choices = mine(rule, view["partnership_id"])
    if rule is authority.steward:  # a partnership adopts a practice once
        taken = adopters(reads.lineage(str(view["practice_id"])), str(view["practice_id"]))
        choices = [(pid, title) for pid, title in choices if pid not in taken]
    if not choices:
        raise ForbiddenError("not allowed")
    return view, choices


@blp.route("/practices/<practice_id>/adopt", methods=["GET", "POST"])
def adopt(practice_id: str) -> ResponseReturnValue:
    """A steward of another partnership records that it adopts or adapts the practice."""
    view, choices = other_side(practice_id, authority.steward)
    prid = str(view["practice_id"])
    return handle(
        "practice_adopt.html",
        s.AdoptPractice(),
        lambda a: AdoptPractice(practice_id=prid, **a),
        lambda o: f"/practices/{prid}#adoption-{o.text('adoption_id')}",
        filled={"partnership_id": choices[0][0]} if len(choices) == 1 else {},
        view=view,
        partnerships=choices,
        relations=[(c, label(c, "adoption")) for c in pt.ADOPTIONS],
        kinds=[(c, label(c, "territory_kind")) for c in pt.TERRITORY_KINDS],
        acting=acting_for(),
    )


@blp.route("/practices/<practice_id>/ask", methods=["GET", "POST"])
def ask_question(practice_id: str) -> ResponseReturnValue:
    """A member of another partnership asks the practice's partnership a question."""
    view, choices = other_side(practice_id, authority.reporter)
    prid = str(view["practice_id"])
    return handle(
        "practice_ask.html",
        s.AskPractice(),
        lambda a: AskPractice(practice_id=prid, **a),
        lambda o: f"/practices/{prid}#exchange-{o.text('exchange_id')}",
        filled={"partnership_id": choices[0][0]} if len(choices) == 1 else {},
        view=view,
        partnerships=choices,
        acting=acting_for(),
    )


def answering(exchange_id: str) -> dict[str, Any]:
    """The exchange, where the person sees it (else 404), and may answer for the
    practice's partnership (else 403): the API's checks."""
    views_reached()
    eid = v.identifier(exchange_id, "exchange_id")
    access.answering(exchange_id=eid)
    return access.seen_exchange(eid)


@blp.route("/exchanges/<exchange_id>/answer", methods=["GET", "POST"])
def answer(exchange_id: str) -> ResponseReturnValue:
    found = answering(exchange_id)
    eid, prid = str(found["exchange_id"]), str(found["practice_id"])
    return handle(
        "exchange_answer.html",
        s.AnswerExchange(),
        lambda a: AnswerExchange(eid, **a),
        lambda o: f"/practices/{prid}#exchange-{eid}",
        exchange=found,
        declining=False,
        acting=acting_for(found["owner"]),
    )


@blp.route("/exchanges/<exchange_id>/decline", methods=["GET", "POST"])
def decline(exchange_id: str) -> ResponseReturnValue:
    found = answering(exchange_id)
    eid, prid = str(found["exchange_id"]), str(found["practice_id"])
    return handle(
        "exchange_answer.html",
        s.DeclineExchange(),
        lambda a: DeclineExchange(eid),
        lambda o: f"/practices/{prid}#exchange-{eid}",
        exchange=found,
        declining=True,
        acting=acting_for(found["owner"]),
    )


def adopters(lineage: Mapping[str, Any], practice_id: str) -> set[str]:
    """The partnerships that recorded adopting this practice (once each)."""
    return {str(a["adopter"]) for a in lineage["adoptions"] if a["practice_id"] == practice_id}


@blp.app_template_global()
def practice_actions(view: Mapping[str, Any], lineage: Mapping[str, Any]) -> list[tuple[str, str]]:
    """For a practice's page: what the signed-in person may do about it now."""
    actor = g.get("actor")
    if g.get("person") is None or actor is None or actor.role not in ("partner", "broker"):
        return []
    found = owner_actions(view)
    if view["status"] != "published" or view["number"] != view["current"]:
        return found
    base, owner = f"/practices/{view['practice_id']}", view["partnership_id"]
    taken = adopters(lineage, str(view["practice_id"]))
    if any(pid not in taken for pid, _title in mine(authority.steward, owner)):
        found.append((f"{base}/adopt", _("Adopt or adapt this practice")))
    if mine(authority.reporter, owner):
        found.append((f"{base}/ask", _("Ask its partnership a question")))
    return found


@blp.app_template_global()
def exchange_actions(view: Mapping[str, Any], exchange: Mapping[str, Any]) -> list[tuple[str, str]]:
    """For an exchange awaiting an answer: answer or decline, for the practice's side."""
    actor = g.get("actor")
    if actor is None or actor.role not in ("partner", "broker") or exchange["status"] != "asked":
        return []
    p = recorded(str(exchange["owner"]))
    if not passes(p, identities(p), authority.reporter):
        return []
    base = f"/exchanges/{exchange['exchange_id']}"
    return [(f"{base}/answer", _("Answer")), (f"{base}/decline", _("Decline"))]
