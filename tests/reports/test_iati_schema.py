"""The IATI 2.03 XSD, checked offline from the package's copies: valid and broken
activities, documents that are not XML, and uploads that try entity tricks."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from lxml import etree

from collab.reports import iati_schema, xml_input
from collab.reports.iati_schema import xsd_errors
from tests.reports.iati_documents import VALID_BODY, activities
from tests.reports.offline import NetworkUnavailableError, offline  # noqa: F401

pytestmark = pytest.mark.usefixtures("offline")


def test_networking_is_unavailable_under_the_offline_fixture() -> None:
    # When a test tries to resolve a name or connect, Then it is refused
    with pytest.raises(NetworkUnavailableError):
        socket.create_connection(("127.0.0.1", 9), timeout=1)
    with pytest.raises(NetworkUnavailableError):
        socket.getaddrinfo("iatistandard.org", 443)
    with socket.socket() as s, pytest.raises(NetworkUnavailableError):
        s.connect(("127.0.0.1", 9))


def test_a_small_valid_activity_passes() -> None:
    iati_schema.activities_schema.cache_clear()  # built here, with networking off
    assert xsd_errors(activities()) == []


def test_a_missing_required_element_is_named() -> None:
    # Given an activity without its iati-identifier
    body = VALID_BODY.replace("<iati-identifier>PT-NIPPC-506000001-P1</iati-identifier>", "")
    # Then the schema names the element it expected
    errors = xsd_errors(activities(body))
    assert len(errors) == 1 and "iati-identifier" in errors[0], errors
    assert errors[0].startswith("line 5: ")  # the reporting-org line, where it was due


def test_a_bad_attribute_is_named() -> None:
    # Given a budget whose value date is not a date
    body = VALID_BODY.replace('<value value-date="2026-01-01">', '<value value-date="soon">')
    errors = xsd_errors(activities(body))
    assert len(errors) == 1 and "value-date" in errors[0] and "'soon'" in errors[0], errors


@pytest.mark.parametrize("document", [b"", b"<iati-activities>", b"not xml", b"\xff\xfe"])
def test_a_document_that_is_not_well_formed_gives_an_error(document: bytes) -> None:
    errors = xsd_errors(document)
    assert len(errors) == 1 and "not well-formed XML" in errors[0], errors


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<iati-activities version="2.03"><iati-activity><iati-identifier>&d;</iati-identifier>
</iati-activity></iati-activities>"""


def test_an_entity_bomb_is_refused_unexpanded() -> None:
    # Given a billion-laughs style document, When validated, Then the DOCTYPE is refused
    assert xsd_errors(BOMB) == ["line 1: a DOCTYPE is not allowed (entities are never expanded)"]
    # And the parser itself leaves the entity reference unexpanded
    root = etree.fromstring(BOMB, xml_input.parser())
    assert b"aaaa" not in etree.tostring(root) and b"&d;" in etree.tostring(root)


def test_an_external_entity_is_never_read(tmp_path: Path) -> None:
    # Given a document whose entity names a local secret file
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    document = f"""<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>
<iati-activities version="2.03"><iati-activity><iati-identifier>&x;</iati-identifier>
</iati-activity></iati-activities>""".encode()
    # Then it is refused, and the parser does not substitute the file's text
    assert "DOCTYPE is not allowed" in xsd_errors(document)[0]
    assert b"TOP-SECRET" not in etree.tostring(etree.fromstring(document, xml_input.parser()))


def test_the_schema_resolver_answers_only_the_packaged_files() -> None:
    # Given a schema that includes a URL and a path outside the package
    for location in ["http://example.org/evil.xsd", "/etc/passwd", "../../x.xsd"]:
        parser = xml_input.parser()
        parser.resolvers.add(iati_schema.PackageOnly())
        xsd = f"""<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <xsd:include schemaLocation="{location}"/></xsd:schema>""".encode()
        root = etree.fromstring(xsd, parser, base_url=iati_schema.BASE + "probe.xsd")
        # Then building it fails: nothing was fetched or read
        with pytest.raises(etree.XMLSchemaParseError):
            etree.XMLSchema(root)
