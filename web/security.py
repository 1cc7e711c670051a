"""Security headers on every response; a Content-Security-Policy on every HTML one.

No inline script anywhere (the API docs page's start-up script is a file too): a script
injected into a page through some unescaped text would not run.
"""

from __future__ import annotations

from flask import Flask, Response, request

PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# Swagger UI sets style attributes as it renders; its scripts still come only from here.
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
HTML_HEADERS = {
    "X-Frame-Options": "DENY",
    # Sign-in links carry their token in the path: never send a page's address onwards.
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype == "text/html":
        docs = request.path.startswith("/v1/docs")
        response.headers["Content-Security-Policy"] = DOCS_POLICY if docs else PAGE_POLICY
        for name, value in HTML_HEADERS.items():
            response.headers[name] = value
        # Pages show what one person may see: no shared cache keeps them.
        response.headers.setdefault("Cache-Control", "no-store")
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def init_app(app: Flask) -> None:
    app.after_request(headers)
