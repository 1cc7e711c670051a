"""People: sign-in links issued on the page, over the API and on the command line."""

from __future__ import annotations

import re

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from api.cli import main
from api.cli_admin import first_admin_link
from api.service import Service
from tests.api.conftest import Auth, register_org
from tests.web.conftest import Person, csrf_of
from web.roster import enrolled

LINK_RE = re.compile(r'<code id="signin-link">(http://localhost/signin/link/link_[^<]+)</code>')


def service_of(app: Flask) -> Service:
    svc: Service = app.extensions["collab"]
    return svc


def test_an_admin_issues_a_link_that_signs_the_person_in(flask_app: Flask, auth: Auth) -> None:
    # Given an admin on the People page and a broker without a passphrase
    admin = Person(flask_app, auth.admin).sign_in()
    broker = auth.broker
    status, html = admin.get("/people")
    assert status == 200 and f'id="actor-{broker.actor_id}"' in html
    # When the admin issues the broker a link
    status, html = admin.post(f"/people/{broker.actor_id}/link", {}, from_page="/people")
    # Then the page shows it once, and it lets the broker in
    assert status == 201
    found = LINK_RE.search(html)
    assert found is not None
    path = found.group(1).removeprefix("http://localhost")
    assert flask_app.test_client().get(path).status_code == 303
    assert LINK_RE.search(admin.get("/people")[1]) is None


def test_a_broker_sees_and_links_only_partners_of_organisations_it_registered(
    flask_app: Flask, auth: Auth, client: FlaskClient
) -> None:
    mine = auth.actor("partner", register_org(client, auth))
    other_broker = auth.named("other", "broker")
    theirs_org = client.post(
        "/v1/organisations",
        json={
            "identifiers": [{"scheme": "PT-NIPPC", "id": "509999999"}],
            "legal_name": "Someone else's",
            "org_type": 22,
            "sector": "civil_society",
            "territory": {"country": "PT", "nuts": "PT1C2"},
        },
        headers=other_broker.headers(),
    ).json["result"]["organisation_id"]  # type: ignore[index]
    theirs = auth.actor("partner", theirs_org)
    broker = Person(flask_app, auth.broker).sign_in()
    _, html = broker.get("/people")
    assert f'id="actor-{mine.actor_id}"' in html
    assert theirs.actor_id not in html and auth.admin.actor_id not in html
    assert "Add a person" not in html  # enrolling is an admin's
    refused, page = broker.post(f"/people/{theirs.actor_id}/link", {}, from_page="/people")
    assert refused == 404 and "<h1>Not found</h1>" in page
    issued, _ = broker.post(f"/people/{mine.actor_id}/link", {}, from_page="/people")
    assert issued == 201


def test_partners_and_auditors_have_no_people_page(
    flask_app: Flask, auth: Auth, client: FlaskClient
) -> None:
    partner = Person(flask_app, auth.actor("partner", register_org(client, auth))).sign_in()
    assert partner.get("/people")[0] == 403
    assert Person(flask_app, auth.auditor()).sign_in().get("/people")[0] == 403


def test_an_admin_adds_a_person_and_a_refusal_keeps_the_input(flask_app: Flask, auth: Auth) -> None:
    svc = service_of(flask_app)
    admin = Person(flask_app, auth.admin).sign_in()
    head = svc.head()
    status, html = admin.post(
        "/people", {"name": "Paula", "role": "partner", "organisation_id": ""}, from_page="/people"
    )
    assert status == 422 and "a partner is bound to an organisation" in html
    assert 'value="Paula"' in html and svc.head() == head  # nothing recorded
    response = admin.client.post(
        "/people",
        data={"csrf_token": csrf_of(admin.get("/people")[1]), "name": "Aldo", "role": "auditor"},
    )
    assert response.status_code == 303
    with svc.read.reader() as conn:
        roles = [e.role for e in enrolled(conn, svc.read.tables)]
    assert roles.count("auditor") == 1 and svc.head() == head + 1
    assert "Aldo" in admin.get("/people")[1]


def test_the_api_issues_links_with_the_same_rule(
    flask_app: Flask, auth: Auth, client: FlaskClient
) -> None:
    target = auth.actor("partner", register_org(client, auth))
    made = client.post(
        f"/v1/actors/{target.actor_id}/signin-links", json={}, headers=auth.broker.headers()
    )
    assert made.status_code == 201
    body = made.json
    assert body is not None and body["actor_id"] == target.actor_id
    assert body["link"].startswith("http://localhost/signin/link/link_")
    followed = flask_app.test_client().get(body["link"].removeprefix("http://localhost"))
    assert followed.status_code == 303
    itself = client.post(
        f"/v1/actors/{target.actor_id}/signin-links", json={}, headers=target.headers()
    )
    assert itself.status_code == 403


def test_the_first_admin_is_enrolled_once_and_linked_until_it_signs_in(flask_app: Flask) -> None:
    svc = service_of(flask_app)
    first = first_admin_link(svc, "http://127.0.0.1:8000")
    again = first_admin_link(svc, "http://127.0.0.1:8000")
    assert first is not None and again is not None and first != again
    with svc.read.reader() as conn:
        admins = [e for e in enrolled(conn, svc.read.tables) if e.role == "admin"]
    assert len(admins) == 1 and svc.credentials.name_of(admins[0].actor_id) == "Administrator"
    assert (
        flask_app.test_client().get(first.removeprefix("http://127.0.0.1:8000")).status_code == 404
    )
    browser = flask_app.test_client()
    assert browser.get(again.removeprefix("http://127.0.0.1:8000")).status_code == 303
    csrf = csrf_of(browser.get("/signin/welcome").text)
    phrase = "first admin passphrase"
    browser.post(
        "/signin/welcome",
        data={"csrf_token": csrf, "login": "root", "passphrase": phrase, "repeat": phrase},
    )
    assert first_admin_link(svc, "http://127.0.0.1:8000") is None


def test_the_command_line_prints_a_link(tmp_path: object, monkeypatch: object) -> None:
    import pytest

    mp: pytest.MonkeyPatch = monkeypatch  # type: ignore[assignment]
    mp.setenv("COLLAB_DATA_DIR", str(tmp_path))
    mp.delenv("COLLAB_DATABASE_URL", raising=False)
    mp.setenv("COLLAB_PUBLIC_URL", "https://collab.example.org/")
    runner = CliRunner()
    made = runner.invoke(main, ["actors", "create", "--name", "Bea", "--role", "broker"])
    actor_id = made.output.split()[1]
    printed = runner.invoke(main, ["people", "link", actor_id])
    assert printed.exit_code == 0, printed.output
    assert printed.output.startswith("https://collab.example.org/signin/link/link_")
    unknown = runner.invoke(main, ["people", "link", "00000000-0000-0000-0000-000000000000"])
    assert unknown.exit_code == 1 and "no actor" in unknown.output


def test_once_a_partner_has_signed_in_only_an_admin_issues_it_a_link(
    flask_app: Flask, auth: Auth, client: FlaskClient
) -> None:
    # Given a partner of an organisation the broker registered, signed in once
    partner = Person(flask_app, auth.actor("partner", register_org(client, auth))).sign_in()
    broker = Person(flask_app, auth.broker).sign_in()
    _, html = broker.get("/people")
    # Then the broker sees that it has signed in, not its sign-in name
    assert "has signed in" in html and partner.login not in html
    # And a new link (which would replace its passphrase) is not the broker's to issue
    path = f"/v1/actors/{partner.caller.actor_id}/signin-links"
    assert client.post(path, json={}, headers=auth.broker.headers()).status_code == 403
    assert broker.post(f"/people/{partner.caller.actor_id}/link", {}, from_page="/people")[0] == 403
    assert client.post(path, json={}, headers=auth.admin.headers()).status_code == 201
    assert partner.login in Person(flask_app, auth.admin).sign_in().get("/people")[1]


def test_a_broker_adding_a_person_is_refused_before_its_input_is_read(
    flask_app: Flask, auth: Auth
) -> None:
    svc = service_of(flask_app)
    broker = Person(flask_app, auth.broker).sign_in()
    head = svc.head()
    for form in ({"name": "", "role": "admin"}, {"name": "Eve", "role": "nonsense"}):
        assert broker.post("/people", form, from_page="/people")[0] == 403
    assert svc.head() == head
