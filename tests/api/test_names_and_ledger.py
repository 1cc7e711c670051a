"""Names beside ids (the register's legal names) in the partnership view and the timeline,
and an organisation's ledger of the commitments it made and those it receives, with
totals per contribution type, unit and currency — filtered by what the caller sees."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from collab.commitments.commands import ConfirmCommitment, Pledge, WithdrawCommitment
from collab.organisations.commands import GrantMandate
from collab.partnerships.commands import InviteMember, WithdrawMembership
from collab.stores import StoreConfig
from tests.api.conftest import Auth, Caller, make_app
from tests.api.setup_partnership import Setup, active_partnership, command, initiation


@pytest.fixture
def flask_app(store_config: StoreConfig) -> Iterator[Flask]:
    """Every test here on memory, SQLite and PostgreSQL."""
    app = make_app(store_config)
    yield app
    app.extensions["collab"].close()


def ok(client: FlaskClient, caller: Caller, path: str, **query: Any) -> Any:
    response = client.get(f"/v1{path}", query_string=query, headers=caller.headers())
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def pledge(
    setup: Setup,
    key: str,
    *,
    to: str = "pool",
    kind: str = "staff_time",
    value: str = "10",
    unit: str = "hour",
    worth: tuple[str, str] | None = None,
) -> str:
    """Given a confirmed pledge of `key`'s organisation; `worth` is (amount, currency)."""
    valuation: dict[str, Any] = {"method": "not_valued"}
    if worth is not None:
        method = "actual_cost" if kind == "cash" else "market_value"
        valuation = {"method": method, "amount": worth[0], "currency": worth[1]}
    out = setup.app.execute(
        setup.as_(key),
        Pledge(
            setup.partnership_id,
            contribution_type=kind,
            quantity={"value": value, "unit": unit},
            valuation=valuation,
            recipient=setup.orgs[to] if to != "pool" else "pool",
        ),
    )
    cid: str = out.result["commitment_id"]
    setup.app.execute(setup.as_(key), ConfirmCommitment(cid))
    return cid


def names_of(setup: Setup) -> dict[str, str]:
    """Each organisation's id and its registered name ('b organisation' for b)."""
    return {org: f"{key} organisation" for key, org in setup.orgs.items()}


def commitments_of(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["commitment_id"]: c for m in view["members"] for c in m["commitments"]}


def test_the_view_names_every_organisation_beside_its_id(auth: Auth, client: FlaskClient) -> None:
    # Given a partnership of a (the lead), b and c; b pledges to c, a to the pool; and a
    # decision about b
    setup = active_partnership(auth, client)
    to_c, to_pool = pledge(setup, "b", to="c"), pledge(setup, "a")
    setup.decide("declare_defaulting", setup.orgs["b"])
    names = names_of(setup)
    # When a partner of a reads the view
    view = ok(client, setup.partners["a"], f"{setup.url}/view")
    # Then every organisation id has the register's legal name beside it
    assert view["lead_organisation_name"] == "a organisation"
    assert {m["organisation_id"]: m["organisation_name"] for m in view["members"]} == names
    found = commitments_of(view)
    assert (found[to_c]["organisation_name"], found[to_c]["recipient_name"]) == (
        "b organisation",
        "c organisation",
    )
    assert (found[to_pool]["organisation_name"], found[to_pool]["recipient_name"]) == (
        "a organisation",
        None,  # the pool is no organisation
    )
    assert {s["organisation_name"] for s in view["signatures"]} == set(names.values())
    assert all(s["organisation_name"] == names[s["organisation_id"]] for s in view["signatures"])
    (decision,) = view["decisions"]
    assert decision["organisation_name"] == "b organisation"


def test_an_invitation_names_the_invited_organisation(auth: Auth, client: FlaskClient) -> None:
    # Given d invited to a partnership it has not answered
    setup = Setup(auth, client)
    pid = setup.app.execute(command(setup.broker), initiation()).result["partnership_id"]
    invite = InviteMember(pid, organisation_id=setup.org("d"), roles=["funder"], weight=1)
    setup.app.execute(command(setup.broker), invite)
    # When d reads the partnership, Then its invitation carries its name
    view = ok(client, setup.partners["d"], f"/partnerships/{pid}/view")
    assert set(view) == {"partnership_id", "title", "need_statement", "invitation"}
    assert view["invitation"]["organisation_id"] == setup.orgs["d"]
    assert view["invitation"]["organisation_name"] == "d organisation"


def test_the_timeline_names_the_organisations_each_entry_mentions(
    auth: Auth, client: FlaskClient
) -> None:
    # Given a partnership of a, b and c, a broker under b's mandate, and a pledge it makes
    # on b's behalf to c
    setup = active_partnership(auth, client)
    setup.app.execute(
        setup.as_("b"),
        GrantMandate(organisation_id=setup.orgs["b"], broker_id=auth.broker.actor_id),
    )
    body = {
        "contribution_type": "expertise",
        "quantity": {"value": "2", "unit": "day"},
        "valuation": {"method": "not_valued"},
        "recipient": setup.orgs["c"],
        "on_behalf_of": setup.orgs["b"],
    }
    pledged = setup.post(auth.broker, "./commitments", body)
    assert pledged.status_code == 201, pledged.json
    cid = pledged.json["result"]["commitment_id"]  # type: ignore[index]
    names = names_of(setup)
    # When the broker reads the partnership's history
    entries = ok(client, auth.broker, f"{setup.url}/history", limit=500)["items"]
    # Then each entry names the organisations its data and envelope mention
    invited = [e for e in entries if e["event_type"] == "MemberInvited"]
    for e in invited:
        org = e["data"]["membership"]["organisation"]
        assert e["names"] == {org: names[org]}
    (in_force,) = [e for e in entries if e["event_type"] == "AgreementEnteredIntoForce"]
    assert in_force["names"] == names
    (opened,) = [e for e in entries if e["event_type"] == "VersionOpenedForSignature"]
    assert opened["names"] == {}
    # And the pledge names its maker (on whose behalf it was made) and its recipient
    own = ok(client, auth.broker, f"/commitments/{cid}/history")["items"]
    assert own[0]["event_type"] == "Pledged" and own[0]["on_behalf_of"] == setup.orgs["b"]
    assert own[0]["names"] == {o: names[o] for o in (setup.orgs["b"], setup.orgs["c"])}


def test_a_renamed_organisation_shows_its_new_name(auth: Auth, client: FlaskClient) -> None:
    # Given b's pledge to c, and the position before b's legal name is corrected
    setup = active_partnership(auth, client)
    cid = pledge(setup, "b", to="c")
    before = setup.head()
    b, c = setup.orgs["b"], setup.orgs["c"]
    captured = ok(client, setup.partners["a"], f"{setup.url}/view")
    # When b corrects its legal name
    corrected = setup.post(
        setup.partners["b"], f"/organisations/{b}/corrections", {"changes": {"legal_name": "Bê"}}
    )
    assert corrected.status_code == 200, corrected.json
    # Then the view, the timeline and the ledger give its new name
    view = ok(client, setup.partners["a"], f"{setup.url}/view")
    assert {m["organisation_id"]: m["organisation_name"] for m in view["members"]}[b] == "Bê"
    assert commitments_of(view)[cid]["organisation_name"] == "Bê"
    entries = ok(client, setup.partners["a"], f"{setup.url}/history", limit=500)["items"]
    assert all(e["names"].get(b, "Bê") == "Bê" for e in entries)
    assert sum(b in e["names"] for e in entries) >= 4  # invited, joined, signed, in force …
    received = ok(client, setup.partners["c"], f"/organisations/{c}/ledger")["received"]
    assert [(x["commitment_id"], x["organisation_name"]) for x in received] == [(cid, "Bê")]
    # And the view as of before the correction has names too: the register's current ones
    as_of = ok(client, setup.partners["a"], f"{setup.url}/view", as_of_position=before)
    assert commitments_of(as_of)[cid]["organisation_name"] == "Bê"
    assert as_of["lead_organisation_name"] == "a organisation"
    assert as_of == view and captured != view  # only the register changed since


def test_a_ledger_lists_what_the_organisation_made_and_receives_with_totals(
    auth: Auth, client: FlaskClient
) -> None:
    # Given, to c: 10 and 5 hours of b's staff valued 200 and 100 EUR, 50 EUR of a's cash,
    # 3 days of a's premises valued 120 CHF, 4 hours of b's later withdrawn; and 7 hours
    # of b's to the pool; 6 of b's first 10 hours are delivered
    setup = active_partnership(auth, client)
    first = pledge(setup, "b", to="c", value="10", worth=("200", "EUR"))
    second = pledge(setup, "b", to="c", value="5", worth=("100", "EUR"))
    cash = pledge(setup, "a", to="c", kind="cash", value="50", unit="EUR", worth=("50", "EUR"))
    rooms = pledge(setup, "a", to="c", kind="premises", value="3", unit="day", worth=("120", "CHF"))
    dropped = pledge(setup, "b", to="c", value="4")
    setup.app.execute(setup.as_("b", reason="no staff"), WithdrawCommitment(dropped))
    to_pool = pledge(setup, "b", value="7")
    setup.deliver("b", first, quantity="6")
    c = setup.orgs["c"]
    # When c reads its own ledger
    books = ok(client, setup.partners["c"], f"/organisations/{c}/ledger")
    # Then it made nothing and receives the commitments made to it, not the pool's
    assert books["commitments"] == [] and books["totals_by_type"] == []
    assert sorted(x["commitment_id"] for x in books["received"]) == sorted(
        [first, second, cash, rooms, dropped]
    )
    assert all(x["recipient_name"] == "c organisation" for x in books["received"])
    assert {x["commitment_id"]: x["organisation_name"] for x in books["received"]}[cash] == (
        "a organisation"
    )
    # And its totals add up per unit, per contribution type and per currency (withdrawn: 0)
    totals = books["received_totals"]
    assert [(u["unit"], u["committed"], u["delivered"]) for u in totals["totals_by_unit"]] == [
        ("EUR", "50", "0"),
        ("day", "3", "0"),
        ("hour", "15", "6"),
    ]
    assert totals["valuation_by_currency"] == [
        {"currency": "CHF", "amount": "120"},
        {"currency": "EUR", "amount": "350"},
    ]
    assert [
        (t["contribution_type"], t["unit"], t["committed"], t["valuation_by_currency"])
        for t in totals["totals_by_type"]
    ] == [
        ("cash", "EUR", "50", [{"currency": "EUR", "amount": "50"}]),
        ("premises", "day", "3", [{"currency": "CHF", "amount": "120"}]),
        ("staff_time", "hour", "15", [{"currency": "EUR", "amount": "300"}]),
    ]
    # And b's ledger lists what b made, the pool's included, with the same kind of totals
    made = ok(client, setup.partners["a"], f"/organisations/{setup.orgs['b']}/ledger")
    assert sorted(x["commitment_id"] for x in made["commitments"]) == sorted(
        [first, second, dropped, to_pool]
    )
    assert made["received"] == []
    assert made["totals_by_type"] == [
        {
            "contribution_type": "staff_time",
            "unit": "hour",
            "committed": "22",
            "delivered": "6",
            "confirmed": "0",
            "fulfilment_ratio": "0.0000",
            "surplus": "0",
            "valuation_by_currency": [{"currency": "EUR", "amount": "300"}],
        }
    ]
    assert made["valuation_by_currency"] == [{"currency": "EUR", "amount": "300"}]
    # And the lead, who confirms the pool's deliveries, does not receive the pool's pledge
    lead = ok(client, setup.partners["b"], f"/organisations/{setup.orgs['a']}/ledger")
    assert lead["received"] == [] and to_pool not in str(lead)


def test_a_caller_sees_no_commitment_made_or_received_where_it_sees_no_partnership(
    auth: Auth, client: FlaskClient
) -> None:
    # Given b's pledge to c before d leaves, and one after
    setup = active_partnership(auth, client, ("a", "b", "c", "d"))
    before = pledge(setup, "b", to="c", value="10", worth=("200", "EUR"))
    setup.app.execute(setup.as_("d"), WithdrawMembership(setup.partnership_id))
    after = pledge(setup, "b", to="c", value="5", worth=("100", "EUR"))
    stranger = Setup(auth, client)
    stranger.org("z")
    b, c = setup.orgs["b"], setup.orgs["c"]
    # When an organisation outside the partnership reads c's and b's ledgers
    for org in (b, c):
        books = ok(client, stranger.partners["z"], f"/organisations/{org}/ledger")
        # Then it sees no commitment, made or received, and totals of nothing
        assert books["commitments"] == [] and books["received"] == []
        assert books["received_totals"] == {
            "totals_by_unit": [],
            "valuation_by_currency": [],
            "totals_by_type": [],
        }
        assert before not in str(books) and after not in str(books)
    # And the former member d sees what c received up to its exit only
    seen = ok(client, setup.partners["d"], f"/organisations/{c}/ledger")
    assert [x["commitment_id"] for x in seen["received"]] == [before]
    assert seen["received"][0]["organisation_name"] == "b organisation"
    assert seen["received_totals"]["valuation_by_currency"] == [
        {"currency": "EUR", "amount": "200"}
    ]
    # While a member sees both
    full = ok(client, setup.partners["a"], f"/organisations/{c}/ledger")
    assert sorted(x["commitment_id"] for x in full["received"]) == sorted([before, after])
    assert full["received_totals"]["valuation_by_currency"] == [
        {"currency": "EUR", "amount": "300"}
    ]
