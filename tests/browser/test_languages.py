"""A person reads the explorer in Portuguese, chosen from the footer, in a real browser:
every page it opens is in Portuguese (and axe-clean, `lang` included), names stay as
recorded, right-to-left ones too; choosing English brings English back."""

from __future__ import annotations

from tests.browser.conftest import Person, Site
from tests.browser.tab import Tab, welcome

ARABIC = "جمعية التنمية المحلية"


def choose(tab: Tab, language: str) -> int:
    """Follow the footer's link to a language; the status of the page it leads back to."""
    link = tab.page.locator("footer").get_by_role("link", name=language, exact=True)
    with tab.page.expect_navigation() as navigation:
        link.click()
    return tab.seen(navigation.value)


def lang(tab: Tab) -> str | None:
    return tab.page.locator("html").get_attribute("lang")


def test_a_partner_switches_to_portuguese_from_the_footer(site: Site, person: Person) -> None:
    # Given: a partner of an organisation with an Arabic name, in a partnership in force
    world = site.world
    broker = world.enrol("broker", "Broker of languages")
    partner = world.partner(broker, "civil_society", ARABIC, "Partner in Portuguese")
    ally = world.partner(broker, "public", "Junta de Freguesia de Mértola", "Ally of languages")
    pid = world.active(broker, "Cuidados em rede", [partner, ally])
    world.settle()
    tab = person("partner")
    welcome(tab, world.link(partner.actor_id), "partner-in-portuguese")
    assert lang(tab) == "en"

    # When: the partner chooses Português in the footer
    assert choose(tab, "Português") == 200
    # Then: its home page is in Portuguese, its organisation named exactly as recorded
    assert tab.path == "/" and lang(tab) == "pt"
    assert tab.h1() == f"Início: {ARABIC}"
    assert tab.page.locator("h1 bdi[dir=auto]").inner_text() == ARABIC
    assert tab.page.get_by_role("button", name="Terminar sessão").is_visible()
    # And: the partnership's page too, whose turn it is in Portuguese words
    assert tab.open(f"/partnerships/{pid}") == 200
    assert lang(tab) == "pt" and "A quem cabe agir" in tab.main()
    assert tab.page.get_by_role("link", name="Cronologia", exact=True).is_visible()

    # When: it chooses English again, Then: the page it was on is in English
    assert choose(tab, "English") == 200
    assert tab.path == f"/partnerships/{pid}" and lang(tab) == "en"
    assert "Whose turn it is" in tab.main()
