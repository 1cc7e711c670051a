"""A partnership's budget (DESIGN §9): the canonical budget a version stores, the funds'
rules as data (collab/data/fund_rules.json, copied from the research draft), refusals, and
`BudgetAdopted` versions under a passed set_budget decision."""

from __future__ import annotations

import copy
import json
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from collab.domain import budget as b
from collab.domain import commitment_rules as rules
from collab.domain import reference
from collab.domain.errors import ForbiddenError, InvalidInputError, RuleViolationError
from tests.domain.test_partnership import (
    A,
    B,
    C,
    agreed,
    broker,
    given,
    meta,
    partner,
    refused,
    then,
)

DRAFT = Path(__file__).parents[2] / "docs" / "research" / "eu-funds-draft.json"
PERIOD = {"start": "2027-01-01", "end": "2028-12-31"}
CID = str(uuid.uuid4())


def plan(**changes: Any) -> dict[str, Any]:
    return {
        "lines": [
            {
                "line_id": "visits",
                "category": "implementation",
                "description": "Weekly visits",
                "period": PERIOD,
                "amount": "10000.50",
                "currency": "EUR",
            }
        ],
        "sources": [
            {
                "source_id": "leader",
                "kind": "eafrd",
                "name": "LEADER",
                "region_category": "more_developed",
                "rate": "43",
                "currency": "EUR",
                "funds": [{"line_id": "visits", "amount": "3870"}],
            },
            {
                "source_id": "esf",
                "kind": "esf_plus",
                "name": "ESF+",
                "region_category": "transition",
                "rate": "60",
                "currency": "EUR",
                "funds": [{"line_id": "visits", "amount": "5130"}],
            },
        ],
        "match": [],
        **changes,
    }


def field_of(value: Any) -> str:
    with pytest.raises(InvalidInputError) as caught:
        b.checked(value)
    return caught.value.field


# -- the canonical budget --------------------------------------------------------------------


def test_a_budget_is_stored_in_a_canonical_shape() -> None:
    data = plan()
    data["sources"][0]["rate"] = "43.0"
    data["lines"][0]["amount"] = "010000.50"  # leading zeros go; the text is canonical
    found = b.checked(data)
    assert found["lines"][0] == {**plan()["lines"][0]}
    assert found["sources"][0] == {
        **plan()["sources"][0],
        "rate": "43.0",
        "organisation_id": None,
        "variant": None,
    }
    # a non-EU source needs no region category; sources and match default to none
    assert b.checked({"lines": plan()["lines"]}) == {
        "lines": plan()["lines"],
        "sources": [],
        "match": [],
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["lines"][0].update(amount="1e3"), "budget.lines[0].amount"),
        (lambda d: d["lines"][0].update(amount=Decimal("NaN")), "budget.lines[0].amount"),
        (lambda d: d["lines"][0].update(amount=1.5), "budget.lines[0].amount"),
        (lambda d: d["lines"][0].update(amount="0"), "budget.lines[0].amount"),
        (lambda d: d["lines"][0].update(category="party"), "budget.lines[0].category"),
        (lambda d: d["lines"][0].update(line_id="a b"), "budget.lines[0].line_id"),
        (lambda d: d["lines"][0].update(line_id="x\n"), "budget.lines[0].line_id"),
        (lambda d: d["lines"][0].update(currency="XXX"), "budget.lines[0].currency"),
        (lambda d: d["lines"][0]["period"].update(end="2026-01-01"), "budget.lines[0].period.end"),
        (lambda d: d["lines"][0].update(description="\ud800"), "budget.lines[0].description"),
        (lambda d: d["lines"].append(dict(d["lines"][0])), "budget.lines"),
        (lambda d: d.update(lines=[]), "budget.lines"),
        (lambda d: d.update(surprise=1), "budget"),
        (
            lambda d: d["sources"][0].update(region_category=None),
            "budget.sources[0].region_category",
        ),
        (
            lambda d: d["sources"][0].update(region_category="rich"),
            "budget.sources[0].region_category",
        ),
        (lambda d: d["sources"][0].update(kind="lottery"), "budget.sources[0].kind"),
        (
            lambda d: d["sources"][0].update(variant="social_innovation_priority"),
            "budget.sources[0].variant",
        ),
        (lambda d: d["sources"][0].update(rate="0"), "budget.sources[0].rate"),
        (lambda d: d["sources"][0].update(rate="101"), "budget.sources[0].rate"),
        (lambda d: d["sources"][0].update(rate=2**63), "budget.sources[0].rate"),
        (
            lambda d: d["sources"][0].update(organisation_id="town hall"),
            "budget.sources[0].organisation_id",
        ),
        (lambda d: d["sources"][0].update(currency="USD"), "budget.sources[0].funds[0].line_id"),
        (
            lambda d: d["sources"][0]["funds"][0].update(line_id="other"),
            "budget.sources[0].funds[0].line_id",
        ),
        (
            lambda d: d["sources"][0]["funds"].append({"line_id": "visits", "amount": "1"}),
            "budget.sources[0].funds",
        ),
        (lambda d: d["sources"][1].update(source_id="leader"), "budget.sources"),
        (lambda d: d.update(sources=[d["sources"][0]] * 51), "budget.sources"),
        (
            lambda d: d.update(match=[{"commitment_id": CID, "line_id": "none"}]),
            "budget.match[0].line_id",
        ),
        (
            lambda d: d.update(
                match=[{"commitment_id": CID, "line_id": "visits", "source_id": "x"}]
            ),
            "budget.match[0].source_id",
        ),
        (
            lambda d: d.update(match=[{"commitment_id": "c1", "line_id": "visits"}]),
            "budget.match[0].commitment_id",
        ),
        (
            lambda d: d.update(match=[{"commitment_id": CID, "line_id": "visits"}] * 2),
            "budget.match",
        ),
        (
            lambda d: d.update(match=[{"commitment_id": CID, "line_id": "visits"}] * 2001),
            "budget.match",
        ),
    ],
)
def test_a_budget_outside_the_accepted_input_is_refused_naming_the_field(
    change: Any, field: str
) -> None:
    data = copy.deepcopy(plan())
    change(data)
    assert field_of(data) == field


def test_the_counts_are_limited() -> None:
    line = plan()["lines"][0]
    many = [{**line, "line_id": f"l{n}"} for n in range(b.MAX_LINES)]
    assert len(b.checked({"lines": many})["lines"]) == b.MAX_LINES
    assert field_of({"lines": [*many, {**line, "line_id": "one-more"}]}) == "budget.lines"
    assert (b.MAX_LINES, b.MAX_SOURCES, b.MAX_MATCH) == (200, 50, 2000)


# -- the funds' rules, as data ------------------------------------------------------------------


def test_the_rules_know_every_source_kind_and_region_category() -> None:
    found = reference.fund_rules()
    assert tuple(found["sources"]) == b.SOURCE_KINDS
    assert tuple(found["region_categories"]) == b.REGION_CATEGORIES


def test_every_rate_is_copied_from_the_draft_with_its_article_and_verified_flag() -> None:
    draft = json.loads(DRAFT.read_text(encoding="utf-8"))
    for fund in draft["eu_funds"]:
        recorded = reference.fund_rules()["sources"][fund["id"]]
        for category, rate in fund["co_financing"]["max_rates"].items():
            kept = recorded["max_rates"][category]
            assert (kept["value"], kept["source"], kept["verified"]) == (
                rate["value"],
                rate["source"],
                rate["verified"],
            )
        for variant in fund["co_financing"]["variants"]:
            kept = recorded["variants"][variant["id"]]
            assert (kept["value"], kept["source"], kept["verified"]) == (
                variant["rate"],
                variant["source"],
                variant["verified"],
            )
        assert recorded["in_kind"]["value"] == fund["in_kind"]["eligible"]
    for kind in draft["non_eu_source_kinds"]:
        recorded = reference.fund_rules()["sources"][kind["id"]]
        assert (recorded["eu_rules"], recorded["public"], recorded["max_rates"]) == (
            False,
            kind["public"],
            None,
        )
    cap = reference.fund_rules()["in_kind_ceilings"]["public_support_cap"]
    assert (cap["source"], cap["verified"]) == ("CPR art. 67(1)(a)", True)


@pytest.mark.parametrize(
    ("kind", "region", "variant", "value"),
    [
        ("erdf", "less_developed", None, "85"),
        ("erdf", "transition", "transition_ex_less_developed", "70"),
        ("esf_plus", "more_developed", "social_innovation_priority", "95"),
        ("esf_plus", "more_developed", "art10_priority", None),  # not read: unknown
        ("eafrd", "more_developed", None, "43"),
        ("eafrd", "more_developed", "leader", "80"),  # LEADER where the regional rate is lower
        ("eafrd", "less_developed", "leader", "85"),  # ... and 85 stays in less developed regions
        ("emfaf", "outermost", None, None),
    ],
)
def test_the_ceiling_is_the_rules_own(
    kind: str, region: str, variant: str | None, value: str | None
) -> None:
    found = b.ceiling(kind, region, variant)
    assert found is not None and found["value"] == value


def test_a_source_no_eu_rule_caps_has_no_ceiling() -> None:
    assert b.ceiling("municipal", None, None) is None
    assert b.ceiling("private", "transition", None) is None


def test_a_rate_above_the_funds_maximum_is_refused_at_or_below_it_accepted() -> None:
    data = b.checked(plan())
    b.check_rules(data)  # 43 % of the EAFRD in a more developed region: the maximum
    data["sources"][0]["rate"] = "43.01"
    with pytest.raises(RuleViolationError, match=r"above the maximum of 43% .*91\(2\)\(d\)"):
        b.check_rules(data)
    data["sources"][0]["variant"] = "leader"
    b.check_rules(data)  # LEADER: up to 80


def test_an_unknown_maximum_checks_nothing() -> None:
    data = plan()
    data["sources"][1] = {**data["sources"][1], "kind": "emfaf", "region_category": "outermost"}
    data["sources"][1]["rate"] = "100"
    b.check_rules(b.checked(data))


def test_a_line_funded_beyond_its_budget_is_refused() -> None:
    data = b.checked(plan())
    data["sources"][1]["funds"][0]["amount"] = "6130.51"
    with pytest.raises(RuleViolationError, match="line visits is funded beyond its budget"):
        b.check_rules(data)


def test_match_in_kind_beyond_what_the_funds_leave_of_a_line_is_refused() -> None:
    # 3870 + 5130 funds and 1000.50 in kind fill the line's 10000.50; a cent more does not fit
    data, facts = matched(amount="1000.50")
    b.check_financing(data, facts)
    data, facts = matched(amount="1000.51")
    with pytest.raises(RuleViolationError) as caught:
        b.check_financing(data, facts)
    assert str(caught.value) == (
        "line visits is funded beyond its budget with the match in kind placed on it"
    )


def test_a_share_above_the_stated_rate_is_refused_rounded_half_up_to_the_hundredth() -> None:
    # ESF+ (total base, per priority): 5130 of 3870 + 5130 funds is 57 %
    data = b.checked(plan())
    data["sources"][1]["rate"] = "57"
    b.check_financing(data, {})
    data["sources"][1]["rate"] = "56.99"
    with pytest.raises(RuleViolationError, match=r"source esf: its funds are 57\.00% .* 56\.99%"):
        b.check_financing(data, {})
    # 1 of 3 (33.333...) reads 33.33 and passes a stated 33.33; 2 of 3 reads 66.67
    data = b.checked(plan())
    data["sources"][0]["funds"][0]["amount"] = "1000"
    data["sources"][1]["funds"][0]["amount"] = "2000"
    data["sources"][0].update(kind="esf_plus", rate="33.33")
    data["sources"][1]["rate"] = "66.67"
    b.check_financing(data, {})
    data["sources"][1]["rate"] = "66.66"
    with pytest.raises(RuleViolationError, match=r"its funds are 66\.67%"):
        b.check_financing(data, {})


def test_the_eafrd_base_counts_only_public_funds_and_no_match_in_kind() -> None:
    # The LEADER's 3870 of the public 3870 + 5130: 43 %; a private 1000 and 1000 in kind
    # for the ESF+ on the line do not change it (the ESF+'s base counts them: 5130 of 11000)
    assert b.public_base("eafrd") and not b.public_base("esf_plus")
    assert not b.public_base("private")
    data = plan(match=[{"commitment_id": CID, "line_id": "visits", "source_id": "esf"}])
    data["lines"][0]["amount"] = "11000"
    data["sources"].append(
        {
            "source_id": "bank",
            "kind": "private",
            "name": "Bank",
            "rate": "10",
            "currency": "EUR",
            "funds": [{"line_id": "visits", "amount": "1000"}],
        }
    )
    data["sources"][1]["rate"] = "46.64"  # 5130 of 11000 is 46.636...
    found = b.checked(data)
    b.check_financing(found, {CID: fact(amount="1000")})
    found["sources"][0]["rate"] = "42.99"
    with pytest.raises(RuleViolationError, match=r"source leader: its funds are 43\.00%"):
        b.check_financing(found, {CID: fact(amount="1000")})


# -- match funding ----------------------------------------------------------------------------


def fact(kind: str = "volunteer_time", amount: str | None = "1500", **more: Any) -> dict[str, Any]:
    valuation = {"amount": amount, "currency": "EUR" if amount else None, "method": "standard_rate"}
    return {
        **b.fact("p1", "confirmed", kind, valuation),
        **more,
    }


def matched(source_id: str | None = "esf", **facts: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    data = b.checked(
        plan(match=[{"commitment_id": CID, "line_id": "visits", "source_id": source_id}])
    )
    return data, {CID: fact(**facts)}


def test_a_valued_contribution_in_kind_counts_as_match_for_a_fund_that_accepts_it() -> None:
    data, facts = matched()
    b.check_match(data, "p1", facts)


@pytest.mark.parametrize(
    ("source", "facts", "message"),
    [
        ("esf", {"kind": "cash"}, "is cash: only a contribution in kind"),
        ("esf", {"amount": None}, "has no valuation"),
        ("leader", {}, "the rules recorded for eafrd do not say they accept contributions in kind"),
        ("esf", {"status": "withdrawn"}, "is withdrawn and counts for nothing"),
        ("esf", {"status": "released"}, "is released and counts for nothing"),
        ("esf", {"partnership_id": "p2"}, "no commitment"),
        (
            None,
            {"valuation": {"amount": "1", "currency": "USD", "method": "market_value"}},
            "valued in USD",
        ),
    ],
)
def test_match_funding_is_refused_where_the_rules_or_the_commitment_do_not_allow_it(
    source: str | None, facts: dict[str, Any], message: str
) -> None:
    data, found = matched(source)
    found[CID] = {**found[CID], **{k: v for k, v in facts.items() if k not in ("kind", "amount")}}
    if "kind" in facts or "amount" in facts:
        found[CID] = fact(**facts)
    with pytest.raises(RuleViolationError, match=message):
        b.check_match(data, "p1", found)


def test_a_commitment_the_partnership_does_not_hold_is_refused() -> None:
    data, _ = matched()
    with pytest.raises(RuleViolationError, match=f"no commitment {CID} in this partnership"):
        b.check_match(data, "p1", {})


def test_match_for_a_source_that_puts_nothing_on_the_line_is_refused() -> None:
    data = plan()
    data["lines"].append({**data["lines"][0], "line_id": "travel", "category": "travel"})
    data["match"] = [{"commitment_id": CID, "line_id": "travel", "source_id": "esf"}]
    with pytest.raises(RuleViolationError, match="source esf puts nothing on line travel"):
        b.check_match(b.checked(data), "p1", {CID: fact()})


def test_the_delivered_value_counts_confirmed_up_to_the_quantity() -> None:
    assert rules.delivered_value(Decimal("1500"), Decimal("40"), Decimal("100")) == Decimal("600")
    assert rules.delivered_value(Decimal("1500"), Decimal("140"), Decimal("100")) == Decimal("1500")
    assert rules.delivered_value(Decimal("100"), Decimal("1"), Decimal("3")) == Decimal("33.333333")
    big = Decimal("999999999999999999.999999")
    assert rules.delivered_value(big, Decimal("1"), Decimal("1")) == big


# -- BudgetAdopted: versions under a passed, unused decision -----------------------------------


def decided(decision_id: str = "d1", action: str = "set_budget", passed: bool = True) -> Any:
    return "DecisionRecorded", {
        "decision_id": decision_id,
        "body": "AG",
        "subject": {"action": action, "organisation": None, "summary": None},
        "votes": {A: "for", B: "for"},
        "result": {"passed": passed},
        "conflicts": [],
    }


def test_a_steward_adopts_budget_versions_each_under_its_own_decision() -> None:
    p = given(*agreed(A, B, C), decided("d1"), decided("d2"))
    first = b.checked(plan())
    assert p.adopt_budget(first, "d1", {}, broker(), meta()) == 1
    assert then(p) == ["BudgetAdopted"]
    assert p.budget == {"number": 1, "decision_id": "d1", "budget": first}
    assert p.decisions["d1"].used
    second = b.checked(plan(sources=[]))
    assert p.adopt_budget(second, "d2", {}, broker(), meta()) == 2
    assert p.budget == {"number": 2, "decision_id": "d2", "budget": second}


@pytest.mark.parametrize(
    ("events", "decision", "message"),
    [
        ((), "d1", "no such decision"),
        ((decided("d1", "suspend"),), "d1", "not about set_budget"),
        ((decided("d1", passed=False),), "d1", "did not pass"),
    ],
)
def test_a_budget_without_a_passed_set_budget_decision_is_refused(
    events: tuple[Any, ...], decision: str, message: str
) -> None:
    p = given(*agreed(A, B, C), *events)
    text = refused(
        p,
        RuleViolationError,
        lambda: p.adopt_budget(b.checked(plan()), decision, {}, broker(), meta()),
    )
    assert message in text


def test_a_used_decision_adopts_no_second_budget() -> None:
    p = given(*agreed(A, B, C), decided("d1"))
    p.adopt_budget(b.checked(plan()), "d1", {}, broker(), meta())
    p.collect_events()
    text = refused(
        p, RuleViolationError, lambda: p.adopt_budget(b.checked(plan()), "d1", {}, broker(), meta())
    )
    assert "already been applied" in text


def test_only_a_steward_adopts_a_budget() -> None:
    p = given(*agreed(A, B, C), decided("d1"))
    refused(
        p, ForbiddenError, lambda: p.adopt_budget(b.checked(plan()), "d1", {}, partner(B), meta())
    )


def test_a_budget_breaking_the_funds_rules_is_refused_and_keeps_the_decision() -> None:
    p = given(*agreed(A, B, C), decided("d1"))
    data = b.checked(plan())
    data["sources"][1]["rate"] = "61"
    refused(p, RuleViolationError, lambda: p.adopt_budget(data, "d1", {}, broker(), meta()))
    assert not p.decisions["d1"].used


def test_a_snapshot_from_before_budgets_reads_as_having_none() -> None:
    from collab.domain.partnership import Partnership

    state: dict[str, Any] = {}
    Partnership.upcast_v2_v3(state)
    assert state == {"budget": None}
