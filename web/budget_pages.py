"""Explorer page: a partnership's budget (DESIGN §9), budget against committed against
delivered against funded, per line and per funding source, with the co-financing rate
reached against the fund's recorded maximum.

It reads as the JSON API's `GET /v1/partnerships/{id}/budget` does (api/budgets.py):
the same view (`projections.budget.budget_for`) through the same gate, so a person who
does not see the partnership's content gets the 404 of an unknown id, and a former member
sees the budget as at its exit. The commitments a line names are shown by their
organisation and what they commit, from the partnership's view read in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import g
from flask_babel import gettext as _
from sqlalchemy import Connection

from api.seen import content_on, read, viewer
from api.service import service
from api.views import at_cut
from collab.domain import values as v
from collab.domain.partnership import Partnership
from projections.asof import rows_as_of
from projections.budget import budget_for
from projections.tables import Tables
from projections.views import view_for
from web.forms_agreement import recorded
from web.forms_practices import stewards
from web.frame import page, pages, views_reached
from web.i18n import number
from web.labels import label
from web.names import Names, ids_in, names_for

blp = pages("budget_pages")


def commitments_of(view: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every commitment the partnership's view shows, with its organisation."""
    return [
        {**c, "organisation_id": m["organisation_id"]}
        for m in view.get("members") or []
        for c in m.get("commitments") or []
    ]


def commitment_name(c: Mapping[str, Any], names: Names) -> str:
    """A commitment in words: its organisation, what it commits and its valuation."""
    org = names("organisation", c["organisation_id"]) or _("an organisation")
    what = _(
        "%(kind)s, %(quantity)s %(unit)s",
        kind=label(c["contribution_type"]),
        quantity=number(c["quantity"]),
        unit=label(c["unit"], "unit"),
    )
    if c.get("valuation_amount") is not None:
        what = _(
            "%(what)s, valued at %(amount)s %(currency)s",
            what=what,
            amount=number(c["valuation_amount"]),
            currency=c["valuation_currency"],
        )
    return str(_("%(organisation)s: %(what)s", organisation=org, what=what))


def named_commitments(view: Mapping[str, Any]) -> dict[str, str]:
    """Each commitment's id and its name in words, as `commitment_name` says it."""
    found = commitments_of(view)
    names = names_for(ids_in([c["organisation_id"] for c in found]))
    return {str(c["commitment_id"]): commitment_name(c, names) for c in found}


def waiting_decisions(p: Partnership) -> list[tuple[str, str]]:
    """Passed, unused decisions to set the budget, as (id, what it says)."""
    return [
        (d_id, d.summary or _("Decision of %(body)s", body=d.body))
        for d_id, d in p.decisions.items()
        if d.action == "set_budget" and d.passed and not d.used
    ]


@blp.app_template_global()
def budget_adopting(view: Mapping[str, Any]) -> list[tuple[str, str]]:
    """For the partnership and budget pages: "Adopt the budget as decided" for each
    passed `set_budget` decision waiting, for a steward."""
    decided = (
        d["action"] == "set_budget" and d["passed"] and not d["used"]
        for d in view.get("decisions", [])
    )
    if "members" not in view or not any(decided):
        return []
    p = recorded(view["partnership_id"])
    if not stewards(p):
        return []
    base = f"/partnerships/{p.id}/budget/new"
    said = _("Adopt the budget as decided")
    return [(f"{base}?decision={d_id}", said) for d_id, _s in waiting_decisions(p)]


@blp.route("/partnerships/<partnership_id>/budget", methods=["GET"])
def budget_page(partnership_id: str) -> str:
    """A partnership's budget: per line, per funding source, and totals per currency."""
    views_reached()
    pid = v.identifier(partnership_id, "partnership_id")
    content_on(pid)  # the 404 of an unknown id for anyone who does not see its content
    who, app = viewer(), service().app

    def ask(conn: Connection, t: Tables) -> tuple[dict[str, Any], dict[str, Any]]:
        found = budget_for(conn, t, who, pid, lambda p, n: rows_as_of(app, p, n))
        return found, view_for(conn, t, who, pid, at_cut)

    budget, view = read(ask)
    return page(
        "budget.html",
        budget=budget,
        view=view,
        commitments=named_commitments(view),
        adopting=budget_adopting(view),
        steward=stewards(recorded(pid)) if g.get("actor") else False,
    )
