"""Commitment forms: pledge, confirm, report, confirm, dispute and correct deliveries,
withdraw. Each builds the JSON API route's command: success is recorded (read back over
the API) and redirects to the partnership's page at the commitment; every refusal shows
the API's status with the problem's text and the input kept, and records nothing."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from collab.organisations.commands import GrantMandate
from tests.api.conftest import Auth, Caller
from tests.api.setup_partnership import Setup, active_partnership
from tests.web.conftest import Person, csrf_of

People = Callable[[Caller], Person]
NOTHING = "Nothing was recorded."


@pytest.fixture
def setup(auth: Auth, client: FlaskClient) -> Setup:
    """Organisations a (the lead), b and c, members of a partnership in force."""
    return active_partnership(auth, client)


def send(who: Person, path: str, data: dict[str, str]) -> TestResponse:
    """Open the form's page, then post the form as a browser would (its CSRF token)."""
    shown = who.client.get(path)
    assert shown.status_code == 200, shown.text
    return who.client.post(path, data={"csrf_token": csrf_of(shown.text), **data})


def landed(response: TestResponse, setup: Setup, commitment_id: str) -> None:
    """Then: a 303 to the partnership's page, at the commitment."""
    assert response.status_code == 303, response.text
    assert response.location == f"{setup.url}#commitment-{commitment_id}"


def api(setup: Setup, path: str) -> Any:
    """What the JSON API reads at `path`, as the admin."""
    response = setup.client.get(f"/v1{path}", headers=setup.auth.admin.headers())
    assert response.status_code == 200, response.json
    return response.json


def refused(setup: Setup, who: Person, path: str, data: dict[str, str], status: int) -> str:
    """Then: the form is refused with `status` and nothing is recorded; the page's HTML."""
    before = setup.head()
    code, html = who.post(path, data)
    assert code == status, html
    assert setup.head() == before
    return html


def kept(html: str, name: str, value: str) -> bool:
    """Whether the page shows the input `name` again with `value`."""
    field = re.search(rf'name="{re.escape(name)}"[^>]*>', html)
    textarea = re.search(rf'name="{re.escape(name)}"[^>]*>([^<]*)</textarea>', html)
    return bool(textarea and textarea.group(1) == value) or bool(
        field and f'value="{value}"' in field.group(0)
    )


def cash(setup: Setup, **changes: str) -> dict[str, str]:
    body = {
        "contribution_type": "cash",
        "quantity.value": "12.50",
        "quantity.unit": "EUR",
        "valuation.method": "actual_cost",
        "valuation.amount": "12.50",
        "valuation.currency": "EUR",
        "recipient": setup.orgs["c"],
        "period.start": "2030-01-01",
        "period.end": "2030-12-31",
        "conditions": "Paid quarterly",
        "reason": "",
    }
    return {**body, **changes}


# -- pledge ------------------------------------------------------------------------------


def test_a_member_pledges_through_the_form_and_the_api_reads_it_back(
    setup: Setup, person: People
) -> None:
    # Given member b on the pledge form, offered the pool and the other members by name
    b = person(setup.partners["b"])
    status, html = b.get(f"{setup.url}/pledge")
    assert status == 200
    assert '<option value="pool"' in html
    assert f'<option value="{setup.orgs["c"]}" dir="auto">c organisation</option>' in html
    assert f'value="{setup.orgs["b"]}"' not in html  # not to itself
    # When it pledges 12.50 EUR in cash to c
    response = send(b, f"{setup.url}/pledge", cash(setup))
    # Then the pledge is recorded as the API would have recorded it, and b lands at it
    cid = response.location.rsplit("#commitment-", 1)[-1]
    landed(response, setup, cid)
    shown = api(setup, f"/commitments/{cid}")
    assert shown["organisation_id"] == setup.orgs["b"]
    assert shown["recipient"] == setup.orgs["c"]
    assert shown["quantity"] == {"value": "12.50", "unit": "EUR"}
    assert shown["valuation"] == {"amount": "12.50", "currency": "EUR", "method": "actual_cost"}
    assert shown["period"] == {"start": "2030-01-01", "end": "2030-12-31"}
    assert (shown["conditions"], shown["status"]) == ("Paid quarterly", "pledged")


def test_a_pledge_without_its_quantity_is_shown_again_with_the_input_kept(
    setup: Setup, person: People
) -> None:
    b = person(setup.partners["b"])
    html = refused(setup, b, f"{setup.url}/pledge", cash(setup, **{"quantity.value": ""}), 422)
    assert NOTHING in html and "quantity.value" in html
    assert 'id="f-quantity-value-error"' in html
    assert kept(html, "conditions", "Paid quarterly") and kept(html, "quantity.unit", "EUR")


def test_a_pledge_the_domain_refuses_is_shown_again_with_its_reason(
    setup: Setup, person: People
) -> None:
    b = person(setup.partners["b"])
    # cash valued at another amount (the command's own check), then a pledge to itself
    wrong = cash(setup, **{"valuation.amount": "13"})
    html = refused(setup, b, f"{setup.url}/pledge", wrong, 422)
    assert "must be the cash&#39;s own amount" in html and kept(html, "valuation.amount", "13")
    html = refused(setup, b, f"{setup.url}/pledge", cash(setup, recipient=setup.orgs["b"]), 409)
    assert "an organisation does not commit to itself" in html
    assert kept(html, "conditions", "Paid quarterly")


def test_who_may_not_pledge_sees_the_apis_answer_and_no_form(
    setup: Setup, auth: Auth, person: People
) -> None:
    outsider = person(auth.actor("partner", setup.org("z")))
    auditor = person(auth.auditor(setup.partnership_id))
    broker = person(setup.broker)  # a partnership broker, without a mandate
    for who, status in ((outsider, 404), (auditor, 403), (broker, 403)):
        code, html = who.get(f"{setup.url}/pledge")
        assert code == status and 'name="quantity.value"' not in html
        refused(setup, who, f"{setup.url}/pledge", cash(setup), status)
    # And the auditor's partnership page offers no form
    _, html = auditor.get(setup.url)
    assert "/pledge" not in html and "What you can do" not in html


def test_a_broker_pledges_for_an_organisation_under_its_mandate(
    setup: Setup, person: People
) -> None:
    # Given organisation b lets the broker act for it in this partnership
    mandate = GrantMandate(
        setup.orgs["b"], broker_id=setup.broker.actor_id, partnership_id=setup.partnership_id
    )
    setup.app.execute(setup.as_("b"), mandate)
    broker = person(setup.broker)
    # Then the form offers b's name to act for, and the pledge is b's
    _, html = broker.get(f"{setup.url}/pledge")
    assert f'<option value="{setup.orgs["b"]}" dir="auto">b organisation</option>' in html
    response = send(broker, f"{setup.url}/pledge", cash(setup, on_behalf_of=setup.orgs["b"]))
    cid = response.location.rsplit("#commitment-", 1)[-1]
    landed(response, setup, cid)
    assert api(setup, f"/commitments/{cid}")["organisation_id"] == setup.orgs["b"]


# -- confirm and withdraw ----------------------------------------------------------------


def test_the_committer_confirms_its_pledge_once(setup: Setup, person: People) -> None:
    cid = setup.pledge("b", confirm=False)
    path = f"/commitments/{cid}/confirm"
    # Another member may not; the committer sees the pledge and confirms it
    refused(setup, person(setup.partners["c"]), path, {}, 403)
    b = person(setup.partners["b"])
    status, html = b.get(path)
    assert status == 200 and "Staff time" in html and "100 hour" in html
    landed(send(b, path, {"reason": ""}), setup, cid)
    assert api(setup, f"/commitments/{cid}")["status"] == "confirmed"
    # A second confirmation is the domain's 409
    html = refused(setup, b, path, {"reason": "again"}, 409)
    assert "not allowed while the commitment is confirmed" in html and kept(html, "reason", "again")


def test_a_confirmed_commitment_is_withdrawn_with_a_reason(setup: Setup, person: People) -> None:
    cid = setup.pledge("b")
    path = f"/commitments/{cid}/withdraw"
    b = person(setup.partners["b"])
    html = refused(setup, b, path, {"reason": ""}, 422)
    assert "withdrawing a confirmed commitment states a reason" in html
    assert 'id="f-reason-error"' in html
    refused(setup, person(setup.partners["a"]), path, {"reason": "not ours"}, 403)
    landed(send(b, path, {"reason": "Staff moved on"}), setup, cid)
    history = api(setup, f"/commitments/{cid}/history")["items"]
    assert (history[-1]["event_type"], history[-1]["reason"]) == ("Withdrawn", "Staff moved on")


# -- deliveries ----------------------------------------------------------------------------


def test_the_committer_reports_a_delivery(setup: Setup, person: People) -> None:
    cid = setup.pledge("b")
    path = f"/commitments/{cid}/deliveries/new"
    b = person(setup.partners["b"])
    # A quantity that is not a number comes back, the note kept
    html = refused(
        setup, b, path, {"quantity": "ten", "delivered_on": "2030-05-01", "note": "May"}, 422
    )
    assert NOTHING in html and 'id="f-quantity-error"' in html and kept(html, "note", "May")
    # The recipient (the lead, for the pool) may not report it
    refused(setup, person(setup.partners["a"]), path, {"quantity": "4"}, 403)
    # A good report is recorded
    response = send(b, path, {"quantity": "40", "delivered_on": "2030-05-01", "note": "May"})
    landed(response, setup, cid)
    [delivery] = api(setup, f"/commitments/{cid}")["deliveries"]
    assert (delivery["quantity"], delivery["note"], delivery["status"]) == ("40", "May", "reported")


def test_no_delivery_is_reported_on_an_unconfirmed_pledge(setup: Setup, person: People) -> None:
    cid = setup.pledge("b", confirm=False)
    data = {"quantity": "4", "delivered_on": "2030-05-01"}
    html = refused(
        setup, person(setup.partners["b"]), f"/commitments/{cid}/deliveries/new", data, 409
    )
    assert "not allowed while the commitment is pledged" in html


def test_the_recipient_disputes_with_a_reason_the_committer_corrects_the_recipient_confirms(
    setup: Setup, person: People
) -> None:
    cid = setup.pledge("b")
    did = setup.deliver("b", cid)
    delivery = f"/commitments/{cid}/deliveries/{did}"
    a, b = person(setup.partners["a"]), person(setup.partners["b"])
    # The committer may not answer its own delivery
    refused(setup, b, f"{delivery}/confirm", {}, 403)
    # The lead (for the pool) sees the delivery; a dispute without a reason is refused
    status, html = a.get(f"{delivery}/confirm")
    assert status == 200 and "Dispute this delivery" in html and "40 hour" in html
    html = refused(setup, a, f"{delivery}/dispute", {"reason": ""}, 422)
    assert "a dispute states its reason" in html
    # With a reason it is disputed, and the reason recorded
    landed(send(a, f"{delivery}/dispute", {"reason": "Only 30 hours"}), setup, cid)
    history = api(setup, f"/commitments/{cid}/history")["items"]
    assert (history[-1]["event_type"], history[-1]["reason"]) == (
        "DeliveryDisputed",
        "Only 30 hours",
    )
    # A disputed delivery is not confirmed (409)
    refused(setup, a, f"{delivery}/confirm", {}, 409)
    # The committer's correction form starts from the delivery as reported
    _, html = b.get(f"{delivery}/correct")
    assert kept(html, "quantity", "40") and kept(html, "delivered_on", "2030-05-01")
    html = refused(setup, b, f"{delivery}/correct", {"quantity": "30", "delivered_on": "May"}, 422)
    assert 'id="f-delivered_on-error"' in html and kept(html, "delivered_on", "May")
    data = {"quantity": "30", "delivered_on": "2030-05-02", "note": "Corrected"}
    landed(send(b, f"{delivery}/correct", data), setup, cid)
    # The lead confirms the corrected delivery: it counts
    landed(send(a, f"{delivery}/confirm", {"reason": ""}), setup, cid)
    shown = api(setup, f"/commitments/{cid}")
    assert shown["deliveries"][0]["status"] == "confirmed" and shown["delivered"] == "30"
    # Nothing more awaits the lead's answer on it (409)
    html = refused(setup, a, f"{delivery}/confirm", {"reason": ""}, 409)
    assert "or a correction awaiting the recipient" in html and "can be answered" in html


def test_delivery_pages_of_unknown_or_unseen_things_are_not_found(
    setup: Setup, auth: Auth, person: People
) -> None:
    cid = setup.pledge("b")
    did = setup.deliver("b", cid)
    a = person(setup.partners["a"])
    assert a.get(f"/commitments/{cid}/deliveries/{uuid.uuid4()}/confirm")[0] == 404
    assert a.get(f"/commitments/{uuid.uuid4()}/deliveries/{did}/confirm")[0] == 404
    outsider = person(auth.actor("partner", setup.org("z")))
    for path in ("confirm", "withdraw", "deliveries/new", f"deliveries/{did}/correct"):
        refused(setup, outsider, f"/commitments/{cid}/{path}", {"reason": "x"}, 404)
    auditor = person(auth.auditor(setup.partnership_id))
    for path in ("confirm", f"deliveries/{did}/confirm", f"deliveries/{did}/dispute"):
        assert auditor.get(f"/commitments/{cid}/{path}")[0] == 403


# -- the partnership page's links ----------------------------------------------------------


def actions(html: str) -> str:
    """The hrefs in the page's "What you can do" section."""
    part = html.split('<section class="actions"', 1)[1].split("</section>", 1)[0]
    return " ".join(re.findall(r'href="([^"]+)"', part))


def test_the_partnership_page_links_each_member_to_what_it_may_do_now(
    setup: Setup, person: People
) -> None:
    pledged = setup.pledge("c", confirm=False)
    cid = setup.pledge("b")
    did = setup.deliver("b", cid)
    a, b, c = (person(setup.partners[k]) for k in "abc")
    mine = actions(b.get(setup.url)[1])
    assert f"{setup.url}/pledge" in mine
    assert f"/commitments/{cid}/deliveries/new" in mine and f"/commitments/{cid}/withdraw" in mine
    assert f"/deliveries/{did}/confirm" not in mine and pledged not in mine
    assert f"/commitments/{cid}/deliveries/{did}/confirm" in actions(a.get(setup.url)[1])
    theirs = actions(c.get(setup.url)[1])
    assert f"/commitments/{pledged}/confirm" in theirs and cid not in theirs
    # Once disputed, the committer is offered the correction
    send(a, f"/commitments/{cid}/deliveries/{did}/dispute", {"reason": "Fewer hours"})
    assert f"/commitments/{cid}/deliveries/{did}/correct" in actions(b.get(setup.url)[1])
