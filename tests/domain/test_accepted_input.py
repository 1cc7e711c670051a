"""Accepted input (DESIGN §2): whole-string patterns, identifier ids in one canonical form,
codes from their lists, and the reference data the service carries equal to its source."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from collab.commitments.commands import Pledge
from collab.domain import codes, reference, terms
from collab.domain import values as v
from collab.domain.errors import InvalidInputError
from collab.organisations.commands import ClassifyOrganisation, RegisterOrganisation

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
PACKAGED = Path(reference.__file__).resolve().parents[1] / "data"
PID = "6f2c1e8a-2b4e-4a53-9d1e-0c6a7b1d2e3f"
WITHDRAWN_DAC5 = "15120"  # Public sector financial management: withdrawn from the list


def wide(text: str) -> str:
    """The same ASCII letters and digits written fullwidth (U+FF01 to U+FF5E)."""
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


def refused(field: str, fn: Any, *args: Any, **kw: Any) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as caught:
        fn(*args, **kw)
    assert caught.value.field == field, caught.value
    return caught.value


# -- the copies the service carries -------------------------------------------------------


COPIES = {
    "nuts-2024.csv": SHARED / "data" / "nuts-2024.csv",
    "org-id-schemes.json": SHARED / "data" / "org-id-schemes.json",
    "sdg-targets.csv": SHARED / "data" / "sdg-targets.csv",
    "iati-codelists.json": SHARED / "schemas" / "iati-2.03" / "codelists" / "codelists.json",
    # Subfolders: the key is the path under collab/data, named so in its SOURCES.md.
    **{
        f"iati/{name}": SHARED / "schemas" / "iati-2.03" / name
        for name in (
            "iati-activities-schema.xsd",
            "iati-common.xsd",
            "xml.xsd",
            "ruleset-standard.json",
        )
    },
    **{
        f"360giving/{name}": SHARED / "schemas" / "360giving" / name
        for name in ("360-giving-package-schema.json", "360-giving-schema.json")
    },
}


@pytest.mark.parametrize("name", COPIES)
def test_the_packaged_reference_data_equals_the_shared_file(name: str) -> None:
    source = COPIES[name]
    if not source.is_file():
        if os.environ.get("COLLAB_REQUIRE_VECTORS") == "1":
            pytest.fail(f"{source} is missing, and CI requires the shared reference data")
        pytest.skip(f"{source} not found: the copy cannot be compared with its source")
    assert (PACKAGED / name).read_bytes() == source.read_bytes()
    assert name in (PACKAGED / "SOURCES.md").read_text(encoding="utf-8")


def test_the_lists_hold_what_their_sources_say() -> None:
    assert len(reference.schemes()) == 823
    assert len(reference.nuts()) == 1903
    assert len(reference.sdg_codes()) == 17 + 169
    assert len(reference.dac5_codes()) == 295  # of 325 DAC 5-digit codes, the active ones


# -- 1. patterns match the whole string ---------------------------------------------------

WHOLE = [
    (v.decimal, "10.5"),
    (v.iso_date, "2027-01-31"),
    (v.text_hash, "a" * 64),
    (v.currency, "EUR"),
    (v.country, "PT"),
    (terms.scheme, "PT-NIPPC"),
    (v.canonical_identifier, "506000001"),
]


@pytest.mark.parametrize(("check", "good"), WHOLE, ids=lambda x: getattr(x, "__name__", x))
@pytest.mark.parametrize("damage", ["{}\n", "{}\r\n", " {}"], ids=["LF", "CRLF", "lead"])
def test_a_pattern_checked_value_must_match_whole(check: Any, good: str, damage: str) -> None:
    assert check(good, "f") == (Decimal(good) if check is v.decimal else good)
    refused("f", check, damage.format(good), "f")


@pytest.mark.parametrize("field", ["nuts", "lau"])
@pytest.mark.parametrize("damage", ["{}\n", "{}\r\n", " {}"], ids=["LF", "CRLF", "lead"])
def test_territory_codes_must_match_whole(field: str, damage: str) -> None:
    good = {"country": "PT", "nuts": "PT1C2", "lau": "0209"}
    assert terms.territory(good) == good
    refused(f"territory.{field}", terms.territory, {**good, field: damage.format(good[field])})


# -- 2. identifiers, codes and values from their lists ------------------------------------


def register(**overrides: Any) -> RegisterOrganisation:
    fields: dict[str, Any] = {
        "identifiers": [{"scheme": "PT-NIPPC", "id": "506000001"}],
        "legal_name": "Câmara Municipal de Mértola",
        "org_type": 11,
        "sector": "public",
        "territory": {"country": "PT", "nuts": "PT1C2"},
    }
    return RegisterOrganisation(**{**fields, **overrides})


@pytest.mark.parametrize(
    ("given", "canonical"),
    [(wide("506000001"), "506000001"), ("SC123456", "SC123456"), (wide("SC123"), "SC123")],
)
def test_an_identifier_id_is_kept_in_its_nfkc_form(given: str, canonical: str) -> None:
    # Lookalikes become the one id they look like: their claim is the same claim
    made = register(identifiers=[{"scheme": "GB-COH", "id": given}])
    assert made.identifiers == [{"scheme": "GB-COH", "id": canonical}]


@pytest.mark.parametrize(
    "bad", ["506\u200b000001", "506 000001", "506\u00a0000001", "", "é1", "x" * 101, "\t1"]
)
def test_an_identifier_id_a_person_cannot_read_is_refused(bad: str) -> None:
    refused("identifiers[0].id", register, identifiers=[{"scheme": "PT-NIPPC", "id": bad}])


def test_two_lookalike_ids_in_one_registration_are_one_identifier() -> None:
    twice = [
        {"scheme": "PT-NIPPC", "id": "506000001"},
        {"scheme": "PT-NIPPC", "id": wide("506") + "000001"},
    ]
    refused("identifiers", register, identifiers=twice)


@pytest.mark.parametrize("scheme", ["PT-NIPPC", "CA_AB-ABT", "US-CA_CR", "CN-11-CR", "XI-IATI"])
def test_a_scheme_of_the_register_is_accepted(scheme: str) -> None:
    assert register(identifiers=[{"scheme": scheme, "id": "1"}]).identifiers[0]["scheme"] == scheme


@pytest.mark.parametrize(
    ("scheme", "why"),
    [
        ("PT-NIPC", "is not a scheme"),
        ("GB-XYZ", "is not a scheme"),
        ("gb-coh", "must be"),
        ("GB-GOVUK", "deprecated"),
        ("GB-COH\n", "must be"),
    ],
)
def test_a_scheme_outside_the_register_is_refused(scheme: str, why: str) -> None:
    err = refused("identifiers[0].scheme", register, identifiers=[{"scheme": scheme, "id": "1"}])
    assert why in str(err)


@pytest.mark.parametrize(
    ("territory", "why"),
    [
        ({"country": "PT", "nuts": "PT184"}, "is not a NUTS 2024 code"),  # Baixo Alentejo was
        ({"country": "ES", "nuts": "PT1C2"}, "country"),
        ({"country": "GR", "nuts": "GR30"}, "is not a NUTS 2024 code"),
        ({"country": "PT", "nuts": "PTZZZ"}, "Extra-Regio"),
        ({"country": "US", "nuts": "US1"}, "is not a NUTS 2024 code"),
    ],
)
def test_a_nuts_code_must_exist_in_the_stated_country(territory: dict[str, str], why: str) -> None:
    assert why in str(refused("territory.nuts", register, territory=territory))


@pytest.mark.parametrize("territory", [{"country": "GR", "nuts": "EL30"}, {"country": "ES"}])
def test_greece_is_el_in_nuts_and_nuts_is_optional(territory: dict[str, str]) -> None:
    assert register(territory=territory).territory["country"] == territory["country"]


@pytest.mark.parametrize("code", ["3", "3.4", "1.a", "17.19"])
def test_sdg_goals_and_targets_are_accepted(code: str) -> None:
    found = terms.classifications([{"vocabulary": "sdg_goal", "code": code}])
    assert found == [{"vocabulary": "sdg_goal", "code": code}]


@pytest.mark.parametrize("code", ["18", "0", "3.99", "3.4.1", "Goal 3", "3 "])
def test_an_sdg_code_that_is_no_goal_or_target_is_refused(code: str) -> None:
    refused(
        "classifications[0].code",
        terms.classifications,
        [{"vocabulary": "sdg_goal", "code": code}],
    )


@pytest.mark.parametrize(
    "code", ["XXX", "XTS", "XAU", "XAG", "XPT", "XPD", "XDR", "XUA", "XAD", "CLF", "USN", "CHE"]
)
def test_a_currency_that_is_not_money_is_refused(code: str) -> None:
    refused("f", v.currency, code, "f")


@pytest.mark.parametrize("code", ["EUR", "XOF", "XAF", "CHF"])
def test_real_money_is_accepted(code: str) -> None:
    assert v.currency(code, "f") == code


def test_the_sector_table_covers_every_type_and_never_makes_private_types_public() -> None:
    assert set(codes.SECTORS_BY_ORG_TYPE) == set(codes.ORG_TYPES)
    for org_type in (70, 71, 72, 73):
        assert codes.SECTORS_BY_ORG_TYPE[org_type] == ("private",)
    for org_type in (10, 11, 15):
        assert codes.SECTORS_BY_ORG_TYPE[org_type] == ("public",)


@pytest.mark.parametrize(
    ("org_type", "sector"), [(70, "public"), (11, "private"), (22, "public"), (10, "civil_society")]
)
def test_a_sector_inconsistent_with_the_type_is_refused(org_type: int, sector: str) -> None:
    refused("sector", register, org_type=org_type, sector=sector)
    refused("sector", ClassifyOrganisation, PID, org_type=org_type, sector=sector)


def pledge(valuation: dict[str, Any], kind: str = "cash") -> Pledge:
    unit = "EUR" if kind == "cash" else "hour"
    return Pledge(PID, kind, {"value": "100.00", "unit": unit}, valuation)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("valuation", "field"),
    [
        ({"amount": "100.00", "currency": "USD", "method": "actual_cost"}, "valuation.currency"),
        ({"amount": "120.00", "currency": "EUR", "method": "market_value"}, "valuation.amount"),
        ({"method": "not_valued"}, "valuation.method"),
    ],
)
def test_cash_is_valued_at_its_own_amount_and_currency(
    valuation: dict[str, Any], field: str
) -> None:
    refused(field, pledge, valuation)


def test_cash_valued_at_itself_and_time_valued_otherwise_are_accepted() -> None:
    same = pledge({"amount": "100", "currency": "EUR", "method": "actual_cost"})
    assert same.valuation["amount"] == Decimal("100")
    other = pledge({"amount": "2500", "currency": "USD", "method": "market_value"}, "staff_time")
    assert other.valuation["currency"] == "USD"


@pytest.mark.parametrize("raw", ["-0", "-0.0", "-0.000000"])
def test_minus_zero_is_stored_as_zero(raw: str) -> None:
    value = v.decimal(raw, "f")
    assert value == 0 and not value.is_signed()
    assert not format(value, "f").startswith("-")


@pytest.mark.parametrize("code", ["11110", "16010", "43040"])
def test_active_dac5_sector_codes_are_accepted(code: str) -> None:
    assert terms.classifications([{"vocabulary": "dac5", "code": code}])[0]["code"] == code


@pytest.mark.parametrize("code", ["99999", "111", "1111", "11110 ", WITHDRAWN_DAC5])
def test_a_dac5_code_that_is_not_an_active_sector_is_refused(code: str) -> None:
    refused(
        "classifications[0].code", terms.classifications, [{"vocabulary": "dac5", "code": code}]
    )
