"""The register's forms: register an organisation, grant and revoke a mandate. Each builds
the API's command; success records it and redirects, a refusal records nothing and shows
the form again with the person's input and the problem's text."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.api.conftest import Auth, Caller, head, register_org
from tests.web.conftest import Person

People = Callable[[Caller], Person]
NEW = "/organisations/new"


def organisation_form(**changes: str) -> dict[str, str]:
    """A complete registration form, as a person fills it in."""
    form = {
        "legal_name": "Associação Terra Viva",
        "identifiers.0.scheme": "PT-NIPPC",
        "identifiers.0.id": str(uuid.uuid4().int)[:9],
        "identifiers.1.scheme": "",
        "identifiers.1.id": "",
        "org_type": "22",
        "sector": "civil_society",
        "territory.country": "PT",
        "territory.nuts": "PT1C2",
        "territory.lau": "",
        "reason": "Joins the Mértola care rounds",
    }
    return {**form, **changes}


def api_get(client: FlaskClient, caller: Caller, path: str) -> Any:
    response = client.get(f"/v1{path}", headers=caller.headers())
    assert response.status_code == 200, response.json
    return response.json


def posted(person: Person, path: str, form: dict[str, Any]) -> Any:
    """Post a form; the raw response (its status, Location and body)."""
    token = re.search(r'name="csrf_token" value="([^"]+)"', person.client.get("/").text)
    assert token is not None
    return person.client.post(path, data={"csrf_token": token.group(1), **form})


def test_a_broker_registers_an_organisation_and_lands_on_its_page(
    flask_app: Flask, auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given a broker signed in, who sees the link on the register
    broker = person(auth.broker)
    assert 'href="/organisations/new"' in broker.get("/organisations")[1]
    status, html = broker.get(NEW)
    assert status == 200 and '<option value="PT-NIPPC"' in html
    assert "Academic, training and research (80)" in html  # the sector table's hint
    # When it sends the form
    form = organisation_form()
    response = posted(broker, NEW, form)
    # Then the organisation is recorded as the API registers it, and its page is shown next
    assert response.status_code == 303
    oid = response.headers["Location"].rsplit("/", 1)[1]
    assert response.headers["Location"] == f"/organisations/{oid}"
    body = api_get(client, auth.admin, f"/organisations/{oid}")
    assert body["legal_name"] == "Associação Terra Viva"
    assert body["identifiers"] == [{"scheme": "PT-NIPPC", "id": form["identifiers.0.id"]}]
    assert (body["org_type"], body["sector"]) == (22, "civil_society")
    assert body["territory"] == {"country": "PT", "nuts": "PT1C2", "lau": None}
    status, html = broker.get(f"/organisations/{oid}")
    assert status == 200 and "Associação Terra Viva" in html


def test_a_refused_registration_keeps_the_input_says_why_and_records_nothing(
    flask_app: Flask, auth: Auth, client: FlaskClient, person: People
) -> None:
    broker = person(auth.broker)
    before = head(flask_app)
    # When the legal name is missing: 422, the rest of the input kept, the field marked
    form = organisation_form(legal_name="")
    response = posted(broker, NEW, form)
    html = response.text
    assert response.status_code == 422
    assert "Nothing was recorded." in html and "legal_name" in html
    assert f'value="{form["identifiers.0.id"]}"' in html
    assert '<option value="PT-NIPPC" selected' in html and '<option value="PT" selected' in html
    assert 'id="f-legal_name-error"' in html
    # When the sector disagrees with the type (a private company declared public): 422
    response = posted(broker, NEW, organisation_form(org_type="70", sector="public"))
    assert response.status_code == 422
    assert "must be private for organisation type Private sector" in response.text
    assert 'id="f-sector-error"' in response.text
    assert head(flask_app) == before
    # When the identifier is already another organisation's: 409
    taken = organisation_form()
    assert posted(broker, NEW, taken).status_code == 303
    before = head(flask_app)
    response = posted(
        broker, NEW, organisation_form(**{"identifiers.0.id": taken["identifiers.0.id"]})
    )
    assert response.status_code == 409
    assert "is already registered" in response.text
    # Then nothing was recorded by any refusal
    assert head(flask_app) == before


def test_partners_and_auditors_get_no_registration_form(
    flask_app: Flask, auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given a partner and an auditor
    partner = person(auth.actor("partner", register_org(client, auth)))
    auditor = person(auth.auditor())
    before = head(flask_app)
    for who in (partner, auditor):
        # Then neither sees the link, the form, nor gets a registration through
        assert 'href="/organisations/new"' not in who.get("/organisations")[1]
        assert who.get(NEW)[0] == 403
        assert posted(who, NEW, organisation_form()).status_code == 403
    assert head(flask_app) == before


def mandates_of(client: FlaskClient, auth: Auth, oid: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api_get(client, auth.admin, f"/organisations/{oid}/mandates")[
        "items"
    ]
    return items


def test_a_partner_grants_a_mandate_then_revokes_it_after_a_confirmation(
    flask_app: Flask, auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given a partner of an organisation, on its organisation's page
    oid = register_org(client, auth)
    partner = person(auth.actor("partner", oid))
    assert f'href="/organisations/{oid}/mandates"' in partner.get(f"/organisations/{oid}")[1]
    page = f"/organisations/{oid}/mandates"
    assert partner.get(page)[0] == 200
    # When it grants the broker a mandate until the end of the year
    form = {"broker_id": auth.broker.actor_id, "partnership_id": "", "until": "2030-12-31"}
    response = posted(partner, page, {**form, "reason": "Signs for us"})
    # Then the mandate is recorded and shown on the mandates page
    [mandate] = mandates_of(client, auth, oid)
    assert response.status_code == 303
    assert response.headers["Location"] == f"{page}#mandate-{mandate['mandate_id']}"
    assert mandate["broker_id"] == auth.broker.actor_id and mandate["until"] == "2030-12-31"
    assert mandate["partnership_id"] is None and not mandate["revoked"]
    revoke = f"{page}/{mandate['mandate_id']}/revocation"
    assert f'href="{revoke}"' in partner.get(page)[1]
    # When it opens the revocation: a confirmation, with a button
    status, html = partner.get(revoke)
    assert status == 200 and "Revoke the mandate</button>" in html
    # And confirms
    response = posted(partner, revoke, {})
    assert response.status_code == 303 and response.headers["Location"].startswith(page)
    assert mandates_of(client, auth, oid)[0]["revoked"] is True
    # Then revoking it again is refused (409) and records nothing
    before = head(flask_app)
    response = posted(partner, revoke, {})
    assert response.status_code == 409 and "already revoked" in response.text
    assert head(flask_app) == before


def test_refused_mandates_record_nothing(
    flask_app: Flask, auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given an organisation with a partner, and a partner of another organisation
    oid = register_org(client, auth)
    partner = person(auth.actor("partner", oid))
    stranger = person(auth.actor("partner", register_org(client, auth)))
    others = (stranger, person(auth.broker), person(auth.auditor()))
    page = f"/organisations/{oid}/mandates"
    before = head(flask_app)
    # When the broker's id is missing: 422, the rest kept
    response = posted(partner, page, {"broker_id": "", "until": "2030-12-31"})
    assert response.status_code == 422
    assert 'value="2030-12-31"' in response.text and 'id="f-broker_id-error"' in response.text
    # When no broker has that id: 409
    response = posted(partner, page, {"broker_id": str(uuid.uuid4())})
    assert response.status_code == 409 and "no active broker has this id" in response.text
    # When a partner of another organisation, or the broker, or an auditor tries: 403
    for who in others:
        assert f'href="{page}"' not in who.get(f"/organisations/{oid}")[1]
        assert who.get(page)[0] == 403
        assert posted(who, page, {"broker_id": auth.broker.actor_id}).status_code == 403
    # And an unknown mandate is not found
    assert partner.get(f"{page}/{uuid.uuid4()}/revocation")[0] == 404
    # Then nothing was recorded
    assert head(flask_app) == before


def test_a_refused_list_item_marks_its_own_input(
    flask_app: Flask, auth: Auth, person: People
) -> None:
    # Given a broker whose identifier holds a space (the domain refuses it, at identifiers[0].id)
    broker = person(auth.broker)
    before = head(flask_app)
    response = posted(broker, NEW, organisation_form(**{"identifiers.0.id": "504 123"}))
    # Then the refusal marks that input (`identifiers.0.id`), keeps it, and records nothing
    assert response.status_code == 422, response.text
    assert 'id="f-identifiers-0-id-error"' in response.text
    assert 'aria-invalid="true"' in response.text and 'value="504 123"' in response.text
    assert head(flask_app) == before
