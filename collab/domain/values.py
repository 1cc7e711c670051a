"""Accepted input (DESIGN §2): every value is checked here before it can reach an event.

Patterns match the whole string (`re.fullmatch`): `$` alone lets a trailing newline
through. They keep their `^…$` anchors so the same text is a correct JSON Schema pattern
in the API's documentation, where patterns are searched, not matched.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

import pycountry

from collab.domain.errors import InvalidInputError

MAX_SAFE_INTEGER = 2**53 - 1
DECIMAL_RE = re.compile(r"^-?[0-9]{1,18}(\.[0-9]{1,6})?$")
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
HASH_RE = re.compile(r"^[0-9a-f]{64}$")
SCHEME_RE = re.compile(r"^[A-Z0-9_-]{2,20}$")  # the shape; the code must be in the register
NUTS_RE = re.compile(r"^[A-Z]{2}[0-9A-Z]{0,3}$")
LAU_RE = re.compile(r"^[A-Z0-9-]{1,20}$")
KEY_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")

SHORT, LONG, TEXT = 200, 2000, 20000


def text(value: object, field: str, *, max_length: int = SHORT, required: bool = True) -> str:
    """A string of Unicode scalar values without U+0000, stored byte-exact."""
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise InvalidInputError(field, "must be a string")
    if required and not value.strip():
        raise InvalidInputError(field, "must not be empty")
    if len(value) > max_length:
        raise InvalidInputError(field, f"must be at most {max_length} characters")
    if "\x00" in value:
        raise InvalidInputError(field, "must not contain U+0000")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise InvalidInputError(field, "must not contain lone surrogates")
    return value


def optional_text(value: object, field: str, *, max_length: int = SHORT) -> str | None:
    return None if value is None else text(value, field, max_length=max_length)


def integer(value: object, field: str, *, minimum: int = 0, maximum: int = MAX_SAFE_INTEGER) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(field, "must be an integer")
    if not minimum <= value <= maximum:
        raise InvalidInputError(field, f"must be between {minimum} and {maximum}")
    return value


def decimal(value: object, field: str, *, positive: bool = False) -> Decimal:
    """A decimal from a canonical string (or a Decimal): never a float, never an exponent."""
    if isinstance(value, Decimal):
        value = format(value, "f")
    if not isinstance(value, str) or not DECIMAL_RE.fullmatch(value):
        raise InvalidInputError(field, "must be a decimal string like '1234.50'")
    try:
        result = Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise InvalidInputError(field, "is not a decimal") from None
    if result.is_zero():
        result = result.copy_abs()  # -0 is 0 (and -0.00 is 0.00)
    if positive and result <= 0:
        raise InvalidInputError(field, "must be greater than zero")
    if not positive and result < 0:
        raise InvalidInputError(field, "must not be negative")
    return result


def percent(value: object, field: str) -> Decimal:
    result = decimal(value, field)
    if result > 100:
        raise InvalidInputError(field, "must be a percentage between 0 and 100")
    return result


def iso_date(value: object, field: str) -> str:
    """A business date ``YYYY-MM-DD`` kept as its text."""
    if not isinstance(value, str) or not DATE_RE.fullmatch(value):
        raise InvalidInputError(field, "must be a date YYYY-MM-DD")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(field, "is not a calendar date") from None
    return value


def optional_date(value: object, field: str) -> str | None:
    return None if value is None else iso_date(value, field)


def text_hash(value: object, field: str = "text_hash") -> str:
    if not isinstance(value, str) or not HASH_RE.fullmatch(value):
        raise InvalidInputError(field, "must be 64 lowercase hexadecimal characters")
    return value


def identifier(value: object, field: str) -> str:
    """An aggregate id as its canonical UUID text."""
    if isinstance(value, UUID):
        return str(value)
    if not isinstance(value, str):
        raise InvalidInputError(field, "must be a UUID")
    try:
        return str(UUID(value))
    except ValueError:
        raise InvalidInputError(field, "must be a UUID") from None


def choice(value: object, field: str, allowed: Iterable[Any]) -> Any:
    options = tuple(allowed)
    # Same type as well as equal: 10.0 == 10 must not store a float where an int belongs.
    if not any(type(value) is type(o) and value == o for o in options):
        listed = ", ".join(str(o) for o in options)
        raise InvalidInputError(field, f"must be one of: {listed}")
    return value


def choices(value: object, field: str, allowed: Iterable[str], *, min_items: int = 1) -> list[str]:
    if not isinstance(value, list | tuple) or len(value) < min_items:
        raise InvalidInputError(field, f"must be a list of at least {min_items} item(s)")
    picked = [choice(item, field, allowed) for item in value]
    if len(set(picked)) != len(picked):
        raise InvalidInputError(field, "must not repeat items")
    return picked


def mapping(
    value: object, field: str, keys: Iterable[str], required: Iterable[str]
) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInputError(field, "must be an object")
    unknown = set(value) - set(keys)
    if unknown:
        raise InvalidInputError(field, f"unknown field(s): {', '.join(sorted(map(str, unknown)))}")
    missing = [k for k in required if k not in value]
    if missing:
        raise InvalidInputError(field, f"missing field(s): {', '.join(missing)}")
    return value


def country(value: object, field: str) -> str:
    # pycountry matches case-insensitively; codes are stored upper-case only.
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{2}", value):
        raise InvalidInputError(field, "must be an ISO 3166-1 alpha-2 country code")
    if pycountry.countries.get(alpha_2=value) is None:
        raise InvalidInputError(field, "must be an ISO 3166-1 alpha-2 country code")
    return value


# ISO 4217 codes that are not money (DESIGN §2: currencies that are real money).
METALS = ("XAG", "XAU", "XPD", "XPT")
UNITS = ("XBA", "XBB", "XBC", "XBD", "XDR", "XAD", "XSU", "XUA")  # bond, IMF, AMF, SUCRE
NO_CURRENCY = ("XTS", "XXX")  # testing, no currency
FUNDS = ("BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW")  # indexed, next-day
NOT_MONEY = frozenset((*METALS, *UNITS, *NO_CURRENCY, *FUNDS))


def currency(value: object, field: str) -> str:
    # pycountry matches case-insensitively; codes are stored upper-case only.
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{3}", value):
        raise InvalidInputError(field, "must be an ISO 4217 currency code")
    if pycountry.currencies.get(alpha_3=value) is None:
        raise InvalidInputError(field, "must be an ISO 4217 currency code")
    if value in NOT_MONEY:
        raise InvalidInputError(field, "must be a currency that is money (not a metal or unit)")
    return value


def pattern(value: object, field: str, regex: re.Pattern[str], what: str) -> str:
    """A string the pattern matches whole (a trailing newline is no match)."""
    if not isinstance(value, str) or not regex.fullmatch(value):
        raise InvalidInputError(field, f"must be {what}")
    return value


PRINTABLE_ASCII = re.compile(r"[\x21-\x7e]+")


def canonical_identifier(value: object, field: str, *, max_length: int = 100) -> str:
    """An organisation identifier's id in its canonical form (DESIGN §2): NFKC, then
    printable ASCII without spaces. Fullwidth digits become ASCII digits, so two ids a
    person cannot tell apart are one claim; a zero-width or inner space is refused."""
    if not isinstance(value, str):
        raise InvalidInputError(field, "must be a string")
    canonical = unicodedata.normalize("NFKC", value)
    if not 1 <= len(canonical) <= max_length:
        raise InvalidInputError(field, f"must be 1 to {max_length} characters")
    if not PRINTABLE_ASCII.fullmatch(canonical):
        raise InvalidInputError(
            field, "must be printable ASCII without spaces (after Unicode NFKC normalisation)"
        )
    return canonical
