"""The validation messages a refused form shows, in the reader's language.

The API's schemas are marshmallow's, and marshmallow speaks English ("Missing data for
required field."). The form runner (web/forms.py) shows those texts beside the fields;
`translated` gives each in the reader's language: the exact message through gettext (the
messages are marked here, so `make translations` finds them), and the few that carry a
value ("Must be one of: a, b.", "Length must be between 1 and 50.") by their pattern, the
values kept as they are. A text it does not know is shown as it came.

Problems of the domain shown on error pages (web/errors.py) go through `translated` too:
their fixed texts are marked here as well, the ones naming an id by pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import gettext as _


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
    N_("the broker holds no mandate from this organisation here"),
    N_("only the committing organisation may do this"),
    N_("only a member organisation may do this for itself"),
    N_("only a partnership broker or the lead organisation may do this"),
    N_("only a partner of the organisation manages its mandates"),
    N_("the member is not a signatory"),
    N_("this person has a passphrase already; an admin issues it"),
    N_("the request could not be completed"),
    N_("the database is unavailable; retry shortly"),
)

Translate = Callable[[re.Match[str]], str]

NOT_FOUND: dict[str, Callable[[str], str]] = {
    "partnership": lambda key: _("no partnership %(id)s", id=key),
    "organisation": lambda key: _("no organisation %(id)s", id=key),
    "commitment": lambda key: _("no commitment %(id)s", id=key),
    "mandate": lambda key: _("no mandate %(id)s", id=key),
    "actor": lambda key: _("no actor %(id)s", id=key),
}
SENTENCES = re.compile(r"(?<=\.) (?=[A-Z])")  # a field's messages, as web/forms.py joins them

# Messages carrying values: the pattern of marshmallow's (or the domain's) English text,
# and the same message with the values through gettext.
PATTERNS: tuple[tuple[re.Pattern[str], Translate], ...] = (
    (
        re.compile(r"Must be one of: (?P<choices>.*)\.", re.S),
        lambda m: _("Must be one of: %(choices)s.", choices=m["choices"]),
    ),
    (
        re.compile(r"Length must be between (?P<min>\d+) and (?P<max>\d+)\."),
        lambda m: _("Length must be between %(min)s and %(max)s.", min=m["min"], max=m["max"]),
    ),
    (
        re.compile(r"Length must be (?P<equal>\d+)\."),
        lambda m: _("Length must be %(equal)s.", equal=m["equal"]),
    ),
    (
        re.compile(r"Longer than maximum length (?P<max>\d+)\."),
        lambda m: _("Longer than maximum length %(max)s.", max=m["max"]),
    ),
    (
        re.compile(r"Shorter than minimum length (?P<min>\d+)\."),
        lambda m: _("Shorter than minimum length %(min)s.", min=m["min"]),
    ),
    (
        re.compile(
            r"Must be greater than or equal to (?P<min>-?\d+) and less than or equal to "
            r"(?P<max>-?\d+)\."
        ),
        lambda m: _(
            "Must be greater than or equal to %(min)s and less than or equal to %(max)s.",
            min=m["min"],
            max=m["max"],
        ),
    ),
    (
        re.compile(r"Must be greater than or equal to (?P<min>-?\d+)\."),
        lambda m: _("Must be greater than or equal to %(min)s.", min=m["min"]),
    ),
    (
        re.compile(r"Must be less than or equal to (?P<max>-?\d+)\."),
        lambda m: _("Must be less than or equal to %(max)s.", max=m["max"]),
    ),
    (
        re.compile(r"no (?P<kind>partnership|organisation|commitment|mandate|actor) (?P<id>\S+)"),
        lambda m: NOT_FOUND[m["kind"]](m["id"]),
    ),
)


def translated(message: str) -> str:
    """A validation (or problem) message in the reader's language; unknown ones as they
    came."""
    text = str(message)
    for pattern, say in PATTERNS:
        found = pattern.fullmatch(text)
        if found is not None:
            return str(say(found))
    if not text:
        return text
    translation = str(_(text))
    several = SENTENCES.split(text)
    if translation == text and len(several) > 1:
        return " ".join(translated(one) for one in several)
    return translation


def translated_all(messages: dict[str, str]) -> dict[str, str]:
    """Each field's message translated (web/forms.py's `messages()` output)."""
    return {name: translated(text) for name, text in messages.items()}
