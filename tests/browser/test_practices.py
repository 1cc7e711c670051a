"""The network of learning in a real browser (DESIGN §8): a broker records the decision to
publish a practice and publishes it on the forms; a member of another partnership reads
it, checks in the browser the proof of every position its figures rest on (an altered
proof fails), and adapts it, which the lineage picture then shows; a member of that
partnership asks a question, which the practice's lead answers without JavaScript; a
visitor who has not signed in reads it. Every page is checked by axe-core."""

from __future__ import annotations

from playwright.sync_api import Locator, Page

from tests.browser.conftest import Person, Site
from tests.browser.forms import follow, head, refused, signed_in
from tests.browser.tab import Tab
from tests.browser.test_proofs import altered, flip_proof_hash, photograph, sealed, sealing
from tests.browser.world import Someone, World
from tests.integration.test_http_scenario import ok

PRACTICE_PROOFS = "**/practices/*/proofs/*"


def indicator(world: World, broker: Someone, pid: str) -> None:
    """An indicator with a quarter reported: what the practice's outcomes rest on."""
    body = {"kind": "output", "name": "Home visits", "unit": "visit", "baseline": "0"}
    made = ok(broker.api.post(f"/v1/partnerships/{pid}/indicators", {**body, "target": "400"}), 201)
    report = {"period": {"start": "2025-01-01", "end": "2025-03-31"}, "actual": "90"}
    path = f"/v1/partnerships/{pid}/indicators/{made['indicator_id']}/reports"
    ok(broker.api.post(path, report), 201)


def decide(tab: Tab, pid: str, voters: list[Someone]) -> None:
    """The broker records the members' decision to publish, with its figures and audience."""
    tab.open(f"/partnerships/{pid}")
    assert follow(tab, "Record a decision") == 200
    page = tab.page
    tab.fill(**{"f-body": "General assembly"})
    page.select_option("#f-subject-action", "publish_practice")
    for figure in ("sector_mix", "resources", "outcomes"):
        page.check(f"#f-subject-publishes-{figure}")
    page.select_option("#f-subject-audience", "anyone")
    for voter in voters:
        page.select_option(f"#f-votes-{voter.organisation_id}", "for")
    assert tab.press("Record the decision") == 200


def publish(tab: Tab, world: World, lead: Someone) -> str:
    """The broker publishes the practice on its form (refused once without a theme)."""
    assert follow(tab, "Publish a practice as decided") == 200
    page = tab.page
    tab.fill(
        **{
            "f-practice-title": "Care rounds by the parish",
            "f-practice-need-statement": "Elders living alone far from the health centre.",
            "f-practice-need-assessment": "A door-to-door survey of 212 households.",
            "f-practice-target_group": "People over 75 living alone",
            "f-practice-approach": "Volunteers and the parish visit weekly.",
            "f-practice-methods": "home visits\nshared rota",
            "f-practice-languages": "pt, en",
            "f-practice-evidence-basis": "Visits before and after.",
            "f-practice-contact-role": "Care coordinator",
        }
    )
    page.select_option("#f-practice-licence", "CC-BY-4.0")
    page.select_option("#f-practice-territory-kind", "rural")
    page.select_option("#f-practice-evidence-level", "2")
    page.select_option("#f-practice-contact-organisation_id", str(lead.organisation_id))
    refused(tab, world, "Publish", 422, "practice.themes")
    for theme in ("ageing", "health_care"):
        page.check(f"#f-practice-themes-{theme}")
    assert tab.press("Publish") == 200 and tab.path.startswith("/practices/")
    return tab.path.rsplit("/", 1)[-1]


def verify_all(page: Page) -> list[Locator]:
    """Press every Verify control of the page's cited positions; their results."""
    results = []
    for box in page.locator(".cited .proof").all():
        box.get_by_role("button", name="Verify", exact=False).click()
        result = box.locator(".proof-result")
        page.wait_for_function(
            "(r) => r.dataset.outcome && r.dataset.outcome !== 'checking'",
            arg=result.element_handle(),
        )
        results.append(result)
    return results


def test_a_practice_published_verified_adapted_asked_and_answered(
    site: Site, person: Person
) -> None:
    # Given: a partnership in force with an indicator reported, and another one
    world = site.world
    broker = world.enrol("broker", "Broker of practices")
    lead = world.partner(broker, "public", "Junta de Freguesia de Mértola", "Lia Lead")
    member = world.partner(broker, "civil_society", "Associação Terra Quente", "Mo Member")
    pid = world.active(broker, "Mértola care rounds", [lead, member])
    indicator(world, broker, pid)
    other_broker = world.enrol("broker", "Broker of the coast")
    d = world.partner(other_broker, "public", "Junta de Freguesia de Odeceixe", "Dora Lead")
    e = world.partner(other_broker, "private", "Cooperativa do Mar", "Eva Member")
    other = world.active(other_broker, "Odeceixe care rounds", [d, e])
    world.settle()

    # When: the broker records the decision and publishes the practice on the forms
    b = signed_in(person, world, broker, "broker")
    decide(b, pid, [lead, member])
    practice_id = publish(b, world, lead)
    started = sealing(world)
    world.settle()
    sealed(world, head(world), started)

    # Then: a member of the other partnership reads it and every proof verifies
    r = signed_in(person, world, d, "reader")
    assert r.open("/practices") == 200
    assert follow(r, "Care rounds by the parish") == 200
    assert "Home visits" in r.main()
    results = verify_all(r.page)
    assert len(results) >= 4
    for result in results:
        assert result.get_attribute("data-outcome") == "included", result.inner_text()
    photograph(r, "verified")
    # And: a proof altered on its way fails, saying what failed
    r.page.route(PRACTICE_PROOFS, altered(flip_proof_hash))
    [first, *_] = verify_all(r.page)
    assert first.get_attribute("data-outcome") == "root" and "root mismatch" in first.inner_text()
    photograph(r, "altered")
    r.page.unroute(PRACTICE_PROOFS)
    # And: its partnership stays closed to the reader
    assert r.open(f"/partnerships/{pid}") == 404

    # When: the reader's partnership adapts it in its own territory
    assert r.open(f"/practices/{practice_id}") == 200
    assert follow(r, "Adopt or adapt this practice") == 200
    r.page.select_option("#f-partnership_id", other)
    r.page.select_option("#f-relation", "adapts")
    r.page.select_option("#f-territory-kind", "coastal")
    r.fill(**{"f-territory-country": "PT", "f-territory-nuts": "PT150", "f-why": "Same need"})
    refused(r, world, "Record it", 422, "an adaptation says what it changed")
    r.fill(**{"f-changes": "Run by a fishermen's cooperative"})
    assert r.press("Record it") == 200
    # Then: the lineage picture shows the adopting territory
    picture = r.page.locator("svg.lineage")
    assert "A1 · PT150" in picture.inner_html()
    assert "Run by a fishermen" in r.main()

    # When: a member of that partnership asks a question
    q = signed_in(person, world, e, "asker")
    q.open(f"/practices/{practice_id}")
    assert follow(q, "Ask its partnership a question") == 200
    q.fill(**{"f-question": "How did you find the volunteers?"})
    assert q.press("Ask") == 200

    # Then: the practice's lead, without JavaScript, answers it
    a = signed_in(person, world, lead, "lead", js=False)
    a.open(f"/practices/{practice_id}")
    assert "How did you find the volunteers?" in a.main()
    assert follow(a, "Answer") == 200
    a.fill(**{"f-answer": "At the parish fair, every spring."})
    assert a.press("Answer") == 200
    assert "At the parish fair, every spring." in a.main()
    world.settle()
    q.open(f"/practices/{practice_id}")
    assert "At the parish fair, every spring." in q.main()

    # And: a visitor who has not signed in reads it (published to anyone), no exchange shown
    v = person("visitor")
    assert v.open(f"/practices/{practice_id}") == 200
    assert "Care rounds by the parish" in v.main()
    assert "How did you find the volunteers?" not in v.main()
    assert v.open("/practices") == 200 and "Care rounds by the parish" in v.main()


def test_a_new_version_then_a_withdrawal_without_javascript(site: Site, person: Person) -> None:
    # Given: a practice the broker published on the forms
    world = site.world
    broker = world.enrol("broker", "Broker of versions")
    lead = world.partner(broker, "public", "Junta de Freguesia de Alcoutim", "Vera Lead")
    member = world.partner(broker, "civil_society", "Associação do Guadiana", "Rui Member")
    pid = world.active(broker, "Alcoutim care rounds", [lead, member])
    world.settle()
    b = signed_in(person, world, broker, "broker", js=False)
    decide(b, pid, [lead, member])
    practice_id = publish(b, world, lead)

    # When: another decision passes and the broker publishes a new version, filled from
    # the first, with a new title
    decide(b, pid, [lead, member])
    b.open(f"/practices/{practice_id}")
    assert follow(b, "Publish a new version") == 200
    assert b.page.input_value("#f-practice-title") == "Care rounds by the parish"
    [decision] = [
        o for o in b.page.locator("#f-decision_id option").all() if o.get_attribute("value")
    ]
    b.page.select_option("#f-decision_id", str(decision.get_attribute("value")))
    b.fill(**{"f-practice-title": "Care rounds, year two"})
    assert b.press("Publish") == 200 and "Care rounds, year two" in b.h1()

    # And: withdraws it, saying why (the browser asks for the reason before posting)
    assert follow(b, "Withdraw this practice") == 200
    assert b.page.locator("#f-reason").get_attribute("required") is not None
    b.fill(**{"f-reason": "Replaced by the county's own service"})
    assert b.press("Withdraw the practice") == 200
    world.settle()

    # Then: a reader sees it withdrawn, with the reason, and its first version marked earlier
    reader = world.partner(broker, "private", "Mercearia do Pomarão", "Paulo Reader")
    r = signed_in(person, world, reader, "reader")
    assert r.open(f"/practices/{practice_id}") == 200
    shown = r.page.locator("body").inner_text()
    assert "Withdrawn." in shown and "Replaced by the county's own service" in shown
    assert "Adopt or adapt" not in shown
    assert r.open(f"/practices/{practice_id}?version=1") == 200
    assert "You are reading version 1; the latest is version 2." in r.page.inner_text("body")
    assert r.open("/practices?status=withdrawn") == 200 and "Care rounds, year two" in r.main()
