"""Seeing change in a real browser: the diff between two agreement versions, the
commitments chart on the partnership page, and the collaboration map with a territory
filter; each page photographed and checked by axe-core (tests/browser/tab.py), on SQLite
and on PostgreSQL."""

from __future__ import annotations

from tests.browser.conftest import Person, Site
from tests.browser.tab import welcome
from tests.browser.world import Someone, World
from tests.integration.test_http_scenario import ok, terms


def amend(world: World, broker: Someone, pid: str, title: str) -> str:
    """Version 2 proposed on version 1 in force (`World.active`'s): words added to its
    vision, one more objective, a longer notice. Its text hash."""
    new = terms(f"{title}: every village, every week, in every season")
    new["shared_objectives"].append("Train carers who live in the villages")
    new["exit_notice_days"] = 90
    body = {"base_version": 1, "terms": new}
    made = ok(broker.api.post(f"/v1/partnerships/{pid}/amendments", body), 201)
    text_hash: str = made["text_hash"]
    return text_hash


def test_a_member_reads_the_chart_and_what_changed_between_two_versions(
    site: Site, person: Person
) -> None:
    # Given: a partnership in force with a confirmed pledge of 40 hours, and an amendment
    world = site.world
    broker = world.enrol("broker", "Broker of versions")
    lead = world.partner(broker, "public", "Junta de Freguesia de Corte", "Lead of versions")
    giver = world.partner(broker, "civil_society", "Associação do Pomarão", "Giver of hours")
    title = "Pomarão care rounds"
    pid = world.active(broker, title, [lead, giver])
    second = amend(world, broker, pid, title)
    world.settle()

    # When: the lead's partner opens the partnership
    tab = person("lead")
    welcome(tab, world.link(lead.actor_id), "lead-of-versions")
    assert tab.open(f"/partnerships/{pid}") == 200

    # Then: the chart draws the pledge, and its table has the same numbers
    chart = tab.page.locator("section.commitments-chart")
    assert chart.get_by_role("img", name="Totals: Staff time (hour)").is_visible()
    totals = chart.locator("table.chart-totals tbody tr").first.inner_text().split("\t")
    # (pledged, confirmed, delivered, and the surplus beyond the pledge)
    assert [c.strip().lower() for c in totals] == ["staff time", "hour", "40", "40", "0", "0"]

    # When: it follows the agreement's link to what changed
    with tab.page.expect_navigation() as navigation:
        tab.page.get_by_role("link", name="What changed from version 1 to version 2").click()
    assert tab.seen(navigation.value) == 200

    # Then: both hashes in full, and the changed words and terms in words
    shown = tab.main()
    assert tab.h1() == "What changed in the agreement: Pomarão care rounds"
    assert second in shown
    assert "inserted: , in every season" in shown, shown
    assert "added Train carers who live in the villages" in shown
    assert "Was: 30 days · now: 90 days" in shown

    # When: it compares the other way with the form
    tab.page.select_option("#diff-from", "2")
    tab.page.select_option("#diff-to", "1")
    assert tab.press("Compare") == 200
    # Then: what was added is now removed
    assert "removed Train carers who live in the villages" in tab.main()


def test_the_map_draws_what_a_partner_sees_filtered_by_territory(
    site: Site, person: Person
) -> None:
    # Given: a partnership in force in PT1C2 of two organisations
    world = site.world
    broker = world.enrol("broker", "Broker of the map")
    one = world.partner(broker, "public", "Município de Alcoutim", "Partner on the map")
    two = world.partner(broker, "private", "Cooperativa do Guadiana", "Other on the map")
    world.active(broker, "Alcoutim care rounds", [one, two])
    world.settle()

    # When: a partner, in a browser without JavaScript, opens the map
    tab = person("partner", javascript=False)
    welcome(tab, world.link(one.actor_id), "partner-on-the-map")
    assert tab.open("/map") == 200

    # Then: the picture and the tables show its partnership and both organisations
    picture = tab.page.get_by_role("img", name="Partnerships and their member organisations")
    assert picture.is_visible()
    shown = tab.main()
    assert "Alcoutim care rounds" in shown and "Cooperativa do Guadiana" in shown

    # When: it asks for a region of Portugal, then for Spain
    tab.fill(**{"map-nuts": "PT1"})
    assert tab.press("Show") == 200
    assert "Alcoutim care rounds" in tab.main()
    tab.fill(**{"map-nuts": "", "map-country": "ES"})
    assert tab.press("Show") == 200

    # Then: Spain has none of it
    assert "Alcoutim care rounds" not in tab.main()
    assert "No partnership you can see has members together in this territory." in tab.main()
