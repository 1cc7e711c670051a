"""Read-side requests and responses: partnership views, lists, ledger, inbox, map.

Each response is documented as the view returns it: decimals as strings, nullable where a
value may be absent, open-ended objects (agreement terms) as plain maps.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from api.schemas.common import Choice, Page, ReadOptions, Whole
from collab.domain import codes
from collab.domain import values as v
from collab.domain.partnership import CLOSED, IN_FORCE, PRE_FORCE

STATUSES = (*PRE_FORCE, *IN_FORCE, "suspended", *CLOSED)
# RFC 3339 in UTC ("Z" or "+00:00"), at most microseconds: the envelope's own precision.
TIME_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|\+00:00)$"
CLASSIFICATION_RE = rf"^({'|'.join(codes.CLASSIFICATION_VOCABULARIES)}):[^\s:]{{1,50}}$"


def Num(**kw: Any) -> fields.Integer:
    return fields.Integer(required=True, **kw)


def Flag() -> fields.Boolean:
    return fields.Boolean(required=True)


def Many(schema: type[ma.Schema], **kw: Any) -> fields.List[Any]:
    return fields.List(fields.Nested(schema), required=True, **kw)


def Strings() -> fields.List[str]:
    return fields.List(fields.String(), required=True)


def shape(
    name: str,
    strings: str,
    nullable: str = "",
    *,
    parent: type[ma.Schema] = ma.Schema,
    **more: fields.Field[Any],
) -> type[ma.Schema]:
    """A response schema: `strings` always present, `nullable` present and maybe null."""
    declared: dict[str, Any] = {n: fields.String(required=True) for n in strings.split()}
    declared |= {n: fields.String(required=True, allow_none=True) for n in nullable.split()}
    # Named apart from the command schemas: the OpenAPI components share one namespace.
    made: type[ma.Schema] = parent.from_dict({**declared, **more}, name=f"View{name}")
    return made


# -- requests ------------------------------------------------------------------------------


class ViewQuery(ReadOptions):
    as_of_position = fields.Integer(
        validate=validate.Range(0, v.MAX_SAFE_INTEGER),
        metadata={"description": "the view as of this log position (not with as_of)"},
    )
    as_of = fields.String(
        validate=Whole(TIME_RE),
        metadata={"description": "RFC 3339 UTC time: the longest log prefix recorded by then"},
    )


class ReadListQuery(Page, ReadOptions):
    pass


class PartnershipListQuery(Page, ReadOptions):
    country = fields.String(validate=Whole(r"^[A-Z]{2}$"))
    nuts = fields.String(validate=Whole(v.NUTS_RE.pattern))
    status = Choice(STATUSES)
    partnership_type = Choice(codes.PARTNERSHIP_TYPES)
    classification = fields.String(
        validate=Whole(CLASSIFICATION_RE),
        metadata={"description": "vocabulary:code, e.g. sdg_goal:3"},
    )


# -- the compiled partnership view ---------------------------------------------------------

Correction = shape(
    "Correction", "quantity delivered_on status", "note", proposed_in=Num()
)  # a confirmed delivery's correction awaiting the recipient (proposed) or a decision
Delivery = shape(
    "Delivery",
    "commitment_id delivery_id quantity delivered_on status",
    "note",
    reported_in=Num(),
    correction=fields.Nested(Correction, required=True, allow_none=True),
)
RevisionPeriod = shape("RevisionPeriod", "start end")
Revision = shape(
    "Revision",
    "revision_id",
    "quantity",
    proposed_in=Num(),
    period=fields.Nested(RevisionPeriod, required=True, allow_none=True),
)
Commitment = shape(
    "Commitment",
    "commitment_id partnership_id organisation_id recipient contribution_type quantity unit"
    " valuation_method status delivered confirmed surplus",
    "valuation_amount valuation_currency period_start period_end conditions"
    " organisation_name recipient_name fulfilment lapse_proposed",
    version=Num(),
    deliveries=Many(Delivery),
    revision=fields.Nested(
        Revision,
        required=True,
        allow_none=True,
        metadata={"description": "a proposed revision awaiting the recipient's answer"},
    ),
)
Total = shape("Total", "contribution_type unit committed delivered confirmed surplus")
Membership = shape(
    "Membership",
    "organisation_id sector interest_group",
    "exit_date admitted_by organisation_name",
    status=Choice(codes.MEMBER_STATUSES, required=True),
    roles=Strings(),
    weight=Num(),
    signatory=Flag(),
    needs_accession=Flag(),
)
Member = shape(
    "Member",
    "partnership_id",
    parent=Membership,
    commitments=Many(Commitment),
    totals=Many(Total),
)
Version = shape(
    "Version",
    "text_hash status",
    number=Num(),
    base=fields.Integer(required=True, allow_none=True),
    terms=fields.Dict(keys=fields.String(), required=True),
)
Signature = shape(
    "Signature", "text_hash organisation_id actor signed_at", "mandate organisation_name"
)
Decision = shape(
    "Decision",
    "decision_id action body",
    "organisation_id organisation_name commitment_id delivery_id",
    passed=Flag(),
    used=Flag(),
    conflicts=Strings(),
)
Milestone = shape("Milestone", "milestone_id title due_date status")
IndicatorReport = shape(
    "IndicatorReport",
    "period_start period_end actual as_of",
    report=Num(metadata={"description": "the report's number: its event's version in the stream"}),
    corrected=Flag(),
)
Indicator = shape(
    "Indicator",
    "indicator_id kind name unit baseline target",
    "actual actual_as_of",
    series=Many(
        IndicatorReport,
        metadata={
            "description": "the latest 100 reports (periods are reported in order), ordered "
            "by period, each with its figure as corrected; actual and actual_as_of are the "
            "latest report's; the history has every report and correction"
        },
    ),
    reports=Num(metadata={"description": "how many reports the indicator has in all"}),
)
Related = shape("Related", "related_id relation", "country nuts", seq=Num())
Classification = shape("Classification", "vocabulary code")
BalanceGroup = shape("BalanceGroup", "group share", weight=Num(), over=Flag())


class Balance(ma.Schema):
    """Invariant 4 now: each interest group's share of the votes of members in standing
    (public-sector members as public authorities), the limit the current terms set."""

    rule = fields.String(required=True, metadata={"description": "clld_interest_groups"})
    applies = fields.Boolean(
        required=True, metadata={"description": "binds CLLD local action groups only"}
    )
    limit = fields.String(
        required=True, metadata={"description": "percent no group may exceed (default 49)"}
    )
    holds = fields.Boolean(
        required=True, allow_none=True, metadata={"description": "null where it does not apply"}
    )
    groups = Many(BalanceGroup)


class PartnershipView(ma.Schema):
    """The compiled view; an invited or declined organisation (or a broker under its
    mandate) gets its invitation only (partnership_id, title, need_statement, invitation);
    a broker under mandates of several such organisations gets their `invitations`."""

    partnership_id = fields.String(required=True)
    title = fields.String(required=True)
    need_statement = fields.String(required=True)
    country = fields.String()
    nuts = fields.String(allow_none=True)
    lau = fields.String(allow_none=True)
    partnership_type = fields.String()
    status = fields.String()
    version = fields.Integer()
    in_force_version = fields.Integer(allow_none=True)
    in_force_hash = fields.String(allow_none=True)
    pending_version = fields.Integer(allow_none=True)
    pending_hash = fields.String(allow_none=True)
    classifications = fields.List(fields.Nested(Classification))
    brokers = fields.List(fields.String())
    lead_organisation = fields.String(allow_none=True)
    lead_organisation_name = fields.String(
        allow_none=True, metadata={"description": "the register's legal name of the lead"}
    )
    balance = fields.Nested(Balance)
    members = fields.List(fields.Nested(Member))
    versions = fields.List(fields.Nested(Version))
    signatures = fields.List(fields.Nested(Signature))
    decisions = fields.List(fields.Nested(Decision))
    milestones = fields.List(fields.Nested(Milestone))
    indicators = fields.List(fields.Nested(Indicator))
    related = fields.List(fields.Nested(Related))
    invitation = fields.Nested(Membership)
    invitations = fields.List(fields.Nested(Membership))


# -- lists, ledger, inbox ------------------------------------------------------------------

SUMMARY = "partnership_id title status partnership_type country"
Summary = shape("Summary", SUMMARY, "nuts lau")
PartnershipList = shape("PartnershipList", "", "next_cursor", items=Many(Summary), position=Num())
OrganisationPartnership = shape(
    "OrganisationPartnership", f"{SUMMARY} membership_status", "nuts lau", roles=Strings()
)
OrganisationPartnerships = shape(
    "OrganisationPartnerships",
    "organisation_id",
    "next_cursor",
    items=Many(OrganisationPartnership),
    position=Num(),
)
# fulfilment_ratio: each commitment counted up to its quantity (at most 1); beyond: surplus
UnitTotal = shape("UnitTotal", "unit committed delivered confirmed surplus", "fulfilment_ratio")
Amount = shape("Amount", "currency amount")
TypeTotal = shape(
    "TypeTotal",
    "contribution_type unit committed delivered confirmed surplus",
    "fulfilment_ratio",
    valuation_by_currency=Many(Amount),
)


def by_unit() -> fields.List[Any]:
    return Many(UnitTotal, metadata={"description": "quantities per unit"})


def by_currency() -> fields.List[Any]:
    return Many(Amount, metadata={"description": "valued commitments' amounts per currency"})


def by_type() -> fields.List[Any]:
    return Many(TypeTotal, metadata={"description": "per contribution type and unit"})


LedgerTotals = shape(
    "LedgerTotals",
    "",
    totals_by_unit=by_unit(),
    valuation_by_currency=by_currency(),
    totals_by_type=by_type(),
)
Ledger = shape(
    "Ledger",
    "organisation_id",
    commitments=Many(Commitment, metadata={"description": "the commitments it made"}),
    totals_by_unit=by_unit(),
    valuation_by_currency=by_currency(),
    totals_by_type=by_type(),
    received=Many(
        Commitment,
        metadata={
            "description": "the commitments whose recipient it is (a commitment to the pool "
            "is received by the partnership, not listed here)"
        },
    ),
    received_totals=fields.Nested(LedgerTotals, required=True),
    position=Num(),
)
ToSign = shape(
    "ToSign",
    f"{SUMMARY} kind text_hash",
    "nuts lau",
    agreement_version=fields.Integer(metadata={"description": "agreements and amendments"}),
)
PendingDelivery = shape(
    "PendingDelivery",
    "commitment_id delivery_id partnership_id quantity unit delivered_on status",
    "corrected_quantity",  # status "correction": the figure the correction proposes
)
PendingRevision = shape(
    "PendingRevision",
    "commitment_id partnership_id organisation_id revision_id unit quantity",
    "proposed_quantity proposed_start proposed_end",
)
Inbox = shape(
    "Inbox",
    "organisation_id",
    invitations=Many(Summary),
    to_sign=Many(ToSign),
    deliveries_to_confirm=Many(PendingDelivery),
    deliveries_to_correct=Many(PendingDelivery),
    revisions_to_answer=Many(PendingRevision),
    position=Num(),
)

# -- the collaboration map: aggregates for every caller, named detail where visible ---------

Place = shape("Place", "", "country nuts")


class MapTransfer(ma.Schema):
    """A practice transferred between territories; partnerships named where visible."""

    from_ = fields.Nested(Place, required=True, data_key="from", attribute="from")
    to = fields.Nested(Place, required=True)
    source_partnership_id = fields.String()
    new_partnership_id = fields.String()


Collaborator = shape("Collaborator", "organisation_id sector", "legal_name")
CollaborationMap = shape(
    "CollaborationMap",
    "",
    sector_pairs=Many(
        shape("SectorPair", "country", "nuts", sectors=Strings(), partnerships=Num())
    ),
    commitments_by_sector=Many(
        shape("SectorCommitments", "sector contribution_type unit committed confirmed")
    ),
    transfers=Many(MapTransfer),
    organisation_pairs=Many(
        shape("OrganisationPair", "partnership_id", organisations=Many(Collaborator))
    ),
    position=Num(),
)
