"""How the ruleset interpreter applies cases: conditions, idCondition, loops, findings in
document order with their lines, organisation files, and documents it cannot read."""

from __future__ import annotations

from datetime import datetime

import pytest

from collab.reports.iati_rules import check, literal
from tests.reports.iati_documents import ATTRS, NOW, ORG, VALID_BODY, activities
from tests.reports.offline import offline  # noqa: F401

pytestmark = pytest.mark.usefixtures("offline")

IDENT = f"<iati-identifier>{ORG}-P1</iati-identifier>"
REPORTER = f'<reporting-org ref="{ORG}"'


def test_an_unknown_agency_is_forgiven_only_for_a_registered_publisher() -> None:
    # Given a reporting org whose id starts with no org-id.guide code
    body = VALID_BODY.replace(IDENT, "<iati-identifier>ZZ-NOPE-1-P1</iati-identifier>")
    document = activities(body.replace(REPORTER, '<reporting-org ref="ZZ-NOPE-1"'))
    # When checked offline (no publisher known), Then 1.14.8 applies and fails
    assert [f.rule_id for f in check(document, NOW)] == ["1.14.8"]
    # When the caller names it as a registered publisher, Then the idCondition skips the case
    assert check(document, NOW, registered=frozenset({"ZZ-NOPE-1"})) == []


def test_a_registered_prefix_skips_the_identifier_symbol_rule() -> None:
    # Given an identifier with a slash, under a registered publisher's id
    document = activities(
        VALID_BODY.replace(IDENT, f"<iati-identifier>{ORG}-P/1</iati-identifier>")
    )
    # Then 1.3.13 (NOT_EXISTING_ORG_ID_PREFIX) applies unless that publisher is registered
    assert [f.rule_id for f in check(document, NOW)] == ["1.3.13"]
    assert check(document, NOW, registered=frozenset({ORG})) == []


def test_a_condition_that_is_false_skips_the_case() -> None:
    # Given one sector in vocabulary 1 at 100% plus none elsewhere: the sum case's
    # condition (more than one percentage) is false, so 2.1.2 is not evaluated
    sectors = '<sector vocabulary="1" code="16010" percentage="60"/>'
    body = VALID_BODY.replace(sectors, "").replace('percentage="40"', 'percentage="100"')
    assert check(activities(body), NOW) == []
    # When that single sector says 40%, Then 2.1.4 (not 2.1.2) fails
    lone = VALID_BODY.replace(sectors, "")
    assert [f.rule_id for f in check(activities(lone), NOW)] == ["2.1.4"]


def test_a_loop_value_with_quotes_is_a_literal_not_xpath() -> None:
    # Given sector vocabularies holding both quote characters
    odd = """<sector vocabulary="a'b" code="x" percentage="50"/>
  <sector vocabulary="a'b" code="y" percentage="40"/>
  <sector vocabulary='c"d&apos;e' code="z"/>"""
    document = activities(VALID_BODY.replace("<budget ", odd + "\n  <budget ", 1))
    # When checked, Then the loop runs on each (no XPath error) and finds the short sum
    assert {f.rule_id for f in check(document, NOW)} == {"2.1.2"}
    assert literal("a'b") == '"a\'b"' and literal("x") == "'x'"
    assert literal("c\"d'e") == "concat('c\"d', \"'\", 'e')"


def test_findings_come_in_document_order_with_their_lines() -> None:
    # Given two activities, the second's budget over a year, the first's title empty
    first = activities(VALID_BODY.replace("<narrative>Community kitchens</narrative>", ""))
    second = activities(
        VALID_BODY.replace(
            '<period-end iso-date="2026-12-31"/>\n    <value',
            '<period-end iso-date="2027-03-01"/>\n    <value',
        )
    )
    lines = first.decode().splitlines()[:-1] + second.decode().splitlines()[2:]
    document = "\n".join(lines).encode()
    # When checked
    found = check(document, NOW)
    # Then the title's finding comes first, at the title's line; then the budget's
    assert [f.rule_id for f in found] == ["4.3.1", "7.5.3"]
    title, budget = found
    assert lines[title.line - 1].strip().startswith("<title>")
    assert title.context == "/iati-activities/iati-activity[1]/title"
    assert lines[budget.line - 1].strip().startswith("<budget ")
    assert budget.context == "/iati-activities/iati-activity[2]/budget"
    assert (budget.severity, budget.category) == ("error", "financial")


ORGANISATION = """<iati-organisations version="2.03">
 <iati-organisation last-updated-datetime="2027-05-01T00:00:00Z" xml:lang="en"
   default-currency="EUR">
  <organisation-identifier>{org}</organisation-identifier>
  <name><narrative>Lead partner</narrative></name>
  <reporting-org ref="{org}" type="22"><narrative>Lead partner</narrative></reporting-org>
  <recipient-country-budget>
   <recipient-country code="PT"/>
   <period-start iso-date="2026-01-01"/>
   <period-end iso-date="2026-12-31"/>
   <value value-date="2026-01-01">100</value>
   <budget-line ref="1"><value value-date="{date}">100</value></budget-line>
  </recipient-country-budget>
 </iati-organisation>
</iati-organisations>"""


@pytest.mark.parametrize(("date", "expected"), [("2026-06-30", []), ("2027-01-01", ["11.3.1"])])
def test_an_organisation_file_is_checked_too(date: str, expected: list[str]) -> None:
    # Given an organisation file whose budget line is dated inside or outside its period
    document = ORGANISATION.format(org=ORG, date=date).encode()
    # Then between_dates (11.3.1) holds or fails accordingly
    assert [f.rule_id for f in check(document, NOW)] == expected


def test_a_naive_clock_is_read_as_utc() -> None:
    # Given an activity updated at noon UTC, checked at a naive noon: not in the future
    attrs = ATTRS.replace("2027-05-01T10:00:00Z", "2027-06-01T12:00:00Z")
    assert check(activities(attrs=attrs), datetime(2027, 6, 1, 12, 0)) == []


@pytest.mark.parametrize("document", [b"<iati-activities>", b"", b"\xff\xfe<"])
def test_a_document_that_is_not_xml_gives_one_finding_not_an_exception(document: bytes) -> None:
    found = check(document, NOW)
    assert [(f.rule_id, f.severity) for f in found] == [("not-well-formed", "error")]
    assert "not well-formed XML" in found[0].message


def test_a_loop_value_holding_the_placeholder_is_substituted_once() -> None:
    # Given a sector vocabulary whose value itself reads `$1` (and one with a quote too)
    odd = """<sector vocabulary="a$1b" code="x" percentage="50"/>
  <sector vocabulary="a$1b" code="y" percentage="40"/>
  <sector vocabulary="c'$1" code="z"/>"""
    document = activities(VALID_BODY.replace("<budget ", odd + "\n  <budget ", 1))
    # When checked, Then no XPath error: the value is a literal, and its short sum is found
    assert {f.rule_id for f in check(document, NOW)} == {"2.1.2"}


@pytest.mark.parametrize("figure", ["1E+100000", "9" * 40, "1E+999999"])
def test_a_percentage_too_large_to_add_fails_the_sum_instead_of_raising(figure: str) -> None:
    # Given two DAC sectors, one with a percentage beyond decimal arithmetic's precision
    body = VALID_BODY.replace('percentage="60"', f'percentage="{figure}"')
    # When checked, Then the sum rule fails (no exception)
    assert "2.1.2" in {f.rule_id for f in check(activities(body), NOW)}
