"""Invariant 4 in a real browser (issue 15, part 1): a LAG's broker sets the balance limit
on the terms form, the partners sign, then a selection decision is recorded with a member's
conflict of interest declared on its row; the page gives the balance and its verdict."""

from __future__ import annotations

from tests.browser.conftest import Person, Site
from tests.browser.forms import follow, refused, signed_in
from tests.browser.world import Someone, World
from tests.integration.test_http_scenario import ok


def lag_members(world: World, broker: Someone, pid: str) -> list[Someone]:
    """Four members joined: a municipality (lead), an association, a firm, and a parish
    council (a public body) that declared itself environmental; weights 2, 3, 2, 2."""
    members = [
        ("public", "Câmara Municipal de Mértola", "Mara Lead", "public_authority", 2),
        ("civil_society", "Associação de Defesa do Património", "Ana Civ", "civil_society", 3),
        ("private", "Cooperativa Agrícola do Guadiana", "Eco Nuno", "economic", 2),
        ("public", "Junta de Freguesia de Alcaria Ruiva", "Paula Par", "environmental", 2),
    ]
    joined = []
    for n, (sector, legal, name, group, weight) in enumerate(members):
        partner = world.partner(broker, sector, legal, name)
        invite = {
            "organisation_id": partner.organisation_id,
            "roles": ["lead" if n == 0 else "implementer"],
            "weight": weight,
            "interest_group": group,
        }
        ok(broker.api.post(f"/v1/partnerships/{pid}/members", invite), 201)
        ok(partner.api.post(f"/v1/partnerships/{pid}/join"))
        joined.append(partner)
    return joined


def test_a_lag_sets_its_limit_and_records_a_decision_with_a_conflict(
    site: Site, person: Person
) -> None:
    # Given: a local action group of four members, no text yet
    world = site.world
    broker = world.enrol("broker", "Broker of the valley")
    pid = world.partnership(broker, "GAL Vale do Guadiana", "clld_lag")
    members = lag_members(world, broker, pid)
    world.settle()
    b = signed_in(person, world, broker, "broker")

    # When: the broker drafts the terms, first with a limit over 50, then 45
    b.open(f"/partnerships/{pid}")
    assert follow(b, "Draft a new version of the agreement") == 200
    assert b.page.input_value("#f-terms-balance_limit") == "49"
    b.fill(**{"f-terms-vision": "Um vale vivo", "f-terms-shared_objectives-0": "Fixar gente"})
    b.page.select_option("#f-terms-governance-rule", "majority")
    b.fill(**{"f-terms-governance-quorum": "50", "f-terms-review_schedule": "yearly"})
    b.fill(**{"f-terms-exit_notice_days": "0", "f-terms-balance_limit": "60"})
    b.page.select_option("#f-terms-moving_on_strategy", "hand_over")
    b.fill(**{"f-terms-period-start": "2027-01-01", "f-terms-period-end": "2029-12-31"})
    refused(b, world, "Record the draft", 422, "at most 50")
    b.fill(**{"f-terms-balance_limit": "45"})
    assert b.press("Record the draft") == 200 and b.path == f"/partnerships/{pid}"
    # And: opens it, and every member signs it (over the API)
    assert follow(b, "Open version 1 for signature") == 200
    assert b.press("Open version 1 for signature") == 200
    versions = ok(broker.api.get(f"/v1/partnerships/{pid}/versions"))["items"]
    assert versions[0]["terms"]["balance_limit"] == "45"
    for m in members:
        body = {"text_hash": versions[0]["text_hash"]}
        ok(m.api.post(f"/v1/partnerships/{pid}/signatures", body), 201)
    world.settle()

    # Then: the page gives the balance under the terms' limit, and that it holds
    b.open(f"/partnerships/{pid}")
    assert "none may hold more than 45% of the voting weight" in b.main()
    assert b.page.locator("#balance-verdict").inner_text() == "The balance holds now."

    # When: the broker records a selection, the parish council declaring a conflict
    assert follow(b, "Record a decision") == 200
    b.fill(**{"f-body": "Órgão de decisão", "f-subject-summary": "Aviso 1/2027: projeto 4"})
    b.page.select_option("#f-subject-action", "other")
    mara, ana, nuno, paula = members
    for who, vote in ((mara, "for"), (ana, "for"), (nuno, "against"), (paula, "conflict")):
        b.page.select_option(f"#f-votes-{who.organisation_id}", vote)
    assert b.press("Record the decision") == 200 and b.path == f"/partnerships/{pid}"

    # Then: the decision records the conflict, and the timeline names who declared it
    history = ok(broker.api.get(f"/v1/partnerships/{pid}/history?limit=500"))["items"]
    (decision,) = [e["data"] for e in history if e["event_type"] == "DecisionRecorded"]
    assert decision["conflicts"] == [paula.organisation_id]
    assert decision["result"]["present_weight"] == 7
    b.open(f"/partnerships/{pid}/timeline")
    entry = b.page.locator("li", has_text="declared a conflict of interest").first.inner_text()
    assert "Junta de Freguesia de Alcaria Ruiva" in entry
