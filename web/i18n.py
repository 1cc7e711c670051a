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

from contextvars import ContextVar
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel import dates, numbers, support
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request
from flask_babel import Babel, Domain, get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.frame import pages
from web.labels import label

LANGUAGES = ("en", "pt")
# Dates and numbers as each language's readers here write them: Babel's "pt" is Brazil's
# ("1.234,5", "15 de jun. de 2030"); ours are European ("1234,5", "15/06/2030").
FORMATS = {"en": "en", "pt": "pt_PT"}
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


READER: ContextVar[str | None] = ContextVar("collab_reader", default=None)
LOADED = {lang: compiled(lang) for lang in LANGUAGES if lang != "en"}
NULL = support.NullTranslations()


class Catalogues(Domain):
    """Flask-Babel's domain, with the catalogues compiled once, at start."""

    def get_translations(self) -> support.NullTranslations:
        return translations()


def chosen_language() -> str:
    picked = request.cookies.get(COOKIE, "")
    if picked in LANGUAGES:
        return picked
    return request.accept_languages.best_match(LANGUAGES) or "en"


def reader() -> str:
    """The reader's language, once per request (a page asks for it a thousand times)."""
    found = READER.get()
    if found is None:
        locale = get_locale()
        found = str(locale.language) if locale else "en"
        READER.set(found)
    return found


def forget_reader(_: BaseException | None = None) -> None:
    READER.set(None)


def translations() -> support.NullTranslations:
    """The reader's catalogue (English: none), once per request."""
    return LOADED.get(reader(), NULL)


def page_gettext(message: str) -> str:
    """Jinja's `_()`: Flask-Babel's looks up the domain and catalogue on every call, which a
    page of a thousand texts pays for; this looks them up once per request."""
    return str(translations().ugettext(message))


def page_ngettext(singular: str, plural: str, n: int) -> str:
    return str(translations().ungettext(singular, plural, n))


def when(value: Any) -> str:
    """A recorded time in the reader's locale (UTC); anything unreadable as it is."""
    return formatted_when(str(value or ""), reader())


def day(value: Any) -> str:
    """A date (YYYY-MM-DD) in the reader's locale."""
    return formatted_day(str(value or ""), reader())


def number(value: Any) -> str:
    """A recorded decimal in the reader's locale, every recorded digit kept."""
    return formatted_number(str(value if value is not None else ""), reader())


# Pages repeat the same few dates and amounts: each is formatted once per language.
@lru_cache(maxsize=8192)
def formatted_when(value: str, lang: str) -> str:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return str(dates.format_datetime(moment, "medium", tzinfo=UTC, locale=FORMATS[lang])) + " UTC"


@lru_cache(maxsize=8192)
def formatted_day(value: str, lang: str) -> str:
    try:
        return str(dates.format_date(date.fromisoformat(value), "medium", locale=FORMATS[lang]))
    except ValueError:
        return value


@lru_cache(maxsize=8192)
def formatted_number(value: str, lang: str) -> str:
    try:
        exact = Decimal(value)
    except (InvalidOperation, ValueError):
        return value
    if not exact.is_finite():
        return value
    places = max(0, -int(exact.as_tuple().exponent))
    pattern = "#,##0." + "0" * places if places else "#,##0"
    return str(numbers.format_decimal(exact, format=pattern, locale=FORMATS[lang]))


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
    babel = Babel(app, locale_selector=chosen_language)
    # Flask-Babel makes its domain from a name on first use (a cached property of the
    # Babel object, where its gettext looks): ours instead
    babel.domain_instance = Catalogues()
    # (the method comes with Jinja's i18n extension, which Flask-Babel has just added)
    app.before_request(forget_reader)
    app.teardown_request(forget_reader)
    install = app.jinja_env.install_gettext_callables  # type: ignore[attr-defined]
    install(page_gettext, page_ngettext, newstyle=True)
    app.jinja_env.filters.update(when=when, day=day, number=number, label=label)
    app.jinja_env.globals.update(label=label)
    app.jinja_env.globals.update(languages=NAMES, current_language=current_language)
    app.register_blueprint(blp)


def current_language() -> str:
    return reader()


__all__ = ["LANGUAGES", "_", "init_app"]
