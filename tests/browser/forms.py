"""What the browser tier's form tests share: a person signed in through a sign-in link,
links followed by name, and a refusal pressed and checked (its problem shown beside the
form, nothing recorded: the log's head unchanged)."""

from __future__ import annotations

import uuid

from tests.browser.conftest import Person
from tests.browser.tab import Tab, welcome
from tests.browser.world import Someone, World

NOTHING = "Nothing was recorded."


def head(world: World) -> int:
    found: int = world.served.http.get("/readyz").body["head"]
    return found


def follow(tab: Tab, link: str) -> int:
    """Follow the page's first link whose name starts with `link`; the page's status."""
    with tab.page.expect_navigation() as navigation:
        tab.page.get_by_role("link", name=link).first.click()
    return tab.seen(navigation.value)


def refused(tab: Tab, world: World, button: str, status: int, says: str) -> None:
    """Press `button`: refused with `status`, saying `says`, and nothing recorded."""
    before = head(world)
    assert tab.press(button) == status, tab.main()
    shown = tab.main()
    assert NOTHING in shown and says in shown, shown
    assert head(world) == before


def signed_in(person: Person, world: World, who: Someone, key: str, js: bool = True) -> Tab:
    """`who` in a browser of its own (with JavaScript unless `js` is False), signed in."""
    tab = person(key, javascript=js)
    welcome(tab, world.link(who.actor_id), f"{key}-{uuid.uuid4().hex[:8]}")
    return tab
