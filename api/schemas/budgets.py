"""Budget requests and answers (DESIGN §9): a budget version adopted by decision, the
budget view, the funds' rules.

The vocabularies come from `collab.domain.budget`; the command checks every field again
when it is built (the schema only shapes them). Decimals are strings, never numbers.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from api.schemas.commitments import CommitmentPeriod, CommitmentPeriodOut
from api.schemas.common import Choice, CommandBody, Decimal, Strict, Text, Uuid, Whole
from collab.domain import budget as b
from collab.domain import values as v

CURRENCY = Whole("^[A-Z]{3}$")


def Slug(**kw: Any) -> fields.String:
    return fields.String(validate=Whole(b.SLUG_RE.pattern), **kw)


class BudgetLine(Strict):
    line_id = Slug(required=True, metadata={"description": "a short id, unique in the budget"})
    category = Choice(b.CATEGORIES, required=True, metadata={"description": "docs/budget.md"})
    description = Text(v.LONG, required=True)
    period = fields.Nested(CommitmentPeriod, required=True)
    amount = Decimal(required=True, metadata={"description": "above zero"})
    currency = fields.String(required=True, validate=CURRENCY, metadata={"description": "ISO 4217"})


class Fund(Strict):
    line_id = Slug(required=True, metadata={"description": "a line in the source's currency"})
    amount = Decimal(required=True, metadata={"description": "what the source puts on it"})


class FundingSource(Strict):
    source_id = Slug(required=True)
    kind = Choice(b.SOURCE_KINDS, required=True)
    name = Text(required=True)
    organisation_id = Uuid(
        load_default=None, allow_none=True, metadata={"description": "a registered organisation"}
    )
    region_category = Choice(
        b.REGION_CATEGORIES,
        load_default=None,
        allow_none=True,
        metadata={"description": "required for an EU fund"},
    )
    variant = Text(
        100,
        load_default=None,
        allow_none=True,
        metadata={"description": "an EU fund's rate variant in GET /v1/budget-rules (leader…)"},
    )
    rate = Decimal(required=True, metadata={"description": "co-financing rate, percent, (0, 100]"})
    currency = fields.String(required=True, validate=CURRENCY)
    funds = fields.List(
        fields.Nested(Fund), load_default=list, validate=validate.Length(max=b.MAX_LINES)
    )


class MatchItem(Strict):
    commitment_id = Uuid(
        required=True, metadata={"description": "a commitment to this partnership"}
    )
    line_id = Slug(required=True)
    source_id = Slug(
        load_default=None,
        allow_none=True,
        metadata={"description": "the source it counts as match funding in kind for"},
    )


class Budget(Strict):
    lines = fields.List(
        fields.Nested(BudgetLine), required=True, validate=validate.Length(1, b.MAX_LINES)
    )
    sources = fields.List(
        fields.Nested(FundingSource), load_default=list, validate=validate.Length(max=b.MAX_SOURCES)
    )
    match = fields.List(
        fields.Nested(MatchItem), load_default=list, validate=validate.Length(max=b.MAX_MATCH)
    )


class AdoptBudget(CommandBody):
    decision_id = Uuid(
        required=True, metadata={"description": "a passed, unused set_budget decision"}
    )
    budget = fields.Nested(Budget, required=True)


# -- answers ---------------------------------------------------------------------------------


def Money(**kw: Any) -> fields.String:
    return fields.String(required=True, metadata={"description": "decimal text"}, **kw)


class Figures(ma.Schema):
    budget = Money()
    committed = Money()
    delivered = Money()


class LineView(Figures):
    line_id = fields.String(required=True)
    category = fields.String(required=True)
    description = fields.String(required=True)
    period = fields.Nested(CommitmentPeriodOut, required=True)
    amount = Money()
    currency = fields.String(required=True)
    funded = Money()
    commitments = fields.List(fields.String(), required=True)


class InKind(ma.Schema):
    committed = Money()
    delivered = Money()


class Ceiling(ma.Schema):
    rule = fields.String(required=True)
    source = fields.String(required=True, metadata={"description": "the article"})
    verified = fields.Boolean(required=True)
    public_support = Money()
    eligible_expenditure = Money()
    in_kind = Money()
    holds = fields.Boolean(required=True)


class SourceView(ma.Schema):
    source_id = fields.String(required=True)
    kind = fields.String(required=True)
    name = fields.String(required=True)
    organisation_id = fields.String(required=True, allow_none=True)
    region_category = fields.String(required=True, allow_none=True)
    variant = fields.String(required=True, allow_none=True)
    currency = fields.String(required=True)
    rate = Money()
    eu_rules = fields.Boolean(required=True)
    amount = Money()
    funds = fields.List(fields.Nested(Fund), required=True)
    lines = fields.Nested(Figures, required=True)
    match_in_kind = fields.Nested(InKind, required=True)
    rate_reached = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "its share, in percent, of what finances its lines so far: every "
            "source's funds on them and the match in kind delivered on them"
        },
    )
    max_rate = fields.Dict(
        required=True,
        allow_none=True,
        metadata={"description": "the fund's recorded maximum: value, source, verified"},
    )
    within_max = fields.Boolean(required=True, allow_none=True)
    in_kind_ceiling = fields.Nested(Ceiling, required=True, allow_none=True)


class Totals(Figures):
    currency = fields.String(required=True)
    funded = Money()


class BudgetView(ma.Schema):
    partnership_id = fields.String(required=True)
    number = fields.Integer(required=True, allow_none=True, metadata={"description": "null: none"})
    decision_id = fields.String(required=True, allow_none=True)
    lines = fields.List(fields.Nested(LineView), required=True)
    sources = fields.List(fields.Nested(SourceView), required=True)
    totals = fields.List(fields.Nested(Totals), required=True)


class BudgetRules(ma.Schema):
    rules = fields.Dict(
        required=True, metadata={"description": "collab/data/fund_rules.json, as recorded"}
    )
    vocabularies = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
