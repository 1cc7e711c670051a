"""Report requests and answers (DESIGN §9): which language a report's texts are in, and
the kinds of report offered.

The languages are the IATI `Language` code list's active codes, packaged with the service
(`collab/data/iati-codelists.json`): the same list the IATI ruleset checks `xml:lang`
against, so a report never declares a language its readers' tools refuse.
"""

from __future__ import annotations

import json
from functools import cache

import marshmallow as ma
from marshmallow import fields

from api.schemas.common import Choice
from api.schemas.views import ViewQuery
from collab.domain.reference import DATA


@cache
def languages() -> tuple[str, ...]:
    """The active codes of the IATI `Language` code list, sorted."""
    lists = json.loads((DATA / "iati-codelists.json").read_text(encoding="utf-8"))
    found = {i["code"] for i in lists["Language"]["items"] if i["status"] == "active"}
    return tuple(sorted(found))


class ReportQuery(ViewQuery):
    language = Choice(
        languages(),
        load_default="en",
        metadata={"description": "the language of the report's texts (IATI Language code)"},
    )


class ReportKind(ma.Schema):
    name = fields.String(required=True, metadata={"description": "the path's `report`"})
    media_type = fields.String(required=True)
    extension = fields.String(required=True)
    summary = fields.String(required=True)


class ReportList(ma.Schema):
    items = fields.List(fields.Nested(ReportKind), required=True)
