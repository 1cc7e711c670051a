"""The explorer's blueprints, registered in one place."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from web import (
        audit,
        budget_pages,
        change_pages,
        document_pages,
        field_pages,
        forms_agreement,
        forms_budget,
        forms_commitments,
        forms_corrections,
        forms_exchanges,
        forms_indicators,
        forms_membership,
        forms_organisations,
        forms_practices,
        forms_stewardship,
        home,
        organisations,
        partnership_pages,
        people_pages,
        practice_pages,
        proofs,
        report_pages,
        signin,
        timeline_pages,
    )

    for module in (
        signin,
        home,
        organisations,
        partnership_pages,
        timeline_pages,
        field_pages,
        people_pages,
        audit,
        forms_organisations,
        forms_membership,
        forms_agreement,
        forms_stewardship,
        forms_commitments,
        forms_corrections,
        forms_indicators,
        change_pages,
        proofs,
        practice_pages,
        forms_practices,
        forms_exchanges,
        document_pages,
        budget_pages,
        forms_budget,
        report_pages,
    ):
        app.register_blueprint(module.blp)
