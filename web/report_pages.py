"""Explorer: a partnership's reports (DESIGN §9), a page of downloads linked from the
partnership's page.

A download is the API's own view (`api.reports.export`): the same bytes, through the same
gate, so a person who does not see the partnership's content gets the 404 of an unknown
id, and a former member's report stops at its exit. Plain links: no JavaScript needed.
A report the partnership cannot fill yet (an IATI activity needs a sector) is named with
what it lacks instead of a link that would answer 409; that takes rendering each report,
hence a page of its own rather than a section of the partnership's page, which stays as
fast as its view. Served under `…/downloads`: the explorer's `…/report` paths are
indicator forms.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import Response
from flask_babel import gettext as _

from api.reports import export, state_seen
from api.seen import content_on
from collab.domain import values as v
from collab.domain.errors import ConflictError, RuleViolationError
from projections.reports import REPORTS, Report, ReportState
from web.arguments import as_of_asked
from web.frame import page, pages, views_reached
from web.validation_texts import translated

blp = pages("reports")
# The API's view, its query parsed from this request by its own schema (flask-smorest).
SERVE: Callable[..., Response] = export


def described() -> dict[str, tuple[str, str]]:
    """Each report's title and what it is for, in the page's language."""
    csv = _("For spreadsheets: UTF-8 text with a header row, amounts as written.")
    return {
        "iati": (
            _("IATI 2.03 activity (XML)"),
            _(
                "For open-data portals and donors that read IATI: the partnership as one "
                "activity, with its participants, transactions, budget and results."
            ),
        ),
        "360giving": (
            _("360Giving grants (JSON)"),
            _("For grant data in the 360Giving standard: the cash grants to the partners."),
        ),
        "commitments": (_("Commitments (CSV)"), csv),
        "deliveries": (_("Deliveries (CSV)"), csv),
        "budget": (_("Budget lines (CSV)"), csv),
        "funding": (_("Funding sources (CSV)"), csv),
    }


def report_links(pid: str, position: int | None, state: ReportState) -> list[dict[str, Any]]:
    """Per report, a download link (as of `position`), or why the partnership cannot fill
    it yet (from `state`, what the person sees there)."""
    query = "" if position is None else f"?{urlencode({'as_of_position': position})}"
    words = described()
    return [
        {
            "href": f"/partnerships/{pid}/downloads/{name}{query}",
            "title": words.get(name, (report.summary, ""))[0],
            "what": words.get(name, ("", ""))[1],
            "missing": refusal(report, state),
        }
        for name, report in REPORTS.items()
    ]


def refusal(report: Report, state: ReportState) -> str | None:
    """Why the report cannot be made of this state, in the reader's words (None: it can).
    Made here, not at the link: a link that answers 409 is a dead end."""
    try:
        report.render(state, "en")
    except (ConflictError, RuleViolationError) as refused:
        return translated(refused.message)
    return None


@blp.route("/partnerships/<partnership_id>/downloads", methods=["GET"])
def reports_page(partnership_id: str) -> str:
    """The partnership's reports: a download per report, live or as of a position."""
    views_reached()
    pid = v.identifier(partnership_id, "partnership_id")
    content_on(pid)  # before the query is looked at: the 404 of an unknown id
    position = as_of_asked()
    state = state_seen(pid, position)  # as of the position, capped at a former member's exit
    return page(
        "reports.html",
        pid=pid,
        title=state.partnership["title"],
        position=position,
        reports=report_links(pid, position, state),
    )


@blp.route("/partnerships/<partnership_id>/downloads/<report>", methods=["GET"])
def download(partnership_id: str, report: str) -> Response:
    """Download a report of the partnership (the API's download, through the session)."""
    views_reached()
    return SERVE(partnership_id=partnership_id, report=report)
