"""Forms on indicators' reports (issue 15 part 5): a figure for a reporting period, and a
correction of a report that names it, stating why.

Each page is a route of api/indicators.py as a form: the route's authority check first
(`authority.reporter`: a partnership broker, the lead, any active member; an auditor never
sees a form), then the route's schema and command through `web.forms.handle`. Success goes
back to the partnership's page at the indicator. `indicator_actions` tells the page
whether the signed-in person may use these forms now, read from the page's own view.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import g
from flask.typing import ResponseReturnValue

from api import authority
from api.schemas import indicators as s
from collab.domain import values as v
from collab.domain.errors import NotFoundError
from collab.domain.partnership import CLOSED
from collab.domain.partnership_rules import STANDING
from collab.indicators.commands import CorrectReport, ReportIndicator
from web.forms import acting_for, handle
from web.frame import pages, views_reached
from web.partnership_pages import live_or_as_of

blp = pages("forms_indicators")

INDICATOR = "/partnerships/<partnership_id>/indicators/<indicator_id>"
SHOWN_REPORTS = 10  # the page shows an indicator's latest periods; the timeline has all


def concerned(partnership_id: str, indicator_id: str) -> dict[str, Any]:
    """The API route's authority check on the partnership, then the indicator as the
    person's view shows it (404 when the view has none such)."""
    views_reached()
    pid = v.identifier(partnership_id, "partnership_id")
    iid = v.identifier(indicator_id, "indicator_id")
    authority.partnership(authority.reporter)(partnership_id=pid)
    view, _ = live_or_as_of(pid, None)
    for i in view.get("indicators", []):
        if i["indicator_id"] == iid:
            return {
                "partnership_id": pid,
                "title": view["title"],
                "indicator": i,
                "latest": i["series"][-1] if i["series"] else None,
                "acting": acting_for(pid),
            }
    raise NotFoundError(f"no indicator {iid}")


def at(shown: Mapping[str, Any]) -> Any:
    """Where a form on this indicator leads: the partnership's page, at the indicator."""
    where = f"/partnerships/{shown['partnership_id']}#indicator-"
    return lambda _outcome: where + str(shown["indicator"]["indicator_id"])


@blp.route(f"{INDICATOR}/report", methods=["GET", "POST"])
def report(partnership_id: str, indicator_id: str) -> ResponseReturnValue:
    """Report an indicator's figure for a period (the API's POST …/reports)."""
    shown = concerned(partnership_id, indicator_id)
    pid, iid = shown["partnership_id"], shown["indicator"]["indicator_id"]
    return handle(
        "indicator_report.html",
        s.ReportIndicator(),
        lambda a: ReportIndicator(pid, iid, **a),
        at(shown),
        **shown,
    )


@blp.route(f"{INDICATOR}/reports/<int:number>/correct", methods=["GET", "POST"])
def correct(partnership_id: str, indicator_id: str, number: int) -> ResponseReturnValue:
    """Correct a report's figure, saying why (the API's POST …/reports/N/corrections)."""
    shown = concerned(partnership_id, indicator_id)
    pid, iid = shown["partnership_id"], shown["indicator"]["indicator_id"]
    found = [r for r in shown["indicator"]["series"] if r["report"] == number]
    if not found:
        raise NotFoundError(f"no report {number}")
    return handle(
        "indicator_correct.html",
        s.CorrectReport(),
        lambda a: CorrectReport(pid, iid, number, **a),
        at(shown),
        report=found[0],
        **shown,
    )


@blp.app_template_global()
def indicator_actions(view: Mapping[str, Any]) -> bool:
    """Whether the signed-in person may report and correct indicators' figures here now:
    a partnership broker in its own right, or acting for a member in standing (the lead
    among them), while the partnership is open (`Partnership.reported_indicator`)."""
    actor = g.actor
    if view.get("status") in CLOSED or "members" not in view:
        return False
    if actor.role == "broker" and actor.id in view.get("brokers", []):
        return True
    if actor.role == "partner":
        acts = {actor.organisation_id}
    elif actor.role == "broker":
        acts = {org for org, _name in acting_for(view["partnership_id"])}
    else:
        return False
    return any(m["organisation_id"] in acts and m["status"] in STANDING for m in view["members"])
