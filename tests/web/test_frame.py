"""The frame: sign-in required, security headers, assets, error pages as HTML."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from tests.api.conftest import Auth
from tests.web.conftest import Person


def test_a_page_sends_someone_not_signed_in_to_the_sign_in_form(client: FlaskClient) -> None:
    # Given nobody signed in, When they open home, Then they are sent to sign in, back after
    response = client.get("/?since=today")
    assert response.status_code == 302
    assert response.headers["Location"] == "/signin?next=%2F%3Fsince%3Dtoday"


def test_every_html_response_forbids_inline_script(client: FlaskClient) -> None:
    for path in ("/signin", "/no-such-page", "/v1/docs"):
        response = client.get(path)
        assert response.mimetype == "text/html", path
        policy = response.headers["Content-Security-Policy"]
        assert (
            "script-src 'self';" in policy
            and "unsafe-inline'; img" not in policy.split("script-src")[1][:20]
        ), path
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in client.get("/v1/docs").text
    start = client.get("/v1/docs/assets/collab-start.js")
    assert start.status_code == 200 and "SwaggerUIBundle" in start.text


def test_assets_have_cache_busting_names(client: FlaskClient) -> None:
    html = client.get("/signin").text
    href = html.split('rel="stylesheet" href="')[1].split('"')[0]
    assert href.startswith("/static/collab.") and href.endswith(".css") and len(href) > 25
    response = client.get(href)
    assert response.status_code == 200 and "immutable" in response.headers["Cache-Control"]
    assert client.get("/static/collab.000000000000.css").status_code == 404


def test_an_unknown_page_is_an_html_not_found_and_the_api_stays_json(
    client: FlaskClient, auth: Auth
) -> None:
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "<h1>Not found</h1>" in page.text
    api = client.get("/v1/no-such-thing", headers=auth.admin.headers())
    assert api.status_code == 404 and api.mimetype == "application/problem+json"
    assert "Set-Cookie" not in api.headers


def test_signed_in_home_names_the_person(person: Callable[..., Person], auth: Auth) -> None:
    status, html = person(auth.broker).get("/")
    assert status == 200 and "Sign out" in html and "(broker)" in html
