"""Languages of the explorer: Babel catalogues, the reader's locale, dates and numbers.

Every text of the pages goes through gettext (`_` in templates and in `web/`); the
catalogues are `web/translations/<lang>/LC_MESSAGES/messages.po`, the one source: they
are compiled in memory when the application starts (no generated `.mo` file to keep in
step). English is the source language; Portuguese is complete (a test says so).

The reader's language is the one they chose (`/language?lang=pt`, kept in a cookie), else
the best match of their browser's Accept-Language, else English. Dates, times and numbers
are formatted in that locale (times in UTC, said so); names and texts of the record are
shown exactly as recorded, in elements with `dir="auto"`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel import support
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request
from flask_babel import Babel, Domain, format_date, format_datetime, format_decimal, get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.frame import pages

LANGUAGES = ("en", "pt")
NAMES = {"en": "English", "pt": "Português"}
COOKIE = "collab_lang"
CATALOGUES = Path(__file__).parent / "translations"

blp = pages("language", signed_in=False)


def compiled(lang: str) -> support.Translations:
    """A catalogue compiled from its .po file (fuzzy entries left out, as pybabel does)."""
    source = CATALOGUES / lang / "LC_MESSAGES" / "messages.po"
    with source.open("rb") as po:
        catalog = read_po(po, locale=lang)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return support.Translations(fp=buffer)


class Catalogues(Domain):
    """Flask-Babel's domain, with the catalogues compiled once, at start."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded = {lang: compiled(lang) for lang in LANGUAGES if lang != "en"}

    def get_translations(self) -> support.NullTranslations:
        locale = get_locale()
        return self.loaded.get(str(locale.language) if locale else "en", support.NullTranslations())


def chosen_language() -> str:
    picked = request.cookies.get(COOKIE, "")
    if picked in LANGUAGES:
        return picked
    return request.accept_languages.best_match(LANGUAGES) or "en"


def as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def when(value: Any) -> str:
    """A recorded time in the reader's locale (UTC); anything unreadable as it is."""
    moment = as_datetime(value)
    if moment is None:
        return str(value or "")
    return str(format_datetime(moment, "medium")) + " UTC"


def day(value: Any) -> str:
    """A date (YYYY-MM-DD) in the reader's locale."""
    if isinstance(value, date):
        return str(format_date(value, "medium"))
    try:
        return str(format_date(date.fromisoformat(str(value)), "medium"))
    except ValueError:
        return str(value or "")


def number(value: Any) -> str:
    """A recorded decimal in the reader's locale, every recorded digit kept."""
    try:
        exact = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value or "")
    if not exact.is_finite():
        return str(value)
    places = max(0, -exact.as_tuple().exponent)  # type: ignore[operator]
    return str(format_decimal(exact, format="#,##0." + "0" * places if places else "#,##0"))


def safe_next(target: str) -> str:
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    if any(ord(c) < 32 or ord(c) == 127 or c == "\\" for c in target):
        return "/"
    return target


@blp.route("/language", methods=["GET"])
def language() -> Response:
    """Choose the pages' language (kept in a cookie for a year), then go back."""
    from flask import redirect

    lang = request.args.get("lang", "")
    back = redirect(safe_next(request.args.get("next", "/")), 303)
    if lang in LANGUAGES:
        back.set_cookie(
            COOKIE,
            lang,
            max_age=365 * 24 * 3600,
            path="/",
            secure=request.is_secure,
            httponly=True,
            samesite="Lax",
        )
    return back


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    Babel(app, locale_selector=chosen_language)
    # Flask-Babel makes its domain from a name on first use (a cached property): ours instead
    app.extensions["babel"].domain_instance = Catalogues()
    app.jinja_env.filters.update(when=when, day=day, number=number)
    app.jinja_env.globals.update(languages=NAMES, current_language=current_language)
    app.register_blueprint(blp)


def current_language() -> str:
    locale = get_locale()
    return str(locale.language) if locale else "en"


__all__ = ["LANGUAGES", "_", "init_app"]
