"""The validation messages a refused form shows, in the reader's language.

The API's schemas are marshmallow's, and marshmallow speaks English ("Missing data for
required field."). The form runner (web/forms.py) shows those texts beside the fields;
`translated` gives each in the reader's language: the exact message through gettext (the
messages are marked here, so `make translations` finds them), and the few that carry a
value ("Must be one of: a, b.", "Length must be between 1 and 50.") by their pattern, the
values kept as they are. A text it does not know is shown as it came.

Problems of the domain shown on error pages (web/errors.py) and beside a refused form go
through `translated` too: the fixed texts of its refusals (403 authority, 409 rules, 422
input) are marked here as well, the ones carrying values (an id, a status, a date) by
pattern, a status or other code said by its label (web/labels.py). An input problem reads
"field: reason": the field's name is kept, the reason translated.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import gettext as _

from web.i18n import day, number
from web.labels import label


def N_(message: str) -> str:
    """Marks a message for extraction (translated later, by `translated`)."""
    return message


# marshmallow's fixed messages (fields, validators, schemas), as it words them.
MARSHMALLOW = (
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Invalid value."),
    N_("Invalid type."),
    N_("Invalid input."),
    N_("Invalid input type."),
    N_("Unknown field."),
    N_("Not a valid list."),
    N_("Not a valid tuple."),
    N_("Not a valid string."),
    N_("Not a valid utf-8 string."),
    N_("Not a valid UUID."),
    N_("Not a valid number."),
    N_("Number too large."),
    N_("Not a valid integer."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("Not a valid boolean."),
    N_("Not a valid date."),
    N_("Not a valid datetime."),
    N_("Not a valid mapping type."),
    N_("Not a valid URL."),
    N_("Not a valid email address."),
    N_("String does not match expected pattern."),
)

# The domain's fixed problem texts a person meets on a page (403s and 404s mostly).
DOMAIN = (
    N_("no such organisation"),
    N_("not allowed"),
    N_("the actor is disabled"),
    N_("only admins and brokers manage people's sign-in"),
    N_("only admins enrol people"),
    N_("only admins and auditors open the audit pages"),
    N_("only admins manage actors and grants"),
    N_("only admins deactivate organisations"),
    N_("only admins, and brokers for partners they registered, issue links"),
    N_("organisations are registered by brokers and admins"),
    N_("partnerships are initiated by brokers or partner organisations"),
    N_("only brokers act on behalf of an organisation"),
    N_("a partner acts only for its own organisation"),
    N_("a broker acts for an organisation only under its mandate"),
    N_("the broker holds no mandate from this organisation here"),
    N_("only the committing organisation may do this"),
    N_("only a member organisation may do this for itself"),
    N_("only a partnership broker or the lead organisation may do this"),
    N_("only a partner of the organisation manages its mandates"),
    N_("only the recipient (for the pool, the lead) confirms deliveries"),
    N_("only the invited organisation (or its mandated broker) answers"),
    N_(
        "an organisation is corrected by admins, the broker that registered it, "
        "its own partners or a broker under its mandate"
    ),
    N_(
        "contacts are seen by admins, the organisation and its fellow members, "
        "its mandated brokers and the brokers of its partnerships"
    ),
    N_("the member is not a signatory"),
    N_("this person has a passphrase already; an admin issues it"),
    N_("the request could not be completed"),
    N_("only the partnership that published the practice may do this"),
    N_("only the practice's partnership answers its exchanges"),
    N_("only the partnership that was asked may do this"),
    N_("the database is unavailable; retry shortly"),
    N_("unknown cursor"),
)

# The domain's rules refusing a command in the current state (409s), as it words them.
RULES = (
    N_("the corrected event does not exist"),
    N_(
        "a mandate for a partnership is granted only while the organisation is "
        "invited to it or a member in standing"
    ),
    N_("no active broker has this id"),
    N_("concurrent changes kept conflicting; try again"),
    N_("the recipient is not a member of this partnership"),
    N_("an organisation does not commit to itself"),
    N_("only auditors receive audit grants"),
    N_("the auditor already holds this grant"),
    N_("the auditor holds no such grant"),
    N_("only a reported delivery awaiting confirmation can be confirmed"),
    N_("only a reported delivery awaiting confirmation can be disputed"),
    N_("a confirmed delivery is not corrected"),
    N_("a commitment lapses only after its period has ended"),
    N_("only a delivery or a correction awaiting the recipient's answer can be answered"),
    N_("only a disputed delivery or correction is settled by decision"),
    N_("a delivery rejected by decision is not corrected"),
    N_("a revision changes the quantity or the period"),
    N_("a revision of this commitment already awaits an answer"),
    N_("no such revision awaits an answer"),
    N_("no such delivery on this commitment"),
    N_("this delivery id is already reported"),
    N_("a correction must change at least one field"),
    N_("the organisation already has this classification"),
    N_("no such mandate"),
    N_("the mandate is already revoked"),
    N_("the organisation is deactivated"),
    N_("only legal name, territory and identifiers are corrected"),
    N_("there is no open invitation for this organisation"),
    N_("the partnership already has a lead organisation"),
    N_("the terms name a version number that is not the next one"),
    N_("the terms name another partnership"),
    N_("no such decision in this partnership"),
    N_("no such agreement version in this partnership"),
    N_("no such delivery in this partnership"),
    N_("no such indicator report in this partnership"),
    N_("no such commitment in this partnership"),
    N_("the decision did not pass"),
    N_("the decision has already been applied"),
    N_("a practice is transferred to another territory"),
    N_("the broker is already assigned"),
    N_("only title, need, territory and classifications are corrected"),
    N_("a partnership cannot relate to itself"),
    N_("this relation is already recorded"),
    N_("a breach is notified to an active member"),
    N_("a commitment is confirmed only by an active member"),
    N_("a commitment is confirmed only under an agreement in force"),
    N_("the commitment is not this member's in this partnership"),
    N_("only a drafted version can be opened for signature"),
    N_("only the latest drafted version can be opened for signature"),
    N_("a partnership needs at least two active members to sign"),
    N_("no active member is a signatory"),
    N_("an acceding member signs the hash of the text in force"),
    N_("the hash signed is not the hash of the text open for signature"),
    N_("the organisation has already signed this text"),
    N_("the amendment's base version is no longer the version in force"),
    N_("no breach has been notified to this member"),
    N_("an indicator keeps its unit; define a new indicator instead"),
    N_("no such indicator in this partnership"),
    N_("a figure is measured on or after its period's start"),
    N_("only a CLLD local action group's terms set a balance limit (invariant 4)"),
    N_("the commitment is not pledged in this partnership"),
    N_("the decision settles another delivery"),
    N_("only a member in standing has its terms changed"),
    N_("who signs does not change while an amendment awaits signatures"),
    N_("the new terms are the member's terms already"),
    N_("a partnership without a broker keeps its lead"),
    N_("the broker is not assigned to this partnership"),
    N_("the last broker stays: the partnership has no lead to steward it"),
    N_("a period is reported once it has ended, with a figure measured by then"),
    N_("the delivery was disputed again after the decision: a new decision settles it"),
    N_("the lead's own commitment to the pool is answered by a partnership broker"),
    N_("a practice is changed only by the partnership that published it"),
    N_("the practice is withdrawn"),
    N_("a practice is published by a partnership with members"),
    N_("a partnership does not adopt its own practice"),
    N_(
        "the practice descends from this partnership's own: adopting it would "
        "close a cycle in the lineage"
    ),
    N_("this partnership has already adopted the practice"),
    N_("a practice's versions keep the practice it adapts"),
    N_("the contact is a role at a member organisation in standing"),
    N_("a practice adapts one its partnership has adopted"),
    N_("a partnership asks its questions of another's practice"),
    # an IATI report of a partnership that lacks what IATI requires (projections/reports)
    N_(
        "an IATI report needs a start date: draft terms with a period, or bring an "
        "agreement into force"
    ),
    N_(
        "an IATI report needs a sector: classify the partnership with a DAC 5-digit, "
        "NACE or SDG code"
    ),
    N_(
        "the partnership's lead organisation needs a registered identifier "
        "(and an organisation type) for an IATI report"
    ),
    N_(
        "a 360Giving file needs a cash grant: a confirmed cash commitment from one "
        "organisation to another partner (not to the pool)"
    ),
)

# The domain's reasons for refusing an input (422s, after the field's name).
INPUT = (
    N_("must not contain slashes or control characters"),
    N_("must name a file"),
    N_("lists a document twice"),
    N_("a partner is bound to an organisation"),
    N_("only partners are bound to one"),
    N_("a dispute states its reason"),
    N_("a correction states its reason"),
    N_("a revision states its reason"),
    N_("withdrawing a confirmed commitment states a reason"),
    N_("the period it starts runs past 9999-12-31"),
    N_("must not be later than today (UTC)"),
    N_("must be true or false"),
    N_("names an organisation twice"),
    N_("must be above 0 and at most 50 (percent)"),
    N_("give at least one term to change"),
    N_("is not a NUTS 2024 code"),
    N_("must lie in the territory's country"),
    N_("is an Extra-Regio code, not a territory"),
    N_("must be a NUTS 2024 code like 'PT1C2' or 'ES'"),
    N_("must be a LAU code (A-Z, 0-9, '-')"),
    N_("must be an org-id.guide scheme code like 'GB-COH'"),
    N_("must not be before the start"),
    N_("must be a list of 1 to 10 identifiers"),
    N_("must not repeat an identifier"),
    N_("is not a scheme of the org-id.guide register"),
    N_("is deprecated in the org-id.guide register"),
    N_("must be a list of at most 50 classifications"),
    N_("is not an SDG goal ('3') or target ('3.4')"),
    N_("is not an active DAC 5-digit sector code ('11110')"),
    N_("a 'not_valued' valuation has no amount or currency"),
    N_("a qualified majority exceeds 50"),
    N_("only a qualified rule has a threshold"),
    N_("must list 1 to 50 objectives"),
    N_("must map organisation ids to lists"),
    N_("must be a list"),
    N_("cash is valued at its own amount"),
    N_("must be the cash's own currency"),
    N_("must be the cash's own amount"),
    N_("must be 64 lowercase hexadecimal characters"),
    N_("must be a UUID"),
    N_("must not repeat items"),
    N_("must be an object"),
    N_("must be an ISO 3166-1 alpha-2 country code"),
    N_("must be an ISO 4217 currency code"),
    N_("must be a currency that is money (not a metal or unit)"),
    N_("must be a string"),
    N_("must be printable ASCII without spaces (after Unicode NFKC normalisation)"),
    N_("must not be empty"),
    N_("must not contain U+0000"),
    N_("must not contain lone surrogates"),
    N_("must be an integer"),
    N_("must be a decimal string like '1234.50'"),
    N_("is not a decimal"),
    N_("must be greater than zero"),
    N_("must not be negative"),
    N_("must be a percentage between 0 and 100"),
    N_("must be a date YYYY-MM-DD"),
    N_("is not a calendar date"),
    N_("is not a valid RFC 3339 UTC time"),
    N_("is not a log position (0, 1, 2 …)"),
    N_("withdrawing a practice states its reason"),
    N_("names a role, not an address"),
    N_("must name at most 5 themes"),
    N_("an adaptation says what it changed"),
    N_("a practice adopted as it is changes nothing"),
    N_("must be ISO 639 codes like 'pt'"),
    N_("must be a short id: a-z, 0-9, '_' or '-', up to 40"),
    N_("must be above 0 (percent)"),
)

Translate = Callable[[re.Match[str]], str]

NOT_FOUND: dict[str, Callable[[str], str]] = {
    "partnership": lambda key: _("no partnership %(id)s", id=key),
    "organisation": lambda key: _("no organisation %(id)s", id=key),
    "commitment": lambda key: _("no commitment %(id)s", id=key),
    "mandate": lambda key: _("no mandate %(id)s", id=key),
    "actor": lambda key: _("no actor %(id)s", id=key),
    "contact": lambda key: _("no contact %(id)s", id=key),
    "practice": lambda key: _("no practice %(id)s", id=key),
    "exchange": lambda key: _("no exchange %(id)s", id=key),
}
SENTENCES = re.compile(r"(?<=\.) (?=[A-Z])")  # a field's messages, as web/forms.py joins them
# An input problem ("terms.period.end: must not be before the start"), or a command's
# ("Pledge: concurrent changes kept conflicting; try again"): a name, then the reason.
FIELD = re.compile(r"(?P<field>[A-Za-z_][\w.\[\]-]*): (?P<reason>.+)", re.S)


def either(codes: str, kind: str) -> str:
    """Codes joined by " or " (as the domain joins them), each by its label, joined by
    the reader's "or"."""
    said = [label(code, kind) for code in codes.split(" or ")]
    joined = said[0]
    for other in said[1:]:
        joined = _("%(one)s or %(other)s", one=joined, other=other)
    return joined


def marshmallow_patterns() -> list[tuple[str, Translate]]:
    """marshmallow's messages carrying values."""
    return [
        (
            r"Must be one of: (?P<choices>.*)\.",
            lambda m: _("Must be one of: %(choices)s.", choices=m["choices"]),
        ),
        (
            r"Length must be between (?P<min>\d+) and (?P<max>\d+)\.",
            lambda m: _("Length must be between %(min)s and %(max)s.", min=m["min"], max=m["max"]),
        ),
        (
            r"Length must be (?P<equal>\d+)\.",
            lambda m: _("Length must be %(equal)s.", equal=m["equal"]),
        ),
        (
            r"Longer than maximum length (?P<max>\d+)\.",
            lambda m: _("Longer than maximum length %(max)s.", max=m["max"]),
        ),
        (
            r"Shorter than minimum length (?P<min>\d+)\.",
            lambda m: _("Shorter than minimum length %(min)s.", min=m["min"]),
        ),
        (
            r"Must be greater than or equal to (?P<min>-?\d+) and less than or equal to "
            r"(?P<max>-?\d+)\.",
            lambda m: _(
                "Must be greater than or equal to %(min)s and less than or equal to %(max)s.",
                min=m["min"],
                max=m["max"],
            ),
        ),
        (
            r"Must be greater than or equal to (?P<min>-?\d+)\.",
            lambda m: _("Must be greater than or equal to %(min)s.", min=m["min"]),
        ),
        (
            r"Must be less than or equal to (?P<max>-?\d+)\.",
            lambda m: _("Must be less than or equal to %(max)s.", max=m["max"]),
        ),
    ]


def status_patterns() -> list[tuple[str, Translate]]:
    """The domain's refusals naming the status that refuses (a code, said by its label)."""
    return [
        (
            r"not allowed while the partnership is (?P<status>\w+) \(needs (?P<needs>[\w ]+)\)",
            lambda m: _(
                "not allowed while the partnership is %(status)s (needs %(needs)s)",
                status=label(m["status"], "partnership_status"),
                needs=either(m["needs"], "partnership_status"),
            ),
        ),
        (
            r"not allowed while the commitment is (?P<status>\w+)",
            lambda m: _(
                "not allowed while the commitment is %(status)s",
                status=label(m["status"], "commitment_status"),
            ),
        ),
        (
            r"the partnership is (?P<status>\w+)",
            lambda m: _(
                "the partnership is %(status)s", status=label(m["status"], "partnership_status")
            ),
        ),
        (
            r"the member is (?P<status>\w+) and can no longer act",
            lambda m: _(
                "the member is %(status)s and can no longer act",
                status=label(m["status"], "member_status"),
            ),
        ),
        (
            r"the organisation is already (?P<status>\w+)",
            lambda m: _(
                "the organisation is already %(status)s",
                status=label(m["status"], "member_status"),
            ),
        ),
        (
            r"a (?P<status>\w+) member does not withdraw \(DESIGN §2 table\)",
            lambda m: _(
                "a %(status)s member does not withdraw",
                status=label(m["status"], "member_status"),
            ),
        ),
    ]


def decision_patterns() -> list[tuple[str, Translate]]:
    """The domain's refusals of decisions and votes."""
    return [
        (
            r"the decision is not about (?P<action>\w+)",
            lambda m: _(
                "the decision is not about %(action)s", action=label(m["action"], "decision")
            ),
        ),
        (
            r"(?P<action>\w+) applies to a (?P<status>\w+) member",
            lambda m: _(
                "%(action)s applies to a %(status)s member",
                action=label(m["action"], "decision"),
                status=label(m["status"], "member_status"),
            ),
        ),
        (
            r"the remedy period runs until (?P<date>[0-9-]+)",
            lambda m: _("the remedy period runs until %(date)s", date=day(m["date"])),
        ),
        (
            r"this indicator is reported until (?P<date>[0-9-]+): a period starts after it "
            r"\(correct an earlier report instead\)",
            lambda m: _(
                "this indicator is reported until %(date)s: a period starts after it "
                "(correct an earlier report instead)",
                date=day(m["date"]),
            ),
        ),
        (
            r"no report (?P<number>\d+) of this indicator",
            lambda m: _("no report %(number)s of this indicator", number=m["number"]),
        ),
        (
            r"no (?P<what>indicator|report) (?P<id>\S+)",
            lambda m: (
                _("no indicator %(id)s", id=m["id"])
                if m["what"] == "indicator"
                else _("no report %(id)s", id=m["id"])
            ),
        ),
        (
            r"only active members vote or declare conflicts; not active: (?P<ids>.+)",
            lambda m: _(
                "only active members vote or declare conflicts; not active: %(ids)s",
                ids=m["ids"],
            ),
        ),
        (
            r"with the new terms, (?P<problem>.+)",
            lambda m: _("with the new terms, %(problem)s", problem=translated(m["problem"])),
        ),
        (
            r"the member's notice ran out on (?P<date>[0-9-]+)",
            lambda m: _("the member's notice ran out on %(date)s", date=day(m["date"])),
        ),
        (
            r"a member declaring a conflict of interest does not vote: (?P<id>.+)",
            lambda m: _(
                "a member declaring a conflict of interest does not vote: %(id)s", id=m["id"]
            ),
        ),
        (
            r"must list at most (?P<max>\d+) member organisation ids",
            lambda m: _("must list at most %(max)s member organisation ids", max=m["max"]),
        ),
        (
            r"decision blocked: of the weight present, (?P<problem>.+)",
            lambda m: _(
                "decision blocked: of the weight present, %(problem)s",
                problem=translated(m["problem"]),
            ),
        ),
        (
            r"the (?P<group>\w+) interest group holds (?P<share>[0-9.]+)% of the voting "
            r"weight \(at most (?P<limit>[0-9.]+)%\)",
            lambda m: _(
                "the %(group)s interest group holds %(share)s%% of the voting weight "
                "(at most %(limit)s%%)",
                group=label(m["group"], "interest_group"),
                share=number(m["share"]),
                limit=number(m["limit"]),
            ),
        ),
        (
            r"(?P<action>\w+) names no organisation",
            lambda m: _("%(action)s names no organisation", action=label(m["action"], "decision")),
        ),
        (
            r"(?P<action>\w+) names no (?P<what>commitment|delivery)",
            lambda m: _(
                "%(action)s names no commitment or delivery",
                action=label(m["action"], "decision"),
            ),
        ),
        (
            r"must map 1 to (?P<max>\d+) member organisation ids to for/against/abstain",
            lambda m: _(
                "must map 1 to %(max)s member organisation ids to for/against/abstain",
                max=m["max"],
            ),
        ),
    ]


def value_patterns() -> list[tuple[str, Translate]]:
    """The domain's refusals naming an id, a number or the values allowed."""
    return [
        (
            r"no (?P<kind>partnership|organisation|commitment|mandate|actor|contact|practice"
            r"|exchange) "
            r"(?P<id>\S+)",
            lambda m: NOT_FOUND[m["kind"]](m["id"]),
        ),
        (
            r"identifier (?P<identifier>\S+) is already registered",
            lambda m: _(
                "identifier %(identifier)s is already registered", identifier=m["identifier"]
            ),
        ),
        (
            r"expected version (?P<expected>\d+), current version is (?P<current>\d+)",
            lambda m: _(
                "expected version %(expected)s, current version is %(current)s",
                expected=m["expected"],
                current=m["current"],
            ),
        ),
        (
            r"min_position (?P<position>\d+) is beyond the head",
            lambda m: _("min_position %(position)s is beyond the head", position=m["position"]),
        ),
        (
            r"is beyond the head of the log \((?P<head>\d+)\)",
            lambda m: _("is beyond the head of the log (%(head)s)", head=m["head"]),
        ),
        (
            r"must be (?P<sectors>[\w ]+) for organisation type (?P<type>\d+)",
            lambda m: _(
                "must be %(sectors)s for organisation type %(type)s",
                sectors=either(m["sectors"], "sector"),
                type=label(m["type"], "org_type"),
            ),
        ),
    ]


def limit_patterns() -> list[tuple[str, Translate]]:
    """The domain's limits of an input (its own words, not marshmallow's)."""
    return [
        (
            r"must be one of: (?P<choices>.+)",
            lambda m: _("must be one of: %(choices)s", choices=m["choices"]),
        ),
        (
            r"must be a list of at least (?P<min>\d+) item\(s\)",
            lambda m: _("must be a list of at least %(min)s item(s)", min=m["min"]),
        ),
        (
            r"must be 1 to (?P<max>\d+) characters",
            lambda m: _("must be 1 to %(max)s characters", max=m["max"]),
        ),
        (
            r"must be at most (?P<max>\d+) characters",
            lambda m: _("must be at most %(max)s characters", max=m["max"]),
        ),
        (
            r"must be between (?P<min>-?\d+) and (?P<max>-?\d+)",
            lambda m: _("must be between %(min)s and %(max)s", min=m["min"], max=m["max"]),
        ),
        (
            r"unknown field\(s\): (?P<names>.+)",
            lambda m: _("unknown field(s): %(names)s", names=m["names"]),
        ),
        (
            r"missing field\(s\): (?P<names>.+)",
            lambda m: _("missing field(s): %(names)s", names=m["names"]),
        ),
    ]


def practice_patterns() -> list[tuple[str, Translate]]:
    """The network of learning's refusals carrying a value (DESIGN §8)."""
    return [
        (
            r"the exchange is already (?P<status>\w+)",
            lambda m: _(
                "the exchange is already %(status)s",
                status=label(m["status"], "exchange_status"),
            ),
        ),
        (
            r"must be a list of at most (?P<max>\d+) texts",
            lambda m: _("must be a list of at most %(max)s texts", max=m["max"]),
        ),
        (
            r"must be a list of (?P<min>\d+) to (?P<max>\d+) items",
            lambda m: _("must be a list of %(min)s to %(max)s items", min=m["min"], max=m["max"]),
        ),
        (
            r"(?P<code>.+) is not an SDG target like '3\.8'",
            lambda m: _("%(code)s is not an SDG target like '3.8'", code=m["code"]),
        ),
        (
            r"(?P<action>\w+) names no (?P<what>publishes|audience)",
            lambda m: _(
                "%(action)s names no figures or audience", action=label(m["action"], "decision")
            ),
        ),
    ]


def budget_patterns() -> list[tuple[str, Translate]]:
    """A budget's refusals (collab/domain/budget.py, collab/budgets/handlers.py): the
    funds' rules (409) and the shape of a version (422)."""
    return [
        (
            r"source (?P<source>\S+): a rate of (?P<rate>[0-9.]+)% is above the maximum of "
            r"(?P<max>[0-9.]+)% the rules record for it \((?P<article>.+)\)",
            lambda m: _(
                "source %(source)s: a rate of %(rate)s%% is above the maximum of %(max)s%% "
                "the rules record for it (%(article)s)",
                source=m["source"],
                rate=number(m["rate"]),
                max=number(m["max"]),
                article=m["article"],
            ),
        ),
        (
            r"line (?P<line>\S+) is funded beyond its budget",
            lambda m: _("line %(line)s is funded beyond its budget", line=m["line"]),
        ),
        (
            r"line (?P<line>\S+) is funded beyond its budget with the match in kind placed on it",
            lambda m: _(
                "line %(line)s is funded beyond its budget with the match in kind placed on it",
                line=m["line"],
            ),
        ),
        (
            r"source (?P<source>\S+): its funds are (?P<share>[0-9.]+)% of the planned financing "
            r"of its lines, above the rate of (?P<rate>[0-9.]+)% it states",
            lambda m: _(
                "source %(source)s: its funds are %(share)s%% of the planned financing of its "
                "lines, above the rate of %(rate)s%% it states",
                source=m["source"],
                share=number(m["share"]),
                rate=number(m["rate"]),
            ),
        ),
        (
            r"no commitment (?P<id>\S+) in this partnership",
            lambda m: _("no commitment %(id)s in this partnership", id=m["id"]),
        ),
        (
            r"commitment (?P<id>\S+) is (?P<status>\w+) and counts for nothing",
            lambda m: _(
                "commitment %(id)s is %(status)s and counts for nothing",
                id=m["id"],
                status=label(m["status"], "commitment_status"),
            ),
        ),
        (
            r"commitment (?P<id>\S+) is valued in (?P<currency>\S+), line (?P<line>\S+) is in "
            r"(?P<other>\S+)",
            lambda m: _(
                "commitment %(id)s is valued in %(currency)s, line %(line)s is in %(other)s",
                id=m["id"],
                currency=m["currency"],
                line=m["line"],
                other=m["other"],
            ),
        ),
        (
            r"commitment (?P<id>\S+) is cash: only a contribution in kind counts as match in kind",
            lambda m: _(
                "commitment %(id)s is cash: only a contribution in kind counts as match in kind",
                id=m["id"],
            ),
        ),
        (
            r"commitment (?P<id>\S+) has no valuation: match in kind counts at its value",
            lambda m: _(
                "commitment %(id)s has no valuation: match in kind counts at its value",
                id=m["id"],
            ),
        ),
        (
            r"source (?P<source>\S+) puts nothing on line (?P<line>\S+)",
            lambda m: _(
                "source %(source)s puts nothing on line %(line)s",
                source=m["source"],
                line=m["line"],
            ),
        ),
        (
            r"source (?P<source>\S+): the rules recorded for (?P<kind>\w+) (?P<why>do not accept|"
            r"do not say they accept) contributions in kind as match funding",
            lambda m: (
                _(
                    "source %(source)s: the rules recorded for %(kind)s do not accept "
                    "contributions in kind as match funding",
                    source=m["source"],
                    kind=label(m["kind"], "source_kind"),
                )
                if m["why"] == "do not accept"
                else _(
                    "source %(source)s: the rules recorded for %(kind)s do not say they accept "
                    "contributions in kind as match funding",
                    source=m["source"],
                    kind=label(m["kind"], "source_kind"),
                )
            ),
        ),
        (
            r"source (?P<source>\S+) names no registered organisation",
            lambda m: _("source %(source)s names no registered organisation", source=m["source"]),
        ),
        *budget_input_patterns(),
    ]


def document_patterns() -> list[tuple[str, Translate]]:
    """Documents: how many a list may name, a hash not in the store, an unknown one."""
    return [
        (
            r"must list 1 to (?P<max>\d+) documents",
            lambda m: _("must list 1 to %(max)s documents", max=m["max"]),
        ),
        (
            r"document (?P<sha>[0-9a-f]{64}) is not in the store",
            lambda m: _("document %(sha)s is not in the store", sha=m["sha"]),
        ),
        (
            r"no document (?P<sha>[0-9a-f]{64})",
            lambda m: _("no document %(sha)s", sha=m["sha"]),
        ),
    ]


def budget_input_patterns() -> list[tuple[str, Translate]]:
    """A budget version's shape (422), the field's name kept."""
    return [
        (
            r"names a (?P<key>line_id|source_id|commitment_id) twice",
            lambda m: {
                "line_id": _("names a line twice"),
                "source_id": _("names a source twice"),
                "commitment_id": _("names a commitment twice"),
            }[m["key"]],
        ),
        (
            r"the line is in (?P<line>\S+), the source in (?P<source>\S+)",
            lambda m: _(
                "the line is in %(line)s, the source in %(source)s",
                line=m["line"],
                source=m["source"],
            ),
        ),
        (
            r"names no (?P<what>line|source) of this budget",
            lambda m: (
                _("names no line of this budget")
                if m["what"] == "line"
                else _("names no source of this budget")
            ),
        ),
    ]


# Messages carrying values: the pattern of marshmallow's (or the domain's) English text,
# and the same message with the values through gettext.
PATTERNS: tuple[tuple[re.Pattern[str], Translate], ...] = tuple(
    (re.compile(pattern, re.S), say)
    for pattern, say in (
        *marshmallow_patterns(),
        *status_patterns(),
        *decision_patterns(),
        *value_patterns(),
        *limit_patterns(),
        *practice_patterns(),
        *budget_patterns(),
        *document_patterns(),
    )
)


def translated(message: str) -> str:
    """A validation (or problem) message in the reader's language; unknown ones as they
    came."""
    text = str(message)
    if not text:
        return text
    for pattern, say in PATTERNS:
        found = pattern.fullmatch(text)
        if found is not None:
            return str(say(found))
    translation = str(_(text))
    if translation != text:
        return translation
    return of_field(text) or by_sentence(text) or text


def of_field(text: str) -> str | None:
    """`field: reason` with the reason translated, the field's name kept (None when the
    text is no such pair or its reason is not known)."""
    found = FIELD.fullmatch(text)
    if found is None:
        return None
    reason = translated(found["reason"])
    return None if reason == found["reason"] else f"{found['field']}: {reason}"


def by_sentence(text: str) -> str | None:
    """A field's several messages (web/forms.py joins them by spaces), each translated."""
    several = SENTENCES.split(text)
    return " ".join(translated(one) for one in several) if len(several) > 1 else None


def translated_all(messages: dict[str, str]) -> dict[str, str]:
    """Each field's message translated (web/forms.py's `messages()` output)."""
    return {name: translated(text) for name, text in messages.items()}
