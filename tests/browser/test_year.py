"""A partnership's whole year as people live it, in a real browser, in English and in
Portuguese, on embedded SQLite and server-mode PostgreSQL (issue 14's "done when").

A broker registers three organisations and starts a partnership; the partners join and
sign the same text hash; one pledges to another, the recipient disputes a delivery, the
committer corrects it and the recipient confirms; an auditor verifies a timeline entry in
the browser (and sees an altered proof fail), reads the partnership as it stood earlier
and downloads the export, which `verify.py` accepts. Everything is done through the
explorer's pages; only the people's accounts and the auditor's grant are set up over the
JSON API, as an operator's program would. The journey never presses a button by its name,
so one script serves both languages: it checks instead that each page speaks the chosen
language, with the catalogue's own words.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Route

from tests.browser.conftest import Person, Site
from tests.browser.tab import PASSPHRASE, Tab
from tests.browser.world import Someone, World
from tests.integration.conftest import run_collab
from tests.integration.test_http_scenario import ok

ROOT = Path(__file__).resolve().parents[2]
VERIFY_PY = ROOT / "collab" / "audit" / "verify.py"
CATALOGUE = ROOT / "web" / "translations" / "pt" / "LC_MESSAGES" / "messages.po"
SUBMIT = "main form[method=post] button[type=submit]"
SIGNED = 3  # members who sign version 1


@cache
def portuguese() -> dict[str, str]:
    with CATALOGUE.open("rb") as po:
        return {str(m.id): str(m.string) for m in read_po(po) if m.id and m.string}


def said(lang: str, english: str) -> str:
    """A text of the pages as the reader sees it in `lang` (from the catalogue)."""
    return portuguese()[english] if lang == "pt" else english


def submit(tab: Tab, css: str = SUBMIT) -> int:
    """Press the page's form button (the first one `css` finds); the next page's status."""
    with tab.page.expect_navigation() as navigation:
        tab.page.locator(css).first.click()
    return tab.seen(navigation.value)


def speaks(tab: Tab, lang: str) -> None:
    assert tab.page.evaluate("document.documentElement.lang") == lang


def arrive(person: Person, world: World, who: Someone, lang: str, key: str) -> Tab:
    """A person's browser: the language chosen, then their sign-in link followed and a
    sign-in name and passphrase chosen; they arrive home."""
    tab = person(key)
    tab.open(f"/language?lang={lang}&next=/signin")
    speaks(tab, lang)
    tab.open(world.link(who.actor_id))
    assert tab.path == "/signin/welcome", tab.page.url
    tab.fill(login=f"{key}-{uuid.uuid4().hex[:8]}", passphrase=PASSPHRASE, repeat=PASSPHRASE)
    assert submit(tab) == 200 and tab.path == "/", tab.main()
    speaks(tab, lang)
    return tab


def register(tab: Tab, name: str, org_type: str, sector: str) -> str:
    """An organisation registered on /organisations/new; its id (from the page it lands on)."""
    tab.open("/organisations/new")
    tab.fill(**{"f-legal_name": name, "f-identifiers-0-id": str(uuid.uuid4().int)[:9]})
    tab.page.select_option("#f-identifiers-0-scheme", "PT-NIPPC")
    tab.page.select_option("#f-org_type", org_type)
    tab.page.select_option("#f-sector", sector)
    tab.page.select_option("#f-territory-country", "PT")
    tab.fill(**{"f-territory-nuts": "PT1C2"})
    assert submit(tab) == 200, tab.main()
    found = re.fullmatch(r"/organisations/([0-9a-f-]{36})", tab.path)
    assert found is not None, tab.page.url
    return found.group(1)


def start(tab: Tab, title: str) -> str:
    tab.open("/partnerships/new")
    tab.fill(**{"f-title": title, "f-need_statement": "Isolated elders lack care"})
    tab.page.select_option("#f-territory-country", "PT")
    tab.fill(**{"f-territory-nuts": "PT1C2"})
    tab.page.select_option("#f-partnership_type", "social_innovation")
    assert submit(tab) == 200, tab.main()
    found = re.fullmatch(r"/partnerships/([0-9a-f-]{36})", tab.path)
    assert found is not None, tab.page.url
    return found.group(1)


def invite(tab: Tab, pid: str, org_id: str, role: str) -> None:
    tab.open(f"/partnerships/{pid}/invite")
    tab.page.select_option("#f-organisation_id", org_id)
    tab.page.check(f"input[name=roles][value={role}]")
    tab.fill(**{"f-weight": "1"})
    assert submit(tab) == 200, tab.main()


def draft_and_open(tab: Tab, pid: str) -> None:
    tab.open(f"/partnerships/{pid}/versions/new")
    tab.fill(**{"f-terms-vision": "Every village, every week"})
    tab.fill(**{"f-terms-shared_objectives-0": "Weekly visits"})
    tab.page.select_option("#f-terms-governance-rule", "majority")
    tab.fill(**{"f-terms-governance-quorum": "50", "f-terms-review_schedule": "yearly"})
    tab.fill(**{"f-terms-exit_notice_days": "30"})
    tab.page.select_option("#f-terms-moving_on_strategy", "hand_over")
    tab.fill(**{"f-terms-period-start": "2027-01-01", "f-terms-period-end": "2027-12-31"})
    assert submit(tab) == 200, tab.main()
    tab.open(f"/partnerships/{pid}/open-for-signature")
    assert submit(tab) == 200, tab.main()


def sign(tab: Tab, pid: str) -> str:
    """The partner signs the version open for signature; the hash it signed."""
    tab.open(f"/partnerships/{pid}/sign")
    text_hash = tab.page.input_value("input[name=text_hash]")
    assert text_hash in tab.main()  # the exact hash is shown in full beside the button
    assert submit(tab) == 200, tab.main()
    return text_hash


def pledge(tab: Tab, pid: str, recipient: str) -> str:
    tab.open(f"/partnerships/{pid}/pledge")
    tab.page.select_option("#f-contribution_type", "staff_time")
    tab.fill(**{"f-quantity-value": "10", "f-quantity-unit": "hour"})
    tab.page.select_option("#f-valuation-method", "not_valued")
    tab.page.select_option("#f-recipient", recipient)
    assert submit(tab) == 200, tab.main()
    cid = tab.page.url.rsplit("#commitment-", 1)[1]
    tab.open(f"/commitments/{cid}/confirm")
    assert submit(tab) == 200, tab.main()
    return cid


def deliver(tab: Tab, cid: str, hours: str) -> None:
    tab.open(f"/commitments/{cid}/deliveries/new")
    tab.fill(**{"f-quantity": hours, "f-delivered_on": "2026-11-30"})
    assert submit(tab) == 200, tab.main()


def only_delivery(world: World, who: Someone, cid: str) -> dict[str, str]:
    deliveries = ok(who.api.get(f"/v1/commitments/{cid}"))["deliveries"]
    assert len(deliveries) == 1, deliveries
    found: dict[str, str] = deliveries[0]
    return found


def answer(tab: Tab, cid: str, did: str, verdict: str, reason: str = "") -> None:
    here = f"/commitments/{cid}/deliveries/{did}"
    assert tab.open(f"{here}/{verdict}") == 200, tab.main()
    if reason:
        tab.fill(**{"f-reason": reason})
    assert submit(tab, f"button[formaction='{here}/{verdict}']") == 200, tab.main()


def correct(tab: Tab, cid: str, did: str, hours: str) -> None:
    tab.open(f"/commitments/{cid}/deliveries/{did}/correct")
    tab.fill(**{"f-quantity": hours, "f-delivered_on": "2026-11-30"})
    tab.fill(**{"f-note": "Three hours, not four"})
    assert submit(tab) == 200, tab.main()


def verify_entry(tab: Tab, position: int) -> tuple[str, str]:
    """Press an entry's Verify control; its outcome (data-outcome) and words."""
    result = tab.page.locator(f"#proof-result-{position}")
    tab.page.locator(f"#position-{position} .proof-verify").click()
    tab.page.wait_for_function(
        "id => !['', 'checking'].includes(document.getElementById(id).dataset.outcome || '')",
        arg=f"proof-result-{position}",
    )
    return str(result.get_attribute("data-outcome")), result.inner_text()


def verified(tab: Tab, position: int) -> str:
    """The entry verified (retried while the sealer has not signed it yet); its words."""
    for _ in range(40):
        outcome, words = verify_entry(tab, position)
        if outcome != "pending":
            break
        tab.page.wait_for_timeout(250)  # the sealer signs a checkpoint within a second
    assert outcome == "included", words
    return words


def altered(route: Route) -> None:
    """The proof as the server sent it, with one hash of the inclusion path changed."""
    response = route.fetch()
    body = response.json()
    path = body["bundle"]["inclusion"]
    path[0] = ("0" if path[0][0] != "0" else "1") + path[0][1:]
    route.fulfill(response=response, body=json.dumps(body))


@pytest.mark.parametrize("lang", ["en", "pt"])
def test_a_partnership_s_year_in_the_browser(site: Site, person: Person, lang: str) -> None:
    world = site.world
    broker = world.enrol("broker", f"Beatriz Broker ({lang})")
    auditor = world.enrol("auditor", f"Álvaro Auditor ({lang})")

    # Given: the broker, in its browser, registers three organisations and starts a partnership
    b = arrive(person, world, broker, lang, "broker")
    orgs = [
        register(b, f"Junta de Freguesia de Alcoutim {lang}", "11", "public"),
        register(b, f"Associação Serra Viva {lang}", "22", "civil_society"),
        register(b, f"Farmácia do Monte {lang}", "70", "private"),
    ]
    title = f"Rondas de cuidado {lang}"
    pid = start(b, title)
    assert b.page.locator("h1").inner_text().strip() == title
    for org_id, role in zip(orgs, ("lead", "implementer", "implementer"), strict=True):
        invite(b, pid, org_id, role)
    speaks(b, lang)
    assert b.page.locator("#actions-h").inner_text().strip() == said(lang, "What you can do")

    # And: a person for each organisation (the operator's program), each given a link
    partners = [world.enrol("partner", f"Partner {n} {lang}", o) for n, o in enumerate(orgs)]
    tabs = [arrive(person, world, p, lang, f"partner-{n}") for n, p in enumerate(partners)]

    # When: every partner joins; the broker drafts version 1 and opens it; all sign
    for tab in tabs:
        tab.open(f"/partnerships/{pid}/join")
        assert submit(tab) == 200, tab.main()
    draft_and_open(b, pid)
    hashes = {sign(tab, pid) for tab in tabs}
    world.settle()
    view = ok(broker.api.get(f"/v1/partnerships/{pid}/view"))
    # Then: they signed one and the same hash, and it is the text in force
    assert hashes == {view["in_force_hash"]} and view["status"] == "active", view

    # When: the second partner pledges ten hours to the lead and delivers four
    giver, recipient = tabs[1], tabs[0]
    cid = pledge(giver, pid, orgs[0])
    deliver(giver, cid, "4")
    did = only_delivery(world, partners[1], cid)["delivery_id"]
    # And: the lead disputes it, the giver corrects it, and the lead confirms
    answer(recipient, cid, did, "dispute", "Only three hours were given")
    assert only_delivery(world, partners[1], cid)["status"] == "disputed"
    correct(giver, cid, did, "3")
    answer(recipient, cid, did, "confirm")
    delivery = only_delivery(world, partners[1], cid)
    assert (delivery["status"], delivery["quantity"]) == ("confirmed", "3"), delivery
    speaks(recipient, lang)

    # Then: the auditor, granted the partnership, verifies an entry in its browser
    world.grant(auditor, pid)
    world.settle()
    if world.served.mode == "embedded":  # no sealer process: the operator signs checkpoints
        assert run_collab("audit", "seal", env=world.served.env).returncode == 0
    a = arrive(person, world, auditor, lang, "auditor")
    assert a.open(f"/partnerships/{pid}/timeline") == 200
    assert a.page.locator("main form[method=post]").count() == 0  # an auditor sees no form
    first = int(a.page.locator(".proof[data-position]").first.get_attribute("data-position"))
    checkpoint = ok(world.admin.get("/v1/audit/checkpoint"))
    words = verified(a, first)
    assert str(checkpoint["size"]) in words or "checkpoint" in words.lower()
    # And: the same entry with one altered hash in its proof fails, saying so
    a.open(f"/partnerships/{pid}/timeline")
    a.page.route(re.compile(rf".*/proofs/{first}$"), altered)
    outcome, failed = verify_entry(a, first)
    assert outcome == "root" and failed == said(
        lang,
        "Verification failed: root mismatch (the proof leads to another root than the "
        "checkpoint\u2019s).",
    ), (outcome, failed)
    a.page.unroute(re.compile(rf".*/proofs/{first}$"))

    # And: reads the partnership as it stood before the delivery, then downloads the export
    a.open(f"/partnerships/{pid}")
    a.fill(**{"asof-position": str(first)})
    with a.page.expect_navigation() as navigation:
        a.page.locator("form.filters button[type=submit]").first.click()
    assert a.seen(navigation.value) == 200
    assert f"as_of_position={first}" in a.page.url
    assert a.page.locator(".banner").count() == 1
    speaks(a, lang)
    export_verifies(a, world)


def export_verifies(tab: Tab, world: World) -> None:
    """The audit page's export, downloaded as a person does, accepted by verify.py."""
    assert tab.open("/audit") == 200
    with tab.page.expect_download() as download:
        tab.page.locator("a[href^='/audit/export']").first.click()
    saved = Path(download.value.path())
    keys = sorted((world.served.data_dir / "keys").glob("*.pub"))
    checked = subprocess.run(
        [sys.executable, str(VERIFY_PY), str(saved), "--pubkey", str(keys[0])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
