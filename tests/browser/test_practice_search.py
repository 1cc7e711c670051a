"""Searching the practices in a real browser (issue 17): a visitor who has not signed in
types words, narrows the results by a facet (shown chosen), removes it, and opens
"practices like this one"; the same journey with JavaScript off, since the search page
is GET links and one GET form. Every page is photographed and checked by axe-core."""

from __future__ import annotations

import uuid
from typing import Any

from tests.browser.conftest import Person, Site
from tests.browser.forms import follow
from tests.browser.tab import Tab
from tests.browser.world import Someone, World
from tests.integration.test_http_scenario import ok


def practice(lead: Someone, title: str, theme: str, nuts: str) -> dict[str, Any]:
    """A practice's fields, as a program would send them."""
    return {
        "title": title,
        "need": {
            "statement": "Elders living alone in scattered villages miss care.",
            "assessment": "A door-to-door survey of the parish.",
        },
        "territory": {"country": "PT", "nuts": nuts, "kind": "rural"},
        "target_group": "People over 75 living alone",
        "themes": [theme],
        "approach": "Volunteers visit every week; the health centre follows up.",
        "languages": ["pt"],
        "licence": "CC-BY-4.0",
        "contact": {"role": "Coordinator", "organisation_id": lead.organisation_id},
        "evidence": {"level": 2, "basis": "Visits counted before and after."},
    }


def publish(broker: Someone, pid: str, voters: list[Someone], fields: dict[str, Any]) -> str:
    """A decision of every member to publish to anyone, then the practice; its id."""
    subject = {"action": "publish_practice", "publishes": ["sector_mix"], "audience": "anyone"}
    votes = {str(v.organisation_id): "for" for v in voters}
    decision = {"body": "General assembly", "subject": subject, "votes": votes}
    made = ok(broker.api.post(f"/v1/partnerships/{pid}/decisions", decision), 201)
    body = {"partnership_id": pid, "decision_id": made["decision_id"], "practice": fields}
    practice_id: str = ok(broker.api.post("/v1/practices", body), 201)["practice_id"]
    return practice_id


def three_practices(world: World, word: str) -> dict[str, str]:
    """Two practices on health and care (in Baixo Alentejo and the Algarve) and one on
    food, all with `word` in their titles, published to anyone."""
    broker = world.enrol("broker", "Broker of searches")
    lead = world.partner(broker, "public", "Junta de Freguesia de Serpa", "Sara Lead")
    member = world.partner(broker, "civil_society", "Associação Raia Viva", "Rita Member")
    pid = world.active(broker, "Serpa care rounds", [lead, member])
    made = {
        "door": ("Saúde à porta", "health_care", "PT1C2"),
        "villages": ("Saúde nas aldeias do Algarve", "health_care", "PT150"),
        "gardens": ("Hortas comunitárias", "food_agriculture", "PT1C2"),
    }
    found = {
        key: publish(broker, pid, [lead, member], practice(lead, f"{title} {word}", theme, nuts))
        for key, (title, theme, nuts) in made.items()
    }
    world.settle()
    return found


def listed(tab: Tab) -> list[str]:
    """The practices the results table lists."""
    rows = tab.page.locator("table.practices tbody tr").all()
    return [str(r.get_attribute("id")).removeprefix("practice-") for r in rows]


def search_journey(tab: Tab, word: str, ids: dict[str, str]) -> None:
    """Type, search, narrow by a facet, remove it, open a practice like the first."""
    page = tab.page
    # When: the visitor types the word in capitals and searches
    assert tab.open("/practices") == 200
    tab.fill(q=word.upper())
    assert tab.press("Search") == 200
    # Then: the three practices with the word are found (ranking: tests/projections)
    assert set(listed(tab)) == set(ids.values())
    assert "3 practices found." in tab.main()
    # When: the visitor chooses the theme "health and care" (2 of them)
    theme = page.locator("#facet-theme").get_by_role("link", name="health and care (2)")
    with page.expect_navigation() as navigation:
        theme.click()
    assert tab.seen(navigation.value) == 200
    # Then: the results narrow to them, the value is shown chosen, the words kept
    assert set(listed(tab)) == {ids["door"], ids["villages"]}
    chosen = page.locator("#facet-theme a[aria-current=true]")
    assert chosen.inner_text().startswith("health and care")
    assert page.input_value("#q") == word.upper()
    assert "Chosen filters" in tab.main()
    # When: the visitor narrows to Alentejo, down the NUTS tree, then removes the theme
    assert follow(tab, "PT Portugal") == 200
    assert follow(tab, "PT1 Continente") == 200
    assert follow(tab, "PT1C Alentejo") == 200
    assert listed(tab) == [ids["door"]]
    remove = page.locator(".chosen-filters").get_by_role("link", name="Remove Themes", exact=False)
    with page.expect_navigation() as navigation:
        remove.click()
    assert tab.seen(navigation.value) == 200
    # Then: the food practice of Alentejo is back, the theme no longer chosen
    assert set(listed(tab)) == {ids["door"], ids["gardens"]}
    assert page.locator("#facet-theme a[aria-current=true]").count() == 0
    # When: the visitor opens the first and a practice like it
    assert follow(tab, f"Saúde à porta {word}") == 200
    similar = page.locator("ul.similar")
    assert similar.get_by_role("link", name=f"Saúde nas aldeias do Algarve {word}").count() == 1
    with page.expect_navigation() as navigation:
        similar.get_by_role("link").first.click()
    assert tab.seen(navigation.value) == 200
    assert tab.path.startswith("/practices/") and tab.path != f"/practices/{ids['door']}"


def test_a_visitor_searches_narrows_and_finds_practices_like_one(
    site: Site, person: Person
) -> None:
    # Given: three practices published to anyone, with a word of their own
    word = f"w{uuid.uuid4().hex[:10]}"
    ids = three_practices(site.world, word)
    # When/Then: a visitor searches, with JavaScript and without
    search_journey(person("visitor"), word, ids)
    search_journey(person("visitor-no-javascript", javascript=False), word, ids)
