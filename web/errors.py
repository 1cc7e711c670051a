"""Errors on explorer pages as HTML: the same statuses and texts as the API's problems.

A partnership the person may not see gets the same not-found page as an unknown one.
"""

from __future__ import annotations

from flask import Response, g, render_template

from web.frame import person

# A page's 400 is a form whose CSRF token was missing, stale or forged (Flask-WTF says so
# in its own words): said for a person, with what to do.
FORM_REFUSED = (
    "The form had expired or did not come from this site, so nothing was changed. "
    "Go back, reload the page and send the form again."
)
HEADLINES = {
    400: "The form could not be accepted",
    403: "You may not do this",
    404: "Not found",
    409: "Refused",
    413: "Too large",
    422: "Please check what you entered",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "Please try again in a moment",
}


def error_page(
    status: int, title: str, detail: str | None, headers: dict[str, str] | None = None
) -> Response:
    """The HTML answer for a problem raised while serving a page."""
    body = render_template(
        "error.html",
        person=person() if "person" in g else None,
        status=status,
        headline=HEADLINES.get(status, title),
        detail=FORM_REFUSED if status == 400 else detail,
        request_id=g.get("request_id"),
    )
    response = Response(body, status=status, mimetype="text/html")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
