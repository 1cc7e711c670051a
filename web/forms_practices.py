"""Forms publishing what a partnership learned (DESIGN §8): a practice published under a
passed decision of the partnership, a new version of it, and its withdrawal.

Each page is a route of the API as a form (`web.forms.handle`): the steward's authority on
the partnership first (the API's 404 or 403), then the API's schema and the same command.
The practice's lists come from plain inputs (web/practice_inputs.py).
`practice_publishing` tells the partnership page which of them the person may use now.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import g, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import Connection

from api import authority
from api.practice_access import stewarded
from api.schemas.common import CommandBody
from api.seen import read
from collab.domain import practice_terms as pt
from collab.domain import values as v
from collab.domain.errors import NotFoundError
from collab.domain.partnership import Partnership
from collab.domain.partnership_rules import STANDING
from collab.practices.commands import PublishPractice, WithdrawPractice
from projections.practices import adoptions_by, practice_row
from projections.tables import Tables
from web import practice_reads as reads
from web.forms import handle
from web.forms_agreement import ONE, acting_here, identities, partnership_for, passes, recorded
from web.frame import pages, views_reached
from web.labels import label
from web.names import names_for
from web.practice_inputs import PublishForm, VersionForm, filled_from, lesson_rows

blp = pages("forms_practices")


def waiting(p: Partnership) -> list[tuple[str, str]]:
    """Passed, unused decisions to publish a practice, as (id, what it says)."""
    return [
        (d_id, d.summary or _("Decision of %(body)s", body=d.body))
        for d_id, d in p.decisions.items()
        if d.action == "publish_practice" and d.passed and not d.used
    ]


def form_context(p: Partnership, filled: Mapping[str, str], themes: list[str]) -> dict[str, Any]:
    """What the practice form shows besides the person's input."""
    form = filled if request.method == "GET" else request.form
    standing = [o for o, m in p.members.items() if m.status in STANDING]
    names = names_for(standing)
    chosen = request.form.getlist("practice.themes") if request.method == "POST" else themes
    return {
        "p": p,
        "pid": str(p.id),
        "decisions": waiting(p),
        "contacts": sorted(((o, names("organisation", o) or o) for o in standing), key=by_name),
        "themes": [(c, label(c, "theme")) for c in pt.THEMES],
        "themes_checked": chosen,
        "kinds": [(c, label(c, "territory_kind")) for c in pt.TERRITORY_KINDS],
        "levels": [(str(n), str(n)) for n in pt.EVIDENCE_LEVELS],
        "licences": [(c, c) for c in pt.LICENCES],
        "lessons": lesson_rows(form),
        "acting": acting_here(p),
    }


def by_name(pair: tuple[str, str]) -> str:
    return pair[1].casefold()


def adopted_choices(pid: str) -> list[tuple[str, str]]:
    """The practices this partnership recorded adopting (by title): what a new practice
    of its own may adapt."""

    def ask(conn: Connection, t: Tables) -> list[tuple[str, str]]:
        found = []
        for a in adoptions_by(conn, t, pid):
            row = practice_row(conn, t, a["practice_id"])
            found.append((str(a["practice_id"]), str(row.title if row else a["practice_id"])))
        return found

    return read(ask)


@blp.route(f"{ONE}/practices/new", methods=["GET", "POST"])
def publish(partnership_id: str) -> ResponseReturnValue:
    """A steward publishes a practice under a passed decision (the API's POST
    /v1/practices)."""
    p = partnership_for(partnership_id, authority.steward)
    pid = str(p.id)
    filled = {"practice.territory.country": str(p.territory["country"])}
    filled["practice.territory.nuts"] = str(p.territory.get("nuts") or "")
    return handle(
        "practice_publish.html",
        PublishForm(),
        lambda a: PublishPractice(partnership_id=pid, **a),
        lambda o: f"/practices/{o.text('practice_id')}",
        filled={**filled, "decision_id": request.args.get("decision", "")},
        **form_context(p, filled, []),
        adaptable=adopted_choices(pid),
        practice=None,
    )


def owned(practice_id: str) -> tuple[dict[str, Any], Partnership]:
    """The practice, and its partnership where the person stewards it: the API's check
    (`stewarded`: 403 for a reader outside it, who sees the practice)."""
    views_reached()
    prid = v.identifier(practice_id, "practice_id")
    stewarded(practice_id=prid)
    view = reads.practice(prid)
    if view is None:
        raise NotFoundError(f"no practice {prid}")
    return view, partnership_for(view["partnership_id"], authority.steward)


@blp.route("/practices/<practice_id>/versions/new", methods=["GET", "POST"])
def new_version(practice_id: str) -> ResponseReturnValue:
    """A steward of its partnership publishes a new version (the API's POST
    /v1/practices/{id}/versions), filled from the latest."""
    view, p = owned(practice_id)
    prid, pid = str(view["practice_id"]), str(p.id)
    filled = filled_from(view["content"])
    return handle(
        "practice_publish.html",
        VersionForm(),
        lambda a: PublishPractice(partnership_id=pid, practice_id=prid, **a),
        lambda o: f"/practices/{prid}",
        filled=filled,
        **form_context(p, filled, list(view["content"]["themes"])),
        adaptable=[],
        practice=view,
    )


@blp.route("/practices/<practice_id>/withdraw", methods=["GET", "POST"])
def withdraw(practice_id: str) -> ResponseReturnValue:
    """A steward of its partnership withdraws the practice, saying why."""
    view, p = owned(practice_id)
    prid = str(view["practice_id"])
    return handle(
        "practice_withdraw.html",
        CommandBody(),
        lambda a: WithdrawPractice(prid),
        lambda o: f"/practices/{prid}",
        view=view,
        acting=acting_here(p),
    )


def stewards(p: Partnership) -> bool:
    actor = g.get("actor")
    if actor is None or actor.role not in ("partner", "broker"):
        return False
    return passes(p, identities(p), authority.steward)


@blp.app_template_global()
def practice_publishing(view: Mapping[str, Any]) -> list[tuple[str, str]]:
    """For the partnership page: "Publish a practice" for each passed decision waiting."""
    decided = (
        d["action"] == "publish_practice" and d["passed"] and not d["used"]
        for d in view.get("decisions", [])
    )
    if "members" not in view or not any(decided):  # the view says first: most pages
        return []
    p = recorded(view["partnership_id"])
    if not stewards(p):
        return []
    base = f"/partnerships/{p.id}/practices/new"
    said = _("Publish a practice as decided")
    return [(f"{base}?decision={d_id}", said) for d_id, _s in waiting(p)]


@blp.app_template_global()
def owner_actions(view: Mapping[str, Any]) -> list[tuple[str, str]]:
    """For a practice's page: a new version and withdrawal, for its partnership's
    stewards, while it is published."""
    if view["status"] != "published":
        return []
    p = recorded(view["partnership_id"])
    if not stewards(p):
        return []
    base = f"/practices/{view['practice_id']}"
    return [
        (f"{base}/versions/new", _("Publish a new version")),
        (f"{base}/withdraw", _("Withdraw this practice")),
    ]
