"""The IATI standard ruleset, rule type by rule type: for each, a small activity that passes
and one that fails, with the rule ids found (DESIGN §9, issue 19). Networking is off."""

from __future__ import annotations

import pytest

from collab.reports.iati_rules import check
from collab.reports.iati_schema import xsd_errors
from tests.reports.iati_documents import ATTRS, MONEY, NOW, ORG, RESULT, VALID_BODY, activities
from tests.reports.offline import offline  # noqa: F401

pytestmark = pytest.mark.usefixtures("offline")

TX_END = "\n  </transaction>"
TX_SECTOR = '\n    <sector vocabulary="1" code="16010"/>'

TX_BARE = """
  <transaction>
    <transaction-type code="3"/>
    <transaction-date iso-date="2026-03-01"/>
    <value value-date="2026-03-01">100.00</value>
  </transaction>"""
NO_LANG = ATTRS.replace(' xml:lang="en"', "")
NO_CURRENCY = ATTRS.replace(' default-currency="EUR"', "")


def edit(*pairs: tuple[str, str], body: str = VALID_BODY) -> str:
    """The valid body with each (old, new) replaced; the old text must be there."""
    for old, new in pairs:
        assert old in body, old
        body = body.replace(old, new)
    return body


DAC_SECTORS = (
    '<sector vocabulary="1" code="16010" percentage="60"/>\n'
    '  <sector vocabulary="1" code="15150" percentage="40"/>'
)
DAC3 = (
    '\n  <sector vocabulary="2" code="160" percentage="{a}"/>'
    '\n  <sector vocabulary="2" code="151" percentage="{b}"/>'
)
MARKER_99 = '<policy-marker vocabulary="99" code="A1"><narrative>Own</narrative></policy-marker>'
AIDS_2 = '<default-aid-type vocabulary="2" code="1"/><default-aid-type vocabulary="2" code="2"/>'
AID = '<default-aid-type vocabulary="1" code="C01"/>'


def budget(start: str, end: str) -> str:
    """A budget's period and value, as the valid body writes them."""
    return (
        f'<period-start iso-date="{start}"/>\n    <period-end iso-date="{end}"/>\n'
        f'    <value value-date="{start}">'
    )


BUDGET = budget("2026-01-01", "2026-12-31")
IDENT = f"<iati-identifier>{ORG}-P1</iati-identifier>"
REPORTER = f'<reporting-org ref="{ORG}"'
INDICATOR = (
    '<indicator measure="1" ascending="1">\n      <title><narrative>Meals</narrative></title>'
)

# (rule type, case name, activity body, activity attributes, rule ids expected)
CASES = [
    ("unique", "identifier unlike the org", VALID_BODY, ATTRS, set()),
    (
        "unique",
        "identifier = org id",
        edit((IDENT, f"<iati-identifier>{ORG}</iati-identifier>")),
        ATTRS,
        {"1.1.3", "1.1.21"},
    ),
    (
        "startswith",
        "previous org id prefix",
        edit(
            (IDENT, "<iati-identifier>PT-NIPPC-500000000-P1</iati-identifier>"),
            (
                "<activity-status",
                '<other-identifier ref="PT-NIPPC-500000000" type="B1"/>\n  <activity-status',
            ),
        ),
        ATTRS,
        set(),
    ),
    (
        "startswith",
        "foreign prefix",
        edit((IDENT, "<iati-identifier>PT-NIPPC-506000009-P1</iati-identifier>")),
        ATTRS,
        {"1.1.21"},
    ),
    (
        "startswith",
        "unknown agency",
        edit(
            (IDENT, "<iati-identifier>ZZ-NOPE-1-P1</iati-identifier>"),
            (REPORTER, '<reporting-org ref="ZZ-NOPE-1"'),
        ),
        ATTRS,
        {"1.14.8"},
    ),
    (
        "atleast_one",
        "actual start only",
        edit(('<activity-date type="1" iso-date="2026-01-01"/>', "")),
        ATTRS,
        set(),
    ),
    (
        "atleast_one",
        "no start date",
        edit(
            ('<activity-date type="1" iso-date="2026-01-01"/>', ""),
            ('<activity-date type="2" iso-date="2026-01-15"/>', ""),
        ),
        ATTRS,
        {"6.11.1"},
    ),
    (
        "atleast_one",
        "sector on the only transaction",
        edit((DAC_SECTORS, ""), (TX_END, TX_SECTOR + TX_END)),
        ATTRS,
        set(),
    ),
    (
        "one_or_all",
        "sector on one transaction of two",
        edit(
            (DAC_SECTORS, ""),
            (TX_END, TX_SECTOR + TX_END),
            ("</transaction>", "</transaction>" + TX_BARE),
        ),
        ATTRS,
        {"6.7.2"},
    ),
    # With no sector anywhere, the transaction lacks one too (6.7.2), as in the validator.
    ("atleast_one", "no sector", edit((DAC_SECTORS, "")), ATTRS, {"6.2.2", "6.7.2"}),
    (
        "atleast_one",
        "policy marker 99 needs no significance",
        edit(
            (
                "<budget ",
                MARKER_99 + "\n  <budget ",
            )
        ),
        ATTRS,
        set(),
    ),
    (
        "atleast_one",
        "policy marker 1 without significance",
        edit(("<budget ", '<policy-marker vocabulary="1" code="1"/>\n  <budget ')),
        ATTRS,
        {"6.14.1"},
    ),
    (
        "one_or_all",
        "every narrative has a language",
        edit(("<narrative>", '<narrative xml:lang="pt">')),
        NO_LANG,
        set(),
    ),
    ("one_or_all", "no language at all", VALID_BODY, NO_LANG, {"4.1.1"}),
    (
        "one_or_all",
        "every value has a currency",
        edit(("<value value-date", '<value currency="EUR" value-date')),
        NO_CURRENCY,
        set(),
    ),
    ("one_or_all", "no currency at all", VALID_BODY, NO_CURRENCY, {"7.8.1"}),
    (
        "no_spaces",
        "identifier ends with a space",
        edit((IDENT, f"<iati-identifier>{ORG}-P1 </iati-identifier>")),
        ATTRS,
        {"1.3.1"},
    ),
    (
        "regex_matches",
        "identifier with a slash",
        edit((IDENT, f"<iati-identifier>{ORG}-P/1</iati-identifier>")),
        ATTRS,
        {"1.3.13"},
    ),
    (
        "regex_matches",
        "participating org with &",
        edit(('ref="PT-NIPPC-506000002" role="4"', 'ref="PT-NIPPC-5&amp;2" role="4"')),
        ATTRS,
        {"1.8.13"},
    ),
    (
        "date_order",
        "planned end before start",
        edit(('type="3" iso-date="2027-12-31"', 'type="3" iso-date="2025-12-31"')),
        ATTRS,
        {"11.1.2"},
    ),
    (
        "date_order",
        "actual start after now",
        edit(('type="2" iso-date="2026-01-15"', 'type="2" iso-date="2027-06-02"')),
        ATTRS,
        {"11.1.4"},
    ),
    (
        "date_now",
        "updated at this very moment",
        VALID_BODY,
        'last-updated-datetime="2027-06-01T12:00:00Z" xml:lang="en" default-currency="EUR"',
        set(),
    ),
    (
        "date_now",
        "updated in the future",
        VALID_BODY,
        'last-updated-datetime="2027-06-01T12:00:01Z" xml:lang="en" default-currency="EUR"',
        {"11.1.1"},
    ),
    (
        "time_limit",
        "budget of 365 days",
        edit((BUDGET, budget("2025-01-01", "2026-01-01"))),
        ATTRS,
        set(),
    ),
    (
        "time_limit",
        "budget over a year",
        edit((BUDGET, budget("2026-01-01", "2027-01-02"))),
        ATTRS,
        {"7.5.3"},
    ),
    (
        "strict_sum",
        "sector percentages short of 100",
        edit(('percentage="40"', 'percentage="30"')),
        ATTRS,
        {"2.1.2"},
    ),
    (
        "range",
        "sector percentages out of range",
        edit(('percentage="60"', 'percentage="120"'), ('percentage="40"', 'percentage="-20"')),
        ATTRS,
        {"12.3.1"},
    ),
    (
        "if_then",
        "single country at 100%",
        edit(('<recipient-country code="PT"/>', '<recipient-country code="PT" percentage="100"/>')),
        ATTRS,
        set(),
    ),
    (
        "if_then",
        "single country at 50%",
        edit(('<recipient-country code="PT"/>', '<recipient-country code="PT" percentage="50"/>')),
        ATTRS,
        {"3.1.4"},
    ),
    ("if_then", "baseline not a number", edit(('value="0"/>', 'value="none"/>')), ATTRS, {"8.8.2"}),
    ("if_then", "sectors at both levels", edit((TX_END, TX_SECTOR + TX_END)), ATTRS, {"6.6.2"}),
    (
        "loop",
        "DAC 3-digit percentages add up",
        VALID_BODY.replace(DAC_SECTORS, DAC_SECTORS + DAC3.format(a=50, b=50)),
        ATTRS,
        set(),
    ),
    (
        "loop",
        "DAC 3-digit percentages short of 100",
        VALID_BODY.replace(DAC_SECTORS, DAC_SECTORS + DAC3.format(a=50, b=40)),
        ATTRS,
        {"2.1.2"},
    ),
    (
        "loop",
        "two aid types in vocabulary 2",
        edit(
            (
                "<budget ",
                f"{AID}\n  {AIDS_2}\n  <budget ",
            )
        ),
        ATTRS,
        {"107.1.2"},
    ),
    (
        "no_more_than_one",
        "one aid type per vocabulary",
        edit(("<budget ", f"{AID}\n  <budget ")),
        ATTRS,
        set(),
    ),
    (
        "no_more_than_one",
        "reference at result and indicator",
        edit(
            ("<indicator ", '<reference vocabulary="99" code="R1"/>\n    <indicator '),
            (INDICATOR, INDICATOR + '\n      <reference vocabulary="1" code="I1"/>'),
        ),
        ATTRS,
        {"8.11.1"},
    ),
]


@pytest.mark.parametrize(
    ("rule", "name", "body", "attrs", "expected"), CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES]
)
def test_each_rule_type_passes_and_fails_as_the_ruleset_says(
    rule: str, name: str, body: str, attrs: str, expected: set[str]
) -> None:
    # Given a schema-valid activity that exercises the rule type
    document = activities(body, attrs)
    assert xsd_errors(document) == []
    # When the ruleset checks it on a fixed clock
    found = check(document, NOW)
    # Then exactly the expected rules fail
    assert {f.rule_id for f in found} == expected, found


def test_a_realistic_valid_activity_has_no_findings() -> None:
    # Given an activity with organisations, dates, sectors, a budget, a transaction, a result
    document = activities()
    # When it is validated, Then the schema and the ruleset have nothing to say
    assert xsd_errors(document) == []
    assert check(document, NOW) == []
    assert RESULT in VALID_BODY and MONEY in VALID_BODY
