"""Composite values and the text hash partners recompute before signing."""

from __future__ import annotations

import hashlib
import json
import uuid
from decimal import Decimal
from typing import Any

import pytest
import rfc8785

from collab.domain import terms
from collab.domain.errors import InvalidInputError


def raw_terms(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "vision": "Café para todos — ñ, 日本, emoji 🙂",
        "shared_objectives": ["one", "two"],
        "member_objectives": {},
        "governance": {"rule": "qualified", "threshold": "66.67", "quorum": "50"},
        "review_schedule": "yearly",
        "exit_notice_days": 90,
        "moving_on_strategy": "scale",
        "period": {"start": "2027-01-01", "end": "2029-12-31"},
    }
    data.update(overrides)
    return data


def test_a_partner_recomputes_the_text_hash_from_the_published_terms() -> None:
    # Given the terms object as the API publishes it (JSON), with the partnership id and version
    pid = str(uuid.uuid4())
    checked = terms.agreement_terms(raw_terms(), pid, 3)
    published = json.loads(json.dumps(checked))
    # When a partner hashes the RFC 8785 canonical form on their own
    theirs = hashlib.sha256(rfc8785.dumps(published)).hexdigest()
    # Then it is the hash the service computed
    assert terms.terms_hash(checked) == theirs
    assert published["partnership_id"] == pid and published["version"] == 3


def test_the_hash_binds_partnership_and_version_so_restored_text_never_revives_signatures() -> None:
    pid = str(uuid.uuid4())
    v1 = terms.terms_hash(terms.agreement_terms(raw_terms(), pid, 1))
    v2 = terms.terms_hash(terms.agreement_terms(raw_terms(), pid, 2))
    other = terms.terms_hash(terms.agreement_terms(raw_terms(), str(uuid.uuid4()), 1))
    assert len({v1, v2, other}) == 3


def test_strings_in_terms_are_hashed_byte_exact() -> None:
    pid = str(uuid.uuid4())
    composed = terms.agreement_terms(raw_terms(vision="caf\u00e9"), pid, 1)
    decomposed = terms.agreement_terms(raw_terms(vision="cafe\u0301"), pid, 1)
    assert terms.terms_hash(composed) != terms.terms_hash(decomposed)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("governance", {"rule": "qualified", "quorum": "50"}),
        ("governance", {"rule": "majority", "quorum": "50", "threshold": "60"}),
        ("governance", {"rule": "majority", "quorum": 50}),
        ("governance", {"rule": "qualified", "quorum": "50", "threshold": "40"}),
        ("period", {"start": "2029-01-01", "end": "2027-01-01"}),
        ("exit_notice_days", -1),
        ("moving_on_strategy", "sell"),
        ("shared_objectives", []),
        ("member_objectives", {"not-a-uuid": ["x"]}),
        # one organisation in two spellings: one list would be silently dropped
        (
            "member_objectives",
            {
                "6f2c1e8a-2b4e-4a53-9d1e-0c6a7b1d2e3f": ["x"],
                "6F2C1E8A-2B4E-4A53-9D1E-0C6A7B1D2E3F": ["y"],
            },
        ),
    ],
)
def test_malformed_terms_are_refused(field: str, value: object) -> None:
    with pytest.raises(InvalidInputError):
        terms.agreement_terms(raw_terms(**{field: value}), str(uuid.uuid4()), 1)


def test_unknown_fields_in_terms_are_refused() -> None:
    with pytest.raises(InvalidInputError):
        terms.agreement_terms({**raw_terms(), "extra": 1}, str(uuid.uuid4()), 1)


def test_quantity_units_follow_the_contribution_type() -> None:
    assert terms.quantity({"value": "10.50", "unit": "EUR"}, "cash")["value"] == Decimal("10.50")
    assert terms.quantity({"value": "3", "unit": "fte_month"}, "staff_time")["unit"] == "fte_month"
    with pytest.raises(InvalidInputError):
        terms.quantity({"value": "10", "unit": "hour"}, "cash")
    with pytest.raises(InvalidInputError):
        terms.quantity({"value": "10", "unit": "EUR"}, "staff_time")


def test_valuations_either_carry_amount_and_currency_or_are_not_valued() -> None:
    valued = terms.valuation({"amount": "100", "currency": "EUR", "method": "market_value"})
    assert valued["amount"] == Decimal(100)
    assert terms.valuation({"method": "not_valued"})["amount"] is None
    with pytest.raises(InvalidInputError):
        terms.valuation({"amount": "100", "method": "not_valued"})
    with pytest.raises(InvalidInputError):
        terms.valuation({"method": "actual_cost"})


@pytest.mark.parametrize(
    "territory",
    [
        {"country": "PT", "nuts": "ES11"},
        {"country": "ZZ"},
        {"country": "PT", "nuts": "pt11"},
        {"nuts": "PT11"},
    ],
)
def test_territories_are_checked(territory: dict[str, str]) -> None:
    with pytest.raises(InvalidInputError):
        terms.territory(territory)


def test_greece_uses_el_in_nuts() -> None:
    assert terms.territory({"country": "GR", "nuts": "EL30"})["nuts"] == "EL30"


def test_identifier_schemes_follow_org_id_guide() -> None:
    assert terms.identifiers([{"scheme": "GB-COH", "id": "01234567"}])[0]["scheme"] == "GB-COH"
    for bad in ([{"scheme": "gb-coh", "id": "1"}], [], [{"scheme": "GB-C", "id": "1"}]):
        with pytest.raises(InvalidInputError):
            terms.identifiers(bad)
