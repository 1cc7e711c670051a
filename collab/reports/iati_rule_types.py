"""The rule types of the IATI standard ruleset (version-2.03), after the IATI validator's
own implementation (IATI/js-validator-api `services/rulesValidator.js`, read, not copied).

Each rule says whether one case holds on one context element: True or False, or None when
the case cannot be judged (a date it compares is missing or unreadable), which is no finding.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from collab.reports.iati_xpath import moment, nodes, text, texts, truth

Case = dict[str, Any]


@dataclass(frozen=True)
class Env:
    """What the rules know besides the document."""

    now: datetime  # timezone-aware
    prefixes: frozenset[str]  # ORG-ID-PREFIX: the confirmed org-id.guide scheme codes
    registered: frozenset[str]  # IATI Registry publishers' organisation ids


Rule = Callable[[etree._Element, Case, Env], bool | None]


def _dates(element: etree._Element, path: str, env: Env) -> list[datetime | None]:
    if path == "NOW":
        return [env.now]
    return [moment(text(n)) for n in nodes(element, path)]


def _date(element: etree._Element, path: str, env: Env) -> datetime | None:
    # The validator compares the first date a path selects; a missing one skips the case.
    found = _dates(element, path, env)
    return found[0] if found else None


def _number(value: str) -> Decimal | None:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def atleast_one(element: etree._Element, case: Case, env: Env) -> bool:
    return len(texts(element, case["paths"])) >= 1


def no_more_than_one(element: etree._Element, case: Case, env: Env) -> bool:
    return len(texts(element, case["paths"])) <= 1


def only_one_of(element: etree._Element, case: Case, env: Env) -> bool:
    """With any `excluded` present, no `paths`; otherwise exactly one of `paths`."""
    count = len(texts(element, case["paths"]))
    if any(nodes(element, path) for path in case["excluded"]):
        return count == 0
    return count == 1


def unique(element: etree._Element, case: Case, env: Env) -> bool:
    found = texts(element, case["paths"])
    return len(found) == len(set(found))


def no_spaces(element: etree._Element, case: Case, env: Env) -> bool:
    return all(t == t.strip() for t in texts(element, case["paths"]))


def regex_matches(element: etree._Element, case: Case, env: Env) -> bool:
    # An empty value passes, as in the validator (the schema or another rule reports it).
    pattern = re.compile(case["regex"])
    return all(t == "" or pattern.search(t) for t in texts(element, case["paths"]))


def _org_prefixed(value: str, prefixes: frozenset[str]) -> bool:
    # Scheme codes may hold hyphens themselves (CN-11-CR): try every leading run of parts.
    parts = value.split("-")
    return any("-".join(parts[:n]) in prefixes for n in range(1, len(parts)))


def startswith(element: etree._Element, case: Case, env: Env) -> bool:
    """Each value starts with one of the prefixes (and the separator)."""
    values = texts(element, case["paths"])
    if case["prefix"] == ["ORG-ID-PREFIX"]:
        return all(_org_prefixed(v, env.prefixes) for v in values)
    starts = [p + case.get("separator", "") for p in texts(element, case["prefix"])]
    return all(any(v.startswith(s) for s in starts) for v in values)


# For one_or_all: which nodes must each carry what, when the activity-wide default is absent.
EACH = {
    "lang": ("descendant::narrative", "@xml:lang"),
    "sector": ("transaction", "sector"),
    "currency": ("descendant::value | descendant::forecast | descendant::loan-status", "@currency"),
    "recipient-country|recipient-region": ("transaction", "recipient-country | recipient-region"),
}


def one_or_all(element: etree._Element, case: Case, env: Env) -> bool:
    if nodes(element, case["one"]):
        return True
    each, needs = EACH[case["all"]]
    return all(nodes(n, needs) for n in nodes(element, each))


def date_order(element: etree._Element, case: Case, env: Env) -> bool | None:
    less, more = _date(element, case["less"], env), _date(element, case["more"], env)
    return None if less is None or more is None else less <= more


def date_now(element: etree._Element, case: Case, env: Env) -> bool | None:
    date = _date(element, case["date"], env)
    return None if date is None else date <= env.now


def time_limit(element: etree._Element, case: Case, env: Env) -> bool | None:
    """No more than 365 whole days from start to end."""
    start, end = _date(element, case["start"], env), _date(element, case["end"], env)
    return None if start is None or end is None else (end - start).days <= 365


def between_dates(element: etree._Element, case: Case, env: Env) -> bool | None:
    """Every `date` within [start, end] (the validator checks only the first)."""
    start, end = _date(element, case["start"], env), _date(element, case["end"], env)
    dates = [d for d in _dates(element, case["date"], env) if d is not None]
    if start is None or end is None or not dates:
        return None
    return all(start <= d <= end for d in dates)


def strict_sum(element: etree._Element, case: Case, env: Env) -> bool:
    """The values add up to `sum`, to four decimal places; a non-number fails."""
    numbers = [_number(t) for t in texts(element, case["paths"])]
    if None in numbers:
        return False
    try:
        total = sum((n for n in numbers if n is not None), Decimal(0))
        return total.quantize(Decimal("0.0001")) == Decimal(str(case["sum"]))
    except ArithmeticError:  # a figure too large to add or round: not the sum asked for
        return False


def range_(element: etree._Element, case: Case, env: Env) -> bool:
    """Each value is a number within [min, max] (either bound may be absent)."""
    low = Decimal(str(case["min"])) if "min" in case else None
    high = Decimal(str(case["max"])) if "max" in case else None
    for value in texts(element, case["paths"]):
        number = _number(value)
        if number is None or (low is not None and number < low):
            return False
        if high is not None and number > high:
            return False
    return True


def if_then(element: etree._Element, case: Case, env: Env) -> bool:
    return not truth(element, case["if"]) or truth(element, case["then"])


RULES: dict[str, Rule] = {
    "atleast_one": atleast_one,
    "no_more_than_one": no_more_than_one,
    "only_one_of": only_one_of,
    "unique": unique,
    "no_spaces": no_spaces,
    "regex_matches": regex_matches,
    "startswith": startswith,
    "one_or_all": one_or_all,
    "date_order": date_order,
    "date_now": date_now,
    "time_limit": time_limit,
    "between_dates": between_dates,
    "strict_sum": strict_sum,
    "range": range_,
    "if_then": if_then,
}
