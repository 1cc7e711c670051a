"""What the IATI ruleset reads from a document: nodes its XPaths select, their string
values, XPath booleans and ISO 8601 dates."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from lxml import etree


def nodes(element: etree._Element, path: str) -> list[Any]:
    """The nodes (elements, attribute values, text) a ruleset path selects."""
    found = element.xpath(path)
    return found if isinstance(found, list) else [found]


def text(node: Any) -> str:
    """A node's XPath string value."""
    if isinstance(node, etree._Element):
        return str(node.xpath("string()"))
    return str(node)


def texts(element: etree._Element, paths: list[str]) -> list[str]:
    return [text(n) for path in paths for n in nodes(element, path)]


def truth(element: etree._Element, expression: str) -> bool:
    """An XPath expression's boolean value (a node-set is true when not empty)."""
    return bool(element.xpath(f"boolean({expression})"))


def moment(value: str) -> datetime | None:
    """An ISO 8601 date or date-time; a naive one is read as UTC, as the validator does."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
