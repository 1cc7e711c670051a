"""The explorer's stewardship forms (issue 15, part 4): a member's terms changed under a
passed decision, from the link the partnership page offers; a broker unassigned. Each
records the API's event; refusals keep the input and record nothing."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from collab.partnerships.commands import AssignBroker
from tests.api.conftest import Auth, Caller
from tests.api.setup_partnership import active_partnership, command
from tests.api.test_clld_balance import lag
from tests.api.test_membership_terms import decide_change
from tests.web.conftest import Person
from tests.web.test_forms_agreement import NOTHING, history, inputs

People = Callable[[Caller], Person]


def test_the_page_links_a_decided_change_and_the_form_records_only_what_changed(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given a partnership in force and a passed decision to change b's terms
    setup = active_partnership(auth, client)
    decision = decide_change(setup, "b")
    broker = person(setup.broker)
    # When the broker opens the partnership page, Then it links the change as decided
    status, page = broker.get(setup.url)
    link = f"{setup.url}/members/{setup.orgs['b']}/terms?decision={decision}"
    assert status == 200 and link in page
    assert "Change the terms of b organisation as decided" in page  # named, not an id
    # And the form is filled with b's terms and the decision
    status, page = broker.get(link)
    filled = inputs(page)
    assert status == 200 and (filled["decision_id"], filled["weight"]) == (decision, "1")
    assert 'id="f-roles-implementer" name="roles" value="implementer" checked' in page
    # When the weight is raised to 3 and the rest left as shown
    url = f"{setup.url}/members/{setup.orgs['b']}/terms"
    form = {**filled, "weight": "3", "roles": "implementer"}
    assert broker.post(url, form, from_page=link)[0] == 303
    # Then only the weight is recorded as changed
    (changed,) = [e for e in history(setup) if e["event_type"] == "MembershipChanged"]
    assert changed["data"]["changes"] == {"weight": 3}
    assert setup.partnership().members[setup.orgs["b"]].weight == 3


def test_a_change_that_breaks_the_balance_is_refused_beside_the_form(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup = lag(auth, client)
    decision = decide_change(setup, "pub")
    broker = person(setup.broker)
    url = f"{setup.url}/members/{setup.orgs['pub']}/terms"
    before = setup.head()
    form = {"decision_id": decision, "weight": "3", "roles": "lead", "signatory": "true"}
    status, page = broker.post(url, form, from_page=url)
    assert status == 409 and NOTHING in page and "at most 45%" in page
    assert inputs(page)["weight"] == "3" and setup.head() == before
    # And a page with no decision to apply says so, offering none
    status, page = broker.get(f"{setup.url}/members/{setup.orgs['civ']}/terms")
    assert status == 200 and "No passed decision" in page


def test_a_broker_is_unassigned_from_the_page_and_strangers_may_not(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup = active_partnership(auth, client)
    second = auth.actor("broker")
    setup.app.execute(
        command(setup.broker), AssignBroker(setup.partnership_id, broker_id=second.actor_id)
    )
    url = f"{setup.url}/brokers/{second.actor_id}/unassign"
    lead, member = person(setup.partners["a"]), person(setup.partners["b"])
    assert url in lead.get(setup.url)[1]
    assert url not in member.get(setup.url)[1]
    assert member.get(url)[0] == 403
    assert lead.post(url, {"reason": "left the agency"}, from_page=url)[0] == 303
    (gone,) = [e for e in history(setup) if e["event_type"] == "BrokerUnassigned"]
    assert gone["data"]["broker_id"] == second.actor_id
    assert gone["reason"] == "left the agency"
