"""Errors on explorer pages as HTML: the same statuses and texts as the API's problems.

A partnership the person may not see gets the same not-found page as an unknown one. The
headline and the problem's text are said in the reader's language (a problem text the
catalogue does not know is shown as the domain worded it).
"""

from __future__ import annotations

from flask import Response, g, render_template
from flask_babel import gettext as _

from web.frame import person
from web.validation_texts import translated


def form_refused() -> str:
    """A page's 400 is a form whose CSRF token was missing, stale or forged (Flask-WTF says
    so in its own words): said for a person, with what to do."""
    return str(
        _(
            "The form had expired or did not come from this site, so nothing was changed. "
            "Go back, reload the page and send the form again."
        )
    )


def headlines() -> dict[int, str]:
    return {
        400: _("The form could not be accepted"),
        403: _("You may not do this"),
        404: _("Not found"),
        409: _("Refused"),
        413: _("Too large"),
        422: _("Please check what you entered"),
        429: _("Too many attempts"),
        500: _("Something went wrong"),
        503: _("Please try again in a moment"),
    }


def error_page(
    status: int, title: str, detail: str | None, headers: dict[str, str] | None = None
) -> Response:
    """The HTML answer for a problem raised while serving a page."""
    body = render_template(
        "error.html",
        person=person() if "person" in g else None,
        status=status,
        headline=headlines().get(status, title),
        detail=form_refused() if status == 400 else translated(detail) if detail else detail,
        request_id=g.get("request_id"),
    )
    response = Response(body, status=status, mimetype="text/html")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
