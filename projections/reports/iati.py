"""IATI 2.03 activity XML of one partnership (DESIGN §9): the partnership is an activity,
its commitments and deliveries are transactions, its indicators are results.

Every code comes from an IATI 2.03 code list; where collab has no IATI equivalent the
element is left out and an XML comment says so. Organisations only: no actor and no
person is ever named. The same state gives the same bytes: elements and attributes in a
fixed order, collections sorted, and no timestamp but the state's `updated`.
"""

from __future__ import annotations

from lxml import etree

from projections.reports import iati_about as about
from projections.reports import iati_budget, iati_orgs, iati_results, iati_transactions
from projections.reports.iati_xml import XML_LANG, sub, texted, writable
from projections.reports.state import ReportState

DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def activity_xml(state: ReportState, language: str) -> bytes:
    """The partnership as one IATI activity; `language` (an IATI Language code, checked
    by the caller) is the default language of its narratives."""
    lead = iati_orgs.lead_of(state)
    root = etree.Element("iati-activities")
    root.set("version", "2.03")
    root.set("generated-datetime", state.updated)
    activity = sub(
        root, "iati-activity", ("last-updated-datetime", state.updated), (XML_LANG, language)
    )
    identifier = f"{lead.ref}-{state.partnership['partnership_id']}"
    sub(activity, "iati-identifier").text = writable(identifier)
    iati_orgs.reporting_org(activity, lead)
    texted(activity, "title", state.partnership["title"])
    about.descriptions(activity, state)
    iati_orgs.participating_orgs(activity, state)
    about.status(activity, state)
    about.dates(activity, state)
    about.country(activity, state)
    about.sectors(activity, state)
    about.tags(activity, state)
    iati_budget.budgets(activity, state)
    iati_transactions.transactions(activity, state)
    iati_results.results(activity, state)
    body = etree.tostring(root, encoding="unicode", pretty_print=True)
    return DECLARATION + body.encode("utf-8")
