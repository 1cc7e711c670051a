"""The explorer's side of invariant 4 (issue 15, part 1): a LAG's terms form states the
balance limit, a decision's rows take a declared conflict of interest, the partnership page
gives the balance with the limit and whether it holds, refusals said in the reader's words."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from tests.api.conftest import Auth, Caller
from tests.api.test_clld_balance import lag
from tests.web.conftest import Person
from tests.web.test_forms_agreement import NOTHING, draft_form, history, inputs, negotiating

People = Callable[[Caller], Person]


def test_a_lags_first_draft_states_the_limit_and_posting_it_signs_it_in(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given a LAG with no text yet
    setup = negotiating(auth, client, "clld_lag")
    broker = person(setup.broker)
    url = f"{setup.url}/versions/new"
    # When the broker opens the terms form, Then the limit is offered, filled with 49
    status, page = broker.get(url)
    assert status == 200 and inputs(page)["terms.balance_limit"] == "49"
    # When a limit over 50 is posted, Then the field is refused beside it, nothing recorded
    before = setup.head()
    status, page = broker.post(
        url, draft_form(setup, **{"terms.balance_limit": "55"}), from_page=url
    )
    assert status == 422 and NOTHING in page and "at most 50" in page
    assert setup.head() == before
    # When 45 is posted, Then the text drafted carries it, so its hash binds it
    form = draft_form(setup, **{"terms.balance_limit": "45"})
    assert broker.post(url, form, from_page=url)[0] == 303
    (drafted,) = [e for e in history(setup) if e["event_type"] == "VersionDrafted"]
    assert drafted["data"]["terms"]["balance_limit"] == "45"
    # And another kind of partnership is not offered the limit
    other = negotiating(auth, client)
    assert "terms.balance_limit" not in person(other.broker).get(f"{other.url}/versions/new")[1]


def test_a_decisions_row_declares_a_conflict_and_the_page_shows_the_balance(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given a LAG in force under a 45% limit, its parish council a public body
    setup = lag(auth, client)
    broker = person(setup.broker)
    o = setup.orgs
    # When the broker opens the partnership page, Then the balance says the limit, holds
    status, page = broker.get(setup.url)
    assert status == 200 and "none may hold more than 45% of the voting weight" in page
    assert "The balance holds now." in page
    # When the broker records a selection with the parish council's conflict declared
    url = f"{setup.url}/decisions/new"
    status, page = broker.get(url)
    assert status == 200 and 'value="conflict"' in page
    form = {
        "body": "Selection committee",
        "subject.action": "other",
        "subject.summary": "Call 2027/1",
        f"votes.{o['pub']}": "for",
        f"votes.{o['civ']}": "for",
        f"votes.{o['eco']}": "against",
        f"votes.{o['par']}": "conflict",
    }
    assert broker.post(url, form, from_page=url)[0] == 303
    # Then the decision records the conflict, not a vote
    (entry,) = [e for e in history(setup) if e["event_type"] == "DecisionRecorded"]
    assert entry["data"]["conflicts"] == [o["par"]] and o["par"] not in entry["data"]["votes"]
    # And the timeline says who declared it, by name
    status, page = broker.get(f"{setup.url}/timeline")
    assert status == 200 and "declared a conflict of interest" in page
    assert "par organisation" in page
    # When civil society and the economy declare conflicts, the public bodies would hold all
    # the weight present: refused, said with the limit, nothing recorded
    before = setup.head()
    blocked = {**form, f"votes.{o['civ']}": "conflict", f"votes.{o['eco']}": "conflict"}
    blocked[f"votes.{o['par']}"] = "for"
    status, page = broker.post(url, blocked, from_page=url)
    assert status == 409 and NOTHING in page and "(at most 45%)" in page
    assert setup.head() == before


def test_the_refusals_read_in_portuguese(auth: Auth, client: FlaskClient, person: People) -> None:
    setup = lag(auth, client)
    broker = person(setup.broker)
    broker.client.set_cookie("collab_lang", "pt")
    o = setup.orgs
    url = f"{setup.url}/decisions/new"
    blocked = {
        "body": "Comité de seleção",
        "subject.action": "other",
        f"votes.{o['pub']}": "for",
        f"votes.{o['par']}": "for",
        f"votes.{o['civ']}": "conflict",
        f"votes.{o['eco']}": "conflict",
    }
    status, page = broker.post(url, blocked, from_page=url)
    assert status == 409 and "no máximo 45%" in page
