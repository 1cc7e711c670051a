"""Small IATI 2.03 documents for the validator tests: one realistic valid activity, and
a way to wrap any activity body in the `iati-activities` root."""

from __future__ import annotations

from datetime import UTC, datetime

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)  # the tests' fixed clock
ORG = "PT-NIPPC-506000001"
ATTRS = 'last-updated-datetime="2027-05-01T10:00:00Z" xml:lang="en" default-currency="EUR"'

HEAD = f"""
  <iati-identifier>{ORG}-P1</iati-identifier>
  <reporting-org ref="{ORG}" type="22"><narrative>Lead partner</narrative></reporting-org>
  <title><narrative>Community kitchens</narrative></title>
  <description type="1"><narrative>Kitchens run by neighbours.</narrative></description>
  <participating-org ref="{ORG}" role="1" type="22">
    <narrative>Funder</narrative>
  </participating-org>
  <participating-org ref="PT-NIPPC-506000002" role="4" type="22">
    <narrative>Implementer</narrative>
  </participating-org>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2026-01-01"/>
  <activity-date type="2" iso-date="2026-01-15"/>
  <activity-date type="3" iso-date="2027-12-31"/>
  <recipient-country code="PT"/>"""

SECTORS = """
  <sector vocabulary="1" code="16010" percentage="60"/>
  <sector vocabulary="1" code="15150" percentage="40"/>"""

MONEY = """
  <budget type="1" status="1">
    <period-start iso-date="2026-01-01"/>
    <period-end iso-date="2026-12-31"/>
    <value value-date="2026-01-01">10000.00</value>
  </budget>
  <transaction>
    <transaction-type code="2"/>
    <transaction-date iso-date="2026-02-01"/>
    <value value-date="2026-02-01">5000.00</value>
    <provider-org ref="PT-NIPPC-506000001"><narrative>Funder</narrative></provider-org>
    <receiver-org ref="PT-NIPPC-506000002"><narrative>Implementer</narrative></receiver-org>
  </transaction>"""

RESULT = """
  <result type="1">
    <title><narrative>Meals served</narrative></title>
    <indicator measure="1" ascending="1">
      <title><narrative>Meals</narrative></title>
      <baseline year="2025" iso-date="2025-12-31" value="0"/>
      <period>
        <period-start iso-date="2026-01-01"/>
        <period-end iso-date="2026-12-31"/>
        <target value="1000"/>
        <actual value="850"/>
      </period>
    </indicator>
  </result>"""

VALID_BODY = HEAD + SECTORS + MONEY + RESULT


def activities(body: str = VALID_BODY, attrs: str = ATTRS) -> bytes:
    """An `iati-activities` document holding one activity with this body."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03" generated-datetime="2027-05-01T10:00:00Z">
 <iati-activity {attrs}>{body}
 </iati-activity>
</iati-activities>
""".encode()
