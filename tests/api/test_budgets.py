"""Budgets over HTTP (DESIGN §9): adopted by a steward under a set_budget decision, one view
of budget, committed, delivered and funded for those who see the partnership's content
(404 for the rest), the funds' rules for every signed-in caller, and 422s (never a 500)
for input no budget takes."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from flask.testing import FlaskClient

from collab.commitments.commands import ConfirmCommitment, ConfirmDelivery, Pledge, ReportDelivery
from tests.api.conftest import Auth
from tests.api.setup_partnership import Setup, outcome, problem_type
from tests.application.budgets import matched_plan, plan


@pytest.fixture
def setup(auth: Auth, client: FlaskClient) -> Setup:
    s = Setup(auth, client)
    s.start()
    return s


def in_kind(s: Setup, key: str, amount: str) -> str:
    """A confirmed commitment of `key` in kind: 100 hours valued at `amount` EUR."""
    out = s.app.execute(
        s.as_(key),
        Pledge(
            s.partnership_id,
            contribution_type="volunteer_time",
            quantity={"value": "100", "unit": "hour"},
            valuation={"amount": amount, "currency": "EUR", "method": "standard_rate"},
        ),
    )
    cid: str = out.result["commitment_id"]
    s.app.execute(s.as_(key), ConfirmCommitment(cid))
    return cid


def body(s: Setup, budget: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"decision_id": s.decide("set_budget"), "budget": budget or plan()}


def test_a_steward_adopts_a_budget_and_members_read_its_view(setup: Setup) -> None:
    # Given b's 100 volunteer hours valued at 1500 EUR, matched in kind for the ESF+ grant
    s = setup
    cid = in_kind(s, "b", "1500")
    match = [{"commitment_id": cid, "line_id": "visits", "source_id": "esf"}]
    # When the broker adopts the budget under a passed set_budget decision
    out = outcome(s.post(s.broker, "./budget", body(s, matched_plan(match))), 201)
    # Then the outcome names its number
    assert out["result"]["budget_number"] == 1
    # And b delivers 40 hours that a (the lead, for the pool) confirms
    delivered = s.app.execute(
        s.as_("b"), ReportDelivery(cid, quantity="40", delivered_on="2030-05-01")
    )
    s.app.execute(s.as_("a"), ConfirmDelivery(cid, delivered.result["delivery_id"]))
    # Then c (a member) reads the view: 600 EUR of 1500 delivered on the visits line
    view = s.client.get(f"/v1{s.url}/budget", headers=s.partners["c"].headers()).json
    assert view is not None
    visits = view["lines"][0]
    assert (visits["line_id"], visits["budget"], visits["committed"]) == ("visits", "10000", "1500")
    assert (visits["delivered"], visits["funded"], visits["commitments"]) == ("600", "8500", [cid])
    esf = view["sources"][0]
    assert (esf["amount"], esf["rate"], esf["match_in_kind"]) == (
        "8000",
        "80",
        {"committed": "1500", "delivered": "600"},
    )
    # 8000 of what finances its line: 8000 + 500 funds and the 600 in kind delivered (above
    # the 85 % maximum until the rest of the match is brought)
    assert (esf["rate_reached"], esf["within_max"]) == ("87.91", False)
    assert esf["max_rate"]["value"] == "85" and esf["max_rate"]["verified"] is True
    # And CPR art. 67(1)(a): public funds (8000 + 500) within the line's 10000 less the
    # 1500 in kind: the ceiling holds
    assert esf["in_kind_ceiling"] == {
        "rule": "public_support_cap",
        "source": "CPR art. 67(1)(a)",
        "verified": True,
        "public_support": "8500",
        "eligible_expenditure": "10000",
        "in_kind": "1500",
        "holds": True,
    }
    assert view["totals"] == [
        {
            "currency": "EUR",
            "budget": "12000",
            "committed": "1500",
            "delivered": "600",
            "funded": "10500",
        }
    ]


def test_the_budget_view_is_404_for_those_who_do_not_see_the_content(
    setup: Setup, auth: Auth
) -> None:
    s = setup
    outcome(s.post(s.broker, "./budget", body(s)), 201)
    stranger = auth.actor("partner", s.org("z"))
    other_broker = auth.actor("broker")
    for who in (stranger, other_broker):
        response = s.client.get(f"/v1{s.url}/budget", headers=who.headers())
        assert response.status_code == 404
        assert problem_type(response) == "not-found"
    assert s.client.get(f"/v1{s.url}/budget").status_code == 401


def test_a_partnership_without_a_budget_has_an_empty_view(setup: Setup) -> None:
    s = setup
    view = s.client.get(f"/v1{s.url}/budget", headers=s.broker.headers()).json
    assert view == {
        "partnership_id": s.partnership_id,
        "number": None,
        "decision_id": None,
        "lines": [],
        "sources": [],
        "totals": [],
    }


def test_the_view_as_of_a_position_shows_the_version_then(setup: Setup) -> None:
    s = setup
    first = outcome(s.post(s.broker, "./budget", body(s)), 201)
    changed = plan()
    changed["lines"][0]["amount"] = "12000"
    outcome(s.post(s.broker, "./budget", body(s, changed)), 201)
    now = s.client.get(f"/v1{s.url}/budget", headers=s.broker.headers()).json
    then = s.client.get(
        f"/v1{s.url}/budget?as_of_position={first['position']}", headers=s.broker.headers()
    ).json
    assert now is not None and then is not None
    assert (now["number"], now["lines"][0]["budget"]) == (2, "12000")
    assert (then["number"], then["lines"][0]["budget"]) == (1, "10000")


def test_only_a_steward_adopts_and_a_refusal_records_nothing(setup: Setup) -> None:
    s = setup
    s.refused(403, "forbidden", s.partners["b"], "./budget", body(s))
    # a decision on something else: 409
    wrong = {"decision_id": s.decide("other"), "budget": plan()}
    s.refused(409, "rule-violation", s.broker, "./budget", wrong)


def test_match_in_kind_for_cash_or_a_source_without_in_kind_rules_is_409(setup: Setup) -> None:
    s = setup
    cash = s.app.execute(
        s.as_("c"),
        Pledge(
            s.partnership_id,
            contribution_type="cash",
            quantity={"value": "500", "unit": "EUR"},
            valuation={"amount": "500", "currency": "EUR", "method": "actual_cost"},
        ),
    ).result["commitment_id"]
    match = [{"commitment_id": cash, "line_id": "visits", "source_id": "esf"}]
    s.refused(409, "rule-violation", s.broker, "./budget", body(s, plan(match)))
    cid = in_kind(s, "b", "300")
    match = [{"commitment_id": cid, "line_id": "visits", "source_id": "town"}]
    response = s.post(s.broker, "./budget", body(s, plan(match)))
    assert response.status_code == 409
    assert "do not say they accept contributions in kind" in response.json["detail"]  # type: ignore[index]


def bad(change: Any) -> dict[str, Any]:
    budget = copy.deepcopy(plan())
    change(budget)
    return budget


BAD_BUDGETS = {
    "exponent": lambda b: b["lines"][0].update(amount="1e3"),
    "number": lambda b: b["lines"][0].update(amount=1000),
    "nan": lambda b: b["lines"][0].update(amount="NaN"),
    "zero": lambda b: b["lines"][0].update(amount="0"),
    "too_many_digits": lambda b: b["lines"][0].update(amount="1" * 19),
    "surrogate": lambda b: b["lines"][0].update(description="\ud800"),
    "nul": lambda b: b["lines"][0].update(description="a\u0000b"),
    "category": lambda b: b["lines"][0].update(category="lunch"),
    "slug": lambda b: b["lines"][0].update(line_id="Visits!"),
    "currency": lambda b: b["lines"][0].update(currency="XAU"),
    "huge_int_rate": lambda b: b["sources"][0].update(rate=2**63),
    "rate_over_100": lambda b: b["sources"][0].update(rate="100.5"),
    "rate_zero": lambda b: b["sources"][0].update(rate="0"),
    "no_region_for_eu": lambda b: b["sources"][0].update(region_category=None),
    "unknown_kind": lambda b: b["sources"][0].update(kind="lottery"),
    "unknown_variant": lambda b: b["sources"][0].update(variant="leader"),
    "unknown_line": lambda b: b["sources"][0]["funds"][0].update(line_id="nowhere"),
    "twice": lambda b: b["lines"].append(dict(b["lines"][0])),
    "no_lines": lambda b: b.update(lines=[]),
    "too_many_lines": lambda b: b.update(
        lines=[dict(b["lines"][0], line_id=f"l{n}") for n in range(201)]
    ),
    "unknown_field": lambda b: b.update(extra=1),
    "match_unknown_source": lambda b: b.update(
        match=[
            {
                "commitment_id": "6f1c1b1e-0000-4000-8000-000000000000",
                "line_id": "visits",
                "source_id": "nope",
            }
        ]
    ),
    "other_currency": lambda b: b["lines"][0].update(currency="USD"),
}


@pytest.mark.parametrize("name", sorted(BAD_BUDGETS))
def test_input_no_budget_takes_is_422_and_never_a_500(setup: Setup, name: str) -> None:
    s = setup
    s.refused(422, "invalid-input", s.broker, "./budget", body(s, bad(BAD_BUDGETS[name])))


def test_a_huge_match_list_is_refused_at_the_edge(setup: Setup) -> None:
    s = setup
    item = {"commitment_id": "6f1c1b1e-0000-4000-8000-000000000000", "line_id": "visits"}
    s.refused(422, "invalid-input", s.broker, "./budget", body(s, plan([item] * 2001)))


def test_the_fund_rules_are_served_to_every_signed_in_caller(setup: Setup, auth: Auth) -> None:
    s = setup
    outsider = auth.actor("partner", s.org("z"))
    found = s.client.get("/v1/budget-rules", headers=outsider.headers()).json
    assert found is not None
    erdf = found["rules"]["sources"]["erdf"]
    assert erdf["max_rates"]["transition"] == {
        "value": "60",
        "source": "CPR art. 112(3)(c)",
        "verified": True,
        "note": "70 for transition regions that were less developed in 2014-2020 (art. 112(3)(b))",
    }
    assert "animation" in found["vocabularies"]["categories"]
    assert s.client.get("/v1/budget-rules").status_code == 401
