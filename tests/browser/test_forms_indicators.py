"""Indicators' report forms in a real browser (issue 15 part 5): a member reports two
quarters from the partnership page, an overlapping quarter is refused, the lead corrects
the first stating why (refused without a reason first), and the page shows the series
with the corrected figure; the lead's browser runs without JavaScript."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Person, Site
from tests.browser.forms import follow, refused, signed_in
from tests.browser.world import Someone
from tests.integration.test_http_scenario import ok


def indicator_of(who: Someone, pid: str, iid: str) -> dict[str, Any]:
    view = ok(who.api.get(f"/v1/partnerships/{pid}/view"))
    [found] = [i for i in view["indicators"] if i["indicator_id"] == iid]
    return found


def quarter(start: str, end: str, figure: str) -> dict[str, str]:
    return {"f-period-start": start, "f-period-end": end, "f-actual": figure}


def test_quarters_reported_and_one_corrected_through_the_forms(site: Site, person: Person) -> None:
    # Given: a partnership in force with an indicator the broker set
    world = site.world
    broker = world.enrol("broker", "Broker of indicators")
    lead = world.partner(broker, "public", "Junta de Freguesia de Pias", "Lia Lead")
    member = world.partner(broker, "civil_society", "Associação Terra Quente", "Mo Member")
    pid = world.active(broker, "Pias care rounds", [lead, member])
    body = {
        "kind": "output",
        "name": "Home visits",
        "unit": "visit",
        "baseline": "0",
        "target": "400",
    }
    created = ok(broker.api.post(f"/v1/partnerships/{pid}/indicators", body), 201)
    iid = created["indicator_id"]
    world.settle()
    m = signed_in(person, world, member, "member")

    # When: the member reports the first quarter from the partnership page
    m.open(f"/partnerships/{pid}")
    assert follow(m, "Report a figure for a period") == 200
    m.fill(**quarter("2025-01-01", "2025-03-31", "ninety"))
    refused(m, world, "Report this figure", 422, "actual")
    m.fill(**quarter("2025-01-01", "2025-03-31", "90"))
    assert m.press("Report this figure") == 200 and m.path == f"/partnerships/{pid}"
    assert m.page.url.endswith(f"#indicator-{iid}")
    # And: the second quarter, measured a week after it ended
    m.open(f"/partnerships/{pid}/indicators/{iid}/report")
    m.fill(**quarter("2025-04-01", "2025-06-30", "104"), **{"f-as_of": "2025-07-07"})
    assert m.press("Report this figure") == 200
    # And: a period overlapping the one reported is refused, nothing recorded
    m.open(f"/partnerships/{pid}/indicators/{iid}/report")
    m.fill(**quarter("2025-06-01", "2025-08-31", "5"))
    refused(m, world, "Report this figure", 409, "reported until")
    world.settle()

    # Then: the lead, without JavaScript, corrects the first quarter; a reason is required
    r = signed_in(person, world, lead, "lead", js=False)
    r.open(f"/partnerships/{pid}")
    assert follow(r, "Correct") == 200
    assert "90" in r.main()
    r.fill(**{"f-actual": "92"})
    refused(r, world, "Correct this figure", 422, "reason")
    r.fill(**{"f-actual": "92", "f-reason": "Two visits were logged a day late"})
    assert r.press("Correct this figure") == 200
    world.settle()

    # And: the page shows the series, the first quarter corrected; the API view agrees
    r.open(f"/partnerships/{pid}")
    series = r.page.locator(f"#series-{iid}").inner_text()
    assert "92" in series and "corrected" in series and "104" in series, series
    shown = indicator_of(broker, pid, iid)
    assert [(x["actual"], x["corrected"]) for x in shown["series"]] == [
        ("92", True),
        ("104", False),
    ]
    assert (shown["actual"], shown["actual_as_of"]) == ("104", "2025-07-07")
