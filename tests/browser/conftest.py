"""The browser tier: journeys through the explorer in Debian's Chromium, driven by Playwright.

One Chromium per session (Playwright's own browsers are never downloaded; Playwright
gives it a fresh temporary profile, removed on close); one real `collab serve` per backend
for the tier (embedded SQLite; server mode on PostgreSQL with its follower and sealer);
a fresh browser context (no cookies, no storage) per person. A
machine without /usr/bin/chromium skips the tier with the reason shown, unless
`COLLAB_REQUIRE_BROWSER=1` (CI), which makes it fail instead. Every page a journey shows is
photographed into `COLLAB_SCREENSHOTS` (default: a folder under pytest's base temporary
directory, printed at the start) and checked by axe-core.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from uuid import uuid4

import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright
from psycopg.sql import SQL, Identifier

from collab.stores import StoreConfig
from tests.browser.tab import Tab
from tests.browser.world import World
from tests.conftest import _connect
from tests.integration.conftest import serve

CHROMIUM = Path("/usr/bin/chromium")
# Nothing leaves the machine: no updates, no sync, no QUIC probes, no first-run pages.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000  # for an element or a page to appear (Playwright's default is 30 s)
FIRST_ADMIN_RE = re.compile(r"Sign in as the first admin: (\S+)")


def say(config: pytest.Config, line: str) -> None:
    """A line on the terminal even while pytest captures output (and under -q)."""
    capture = config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        sys.stderr.write(f"\n{line}\n")


def missing(reason: str) -> None:
    if os.environ.get("COLLAB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (COLLAB_REQUIRE_BROWSER=1)")
    pytest.skip(f"{reason} (set COLLAB_REQUIRE_BROWSER=1 to fail instead)")


def chromium_version() -> str:
    shown = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30)
    return shown.stdout.strip() or f"unknown ({shown.stderr.strip()})"


@pytest.fixture(scope="session")
def shots_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go: COLLAB_SCREENSHOTS, else a temporary folder."""
    chosen = os.environ.get("COLLAB_SCREENSHOTS")
    return Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="session")
def chromium(pytestconfig: pytest.Config, shots_root: Path) -> Path:
    """Debian's Chromium, there (or the tier skips, or fails in CI); its version shown."""
    if not os.access(CHROMIUM, os.X_OK):
        missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    say(
        pytestconfig,
        f"browser tier: {chromium_version()}; Playwright {version('playwright')}; "
        f"screenshots in {shots_root}",
    )
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator[Browser]:
    """Chromium, headless, launched once for the tier."""
    driver = sync_playwright().start()
    try:
        launched = driver.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()
    finally:
        driver.stop()


@dataclass
class Site:
    """A running site: its backend's name, its data helpers and the first admin's link."""

    backend: str
    world: World
    first_admin_link: str | None


def first_admin_link(log: Path) -> str | None:
    found = FIRST_ADMIN_RE.search(log.read_text(errors="replace"))
    return found.group(1) if found else None


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def store(
    chromium: Path, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StoreConfig]:
    """An empty store of each durable backend, for the whole tier."""
    if request.param == "sqlite":
        yield StoreConfig(f"sqlite:///{tmp_path_factory.mktemp('sqlite')}/collab.db")
        return
    server: StoreConfig = request.getfixturevalue("postgres_server")
    schema = f"test_{uuid4().hex[:16]}"
    yield StoreConfig(f"{server.url}?schema={schema}")
    with _connect(server) as conn:
        conn.execute(SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(Identifier(schema)))


@pytest.fixture(scope="session")
def site(store: StoreConfig, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """`collab serve` on a fresh install of the store, for every test of the tier."""
    workdir = tmp_path_factory.mktemp(f"site-{store.kind}")
    # Every person of the tier signs in from 127.0.0.1: more than the 30 attempts per
    # address a site allows by default (the limit itself is tested in tests/web).
    with serve(store, workdir, {"COLLAB_SIGNIN_ADDRESS_LIMIT": "10000"}) as served:
        link = first_admin_link(workdir / "gunicorn.log")
        yield Site(store.kind, World(served), link)


Person = Callable[..., Tab]


@pytest.fixture
def person(
    browser: Browser, site: Site, shots_root: Path, request: pytest.FixtureRequest
) -> Iterator[Person]:
    """`person(who, javascript=True)`: a tab in a browser context of its own, its pages
    photographed into <screenshots>/<backend>/<test>/<who>/."""
    test = re.sub(r"\W+", "-", request.node.originalname)
    folder = shots_root / site.backend / test
    contexts: list[BrowserContext] = []

    def open_tab(who: str, javascript: bool = True) -> Tab:
        context = browser.new_context(base_url=site.world.base, java_script_enabled=javascript)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        checker = None
        if not javascript:  # axe-core needs JavaScript: it checks the pages in a twin tab
            twin = browser.new_context(base_url=site.world.base)
            twin.set_default_timeout(TIMEOUT_MS)
            contexts.append(twin)
            checker = twin.new_page()
        return Tab(context, folder / who, checker)

    yield open_tab
    for context in contexts:
        context.close()
