"""A browser tab that photographs every page it shows and has axe-core check it.

axe-core runs inside the page (`page.evaluate`), so a tab without JavaScript cannot run it
(its promises never settle): there the page's HTML, exactly as served, is shown again at
the same address in a tab with JavaScript and checked there (its stylesheet loads from the
real server, so contrast is measured on the real styles).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Locator, Page, Response, Route

BLOCKING = ("serious", "critical")  # axe impacts that fail a journey
PASSPHRASE = "correct horse battery staple"
AXE = Axe()


def blocking(results: dict[str, Any]) -> list[str]:
    """The serious or critical violations: rule id, impact, then each node and its HTML."""
    found = []
    for v in results["violations"]:
        if v["impact"] in BLOCKING:
            nodes = "; ".join(f"{n['target']} {n['html'][:200]}" for n in v["nodes"])
            found.append(f"{v['id']} ({v['impact']}: {v['help']}): {nodes}")
    return found


class Tab:
    """One tab of a journey: `open` and `press` show pages, each then photographed and
    checked; a tab without JavaScript has its pages checked in `checker`."""

    def __init__(self, context: BrowserContext, shots: Path, checker: Page | None = None):
        self.page = context.new_page()
        self.shots, self.checker = shots, checker
        self.count = 0
        shots.mkdir(parents=True, exist_ok=True)

    @property
    def path(self) -> str:
        return urlsplit(self.page.url).path

    def shot_name(self) -> str:
        """The page's address as a file name: its path and query, lowercase, dashed."""
        parts = urlsplit(self.page.url)
        name = re.sub(r"[^a-z0-9]+", "-", f"{parts.path}?{parts.query}".lower()).strip("-")
        return f"{self.count:02d}-{name[:120] or 'home'}.png"

    def open(self, url: str) -> int:
        """Go to `url` (a path on the site, or a whole address); the final page's status."""
        response = self.page.goto(url)
        return self.seen(response)

    def press(self, button: str, within: Locator | None = None, exact: bool = True) -> int:
        """Press a form's button (named `button`, or starting so when not `exact`) and wait
        for the page it leads to; that page's status."""
        scope = within if within is not None else self.page
        with self.page.expect_navigation() as navigation:
            scope.get_by_role("button", name=button, exact=exact).click()
        return self.seen(navigation.value)

    def fill(self, **fields: str) -> None:
        """Type into the inputs of these ids."""
        for field_id, value in fields.items():
            self.page.fill(f"#{field_id}", value)

    def h1(self) -> str:
        return self.page.locator("h1").inner_text().strip()

    def main(self) -> str:
        return self.page.locator("main").inner_text()

    def seen(self, response: Response | None) -> int:
        """Photograph the page shown and check it with axe-core."""
        assert response is not None, f"no response for {self.page.url}"
        self.count += 1
        self.page.screenshot(path=self.shots / self.shot_name(), full_page=True)
        problems = blocking(self.audit())
        assert not problems, f"axe-core on {self.page.url}:\n" + "\n".join(problems)
        return response.status

    def audit(self) -> dict[str, Any]:
        if self.checker is None:
            return dict(AXE.run(self.page).response)
        return replayed(self.checker, self.page.url, self.page.content())


def replayed(checker: Page, url: str, html: str) -> dict[str, Any]:
    """axe-core's results for `html` shown at `url` in a tab with JavaScript."""

    def serve(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    def here(address: str) -> bool:
        return address == url

    checker.route(here, serve)
    try:
        checker.goto(url)
        return dict(AXE.run(checker).response)
    finally:
        checker.unroute(here, serve)


def welcome(tab: Tab, link: str, login: str) -> None:
    """Follow a sign-in link, choose a sign-in name and passphrase, arrive home signed in."""
    tab.open(link)
    assert tab.path == "/signin/welcome", tab.page.url
    tab.fill(login=login, passphrase=PASSPHRASE, repeat=PASSPHRASE)
    status = tab.press("Save and sign in")
    assert (status, tab.path) == (200, "/"), tab.main()
    assert tab.page.get_by_role("button", name="Sign out").is_visible()


def sign_in(tab: Tab, login: str) -> None:
    """Sign in with a name and passphrase on the sign-in form."""
    tab.open("/signin")
    tab.fill(login=login, passphrase=PASSPHRASE)
    status = tab.press("Sign in")
    assert (status, tab.path) == (200, "/"), tab.main()
