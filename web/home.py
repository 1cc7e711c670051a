"""Home: what awaits the signed-in person first (DESIGN §7), one page per role.

A partner sees its organisation's inbox, notices and books; a broker its partnerships with
whose turn it is and its mandates; an auditor its granted partnerships and the latest
checkpoint; an admin counts and every partnership. All read through the API's queries and
the visibility rule, for this person.
"""

from __future__ import annotations

from typing import Any

from flask import g
from flask_babel import gettext as _
from sqlalchemy import Connection, func, select

from api.errors import ApiProblem
from api.seen import read, viewer
from api.views import at_cut
from collab.domain.errors import NotFoundError
from collab.visibility import Viewer
from projections.queries import list_partnerships
from projections.tables import Tables
from web.audit import latest
from web.frame import page, pages, views_reached
from web.home_broker import broker_home
from web.home_partner import partner_home

blp = pages("home")

LISTED = 20  # partnerships listed on a home page before "all partnerships"


@blp.route("/", methods=["GET"])
def home() -> str:
    """The person's home page: what awaits them."""
    views_reached()
    actor = g.actor
    if actor.role == "partner" and actor.organisation_id is not None:
        return page(
            "home_partner.html", org_id=actor.organisation_id, **partner_home(actor.organisation_id)
        )
    if actor.role == "broker":
        return page("home_broker.html", **broker_home(actor.id))
    if actor.role == "auditor":
        return page("home_auditor.html", **auditor_home())
    if actor.role == "admin":
        return page("home_admin.html", **admin_home())
    return page("home.html")


def first_partnerships(conn: Connection, t: Tables, who: Viewer) -> list[dict[str, Any]]:
    """The first partnerships the person sees (one more than listed: "more" follows)."""
    return list_partnerships(conn, t, who, at_cut, limit=LISTED + 1)


def auditor_home() -> dict[str, Any]:
    """The partnerships granted to the auditor (or word that it is granted all) and the
    latest checkpoint."""
    who = viewer()
    listed = read(lambda c, t: first_partnerships(c, t, who))
    sealed, problem = None, None
    try:
        sealed = latest()
    except NotFoundError:
        problem = _("No checkpoint has been signed yet.")
    except ApiProblem as e:
        problem = e.detail
    return {
        "granted_all": who.grants is None,
        "partnerships": listed[:LISTED],
        "more": len(listed) > LISTED,
        "sealed": sealed,
        "checkpoint_problem": problem,
    }


def admin_home() -> dict[str, Any]:
    """Counts of the register, the partnerships and the actors, and the first partnerships."""
    who = viewer()

    def gather(conn: Connection, t: Tables) -> dict[str, Any]:
        h = t.history
        actors = select(func.count(func.distinct(h.c.stream_id))).where(
            h.c.stream_kind == "actorbinding"
        )
        listed = first_partnerships(conn, t, who)
        return {
            "counts": {
                "partnerships": count(conn, select(func.count()).select_from(t.partnerships)),
                "organisations": count(conn, select(func.count()).select_from(t.organisations)),
                "actors": count(conn, actors),
            },
            "partnerships": listed[:LISTED],
            "more": len(listed) > LISTED,
        }

    return read(gather)


def count(conn: Connection, query: Any) -> int:
    return int(conn.execute(query).scalar() or 0)
