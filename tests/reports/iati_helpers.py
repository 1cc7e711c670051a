"""Helpers of the IATI report tests: the rendered demo, parsed, and sums of its values."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from lxml import etree

from collab.domain.envelope import Actor
from collab.visibility import Viewer
from projections.reports.iati import activity_xml
from projections.reports.state import ReportState

ADMIN = Viewer(Actor("admin-of-the-test", "admin"), "2030-06-01")
Element = etree._Element


def parsed(document: bytes) -> Element:
    return etree.fromstring(document)


def rendered(state: ReportState) -> Element:
    return parsed(activity_xml(state, "en"))


def sums(root: Element, path: str) -> dict[str, Decimal]:
    """The values under `path` (each a `value` element) summed per currency."""
    found: dict[str, Decimal] = defaultdict(Decimal)
    for v in root.xpath(path):
        found[v.get("currency")] += Decimal(v.text)
    return dict(found)


def transaction_sums(root: Element, code: str) -> dict[str, Decimal]:
    return sums(root, f"//transaction[transaction-type/@code='{code}']/value")


def mutated(document: bytes, path: str, change: str, value: str | None = None) -> bytes:
    """The document with the elements (or attributes' owners) at `path` removed or set."""
    root = parsed(document)
    for found in root.xpath(path):
        if change == "remove":
            found.getparent().remove(found)
        else:
            found.set(change, value or "")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
