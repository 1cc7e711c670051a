"""Accepted input (DESIGN §2): what may reach an event, and what is refused first."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collab.domain import values as v
from collab.domain.errors import InvalidInputError

WIRE_DECIMAL = st.from_regex(r"\A-?[0-9]{1,18}(\.[0-9]{1,6})?\Z")


@given(WIRE_DECIMAL.filter(lambda s: not s.startswith("-")))
def test_every_wire_decimal_round_trips_exactly(text: str) -> None:
    # Given a decimal string in the wire pattern, When it is checked, Then no digit is lost.
    value = v.decimal(text, "amount")
    assert value == Decimal(text)
    assert Decimal(format(value, "f")) == Decimal(text)


@pytest.mark.parametrize(
    "bad",
    [
        1.5,
        3,
        True,
        "1e3",
        "1E3",
        "1.0000001",
        "1234567890123456789",
        "",
        " 1",
        "1,5",
        "NaN",
        "Infinity",
        "0x10",
        None,
    ],
)
def test_decimal_fields_refuse_numbers_exponents_and_overlong_values(bad: object) -> None:
    with pytest.raises(InvalidInputError) as refused:
        v.decimal(bad, "quantity.value")
    assert refused.value.field == "quantity.value"


def test_negative_and_zero_quantities_are_refused_where_positive() -> None:
    with pytest.raises(InvalidInputError):
        v.decimal("-1", "x")
    with pytest.raises(InvalidInputError):
        v.decimal("0", "x", positive=True)
    assert v.decimal("0", "x") == Decimal(0)


@given(
    st.text(
        st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), min_size=1, max_size=50
    )
)
def test_text_is_kept_byte_exact(value: str) -> None:
    # Strings are stored byte-exact: no normalisation, no trimming.
    if value.strip():
        assert v.text(value, "title") == value


@pytest.mark.parametrize("bad", ["\ud800", "a\udfffb", "nul\x00", "", "   ", 7, None, "x" * 201])
def test_text_refuses_surrogates_nul_empty_and_overlong(bad: object) -> None:
    with pytest.raises(InvalidInputError):
        v.text(bad, "title")


@pytest.mark.parametrize("bad", [-1, 2**53, 1.0, True, "1"])
def test_integers_stay_within_zero_and_two_to_the_53_minus_one(bad: object) -> None:
    with pytest.raises(InvalidInputError):
        v.integer(bad, "weight")
    assert v.integer(2**53 - 1, "weight") == 2**53 - 1


@pytest.mark.parametrize(
    "bad", ["2027-02-30", "2027-2-1", "27-01-01", "2027-01-01T00:00:00Z", 20270101]
)
def test_dates_are_calendar_dates_in_iso_form(bad: object) -> None:
    with pytest.raises(InvalidInputError):
        v.iso_date(bad, "due_date")


@pytest.mark.parametrize("bad", ["A" * 64, "a" * 63, "g" * 64, "0x" + "a" * 62])
def test_hashes_are_lowercase_hex(bad: str) -> None:
    with pytest.raises(InvalidInputError):
        v.text_hash(bad)
    assert v.text_hash("a" * 64) == "a" * 64


@pytest.mark.parametrize(("good", "bad"), [("PT", "XX"), ("DE", "de")])
def test_countries_and_currencies_come_from_iso_lists(good: str, bad: str) -> None:
    assert v.country(good, "country") == good
    with pytest.raises(InvalidInputError):
        v.country(bad, "country")
    assert v.currency("EUR", "unit") == "EUR"
    for bad_currency in ("EURO", "eur", "XYZ"):
        with pytest.raises(InvalidInputError):
            v.currency(bad_currency, "unit")


def test_choices_refuse_unknown_and_repeated_codes() -> None:
    assert v.choices(["lead", "funder"], "roles", ("lead", "funder")) == ["lead", "funder"]
    with pytest.raises(InvalidInputError):
        v.choices(["lead", "lead"], "roles", ("lead",))
    with pytest.raises(InvalidInputError):
        v.choices(["boss"], "roles", ("lead",))
    with pytest.raises(InvalidInputError):
        v.choices([], "roles", ("lead",))
