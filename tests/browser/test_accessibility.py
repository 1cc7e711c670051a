"""Accessibility across the explorer: axe-core on every kind of page a person reaches.

A tour follows the site's links from home, one page per kind (ids and query values set
aside), as each role; every page is photographed and must have no serious or critical
axe-core violation, and every link must lead somewhere (no 404, no 500). The checker
itself is checked first: it must catch a known violation, with and without JavaScript.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import Browser, Route

from tests.browser.conftest import Person, Site
from tests.browser.tab import Tab, welcome
from tests.browser.world import Someone

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
NOT_TOURED = ("/v1/", "/static/", "/signin", "/signout")  # the API, files, signing in/out
MOST_PAGES = 40  # a tour's bound: far more kinds of page than the explorer has
# No language, and an input without a label: axe-core's html-has-lang and label rules.
BROKEN = "<!doctype html><title>Broken</title><main><h1>Broken</h1><input id=q></main>"


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_the_checker_catches_a_violation(
    browser: Browser, tmp_path: Path, javascript: bool
) -> None:
    # Given: a page without a language and with an unlabelled input
    url = "http://collab.invalid/broken"

    def broken(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html", body=BROKEN)

    context = browser.new_context(java_script_enabled=javascript)
    checking = browser.new_context()
    context.route(url, broken)
    try:
        tab = Tab(context, tmp_path, None if javascript else checking.new_page())
        # When: a tab shows it / Then: the check fails, naming the rules and the nodes
        with pytest.raises(AssertionError) as refused:
            tab.open(url)
        assert "html-has-lang (serious" in str(refused.value)
        assert "label (critical" in str(refused.value)
        assert "['#q'] <input id=\"q\"" in str(refused.value)  # the node and its HTML
    finally:
        context.close()
        checking.close()


def kind(url: str) -> str:
    """A page's kind: its path with ids set aside, and its query's names."""
    parts = urlsplit(url)
    names = sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return UUID_RE.sub("ID", parts.path) + "?" + "&".join(names)


# A search or filter form sent as it stands is a link too.
FORM_URL = "(form) => form.action + '?' + new URLSearchParams(new FormData(form))"


def links(tab: Tab, base: str) -> list[str]:
    """The site's own pages the shown page leads to by a link or a search form (paths and
    queries)."""
    found = tab.page.locator("a[href]").evaluate_all("(links) => links.map(a => a.href)")
    forms = tab.page.locator("form[method=get]")
    found += [forms.nth(n).evaluate(FORM_URL) for n in range(forms.count())]
    paths = []
    for href in found:
        parts = urlsplit(href)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if href.startswith(base) and not path.startswith(NOT_TOURED):
            paths.append(path)
    return paths


def tour(tab: Tab, base: str) -> list[str]:
    """Follow every link from the page shown (home), one page of each kind; the pages
    shown."""
    shown = [tab.path]
    kinds = {kind(tab.path)}
    queue = links(tab, base)
    came_from = dict.fromkeys(queue, tab.path)
    while queue and len(shown) < MOST_PAGES:
        path = queue.pop(0)
        if kind(path) in kinds:
            continue
        kinds.add(kind(path))
        fetched = tab.page.context.request.get(base + path)
        where = f"{path} (linked from {came_from[path]})"
        assert fetched.status == 200, f"{where} answered {fetched.status}"
        if not fetched.headers.get("content-type", "").startswith("text/html"):
            continue  # a download (the audit export): not a page to show
        assert tab.open(path) == 200, where
        shown.append(path)
        for found in links(tab, base):
            came_from.setdefault(found, path)
            queue.append(found)
    return shown


@dataclass
class Scene:
    """People of every role around one partnership in force."""

    people: dict[str, Someone]


@pytest.fixture(scope="module")
def scene(site: Site) -> Scene:
    world = site.world
    broker = world.enrol("broker", "Broker on tour")
    lead = world.partner(broker, "civil_society", "Associação Rota Viva", "Lead on tour")
    ally = world.partner(broker, "private", "Transportes do Sul, Lda.", "Ally on tour")
    pid = world.active(broker, "Rotas de cuidado (tour)", [lead, ally])
    auditor = world.enrol("auditor", "Auditor on tour")
    world.grant(auditor, pid)
    admin = world.enrol("admin", "Admin on tour")
    world.settle()
    people = {"admin": admin, "broker": broker, "partner": lead, "auditor": auditor}
    return Scene(people)


@pytest.mark.parametrize("role", ["admin", "broker", "partner", "auditor"])
def test_every_page_a_person_reaches_passes_axe(
    site: Site, person: Person, scene: Scene, role: str
) -> None:
    # Given: a person of this role, signed in
    who = scene.people[role]
    tab = person(role)
    welcome(tab, site.world.link(who.actor_id), f"{role}-on-tour")

    # When: it follows every link of the site from its home, one page of each kind
    shown = tour(tab, site.world.base)

    # Then: every page answered and passed axe-core (checked on each, in `Tab.seen`)
    assert "/" in shown and any(p.startswith("/partnerships/") for p in shown), shown
