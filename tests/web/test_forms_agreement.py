"""The agreement's forms: draft a version (or propose an amendment), open it for signature,
sign or accede (the exact hash shown), reject an amendment, record a decision with votes.

Each success records the same event the JSON API's route records and redirects (303);
each refusal (422 with the input kept, 403/404 for those who may not act, 409 for the
domain's rules) shows the problem's text beside the form and records nothing.
"""

from __future__ import annotations

import html as markup
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from flask.testing import FlaskClient

from collab.agreements.commands import DraftVersion, OpenForSignature
from collab.governance.commands import AdmitMember
from collab.partnerships.commands import InviteMember, JoinPartnership
from tests.api.conftest import Auth, Caller
from tests.api.setup_partnership import Setup, active_partnership, command, initiation
from tests.application.world import terms
from tests.web.conftest import Person

People = Callable[[Caller], Person]
NOTHING = "Nothing was recorded."


def negotiating(auth: Auth, client: FlaskClient, kind: str = "social_innovation") -> Setup:
    """Organisations 'a' (the lead) and 'b' joined a partnership with no text yet; for a
    CLLD local action group both are civil society, an unbalanced partnership."""
    setup = Setup(auth, client)
    out = setup.app.execute(command(setup.broker), replace(initiation(), partnership_type=kind))
    setup.partnership_id = out.result["partnership_id"]
    for i, key in enumerate(("a", "b")):
        role = ["lead"] if i == 0 else ["implementer"]
        invite = InviteMember(
            setup.partnership_id, organisation_id=setup.org(key), roles=role, weight=1
        )
        setup.app.execute(command(setup.broker), invite)
        setup.app.execute(setup.as_(key), JoinPartnership(setup.partnership_id))
    return setup


def drafted(setup: Setup, vision: str = "A shared vision", *, open_it: bool = False) -> str:
    """A version drafted by the broker (opened for signature if asked); its hash."""
    out = setup.app.execute(
        command(setup.broker), DraftVersion(setup.partnership_id, terms=terms(vision))
    )
    if open_it:
        number = out.result["agreement_version"]
        setup.app.execute(
            command(setup.broker), OpenForSignature(setup.partnership_id, agreement_version=number)
        )
    text_hash: str = out.result["text_hash"]
    return text_hash


def versions(setup: Setup) -> dict[str, Any]:
    """The versions as the JSON API gives them."""
    response = setup.client.get(
        f"/v1/partnerships/{setup.partnership_id}/versions", headers=setup.auth.admin.headers()
    )
    assert response.status_code == 200, response.json
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    return body


def history(setup: Setup) -> list[dict[str, Any]]:
    response = setup.client.get(
        f"/v1/partnerships/{setup.partnership_id}/history?limit=500",
        headers=setup.auth.admin.headers(),
    )
    found: list[dict[str, Any]] = response.json["items"]  # type: ignore[index]
    return found


def inputs(html: str) -> dict[str, str]:
    """The values a page's form would post: its inputs, textareas and selected options."""
    found = {
        markup.unescape(n): markup.unescape(x)
        for n, x in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html)
    }
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        found[markup.unescape(name)] = markup.unescape(text)
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        found[markup.unescape(name)] = markup.unescape(chosen.group(1)) if chosen else ""
    found.pop("csrf_token", None)
    return found


def draft_form(setup: Setup, **changes: str) -> dict[str, str]:
    form = {
        "terms.vision": "Care for every village",
        "terms.shared_objectives.0": "Reach every village weekly",
        "terms.shared_objectives.1": "",
        "terms.shared_objectives.2": "Train volunteers",
        f"terms.member_objectives.{setup.orgs['a']}.0": "Run the rounds",
        f"terms.member_objectives.{setup.orgs['b']}.0": "",
        "terms.governance.rule": "majority",
        "terms.governance.quorum": "50",
        "terms.governance.threshold": "",
        "terms.review_schedule": "yearly",
        "terms.exit_notice_days": "30",
        "terms.moving_on_strategy": "replicate",
        "terms.period.start": "2027-01-01",
        "terms.period.end": "2028-12-31",
        "reason": "",
    }
    return {**form, **changes}


# -- drafting ------------------------------------------------------------------------------


def test_a_broker_drafts_the_first_version_on_the_form(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given a partnership of two members with no text yet
    setup = negotiating(auth, client)
    broker = person(setup.broker)
    url = f"{setup.url}/versions/new"
    # When the broker opens the draft form
    status, page = broker.get(url)
    # Then it offers empty rows for objectives, and one set per member
    assert status == 200
    assert 'name="terms.shared_objectives.2"' in page
    assert f'name="terms.member_objectives.{setup.orgs["b"]}.0"' in page
    # When it posts the terms
    status, _ = broker.post(url, draft_form(setup), from_page=url)
    # Then version 1 holds them exactly, the empty rows left out, and the page goes back
    assert status == 303
    (version,) = versions(setup)["items"]
    t = version["terms"]
    assert (t["vision"], t["shared_objectives"]) == (
        "Care for every village",
        ["Reach every village weekly", "Train volunteers"],
    )
    assert t["member_objectives"] == {setup.orgs["a"]: ["Run the rounds"]}
    assert broker.client.post(url).status_code == 400  # no CSRF token: nothing either
    assert len(versions(setup)["items"]) == 1


def test_the_next_draft_starts_from_the_latest_version(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given version 1 drafted with a vision in a right-to-left script
    setup = negotiating(auth, client)
    drafted(setup, "رؤية مشتركة")
    broker = person(setup.broker)
    url = f"{setup.url}/versions/new"
    # When the broker opens the form, it is filled with version 1's terms
    status, page = broker.get(url)
    assert status == 200 and "Draft version 2 of the agreement" in page
    filled = inputs(page)
    assert filled["terms.vision"] == "رؤية مشتركة"
    assert filled["terms.shared_objectives.0"] == "Reach every village weekly"
    assert filled["terms.exit_notice_days"] == "0"  # version 1's: the tests' terms give none
    assert filled["terms.governance.rule"] == "majority"
    # And posting it with one change drafts version 2 with the rest unchanged
    filled["terms.review_schedule"] = "every six months"
    status, _ = broker.post(url, filled, from_page=url)
    assert status == 303
    first, second = (v["terms"] for v in versions(setup)["items"])
    assert second["review_schedule"] == "every six months"
    changed = {k for k in first if first[k] != second[k]}
    assert changed == {"review_schedule", "version"}


def test_a_draft_without_a_vision_is_refused_with_the_input_kept(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup = negotiating(auth, client)
    broker = person(setup.broker)
    url = f"{setup.url}/versions/new"
    before = setup.head()
    # When the broker posts terms without a vision
    status, page = broker.post(url, draft_form(setup, **{"terms.vision": ""}), from_page=url)
    # Then it is a 422 with the problem beside the form, the input kept, nothing recorded
    assert status == 422
    assert NOTHING in page and "terms.vision" in page
    assert inputs(page)["terms.shared_objectives.2"] == "Train volunteers"
    assert 'aria-invalid="true"' in page
    assert setup.head() == before


def test_a_draft_the_domain_refuses_shows_its_reason(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup = negotiating(auth, client)
    broker = person(setup.broker)
    url = f"{setup.url}/versions/new"
    before = setup.head()
    # When the period ends before it starts (the domain's check, not the schema's)
    changes = {"terms.period.end": "2026-01-01"}
    status, page = broker.post(url, draft_form(setup, **changes), from_page=url)
    assert status == 422
    assert "must not be before the start" in page
    assert setup.head() == before


def test_a_partnership_in_force_is_not_redrafted(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given a partnership in force (a new text is an amendment there)
    setup = active_partnership(auth, client, ("a", "b"))
    broker = person(setup.broker)
    url = f"{setup.url}/versions/new"
    before = setup.head()
    # When the broker posts a draft, the domain refuses it by the partnership's status
    status, page = broker.post(url, draft_form(setup), from_page=url)
    assert status == 409
    assert NOTHING in page and "not allowed while the partnership is active" in page
    assert inputs(page)["terms.vision"] == "Care for every village"
    assert setup.head() == before


def test_only_stewards_see_the_draft_form(auth: Auth, client: FlaskClient, person: People) -> None:
    # Given a partnership, an auditor granted it, a member that does not lead, an outsider
    setup = negotiating(auth, client)
    auditor = person(auth.auditor(setup.partnership_id))
    member = person(setup.partners["b"])
    setup.org("z")
    outsider = person(setup.partners["z"])
    url = f"{setup.url}/versions/new"
    before = setup.head()
    # Then the auditor and the member are refused (403), the outsider told nothing (404)
    for who, status in ((auditor, 403), (member, 403), (outsider, 404)):
        assert who.get(url)[0] == status
        assert who.post(url, draft_form(setup), from_page="/")[0] == status
    assert setup.head() == before


# -- opening for signature ---------------------------------------------------------------


def test_a_steward_opens_the_latest_draft_for_signature(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup = negotiating(auth, client)
    text_hash = drafted(setup, "Care for every village")
    lead = person(setup.partners["a"])
    url = f"{setup.url}/open-for-signature"
    # When the lead opens the page, it shows the draft's hash and terms
    status, page = lead.get(url)
    assert status == 200
    assert text_hash in page and "Care for every village" in page
    # And opening it fixes version 1 for signature
    status, _ = lead.post(url, inputs(page), from_page=url)
    assert status == 303
    found = versions(setup)
    assert (found["pending_version"], found["items"][0]["status"]) == (1, "open")


def test_opening_an_unbalanced_clld_partnership_is_refused(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given a CLLD local action group of two civil-society members only, and a draft
    setup = negotiating(auth, client, "clld_lag")
    drafted(setup)
    broker = person(setup.broker)
    url = f"{setup.url}/open-for-signature"
    before = setup.head()
    # When the broker opens it for signature
    status, page = broker.post(url, inputs(broker.get(url)[1]), from_page=url)
    # Then the balance rule refuses it (409), said beside the form; nothing recorded
    assert status == 409
    assert NOTHING in page and "49" in page
    assert setup.head() == before
    assert versions(setup)["items"][0]["status"] == "draft"


def test_an_auditor_opens_nothing_and_a_version_must_be_named(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup = negotiating(auth, client)
    drafted(setup)
    auditor = person(auth.auditor(setup.partnership_id))
    before = setup.head()
    url = f"{setup.url}/open-for-signature"
    assert auditor.get(url)[0] == 403
    assert auditor.post(url, {"agreement_version": "1"}, from_page="/")[0] == 403
    # And a steward's post without the version to open is a 422
    broker = person(setup.broker)
    status, page = broker.post(url, {"reason": "Ready"}, from_page=url)
    assert status == 422 and NOTHING in page and "agreement_version" in page
    assert inputs(page)["reason"] == "Ready"
    assert setup.head() == before


# -- signing -------------------------------------------------------------------------------


def test_a_partner_signs_the_exact_hash_it_was_shown(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given version 1 open for signature
    setup = negotiating(auth, client)
    text_hash = drafted(setup, "Cuidar de cada aldeia", open_it=True)
    partner = person(setup.partners["b"])
    url = f"{setup.url}/sign"
    # When the partner opens the signing page
    status, page = partner.get(url)
    # Then it shows the hash in full, the terms as recorded and what signing means
    assert status == 200
    assert f'<code class="hash hash-to-sign" id="hash-shown">{text_hash}</code>' in page
    assert '<dd class="recorded" dir="auto">Cuidar de cada aldeia</dd>' in page
    assert "By signing you sign, for your organisation, exactly the text" in page
    assert inputs(page)["text_hash"] == text_hash
    # And signing records its signature of that hash
    status, _ = partner.post(url, inputs(page), from_page=url)
    assert status == 303
    assert versions(setup)["items"][0]["signed_by"] == [setup.orgs["b"]]
    # And the page then says it has signed, with no button
    assert "Your organisation has signed this text." in partner.get(url)[1]


def test_a_hash_no_longer_open_is_refused_and_the_new_text_shown(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given the partner's signing page shows version 1's hash
    setup = negotiating(auth, client)
    old = drafted(setup, "First words", open_it=True)
    partner = person(setup.partners["b"])
    url = f"{setup.url}/sign"
    shown = inputs(partner.get(url)[1])
    assert shown["text_hash"] == old
    # When the broker redrafts and opens version 2 before the partner presses the button
    new = drafted(setup, "Second words", open_it=True)
    before = setup.head()
    status, page = partner.post(url, shown, from_page=url)
    # Then the stale hash is refused (409), nothing is recorded, and the new text is shown
    assert status == 409
    assert NOTHING in page and "not the hash of the text open for signature" in page
    assert setup.head() == before
    assert inputs(page)["text_hash"] == new and "Second words" in page


def test_a_member_admitted_after_entry_into_force_accedes(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given an active partnership that admitted and was joined by organisation 'd'
    setup = active_partnership(auth, client)
    newcomer = setup.org("d")
    decision = setup.decide("admit_member", newcomer)
    admit = AdmitMember(
        setup.partnership_id,
        organisation_id=newcomer,
        roles=["implementer"],
        weight=1,
        decision_id=decision,
    )
    setup.app.execute(command(setup.broker), admit)
    setup.app.execute(setup.as_("d"), JoinPartnership(setup.partnership_id))
    in_force = versions(setup)["items"][0]["text_hash"]
    partner = person(setup.partners["d"])
    url = f"{setup.url}/sign"
    # When its partner opens the signing page, it is asked to accede to the text in force
    status, page = partner.get(url)
    assert status == 200 and "Accede to the agreement in force (version 1)" in page
    assert inputs(page)["text_hash"] == in_force
    # And acceding records its signature; it then counts among the signatories
    assert partner.post(url, inputs(page), from_page=url)[0] == 303
    assert setup.partnership().members[newcomer].needs_accession is False


def test_those_who_may_not_sign_see_no_signing_form(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup = negotiating(auth, client)
    text_hash = drafted(setup, open_it=True)
    setup.org("z")
    url = f"{setup.url}/sign"
    auditor = person(auth.auditor(setup.partnership_id))
    outsider = person(setup.partners["z"])
    member = person(setup.partners["a"])
    before = setup.head()
    for who, status in ((auditor, 403), (outsider, 404)):
        assert who.get(url)[0] == status
        assert who.post(url, {"text_hash": text_hash}, from_page="/")[0] == status
    # And a malformed hash is a 422, with nothing recorded
    status, page = member.post(url, {"text_hash": text_hash.upper()}, from_page=url)
    assert status == 422 and NOTHING in page
    assert setup.head() == before


# -- amendments ----------------------------------------------------------------------------


def test_a_signatory_proposes_an_amendment_and_another_rejects_it(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup = active_partnership(auth, client)
    proposer, rejecter = person(setup.partners["b"]), person(setup.partners["c"])
    url = f"{setup.url}/amendments/new"
    # When a signatory proposes new terms on the form filled with the text in force
    status, page = proposer.get(url)
    assert status == 200 and inputs(page)["base_version"] == "1"
    filled = {**inputs(page), "terms.vision": "A wider vision"}
    assert proposer.post(url, filled, from_page=url)[0] == 303
    found = versions(setup)
    assert (found["partnership_status"], found["pending_version"]) == ("in_modification", 2)
    # When another signatory rejects it, giving a reason
    reject = f"{setup.url}/reject-amendment"
    status, page = rejecter.get(reject)
    assert status == 200 and "A wider vision" in page
    assert rejecter.post(reject, {"reason": "Too wide"}, from_page=reject)[0] == 303
    found = versions(setup)
    assert (found["partnership_status"], found["items"][1]["status"]) == ("active", "rejected")
    # And a second proposal on a stale base is refused (409); an auditor may not propose
    auditor = person(auth.auditor(setup.partnership_id))
    before = setup.head()
    status, page = proposer.post(url, {**filled, "base_version": "9"}, from_page=url)
    assert status == 409 and NOTHING in page
    assert auditor.get(url)[0] == 403 and auditor.get(reject)[0] == 403
    assert auditor.post(url, filled, from_page="/")[0] == 403
    assert setup.head() == before


# -- decisions -----------------------------------------------------------------------------


def test_a_broker_records_a_decision_with_one_vote_per_member(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup = active_partnership(auth, client)
    broker = person(setup.broker)
    url = f"{setup.url}/decisions/new"
    # When the broker opens the form, it offers a vote for each member in standing
    status, page = broker.get(url)
    assert status == 200
    for key in ("a", "b", "c"):
        assert f'name="votes.{setup.orgs[key]}"' in page
    # And records a decision two members voted for, one abstaining
    form = {
        "body": "General assembly",
        "effective_date": "",
        "subject.action": "suspend",
        "subject.organisation_id": "",
        "subject.summary": "Pause for the winter",
        f"votes.{setup.orgs['a']}": "for",
        f"votes.{setup.orgs['b']}": "for",
        f"votes.{setup.orgs['c']}": "abstain",
        "reason": "",
    }
    status, _ = broker.post(url, form, from_page=url)
    assert status == 303
    (entry,) = [e for e in history(setup) if e["event_type"] == "DecisionRecorded"]
    data = entry["data"]
    assert data["body"] == "General assembly" and data["subject"]["action"] == "suspend"
    assert data["votes"] == {
        setup.orgs["a"]: "for",
        setup.orgs["b"]: "for",
        setup.orgs["c"]: "abstain",
    }


def test_a_decision_without_votes_or_body_or_by_a_stranger_is_refused(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup = active_partnership(auth, client)
    broker = person(setup.broker)
    auditor = person(auth.auditor(setup.partnership_id))
    member = person(setup.partners["b"])
    outsider = setup.org("z")
    url = f"{setup.url}/decisions/new"
    before = setup.head()
    # When no member's vote is given, the domain refuses it (422), the input kept
    form = {"body": "General assembly", "subject.action": "suspend", "subject.summary": "Winter"}
    status, page = broker.post(url, form, from_page=url)
    assert status == 422 and NOTHING in page and "must map 1 to 500" in page
    assert inputs(page)["subject.summary"] == "Winter"
    assert inputs(page)["subject.action"] == "suspend"
    # When a vote names an organisation that is not a member, the domain refuses it (409)
    stranger = {f"votes.{outsider}": "for"}
    status, page = broker.post(url, {**form, **stranger}, from_page=url)
    assert status == 409 and NOTHING in page and "only active members vote" in page
    # When the body is missing, the schema refuses it (422)
    votes = {f"votes.{setup.orgs['a']}": "for"}
    status, page = broker.post(url, {"subject.action": "suspend", **votes}, from_page=url)
    assert status == 422 and "body" in page
    # And an auditor, or a member that is not the lead, may not record one
    for who in (auditor, member):
        assert who.get(url)[0] == 403
        assert who.post(url, {**form, **votes}, from_page="/")[0] == 403
    assert setup.head() == before


# -- the partnership page's links ----------------------------------------------------------


def test_the_partnership_page_links_to_the_forms_each_person_may_use(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given version 1 open for signature
    setup = negotiating(auth, client)
    drafted(setup, open_it=True)
    base = setup.url
    # Then the lead may redraft and sign; the other member sign only; an auditor nothing
    lead_page = person(setup.partners["a"]).get(base)[1]
    assert f'href="{base}/versions/new"' in lead_page and f'href="{base}/sign"' in lead_page
    member_page = person(setup.partners["b"]).get(base)[1]
    assert f'href="{base}/sign"' in member_page
    assert f'href="{base}/versions/new"' not in member_page
    auditor_page = person(auth.auditor(setup.partnership_id)).get(base)[1]
    assert f"{base}/sign" not in auditor_page and f"{base}/versions/new" not in auditor_page
