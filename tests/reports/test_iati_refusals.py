"""An IATI report refused when it cannot be valid IATI, sectors shared to 100%, and the
validators biting on mutated output."""

from __future__ import annotations

from dataclasses import replace

import pytest

from collab.domain.errors import RuleViolationError
from collab.reports.iati_rules import check
from projections.reports.iati import activity_xml
from projections.reports.state import ReportState
from tests.application.conftest import TEST_NOW
from tests.reports.conftest import DemoWorld
from tests.reports.iati_helpers import ADMIN, mutated, rendered


def with_lead(state: ReportState, identifiers: tuple[tuple[str, str], ...]) -> ReportState:
    lead = state.partnership["lead_organisation"]
    orgs = {
        **state.organisations,
        lead: replace(state.organisations[lead], identifiers=identifiers),
    }
    return replace(state, organisations=orgs)


def with_classifications(state: ReportState, found: list[dict[str, str]]) -> ReportState:
    return replace(state, partnership={**state.partnership, "classifications": found})


def test_a_lead_without_identifier_or_no_lead_is_refused(demo_world: DemoWorld) -> None:
    state = demo_world.state(ADMIN)
    # When the lead has no registered identifier, or there is no lead
    unregistered = with_lead(state, ())
    leaderless = replace(state, partnership={**state.partnership, "lead_organisation": None})
    # Then no IATI report can be made: the refusal says why
    for refused in (unregistered, leaderless):
        with pytest.raises(RuleViolationError, match="registered identifier"):
            activity_xml(refused, "en")


def test_a_partnership_without_an_iati_sector_is_refused(demo_world: DemoWorld) -> None:
    state = with_classifications(demo_world.state(ADMIN), [{"vocabulary": "other", "code": "x"}])
    with pytest.raises(RuleViolationError, match="needs a sector"):
        activity_xml(state, "en")


def test_several_codes_of_one_vocabulary_share_100_percent(demo_world: DemoWorld) -> None:
    # Given three NACE codes, two SDG goals and one SDG target
    codes = [("nace", "Q88.1"), ("nace", "Q87.3"), ("nace", "G47.1"), ("sdg_goal", "3")]
    codes += [("sdg_goal", "1"), ("sdg_goal", "3.8")]
    state = with_classifications(
        demo_world.state(ADMIN), [{"vocabulary": v, "code": c} for v, c in codes]
    )
    root = rendered(state)
    # Then NACE shares 33.33 + 33.33 + 33.34, the goals 50 + 50, the lone target none
    shares = [
        (s.get("vocabulary"), s.get("code"), s.get("percentage")) for s in root.iter("sector")
    ]
    assert shares == [
        ("4", "G47.1", "33.33"),
        ("4", "Q87.3", "33.33"),
        ("4", "Q88.1", "33.34"),
        ("7", "1", "50.00"),
        ("7", "3", "50.00"),
        ("8", "3.8", None),
    ]
    assert [(t.get("vocabulary"), t.get("code")) for t in root.iter("tag")] == [
        ("2", "1"),
        ("2", "3"),
        ("3", "3.8"),
    ]
    # And the ruleset's percentage rules (2.1.x) find nothing
    document = activity_xml(state, "en")
    assert not [f.rule_id for f in check(document, TEST_NOW) if f.rule_id.startswith("2.1")]


def test_a_budget_line_over_a_year_is_left_out_with_a_comment(demo_world: DemoWorld) -> None:
    state = demo_world.state(ADMIN)
    assert state.plan is not None
    first, *rest = state.plan["lines"]
    longer = {**first, "period": {"start": "2026-01-01", "end": "2027-12-31"}}
    document = activity_xml(replace(state, plan={**state.plan, "lines": [longer, *rest]}), "en")
    # Then the line is not among the budgets, and a comment names it
    assert f"7.5.3): {first['line_id']}".encode() in document
    assert not [f for f in check(document, TEST_NOW) if f.rule_id == "7.5.3"]


@pytest.mark.parametrize(
    ("path", "change", "value", "rule"),
    [
        ("//sector", "remove", None, "6.2.2"),
        ("//budget/period-end", "iso-date", "2027-12-31", "7.5.3"),
        ("//transaction[1]/transaction-date", "iso-date", "2031-01-01", "11.2.1"),
        ("//iati-activity", "xml:lang", None, "4.1.1"),
    ],
)
def test_the_ruleset_bites_on_a_mutated_file(
    demo_world: DemoWorld, path: str, change: str, value: str | None, rule: str
) -> None:
    # Given the demo's valid file, when one element is broken
    document = activity_xml(demo_world.state(ADMIN), "en")
    if change == "xml:lang":
        broken = document.replace(b' xml:lang="en"', b"", 1)
    else:
        broken = mutated(document, path, change, value)
    # Then the ruleset reports the rule it breaks
    assert rule in {f.rule_id for f in check(broken, TEST_NOW)}


def test_with_a_dac_sector_beside_the_others_nothing_is_found(demo_world: DemoWorld) -> None:
    # Given the demo classified also by DAC 5-digit codes (ruleset 102.1.1 asks for one
    # whenever another sector vocabulary is used)
    state = demo_world.state(ADMIN)
    dac = [{"vocabulary": "dac5", "code": c} for c in ("12220", "16010")]
    state = with_classifications(state, [*state.partnership["classifications"], *dac])
    document = activity_xml(state, "en")
    # Then the DAC codes share 100% and the ruleset finds nothing at all
    root = rendered(state)
    assert [s.get("percentage") for s in root.xpath("//sector[@vocabulary='1']")] == [
        "50.00",
        "50.00",
    ]
    assert [(f.rule_id, f.message) for f in check(document, TEST_NOW)] == []
