"""The network of learning's domain alone (DESIGN §8): a practice's typed fields and
vocabularies, the sector-mix bucket, Practice versions and withdrawal, the Lineage's
refusal of cycles, an Exchange's answer. No I/O; a refusal records nothing."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import pytest

from collab.domain import practice_terms as pt
from collab.domain.envelope import Envelope
from collab.domain.errors import InvalidInputError, RuleViolationError
from collab.domain.exchange import Exchange
from collab.domain.lineage import LINEAGE_ID, Lineage
from collab.domain.practice import Practice
from collab.governance.commands import DecisionSubject

ORG = str(uuid.uuid4())
A, B, C, D = (str(uuid.uuid4()) for _ in range(4))


def meta(reason: str | None = None) -> Envelope:
    return Envelope(
        actor=str(uuid.uuid4()),
        on_behalf_of=None,
        mandate=None,
        reason=reason,
        recorded_at="2028-06-01T10:00:00.000000Z",
        effective_date="2028-06-01",
        correlation_id="c",
    )


def fields(**changes: Any) -> dict[str, Any]:
    return {
        "title": "Care rounds by the parish",
        "need": {"statement": "Elders miss care.", "assessment": "A survey of 212 homes."},
        "territory": {"country": "PT", "nuts": "PT1C2", "lau": "0209", "kind": "rural"},
        "target_group": "People over 75 living alone",
        "themes": ["ageing", "health_care"],
        "approach": "Volunteers visit weekly.",
        "languages": ["pt"],
        "licence": "CC-BY-4.0",
        "contact": {"role": "Care coordinator", "organisation_id": ORG},
        "evidence": {"level": 2, "basis": "Admissions before and after."},
        "sdg_targets": ["10.2", "3.8"],
        **changes,
    }


# -- practice_terms.content -------------------------------------------------------------


def test_a_complete_record_is_checked_into_a_fixed_shape() -> None:
    record = pt.content(fields())
    assert tuple(record) == pt.FIELDS
    assert record["territory"] == {"country": "PT", "nuts": "PT1C2", "lau": "0209", "kind": "rural"}
    assert record["contact"] == {"role": "Care coordinator", "organisation_id": ORG}
    assert record["evidence"] == {"level": 2, "basis": "Admissions before and after."}
    assert (record["methods"], record["did_not_work"], record["preconditions"]) == ([], [], [])
    assert record["sdg_targets"] == ["3.8", "10.2"]  # in the SDGs' own order


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("practice", {"colour": "green"}),  # an unknown field
        ("themes", {"themes": ["space_travel"]}),  # outside the vocabulary
        ("themes", {"themes": list(pt.THEMES[:6])}),  # more than five
        ("themes", {"themes": []}),
        ("territory", {"territory": {"country": "PT", "nuts": "PT999", "kind": "rural"}}),
        ("territory.kind", {"territory": {"country": "PT", "kind": "suburban"}}),
        ("contact.role", {"contact": {"role": "ana@parish.pt", "organisation_id": ORG}}),
        ("evidence.level", {"evidence": {"level": 6, "basis": "A trial"}}),
        ("evidence.level", {"evidence": {"level": 0, "basis": "A hunch"}}),
        ("sdg_targets", {"sdg_targets": ["3"]}),  # a goal, not a target
        ("sdg_targets", {"sdg_targets": ["3.8", "3.8"]}),
        ("licence", {"licence": "All rights reserved"}),
        ("languages", {"languages": ["pt", "pt"]}),
        ("languages", {"languages": ["Portuguese"]}),
        ("did_not_work", {"did_not_work": [{"what": "Phone calls"}]}),
    ],
)
def test_a_record_outside_its_vocabularies_is_refused(field: str, changes: dict[str, Any]) -> None:
    with pytest.raises(InvalidInputError) as caught:
        pt.content(fields(**changes))
    assert caught.value.field.startswith(field.split(".")[0])


@pytest.mark.parametrize("missing", pt.REQUIRED)
def test_every_required_field_is_required(missing: str) -> None:
    record = fields()
    record.pop(missing)
    with pytest.raises(InvalidInputError):
        pt.content(record)


def test_a_decision_publishes_figures_from_the_closed_list_in_order() -> None:
    assert pt.figures(["outcomes", "sector_mix"]) == ("sector_mix", "outcomes")
    assert pt.figures([]) == ()
    with pytest.raises(InvalidInputError):
        pt.figures(["budget"])


def test_a_publishing_decision_lists_its_figures_and_audience() -> None:
    subject = DecisionSubject("publish_practice", publishes=("outcomes", "sector_mix"))
    assert (subject.publishes, subject.audience) == (("sector_mix", "outcomes"), "signed_in")
    assert subject.data()["publishes"] == ["sector_mix", "outcomes"]
    assert DecisionSubject("publish_practice").data()["publishes"] == []
    for refused in (
        lambda: DecisionSubject("publish_practice", audience="everyone"),
        lambda: DecisionSubject("publish_practice", publishes=("budget",)),
        lambda: DecisionSubject("suspend", publishes=("sector_mix",)),
        lambda: DecisionSubject("suspend", audience="anyone"),
    ):
        with pytest.raises(InvalidInputError):
            refused()
    assert "publishes" not in DecisionSubject("suspend").data()


# -- the sector-mix bucket ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("sectors", "expected"),
    [
        (["public"], "public_only"),
        (["private", "private"], "private_only"),
        (["private", "civil_society"], "civil_society_private"),
        (["civil_society", "public", "public"], "public_civil_society"),
        (["private", "public", "civil_society"], "public_civil_society_private"),
    ],
)
def test_the_bucket_names_the_sectors_present(sectors: list[str], expected: str) -> None:
    assert pt.bucket(sectors) == expected


def test_every_mix_of_sectors_has_one_bucket_of_the_vocabulary() -> None:
    sectors = ("public", "civil_society", "private")
    mixes = [c for n in (1, 2, 3) for c in itertools.combinations(sectors, n)]
    assert sorted(pt.bucket(m) for m in mixes) == sorted(pt.SECTOR_MIX_BUCKETS)
    with pytest.raises(RuleViolationError):
        pt.bucket([])


# -- Practice ---------------------------------------------------------------------------


def published() -> Practice:
    return Practice(A, "d1", "signed_in", None, pt.content(fields()), {}, meta())


def test_a_version_is_published_by_its_own_partnership_only() -> None:
    practice = published()
    with pytest.raises(RuleViolationError):
        practice.publish_version(B, "d2", "anyone", pt.content(fields()), {}, meta())
    assert practice.version == 1
    revised = pt.content(fields(title="Care rounds, revised"))
    assert practice.publish_version(A, "d2", "anyone", revised, {}, meta()) == 2
    assert (practice.current, practice.decisions, practice.audience) == (2, ["d1", "d2"], "anyone")
    assert practice.content["title"] == "Care rounds, revised"


def test_withdrawal_needs_a_reason_and_ends_the_versions() -> None:
    practice = published()
    with pytest.raises(InvalidInputError):
        practice.withdraw(A, meta())
    with pytest.raises(RuleViolationError):
        practice.withdraw(B, meta("not ours"))
    assert practice.version == 1
    practice.withdraw(A, meta("the rota ended"))
    assert practice.withdrawn == "the rota ended" and practice.version == 2
    for refused in (
        lambda: practice.withdraw(A, meta("again")),
        lambda: practice.publish_version(A, "d2", "anyone", practice.content, {}, meta()),
        practice.check_live,
    ):
        with pytest.raises(RuleViolationError):
            refused()
    assert practice.version == 2


# -- Lineage ----------------------------------------------------------------------------


def adoption(
    ancestry: tuple[str, ...], adopter: str, practice_id: str | None = None
) -> dict[str, Any]:
    """`adopter` takes up a practice whose line is published by `ancestry` (nearest first)."""
    return {
        "adoption_id": str(uuid.uuid4()),
        "practice_id": practice_id or f"practice-of-{ancestry[0]}",
        "practice_version": 1,
        "source": ancestry[0],
        "adopter": adopter,
        "relation": "adopts",
        "territory": {"country": "ES", "nuts": "ES618", "lau": None, "kind": "rural"},
        "why": "It worked there",
        "changes": None,
        "ancestry": list(ancestry),
    }


def test_the_lineage_is_one_aggregate_with_a_fixed_id() -> None:
    lineage = Lineage(meta())
    assert lineage.id == LINEAGE_ID and lineage.adoptions == {}


def test_an_adoption_that_would_close_a_cycle_is_refused() -> None:
    # Given A's practice taken up by B, and B's adaptation of it taken up by C
    lineage = Lineage(meta())
    lineage.adopt(adoption((A,), B), meta())
    lineage.adopt(adoption((B, A), C), meta())
    version = lineage.version
    # Then C's adaptation (line C, B, A) is refused to A and B; A's own practice to A;
    # and A's practice a second time to B
    refused = (((C, B, A), A), ((C, B, A), B), ((A,), A), ((A,), B))
    for ancestry, adopter in refused:
        with pytest.raises(RuleViolationError):
            lineage.adopt(adoption(ancestry, adopter), meta())
    assert lineage.version == version
    # And D, outside the line, takes up C's adaptation
    lineage.adopt(adoption((C, B, A), D), meta())
    # But a practice of B's own line (not descending from A) is A's to take up, and B
    # takes up another of A's practices
    lineage.adopt(adoption((B,), A, "another-of-B"), meta())
    lineage.adopt(adoption((A,), B, "another-of-A"), meta())
    assert len(lineage.adoptions) == 5


# -- Exchange ---------------------------------------------------------------------------


def asked() -> Exchange:
    return Exchange("practice", owner=A, asker=B, question="How?", meta=meta())


def test_only_the_owner_answers_once() -> None:
    exchange = asked()
    assert (exchange.status, exchange.answer) == ("asked", None)
    with pytest.raises(RuleViolationError):
        exchange.reply(B, "We did it so.", meta())
    exchange.reply(A, "The parish keeps the rota.", meta())
    assert (exchange.status, exchange.answer) == ("answered", "The parish keeps the rota.")
    for again in (
        lambda: exchange.reply(A, "Again.", meta()),
        lambda: exchange.decline(A, meta()),
    ):
        with pytest.raises(RuleViolationError):
            again()
    assert exchange.version == 2


def test_a_declined_exchange_takes_no_answer() -> None:
    exchange = asked()
    with pytest.raises(RuleViolationError):
        exchange.decline(C, meta())
    exchange.decline(A, meta("not ready"))
    assert exchange.status == "declined"
    with pytest.raises(RuleViolationError):
        exchange.reply(A, "Late.", meta())
