"""Partnership pages: the list, one partnership (live and as of), its timeline and field
history, a commitment's; names, voting shares, whose turn it is, and the same 404 as an
unknown id for everyone who may not see it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from flask.testing import FlaskClient

from collab.agreements.commands import DraftVersion, OpenForSignature, SignAgreement
from collab.partnerships.commands import InviteMember, JoinPartnership, WithdrawMembership
from tests.api.conftest import Auth, Caller
from tests.api.setup_partnership import Setup, active_partnership, command, initiation
from tests.application.world import terms
from tests.web.conftest import Person

People = Callable[[Caller], Person]
SHARE_RE = re.compile(r'class="num share">([0-9.]+)%')
PROBLEM_H1 = "<h1>Please check what you entered</h1>"


def text(html: str) -> str:
    """What a reader reads: tags removed, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def turn_box(html: str) -> str:
    """The text of the page's "whose turn it is" box."""
    return text(html.split('<section class="turn"', 1)[1].split("</section>", 1)[0])


def items(html: str) -> list[str]:
    """The timeline's entries as text."""
    return [text(f) for f in re.findall(r'<li id="position-\d+">(.*?)</li>', html, re.S)]


def history(setup: Setup) -> list[dict[str, Any]]:
    response = setup.client.get(
        f"/v1/partnerships/{setup.partnership_id}/history?limit=500",
        headers=setup.auth.admin.headers(),
    )
    found: list[dict[str, Any]] = response.json["items"]  # type: ignore[index]
    return found


def mixed_partnership(auth: Auth, client: FlaskClient) -> Setup:
    """An active partnership of a public (lead), a private and a civil-society organisation."""
    setup = Setup(auth, client)
    setup.org("a", "public")
    setup.org("b", "private")
    setup.org("c")
    setup.start()
    return setup


def test_a_member_sees_names_voting_shares_and_the_clld_balance(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given an active partnership of three organisations of three sectors, weight 1 each
    setup = mixed_partnership(auth, client)
    # When a partner of the lead opens it
    status, html = person(setup.partners["a"]).get(setup.url)
    # Then it names its members by sector, with shares summing to 100% and a balance
    assert status == 200
    for name in ("a organisation", "b organisation", "c organisation"):
        assert f'dir="auto">{name}</a>' in html
    for sector in ("Public sector", "Private sector", "Civil society"):
        assert f"<h3>{sector}</h3>" in html
    shares = [Decimal(x) for x in SHARE_RE.findall(html)]
    assert len(shares) == 3 and sum(shares) == 100
    assert "CLLD balance" in html and "public authority (public authorities)" in html
    assert "Over the limit" not in html
    assert "Isolated elders lack care" in html and "PT1C2" in html


def test_a_single_interest_group_over_49_percent_is_flagged_in_words(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given a local action group still negotiating, whose two members are civil society
    setup = Setup(auth, client)
    clld = replace(initiation(), partnership_type="clld_lag")
    pid = str(setup.app.execute(command(setup.broker), clld).result["partnership_id"])
    for i, key in enumerate(("a", "b")):
        roles = ["lead"] if i == 0 else ["implementer"]
        invite = InviteMember(pid, organisation_id=setup.org(key), roles=roles, weight=1)
        setup.app.execute(command(setup.broker), invite)
        setup.app.execute(setup.as_(key), JoinPartnership(pid))
    # When a member opens the partnership
    _, html = person(setup.partners["b"]).get(f"/partnerships/{pid}")
    # Then the balance says so in words, not by colour alone
    assert "<h2>CLLD balance</h2>" in html
    assert "Over the limit: this interest group holds 100.0% of the votes" in html
    # And a partnership of another type shows the votes by group without a verdict
    other = active_partnership(auth, client)
    _, html = person(other.partners["b"]).get(other.url)
    assert "<h2>Votes by interest group</h2>" in html and "Over the limit" not in html


def partnership_open_for_signature(setup: Setup, *invited: str) -> tuple[str, str]:
    """Initiated by the broker; a and b joined, `invited` only invited (as observers);
    version 1 open; a signed. (pid, hash)"""
    pid = str(setup.app.execute(command(setup.broker), initiation()).result["partnership_id"])
    for i, key in enumerate(("a", "b")):
        roles = ["lead"] if i == 0 else ["implementer"]
        invite = InviteMember(pid, organisation_id=setup.org(key), roles=roles, weight=1)
        setup.app.execute(command(setup.broker), invite)
        setup.app.execute(setup.as_(key), JoinPartnership(pid))
    for key in invited:
        invite = InviteMember(pid, organisation_id=setup.org(key), roles=["observer"], weight=0)
        setup.app.execute(command(setup.broker), invite)
    draft = setup.app.execute(command(setup.broker), DraftVersion(pid, terms=terms()))
    text_hash = str(draft.result["text_hash"])
    setup.app.execute(command(setup.broker), OpenForSignature(pid, agreement_version=1))
    setup.app.execute(setup.as_("a"), SignAgreement(pid, text_hash=text_hash))
    setup.partnership_id = pid
    return pid, text_hash


def test_the_broker_sees_whose_turn_it_is_with_the_exact_hash_to_sign(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given a version open for signature that a has signed and b has not
    setup = Setup(auth, client)
    pid, text_hash = partnership_open_for_signature(setup)
    broker = person(auth.broker)
    # When the broker opens the partnership
    status, html = broker.get(f"/partnerships/{pid}")
    # Then the turn box names b as the one to sign, with the exact hash
    assert status == 200
    turn = turn_box(html)
    assert "Version 1 is open for signature: waiting for b organisation to sign" in turn
    assert text_hash in turn and "a organisation to sign" not in turn
    # And the list says the same on the partnership's row
    _, listed = broker.get("/partnerships")
    assert "waiting for b organisation to sign" in text(listed) and text_hash in listed


def test_whose_turn_for_a_draft_and_for_a_reported_delivery(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given an active partnership where b reported a delivery to the pool
    setup = active_partnership(auth, client)
    cid = setup.pledge("b")
    setup.deliver("b", cid, "40")
    # When a member opens it
    _, html = person(setup.partners["c"]).get(setup.url)
    # Then the lead is the one to confirm it
    turn = turn_box(html)
    assert "A delivery of 40 hour by b organisation" in turn
    assert "waits for confirmation by a organisation (the lead, for the pool)" in turn


def not_found_body(html: str, asked: str) -> str:
    """A 404 page with the id asked for, the request's reference and the form token left
    out (the token is signed with the second it was made: two pages a second apart differ)."""
    html = html.replace(asked, "ID")
    html = re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', html)
    return re.sub(r"Reference: <code>[^<]*</code>", "", html)


def test_an_outsider_gets_the_404_of_an_unknown_id_on_every_url(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given a partnership with a commitment, and a partner of an organisation outside it
    setup = active_partnership(auth, client)
    cid = setup.pledge("b")
    setup.org("x")
    outsider = person(setup.partners["x"])
    pid = setup.partnership_id
    paths = [
        "/partnerships/{p}",
        "/partnerships/{p}/timeline",
        "/partnerships/{p}/fields",
        "/partnerships/{p}?as_of_position=1",
        "/partnerships/{p}?as_of_position=-1",
        "/partnerships/{p}/timeline?cursor=zzz",
    ]
    for path in paths:
        # When it asks for each URL of P, and of an id nobody has
        unknown = str(uuid.uuid4())
        status, html = outsider.get(path.format(p=pid))
        other_status, other = outsider.get(path.format(p=unknown))
        # Then both are the same 404, naming only the id asked for
        assert status == other_status == 404, path
        assert not_found_body(html, pid) == not_found_body(other, unknown), path
        assert "Care rounds" not in html
    for path in ("/commitments/{c}/fields", "/commitments/{c}/timeline"):
        unknown = str(uuid.uuid4())
        status, html = outsider.get(path.format(c=cid))
        assert status == 404 and outsider.get(path.format(c=unknown))[0] == 404, path
        assert not_found_body(html, cid) == not_found_body(
            outsider.get(path.format(c=unknown))[1], unknown
        )
    # And the list does not show it
    assert "Care rounds" not in outsider.get("/partnerships")[1]


def test_an_auditor_sees_a_partnership_only_when_granted(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup = active_partnership(auth, client)
    # Given an auditor without a grant, and one granted the partnership
    stranger = person(auth.auditor())
    granted = person(auth.auditor(setup.partnership_id))
    # Then the first gets the 404, the second the page
    assert stranger.get(setup.url)[0] == 404
    assert stranger.get(f"{setup.url}/timeline")[0] == 404
    status, html = granted.get(setup.url)
    assert status == 200 and '<h1 dir="auto">Care rounds</h1>' in html
    assert granted.get(f"{setup.url}/fields")[0] == 200


def test_as_of_a_position_shows_the_banner_and_the_state_then(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given an active partnership, and the position just before c was invited
    setup = active_partnership(auth, client)
    c = setup.orgs["c"]
    invited = next(
        e["position"]
        for e in history(setup)
        if e["event_type"] == "MemberInvited" and e["data"]["membership"]["organisation"] == c
    )
    member = person(setup.partners["a"])
    # When a member looks at the partnership as of that position
    status, html = member.get(f"{setup.url}?as_of_position={invited - 1}")
    # Then a banner says so, with a way back, and c is not a member yet
    assert status == 200
    banner = html.split('<div class="banner"', 1)[1].split("</div>", 1)[0]
    assert f"as it stood at position {invited - 1}" in banner
    assert "2030-06-01T12:00:00.000000Z" in banner
    assert f'<a href="{setup.url}">See it as it is now</a>' in banner
    assert "c organisation" not in html and "b organisation" in html
    assert "negotiating" in html
    # And as it is now, c is a member and there is no banner
    _, now = member.get(setup.url)
    assert "c organisation" in now and 'class="banner"' not in now


def test_as_of_a_time_and_before_the_partnership_existed(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup = active_partnership(auth, client)
    member = person(setup.partners["a"])
    # When a member asks for the partnership at a time (a datetime-local field's value)
    status, html = member.get(f"{setup.url}?as_of=2030-06-01T12:00&as_of_position=")
    # Then it sees it as it stood then (every event of the test clock's moment)
    assert status == 200 and "as it stood at position" in html and "active" in html
    # And before it existed, by position or by time, there was nothing: a 404
    assert member.get(f"{setup.url}?as_of_position=1")[0] == 404
    assert member.get(f"{setup.url}?as_of=2030-06-01T11:59:59Z")[0] == 404


def test_the_timeline_tells_events_in_words_and_filters_them(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given an active partnership where b pledged, and a broker with a display name
    setup = active_partnership(auth, client)
    setup.pledge("b", value="20")
    auth.service.credentials.set_name(auth.broker.actor_id, "Bruno Broker", auth.service.now())
    member = person(setup.partners["a"])
    # When a member reads the timeline
    status, html = member.get(f"{setup.url}/timeline")
    entries = items(html)
    # Then each event is a sentence with names, newest first
    assert status == 200
    assert any(e.startswith("Bruno Broker invited a organisation as lead") for e in entries)
    assert any(
        "invited b organisation as implementer (civil society, weight 1)" in e for e in entries
    )
    assert any("pledged 20 hour staff time for b organisation to the pool" in e for e in entries)
    positions = [int(p) for p in re.findall(r'<li id="position-(\d+)">', html)]
    assert positions == sorted(positions, reverse=True)
    assert '/fields">field history of this commitment</a>' in html
    # When it filters by kind
    _, signed = member.get(f"{setup.url}/timeline?kind=AgreementSigned")
    assert len(items(signed)) == 3 and all("signed version 1 (hash" in e for e in items(signed))
    # When it filters by organisation
    _, of_b = member.get(f"{setup.url}/timeline?organisation={setup.orgs['b']}")
    assert items(of_b) and all("b organisation" in e for e in items(of_b))
    assert any("confirmed the commitment of b organisation" in e for e in items(of_b))


def test_the_timeline_pages_by_position(auth: Auth, client: FlaskClient, person: People) -> None:
    setup = active_partnership(auth, client)
    member = person(setup.partners["a"])
    # When a member reads the timeline two events at a time
    _, first = member.get(f"{setup.url}/timeline?limit=2")
    assert len(items(first)) == 2
    link = re.search(r'<a href="([^"]+)" rel="next">', first)
    assert link is not None
    # Then the next page continues with older events
    _, second = member.get(link.group(1).replace("&amp;", "&"))
    one = [int(p) for p in re.findall(r'<li id="position-(\d+)">', first)]
    two = [int(p) for p in re.findall(r'<li id="position-(\d+)">', second)]
    assert len(two) == 2 and max(two) < min(one)


def test_bad_query_values_are_a_422_page_never_a_500(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup = active_partnership(auth, client)
    member = person(setup.partners["a"])
    url = setup.url
    for path in (
        f"{url}?as_of_position=-1",
        f"{url}?as_of_position=abc",
        f"{url}?as_of_position=99999999",
        f"{url}?as_of=garbage",
        f"{url}?as_of=2030-02-30T12:00:00Z",
        f"{url}?as_of_position=1&as_of=2030-06-01T12:00:00Z",
        "/partnerships?cursor=zzz",
        "/partnerships?limit=0",
        "/partnerships?status=unknown",
        "/partnerships?nuts=lower",
        f"{url}/timeline?cursor=zzz",
        f"{url}/timeline?limit=0",
        f"{url}/timeline?limit=501",
        f"{url}/timeline?kind=NoSuchEvent",
        f"{url}/timeline?organisation=not-an-id",
        "/partnerships/not-an-id",
    ):
        status, html = member.get(path)
        assert status == 422 and PROBLEM_H1 in html, path


def test_an_invited_organisation_sees_its_invitation_only(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given a partnership where d is invited and has not answered
    setup = Setup(auth, client)
    pid, _ = partnership_open_for_signature(setup, "d")
    invited = person(setup.partners["d"])
    # When its partner opens the partnership
    status, html = invited.get(f"/partnerships/{pid}")
    # Then it sees the invitation, not the members or the agreement
    assert status == 200 and "<h2>Invitation</h2>" in html and "observer" in html
    assert "has not answered its invitation yet" in turn_box(html)
    assert "a organisation" not in html and "Agreement" not in html
    # And its timeline shows only its invitation; the field history is not for it
    _, timeline = invited.get(f"/partnerships/{pid}/timeline")
    assert [e for e in items(timeline)] and all("d organisation" in e for e in items(timeline))
    assert invited.get(f"/partnerships/{pid}/fields")[0] == 404
    assert invited.get(f"/partnerships/{pid}?as_of_position=3")[0] == 404


def test_field_histories_of_a_partnership_and_a_commitment(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup = active_partnership(auth, client)
    cid = setup.pledge("b", value="12")
    member = person(setup.partners["c"])
    # When a member reads the partnership's field history
    status, html = member.get(f"{setup.url}/fields")
    # Then each field shows its values in order, with the event that set them
    assert status == 200 and "<h2>Status</h2>" in html
    statuses = html.split("<h2>Status</h2>", 1)[1].split("</table>", 1)[0]
    assert statuses.index("scoping") < statuses.index("negotiating") < statuses.index("active")
    assert "AgreementEnteredIntoForce" in statuses
    # And a commitment's field history names its values in words
    status, html = member.get(f"/commitments/{cid}/fields")
    assert status == 200 and "12 hour" in html and "the pool" in html and "confirmed" in html
    status, html = member.get(f"/commitments/{cid}/timeline")
    assert status == 200 and "confirmed the commitment of b organisation" in text(html)


def test_the_list_filters_and_links_each_partnership(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup = active_partnership(auth, client)
    admin = person(auth.admin)
    status, html = admin.get("/partnerships?status=active&partnership_type=&nuts=PT1")
    assert status == 200 and f'href="/partnerships/{setup.partnership_id}"' in html
    assert "Nothing is waiting for anyone." in html
    _, none = admin.get("/partnerships?status=cancelled")
    assert setup.partnership_id not in none and "No partnership you can see matches." in none


def test_a_former_member_sees_everything_up_to_its_exit_and_nothing_after(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given c withdrew, and b pledged after that
    setup = active_partnership(auth, client)
    setup.app.execute(setup.as_("c"), WithdrawMembership(setup.partnership_id))
    setup.pledge("b", value="77")
    former = person(setup.partners["c"])
    # When c reads the partnership, its timeline and the list
    status, html = former.get(setup.url)
    _, timeline = former.get(f"{setup.url}/timeline")
    _, listed = former.get("/partnerships")
    # Then it sees the partnership as it stood at its exit, and no later event
    assert status == 200 and "77 hour" not in html and "withdrawn" in html
    assert any("withdrew c organisation from the partnership" in e for e in items(timeline))
    assert not any("pledged" in e for e in items(timeline))
    assert "As it was when your organisation left" in listed
    # And as of a later position it still sees no further than its exit
    _, later = former.get(f"{setup.url}?as_of_position={setup.head()}")
    assert "77 hour" not in later
    # While a member in standing sees the pledge
    assert "77 hour" in person(setup.partners["b"]).get(setup.url)[1]


def test_a_public_body_declared_otherwise_counts_with_public_authorities(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given a local action group where a public body was invited as "environmental"
    setup = Setup(auth, client)
    clld = replace(initiation(), partnership_type="clld_lag")
    pid = str(setup.app.execute(command(setup.broker), clld).result["partnership_id"])
    for key, sector, group in (("a", "civil_society", None), ("p", "public", "environmental")):
        invite = InviteMember(
            pid,
            organisation_id=setup.org(key, sector),
            roles=["implementer"],
            weight=1,
            interest_group=group,
        )
        setup.app.execute(command(setup.broker), invite)
        setup.app.execute(setup.as_(key), JoinPartnership(pid))
    # When a member opens the partnership page
    _, html = person(setup.partners["a"]).get(f"/partnerships/{pid}")
    # Then the balance counts it with public authorities, not with the group it declared
    table = html.split("<h2>CLLD balance</h2>", 1)[1].split("</table>", 1)[0]
    assert "public authority" in table and "environmental" not in table
