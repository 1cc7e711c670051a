"""The form runner reads a form into the body the JSON API's route would receive
(web/forms.py): nested objects from dotted names, list items from indexes, integers where
the API takes integers, empty inputs left out, and a Portuguese reader's decimal comma."""

from __future__ import annotations

from flask import Flask
from werkzeug.datastructures import MultiDict

from api.schemas import commitments as cs
from api.schemas import partnerships as ps
from web.forms import fields_of


def read(app: Flask, schema: object, form: dict[str, str], lang: str = "en") -> dict[str, object]:
    with app.test_request_context("/", headers={"Accept-Language": lang}):
        return fields_of(schema, MultiDict(form))  # type: ignore[arg-type]


def test_dotted_names_make_nested_objects_and_empty_ones_are_left_out(flask_app: Flask) -> None:
    form = {
        "contribution_type": "staff_time",
        "quantity.value": " 12.50 ",
        "quantity.unit": "hour",
        "valuation.method": "not_valued",
        "valuation.amount": "",
        "period.start": "",
        "period.end": "",
        "conditions": "",
    }
    body = read(flask_app, cs.Pledge(), form)
    assert body == {
        "contribution_type": "staff_time",
        "quantity": {"value": "12.50", "unit": "hour"},
        "valuation": {"method": "not_valued"},
    }


def test_integers_where_the_api_takes_integers_and_lists_from_indexes(flask_app: Flask) -> None:
    form = {"organisation_id": "x", "weight": "3", "roles": "lead"}
    assert read(flask_app, ps.InviteMember(), form)["weight"] == 3
    assert read(flask_app, ps.InviteMember(), {**form, "weight": "three"})["weight"] == "three"
    terms = {"terms.shared_objectives.0": "Visits", "terms.shared_objectives.2": "Meals"}
    body = read(flask_app, ps.DraftVersion(), terms)
    assert body["terms"] == {"shared_objectives": ["Visits", "Meals"]}


def test_a_decimal_comma_is_read_as_a_point_only_for_a_reader_whose_locale_uses_it(
    flask_app: Flask,
) -> None:
    form = {"quantity": "12,5", "delivered_on": "2026-11-30"}
    assert read(flask_app, cs.ReportDelivery(), form, "pt")["quantity"] == "12.5"
    # In English "1,000" reads as a thousand: the comma is left for the schema to refuse
    assert read(flask_app, cs.ReportDelivery(), form, "en")["quantity"] == "12,5"
    thousands = {**form, "quantity": "1.000,5"}
    assert read(flask_app, cs.ReportDelivery(), thousands, "pt")["quantity"] == "1.000,5"
