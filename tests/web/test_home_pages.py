"""Home pages: what awaits each role first (DESIGN §7), never a partnership it may not see."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from flask.testing import FlaskClient

from collab.agreements.commands import DraftVersion, OpenForSignature, SignAgreement
from collab.organisations.commands import GrantMandate
from collab.partnerships.commands import InviteMember, JoinPartnership
from tests.api.conftest import Auth
from tests.api.setup_partnership import Setup, active_partnership, command, initiation
from tests.application.world import terms
from tests.web.conftest import Person
from web.turns import STEWARDS, Turn, turns

Browser = Callable[..., Person]


def negotiated(setup: Setup, title: str, keys: tuple[str, ...], *, open_it: bool = True) -> str:
    """Given a partnership of `keys` with version 1 drafted (and opened for signature):
    the text hash of version 1. Its id is `setup.partnership_id`."""
    app, broker = setup.app, command(setup.broker)
    pid: str = app.execute(broker, initiation(title)).result["partnership_id"]
    for i, key in enumerate(keys):
        roles = ["lead"] if i == 0 else ["implementer"]
        app.execute(
            broker, InviteMember(pid, organisation_id=setup.org(key), roles=roles, weight=1)
        )
        app.execute(setup.as_(key), JoinPartnership(pid))
    text_hash: str = app.execute(broker, DraftVersion(pid, terms=terms())).result["text_hash"]
    if open_it:
        app.execute(broker, OpenForSignature(pid, agreement_version=1))
    setup.partnership_id = pid
    return text_hash


def fresh(setup: Setup) -> str:
    """The views reach the log's head (read-your-writes for writes made in the test)."""
    return f"?min_position={setup.head()}"


def test_a_partner_sees_the_version_to_sign_with_its_exact_hash(
    auth: Auth, client: FlaskClient, person: Browser
) -> None:
    # Given a partnership whose version 1 is open for signature
    setup = Setup(auth, client)
    text_hash = negotiated(setup, "Meals on wheels", ("a", "b"))
    # When partner b opens its home
    status, html = person(setup.partners["b"]).get("/" + fresh(setup))
    # Then the text to sign is there, with its hash and a link to its partnership
    assert status == 200
    assert "Texts to sign" in html and text_hash in html
    assert f'href="/partnerships/{setup.partnership_id}"' in html and "Meals on wheels" in html
    assert "b organisation" in html  # its organisation's name heads the page


def test_a_partner_that_signed_has_nothing_left_to_sign(
    auth: Auth, client: FlaskClient, person: Browser
) -> None:
    setup = Setup(auth, client)
    text_hash = negotiated(setup, "Meals on wheels", ("a", "b", "c"))
    setup.app.execute(setup.as_("b"), SignAgreement(setup.partnership_id, text_hash=text_hash))
    _, html = person(setup.partners["b"]).get("/" + fresh(setup))
    assert text_hash not in html and "Nothing awaits your organisation now." in html


def test_a_partner_never_sees_a_partnership_it_is_not_in(
    auth: Auth, client: FlaskClient, person: Browser
) -> None:
    # Given partnership P of a and b, and partnership Q of x and y (same broker)
    setup = Setup(auth, client)
    negotiated(setup, "Partnership P", ("a", "b"))
    q_hash = negotiated(setup, "Secret Q", ("x", "y"))
    q = setup.partnership_id
    # When a partner of a opens its home
    status, html = person(setup.partners["a"]).get("/" + fresh(setup))
    # Then Q appears nowhere: not its id, title, text hash or members
    assert status == 200 and "Partnership P" in html
    for secret in (q, "Secret Q", q_hash, setup.orgs["x"], "x organisation"):
        assert secret not in html


def test_a_partner_sees_deliveries_to_confirm_its_deadlines_and_its_books(
    auth: Auth, client: FlaskClient, person: Browser
) -> None:
    # Given an active partnership where b pledged to the pool (its period ends in two weeks)
    setup = active_partnership(auth, client)
    cid = setup.pledge("b", value="100", period={"start": "2030-01-01", "end": "2030-06-15"})
    setup.deliver("b", cid, quantity="40")
    # When the lead (a) opens its home, Then the delivery waits for its confirmation
    _, lead = person(setup.partners["a"]).get("/" + fresh(setup))
    assert "Deliveries to confirm or dispute" in lead and cid in lead
    # When b opens its home, Then its deadline and its commitment with totals are there
    _, html = person(setup.partners["b"]).get("/" + fresh(setup))
    assert "2030-06-15" in html and "reaches the end of its period" in html
    assert "Your commitments" in html and "staff time" in html
    assert re.search(r'<td class="num">100</td>\s*<td class="num">40</td>', html)


def test_a_partner_sees_when_its_mandate_ends(
    auth: Auth, client: FlaskClient, person: Browser
) -> None:
    setup = active_partnership(auth, client, ("a", "b"))
    org = setup.orgs["b"]
    grant = GrantMandate(organisation_id=org, broker_id=auth.broker.actor_id, until="2030-06-20")
    setup.app.execute(setup.as_("b"), grant)
    _, html = person(setup.partners["b"]).get("/" + fresh(setup))
    assert "2030-06-20" in html and "ends" in html and "all of its partnerships" in html


def test_a_broker_sees_whose_turn_it_is_its_drafts_and_mandates(
    auth: Auth, client: FlaskClient, person: Browser
) -> None:
    # Given P open for signature (a signed, b and c not), Q with a draft not yet opened,
    # and a mandate from organisation c until a date
    setup = Setup(auth, client)
    q_hash = negotiated(setup, "Draft Q", ("x", "y"), open_it=False)
    p_hash = negotiated(setup, "Open P", ("a", "b", "c"))
    p = setup.partnership_id
    setup.app.execute(setup.as_("a"), SignAgreement(p, text_hash=p_hash))
    grant = GrantMandate(
        organisation_id=setup.orgs["c"], broker_id=auth.broker.actor_id, until="2031-01-31"
    )
    setup.app.execute(setup.as_("c"), grant)
    # When the broker opens its home
    status, html = person(auth.broker).get("/" + fresh(setup))
    assert status == 200
    # Then P waits for b and c to sign version 1 (not for a), with the hash to sign
    row = html.split(f'href="/partnerships/{p}"')[1].split("</tr>")[0]
    assert "b organisation" in row and "c organisation" in row and "a organisation" not in row
    assert "sign version 1" in row and p_hash in row
    # And Q's draft waits to be opened for signature
    drafts = html.split('id="drafts"')[1].split("</section>")[0]
    assert "Draft Q" in drafts and q_hash in drafts and "Open P" not in drafts
    # And the mandate shows its organisation, its end date and that it is in force
    mandates = html.split('id="mandates"')[1].split("</section>")[0]
    assert "c organisation" in mandates and "2031-01-31" in mandates and "in force" in mandates


def test_an_auditor_sees_only_its_granted_partnerships_and_the_checkpoint(
    auth: Auth, client: FlaskClient, person: Browser
) -> None:
    # Given P and Q, an auditor granted P only, and a signed checkpoint
    setup = Setup(auth, client)
    negotiated(setup, "Granted P", ("a", "b"))
    p = setup.partnership_id
    negotiated(setup, "Other Q", ("x", "y"))
    q = setup.partnership_id
    auditor = auth.auditor(p)
    sealed = auth.service.audit.sealer.seal()
    # When the auditor opens its home
    status, html = person(auditor).get("/" + fresh(setup))
    # Then P is listed, Q never; the checkpoint and the export link are there
    assert status == 200 and "Granted P" in html and f"/partnerships/{p}" in html
    assert q not in html and "Other Q" not in html
    assert sealed.root in html and 'href="/audit/export"' in html


def test_an_auditor_with_no_grant_sees_none(
    auth: Auth, client: FlaskClient, person: Browser
) -> None:
    setup = Setup(auth, client)
    negotiated(setup, "Somebody's P", ("a", "b"))
    _, html = person(auth.auditor()).get("/" + fresh(setup))
    assert "Somebody" not in html and "No partnership is granted to you yet." in html


def test_an_admin_sees_counts_people_and_partnerships(
    auth: Auth, client: FlaskClient, person: Browser
) -> None:
    setup = active_partnership(auth, client, ("a", "b"))
    status, html = person(auth.admin).get("/" + fresh(setup))
    assert status == 200 and 'href="/people"' in html and "Care rounds" in html
    counts = dict(re.findall(r"<dt>(\w+)</dt><dd>(?:<a [^>]+>)?(\d+)", html))
    # admin, broker, two partners; two organisations; one partnership
    assert counts == {"Partnerships": "1", "Organisations": "2", "Actors": "4"}


def test_a_bad_min_position_is_not_a_server_error(auth: Auth, person: Browser) -> None:
    for query in ("?min_position=abc", "?min_position=99999999999999999999", "?x=%00"):
        status, _ = person(auth.broker).get("/" + query)
        assert status == 200, query


# -- whose turn it is: the pure function -------------------------------------------------


def member(org: str, status: str = "active", **fields: object) -> dict[str, object]:
    return {
        "organisation_id": org,
        "status": status,
        "signatory": True,
        "needs_accession": False,
        "commitments": [],
        **fields,
    }


def test_turns_follow_the_work_from_draft_to_deliveries() -> None:
    draft = {"status": "negotiating", "members": [member("a"), member("b", "invited")]}
    draft["versions"] = [{"number": 1, "status": "draft", "text_hash": "h1"}]
    assert turns(draft) == [
        Turn("open", STEWARDS, version=1, text_hash="h1"),
        Turn("answer", "b"),
    ]
    signing = {
        "status": "awaiting_signatures",
        "pending_hash": "h1",
        "pending_version": 1,
        "members": [member("a"), member("b"), member("c", signatory=False)],
        "signatures": [{"text_hash": "h1", "organisation_id": "a"}],
    }
    assert turns(signing) == [Turn("sign", "b", version=1, text_hash="h1")]
    delivery = {"deliveries": [{"delivery_id": "d1", "status": "reported"}]}
    pledge = {
        "commitment_id": "c1",
        "organisation_id": "b",
        "recipient": "pool",
        "status": "in_delivery",
    }
    active = {
        "status": "active",
        "lead_organisation": "a",
        "members": [member("a"), member("b", commitments=[{**pledge, **delivery}])],
    }
    assert turns(active) == [Turn("confirm_delivery", "a", commitment_id="c1", delivery_id="d1")]
    assert turns({**active, "status": "terminated"}) == []


def test_no_turn_is_read_into_an_invitation_only_view() -> None:
    view = {"partnership_id": str(uuid.uuid4()), "title": "T", "invitation": {}}
    assert turns(view) == []
