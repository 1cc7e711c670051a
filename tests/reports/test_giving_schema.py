"""The 360Giving 1.4.3 package schema, checked offline from the package's copies: a valid
package, a grant missing its amount, dates plain and broken, and bytes that are not JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest

from collab.reports import giving_schema
from collab.reports.giving_schema import giving_errors
from tests.reports.offline import offline  # noqa: F401

pytestmark = pytest.mark.usefixtures("offline")


def grant(**changes: Any) -> dict[str, Any]:
    """A minimal cash grant; a change of None removes the field."""
    fields: dict[str, Any] = {
        "id": "360G-PTNIPPC506000001-G1",
        "title": "Community kitchens",
        "description": "A grant to run kitchens with neighbours.",
        "currency": "EUR",
        "amountAwarded": 5000,
        "awardDate": "2026-02-01",
        "recipientOrganization": [{"id": "PT-NIPPC-506000002", "name": "Implementer"}],
        "fundingOrganization": [{"id": "PT-NIPPC-506000001", "name": "Funder"}],
    }
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


def package(*grants: dict[str, Any]) -> bytes:
    return json.dumps({"grants": list(grants)}).encode()


def test_a_minimal_valid_package_passes() -> None:
    giving_schema.package_validator.cache_clear()  # built here, with networking off
    assert giving_errors(package(grant())) == []


def test_a_grant_missing_its_amount_fails_and_says_which_field() -> None:
    assert giving_errors(package(grant(amountAwarded=None))) == [
        "$.grants[0]: 'amountAwarded' is a required property"
    ]


@pytest.mark.parametrize(
    "date", ["2026-02-01", "2026-02-01T10:30:00Z", "2026-02-01T10:30:00+01:00"]
)
def test_a_plain_date_or_a_date_time_passes(date: str) -> None:
    # A plain date matches only the pattern branch: the date-time format check refuses it
    assert giving_errors(package(grant(awardDate=date))) == []


@pytest.mark.parametrize("date", ["2026-13-01", "01/02/2026", "2026-02-01T25:00:00Z"])
def test_a_bad_date_fails(date: str) -> None:
    errors = giving_errors(package(grant(awardDate=date)))
    assert len(errors) == 1 and errors[0].startswith("$.grants[0].awardDate: "), errors


def test_an_empty_package_fails() -> None:
    assert giving_errors(b'{"grants": []}') == ["$.grants: [] should be non-empty"]


@pytest.mark.parametrize("document", [b"", b"{", b"\xff", b"[1,"])
def test_bytes_that_are_not_json_give_an_error(document: bytes) -> None:
    errors = giving_errors(document)
    assert len(errors) == 1 and errors[0].startswith("not JSON: "), errors


@pytest.mark.parametrize(
    "document",
    [b"[" * 100_000 + b"]" * 100_000, b'{"grants": [' + b"[" * 5000 + b"]" * 5000 + b"]}"],
)
def test_json_nested_too_deeply_gives_an_error_not_an_exception(document: bytes) -> None:
    # When a file nested deeper than the parser or the validator recurses is checked
    found = giving_errors(document)
    # Then it is one readable error
    assert len(found) == 1 and "nested too deeply" in found[0]
