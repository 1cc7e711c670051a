"""People's journeys through the explorer in a real browser, against a real server.

Each journey runs on embedded SQLite and on server-mode PostgreSQL; every page it shows is
photographed and checked by axe-core (tests/browser/tab.py). Data is set up as programs
do, over the JSON API and the operator's CLI (tests/browser/world.py).
"""

from __future__ import annotations

import re
import uuid

from tests.browser.conftest import Person, Site
from tests.browser.tab import PASSPHRASE, Tab, sign_in, welcome

SIGNED_OUT = "You are signed out."
REFUSED_FORM = "The form could not be accepted"
PARTNERSHIP_URLS = (
    "/partnerships/{}",
    "/partnerships/{}/timeline",
    "/partnerships/{}/fields",
    "/partnerships/{}?as_of_position=1",
)


def signed_out(tab: Tab) -> bool:
    """Whether the tab's page is the sign-in form (where anyone signed out is sent)."""
    return tab.path == "/signin" and tab.h1() == "Sign in"


def test_the_first_admin_signs_in_and_brings_in_a_broker_who_sees_its_partnerships(
    site: Site, person: Person
) -> None:
    # Given: a fresh install's first-admin link, and a broker who started a partnership
    assert site.first_admin_link, "`collab serve` printed no first-admin link"
    world = site.world
    broker = world.enrol("broker", "Bruno Broker")
    title = "Mértola care rounds"
    world.partnership(broker, title, "clld_lag")
    world.settle()

    # When: the admin, in a browser without JavaScript, sets a passphrase with the link
    admin = person("admin", javascript=False)
    welcome(admin, site.first_admin_link, "first-admin")
    # And: issues a sign-in link for the broker on /people
    admin.open("/people")
    row = admin.page.locator("tr", has_text=broker.name)
    assert admin.press("Issue a sign-in link", within=row, exact=False) in (200, 201)
    link = admin.page.locator("#signin-link").inner_text().strip()

    # Then: the broker, in a browser of its own, signs in with it and sees its partnership
    tab = person("broker")
    welcome(tab, link, "bruno-broker")
    assert title in tab.main()
    assert tab.open("/partnerships") == 200
    assert title in tab.main()
    # And: the link, used once, signs no one in again
    again = person("broker-link-again")
    assert again.open(link) == 404
    assert again.h1() == "This sign-in link is not valid"


def test_a_partner_sees_on_its_home_the_version_to_sign_with_its_exact_text_hash(
    site: Site, person: Person
) -> None:
    # Given: a partner's organisation joined a partnership whose version 1 awaits signatures
    world = site.world
    broker = world.enrol("broker", "Broker of a version")
    partner = world.partner(broker, "civil_society", "Associação de Mértola", "Paula Partner")
    ally = world.partner(broker, "public", "Junta de Freguesia de Alcaria", "Ally partner")
    pid = world.partnership(broker, "Rota dos cuidados")
    world.member(broker, pid, partner, "lead")
    world.member(broker, pid, ally, "implementer")
    text_hash = world.open_version(broker, pid, "Care for every village")
    world.settle()

    # When: the partner signs in
    tab = person("partner")
    welcome(tab, world.link(partner.actor_id), "paula-partner")

    # Then: its home shows the version to sign, with the hash exactly as the API gave it
    shown = tab.main()
    assert "Rota dos cuidados" in shown
    assert text_hash in shown


def test_an_auditor_granted_one_partnership_sees_that_one_only(site: Site, person: Person) -> None:
    # Given: two partnerships; an auditor granted the first
    world = site.world
    broker = world.enrol("broker", "Broker of two")
    granted = world.partnership(broker, "Serra care rounds")
    other = world.partnership(broker, "Guadiana river clean-up")
    auditor = world.enrol("auditor", "Auditor of one")
    world.grant(auditor, granted)
    world.settle()

    # When: the auditor signs in
    tab = person("auditor")
    welcome(tab, world.link(auditor.actor_id), "auditor-of-one")

    # Then: home and the partnership list show the granted one, never the other
    for path in ("/", "/partnerships"):
        assert tab.open(path) == 200
        shown = tab.main()
        assert "Serra care rounds" in shown, path
        assert "Guadiana river clean-up" not in shown, path
    assert tab.open(f"/partnerships/{other}") == 404
    assert tab.open(f"/partnerships/{granted}") == 200


def look(tab: Tab, path: str, hidden: str) -> tuple[int, str, str]:
    """Status, headline and HTML of a page, with what differs between any two requests
    (the id asked for, the CSRF token, the request's reference) blanked."""
    status = tab.open(path)
    html = tab.page.content().replace(hidden, "ID")
    html = re.sub(r'name="csrf_token" value="[^"]*"', "CSRF", html)
    html = re.sub(r"Reference: <code>[^<]*</code>", "REFERENCE", html)
    return status, tab.h1(), html


def test_a_partnership_outside_ones_organisation_is_not_found_on_every_url(
    site: Site, person: Person
) -> None:
    # Given: a partnership of one organisation, and a partner of another organisation
    world = site.world
    broker = world.enrol("broker", "Broker of strangers")
    pid = world.partnership(broker, "Closed circle")
    for sector, legal_name, role in (
        ("public", "Câmara Municipal de Mértola", "lead"),
        ("civil_society", "Casa do Povo de Mértola", "implementer"),
    ):
        member = world.partner(broker, sector, legal_name, f"Member of {legal_name}")
        world.member(broker, pid, member, role)
    world.open_version(broker, pid, "Only for members")
    stranger = world.partner(broker, "private", "Empresa de fora, Lda.", "Stranger partner")
    world.settle()

    # When: the stranger opens every address of the partnership, and of an unknown id
    tab = person("stranger")
    welcome(tab, world.link(stranger.actor_id), "stranger")
    for template in PARTNERSHIP_URLS:
        unknown = str(uuid.uuid4())
        hidden = look(tab, template.format(pid), pid)
        absent = look(tab, template.format(unknown), unknown)

        # Then: the not-found page, exactly the one an unknown id gets
        assert hidden[:2] == (404, "Not found"), template
        assert hidden == absent, template
        assert "Closed circle" not in hidden[2]


def test_signing_out_ends_the_session_and_its_cookie(site: Site, person: Person) -> None:
    # Given: a broker signed in, its session cookie kept
    world = site.world
    broker = world.enrol("broker", "Broker who leaves")
    tab = person("broker")
    welcome(tab, world.link(broker.actor_id), "broker-who-leaves")
    cookies = tab.page.context.cookies()

    # When: it signs out
    assert tab.press("Sign out") == 200

    # Then: it is on the sign-in page, and home sends it back there
    assert signed_out(tab) and SIGNED_OUT in tab.main()
    tab.open("/")
    assert signed_out(tab)
    # And: the old cookie, in a browser of its own, signs no one in
    thief = person("old-cookie")
    thief.page.context.add_cookies(cookies)  # type: ignore[arg-type]  # what cookies() gave
    thief.open("/")
    assert signed_out(thief)
    # And: the passphrase still signs the broker in again
    sign_in(thief, "broker-who-leaves")
    assert thief.page.get_by_role("button", name="Sign out").is_visible()


def session_cookies(tab: Tab) -> list[tuple[str, str]]:
    return sorted((c["name"], c["value"]) for c in tab.page.context.cookies())


def test_a_forged_csrf_token_is_refused_and_changes_nothing(site: Site, person: Person) -> None:
    # Given: a broker signed in
    world = site.world
    broker = world.enrol("broker", "Broker under attack")
    tab = person("broker")
    welcome(tab, world.link(broker.actor_id), "broker-under-attack")
    before = session_cookies(tab)

    # When: its sign-out form is sent with a forged token, then with none
    token = tab.page.locator("form.signout input[name=csrf_token]")
    token.evaluate("(input) => { input.value = 'forged' }")
    forged = tab.press("Sign out")
    assert (forged, tab.h1()) == (400, REFUSED_FORM)
    tab.open("/")
    tab.page.locator("form.signout input[name=csrf_token]").evaluate("(i) => i.remove()")
    missing = tab.press("Sign out")
    assert (missing, tab.h1()) == (400, REFUSED_FORM)

    # Then: still signed in, on the same session
    assert tab.open("/") == 200 and tab.path == "/"
    assert tab.page.get_by_role("button", name="Sign out").is_visible()
    assert session_cookies(tab) == before

    # And: a sign-in with the right passphrase but a forged token opens no session
    other = person("forged-sign-in")
    other.open("/signin")
    other.fill(login="broker-under-attack", passphrase=PASSPHRASE)
    other.page.locator("input[name=csrf_token]").evaluate("(i) => { i.value = 'forged' }")
    assert (other.press("Sign in"), other.h1()) == (400, REFUSED_FORM)
    other.open("/")
    assert signed_out(other)
