"""The budget page and the form adopting a budget version (DESIGN §9): the view's figures
per line, per source and per currency as the API computes them; a clear empty state; the
404 of an unknown id for a non-member; the form builds the API's command, keeps its rows
without JavaScript ("More rows"), and shows every refusal beside the input it names, with
nothing recorded and never a 500."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.demo import run_demo
from api.service import Service
from collab.commitments.commands import ConfirmCommitment, Pledge
from tests.api.conftest import Auth
from tests.api.setup_partnership import Setup, active_partnership
from tests.web.test_forms_commitments import NOTHING, People, refused, send
from web.validation_texts import translated

ESF_MAX = "85 % (CPR art. 112(3)(a), verified)"


@pytest.fixture
def setup(auth: Auth, client: FlaskClient) -> Setup:
    """Organisations a (the lead), b and c in a partnership in force."""
    return active_partnership(auth, client)


def in_kind(setup: Setup, key: str = "b", amount: str = "1500") -> str:
    """A confirmed contribution in kind of `key`: 100 hours valued at `amount` EUR."""
    out = setup.app.execute(
        setup.as_(key),
        Pledge(
            setup.partnership_id,
            contribution_type="staff_time",
            quantity={"value": "100", "unit": "hour"},
            valuation={"amount": amount, "currency": "EUR", "method": "standard_rate"},
        ),
    )
    cid: str = out.result["commitment_id"]
    setup.app.execute(setup.as_(key), ConfirmCommitment(cid))
    return cid


def budget_form(decision_id: str, match: str, **changes: str) -> dict[str, str]:
    """Two lines, two sources (ESF+ at 85 % on the training, the town on both), and one
    contribution in kind counted as ESF+ match funding, as a steward types them."""
    form = {
        "decision_id": decision_id,
        "budget.lines.0.line_id": "training",
        "budget.lines.0.category": "implementation",
        "budget.lines.0.description": "Training of care assistants",
        "budget.lines.0.period.start": "2029-01-01",
        "budget.lines.0.period.end": "2029-12-31",
        "budget.lines.0.amount": "10000",
        "budget.lines.0.currency": "EUR",
        "budget.lines.1.line_id": "rounds",
        "budget.lines.1.category": "running_costs",
        "budget.lines.1.description": "Care rounds",
        "budget.lines.1.period.start": "2029-01-01",
        "budget.lines.1.period.end": "2029-12-31",
        "budget.lines.1.amount": "4000.50",
        "budget.lines.1.currency": "EUR",
        "budget.sources.0.source_id": "esf",
        "budget.sources.0.kind": "esf_plus",
        "budget.sources.0.name": "ESF+ Alentejo 2030",
        "budget.sources.0.region_category": "less_developed",
        "budget.sources.0.rate": "85",
        "budget.sources.0.currency": "EUR",
        "budget.sources.0.funds.0.line_id": "training",
        "budget.sources.0.funds.0.amount": "8500",
        "budget.sources.1.source_id": "town",
        "budget.sources.1.kind": "municipal",
        "budget.sources.1.name": "Town council",
        "budget.sources.1.rate": "100",
        "budget.sources.1.currency": "EUR",
        "budget.sources.1.funds.0.line_id": "rounds",
        "budget.sources.1.funds.0.amount": "4000.50",
        "budget.match.0.commitment_id": match,
        "budget.match.0.line_id": "training",
        "budget.match.0.source_id": "esf",
        # a blank row, as the form shows spare ones (its currency pre-filled)
        "budget.lines.2.line_id": "",
        "budget.lines.2.currency": "EUR",
        "reason": "",
    }
    return {**form, **changes}


def adopted(setup: Setup, people: People) -> str:
    """The broker adopted the budget on the form; the matched commitment's id."""
    match = in_kind(setup)
    decision = setup.decide("set_budget")
    broker = people(setup.broker)
    response = send(broker, f"{setup.url}/budget/new", budget_form(decision, match))
    assert response.status_code == 303, response.text
    assert response.location == f"{setup.url}/budget"
    return match


def marked(html: str, name: str) -> bool:
    """Whether the input `name` is marked invalid with its message beside it."""
    field = re.search(rf'<(input|select)[^>]*name="{re.escape(name)}"[^>]*>', html)
    ident = "f-" + name.replace(".", "-")
    return bool(field and 'aria-invalid="true"' in field.group(0)) and f'id="{ident}-error"' in html


def test_no_budget_yet_says_how_to_adopt_one(setup: Setup, person: People) -> None:
    # Given a partnership without a budget, When a member opens its budget page
    code, html = person(setup.partners["b"]).get(f"{setup.url}/budget")
    # Then it says none was adopted, and how one is
    assert code == 200
    assert "No budget adopted yet" in html
    assert "Adopt the budget and its funding" in html
    # And the partnership's page links to it and to its documents
    _code, page = person(setup.partners["b"]).get(setup.url)
    assert f'href="{setup.url}/budget"' in page and f'href="{setup.url}/documents"' in page


def test_a_steward_adopts_a_budget_and_the_page_shows_its_figures(
    setup: Setup, person: People
) -> None:
    # Given a set_budget decision, When the broker adopts two lines, two sources, one match
    match = adopted(setup, person)
    # Then the API holds that version
    body: Any = setup.client.get(f"/v1{setup.url}/budget", headers=setup.auth.admin.headers()).json
    assert body["number"] == 1 and [x["line_id"] for x in body["lines"]] == ["training", "rounds"]
    assert body["lines"][0]["commitments"] == [match]
    # And a member sees the figures, per line, per source and per currency
    code, html = person(setup.partners["c"]).get(f"{setup.url}/budget")
    assert code == 200
    assert "Version 1 of the budget" in html
    training = re.search(r'<tr id="line-training">.*?</tr>', html, re.S)
    assert training is not None
    assert "10,000 EUR" in training.group(0) and "1,500 EUR" in training.group(0)
    assert "8,500 EUR" in training.group(0)  # funded
    assert "b organisation" in training.group(0)  # the commitment by its organisation
    esf = re.search(r'<tr id="source-esf">.*?</tr>', html, re.S)
    assert esf is not None
    assert "ESF+ Alentejo 2030" in esf.group(0) and "85 %" in esf.group(0)
    assert ESF_MAX in esf.group(0)
    assert "holds" in esf.group(0)  # the in-kind ceiling: 8500 <= 10000 - 1500
    total = re.search(r'<tr class="budget-total">.*?</tr>', html, re.S)
    assert total is not None and "14,000.50" in total.group(0)


def test_the_budget_page_is_in_portuguese(setup: Setup, person: People) -> None:
    adopted(setup, person)
    reader = person(setup.partners["b"])
    html = reader.client.get(f"{setup.url}/budget", headers={"Accept-Language": "pt"}).text
    assert "Fontes de financiamento" in html
    assert "14\xa0000,50" in html  # European Portuguese groups digits by a space


def test_a_non_member_gets_the_404_of_an_unknown_id(setup: Setup, person: People) -> None:
    # Given an organisation outside the partnership
    setup.org("outsider")
    outsider = person(setup.partners["outsider"])
    # Then its budget page and its form are the 404 of an unknown id
    assert outsider.get(f"{setup.url}/budget")[0] == 404
    assert outsider.get(f"{setup.url}/budget/new")[0] == 404
    assert outsider.get("/partnerships/not-an-id/budget")[0] in (404, 422)


def test_a_member_who_is_no_steward_may_not_adopt(setup: Setup, person: People) -> None:
    code, _html = person(setup.partners["b"]).get(f"{setup.url}/budget/new")
    assert code == 403


def test_more_rows_keeps_the_input_and_records_nothing(setup: Setup, person: People) -> None:
    broker = person(setup.broker)
    decision = setup.decide("set_budget")
    form = budget_form(decision, "")
    del form["budget.match.0.commitment_id"]
    html = refused(setup, broker, f"{setup.url}/budget/new", {**form, "more": "rows"}, 200)
    # Then the rows typed are kept, renumbered, and more blank rows follow
    assert 'value="training"' in html and 'value="4000.50"' in html
    assert 'name="budget.lines.6.line_id"' in html  # 2 filled + 5 spare
    assert NOTHING not in html


def test_bad_input_shows_the_form_again_with_the_field_named(setup: Setup, person: People) -> None:
    broker = person(setup.broker)
    match = in_kind(setup)
    decision = setup.decide("set_budget")
    url = f"{setup.url}/budget/new"
    # An amount that is no decimal: the schema's 422 beside the input
    html = refused(
        setup, broker, url, budget_form(decision, match, **{"budget.lines.1.amount": "a lot"}), 422
    )
    assert NOTHING in html and marked(html, "budget.lines.1.amount")
    # A fund on a line the budget does not have: the domain's 422 beside the input
    wrong = {"budget.sources.1.funds.0.line_id": "nowhere"}
    html = refused(setup, broker, url, budget_form(decision, match, **wrong), 422)
    assert marked(html, "budget.sources.1.funds.0.line_id") and "names no line" in html
    # A rate above the fund's recorded maximum: the rules' 409, on the source's rate
    html = refused(
        setup, broker, url, budget_form(decision, match, **{"budget.sources.0.rate": "90"}), 409
    )
    assert "above the maximum of 85%" in html and marked(html, "budget.sources.0.rate")
    # A line funded beyond its budget: on the line's amount
    html = refused(
        setup,
        broker,
        url,
        budget_form(decision, match, **{"budget.sources.0.funds.0.amount": "10001"}),
        409,
    )
    assert "funded beyond its budget" in html and marked(html, "budget.lines.0.amount")
    # A cash commitment counted as match in kind: on the match row's commitment
    cash = setup.pledge("c")  # not valued: no valuation
    html = refused(setup, broker, url, budget_form(decision, cash), 409)
    assert "has no valuation" in html and marked(html, "budget.match.0.commitment_id")
    # Nonsense everywhere: never a 500
    junk = {k: "\x00<script>" for k in budget_form(decision, match)}
    code, _html = broker.post(url, junk, from_page=url)
    assert code == 422


def test_a_refusal_is_in_the_readers_language(setup: Setup, person: People) -> None:
    broker = person(setup.broker)
    match = in_kind(setup)
    decision = setup.decide("set_budget")
    url = f"{setup.url}/budget/new"
    shown = broker.client.get(url, headers={"Accept-Language": "pt"})
    data = budget_form(decision, match, **{"budget.sources.0.rate": "90"})
    response = broker.client.post(
        url,
        data={
            "csrf_token": re.findall(r'name="csrf_token" value="([^"]+)"', shown.text)[0],
            **data,
        },
        headers={"Accept-Language": "pt"},
    )
    assert response.status_code == 409
    assert "acima do máximo de 85%" in response.text


def test_the_form_is_filled_from_the_version_in_force(setup: Setup, person: People) -> None:
    match = adopted(setup, person)
    setup.decide("set_budget")
    code, html = person(setup.broker).get(f"{setup.url}/budget/new")
    assert code == 200
    assert 'value="training"' in html and 'value="8500"' in html
    assert f'<option value="{match}" selected' in html


def test_the_demo_budget_reads_on_its_page(flask_app: Flask, auth: Auth, person: People) -> None:
    # Given the demo, run in the explorer's service (its document store included)
    svc: Service = flask_app.extensions["collab"]
    summary = run_demo(svc.app)
    pid = summary.split()[1].rstrip(":")
    # Then its budget page shows the three sources and the ESF+ match in kind, delivered
    code, html = person(auth.admin).get(f"/partnerships/{pid}/budget")
    assert code == 200, html
    for said in ("ESF+ Alentejo 2030 (CLLD)", "Câmara Municipal de Mértola", "own resources"):
        assert said in html
    esf = re.search(r'<tr id="source-esf">.*?</tr>', html, re.S)
    assert esf is not None and "85.00 %" in esf.group(0)  # reached, the match delivered
    total = re.search(r'<tr class="budget-total">.*?</tr>', html, re.S)
    assert total is not None and "40,000.00" in total.group(0)


BUDGET_REFUSALS = (
    "source esf: a rate of 90% is above the maximum of 85% the rules record for it "
    "(CPR art. 112(3)(a))",
    "line training is funded beyond its budget",
    "line training is funded beyond its budget with the match in kind placed on it",
    "source esf: its funds are 87.50% of the planned financing of its lines, above the rate "
    "of 85% it states",
    "no commitment 6f1c0a52-5b7e-4c1e-9a43-2d1f6f0c9e11 in this partnership",
    "commitment 6f1c0a52-5b7e-4c1e-9a43-2d1f6f0c9e11 is withdrawn and counts for nothing",
    "commitment c1 is valued in USD, line training is in EUR",
    "commitment c1 is cash: only a contribution in kind counts as match in kind",
    "commitment c1 has no valuation: match in kind counts at its value",
    "source esf puts nothing on line rounds",
    "source esf: the rules recorded for eafrd do not say they accept contributions in kind "
    "as match funding",
    "source esf: the rules recorded for private do not accept contributions in kind "
    "as match funding",
    "source town names no registered organisation",
    "budget.lines[0].line_id: must be a short id: a-z, 0-9, '_' or '-', up to 40",
    "budget.lines: must be a list of 1 to 200 items",
    "budget.lines: names a line_id twice",
    "budget.match: names a commitment_id twice",
    "budget.sources[0].funds[0].line_id: the line is in EUR, the source in USD",
    "budget.match[0].source_id: names no source of this budget",
    "budget.sources[0].rate: must be above 0 (percent)",
)


def test_every_budget_refusal_reads_in_portuguese(flask_app: Flask) -> None:
    with flask_app.test_request_context(headers={"Accept-Language": "pt"}):
        for message in BUDGET_REFUSALS:
            said = translated(message)
            assert said != message, message
            for kept in re.findall(r"\b(?:esf|town|training|rounds|c1|EUR|USD)\b", message):
                assert kept in said, (message, said)


def test_without_a_decision_the_form_says_to_record_one(setup: Setup, person: People) -> None:
    code, html = person(setup.broker).get(f"{setup.url}/budget/new")
    assert code == 200
    assert "No passed decision to adopt the budget is waiting" in html
    # And a decision id typed by hand that names none is refused, nothing recorded
    form = budget_form(str(uuid.uuid4()), in_kind(setup))
    html = refused(setup, person(setup.broker), f"{setup.url}/budget/new", form, 409)
    assert "no such decision in this partnership" in html
