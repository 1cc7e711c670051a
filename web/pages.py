"""The explorer's blueprints, registered in one place."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from web import audit, home, organisations, partnerships, people_pages, signin

    for module in (signin, home, organisations, partnerships, people_pages, audit):
        app.register_blueprint(module.blp)
