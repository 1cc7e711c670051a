"""A budget in a real browser (issue 18): a broker records the members' decision to set
the budget, adopts a version on the form (two lines, two sources, a contribution in kind
counted as ESF+ match funding), is refused once for a rate above the fund's recorded
maximum, and sees the figures; a member reads them. With and without JavaScript: the
form's "More rows" adds rows by posting the form again."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Person, Site
from tests.browser.forms import NOTHING, follow, head, refused, signed_in
from tests.browser.tab import Tab
from tests.browser.world import Someone, World
from tests.integration.test_http_scenario import ok


def in_kind(world: World, giver: Someone, pid: str) -> str:
    """The giver's 100 hours in kind, valued at 1500 EUR, confirmed."""
    pledge = {
        "contribution_type": "staff_time",
        "quantity": {"value": "100", "unit": "hour"},
        "valuation": {"amount": "1500", "currency": "EUR", "method": "standard_rate"},
    }
    made = ok(giver.api.post(f"/v1/partnerships/{pid}/commitments", pledge), 201)
    ok(giver.api.post(f"/v1/commitments/{made['commitment_id']}/confirm"))
    cid: str = made["commitment_id"]
    return cid


def decide(tab: Tab, pid: str, voters: list[Someone]) -> None:
    """The broker records the general assembly's decision to set the budget."""
    tab.open(f"/partnerships/{pid}")
    assert follow(tab, "Record a decision") == 200
    tab.fill(**{"f-body": "Assembleia geral"})
    tab.page.select_option("#f-subject-action", "set_budget")
    for voter in voters:
        tab.page.select_option(f"#f-votes-{voter.organisation_id}", "for")
    assert tab.press("Record the decision") == 200


def line(tab: Tab, n: int, line_id: str, category: str, amount: str) -> None:
    at = f"f-budget-lines-{n}-"
    tab.fill(
        **{
            f"{at}line_id": line_id,
            f"{at}description": f"{line_id} of the care rounds",
            f"{at}period-start": "2029-01-01",
            f"{at}period-end": "2029-12-31",
            f"{at}amount": amount,
        }
    )
    tab.page.select_option(f"#{at}category", category)


def source(tab: Tab, n: int, source_id: str, kind: str, rate: str, on: str, amount: str) -> None:
    at = f"f-budget-sources-{n}-"
    tab.fill(
        **{
            f"{at}source_id": source_id,
            f"{at}name": f"{source_id} grant",
            f"{at}rate": rate,
            f"{at}funds-0-line_id": on,
            f"{at}funds-0-amount": amount,
        }
    )
    tab.page.select_option(f"#{at}kind", kind)


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_a_budget_adopted_on_the_form_and_its_figures_shown(
    site: Site, person: Person, js: bool
) -> None:
    # Given: a partnership in force and a contribution in kind of the ally, valued
    world = site.world
    broker = world.enrol("broker", "Broker of budgets")
    lead = world.partner(broker, "public", "Câmara Municipal de Serpa", "Lia Lead")
    ally = world.partner(broker, "civil_society", "Associação Serpa Solidária", "Ana Ally")
    pid = world.active(broker, "Serpa care rounds", [lead, ally])
    match = in_kind(world, ally, pid)
    world.settle()

    # When: the broker records the decision to set the budget
    b = signed_in(person, world, broker, "broker", js=js)
    b.open(f"/partnerships/{pid}/budget")
    assert "No budget adopted yet" in b.main()
    decide(b, pid, [lead, ally])

    # And: follows the link to adopt it, asking for more rows first (nothing recorded)
    assert follow(b, "Adopt the budget as decided") == 200
    line(b, 0, "training", "implementation", "10000")
    before = head(world)
    assert b.press("More rows") == 200 and head(world) == before
    assert b.page.input_value("#f-budget-lines-0-line_id") == "training"
    assert b.page.locator("#f-budget-lines-5-line_id").count() == 1  # 1 kept + 5 spare
    line(b, 1, "rounds", "running_costs", "4000")
    source(b, 0, "esf", "esf_plus", "90", "training", "8500")
    b.page.select_option("#f-budget-sources-0-region_category", "less_developed")
    source(b, 1, "town", "municipal", "100", "rounds", "4000")
    b.page.select_option("#f-budget-match-0-commitment_id", match)
    b.fill(**{"f-budget-match-0-line_id": "training", "f-budget-match-0-source_id": "esf"})

    # Then: a rate above the recorded maximum is refused, beside the source's rate
    refused(b, world, "Adopt this budget", 409, "above the maximum of 85%")
    assert b.page.get_attribute("#f-budget-sources-0-rate", "aria-invalid") == "true"
    b.fill(**{"f-budget-sources-0-rate": "85"})
    assert b.press("Adopt this budget") == 200 and b.path == f"/partnerships/{pid}/budget"
    shown = b.main()
    assert NOTHING not in shown and "Version 1 of the budget" in shown
    for figure in ("10,000 EUR", "8,500 EUR", "1,500 EUR", "14,000", "85 %"):
        assert figure in shown, figure
    assert "Associação Serpa Solidária" in shown  # the commitment on the training line

    # And: a member reads the same figures, the API's
    a = signed_in(person, world, ally, "ally", js=js)
    assert a.open(f"/partnerships/{pid}") == 200
    assert follow(a, "Budget") == 200
    assert "Funding sources" in a.main() and "8,500 EUR" in a.main()
    view = ok(ally.api.get(f"/v1/partnerships/{pid}/budget"))
    assert view["number"] == 1 and view["lines"][0]["commitments"] == [match]
