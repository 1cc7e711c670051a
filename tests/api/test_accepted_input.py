"""Accepted input over HTTP (DESIGN §2): every pattern-checked field matches the whole
string, and codes outside their lists are refused with a problem+json body before anything
reaches the log."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from typing import Any

import marshmallow as ma
import pytest
from flask import Flask
from flask.testing import FlaskClient
from marshmallow import fields, validate

import api.schemas
from api.schemas import common
from api.schemas.commitments import RECIPIENT_PATTERN
from api.schemas.practices import FACET_RE
from api.schemas.views import CLASSIFICATION_RE, TIME_RE
from collab.domain import budget
from collab.domain import values as v
from tests.api.conftest import Auth, head, organisation_body
from tests.api.setup_partnership import Setup, active_partnership
from tests.domain.test_accepted_input import wide

PROBLEM = "application/problem+json"


# A valid value for each pattern the API's schemas check; a new pattern without one here
# fails the sweep, so no pattern escapes it.
SAMPLES = {
    v.DECIMAL_RE.pattern: "12.50",
    v.DATE_RE.pattern: "2027-01-31",
    v.HASH_RE.pattern: "ab" * 32,
    v.NUTS_RE.pattern: "PT1C2",
    v.LAU_RE.pattern: "0209",
    v.SCHEME_RE.pattern: "PT-NIPPC",
    common.UUID_PATTERN: "6f2c1e8a-2b4e-4a53-9d1e-0c6a7b1d2e3f",
    RECIPIENT_PATTERN: "pool",
    TIME_RE: "2027-01-31T10:00:00Z",
    CLASSIFICATION_RE: "sdg_goal:3",
    "^[A-Z]{3}$": "EUR",
    "^[A-Z]{2}$": "PT",
    "^[1-9][0-9]{0,15}$": "12",  # a number sent as a multipart form field
    FACET_RE: "territory:PT18",
    budget.SLUG_RE.pattern: "visits",  # a budget's line and source ids
}


def schema_fields() -> Iterator[tuple[str, fields.Field]]:
    """Every field of every schema the API declares, lists' items included."""
    for info in pkgutil.iter_modules(api.schemas.__path__):
        module = importlib.import_module(f"api.schemas.{info.name}")
        for name, cls in vars(module).items():
            if not (inspect.isclass(cls) and issubclass(cls, ma.Schema)):
                continue
            if cls.__module__ != module.__name__:
                continue
            for field_name, field in cls._declared_fields.items():
                yield f"{info.name}.{name}.{field_name}", field
                if isinstance(field, fields.List):
                    yield f"{info.name}.{name}.{field_name}[]", field.inner


PATTERNED = [
    (where, validator)
    for where, field in schema_fields()
    for validator in field.validators
    if isinstance(validator, validate.Regexp)
]


def test_the_sweep_finds_the_patterned_fields() -> None:
    assert len(PATTERNED) >= 15, [w for w, _ in PATTERNED]


@pytest.mark.parametrize(("where", "validator"), PATTERNED, ids=[w for w, _ in PATTERNED])
@pytest.mark.parametrize("damage", ["{}\n", "{}\r\n", " {}"], ids=["LF", "CRLF", "lead"])
def test_every_pattern_checked_field_matches_the_whole_string(
    where: str, validator: validate.Regexp, damage: str
) -> None:
    assert isinstance(validator, common.Whole), f"{where} uses re.match"
    sample = SAMPLES[validator.regex.pattern]
    assert validator(sample) == sample
    with pytest.raises(ma.ValidationError):
        validator(damage.format(sample))


# -- refusals over HTTP: a problem body, and the log did not move --------------------------


def refused(
    flask_app: Flask, client: FlaskClient, who: Any, path: str, body: Any, status: int
) -> dict[str, Any]:
    before = head(flask_app)
    response = client.post(f"/v1{path}", json=body, headers=who.headers())
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    problem = response.json
    assert problem is not None and problem["status"] == status
    assert head(flask_app) == before
    return problem


ORGANISATION_CASES = {
    "scheme with LF": (
        {"identifiers": [{"scheme": "PT-NIPPC\n", "id": "1"}]},
        "identifiers",
    ),
    "scheme with CRLF": (
        {"identifiers": [{"scheme": "PT-NIPPC\r\n", "id": "1"}]},
        "identifiers",
    ),
    "old Portuguese scheme": (
        {"identifiers": [{"scheme": "PT-NIPC", "id": "1"}]},
        "identifiers[0].scheme",
    ),
    "zero-width space in id": (
        {"identifiers": [{"scheme": "PT-NIPPC", "id": "506\u200b000001"}]},
        "identifiers[0].id",
    ),
    "inner space in id": (
        {"identifiers": [{"scheme": "PT-NIPPC", "id": "506 000001"}]},
        "identifiers[0].id",
    ),
    "NUTS with LF": ({"territory": {"country": "PT", "nuts": "PT1C2\n"}}, "territory"),
    "NUTS 2021 code": ({"territory": {"country": "PT", "nuts": "PT184"}}, "territory.nuts"),
    "NUTS of another country": (
        {"territory": {"country": "ES", "nuts": "PT1C2"}},
        "territory.nuts",
    ),
    "private type declared public": ({"org_type": 70, "sector": "public"}, "sector"),
}


@pytest.mark.parametrize("case", ORGANISATION_CASES)
def test_a_registration_outside_the_accepted_input_is_422(
    flask_app: Flask, client: FlaskClient, auth: Auth, case: str
) -> None:
    overrides, field = ORGANISATION_CASES[case]
    body = organisation_body(**overrides)
    problem = refused(flask_app, client, auth.broker, "/organisations", body, 422)
    assert problem["type"] == "urn:collab:problem:invalid-input"
    assert field in problem["errors"], problem


def test_a_lookalike_identifier_is_the_same_claim(
    flask_app: Flask, client: FlaskClient, auth: Auth
) -> None:
    # Given an organisation registered with a plain identifier
    plain = organisation_body(identifiers=[{"scheme": "PT-NIPPC", "id": "506000001"}])
    created = client.post("/v1/organisations", json=plain, headers=auth.broker.headers())
    assert created.status_code == 201, created.json
    # When another registers the same digits written fullwidth, Then it is the same claim
    fullwidth = organisation_body(identifiers=[{"scheme": "PT-NIPPC", "id": wide("506000001")}])
    problem = refused(flask_app, client, auth.broker, "/organisations", fullwidth, 409)
    assert problem["type"] == "urn:collab:problem:rule-violation"
    assert "PT-NIPPC:506000001" in problem["detail"]


@pytest.fixture
def setup(auth: Auth, client: FlaskClient) -> Setup:
    return active_partnership(auth, client)


PLEDGE_CASES = {
    "amount with LF": (
        {"quantity": {"value": "12.50\n", "unit": "EUR"}},
        "quantity",
    ),
    "currency XXX": (
        {
            "quantity": {"value": "12.50", "unit": "XXX"},
            "valuation": {"amount": "12.50", "currency": "XXX", "method": "actual_cost"},
        },
        "quantity.unit",
    ),
    "cash valued in another currency": (
        {"valuation": {"amount": "12.50", "currency": "USD", "method": "actual_cost"}},
        "valuation.currency",
    ),
    "cash valued at another amount": (
        {"valuation": {"amount": "99.00", "currency": "EUR", "method": "market_value"}},
        "valuation.amount",
    ),
}


@pytest.mark.parametrize("case", PLEDGE_CASES)
def test_a_pledge_outside_the_accepted_input_is_422(setup: Setup, case: str) -> None:
    overrides, field = PLEDGE_CASES[case]
    body = {
        "contribution_type": "cash",
        "quantity": {"value": "12.50", "unit": "EUR"},
        "valuation": {"amount": "12.50", "currency": "EUR", "method": "actual_cost"},
        **overrides,
    }
    before = setup.head()
    response = setup.post(setup.partners["b"], "./commitments", body)
    assert response.status_code == 422, response.json
    assert response.mimetype == PROBLEM
    assert field in response.json["errors"], response.json  # type: ignore[index]
    assert setup.head() == before


def test_minus_zero_is_stored_as_zero(setup: Setup) -> None:
    body = {
        "contribution_type": "staff_time",
        "quantity": {"value": "10", "unit": "hour"},
        "valuation": {"amount": "-0.00", "currency": "EUR", "method": "standard_rate"},
    }
    response = setup.post(setup.partners["b"], "./commitments", body)
    assert response.status_code == 201, response.json
    cid = response.json["result"]["commitment_id"]  # type: ignore[index]
    shown = setup.client.get(f"/v1/commitments/{cid}", headers=setup.partners["b"].headers())
    assert shown.json["valuation"]["amount"] == "0.00"  # type: ignore[index]
    assert str(setup.commitment(cid).valuation["amount"]) == "0.00"


def test_an_sdg_code_that_is_no_goal_or_target_is_422(setup: Setup, auth: Auth) -> None:
    body = {
        "title": "Care rounds",
        "need_statement": "Isolated elderly people lack care",
        "territory": {"country": "PT", "nuts": "PT1C2"},
        "partnership_type": "social_innovation",
        "classifications": [{"vocabulary": "sdg_goal", "code": "18"}],
    }
    before = setup.head()
    response = setup.post(auth.broker, "/partnerships", body)
    assert response.status_code == 422, response.json
    assert "classifications[0].code" in response.json["errors"], response.json  # type: ignore[index]
    assert setup.head() == before
