"""Who amends an organisation and who sees its contacts (DESIGN §3 rows): not any broker."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from collab.domain.envelope import Acting, Actor
from collab.domain.errors import ForbiddenError
from collab.domain.organisation import Organisation
from collab.organisations.commands import GrantMandate
from collab.partnerships.commands import (
    CancelPartnership,
    InviteMember,
    JoinPartnership,
)
from tests.api.conftest import Auth, Caller, head, register_org
from tests.api.setup_partnership import command, initiation, problem_type

CORRECT = {"changes": {"legal_name": "Renamed"}}
CLASSIFY = {"org_type": 60, "sector": "private"}
CONTACT = {"name": "Ana", "email": "ana@example.org", "role": "chair"}


def post(client: FlaskClient, who: Caller, path: str, body: Any) -> Any:
    return client.post(f"/v1{path}", json=body, headers=who.headers())


@pytest.mark.parametrize(("path", "body"), [("corrections", CORRECT), ("classification", CLASSIFY)])
def test_a_broker_that_neither_registered_nor_holds_a_mandate_may_not_amend(
    flask_app: Flask, client: FlaskClient, auth: Auth, path: str, body: dict[str, Any]
) -> None:
    # Given an organisation registered by one broker
    org = register_org(client, auth)
    stranger = auth.actor("broker")
    before = head(flask_app)
    # When another broker, in its own right, corrects, reclassifies or adds a contact
    response = post(client, stranger, f"/organisations/{org}/{path}", body)
    # Then it is refused (the register is public: 403), with a problem body, and nothing moves
    assert response.status_code == 403, response.json
    assert problem_type(response) == "forbidden"
    assert head(flask_app) == before
    # And the registrar may
    again = post(client, auth.broker, f"/organisations/{org}/{path}", body)
    assert again.status_code == 200, again.json


def test_contacts_follow_the_partnerships_a_broker_brokers(
    flask_app: Flask, client: FlaskClient, auth: Auth
) -> None:
    # Given an organisation its registrar has not yet brought into any partnership
    org = register_org(client, auth)
    contacts = f"/organisations/{org}/contacts"
    before = head(flask_app)
    # Then the registrar does not see or keep its contacts (DESIGN §3 contacts row)
    assert post(client, auth.broker, contacts, CONTACT).status_code == 403
    # When the broker starts a partnership and invites the organisation
    svc = flask_app.extensions["collab"]
    out = svc.app.execute(
        command(auth.broker),
        initiation(),
    )
    pid = out.result["partnership_id"]
    invite = InviteMember(pid, organisation_id=org, roles=["implementer"], weight=1)
    svc.app.execute(command(auth.broker), invite)
    assert head(flask_app) > before
    # Then an invitation the organisation has not answered is no tie (else any broker could
    # reach any organisation's contacts by inviting it)
    assert post(client, auth.broker, contacts, CONTACT).status_code == 403
    # When the organisation joins
    svc.app.execute(command(auth.actor("partner", org)), JoinPartnership(pid))
    # Then it keeps them, and sees them
    assert post(client, auth.broker, contacts, CONTACT).status_code == 201
    shown = client.get(f"/v1{contacts}", headers=auth.broker.headers())
    assert [c["email"] for c in shown.json["items"]] == ["ana@example.org"]  # type: ignore[index]


def test_a_stranger_broker_does_not_see_contacts_and_nothing_leaks(
    client: FlaskClient, auth: Auth
) -> None:
    org = register_org(client, auth)
    partner = auth.actor("partner", org)
    assert post(client, partner, f"/organisations/{org}/contacts", CONTACT).status_code == 201
    stranger = auth.actor("broker")
    response = client.get(f"/v1/organisations/{org}/contacts", headers=stranger.headers())
    assert response.status_code == 403
    added = post(client, stranger, f"/organisations/{org}/contacts", {**CONTACT, "name": "Eve"})
    assert added.status_code == 403 and problem_type(added) == "forbidden"
    assert "ana@example.org" not in response.get_data(as_text=True)
    # An auditor sees none either
    auditor = auth.actor("auditor")
    response = client.get(f"/v1/organisations/{org}/contacts", headers=auditor.headers())
    assert response.status_code == 403


def test_a_broker_under_the_organisations_mandate_for_all_its_partnerships_may_amend(
    flask_app: Flask, client: FlaskClient, auth: Auth
) -> None:
    # Given an organisation whose partner gives a second broker a mandate for everything
    org = register_org(client, auth)
    partner, agent = auth.actor("partner", org), auth.actor("broker")
    svc = flask_app.extensions["collab"]
    svc.app.execute(command(partner), GrantMandate(org, broker_id=agent.actor_id))
    # When the broker corrects it on the organisation's behalf, Then it is recorded
    body = {**CORRECT, "on_behalf_of": org}
    response = post(client, agent, f"/organisations/{org}/corrections", body)
    assert response.status_code == 200, response.json
    assert svc.app.get_organisation(org).legal_name == "Renamed"
    # And it sees and keeps the organisation's contacts
    added = post(client, agent, f"/organisations/{org}/contacts", CONTACT)
    assert added.status_code == 201, added.json


def test_a_partner_corrects_and_reclassifies_its_own_organisation_only(
    flask_app: Flask, client: FlaskClient, auth: Auth
) -> None:
    mine, other = register_org(client, auth), register_org(client, auth)
    partner = auth.actor("partner", mine)
    assert (
        post(client, partner, f"/organisations/{mine}/classification", CLASSIFY).status_code == 200
    )
    before = head(flask_app)
    refused = post(client, partner, f"/organisations/{other}/classification", CLASSIFY)
    assert refused.status_code == 403 and head(flask_app) == before


def test_an_organisation_snapshot_from_before_the_registrar_was_kept_reads_back(
    flask_app: Flask, client: FlaskClient, auth: Auth
) -> None:
    # Given a version-1 snapshot: today's, without the registrar and the version mark
    org = flask_app.extensions["collab"].app.get_organisation(register_org(client, auth))
    taken = Organisation.Snapshot.take(org)
    assert taken.state["registered_by"] == auth.broker.actor_id
    old = {k: v for k, v in taken.state.items() if k not in ("registered_by", "class_version")}
    # When the library restores it, Then it reads back, its registrar unknown
    restored = replace(taken, state=old).mutate(None)
    assert isinstance(restored, Organisation) and restored.registered_by is None
    assert restored.legal_name == org.legal_name and restored.version == org.version
    # And then no broker amends it as its registrar; an admin still may
    registrar = Acting(Actor(auth.broker.actor_id, "broker"), None)
    with pytest.raises(ForbiddenError):
        restored.check_amender(registrar)
    restored.check_amender(Acting(Actor(auth.admin.actor_id, "admin"), None))


def test_fellow_members_see_each_others_contacts_while_the_partnership_is_open(
    flask_app: Flask, client: FlaskClient, auth: Auth
) -> None:
    # Given two organisations that joined one partnership
    svc = flask_app.extensions["collab"]
    x, y = register_org(client, auth), register_org(client, auth)
    pid = svc.app.execute(command(auth.broker), initiation()).result["partnership_id"]
    for org in (x, y):
        invite = InviteMember(pid, organisation_id=org, roles=["implementer"], weight=1)
        svc.app.execute(command(auth.broker), invite)
        svc.app.execute(command(auth.actor("partner", org)), JoinPartnership(pid))
    assert post(client, auth.actor("partner", x), f"/organisations/{x}/contacts", CONTACT)
    reader = auth.actor("partner", y)
    # Then y's partner sees x's contacts (and may not keep them)
    url = f"/v1/organisations/{x}/contacts"
    assert client.get(url, headers=reader.headers()).status_code == 200
    assert post(client, reader, f"/organisations/{x}/contacts", CONTACT).status_code == 403
    # When the partnership is cancelled, Then the tie is gone, for the broker too
    svc.app.execute(command(auth.broker), CancelPartnership(pid))
    assert client.get(url, headers=reader.headers()).status_code == 403
    assert client.get(url, headers=auth.broker.headers()).status_code == 403
