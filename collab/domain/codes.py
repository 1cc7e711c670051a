"""Code lists of DESIGN §2, validated at the edge and again before any event."""

from __future__ import annotations

# IATI OrganisationType
ORG_TYPES = (10, 11, 15, 21, 22, 23, 24, 30, 40, 60, 70, 71, 72, 73, 80, 90)
SECTORS = ("public", "civil_society", "private")
# Which sectors an IATI organisation type may declare (DESIGN §2; docs/decisions.md
# "Sector and organisation type"): governments and other public bodies are public, NGOs
# civil society, the private sector private; mixed types allow each sector they span.
SECTORS_BY_ORG_TYPE: dict[int, tuple[str, ...]] = {
    10: ("public",),  # government
    11: ("public",),  # local government
    15: ("public",),  # other public sector
    21: ("civil_society",),  # international NGO
    22: ("civil_society",),  # national NGO
    23: ("civil_society",),  # regional NGO
    24: ("civil_society",),  # partner-country NGO
    30: ("public", "private"),  # public-private partnership
    40: ("public",),  # multilateral
    60: ("civil_society", "private"),  # foundation
    70: ("private",),  # private sector
    71: ("private",),  # private sector in provider country
    72: ("private",),  # private sector in recipient country
    73: ("private",),  # private sector in third country
    80: ("public", "civil_society", "private"),  # academic, training and research
    90: SECTORS,  # other
}
PARTNERSHIP_TYPES = ("clld_lag", "social_innovation", "consortium", "other")
CLASSIFICATION_VOCABULARIES = ("sdg_goal", "nace", "dac5", "other")
ROLES = ("lead", "funder", "intermediary", "implementer", "broker", "knowledge", "observer")
INTEREST_GROUPS = ("public_authority", "economic", "civil_society", "environmental", "other")
DEFAULT_INTEREST_GROUP = {
    "public": "public_authority",
    "civil_society": "civil_society",
    "private": "economic",
}
GOVERNANCE_RULES = ("consensus", "majority", "qualified", "unanimity")
MOVING_ON_STRATEGIES = ("institutionalise", "hand_over", "scale", "replicate", "close")
RELATIONS = ("replicates", "scales", "succeeds")
CONTRIBUTION_TYPES = (
    "cash",
    "staff_time",
    "expertise",
    "premises",
    "equipment_goods",
    "services",
    "data_ip",
    "network_access",
    "volunteer_time",
)
NON_CASH_UNITS = ("hour", "day", "fte_month", "m2", "item", "session", "person")
VALUATION_METHODS = ("actual_cost", "market_value", "standard_rate", "not_valued")
VOTES = ("for", "against", "abstain")
INDICATOR_KINDS = ("output", "outcome", "impact")
MILESTONE_STATUSES = ("planned", "reached", "missed", "dropped")
# A membership's states (DESIGN §2 membership table); `leaving`: notice given, in standing
# until its exit date (invariant 8).
MEMBER_STATUSES = (
    "invited",
    "active",
    "leaving",
    "defaulting",
    "declined",
    "withdrawn",
    "removed",
)

# Decision subjects: the lifecycle transitions that need a recorded decision.
DECISION_SUBJECTS = (
    "admit_member",
    "suspend",
    "resume",
    "start_moving_on",
    "conclude",
    "terminate",
    "declare_defaulting",
    "remedied",
    "remove_member",
    "accept_delivery",
    "reject_delivery",
    "change_membership",
    "publish_practice",
    "set_budget",
    "other",
)
MEMBER_SUBJECTS = (
    "admit_member",
    "declare_defaulting",
    "remedied",
    "remove_member",
    "change_membership",
)
# A disputed delivery (or a disputed correction of one) settled by the partnership's
# decision (DESIGN §2 invariant 6): it counts, or it does not.
DELIVERY_SUBJECTS = ("accept_delivery", "reject_delivery")
