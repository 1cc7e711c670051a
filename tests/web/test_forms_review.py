"""The explorer's forms under attack and in Portuguese (a review of issue 14).

Hostile input gives no 500 on any store; a foreign id the same 404 as an unknown one; an
auditor no form; every form's CSRF check holds; the language switch never redirects off
the site; refusals are said in the reader's language; forms land at what they changed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from collab.agreements.commands import ProposeAmendment
from collab.organisations.commands import GrantMandate
from collab.stores import StoreConfig
from tests.api.conftest import Auth, Caller, make_app
from tests.api.setup_partnership import Setup, active_partnership
from tests.application.world import terms
from tests.web.conftest import Person, csrf_of
from tests.web.test_forms_agreement import draft_form, negotiating
from tests.web.test_forms_commitments import cash
from tests.web.test_forms_membership import invited, member
from tests.web.test_forms_membership import negotiating as scoping
from tests.web.test_forms_organisations import organisation_form

People = Callable[[Caller], Person]
PT = {"Accept-Language": "pt"}
REFERENCE_RE = re.compile(r"Reference: <code>[^<]*</code>")
CSRF_RE = re.compile(r'name="csrf_token" value="[^"]*"')
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
POST_FORM_RE = re.compile(r"<form[^>]*>", re.S)


# -- a world with something to act on ------------------------------------------------------


def world(auth: Auth, client: FlaskClient) -> tuple[Setup, dict[str, str]]:
    """An active partnership of a (lead), b, c; b's pledge to the pool with a reported
    delivery; a's mandate to the broker."""
    setup = active_partnership(auth, client)
    cid = setup.pledge("b")
    did = setup.deliver("b", cid)
    grant = GrantMandate(organisation_id=setup.orgs["a"], broker_id=auth.broker.actor_id)
    mid = setup.app.execute(setup.as_("a"), grant).result["mandate_id"]
    return setup, {"cid": cid, "did": did, "mid": mid}


def form_routes(setup: Setup, ids: dict[str, str]) -> list[str]:
    """Every form page of issue 14, on this world's ids."""
    p, oid = setup.url, setup.orgs["a"]
    c = f"/commitments/{ids['cid']}"
    d = f"{c}/deliveries/{ids['did']}"
    return [
        "/organisations/new",
        f"/organisations/{oid}/mandates",
        f"/organisations/{oid}/mandates/{ids['mid']}/revocation",
        "/partnerships/new",
        *(f"{p}/{x}" for x in ("invite", "join", "decline", "withdraw", "versions/new")),
        *(f"{p}/{x}" for x in ("amendments/new", "open-for-signature", "sign")),
        *(f"{p}/{x}" for x in ("reject-amendment", "decisions/new", "pledge")),
        *(f"{c}/{x}" for x in ("confirm", "deliveries/new", "withdraw")),
        *(f"{d}/{x}" for x in ("correct", "confirm", "dispute")),
    ]


def blanked(html: str) -> str:
    """A page with what differs between two requests blanked: ids, token, reference."""
    return UUID_RE.sub("ID", CSRF_RE.sub("CSRF", REFERENCE_RE.sub("REF", html)))


def post(who: Person, path: str, data: Any) -> tuple[int, str]:
    """Post a form with the person's CSRF token (from its home page)."""
    token = csrf_of(who.client.get("/").text)
    body = MultiDict(data)
    body.add("csrf_token", token)
    response = who.client.post(path, data=body)
    return response.status_code, response.text


# -- 1. no input causes a 500 --------------------------------------------------------------


@pytest.mark.parametrize(
    "where",
    ["identifiers.².id", "terms.shared_objectives.²", "terms.member_objectives.{org}.²"],
)
def test_a_non_ascii_digit_as_a_list_index_is_refused_not_a_500(
    auth: Auth, client: FlaskClient, person: People, where: str
) -> None:
    # Given a broker who may register organisations and draft a partnership's agreement
    setup = negotiating(auth, client)
    broker = person(setup.broker)
    name = where.format(org=setup.orgs["a"])
    if name.startswith("identifiers"):
        path, form = "/organisations/new", organisation_form(**{name: "x"})
    else:
        path, form = f"{setup.url}/versions/new", draft_form(setup, **{name: "x"})
    before = setup.head()
    # When an input's list index is a digit that is not 0-9 ("²".isdigit() is True)
    status, _ = post(broker, path, form)
    # Then the form is refused (or the input ignored), never a 500; nothing recorded
    assert status < 500, (path, name)
    assert setup.head() == before or status == 303


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request: pytest.FixtureRequest) -> Iterator[Flask]:
    config: StoreConfig = request.getfixturevalue(f"{request.param}_config")
    app = make_app(config)
    yield app
    app.extensions["collab"].close()


HOSTILE = ["a\x00b", "\x00", "9" * 40, "1e999", "é" * 3000, "-1", "NaN"]


def test_hostile_values_in_valid_forms_are_refused_on_every_store_never_a_500(
    any_store: Flask,
) -> None:
    # Given, on this store, a broker and a member with forms they may post
    auth, client = Auth(any_store), any_store.test_client()
    setup = active_partnership(auth, client)
    broker, b = Person(any_store, auth.broker).sign_in(), Person(any_store, setup.partners["b"])
    b.sign_in()
    votes = {f"votes.{o}": "for" for o in setup.orgs.values()}
    cases = [
        (broker, "/organisations/new", organisation_form()),
        (b, f"{setup.url}/pledge", cash(setup)),
        (broker, f"{setup.url}/decisions/new", {"body": "AG", "subject.action": "other", **votes}),
    ]
    for who, path, form in cases:
        for key in [*form, "reason", "on_behalf_of", "effective_date"]:
            for value in HOSTILE:
                before = setup.head()
                # When one input holds a hostile value (NUL, huge, exponent, wrong type)
                status, _ = post(who, path, {**form, key: value})
                # Then no 500, and a refusal records nothing
                assert status < 500, (path, key, value[:10])
                assert status == 303 or setup.head() == before, (path, key, value[:10])


def test_hostile_queries_on_the_new_pages_are_never_a_500(
    any_store: Flask,
) -> None:
    auth, client = Auth(any_store), any_store.test_client()
    setup = active_partnership(auth, client)
    b = Person(any_store, setup.partners["b"]).sign_in()
    diff = f"{setup.url}/versions/diff"
    for url in (
        f"{diff}?from=%00",
        f"{diff}?from=" + "9" * 40,
        f"{diff}?from=1&from=2&to=%FF",
        f"{diff}?from=99&to=1",
        f"{diff}?min_position=9223372036854775808",
        "/map?country=%00",
        "/map?nuts=PT%00",
        "/map?country=" + "A" * 5000,
        "/proofs/0",
        "/proofs/" + "9" * 40,
        "/proofs/9223372036854775808",
        "/partnerships/%00/pledge",
        "/commitments/%00/confirm",
        f"/organisations/{setup.orgs['a']}/mandates/%00/revocation",
        "/language?lang=%00&next=/%00",
    ):
        assert b.client.get(url).status_code < 500, url


# -- 2. visibility and authority -----------------------------------------------------------


def test_a_foreign_partnerships_forms_are_the_404_of_unknown_ids_and_record_nothing(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup, ids = world(auth, client)
    setup.org("d")
    outsider = person(setup.partners["d"])
    before = setup.head()
    for path in [*form_routes(setup, ids)[2:3], *form_routes(setup, ids)[4:]]:
        unknown = path
        for known in (setup.partnership_id, *ids.values()):
            unknown = unknown.replace(known, str(uuid.uuid4()))
        for method in ("GET", "POST"):
            token = {"csrf_token": csrf_of(outsider.client.get("/").text)}
            data = token if method == "POST" else None
            seen = outsider.client.open(path, method=method, data=data)
            none = outsider.client.open(unknown, method=method, data=data)
            assert seen.status_code == none.status_code == 404, (method, path)
            assert blanked(seen.text) == blanked(none.text), (method, path)
    diff = outsider.client.get(f"{setup.url}/versions/diff?from=1")
    none = outsider.client.get(f"/partnerships/{uuid.uuid4()}/versions/diff?from=1")
    assert diff.status_code == none.status_code == 404
    assert blanked(diff.text) == blanked(none.text)
    assert setup.head() == before


def test_an_auditor_gets_no_form_anywhere_and_records_nothing(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup, ids = world(auth, client)
    auditor = person(auth.auditor(setup.partnership_id))
    before = setup.head()
    for path in form_routes(setup, ids):
        assert auditor.get(path)[0] in (403, 404), path
        assert post(auditor, path, {})[0] in (403, 404), path
    readable = [
        "/",
        setup.url,
        f"{setup.url}/timeline",
        f"{setup.url}/versions/diff",
        "/map",
        f"/organisations/{setup.orgs['a']}",
        f"/commitments/{ids['cid']}/timeline",
        "/audit",
    ]
    for path in readable:
        status, html = auditor.get(path)
        assert status == 200, path
        forms = [f for f in POST_FORM_RE.findall(html) if 'method="post"' in f]
        assert all('action="/signout"' in f for f in forms), (path, forms)
    assert setup.head() == before


# -- 3. CSRF ------------------------------------------------------------------------------


def test_every_form_refuses_a_missing_wrong_or_foreign_csrf_token_and_records_nothing(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup, ids = world(auth, client)
    a, b, broker = (person(c) for c in (setup.partners["a"], setup.partners["b"], auth.broker))
    foreign = csrf_of(broker.client.get("/").text)
    before = setup.head()
    for path in form_routes(setup, ids):
        for who in (a, b):  # those who could act here (an empty body succeeds on several)
            for data in ({}, {"csrf_token": "x"}, {"csrf_token": foreign}):
                response = who.client.post(path, data=data)
                assert response.status_code == 400, (path, data)
    assert setup.head() == before


# -- 5. what brokers, partners and auditors meet ------------------------------------------


def test_the_language_switch_never_leaves_the_site(client: FlaskClient) -> None:
    for raw in (
        "%2F%2Fevil.example",
        "%2F%5Cevil.example",
        "/%2F%2Fevil.example",
        "%09//evil.example",
        "/%09/evil.example",
        "https:evil.example",
        "%EF%BC%8F%EF%BC%8Fevil.example",
        "http:%5C%5Cevil.example",
        "%0D%0ASet-Cookie:x=1",
    ):
        response = client.get(f"/language?lang=pt&next={raw}")
        location = response.headers["Location"]
        assert response.status_code == 303 and location == "/", raw


@pytest.mark.parametrize("case", ["confirm-delivery", "join"])
def test_refusals_of_the_new_forms_are_said_in_portuguese(
    auth: Auth, client: FlaskClient, person: People, case: str
) -> None:
    # Given a partnership in force with b's delivery to the pool (the lead, a, confirms it)
    setup, ids = world(auth, client)
    b = person(setup.partners["b"])
    # 403s of the forms' own authority checks, missing from validation_texts.DOMAIN
    who, path, text = {
        "confirm-delivery": (
            b,
            f"/commitments/{ids['cid']}/deliveries/{ids['did']}/confirm",
            "only the recipient (for the pool, the lead) confirms deliveries",
        ),
        "join": (  # b is a member, not invited, and acts for no one else
            b,
            f"{setup.url}/join",
            "there is no open invitation for this organisation",
        ),
    }[case]
    # When a Portuguese reader opens the page (b, a member, may open the join page: its
    # refusal comes when it answers)
    if case == "join":
        token = csrf_of(who.client.get("/").text)
        response = who.client.post(path, data={"csrf_token": token}, headers=PT)
    else:
        response = who.client.get(path, headers=PT)
    # Then the refusal is in Portuguese
    assert response.status_code == (409 if case == "join" else 403)
    assert "Nada foi registado." in response.text or case != "join"
    assert text not in response.text, (path, text)


def test_a_rule_the_domain_enforces_is_said_in_portuguese_beside_the_form(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given a partnership in scoping led by a, with c already invited
    setup, pid = invited(auth, client, "c")
    broker = person(setup.broker)
    broker.client.set_cookie("collab_lang", "pt")
    form = {"organisation_id": setup.orgs["c"], "roles": ["implementer"], "weight": "1"}
    # When the broker invites c again, in Portuguese
    status, html = post(broker, f"/partnerships/{pid}/invite", form)
    # Then the 409's text beside the form is Portuguese, not the domain's English
    assert status == 409
    assert "the organisation is already invited" not in html


@pytest.mark.parametrize(
    ("query", "english"),
    [
        ("{url}/versions/diff?from=99", "no version 99"),  # web/change_pages.py no_version
        ("/map?country=zz", "String does not match expected pattern"),  # field-prefixed
    ],
)
def test_the_diff_and_map_refusals_are_said_in_portuguese(
    auth: Auth, client: FlaskClient, person: People, query: str, english: str
) -> None:
    setup = active_partnership(auth, client)
    b = person(setup.partners["b"])
    refused = b.client.get(query.format(url=setup.url), headers=PT)
    assert refused.status_code == 422 and english not in refused.text


def test_the_partnership_page_names_units_in_portuguese(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given b's pledge of 100 hours with a delivery of 40
    setup = active_partnership(auth, client)
    cid = setup.pledge("b")
    setup.deliver("b", cid)
    html = person(setup.partners["a"]).client.get(
        f"{setup.url}?min_position={setup.head()}", headers=PT
    )
    commitments = html.text.split("<h2>Compromissos</h2>", 1)[1].split("<h2>", 1)[0]
    # Then the unit is Portuguese wherever an amount is shown (as the ledger shows it)
    assert "hora(s)" in commitments
    assert "<td>hour</td>" not in commitments, "totals table"
    assert "100 hour" not in commitments, "commitment row"
    assert "40 hour" not in commitments, "delivery row"


def test_each_form_lands_at_what_it_changed(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given a partnership in force; its broker records a decision on the form
    setup = active_partnership(auth, client)
    broker = person(auth.broker)
    votes = {f"votes.{o}": "for" for o in setup.orgs.values()}
    form = {"body": "Assembly", "subject.action": "other", **votes}
    token = csrf_of(broker.client.get(f"{setup.url}/decisions/new").text)
    response = broker.client.post(f"{setup.url}/decisions/new", data={"csrf_token": token, **form})
    assert response.status_code == 303
    page, anchor = response.location.split("#")
    html = broker.client.get(f"{page}?min_position={setup.head()}").text
    # Then the page it lands on has the place its address points to, as have the
    # agreement forms' #version-N, #signatures-N and #agreement
    setup.app.execute(setup.as_("a"), ProposeAmendment(setup.partnership_id, 1, terms("v2")))
    html = broker.client.get(f"{page}?min_position={setup.head()}").text
    missing = [
        x for x in (anchor, "version-2", "signatures-1", "agreement") if f'id="{x}"' not in html
    ]
    assert not missing


def test_the_invitation_form_refuses_a_signatory_value_it_does_not_offer(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given a partnership in scoping and the broker on its invitation form
    setup, pid = scoping(auth, client)
    broker = person(setup.broker)
    before = setup.head()
    form = {
        "organisation_id": setup.orgs["b"],
        "roles": ["implementer"],
        "weight": "1",
        "signatory": "maybe",
    }
    # When "signatory" holds neither of the choices offered (true / false)
    status, _ = post(broker, f"/partnerships/{pid}/invite", form)
    # Then it is refused as the API refuses it (422), not recorded as "not a signatory"
    if status == 303:
        recorded = member(client, auth, pid, setup.orgs["b"])["signatory"]
        pytest.fail(f"recorded with signatory={recorded}")
    assert status == 422 and setup.head() == before


def test_a_broker_acting_for_an_invited_member_is_shown_the_answer_link(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given c invited, and the partnership's broker (who sees the members' view) holding
    # c's mandate: the answer form serves it (web/forms_membership.py open_invitations)
    setup, pid = invited(auth, client, "c")
    grant = GrantMandate(organisation_id=setup.orgs["c"], broker_id=auth.broker.actor_id)
    setup.app.execute(setup.as_("c"), grant)
    broker = person(auth.broker)
    status, form = broker.get(f"/partnerships/{pid}/join")
    assert status == 200 and "c organisation" in form
    # When it reads the partnership's page
    html = broker.get(f"{setup.url}?min_position={setup.head()}")[1]
    actions = html.split('id="actions-h"', 1)[1].split("</section>", 1)[0]
    # Then "What you can do" offers the answer to the invitation
    assert f'href="/partnerships/{pid}/join"' in actions
