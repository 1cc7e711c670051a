"""The explorer's blueprints, registered in one place."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from web import (
        audit,
        field_pages,
        home,
        organisations,
        partnership_pages,
        people_pages,
        signin,
        timeline_pages,
    )

    for module in (
        signin,
        home,
        organisations,
        partnership_pages,
        timeline_pages,
        field_pages,
        people_pages,
        audit,
    ):
        app.register_blueprint(module.blp)
