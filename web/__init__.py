"""The explorer: HTML pages for people, served by the same application at `/` (DESIGN §7).

Pages read through the same application, views and visibility module as the JSON API
(never over HTTP); people sign in with a one-time link, then a passphrase, and hold a
server-side session. Every page works without JavaScript.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask
from jinja2 import FileSystemLoader

if TYPE_CHECKING:
    from api.service import Service


def init_app(app: Flask, svc: Service) -> None:
    """Sessions, CSRF, assets, security headers and the explorer's blueprints."""
    from flask_wtf.csrf import CSRFProtect

    from web import assets, i18n, pages, security
    from web.people import session_secret
    from web.sessions import DatabaseSessions

    settings = svc.settings
    secret = app.secret_key = session_secret(settings.data_dir)
    app.config.update(
        # Checked by the explorer's own blueprints (web/frame.py), never on the JSON API,
        # whose callers hold bearer tokens, not cookies.
        WTF_CSRF_CHECK_DEFAULT=False,
        # A token lives as long as its session (which idles out on its own).
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.extensions["collab.csrf"] = CSRFProtect(app)
    app.session_interface = DatabaseSessions(
        svc.people,
        svc.now,
        idle=timedelta(minutes=settings.session_idle_minutes),
        lifetime=timedelta(hours=settings.session_hours),
        secret=secret,
    )
    app.jinja_loader = FileSystemLoader(Path(__file__).parent / "templates")
    assets.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    pages.register(app)
