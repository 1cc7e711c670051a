"""Languages of the explorer: the Portuguese catalogue is complete and well formed, pages
speak the reader's language (chosen, or from the browser), dates and numbers are in its
locale, and recorded names are shown exactly as recorded, right-to-left ones included."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from tests.api.conftest import Auth
from tests.api.setup_partnership import active_partnership
from tests.web.conftest import Person
from tests.web.test_organisation_pages import register
from web.i18n import day, number
from web.validation_texts import DOMAIN, INPUT, MARSHMALLOW, RULES, translated

ROOT = Path(__file__).parents[2]
CATALOGUE = ROOT / "web" / "translations" / "pt" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER_RE = re.compile(r"%\((\w+)\)[sd]")
HTML_LANG_RE = re.compile(r'<html lang="([^"]+)">')
ARABIC = "جمعية التنمية المحلية في مرتولا"
Browser = Callable[..., Person]
Key = tuple[str | None, str]


def extracted() -> dict[Key, Any]:
    """Every message of the sources, as `make translations` extracts it: (context, msgid)
    -> the msgid (a (singular, plural) pair for a plural)."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[Key, Any] = {}
    for _file, _line, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map
    ):
        singular = message[0] if isinstance(message, tuple) else message
        if singular:
            found[context, singular] = message
    return found


@pytest.fixture(scope="module")
def portuguese() -> Catalog:
    with CATALOGUE.open("rb") as po:
        return read_po(po, locale="pt")


def translation(catalog: Catalog, key: Key) -> Message | None:
    context, msgid = key
    found: Message | None = catalog.get(msgid, context=context)
    return found


def done(message: Message | None) -> bool:
    if message is None or message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(s.strip() for s in strings)


def test_every_message_of_the_sources_has_its_portuguese(portuguese: Catalog) -> None:
    # Given every message the templates and Python sources mark for translation
    messages = extracted()
    assert len(messages) > 500
    # Then each has a Portuguese text, not fuzzy
    missing = [key for key in messages if not done(translation(portuguese, key))]
    assert not missing, f"{len(missing)} without Portuguese (make translations, then fill):\n" + (
        "\n".join(f"  {context or ''}|{msgid}" for context, msgid in missing[:50])
    )


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER_RE.findall(text))


def test_each_translation_keeps_its_placeholders(portuguese: Catalog) -> None:
    # Given every translated message of the catalogue
    wrong = []
    for message in portuguese:
        if not message.id or not done(message):
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for i, text in enumerate(strings):
            source = ids[min(i, len(ids) - 1)]
            wanted = placeholders(source)
            # Then it names the same placeholders (a plural may leave out its count)
            got = placeholders(text)
            if got != wanted and not (isinstance(message.id, tuple) and got == wanted - {"num"}):
                wrong.append(f"{source!r} -> {text!r}")
            # And it formats as its source does (a literal % written %%)
            if message.python_format:
                try:
                    text % {name: 1 for name in placeholders(source) | {"num"}}
                except (ValueError, TypeError, KeyError) as error:
                    wrong.append(f"{text!r}: {error}")
    assert not wrong, "\n".join(wrong)


def test_validation_messages_are_marked_and_translated(flask_app: Flask) -> None:
    with flask_app.test_request_context(headers={"Accept-Language": "pt"}):
        assert translated("Missing data for required field.") == (
            "Falta o valor deste campo obrigatório."
        )
        assert all(translated(m) != m for m in MARSHMALLOW)
        assert translated("Must be one of: public, private.") == (
            "Deve ser um de: public, private."
        )
        assert translated("Length must be between 1 and 50.") == (
            "O comprimento deve estar entre 1 e 50."
        )
        assert translated("Something no catalogue knows.") == "Something no catalogue knows."
    with flask_app.test_request_context(headers={"Accept-Language": "en"}):
        assert translated("Must be one of: a, b.") == "Must be one of: a, b."


@pytest.fixture
def admin(auth: Auth, person: Browser) -> Iterator[Person]:
    yield person(auth.admin)


def test_a_page_is_in_portuguese_when_the_browser_asks_for_it(admin: Person) -> None:
    # When a person whose browser prefers Portuguese opens their home page
    response = admin.client.get("/", headers={"Accept-Language": "pt-PT,pt;q=0.9,en;q=0.5"})
    html = response.text
    # Then it is in Portuguese, and says so
    assert response.status_code == 200 and HTML_LANG_RE.findall(html) == ["pt"]
    assert "<h1>Início: todo o registo</h1>" in html and "Terminar sessão" in html
    assert "Sign out" not in html
    # And a browser that prefers another language gets English
    other = admin.client.get("/", headers={"Accept-Language": "de-DE,fr;q=0.8"}).text
    assert HTML_LANG_RE.findall(other) == ["en"] and "<h1>Home: the whole register</h1>" in other


def test_a_chosen_language_is_kept_in_a_cookie_over_the_browsers(admin: Person) -> None:
    # When a person chooses Portuguese from the footer's switch
    chosen = admin.client.get("/language?lang=pt&next=/organisations")
    # Then they are sent back to the page they were on, now in Portuguese
    assert chosen.status_code == 303 and chosen.headers["Location"] == "/organisations"
    english_browser = {"Accept-Language": "en-US,en;q=0.9"}
    html = admin.client.get("/organisations", headers=english_browser).text
    assert HTML_LANG_RE.findall(html) == ["pt"] and "<h1>Organizações</h1>" in html
    # And choosing English again brings English back
    admin.client.get("/language?lang=en&next=/")
    html = admin.client.get("/organisations", headers={"Accept-Language": "pt"}).text
    assert HTML_LANG_RE.findall(html) == ["en"] and "<h1>Organisations</h1>" in html


def test_the_language_switch_stays_on_this_site_and_knows_its_languages(
    client: FlaskClient,
) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil", "javascript:x"):
        response = client.get("/language", query_string={"lang": "en", "next": target})
        assert response.status_code == 303 and response.headers["Location"] == "/", target
    unknown = client.get("/language?lang=xx&next=/signin")
    assert unknown.status_code == 303 and unknown.headers["Location"] == "/signin"
    assert not any("collab_lang" in c for c in unknown.headers.getlist("Set-Cookie"))
    html = client.get("/signin").text
    assert HTML_LANG_RE.findall(html) == ["en"] and "<h1>Sign in</h1>" in html


def in_locale(app: Flask, language: str) -> tuple[str, str]:
    """1234.5 and 2030-06-15 as the app's filters write them for a reader of `language`."""
    with app.test_request_context(headers={"Accept-Language": language}):
        return number("1234.5"), day("2030-06-15")


def test_dates_and_decimals_are_in_the_readers_locale(
    auth: Auth, client: FlaskClient, person: Browser, flask_app: Flask
) -> None:
    # Given b's pledge of 1234.5 hours whose period ends on 15 June 2030
    setup = active_partnership(auth, client)
    period = {"start": "2030-01-01", "end": "2030-06-15"}
    setup.pledge("b", value="1234.5", period=period)
    reader = person(setup.partners["b"])
    page = f"/organisations/{setup.orgs['b']}?min_position={setup.head()}"
    # When its partner reads its organisation's ledger in Portuguese
    pt = reader.client.get(page, headers={"Accept-Language": "pt"}).text
    # Then the quantity and the date are written as Portuguese writes them
    ledger = pt.split('id="ledger"')[1]
    decimal, when = in_locale(flask_app, "pt")
    assert re.fullmatch(r"1[.\u00a0\u202f ]?234,5", decimal) and decimal in ledger
    assert when.endswith("2030") and f'<time datetime="2030-06-15">{when}</time>' in ledger
    assert "tempo de pessoal" in ledger and "hora(s)" in ledger
    # And in English as English does, the recorded value kept in the attribute
    en = reader.client.get(page, headers={"Accept-Language": "en"}).text.split('id="ledger"')[1]
    assert "1,234.5" in en and '<time datetime="2030-06-15">Jun 15, 2030</time>' in en


def test_a_right_to_left_name_is_shown_as_recorded(auth: Auth, person: Browser) -> None:
    # Given an organisation whose legal name is Arabic
    org = register(auth, ARABIC)
    reader = person(auth.broker)
    for language in ("pt", "en"):
        headers = {"Accept-Language": language}
        # When it is shown in the register and on its own page
        found = reader.client.get("/organisations", query_string={"q": ARABIC}, headers=headers)
        listing = found.text
        page = reader.client.get(f"/organisations/{org}", headers=headers).text
        # Then the name is exactly as recorded, in an element that finds its own direction
        assert f'<a href="/organisations/{org}" dir="auto">{ARABIC}</a>' in listing
        assert f'<h1 dir="auto">{ARABIC}</h1>' in page


def test_a_sentence_in_words_names_an_organisation_in_isolation(
    auth: Auth, client: FlaskClient, person: Browser
) -> None:
    # Given a partnership in force whose members' commitments wait for confirmation
    setup = active_partnership(auth, client)
    setup.pledge("b", value="12", confirm=False)
    reader = person(setup.partners["a"])
    # When a member reads whose turn it is, in Portuguese
    html = reader.client.get(
        f"{setup.url}?min_position={setup.head()}", headers={"Accept-Language": "pt"}
    ).text
    turn = html.split('id="turn-h"')[1].split("</section>")[0]
    # Then the sentence is Portuguese and the organisation's name sits in a <bdi>
    b = setup.orgs["b"]
    assert f'<bdi><a href="/organisations/{b}" dir="auto">b organisation</a></bdi>' in turn
    assert "aguarda que" in turn and "tempo de pessoal" in turn


def test_every_kind_of_page_renders_in_portuguese(
    auth: Auth, client: FlaskClient, person: Browser
) -> None:
    # Given a partnership in force with a pledge delivered, read by a member and an admin
    setup = active_partnership(auth, client)
    cid = setup.pledge("b", value="12.5")
    setup.deliver("b", cid, quantity="2.5")
    org = setup.orgs["b"]
    pages = [
        (
            setup.partners["a"],
            [
                "/",
                "/partnerships",
                setup.url,
                f"{setup.url}/timeline",
                f"{setup.url}/fields",
                f"/commitments/{cid}/fields",
                "/organisations",
                f"/organisations/{org}",
                f"/organisations/{org}/fields",
            ],
        ),
        (auth.admin, ["/", "/people", "/audit"]),
        (auth.broker, ["/", "/people"]),
    ]
    for caller, paths in pages:
        reader = person(caller)
        for path in paths:
            # When each is opened in Portuguese
            response = reader.client.get(
                f"{path}{'&' if '?' in path else '?'}min_position={setup.head()}",
                headers={"Accept-Language": "pt"},
            )
            # Then it renders, in Portuguese
            assert response.status_code == 200, (path, response.text[:500])
            assert HTML_LANG_RE.findall(response.text) == ["pt"], path
            assert "Terminar sessão" in response.text, path
    # And a page that is not there says so in Portuguese
    missing = person(auth.broker).client.get(
        "/organisations/not-an-id", headers={"Accept-Language": "pt"}
    )
    assert missing.status_code == 404 and "<h1>Não encontrado</h1>" in missing.text
    assert "essa organização não existe" in missing.text


def test_the_domains_refusals_are_translated(flask_app: Flask) -> None:
    with flask_app.test_request_context(headers={"Accept-Language": "pt"}):
        assert all(translated(m) != m for m in (*DOMAIN, *RULES, *INPUT))
        assert translated("the organisation is already invited") == (
            "a organização já tem o estado de membro «convidado»"
        )
        assert translated("terms.period.end: must not be before the start") == (
            "terms.period.end: não deve ser anterior ao início"
        )
