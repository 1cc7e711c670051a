"""The HTTP API: `create_app(settings)` builds one Flask application; no module-level app."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from flask import Flask, Response, g, request
from flask_smorest import Api
from werkzeug.middleware.proxy_fix import ProxyFix

import web
from api import auth, errors
from api.schemas.common import Problem
from api.service import Service, Settings

log = logging.getLogger("collab.requests")
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class CollabApi(Api):  # flask-smorest ships no type information (see pyproject)
    """flask-smorest, documenting our problem+json errors instead of its own body."""

    ERROR_SCHEMA = Problem


def create_app(settings: Settings | None = None) -> Flask:
    """One Flask application over one Service (application + read side + credentials)."""
    if settings is None:  # the server's own configuration (api/wsgi.py, `collab serve`)
        settings = Settings.from_env()
        settings.require_documents_dir()
    app = Flask("collab", static_folder=None)  # the explorer serves its own (web/assets.py)
    app.config.update(
        API_TITLE="collab",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=None,  # served by api/docs.py, post-processed (problem+json)
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        JSON_SORT_KEYS=False,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    svc = app.extensions["collab"] = Service(settings)
    if settings.behind_proxy:
        # The proxy's X-Forwarded-For/-Proto/-Host (one hop): the client's address for the
        # sign-in limits, and TLS for Secure cookies and HSTS (docs/explorer.md).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    api = CollabApi(app)
    register(api)
    web.init_app(app, svc)
    errors.init_app(app)  # after flask-smorest's own handlers, which it replaces
    app.before_request(start_request)
    auth.init_app(app)
    app.after_request(finish_request)
    return app


def register(api: Api) -> None:
    from api import (
        actors,
        audit,
        budgets,
        commitments,
        docs,
        documents,
        events,
        governance,
        health,
        indicators,
        memberships,
        organisations,
        partnerships,
        practices,
        reports,
        views,
    )

    api._app.register_blueprint(docs.blp)  # plain Flask: not part of the documented API
    for module in (
        health,
        organisations,
        actors,
        partnerships,
        governance,
        memberships,
        indicators,
        commitments,
        documents,
        budgets,
        reports,
    ):
        api.register_blueprint(module.blp)
    for module in (practices, views, events, audit):
        api.register_blueprint(module.blp)


def start_request() -> None:
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if REQUEST_ID_RE.fullmatch(given) else uuid.uuid4().hex
    g.started = time.perf_counter()


def logged_path(path: str) -> str:
    """The path as the request log keeps it: a sign-in link's token is a credential."""
    return "/signin/link/…" if path.startswith("/signin/link/") else path


def finish_request(response: Response) -> Response:
    response.headers["X-Request-Id"] = g.get("request_id", "")
    actor = g.get("actor")
    log.info(
        json.dumps(
            {
                "request_id": g.get("request_id"),
                "method": request.method,
                "path": logged_path(request.path),
                "status": response.status_code,
                "ms": round(
                    (time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 2
                ),
                "actor": actor.id if actor is not None else None,
            }
        )
    )
    return response
