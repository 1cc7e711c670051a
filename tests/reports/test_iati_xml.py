"""The IATI XML helpers write any text collab may hold: XML 1.0 has no way to write most
C0 controls, nor `--` inside a comment, and the domain's texts refuse only U+0000."""

from __future__ import annotations

import pytest
from lxml import etree

from projections.reports.iati_xml import comment, narrative, sub


@pytest.mark.parametrize("text", ["Care\x0brounds", "Care\x1frounds", "Care\ufffe", "a\x08"])
def test_a_control_character_becomes_a_replacement_character(text: str) -> None:
    # Given an element, When a narrative and an attribute carry a control character
    root = etree.Element("root")
    narrative(root, text)
    sub(root, "x", ("code", text))
    comment(root, text)
    # Then the document is written, and parses back with U+FFFD in its place
    written = etree.tostring(root, encoding="unicode")
    parsed = etree.fromstring(written)
    assert "\ufffd" in str(parsed[0].text)
    assert "\ufffd" in str(parsed[1].get("code"))
    assert "\ufffd" in str(parsed[2].text)


@pytest.mark.parametrize("text", ["a--b", "a---b", "a----b", "ends-", "--"])
def test_a_comment_never_holds_two_hyphens_in_a_row(text: str) -> None:
    # When a comment is written from a text full of hyphens
    root = etree.Element("root")
    comment(root, text)
    # Then it is a well-formed comment that keeps every hyphen
    body = str(root[0].text)
    assert "--" not in body and not body.endswith("-")
    assert body.count("-") == text.count("-")
    etree.fromstring(etree.tostring(root))
