"""Commitments over HTTP: pledge to lapse, deliveries that count or not, exact decimals."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask.testing import FlaskClient

from collab.governance.commands import ApplyDecision
from tests.api.conftest import Auth, Caller
from tests.api.setup_partnership import Setup, active_partnership, outcome, problem_type

ENDED = {"start": "2027-01-01", "end": "2028-12-31"}  # before the test clock's today


@pytest.fixture
def setup(auth: Auth, client: FlaskClient) -> Setup:
    return active_partnership(auth, client)


def pledge_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "contribution_type": "cash",
        "quantity": {"value": "12.50", "unit": "EUR"},
        "valuation": {"amount": "12.50", "currency": "EUR", "method": "actual_cost"},
    }
    return {**body, **overrides}


def show(setup: Setup, who: Caller, commitment_id: str) -> Any:
    return setup.client.get(f"/v1/commitments/{commitment_id}", headers=who.headers())


# -- pledge and read ---------------------------------------------------------------------


def test_a_member_pledges_and_reads_its_commitment_with_decimals_as_strings(
    setup: Setup,
) -> None:
    # When member b pledges 12.50 EUR to the pool
    path = f"{setup.url}/commitments"
    body = pledge_body(period=ENDED, conditions="Paid quarterly")
    response = setup.post(setup.partners["b"], path, body)
    # Then the commitment and the partnership's marker are recorded in one command
    created = outcome(response, 201)
    assert setup.recorded(created) == ["Pledged", "CommitmentNoted"]
    commitment_id = created["result"]["commitment_id"]
    assert response.headers["ETag"] == '"1"'
    # And a member reads it back, its decimals exactly as sent, as strings
    shown = show(setup, setup.partners["c"], commitment_id)
    assert shown.status_code == 200
    assert shown.headers["ETag"] == '"1"'
    assert shown.json == {
        "commitment_id": commitment_id,
        "partnership_id": setup.partnership_id,
        "organisation_id": setup.orgs["b"],
        "recipient": "pool",
        "contribution_type": "cash",
        "quantity": {"value": "12.50", "unit": "EUR"},
        "valuation": {"amount": "12.50", "currency": "EUR", "method": "actual_cost"},
        "period": ENDED,
        "conditions": "Paid quarterly",
        "status": "pledged",
        "deliveries": [],
        "delivered": "0",
        "fulfilment": "0.0000",
        "surplus": "0",
        "revision": None,
        "lapse_proposed": None,
        "version": 1,
    }


@pytest.mark.parametrize(
    "change",
    [
        {"quantity": {"value": 12.5, "unit": "EUR"}},
        {"quantity": {"value": 12, "unit": "EUR"}},
        {"quantity": {"value": "1e3", "unit": "EUR"}},
        {"quantity": {"value": "1.25E1", "unit": "EUR"}},
        {"valuation": {"amount": 12.5, "currency": "EUR", "method": "actual_cost"}},
        {"quantity": {"value": "0", "unit": "EUR"}},
        {"quantity": {"value": "12", "unit": "hour"}},
        {"contribution_type": "love"},
        {"recipient": "everyone"},
        {"valuation": {"method": "not_valued", "amount": "1", "currency": "EUR"}},
        {"period": {"start": "2029-01-01", "end": "2028-01-01"}},
        {"quantity": {"value": "12", "unit": "EUR", "extra": "x"}},
    ],
)
def test_a_malformed_pledge_is_422_and_records_nothing(
    setup: Setup, change: dict[str, Any]
) -> None:
    path = f"{setup.url}/commitments"
    setup.refused(422, "invalid-input", setup.partners["b"], path, pledge_body(**change))


def test_pledges_are_refused_by_status(setup: Setup, auth: Auth) -> None:
    path = f"{setup.url}/commitments"
    stranger = auth.actor("partner", setup.org("z"))
    setup.refused(404, "not-found", stranger, path, pledge_body())
    setup.refused(403, "forbidden", setup.broker, path, pledge_body())
    member = setup.partners["b"]
    setup.refused(409, "rule-violation", member, path, pledge_body(recipient=setup.orgs["z"]))
    setup.refused(409, "rule-violation", member, path, pledge_body(recipient=setup.orgs["b"]))
    setup.refused(412, "stale-version", member, path, pledge_body(), **{"If-Match": '"1"'})


def test_a_commitment_is_visible_only_where_its_partnership_is(setup: Setup, auth: Auth) -> None:
    commitment_id = setup.pledge("b")
    assert show(setup, auth.auditor(setup.partnership_id), commitment_id).status_code == 200
    for who in (auth.auditor(), auth.actor("broker"), auth.actor("partner", setup.org("z"))):
        response = show(setup, who, commitment_id)
        assert response.status_code == 404
        assert problem_type(response) == "not-found"
    assert show(setup, setup.broker, str(uuid.uuid4())).status_code == 404
    assert show(setup, setup.broker, setup.partnership_id).status_code == 404


# -- confirm, withdraw, lapse ------------------------------------------------------------


def test_the_committing_member_confirms_with_if_match(setup: Setup, auth: Auth) -> None:
    commitment_id = setup.pledge("b", confirm=False)
    path = f"/commitments/{commitment_id}/confirm"
    # Refused: another member (403), a stranger (404), a stale version (412)
    setup.refused(403, "forbidden", setup.partners["c"], path)
    setup.refused(404, "not-found", auth.actor("partner", setup.org("z")), path)
    setup.refused(412, "stale-version", setup.partners["b"], path, **{"If-Match": '"2"'})
    # When the committing member confirms the version it saw
    response = setup.post(setup.partners["b"], path, **{"If-Match": '"1"'})
    body = outcome(response, 200)
    assert setup.recorded(body) == ["CommitmentConfirmationNoted", "Confirmed"]
    assert body["result"]["status"] == "confirmed"
    assert response.headers["ETag"] == '"2"'
    # And confirming again breaks a rule
    setup.refused(409, "rule-violation", setup.partners["b"], path)


def test_confirming_needs_an_agreement_in_force(setup: Setup) -> None:
    commitment_id = setup.pledge("b", confirm=False)
    setup.app.execute(
        setup.as_("a"),
        ApplyDecision(setup.partnership_id, action="suspend", decision_id=setup.decide("suspend")),
    )
    setup.refused(
        409, "rule-violation", setup.partners["b"], f"/commitments/{commitment_id}/confirm"
    )


def test_a_confirmed_commitment_is_withdrawn_with_a_reason(setup: Setup) -> None:
    commitment_id = setup.pledge("b")
    path = f"/commitments/{commitment_id}/withdraw"
    setup.refused(422, "invalid-input", setup.partners["b"], path)
    setup.refused(403, "forbidden", setup.partners["a"], path, {"reason": "not ours"})
    body = outcome(setup.post(setup.partners["b"], path, {"reason": "budget cut"}), 200)
    assert setup.recorded(body) == ["Withdrawn"]
    assert setup.commitment(commitment_id).status == "withdrawn"
    setup.refused(409, "rule-violation", setup.partners["b"], path, {"reason": "again"})


def test_a_commitment_lapses_after_its_period(setup: Setup) -> None:
    ended = setup.pledge("b", period=ENDED)
    setup.refused(403, "forbidden", setup.partners["c"], f"/commitments/{ended}/lapse")
    body = outcome(setup.post(setup.broker, f"/commitments/{ended}/lapse"), 200)
    assert setup.recorded(body) == ["Lapsed"]
    assert body["result"]["status"] == "lapsed"
    # Without a period it never lapses
    open_ended = setup.pledge("b")
    setup.refused(409, "rule-violation", setup.partners["a"], f"/commitments/{open_ended}/lapse")


# -- deliveries --------------------------------------------------------------------------


def report(setup: Setup, commitment_id: str, quantity: Any = "40.5", key: str = "b") -> Any:
    body = {"quantity": quantity, "delivered_on": "2030-05-01", "note": "first month"}
    return setup.post(setup.partners[key], f"/commitments/{commitment_id}/deliveries", body)


def delivered(setup: Setup, commitment_id: str) -> str:
    value: str = show(setup, setup.broker, commitment_id).json["delivered"]
    return value


def test_a_delivery_confirmed_by_the_recipient_counts(setup: Setup) -> None:
    # Given b's commitment of 100 hours to member c
    commitment_id = setup.pledge("b", recipient=setup.orgs["c"])
    # When b reports a delivery of 40.5 hours
    reported = outcome(report(setup, commitment_id), 201)
    assert setup.recorded(reported) == ["DeliveryReported"]
    delivery_id = reported["result"]["delivery_id"]
    assert delivered(setup, commitment_id) == "0"
    # Then the lead may not confirm it (c is the recipient), nor may b
    path = f"/commitments/{commitment_id}/deliveries/{delivery_id}/confirm"
    setup.refused(403, "forbidden", setup.partners["a"], path)
    setup.refused(403, "forbidden", setup.partners["b"], path)
    # When the recipient confirms it, it counts
    confirmed = outcome(setup.post(setup.partners["c"], path), 200)
    assert setup.recorded(confirmed) == ["DeliveryConfirmed"]
    shown = show(setup, setup.partners["b"], commitment_id).json
    assert shown["delivered"] == "40.5"
    assert shown["deliveries"][0] == {
        "delivery_id": delivery_id,
        "quantity": "40.5",
        "delivered_on": "2030-05-01",
        "note": "first month",
        "status": "confirmed",
        "correction": None,
    }
    setup.refused(409, "rule-violation", setup.partners["c"], path)


def test_deliveries_reaching_the_quantity_fulfil_the_commitment(setup: Setup) -> None:
    commitment_id = setup.pledge("b", value="100")
    delivery_id = outcome(report(setup, commitment_id, "100.000"), 201)["result"]["delivery_id"]
    path = f"/commitments/{commitment_id}/deliveries/{delivery_id}/confirm"
    body = outcome(setup.post(setup.partners["a"], path), 200)  # the lead, for the pool
    assert setup.recorded(body) == ["DeliveryConfirmed", "Fulfilled"]
    assert body["result"]["status"] == "fulfilled"
    assert delivered(setup, commitment_id) == "100.000"


def test_a_disputed_delivery_does_not_count_until_corrected_and_confirmed(setup: Setup) -> None:
    commitment_id = setup.pledge("b")
    delivery_id = outcome(report(setup, commitment_id), 201)["result"]["delivery_id"]
    delivery = f"/commitments/{commitment_id}/deliveries/{delivery_id}"
    # A dispute states its reason
    setup.refused(422, "invalid-input", setup.partners["a"], f"{delivery}/dispute")
    dispute = setup.post(setup.partners["a"], f"{delivery}/dispute", {"reason": "20 only"})
    disputed = outcome(dispute, 200)
    assert setup.recorded(disputed) == ["DeliveryDisputed"]
    assert delivered(setup, commitment_id) == "0"
    # The committing member corrects it; the lead confirms the corrected delivery
    fix = {"quantity": "20.25", "delivered_on": "2030-05-02"}
    setup.refused(403, "forbidden", setup.partners["a"], f"{delivery}/corrections", fix)
    corrected = outcome(setup.post(setup.partners["b"], f"{delivery}/corrections", fix), 200)
    assert setup.recorded(corrected) == ["DeliveryCorrected"]
    outcome(setup.post(setup.partners["a"], f"{delivery}/confirm"), 200)
    assert delivered(setup, commitment_id) == "20.25"
    setup.refused(409, "rule-violation", setup.partners["a"], f"{delivery}/confirm")


def test_deliveries_are_refused_by_status(setup: Setup, auth: Auth) -> None:
    good = {"quantity": "1", "delivered_on": "2030-05-01"}
    pledged = setup.pledge("b", confirm=False)
    setup.refused(
        409, "rule-violation", setup.partners["b"], f"/commitments/{pledged}/deliveries", good
    )
    confirmed = setup.pledge("b")
    path = f"/commitments/{confirmed}/deliveries"
    setup.refused(403, "forbidden", setup.partners["c"], path, good)
    setup.refused(404, "not-found", auth.actor("broker"), path, good)
    setup.refused(412, "stale-version", setup.partners["b"], path, good, **{"If-Match": '"1"'})
    for bad in (1, 1.5, "1e2", "-1", "0"):
        setup.refused(422, "invalid-input", setup.partners["b"], path, {**good, "quantity": bad})
    unknown = f"/commitments/{confirmed}/deliveries/{uuid.uuid4()}/confirm"
    setup.refused(409, "rule-violation", setup.partners["a"], unknown)


# -- after confirmation: corrections, settlements, revisions, surplus (invariant 6) -------


def confirmed_delivery(setup: Setup, value: str = "100", quantity: str = "100") -> tuple[str, str]:
    """b's commitment to the pool with one delivery, confirmed by the lead."""
    commitment_id = setup.pledge("b", value=value)
    delivery_id = setup.deliver("b", commitment_id, quantity)
    path = f"/commitments/{commitment_id}/deliveries/{delivery_id}/confirm"
    outcome(setup.post(setup.partners["a"], path), 200)
    return commitment_id, f"/commitments/{commitment_id}/deliveries/{delivery_id}"


def test_a_confirmed_delivery_is_reversed_once_the_recipient_confirms_the_correction(
    setup: Setup,
) -> None:
    # Given a fulfilled commitment of 100 hours
    commitment_id, delivery = confirmed_delivery(setup)
    # When b corrects the delivery to 0 (a reversal)
    zero = {"quantity": "0", "delivered_on": "2030-05-01", "note": "did not take place"}
    body = outcome(setup.post(setup.partners["b"], f"{delivery}/corrections", zero), 200)
    assert setup.recorded(body) == ["ConfirmedDeliveryCorrected"]
    # Then it still counts, the correction shown beside it awaiting the lead
    shown = show(setup, setup.partners["c"], commitment_id).json
    assert (shown["status"], shown["delivered"], shown["fulfilment"]) == (
        "fulfilled",
        "100",
        "1.0000",
    )
    assert shown["deliveries"][0]["correction"] == {
        "quantity": "0",
        "delivered_on": "2030-05-01",
        "note": "did not take place",
        "status": "proposed",
    }
    # When the lead confirms it, it counts for nothing and the commitment is in delivery
    body = outcome(setup.post(setup.partners["a"], f"{delivery}/confirm"), 200)
    assert setup.recorded(body) == ["DeliveryCorrectionConfirmed", "FulfilmentReopened"]
    shown = show(setup, setup.partners["c"], commitment_id).json
    assert (shown["status"], shown["delivered"]) == ("in_delivery", "0")
    assert shown["deliveries"][0]["correction"] is None


def test_a_disputed_correction_is_settled_by_a_decision_the_broker_applies(
    setup: Setup,
) -> None:
    commitment_id, delivery = confirmed_delivery(setup)
    fix = {"quantity": "60", "delivered_on": "2030-05-01"}
    outcome(setup.post(setup.partners["b"], f"{delivery}/corrections", fix), 200)
    outcome(setup.post(setup.partners["a"], f"{delivery}/dispute", {"reason": "All 100"}), 200)
    delivery_id = delivery.rsplit("/", 1)[1]
    subject = {"action": "accept_delivery", "commitment_id": commitment_id}
    decision = setup.post(
        setup.broker,
        "./decisions",
        {
            "body": "General assembly",
            "subject": {**subject, "delivery_id": delivery_id},
            "votes": {o: "for" for o in (setup.orgs["a"], setup.orgs["b"], setup.orgs["c"])},
        },
    )
    decision_id = outcome(decision, 201)["result"]["decision_id"]
    settle = {"action": "accept_delivery", "decision_id": decision_id}
    setup.refused(403, "forbidden", setup.partners["c"], f"{delivery}/settle", settle)
    for bad in ({"action": "suspend", "decision_id": decision_id}, {"action": "accept_delivery"}):
        setup.refused(422, "invalid-input", setup.broker, f"{delivery}/settle", bad)
    wrong = {"action": "reject_delivery", "decision_id": decision_id}
    setup.refused(409, "rule-violation", setup.broker, f"{delivery}/settle", wrong)
    body = outcome(setup.post(setup.broker, f"{delivery}/settle", settle), 200)
    assert setup.recorded(body) == ["SettlementApplied", "DeliverySettled", "FulfilmentReopened"]
    assert body["command"] == "accept_delivery"
    assert delivered(setup, commitment_id) == "60"
    setup.refused(409, "rule-violation", setup.broker, f"{delivery}/settle", settle)


def test_a_revision_changes_the_commitment_when_the_recipient_agrees(setup: Setup) -> None:
    commitment_id, _ = confirmed_delivery(setup)
    path = f"/commitments/{commitment_id}/revisions"
    # A revision states its reason, changes something, and is the committer's
    setup.refused(422, "invalid-input", setup.partners["b"], path, {"quantity": "120"})
    setup.refused(422, "invalid-input", setup.partners["b"], path, {"reason": "nothing"})
    for bad in ("0", "-1", 120, "1e2"):
        setup.refused(
            422, "invalid-input", setup.partners["b"], path, {"quantity": bad, "reason": "r"}
        )
    setup.refused(
        409, "rule-violation", setup.partners["b"], path, {"quantity": "100", "reason": "r"}
    )
    setup.refused(403, "forbidden", setup.partners["a"], path, {"quantity": "120", "reason": "r"})
    body = outcome(
        setup.post(setup.partners["b"], path, {"quantity": "120", "reason": "More"}), 201
    )
    assert setup.recorded(body) == ["RevisionProposed"]
    revision_id = body["result"]["revision_id"]
    shown = show(setup, setup.partners["c"], commitment_id).json
    assert shown["revision"] == {"revision_id": revision_id, "quantity": "120", "period": None}
    assert shown["quantity"]["value"] == "100"
    # Only the lead (for the pool) answers; it agrees
    answer = f"{path}/{revision_id}"
    setup.refused(403, "forbidden", setup.partners["b"], f"{answer}/agree")
    setup.refused(409, "rule-violation", setup.partners["a"], f"{path}/{uuid.uuid4()}/agree")
    body = outcome(setup.post(setup.partners["a"], f"{answer}/agree"), 200)
    assert setup.recorded(body) == ["RevisionAgreed", "FulfilmentReopened"]
    shown = show(setup, setup.partners["c"], commitment_id).json
    assert (shown["quantity"]["value"], shown["status"], shown["revision"]) == (
        "120",
        "in_delivery",
        None,
    )
    assert shown["fulfilment"] == "0.8333"
    setup.refused(409, "rule-violation", setup.partners["a"], f"{answer}/decline")


def test_an_over_delivery_is_shown_as_surplus_with_fulfilment_capped(setup: Setup) -> None:
    commitment_id, _ = confirmed_delivery(setup, value="10", quantity="25")
    shown = show(setup, setup.partners["c"], commitment_id).json
    assert (shown["status"], shown["delivered"], shown["fulfilment"], shown["surplus"]) == (
        "fulfilled",
        "25",
        "1.0000",
        "15",
    )


def test_the_leads_own_commitment_to_the_pool_is_answered_by_a_partnership_broker(
    setup: Setup,
) -> None:
    # Given the lead (a) pledged 10 hours to the pool and reported a delivery
    commitment_id = setup.pledge("a", value="10")
    delivery_id = setup.deliver("a", commitment_id, quantity="10")
    delivery = f"/commitments/{commitment_id}/deliveries/{delivery_id}"
    # When the lead confirms its own delivery, Then it is refused: nobody answers for
    # its own commitment
    setup.refused(403, "forbidden", setup.partners["a"], f"{delivery}/confirm")
    # And a partnership broker confirms it
    body = outcome(setup.post(setup.broker, f"{delivery}/confirm"), 200)
    assert setup.recorded(body) == ["DeliveryConfirmed", "Fulfilled"]
    # When the lead proposes a revision, it does not consent to it itself either
    path = f"/commitments/{commitment_id}/revisions"
    ask = {"quantity": "1", "reason": "less time than hoped"}
    revision = outcome(setup.post(setup.partners["a"], path, ask), 201)["result"]["revision_id"]
    setup.refused(403, "forbidden", setup.partners["a"], f"{path}/{revision}/agree")
    body = outcome(setup.post(setup.broker, f"{path}/{revision}/decline"), 200)
    assert setup.recorded(body) == ["RevisionDeclined"]
    # And a broker does not answer for a member's commitment to another organisation
    other = setup.pledge("b", value="5", recipient=setup.orgs["c"])
    done = setup.deliver("b", other, quantity="5")
    setup.refused(403, "forbidden", setup.broker, f"/commitments/{other}/deliveries/{done}/confirm")
