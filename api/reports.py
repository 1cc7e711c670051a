"""Reports (DESIGN §9): a partnership as IATI 2.03 activity XML, 360Giving JSON and CSV
tables, each as the caller sees the partnership's content (404 for anyone who sees only
an invitation or nothing; a former member's report stops at its exit).

A report is a download: its bytes with the report's media type, an attachment named after
the partnership, and an ETag of the bytes' SHA-256. The same state gives the same bytes,
hence the same ETag: `If-None-Match` with it answers 304.
"""

from __future__ import annotations

import hashlib

from flask import Response, request
from sqlalchemy import Connection

from api.authority import before_body
from api.http import Blueprint, Body, wait_for_views
from api.schemas import reports as s
from api.seen import path_content, read, viewer
from api.service import service
from api.views import as_of_position
from collab.domain import values as v
from collab.domain.errors import NotFoundError
from projections.asof import rows_as_of
from projections.reports import REPORTS, Report, ReportState, report_state_for
from projections.tables import Tables

blp = Blueprint("reports", __name__, url_prefix="/v1", description=__doc__)
TEXT = ("text/csv",)  # sent with their charset: the bytes are UTF-8
NAME = {
    "in": "path",
    "name": "report",
    "required": True,
    "description": "which report",
    "schema": {"type": "string", "enum": list(REPORTS)},
}
DOWNLOAD = {
    "200": {
        "description": "the report's bytes (an attachment; ETag: their SHA-256)",
        "content": {
            media: {"schema": {"type": "string", "format": "binary"}}
            for media in sorted({r.media_type for r in REPORTS.values()})
        },
    }
}


def report_named(name: str) -> Report:
    """The report of this name; an unknown one is the 404 of an unknown id."""
    found = REPORTS.get(name)
    if found is None:
        raise NotFoundError(f"no report {name[:40]}")
    return found


def path_report(partnership_id: str, report: str, **_: str) -> None:
    """Before the query: the caller sees the partnership's content, and the report exists."""
    path_content(partnership_id)
    report_named(report)


@blp.route("/reports", methods=["GET"])
@blp.response(200, s.ReportList)
def kinds() -> dict[str, object]:
    """The reports a partnership can be exported as: name, media type and what it is."""
    items = [
        {"name": r.name, "media_type": r.media_type, "extension": r.extension, "summary": r.summary}
        for r in REPORTS.values()
    ]
    return {"items": items}


@blp.route("/partnerships/<partnership_id>/reports/<report>", methods=["GET"], parameters=[NAME])
@before_body(path_report)
@blp.arguments(s.ReportQuery, location="query")
@blp.doc(responses=DOWNLOAD)
def export(query: Body, partnership_id: str, report: str) -> Response:
    """Download a report of the partnership, live or as of a log position or a time, its
    texts in `language`."""
    wait_for_views(query.pop("min_position", None))
    pid = v.identifier(partnership_id, "partnership_id")
    chosen = report_named(report)
    data = rendered(chosen, pid, as_of_position(query), query["language"])
    return download(chosen, pid, data)


def rendered(report: Report, pid: str, position: int | None, language: str) -> bytes:
    """The report's bytes for the state the caller sees."""
    return report.render(state_seen(pid, position), language)


def state_seen(pid: str, position: int | None) -> ReportState:
    """What the caller's reports show: live or as of `position`, never past a former
    member's exit (404 for a caller who does not see the content)."""
    who, app = viewer(), service().app
    if position is not None:
        # The rows come from the log, the event dates and the state's time from the history
        # view: both must reach the position, or one position gives two reports (server mode).
        wait_for_views(position)

    def state(conn: Connection, t: Tables) -> ReportState:
        return report_state_for(conn, t, who, pid, lambda p, n: rows_as_of(app, p, n), position)

    return read(state)


def download(report: Report, pid: str, data: bytes) -> Response:
    """The bytes as an attachment, never rendered by the browser; 304 for a known ETag."""
    media = f"{report.media_type}; charset=utf-8" if report.media_type in TEXT else None
    response = Response(data, content_type=media or report.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{report.filename(pid)}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private"
    response.set_etag(hashlib.sha256(data).hexdigest())
    response.make_conditional(request)  # 304 when If-None-Match names these bytes
    return response
