"""Labels of the codes people see (statuses, roles, sectors, types…), in the reader's language.

The record keeps codes (`civil_society`, `in_delivery`, `AgreementSigned`); a page shows
each through one mapping here, `{{ code|label('sector') }}` in templates, `label(code,
'sector')` in Python. Every label is a `pgettext` message whose context is its kind, so
that the same English word of two kinds ("active" partnership, "active" member) may be
said differently (Portuguese agrees in gender). A code this mapping does not know is shown
as recorded, underscores as spaces. The kind "any" looks the code up in every kind, for
templates that show a code without saying its kind.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from flask_babel import pgettext

Table = dict[str, dict[str, str]]


def label(code: Any, kind: str = "any") -> str:
    """The label of `code` among the codes of `kind`, else the code in words."""
    text = "" if code is None else str(code)
    table = labels()
    for found in [kind] if kind in table else list(table):
        if text in table[found]:
            return table[found][text]
    return text.replace("_", " ")


def labels() -> Table:
    """Every label, in the current language (built once per request)."""
    if has_request_context() and "code_labels" in g:
        found: Table = g.code_labels
        return found
    table = {
        **organisation_labels(),
        **partnership_labels(),
        **commitment_labels(),
        **governance_labels(),
        **practice_labels(),
        **budget_labels(),
        "org_type": org_type_labels(),
        "field": field_labels(),
        "turn": turn_labels(),
        "event_type": event_labels(),
    }
    if has_request_context():
        g.code_labels = table
    return table


def organisation_labels() -> Table:
    return {
        "sector": {
            "public": pgettext("sector", "public"),
            "civil_society": pgettext("sector", "civil society"),
            "private": pgettext("sector", "private"),
        },
        "actor_role": {
            "admin": pgettext("actor_role", "admin"),
            "broker": pgettext("actor_role", "broker"),
            "partner": pgettext("actor_role", "partner"),
            "auditor": pgettext("actor_role", "auditor"),
        },
        "mandate_state": {
            "in force": pgettext("mandate_state", "in force"),
            "revoked": pgettext("mandate_state", "revoked"),
            "ended": pgettext("mandate_state", "ended"),
        },
        "org_status": {
            "active": pgettext("org_status", "active"),
            "deactivated": pgettext("org_status", "deactivated"),
        },
    }


def partnership_labels() -> Table:
    return {
        "partnership_status": {
            "scoping": pgettext("partnership_status", "scoping"),
            "negotiating": pgettext("partnership_status", "negotiating"),
            "awaiting_signatures": pgettext("partnership_status", "awaiting signatures"),
            "active": pgettext("partnership_status", "active"),
            "in_modification": pgettext("partnership_status", "in modification"),
            "moving_on": pgettext("partnership_status", "moving on"),
            "suspended": pgettext("partnership_status", "suspended"),
            "concluded": pgettext("partnership_status", "concluded"),
            "cancelled": pgettext("partnership_status", "cancelled"),
            "terminated": pgettext("partnership_status", "terminated"),
        },
        "partnership_type": {
            "clld_lag": pgettext("partnership_type", "clld lag"),
            "social_innovation": pgettext("partnership_type", "social innovation"),
            "consortium": pgettext("partnership_type", "consortium"),
            "other": pgettext("partnership_type", "other"),
        },
        "member_status": {
            "invited": pgettext("member_status", "invited"),
            "active": pgettext("member_status", "active"),
            "leaving": pgettext("member_status", "leaving"),
            "defaulting": pgettext("member_status", "defaulting"),
            "withdrawn": pgettext("member_status", "withdrawn"),
            "removed": pgettext("member_status", "removed"),
            "declined": pgettext("member_status", "declined"),
        },
        "member_role": {
            "lead": pgettext("member_role", "lead"),
            "funder": pgettext("member_role", "funder"),
            "intermediary": pgettext("member_role", "intermediary"),
            "implementer": pgettext("member_role", "implementer"),
            "broker": pgettext("member_role", "broker"),
            "knowledge": pgettext("member_role", "knowledge"),
            "observer": pgettext("member_role", "observer"),
        },
        "interest_group": {
            "public_authority": pgettext("interest_group", "public authority"),
            "economic": pgettext("interest_group", "economic"),
            "civil_society": pgettext("interest_group", "civil society"),
            "environmental": pgettext("interest_group", "environmental"),
            "other": pgettext("interest_group", "other"),
        },
        "version_status": {
            "draft": pgettext("version_status", "draft"),
            "open": pgettext("version_status", "open"),
            "in_force": pgettext("version_status", "in force"),
            "superseded": pgettext("version_status", "superseded"),
            "rejected": pgettext("version_status", "rejected"),
            "abandoned": pgettext("version_status", "abandoned"),
        },
        "relation": {
            "replicates": pgettext("relation", "replicates"),
            "scales": pgettext("relation", "scales"),
            "succeeds": pgettext("relation", "succeeds"),
        },
        "classification": {
            "sdg_goal": pgettext("classification", "sdg goal"),
            "nace": pgettext("classification", "nace"),
            "dac5": pgettext("classification", "dac5"),
            "other": pgettext("classification", "other"),
        },
    }


def commitment_labels() -> Table:
    return {
        "commitment_status": {
            "pledged": pgettext("commitment_status", "pledged"),
            "confirmed": pgettext("commitment_status", "confirmed"),
            "in_delivery": pgettext("commitment_status", "in delivery"),
            "fulfilled": pgettext("commitment_status", "fulfilled"),
            "withdrawn": pgettext("commitment_status", "withdrawn"),
            "lapsed": pgettext("commitment_status", "lapsed"),
            "released": pgettext("commitment_status", "released"),
        },
        "delivery_status": {
            "reported": pgettext("delivery_status", "reported"),
            "confirmed": pgettext("delivery_status", "confirmed"),
            "disputed": pgettext("delivery_status", "disputed"),
            "rejected": pgettext("delivery_status", "rejected by decision"),
            "proposed": pgettext("delivery_status", "proposed, awaiting the recipient"),
        },
        "contribution_type": {
            "cash": pgettext("contribution_type", "cash"),
            "staff_time": pgettext("contribution_type", "staff time"),
            "expertise": pgettext("contribution_type", "expertise"),
            "premises": pgettext("contribution_type", "premises"),
            "equipment_goods": pgettext("contribution_type", "equipment goods"),
            "services": pgettext("contribution_type", "services"),
            "data_ip": pgettext("contribution_type", "data ip"),
            "network_access": pgettext("contribution_type", "network access"),
            "volunteer_time": pgettext("contribution_type", "volunteer time"),
        },
        "unit": {
            "hour": pgettext("unit", "hour"),
            "day": pgettext("unit", "day"),
            "fte_month": pgettext("unit", "fte month"),
            "m2": pgettext("unit", "m2"),
            "item": pgettext("unit", "item"),
            "session": pgettext("unit", "session"),
            "person": pgettext("unit", "person"),
        },
        "valuation_method": {
            "actual_cost": pgettext("valuation_method", "actual cost"),
            "market_value": pgettext("valuation_method", "market value"),
            "standard_rate": pgettext("valuation_method", "standard rate"),
            "not_valued": pgettext("valuation_method", "not valued"),
        },
    }


def governance_labels() -> Table:
    return {
        "governance_rule": {
            "consensus": pgettext("governance_rule", "consensus"),
            "majority": pgettext("governance_rule", "majority"),
            "qualified": pgettext("governance_rule", "qualified"),
            "unanimity": pgettext("governance_rule", "unanimity"),
        },
        "moving_on": {
            "institutionalise": pgettext("moving_on", "institutionalise"),
            "hand_over": pgettext("moving_on", "hand over"),
            "scale": pgettext("moving_on", "scale"),
            "replicate": pgettext("moving_on", "replicate"),
            "close": pgettext("moving_on", "close"),
        },
        "decision": {
            "admit_member": pgettext("decision", "admit member"),
            "suspend": pgettext("decision", "suspend"),
            "resume": pgettext("decision", "resume"),
            "start_moving_on": pgettext("decision", "start moving on"),
            "conclude": pgettext("decision", "conclude"),
            "terminate": pgettext("decision", "terminate"),
            "declare_defaulting": pgettext("decision", "declare defaulting"),
            "remedied": pgettext("decision", "remedied"),
            "remove_member": pgettext("decision", "remove member"),
            "accept_delivery": pgettext("decision", "accept a disputed delivery"),
            "reject_delivery": pgettext("decision", "reject a disputed delivery"),
            "change_membership": pgettext("decision", "change the terms of"),
            "publish_practice": pgettext("decision", "publish a practice"),
            "set_budget": pgettext("decision", "adopt the budget"),
            "other": pgettext("decision", "other"),
        },
        "vote": {
            "for": pgettext("vote", "for"),
            "against": pgettext("vote", "against"),
            "abstain": pgettext("vote", "abstain"),
        },
        "indicator_kind": {
            "output": pgettext("indicator_kind", "output"),
            "outcome": pgettext("indicator_kind", "outcome"),
            "impact": pgettext("indicator_kind", "impact"),
        },
        "milestone_status": {
            "planned": pgettext("milestone_status", "planned"),
            "reached": pgettext("milestone_status", "reached"),
            "missed": pgettext("milestone_status", "missed"),
            "dropped": pgettext("milestone_status", "dropped"),
        },
    }


def practice_labels() -> Table:
    """The network of learning's closed vocabularies (collab/domain/practice_terms.py)."""
    return {
        "theme": {
            "social_inclusion": pgettext("theme", "social inclusion"),
            "employment_skills": pgettext("theme", "employment and skills"),
            "health_care": pgettext("theme", "health and care"),
            "ageing": pgettext("theme", "ageing"),
            "children_youth": pgettext("theme", "children and youth"),
            "education": pgettext("theme", "education"),
            "housing": pgettext("theme", "housing"),
            "food_agriculture": pgettext("theme", "food and agriculture"),
            "mobility": pgettext("theme", "mobility"),
            "energy_climate": pgettext("theme", "energy and climate"),
            "environment": pgettext("theme", "environment"),
            "culture_heritage": pgettext("theme", "culture and heritage"),
            "digital": pgettext("theme", "digital"),
            "local_economy": pgettext("theme", "local economy"),
            "tourism": pgettext("theme", "tourism"),
            "migration_integration": pgettext("theme", "migration and integration"),
            "gender_equality": pgettext("theme", "gender equality"),
            "community_services": pgettext("theme", "community services"),
            "participation_governance": pgettext("theme", "participation and governance"),
        },
        "territory_kind": {
            "rural": pgettext("territory_kind", "rural"),
            "remote_rural": pgettext("territory_kind", "remote rural"),
            "peri_urban": pgettext("territory_kind", "peri-urban"),
            "urban": pgettext("territory_kind", "urban"),
            "coastal": pgettext("territory_kind", "coastal"),
            "mountain": pgettext("territory_kind", "mountain"),
            "island": pgettext("territory_kind", "island"),
            "cross_border": pgettext("territory_kind", "cross-border"),
        },
        "sector_mix": {
            "public_only": pgettext("sector_mix", "public only"),
            "civil_society_only": pgettext("sector_mix", "civil society only"),
            "private_only": pgettext("sector_mix", "private only"),
            "public_civil_society": pgettext("sector_mix", "public and civil society"),
            "public_private": pgettext("sector_mix", "public and private"),
            "civil_society_private": pgettext("sector_mix", "civil society and private"),
            "public_civil_society_private": pgettext(
                "sector_mix", "public, civil society and private"
            ),
        },
        "figure": {
            "sector_mix": pgettext("figure", "sector mix of the partners"),
            "resources": pgettext("figure", "resources committed and delivered"),
            "outcomes": pgettext("figure", "outcomes (indicators and their actuals)"),
        },
        "audience": {
            "signed_in": pgettext("audience", "everyone signed in"),
            "anyone": pgettext("audience", "anyone, without signing in"),
        },
        "adoption": {
            "adopts": pgettext("adoption", "adopts"),
            "adapts": pgettext("adoption", "adapts"),
        },
        "practice_status": {
            "published": pgettext("practice_status", "published"),
            "withdrawn": pgettext("practice_status", "withdrawn"),
        },
        "exchange_status": {
            "asked": pgettext("exchange_status", "asked"),
            "answered": pgettext("exchange_status", "answered"),
            "declined": pgettext("exchange_status", "declined"),
        },
    }


def budget_labels() -> Table:
    """A budget's closed vocabularies (collab/domain/budget.py, docs/budget.md) and the
    funds' rate variants (collab/data/fund_rules.json)."""
    return {
        "cost_category": {
            "preparatory_support": pgettext("cost_category", "preparatory support"),
            "implementation": pgettext("cost_category", "implementation of operations"),
            "cooperation": pgettext("cost_category", "cooperation"),
            "running_costs": pgettext("cost_category", "running costs"),
            "animation": pgettext("cost_category", "animation"),
            "staff": pgettext("cost_category", "staff"),
            "travel": pgettext("cost_category", "travel and subsistence"),
            "equipment": pgettext("cost_category", "equipment and goods"),
            "external_services": pgettext("cost_category", "external services"),
            "works": pgettext("cost_category", "building and works"),
            "other": pgettext("cost_category", "other"),
        },
        "source_kind": {
            "eafrd": pgettext("source_kind", "EAFRD (LEADER)"),
            "esf_plus": pgettext("source_kind", "ESF+"),
            "erdf": pgettext("source_kind", "ERDF"),
            "emfaf": pgettext("source_kind", "EMFAF"),
            "national": pgettext("source_kind", "national public funds"),
            "regional": pgettext("source_kind", "regional public funds"),
            "municipal": pgettext("source_kind", "municipal funds"),
            "private": pgettext("source_kind", "private funds"),
            "own": pgettext("source_kind", "own resources"),
        },
        "region_category": {
            "less_developed": pgettext("region_category", "less developed region"),
            "transition": pgettext("region_category", "transition region"),
            "more_developed": pgettext("region_category", "more developed region"),
            "outermost": pgettext("region_category", "outermost region"),
        },
        "budget_variant": {
            "leader": pgettext("budget_variant", "LEADER"),
            "natural_constraints_art71": pgettext(
                "budget_variant", "areas with natural constraints (art. 71)"
            ),
            "env_commitments_art70_art72_nonproductive_art73_eip": pgettext(
                "budget_variant", "environmental commitments, non-productive investments, EIP"
            ),
            "transferred_funds_art17_art103": pgettext(
                "budget_variant", "funds transferred (arts. 17 and 103)"
            ),
            "transition_ex_less_developed": pgettext(
                "budget_variant", "transition region formerly less developed"
            ),
            "more_developed_ex_transition_or_below_100": pgettext(
                "budget_variant", "more developed region formerly in transition or below 100 %"
            ),
            "social_innovation_priority": pgettext("budget_variant", "social innovation priority"),
            "art10_priority": pgettext("budget_variant", "ESF+ art. 10 priority"),
        },
    }


def event_labels() -> dict[str, str]:
    """Event types as words (the record's names stay in the log and the API)."""
    return {
        "AgreementEnteredIntoForce": pgettext("event_type", "Agreement entered into force"),
        "AgreementSigned": pgettext("event_type", "Agreement signed"),
        "AmendmentProposed": pgettext("event_type", "Amendment proposed"),
        "AmendmentRejected": pgettext("event_type", "Amendment rejected"),
        "AuditGrantRemoved": pgettext("event_type", "Audit access removed"),
        "AuditGranted": pgettext("event_type", "Audit access granted"),
        "Bound": pgettext("event_type", "Person enrolled"),
        "BreachNotified": pgettext("event_type", "Breach notified"),
        "BrokerAssigned": pgettext("event_type", "Broker assigned"),
        "Cancelled": pgettext("event_type", "Partnership cancelled"),
        "Claimed": pgettext("event_type", "Identifier claimed"),
        "Classified": pgettext("event_type", "Organisation classified"),
        "CommitmentConfirmationNoted": pgettext("event_type", "Confirmation noted"),
        "CommitmentNoted": pgettext("event_type", "Pledge noted"),
        "Concluded": pgettext("event_type", "Partnership concluded"),
        "Confirmed": pgettext("event_type", "Commitment confirmed"),
        "Deactivated": pgettext("event_type", "Organisation deactivated"),
        "DecisionRecorded": pgettext("event_type", "Decision recorded"),
        "DefaultRemedied": pgettext("event_type", "Default remedied"),
        "DeliveryConfirmed": pgettext("event_type", "Delivery confirmed"),
        "DeliveryCorrected": pgettext("event_type", "Delivery corrected"),
        "DeliveryDisputed": pgettext("event_type", "Delivery disputed"),
        "DeliveryReported": pgettext("event_type", "Delivery reported"),
        "ConfirmedDeliveryCorrected": pgettext("event_type", "Confirmed delivery corrected"),
        "DeliveryCorrectionConfirmed": pgettext("event_type", "Correction confirmed"),
        "DeliveryCorrectionDisputed": pgettext("event_type", "Correction disputed"),
        "DeliverySettled": pgettext("event_type", "Delivery settled by decision"),
        "FulfilmentReopened": pgettext("event_type", "Back in delivery"),
        "RevisionProposed": pgettext("event_type", "Revision proposed"),
        "RevisionAgreed": pgettext("event_type", "Revision agreed"),
        "RevisionDeclined": pgettext("event_type", "Revision declined"),
        "LapseProposed": pgettext("event_type", "Lapse proposed"),
        "DetailsCorrected": pgettext("event_type", "Details corrected"),
        "Disabled": pgettext("event_type", "Person disabled"),
        "Fulfilled": pgettext("event_type", "Commitment fulfilled"),
        "IndicatorSet": pgettext("event_type", "Indicator set"),
        "Initiated": pgettext("event_type", "Partnership started"),
        "Lapsed": pgettext("event_type", "Commitment lapsed"),
        "MandateGranted": pgettext("event_type", "Mandate granted"),
        "MandateRevoked": pgettext("event_type", "Mandate revoked"),
        "MandateEnded": pgettext("event_type", "Mandate ended"),
        "MemberAdmitted": pgettext("event_type", "Member admitted"),
        "MemberDeclaredDefaulting": pgettext("event_type", "Member declared defaulting"),
        "MemberDeclined": pgettext("event_type", "Invitation declined"),
        "MemberInvited": pgettext("event_type", "Member invited"),
        "MemberJoined": pgettext("event_type", "Invitation accepted"),
        "MemberRemoved": pgettext("event_type", "Member removed"),
        "MemberWithdrew": pgettext("event_type", "Member withdrew"),
        "MemberGaveNotice": pgettext("event_type", "Member gave notice"),
        "MemberExited": pgettext("event_type", "Member left (notice over)"),
        "RemedyPeriodEnded": pgettext("event_type", "Remedy period ended"),
        "MilestoneSet": pgettext("event_type", "Milestone set"),
        "MovingOnStarted": pgettext("event_type", "Moving on started"),
        "PartnershipRelated": pgettext("event_type", "Partnership related"),
        "Pledged": pgettext("event_type", "Pledged"),
        "PracticeTransferred": pgettext("event_type", "Practice transferred"),
        "PracticePublished": pgettext("event_type", "Practice published"),
        "BudgetAdopted": pgettext("event_type", "Budget adopted"),
        "Published": pgettext("event_type", "Practice published"),
        "VersionPublished": pgettext("event_type", "New version of a practice published"),
        "LineageStarted": pgettext("event_type", "Lineage of practices started"),
        "PracticeAdopted": pgettext("event_type", "Practice adopted"),
        "ExchangeRequested": pgettext("event_type", "Question asked"),
        "ExchangeAnswered": pgettext("event_type", "Question answered"),
        "ExchangeDeclined": pgettext("event_type", "Question declined"),
        "Registered": pgettext("event_type", "Organisation registered"),
        "Released": pgettext("event_type", "Commitment released"),
        "ResultReported": pgettext("event_type", "Result reported"),
        "ResultReportedForPeriod": pgettext("event_type", "Result reported for a period"),
        "ResultCorrected": pgettext("event_type", "Reported result corrected"),
        "Resumed": pgettext("event_type", "Partnership resumed"),
        "Suspended": pgettext("event_type", "Partnership suspended"),
        "Terminated": pgettext("event_type", "Partnership terminated"),
        "VersionDrafted": pgettext("event_type", "Version drafted"),
        "VersionOpenedForSignature": pgettext("event_type", "Version opened for signature"),
        "Withdrawn": pgettext("event_type", "Commitment withdrawn"),
    }


def org_type_labels() -> dict[str, str]:
    """IATI OrganisationType codes."""
    return {
        "10": pgettext("org_type", "Government"),
        "11": pgettext("org_type", "Local government"),
        "15": pgettext("org_type", "Other public sector"),
        "21": pgettext("org_type", "International NGO"),
        "22": pgettext("org_type", "National NGO"),
        "23": pgettext("org_type", "Regional NGO"),
        "24": pgettext("org_type", "Partner country based NGO"),
        "30": pgettext("org_type", "Public-private partnership"),
        "40": pgettext("org_type", "Multilateral"),
        "60": pgettext("org_type", "Foundation"),
        "70": pgettext("org_type", "Private sector"),
        "71": pgettext("org_type", "Private sector in provider country"),
        "72": pgettext("org_type", "Private sector in aid recipient country"),
        "73": pgettext("org_type", "Private sector in third country"),
        "80": pgettext("org_type", "Academic, training and research"),
        "90": pgettext("org_type", "Other"),
    }


def field_labels() -> dict[str, str]:
    """The tracked fields of partnerships, commitments and organisations."""
    return {
        "title": pgettext("field", "title"),
        "need_statement": pgettext("field", "need statement"),
        "territory": pgettext("field", "territory"),
        "classifications": pgettext("field", "classifications"),
        "partnership_type": pgettext("field", "partnership type"),
        "status": pgettext("field", "status"),
        "in_force": pgettext("field", "in force"),
        "pending": pgettext("field", "pending"),
        "brokers": pgettext("field", "brokers"),
        "recipient": pgettext("field", "recipient"),
        "quantity": pgettext("field", "quantity"),
        "valuation": pgettext("field", "valuation"),
        "period": pgettext("field", "period"),
        "conditions": pgettext("field", "conditions"),
        "legal_name": pgettext("field", "legal name"),
        "org_type": pgettext("field", "org type"),
        "sector": pgettext("field", "sector"),
        "identifiers": pgettext("field", "identifiers"),
        "active": pgettext("field", "active"),
    }


def turn_labels() -> dict[str, str]:
    """What a turn asks of an organisation (web/turns.py's kinds), as a verb phrase."""
    return {
        "draft": pgettext("turn", "draft the agreement"),
        "open": pgettext("turn", "open the draft for signature"),
        "answer": pgettext("turn", "answer the invitation"),
        "sign": pgettext("turn", "sign"),
        "accede": pgettext("turn", "accede"),
        "confirm_commitment": pgettext("turn", "confirm commitment"),
        "confirm_delivery": pgettext("turn", "confirm delivery"),
        "correct_delivery": pgettext("turn", "correct delivery"),
    }
