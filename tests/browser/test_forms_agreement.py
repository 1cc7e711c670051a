"""The agreement's forms in a real browser: a draft refused then recorded, opening refused
by the CLLD balance; a partner (without JavaScript) refused a hash no longer open, then
signing the text shown; a decision refused without votes, then recorded. Each refusal
shows its problem beside the form, keeps the input and leaves the log's head unchanged."""

from __future__ import annotations

from tests.browser.conftest import Person, Site
from tests.browser.forms import follow, refused, signed_in
from tests.browser.world import Someone, World
from tests.integration.test_http_scenario import ok, terms


def redraft(world: World, broker: Someone, pid: str, vision: str, number: int) -> str:
    """Version `number` drafted and opened for signature over the API; its hash."""
    drafted = ok(broker.api.post(f"/v1/partnerships/{pid}/versions", {"terms": terms(vision)}), 201)
    opened = {"agreement_version": number}
    ok(broker.api.post(f"/v1/partnerships/{pid}/open-for-signature", opened))
    text_hash: str = drafted["text_hash"]
    return text_hash


def test_a_partner_signs_the_hash_it_is_shown_never_a_stale_one(site: Site, person: Person) -> None:
    # Given: version 1 open for signature in a partnership of two organisations
    world = site.world
    broker = world.enrol("broker", "Broker of signatures")
    lead = world.partner(broker, "public", "Junta de Freguesia de Alcaria", "Lia Lead")
    ally = world.partner(broker, "civil_society", "Associação Terra Viva", "Alo Ally")
    pid = world.partnership(broker, "Rota das aldeias")
    world.member(broker, pid, lead, "lead")
    world.member(broker, pid, ally, "implementer")
    first = world.open_version(broker, pid, "Cuidar de cada aldeia")
    world.settle()

    # When: the ally, in a browser without JavaScript, follows "Sign version 1"
    a = signed_in(person, world, ally, "ally", js=False)
    a.open(f"/partnerships/{pid}")
    assert follow(a, "Sign version 1") == 200
    assert first in a.main() and "Cuidar de cada aldeia" in a.main()
    # And: the broker opens a version 2 before the ally presses the button
    second = redraft(world, broker, pid, "Cuidar de todas as aldeias", 2)

    # Then: the hash shown (version 1's) is refused, and version 2 is shown in its place
    refused(a, world, "Sign this text", 409, "not the hash of the text open for signature")
    assert second in a.main() and "Cuidar de todas as aldeias" in a.main()
    # And: signing now signs version 2, shown on the partnership page
    assert a.press("Sign this text") == 200 and a.path == f"/partnerships/{pid}"
    signatures = a.page.locator("table", has_text="Signatures of version 2").inner_text()
    assert "Associação Terra Viva" in signatures
    versions = ok(ally.api.get(f"/v1/partnerships/{pid}/versions"))
    assert versions["items"][1]["signed_by"] == [ally.organisation_id]


def test_a_broker_drafts_on_the_form_and_the_balance_refuses_opening(
    site: Site, person: Person
) -> None:
    # Given: a CLLD local action group of two civil-society members, with no text yet
    world = site.world
    broker = world.enrol("broker", "Broker of drafts")
    one = world.partner(broker, "civil_society", "Associação do Vale", "Uma One")
    two = world.partner(broker, "civil_society", "Cooperativa da Serra", "Duo Two")
    pid = world.partnership(broker, "Grupo de ação local da serra", "clld_lag")
    world.member(broker, pid, one, "lead")
    world.member(broker, pid, two, "implementer")
    world.settle()
    b = signed_in(person, world, broker, "broker")

    # When: the broker drafts from the partnership page, a quorum that is no number first
    b.open(f"/partnerships/{pid}")
    assert follow(b, "Draft a new version of the agreement") == 200
    b.fill(**{"f-terms-vision": "Uma serra viva", "f-terms-shared_objectives-0": "Fixar gente"})
    b.page.select_option("#f-terms-governance-rule", "majority")
    b.fill(**{"f-terms-governance-quorum": "half", "f-terms-review_schedule": "yearly"})
    b.fill(**{"f-terms-exit_notice_days": "30"})
    b.page.select_option("#f-terms-moving_on_strategy", "hand_over")
    b.fill(**{"f-terms-period-start": "2027-01-01", "f-terms-period-end": "2029-12-31"})
    refused(b, world, "Record the draft", 422, "terms.governance.quorum")
    assert b.page.input_value("#f-terms-vision") == "Uma serra viva"
    b.fill(**{"f-terms-governance-quorum": "50"})
    assert b.press("Record the draft") == 200 and b.path == f"/partnerships/{pid}"

    # Then: opening version 1 is refused by the balance rule, beside the text to open
    assert follow(b, "Open version 1 for signature") == 200
    assert "Uma serra viva" in b.main()
    refused(b, world, "Open version 1 for signature", 409, "at most 49%")
    versions = ok(broker.api.get(f"/v1/partnerships/{pid}/versions"))
    assert [v["status"] for v in versions["items"]] == ["draft"]


def test_a_broker_records_a_decision_with_the_members_votes(site: Site, person: Person) -> None:
    # Given: a partnership in force of two members
    world = site.world
    broker = world.enrol("broker", "Broker of decisions")
    lead = world.partner(broker, "public", "Câmara Municipal de Moura", "Mia Lead")
    ally = world.partner(broker, "civil_society", "Associação Rio Ardila", "Rui Ally")
    pid = world.active(broker, "Moura care rounds", [lead, ally])
    world.settle()
    b = signed_in(person, world, broker, "broker")

    # When: the broker records a decision from the partnership page, no vote given first
    b.open(f"/partnerships/{pid}")
    assert follow(b, "Record a decision") == 200
    b.fill(**{"f-body": "Assembleia geral", "f-subject-summary": "Pausa de inverno"})
    b.page.select_option("#f-subject-action", "suspend")
    refused(b, world, "Record the decision", 422, "must map 1 to 500")
    assert b.page.input_value("#f-subject-summary") == "Pausa de inverno"
    for member in (lead, ally):
        b.page.select_option(f"#f-votes-{member.organisation_id}", "for")
    assert b.press("Record the decision") == 200 and b.path == f"/partnerships/{pid}"

    # Then: the decision is recorded with both votes
    history = ok(broker.api.get(f"/v1/partnerships/{pid}/history?limit=500"))["items"]
    (decision,) = [e["data"] for e in history if e["event_type"] == "DecisionRecorded"]
    assert decision["votes"] == {lead.organisation_id: "for", ally.organisation_id: "for"}


def test_an_amendment_is_proposed_then_its_rejection_comes_too_late(
    site: Site, person: Person
) -> None:
    # Given: a partnership in force of three members
    world = site.world
    broker = world.enrol("broker", "Broker of amendments")
    lead = world.partner(broker, "public", "Junta de Freguesia de Pias", "Pia Lead")
    ally = world.partner(broker, "civil_society", "Associação Amigos de Pias", "Ana Ally")
    third = world.partner(broker, "private", "Padaria Central de Pias", "Tó Third")
    pid = world.active(broker, "Pias care rounds", [lead, ally, third])
    world.settle()
    a = signed_in(person, world, ally, "ally")

    # When: the ally proposes an amendment on the form filled with the text in force, a
    # quorum that is no number first
    a.open(f"/partnerships/{pid}")
    assert follow(a, "Propose an amendment") == 200
    assert a.page.input_value("#f-terms-review_schedule") == "yearly"
    a.fill(**{"f-terms-vision": "Every village, twice a week", "f-terms-governance-quorum": "x"})
    refused(a, world, "Propose the amendment", 422, "terms.governance.quorum")
    assert a.page.input_value("#f-terms-vision") == "Every village, twice a week"
    a.fill(**{"f-terms-governance-quorum": "50"})
    assert a.press("Propose the amendment") == 200 and a.path == f"/partnerships/{pid}"

    # And: opens the page to reject it, while another member rejects it first
    assert follow(a, "Reject the amendment") == 200
    assert "Every village, twice a week" in a.main()
    ok(third.api.post(f"/v1/partnerships/{pid}/reject-amendment", {}))

    # Then: its own rejection is refused (the amendment is gone), nothing recorded
    refused(a, world, "Reject the amendment", 409, "not allowed while the partnership is active")
    versions = ok(ally.api.get(f"/v1/partnerships/{pid}/versions"))
    assert [v["status"] for v in versions["items"]] == ["in_force", "rejected"]
