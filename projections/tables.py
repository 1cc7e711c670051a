"""SQLAlchemy tables of the read models, no logic. Text for decimals and times (DESIGN §2)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, MetaData, Table, Text


def _t(metadata: MetaData, name: str, *columns: Column[Any]) -> Table:
    return Table(name, metadata, *columns)


def key(name: str) -> Column[str]:
    return Column(name, Text, primary_key=True)


def text(name: str, *, nullable: bool = True) -> Column[str]:
    return Column(name, Text, nullable=nullable)


@dataclass(frozen=True)
class Tables:
    """One set of read-model tables; `prefix` lets a rebuild fill fresh ones, then swap."""

    metadata: MetaData
    tracking: Table
    partnerships: Table
    members: Table
    versions: Table
    signatures: Table
    decisions: Table
    milestones: Table
    indicators: Table
    indicator_reports: Table
    related: Table
    budgets: Table
    brokers: Table
    mandates: Table
    commitments: Table
    deliveries: Table
    organisations: Table
    history: Table
    field_history: Table
    practices: Table
    practice_versions: Table
    adoptions: Table
    exchanges: Table
    practice_search: Table
    practice_facets: Table
    indexes: tuple[Index, ...]  # secondary indexes; () for a rebuild's fresh tables

    def views(self) -> list[Table]:
        """Every view table (not tracking), in a fixed order (the digest's order)."""
        return [t for t in self.metadata.sorted_tables if t is not self.tracking]


def define(prefix: str = "rm_", *, indexes: bool = True) -> Tables:
    """The read-model tables under ``prefix``. A rebuild fills fresh tables without their
    secondary indexes (a bulk load is faster without them) and creates them at the swap."""
    m = MetaData()
    p = prefix
    tables = _define(m, p)
    if indexes:
        # For the views' and queries' WHERE clauses (views.py, queries.py): never a scan
        # of every partnership's history to show one.
        index = (
            ("history_partnership", tables.history, ("partnership_id", "position")),
            ("history_stream", tables.history, ("stream_id", "position")),
            # asof.position_at: the first position recorded after a time, from the index.
            ("history_recorded", tables.history, ("recorded_at", "position")),
            ("members_organisation", tables.members, ("organisation_id",)),
            ("signatures_organisation", tables.signatures, ("organisation_id",)),
            ("commitments_partnership", tables.commitments, ("partnership_id",)),
            ("commitments_organisation", tables.commitments, ("organisation_id",)),
            ("deliveries_status", tables.deliveries, ("status",)),
            ("practices_partnership", tables.practices, ("partnership_id",)),
            ("adoptions_practice", tables.adoptions, ("practice_id",)),
            ("exchanges_practice", tables.exchanges, ("practice_id",)),
            # search_query: a facet value's practices, and a practice's facet values.
            ("practice_facets_value", tables.practice_facets, ("facet", "value", "doc")),
            ("practice_search_practice", tables.practice_search, ("practice_id",)),
            # series.series_rows: an indicator's latest reports, and how many it has.
            (
                "indicator_reports_indicator",
                tables.indicator_reports,
                ("partnership_id", "indicator_id", "report"),
            ),
        )
        made = tuple(Index(f"{p}{name}_idx", *(t.c[c] for c in cols)) for name, t, cols in index)
        tables = replace(tables, indexes=made)
    return tables


def _define(m: MetaData, p: str) -> Tables:
    return Tables(
        indexes=(),
        metadata=m,
        tracking=_t(
            m,
            f"{p}tracking",
            key("projection"),
            Column("position", BigInteger, nullable=False),
            # The projection code's version the rows were built with: a change means rebuild.
            Column("code_version", Integer, nullable=False),
        ),
        partnerships=_t(
            m,
            f"{p}partnerships",
            key("partnership_id"),
            text("title"),
            text("need_statement"),
            text("country"),
            text("nuts"),
            text("lau"),
            text("partnership_type"),
            text("status"),
            Column("version", Integer),
            Column("in_force_version", Integer),
            text("in_force_hash"),
            Column("pending_version", Integer),
            text("pending_hash"),
            text("classifications"),
            text("brokers"),
            text("lead_organisation"),
            Column("position", BigInteger),
        ),
        members=_t(
            m,
            f"{p}members",
            key("partnership_id"),
            key("organisation_id"),
            text("roles"),
            text("sector"),
            text("interest_group"),
            Column("weight", BigInteger),
            Column("signatory", Boolean),
            text("status"),
            Column("needs_accession", Boolean),
            text("exit_date"),
            text("admitted_by"),
            # The partnership's version at the member's exit (the visibility rule's cut).
            Column("exit_version", Integer),
        ),
        versions=_t(
            m,
            f"{p}versions",
            key("partnership_id"),
            Column("number", Integer, primary_key=True),
            text("text_hash"),
            text("status"),
            Column("base", Integer),
            text("terms"),
        ),
        signatures=_t(
            m,
            f"{p}signatures",
            key("partnership_id"),
            key("text_hash"),
            key("organisation_id"),
            text("actor"),
            text("mandate"),
            text("signed_at"),
        ),
        decisions=_t(
            m,
            f"{p}decisions",
            key("partnership_id"),
            key("decision_id"),
            text("action"),
            text("organisation_id"),
            text("body"),
            Column("passed", Boolean),
            Column("used", Boolean),
            text("conflicts"),  # JSON list: members that declared a conflict of interest
            text("commitment_id"),  # a settlement's commitment and delivery
            text("delivery_id"),
        ),
        milestones=_t(
            m,
            f"{p}milestones",
            key("partnership_id"),
            key("milestone_id"),
            text("title"),
            text("due_date"),
            text("status"),
        ),
        indicators=_t(
            m,
            f"{p}indicators",
            key("partnership_id"),
            key("indicator_id"),
            text("kind"),
            text("name"),
            text("unit"),
            text("baseline"),
            text("target"),
            text("actual"),
            text("actual_as_of"),
        ),
        # Each indicator's series (projections/series.py): one row per report, named by its
        # number (the partnership's version at the report), its figure as corrected.
        indicator_reports=_t(
            m,
            f"{p}indicator_reports",
            key("partnership_id"),
            Column("report", Integer, primary_key=True),
            text("indicator_id"),
            text("period_start"),
            text("period_end"),
            text("actual"),
            text("as_of"),
            Column("corrected", Boolean),
        ),
        related=_t(
            m,
            f"{p}related",
            key("partnership_id"),
            Column("seq", Integer, primary_key=True),
            text("related_id"),
            text("relation"),
            text("country"),
            text("nuts"),
        ),
        brokers=_t(m, f"{p}brokers", key("partnership_id"), key("broker_id")),
        # The budget version in force (issue 18): its number, the decision that adopted it,
        # and the budget as JSON text (decimals as text); projections/budget.py reads it.
        budgets=_t(
            m,
            f"{p}budgets",
            key("partnership_id"),
            Column("number", Integer, nullable=False),
            text("decision_id", nullable=False),
            text("budget", nullable=False),
        ),
        mandates=_t(
            m,
            f"{p}mandates",
            key("organisation_id"),
            key("mandate_id"),
            text("broker_id"),
            text("partnership_id"),
            text("until"),
            Column("revoked", Boolean),
        ),
        commitments=_t(
            m,
            f"{p}commitments",
            key("commitment_id"),
            text("partnership_id"),
            text("organisation_id"),
            text("recipient"),
            text("contribution_type"),
            text("quantity"),
            text("unit"),
            text("valuation_amount"),
            text("valuation_currency"),
            text("valuation_method"),
            text("period_start"),
            text("period_end"),
            text("conditions"),
            text("status"),
            text("delivered"),
            text("confirmed"),
            Column("version", Integer),
            text("fulfilment"),  # confirmed ÷ committed, at most 1 (invariant 6)
            text("surplus"),  # confirmed beyond the committed quantity
            text("revision"),  # JSON: a proposed revision awaiting the recipient, or null
            text("lapse_proposed"),  # the period end after which a lapse was proposed
        ),
        deliveries=_t(
            m,
            f"{p}deliveries",
            key("commitment_id"),
            key("delivery_id"),
            text("quantity"),
            text("delivered_on"),
            text("note"),
            text("status"),
            Column("reported_in", Integer),
            text("correction"),  # JSON: a confirmed delivery's correction awaiting an answer
        ),
        organisations=_t(
            m,
            f"{p}organisations",
            key("organisation_id"),
            text("legal_name"),
            Column("org_type", Integer),
            text("sector"),
            text("country"),
            text("nuts"),
            text("lau"),
            Column("active", Boolean),
            text("identifiers"),
            Column("version", Integer),
        ),
        history=_t(
            m,
            f"{p}history",
            Column("position", BigInteger, primary_key=True),
            text("stream_id"),
            Column("stream_version", Integer),
            text("stream_kind"),
            text("partnership_id"),
            text("event_type"),
            text("actor"),
            text("on_behalf_of"),
            text("mandate"),
            text("reason"),
            text("recorded_at"),
            text("effective_date"),
            text("correlation_id"),
            text("corrects_stream"),
            Column("corrects_version", Integer),
            text("data"),
        ),
        field_history=_t(
            m,
            f"{p}field_history",
            key("stream_id"),
            key("field"),
            Column("position", BigInteger, primary_key=True),
            Column("stream_version", Integer),
            text("event_type"),
            text("value"),
        ),
        **practice_tables(m, p),
    )


def practice_tables(m: MetaData, p: str) -> dict[str, Table]:
    """The network of learning (projections/practices.py): practices, each version's own
    fields and figures (JSON) at its publishing position, adoptions, exchanges."""
    return {
        "practices": _t(
            m,
            f"{p}practices",
            key("practice_id"),
            text("partnership_id"),
            Column("current", Integer),
            text("status"),
            text("withdrawn_reason"),
            text("audience"),
            text("adapted_from"),
            text("title"),
            text("territory"),  # JSON: country, nuts, lau, kind (the current version's)
            text("themes"),  # JSON list
            Column("evidence_level", Integer),
            Column("first_position", BigInteger),  # the list's order
            Column("position", BigInteger),  # the current version's publishing position
            text("published_at"),
            Column("version", Integer),
        ),
        "practice_versions": _t(
            m,
            f"{p}practice_versions",
            key("practice_id"),
            Column("number", Integer, primary_key=True),
            text("decision_id"),
            text("audience"),
            text("content"),  # JSON: the record's own fields
            text("figures"),  # JSON: as the event carries them
            Column("position", BigInteger),
            text("published_at"),
        ),
        "adoptions": _t(
            m,
            f"{p}adoptions",
            key("adoption_id"),
            text("practice_id"),
            Column("practice_version", Integer),
            text("source"),
            text("adopter"),
            text("relation"),
            text("territory"),  # JSON
            text("why"),
            text("changes"),
            Column("position", BigInteger),
            text("recorded_at"),
        ),
        "exchanges": _t(
            m,
            f"{p}exchanges",
            key("exchange_id"),
            text("practice_id"),
            text("owner"),
            text("asker"),
            text("question"),
            text("status"),
            text("answer"),
            text("decline_reason"),
            Column("position", BigInteger),  # where it was asked: the lists' order
            text("asked_at"),
            text("answered_at"),
            Column("version", Integer),
        ),
        **search_tables(m, p),
    }


def search_tables(m: MetaData, p: str) -> dict[str, Table]:
    """The practices' search index (projections/search.py): each practice's text fields as
    `collab.domain.search_text` folds them, and one row per facet value. `doc` is the
    practice's first publishing position: an integer key the full-text engines share."""
    return {
        "practice_search": _t(
            m,
            f"{p}practice_search",
            Column("doc", BigInteger, primary_key=True),
            text("practice_id", nullable=False),
            text("partnership_id"),
            text("status"),
            text("audience"),
            text("title_n"),  # weighted highest
            text("core_n"),  # the need and the approach
            text("more_n"),  # target group, methods, lessons, preconditions, evidence
            text("outcomes_n"),  # the published indicators' names: weighted lowest
        ),
        "practice_facets": _t(
            m,
            f"{p}practice_facets",
            Column("doc", BigInteger, primary_key=True),
            key("facet"),
            key("value"),
        ),
    }
