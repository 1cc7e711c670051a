"""Forms after confirmation (invariant 6): a confirmed delivery corrected and the correction
confirmed; a revision proposed, agreed or declined; a dispute settled by a decision. Each
builds the JSON API route's command; refusals show the API's status and record nothing."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from collab.governance.commands import RecordDecision
from tests.api.conftest import Auth
from tests.api.setup_partnership import Setup, active_partnership, command, outcome
from tests.web.test_forms_commitments import People, api, kept, landed, refused, send


@pytest.fixture
def setup(auth: Auth, client: FlaskClient) -> Setup:
    """Organisations a (the lead), b and c, members of a partnership in force."""
    return active_partnership(auth, client)


def confirmed(setup: Setup, value: str = "100", quantity: str = "100") -> tuple[str, str]:
    """b's commitment to the pool with one delivery, confirmed by the lead a."""
    cid = setup.pledge("b", value=value)
    did = setup.deliver("b", cid, quantity)
    response = setup.post(setup.partners["a"], f"/commitments/{cid}/deliveries/{did}/confirm")
    assert response.status_code == 200, response.json
    return cid, f"/commitments/{cid}/deliveries/{did}"


def test_a_confirmed_delivery_is_reversed_and_the_lead_confirms_the_reversal(
    setup: Setup, person: People
) -> None:
    cid, delivery = confirmed(setup)
    a, b = person(setup.partners["a"]), person(setup.partners["b"])
    # The partnership page offers b the correction of its confirmed delivery
    _, page = b.get(f"/partnerships/{setup.partnership_id}")
    assert f'href="{delivery}/correct"' in page
    # The form says what a correction of a confirmed delivery does; b reverses it (0)
    _, html = b.get(f"{delivery}/correct")
    assert "keeps counting as confirmed" in html and kept(html, "quantity", "100")
    landed(
        send(b, f"{delivery}/correct", {"quantity": "0", "delivered_on": "2030-05-01"}), setup, cid
    )
    assert api(setup, f"/commitments/{cid}")["delivered"] == "100"
    # The lead sees the correction to answer, and confirms it: it counts for nothing now
    _, page = a.get(f"/partnerships/{setup.partnership_id}")
    assert "Confirm or dispute the correction" in page
    status, html = a.get(f"{delivery}/confirm")
    assert status == 200 and "Confirm this correction" in html
    landed(send(a, f"{delivery}/confirm", {"reason": ""}), setup, cid)
    shown = api(setup, f"/commitments/{cid}")
    assert (shown["delivered"], shown["status"]) == ("0", "in_delivery")


def test_a_revision_is_proposed_with_a_reason_and_agreed_by_the_lead(
    setup: Setup, person: People
) -> None:
    cid, _ = confirmed(setup)
    a, b = person(setup.partners["a"]), person(setup.partners["b"])
    revise = f"/commitments/{cid}/revise"
    # Only the committer proposes (403 for the lead); a reason is required (422)
    refused(setup, a, revise, {"quantity": "120", "reason": "r"}, 403)
    html = refused(setup, b, revise, {"quantity": "120", "reason": ""}, 422)
    assert "a revision states its reason" in html and kept(html, "quantity", "120")
    html = refused(setup, b, revise, {"quantity": "100", "reason": "same"}, 409)
    assert "a revision changes the quantity or the period" in html
    landed(send(b, revise, {"quantity": "120", "reason": "A second workshop"}), setup, cid)
    revision = api(setup, f"/commitments/{cid}")["revision"]
    answer = f"/commitments/{cid}/revisions/{revision['revision_id']}"
    # b does not answer its own revision; the lead agrees
    refused(setup, b, f"{answer}/agree", {}, 403)
    _, page = a.get(f"/partnerships/{setup.partnership_id}")
    assert f'href="{answer}/agree"' in page and "revision to 120 proposed" in page
    status, html = a.get(f"{answer}/agree")
    assert status == 200 and "Decline this revision" in html
    landed(send(a, f"{answer}/agree", {"reason": ""}), setup, cid)
    shown = api(setup, f"/commitments/{cid}")
    assert (shown["quantity"]["value"], shown["status"]) == ("120", "in_delivery")
    assert a.get(f"{answer}/decline")[0] == 404  # answered: no such revision any more


def test_a_disputed_correction_is_settled_by_a_decision_the_broker_applies(
    setup: Setup, person: People
) -> None:
    cid, delivery = confirmed(setup)
    b, a = person(setup.partners["b"]), person(setup.partners["a"])
    broker, c = person(setup.broker), person(setup.partners["c"])
    landed(
        send(b, f"{delivery}/correct", {"quantity": "60", "delivered_on": "2030-05-01"}), setup, cid
    )
    landed(send(a, f"{delivery}/dispute", {"reason": "All 100 took place"}), setup, cid)
    settle = f"{delivery}/settle"
    # Before a decision: the page says there is none to apply
    _, html = broker.get(settle)
    assert "No passed decision about this delivery awaits applying." in html
    # Given the assembly's decision rejecting the correction
    did = delivery.rsplit("/", 1)[1]
    votes = {setup.orgs[k]: "for" for k in ("a", "b", "c")}
    subject = {"action": "reject_delivery", "commitment_id": cid, "delivery_id": did}
    out = setup.app.execute(
        command(setup.broker),
        RecordDecision(setup.partnership_id, body="Assembly", subject=subject, votes=votes),
    )
    decision_id = out.result["decision_id"]
    # A member that is not a steward may not apply it; the action must be the decision's
    refused(setup, c, settle, {"decision_id": decision_id, "action": "reject_delivery"}, 403)
    _, page = broker.get(f"/partnerships/{setup.partnership_id}")
    assert f'href="{settle}"' in page
    html = refused(
        setup, broker, settle, {"decision_id": decision_id, "action": "accept_delivery"}, 409
    )
    assert "the decision is not about accept_delivery" in html or "decision" in html
    landed(
        send(broker, settle, {"decision_id": decision_id, "action": "reject_delivery"}), setup, cid
    )
    shown = api(setup, f"/commitments/{cid}")
    assert shown["delivered"] == "100" and shown["deliveries"][0]["correction"] is None


def test_the_partnership_page_shows_fulfilment_capped_and_the_surplus(
    setup: Setup, person: People
) -> None:
    cid, _ = confirmed(setup, value="10", quantity="25")
    _, page = person(setup.partners["c"]).get(f"/partnerships/{setup.partnership_id}")
    row = page.split(f'id="commitment-{cid}"', 1)[1].split("</tr>", 1)[0]
    assert "100% fulfilled" in row and "surplus 15" in row and "250" not in row
    assert 'data-measure="surplus">15<' in page


def test_the_recipients_home_lists_a_revision_and_a_correction_awaiting_it(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given b's commitment of 100 hours to the pool (a leads), fulfilled, then a correction
    # of its delivery and a revision proposed by b
    setup = active_partnership(auth, client)
    commitment_id = setup.pledge("b")
    delivery_id = setup.deliver("b", commitment_id, quantity="100")
    delivery = f"/commitments/{commitment_id}/deliveries/{delivery_id}"
    outcome(setup.post(setup.partners["a"], f"{delivery}/confirm"), 200)
    fix = {"quantity": "90", "delivered_on": "2030-05-01"}
    outcome(setup.post(setup.partners["b"], f"{delivery}/corrections", fix), 200)
    ask = {"quantity": "120", "reason": "a longer season"}
    revision = outcome(
        setup.post(setup.partners["b"], f"/commitments/{commitment_id}/revisions", ask), 201
    )["result"]["revision_id"]
    # When the lead's partner opens its home
    status, page = person(setup.partners["a"]).get("/")
    # Then both await it: the correction with the figure it proposes, the revision with
    # links to agree or decline
    assert status == 200
    assert "would be corrected to 90" in page
    assert "Revisions of commitments to agree or decline" in page
    assert f"/commitments/{commitment_id}/revisions/{revision}/agree" in page
    # And the JSON inbox says the same
    box = setup.client.get(
        f"/v1/organisations/{setup.orgs['a']}/inbox", headers=setup.partners["a"].headers()
    ).json
    (pending,) = box["revisions_to_answer"]
    assert (pending["revision_id"], pending["quantity"], pending["proposed_quantity"]) == (
        revision,
        "100",
        "120",
    )
    (correction,) = box["deliveries_to_confirm"]
    assert (correction["status"], correction["corrected_quantity"]) == ("correction", "90")
    # And b, the committer, is asked for neither
    other = setup.client.get(
        f"/v1/organisations/{setup.orgs['b']}/inbox", headers=setup.partners["b"].headers()
    ).json
    assert other["revisions_to_answer"] == [] and other["deliveries_to_confirm"] == []
