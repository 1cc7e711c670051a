"""Small lxml helpers for the IATI activity XML: elements with attributes in a fixed order,
narratives, and comments that stay well-formed whatever text they carry."""

from __future__ import annotations

import re
from decimal import Decimal

from lxml import etree

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
Element = etree._Element
# What XML 1.0 cannot carry: C0 controls but tab, LF and CR, and U+FFFE/U+FFFF. The domain's
# texts refuse only U+0000, so a title may hold one; each becomes U+FFFD (lxml would raise).
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
HYPHENS = re.compile("-(?=-)")


def writable(text: str) -> str:
    """`text` with every character XML cannot hold replaced by U+FFFD."""
    return UNWRITABLE.sub("\ufffd", text)


def sub(parent: Element, tag: str, *attrs: tuple[str, str | None]) -> Element:
    """A child element; attributes in the order given, those whose value is None left out."""
    child = etree.SubElement(parent, tag)
    for name, value in attrs:
        if value is not None:
            child.set(name, writable(value))
    return child


def narrative(parent: Element, text: str, lang: str | None = None) -> Element:
    """A narrative; `lang` marks texts this module writes itself (English) in a report of
    another language."""
    found = sub(parent, "narrative", (XML_LANG, lang))
    found.text = writable(text)
    return found


def texted(parent: Element, tag: str, text: str, *attrs: tuple[str, str | None]) -> Element:
    """An element holding one narrative (title, description, organisations)."""
    found = sub(parent, tag, *attrs)
    narrative(found, text)
    return found


def comment(parent: Element, text: str) -> None:
    """An XML comment; `--` cannot occur in one, nor a trailing `-`."""
    safe = HYPHENS.sub("- ", writable(text))  # every hyphen before another, however many
    parent.append(etree.Comment(f" {safe} "))


def amount(value: Decimal | str) -> str:
    """A decimal as plain text: never an exponent (`2E+4` is not an xsd:decimal)."""
    return format(Decimal(value), "f")


def value(parent: Element, figure: Decimal | str, currency: str, on: str) -> Element:
    """A `value` with its currency and value date (every value carries its currency: the
    activity has no default currency, since collab keeps totals per currency)."""
    found = sub(parent, "value", ("currency", currency), ("value-date", on))
    found.text = amount(figure)
    return found
