"""Decision rules of DESIGN §2: quorum over active voting weight; four rules."""

from __future__ import annotations

import pytest

from collab.domain.partnership_rules import imbalance, tally

WEIGHTS = {"a": 3, "b": 2, "c": 1, "d": 4}  # total 10


def rule(name: str, quorum: str = "50", threshold: str = "") -> dict[str, str]:
    return {"rule": name, "quorum": quorum, "threshold": threshold}


def test_quorum_counts_abstainers_as_present() -> None:
    # Given 6 of 10 weight present, two of it abstaining
    result = tally(rule("majority", quorum="60"), WEIGHTS, {"d": "for", "b": "abstain"})
    assert result["present_weight"] == 6 and result["quorum_met"]
    # Then 4 for out of 6 present carries a majority
    assert result["passed"]


def test_missing_quorum_fails_even_when_everyone_present_agrees() -> None:
    result = tally(rule("majority", quorum="50"), WEIGHTS, {"a": "for", "c": "for"})
    assert result["present_weight"] == 4 and not result["quorum_met"] and not result["passed"]


@pytest.mark.parametrize(
    ("votes", "passed"),
    [
        ({"a": "for", "b": "against", "c": "abstain"}, False),  # 3 of 6 is not > 50%
        ({"a": "for", "c": "for", "b": "against"}, True),  # 4 of 6
        ({"d": "for", "a": "against"}, True),  # 4 of 7
    ],
)
def test_majority_needs_more_than_half_of_present_weight(
    votes: dict[str, str], passed: bool
) -> None:
    assert tally(rule("majority"), WEIGHTS, votes)["passed"] is passed


@pytest.mark.parametrize(
    ("votes", "passed"),
    [
        ({"d": "for", "b": "for", "a": "against"}, True),  # 6 of 9 = 66.67% >= 66.67
        ({"d": "for", "c": "for", "a": "against"}, False),  # 5 of 8 = 62.5%
    ],
)
def test_qualified_needs_threshold_percent_of_present_weight(
    votes: dict[str, str], passed: bool
) -> None:
    assert tally(rule("qualified", threshold="66.66"), WEIGHTS, votes)["passed"] is passed


def test_consensus_fails_on_a_single_vote_against() -> None:
    assert tally(rule("consensus"), WEIGHTS, {"a": "for", "d": "for", "c": "abstain"})["passed"]
    assert not tally(rule("consensus"), WEIGHTS, {"a": "for", "d": "for", "c": "against"})["passed"]


def test_unanimity_needs_every_active_voting_member_present_and_for() -> None:
    everyone = dict.fromkeys(WEIGHTS, "for")
    assert tally(rule("unanimity"), WEIGHTS, everyone)["passed"]
    assert not tally(rule("unanimity"), WEIGHTS, {**everyone, "c": "abstain"})["passed"]
    assert not tally(rule("unanimity"), WEIGHTS, {k: "for" for k in ("a", "b", "d")})["passed"]


def test_zero_weight_members_do_not_block_unanimity() -> None:
    weights = {**WEIGHTS, "observer": 0}
    assert tally(rule("unanimity"), weights, dict.fromkeys(WEIGHTS, "for"))["passed"]


@pytest.mark.parametrize(
    ("weights", "problem"),
    [
        ([("public_authority", 49), ("economic", 51)], "economic"),
        ([("public_authority", 50), ("economic", 25), ("civil_society", 25)], "public_authority"),
        ([("public_authority", 49), ("economic", 26), ("civil_society", 25)], None),
        ([("civil_society", 1), ("civil_society", 1), ("economic", 1)], "civil_society"),
        ([], None),
    ],
)
def test_clld_rule_no_interest_group_above_49_percent(
    weights: list[tuple[str, int]], problem: str | None
) -> None:
    found = imbalance(weights)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found
