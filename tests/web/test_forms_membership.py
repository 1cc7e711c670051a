"""The membership forms: start a partnership, invite, join or decline, withdraw. Each
builds the API's command; success records it and redirects to the partnership, a refusal
records nothing and shows the form again with the person's input and the problem's text."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask, g, render_template
from flask.testing import FlaskClient

from collab.domain.envelope import Actor
from collab.partnerships.commands import InviteMember, JoinPartnership
from tests.api.conftest import Auth, Caller, head
from tests.api.setup_partnership import Setup, active_partnership, command, initiation
from tests.web.conftest import Person
from tests.web.test_forms_organisations import posted
from tests.web.test_partnership_pages import text
from web.frame import Person as WebPerson

People = Callable[[Caller], Person]
NEW = "/partnerships/new"


def partnership_form(**changes: str) -> dict[str, str]:
    """A complete form to start a partnership, as a person fills it in."""
    form = {
        "title": "Rota dos cuidados",
        "need_statement": "Older residents of scattered villages lack regular care",
        "partnership_type": "social_innovation",
        "territory.country": "PT",
        "territory.nuts": "PT1C2",
        "classifications.0.vocabulary": "sdg_goal",
        "classifications.0.code": "3.8",
        "classifications.1.vocabulary": "",
        "classifications.1.code": "",
    }
    return {**form, **changes}


def view_of(client: FlaskClient, auth: Auth, pid: str) -> Any:
    response = client.get(f"/v1/partnerships/{pid}/view", headers=auth.admin.headers())
    assert response.status_code == 200, response.json
    return response.json


def member(client: FlaskClient, auth: Auth, pid: str, org_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        m for m in view_of(client, auth, pid)["members"] if m["organisation_id"] == org_id
    )
    return found


def test_a_broker_starts_a_partnership_and_a_partner_one_its_organisation_leads(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given a broker, who sees the link on the partnership list
    broker = person(auth.broker)
    assert 'href="/partnerships/new"' in broker.get("/partnerships")[1]
    assert broker.get(NEW)[0] == 200
    # When it sends the form
    response = posted(broker, NEW, partnership_form())
    # Then the partnership is recorded in scoping, the broker its partnership broker
    assert response.status_code == 303
    pid = response.headers["Location"].rsplit("/", 1)[1]
    assert response.headers["Location"] == f"/partnerships/{pid}"
    view = view_of(client, auth, pid)
    assert (view["title"], view["status"], view["brokers"]) == (
        "Rota dos cuidados",
        "scoping",
        [auth.broker.actor_id],
    )
    assert view["classifications"] == [{"vocabulary": "sdg_goal", "code": "3.8"}]
    assert (view["nuts"], view["partnership_type"]) == ("PT1C2", "social_innovation")
    # When a partner starts one, weight 3 and not a signatory
    setup = Setup(auth, client)
    setup.org("a")
    partner = person(setup.partners["a"])
    form = partnership_form(**{"lead.weight": "3", "lead.signatory": "false"})
    response = posted(partner, NEW, form)
    # Then its organisation leads it, on those terms
    assert response.status_code == 303
    pid = response.headers["Location"].rsplit("/", 1)[1]
    lead = member(client, auth, pid, setup.orgs["a"])
    assert (lead["roles"], lead["weight"], lead["signatory"]) == (["lead"], 3, False)
    assert lead["status"] == "active"


def test_a_refused_start_keeps_the_input_and_records_nothing(
    flask_app: Flask, auth: Auth, client: FlaskClient, person: People
) -> None:
    broker, admin, auditor = person(auth.broker), person(auth.admin), person(auth.auditor())
    before = head(flask_app)
    # When the title is missing: 422, the rest of the input kept
    response = posted(broker, NEW, partnership_form(title=""))
    assert response.status_code == 422 and "Nothing was recorded." in response.text
    assert 'id="f-title-error"' in response.text
    assert "Older residents of scattered villages lack regular care</textarea>" in response.text
    # When the NUTS region lies in another country: 422, said of that field
    response = posted(broker, NEW, partnership_form(**{"territory.nuts": "ES300"}))
    assert response.status_code == 422 and 'id="f-territory-nuts-error"' in response.text
    assert "must lie in the territory&#39;s country" in response.text
    # When an admin or an auditor tries: 403, and neither sees the link
    for who in (admin, auditor):
        assert 'href="/partnerships/new"' not in who.get("/partnerships")[1]
        assert who.get(NEW)[0] == 403
        assert posted(who, NEW, partnership_form()).status_code == 403
    # Then nothing was recorded
    assert head(flask_app) == before


def negotiating(auth: Auth, client: FlaskClient) -> tuple[Setup, str]:
    """A partnership the broker started; 'a' joined as lead, 'b' only registered."""
    setup = Setup(auth, client)
    pid = str(setup.app.execute(command(setup.broker), initiation()).result["partnership_id"])
    invite = InviteMember(pid, organisation_id=setup.org("a"), roles=["lead"], weight=1)
    setup.app.execute(command(setup.broker), invite)
    setup.app.execute(setup.as_("a"), JoinPartnership(pid))
    setup.org("b")
    setup.partnership_id = pid
    return setup, pid


def test_the_lead_invites_an_organisation_with_roles_weight_and_group(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given a partnership in scoping, led by 'a'; 'b' is in the register
    setup, pid = negotiating(auth, client)
    lead = person(setup.partners["a"])
    assert f'href="/partnerships/{pid}/invite"' in lead.get(setup.url)[1]
    status, html = lead.get(f"/partnerships/{pid}/invite")
    assert status == 200 and f'<option value="{setup.orgs["b"]}"' in html
    assert f'<option value="{setup.orgs["a"]}"' not in html  # already a member
    # When the lead invites 'b' as implementer and funder, weight 2, economic, not signing
    form = {
        "organisation_id": setup.orgs["b"],
        "roles": ["implementer", "funder"],
        "weight": "2",
        "interest_group": "economic",
        "signatory": "false",
    }
    response = posted(lead, f"/partnerships/{pid}/invite", form)
    # Then the invitation is recorded on those terms
    assert response.status_code == 303 and response.headers["Location"] == f"/partnerships/{pid}"
    invited = member(client, auth, pid, setup.orgs["b"])
    assert invited["status"] == "invited" and sorted(invited["roles"]) == ["funder", "implementer"]
    assert (invited["weight"], invited["interest_group"], invited["signatory"]) == (
        2,
        "economic",
        False,
    )


def test_refused_invitations_record_nothing(
    flask_app: Flask, auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given a partnership in scoping led by 'a', a member 'c' that does not lead, an outsider
    setup, pid = negotiating(auth, client)
    setup.app.execute(
        command(setup.broker),
        InviteMember(pid, organisation_id=setup.org("c"), roles=["observer"], weight=0),
    )
    setup.app.execute(setup.as_("c"), JoinPartnership(pid))
    broker, other = person(setup.broker), person(setup.partners["c"])
    outsider = person(auth.actor("partner", setup.org("d")))
    page = f"/partnerships/{pid}/invite"
    before = head(flask_app)
    # When no role is ticked: 422, the rest of the input kept
    response = posted(broker, page, {"organisation_id": setup.orgs["b"], "weight": "4"})
    assert response.status_code == 422 and 'id="f-roles-error"' in response.text
    assert 'name="weight" type="number" value="4"' in response.text
    assert f'<option value="{setup.orgs["b"]}" selected' in response.text
    # When a role is ticked but another is kept too: both stay ticked on a refusal
    form: Any = {"organisation_id": setup.orgs["b"], "roles": ["lead", "funder"], "weight": "1"}
    response = posted(broker, page, form)
    assert response.status_code == 409 and "already has a lead organisation" in response.text
    assert 'value="lead" checked' in response.text and 'value="funder" checked' in response.text
    # When the organisation is already a member: 409
    form = {"organisation_id": setup.orgs["c"], "roles": ["observer"], "weight": "0"}
    assert posted(broker, page, form).status_code == 409
    # When a member that does not lead tries: 403; an outsider: 404
    assert other.get(page)[0] == 403 and posted(other, page, form).status_code == 403
    assert f'href="{page}"' not in other.get(setup.url)[1]
    assert outsider.get(page)[0] == 404 and posted(outsider, page, form).status_code == 404
    # Then nothing was recorded
    assert head(flask_app) == before


def invited(auth: Auth, client: FlaskClient, *keys: str) -> tuple[Setup, str]:
    """A partnership in scoping led by 'a', with these organisations invited."""
    setup, pid = negotiating(auth, client)
    for key in keys:
        invite = InviteMember(pid, organisation_id=setup.org(key), roles=["knowledge"], weight=5)
        setup.app.execute(command(setup.broker), invite)
    return setup, pid


def test_an_invited_organisation_reads_the_terms_then_joins_or_declines(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given 'b' and 'c' invited as knowledge partners, weight 5
    setup, pid = invited(auth, client, "b", "c")
    b, c = person(setup.partners["b"]), person(setup.partners["c"])
    # When 'b' opens its invitation from the partnership page
    status, html = b.get(f"/partnerships/{pid}/join")
    # Then it reads the terms and the partnership's need, with two buttons
    assert status == 200
    assert "knowledge" in html and '<td class="num">5</td>' in html
    assert "Isolated elders lack care" in html
    assert "Join the partnership</button>" in html and "Decline the invitation</button>" in html
    # When 'b' joins and 'c' declines
    response = posted(b, f"/partnerships/{pid}/join", {"reason": "Glad to"})
    assert response.status_code == 303 and response.headers["Location"] == setup.url
    response = posted(c, f"/partnerships/{pid}/decline", {})
    assert response.status_code == 303
    # Then both answers are recorded
    assert member(client, auth, pid, setup.orgs["b"])["status"] == "active"
    assert member(client, auth, pid, setup.orgs["c"])["status"] == "declined"


def test_refused_answers_record_nothing(
    flask_app: Flask, auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given 'b' invited, 'a' already a member, an outsider and an auditor of the partnership
    setup, pid = invited(auth, client, "b")
    a, outsider = person(setup.partners["a"]), person(auth.actor("partner", setup.org("d")))
    auditor = person(auth.auditor(pid))
    before = head(flask_app)
    # When a member with no invitation answers: 409, and it is told so
    response = posted(a, f"/partnerships/{pid}/join", {})
    assert response.status_code == 409 and "no open invitation" in response.text
    assert "Join the partnership</button>" not in response.text
    # When an outsider answers: 404; an auditor: 403
    for answer in ("join", "decline"):
        assert posted(outsider, f"/partnerships/{pid}/{answer}", {}).status_code == 404
        assert auditor.get(f"/partnerships/{pid}/{answer}")[0] == 403
        assert posted(auditor, f"/partnerships/{pid}/{answer}", {}).status_code == 403
    # When the invited organisation sends a malformed date: 422
    b = person(setup.partners["b"])
    response = posted(b, f"/partnerships/{pid}/join", {"reason": "x" * 2001})
    assert response.status_code == 422 and 'id="f-reason-error"' in response.text
    # Then nothing was recorded
    assert head(flask_app) == before


def test_a_member_reads_the_consequences_then_withdraws_with_notice(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given an active partnership whose agreement asks for 30 days of notice; 'c' pledged
    setup = active_partnership(auth, client, notice=30)
    setup.pledge("c")
    c = person(setup.partners["c"])
    page = f"{setup.url}/withdraw"
    assert f'href="{page}"' in c.get(setup.url)[1]
    # When 'c' opens the withdrawal
    status, html = c.get(page)
    # Then it reads what withdrawing does
    assert status == 200 and "asks for 30 days of notice" in html
    assert (
        "1 open commitment in this partnership (pledged, confirmed or in delivery) is released"
        " when the membership ends" in html
    )
    # When it withdraws, with notice given on 20 May (today is 1 June)
    response = posted(c, page, {"effective_date": "2030-05-20", "reason": "Moving away"})
    # Then it gave notice: leaving until its exit date, 30 days after the notice (invariant 8)
    assert response.status_code == 303 and response.headers["Location"] == setup.url
    left = member(client, auth, setup.partnership_id, setup.orgs["c"])
    assert (left["status"], left["exit_date"]) == ("leaving", "2030-06-19")
    assert [x["status"] for x in left["commitments"]] == ["confirmed"]
    # And the partnership page shows it leaving, with its exit date, for every member
    page_text = text(person(setup.partners["a"]).get(setup.url)[1])
    assert "implementer leaving (exit Jun 19, 2030) yes 1" in page_text
    # And withdrawing again is refused: it is already leaving
    response = posted(c, f"{setup.url}/withdraw", {})
    assert response.status_code == 409 and "leaving" in response.text


def test_refused_withdrawals_record_nothing(
    flask_app: Flask, auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given an active partnership, its member 'c', an auditor of it and an outsider
    setup = active_partnership(auth, client)
    c, auditor = person(setup.partners["c"]), person(auth.auditor(setup.partnership_id))
    outsider = person(auth.actor("partner", setup.org("d")))
    page = f"{setup.url}/withdraw"
    before = head(flask_app)
    # When the notice is dated after today: 422, the input kept
    response = posted(c, page, {"effective_date": "2031-01-01", "reason": "Later"})
    assert response.status_code == 422 and 'id="f-effective_date-error"' in response.text
    assert 'value="2031-01-01"' in response.text and ">Later</textarea>" in response.text
    # When the auditor or an outsider tries: 403 and 404
    assert auditor.get(page)[0] == 403 and posted(auditor, page, {}).status_code == 403
    assert outsider.get(page)[0] == 404 and posted(outsider, page, {}).status_code == 404
    assert head(flask_app) == before
    # When 'c' has withdrawn, withdrawing again is refused
    assert posted(c, page, {}).status_code == 303
    before = head(flask_app)
    response = posted(c, page, {})
    assert response.status_code == 409 and "can no longer act" in response.text
    assert head(flask_app) == before


def test_the_invitation_only_view_offers_the_answer_to_the_invited_organisation(
    flask_app: Flask,
) -> None:
    # Given the view an invited organisation has of a partnership: its invitation only
    org_id = str(uuid.uuid4())
    view: dict[str, Any] = {
        "partnership_id": "p-1",
        "title": "Care rounds",
        "need_statement": "Isolated elders lack care",
        "invitation": {"organisation_id": org_id, "status": "invited", "roles": ["observer"]},
    }
    partner = WebPerson(Actor("someone", "partner", org_id), "Someone", "someone")
    # When the membership actions are drawn for a partner of that organisation
    with flask_app.test_request_context("/partnerships/p-1"):
        g.actor = partner.actor
        html = render_template("_actions_membership.html", view=view, person=partner)
        # Then it may answer, and do nothing else
        assert 'href="/partnerships/p-1/join"' in html
        assert "/invite" not in html and "/withdraw" not in html
        # And once declined, nothing is offered
        view["invitation"]["status"] = "declined"
        assert "href" not in render_template("_actions_membership.html", view=view, person=partner)
