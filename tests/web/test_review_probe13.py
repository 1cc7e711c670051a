"""Scratch probe 13: booleans."""
from __future__ import annotations
from tests.web.test_forms_membership import negotiating, member
from tests.web.test_forms_organisations import posted


def test_probe(flask_app, auth, client, person) -> None:
    setup, pid = negotiating(auth, client)
    broker = person(setup.broker)
    form = {"organisation_id": setup.orgs["b"], "roles": ["implementer"], "weight": "1", "signatory": "maybe"}
    r = posted(broker, f"/partnerships/{pid}/invite", form)
    print("INVITE", r.status_code)
    if r.status_code == 303:
        print("SIGNATORY", member(client, auth, pid, setup.orgs["b"])["signatory"])
    api = client.post(f"/v1/partnerships/{pid}/members", json={"organisation_id": setup.org("c"), "roles": ["implementer"], "weight": 1, "signatory": "maybe"}, headers=auth.broker.headers())
    print("API", api.status_code)
