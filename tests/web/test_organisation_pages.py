"""Organisation pages: the public register (search, paging), one organisation with its
partnerships and ledger as far as the person sees them, and its field history."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from flask.testing import FlaskClient

from collab.commitments.commands import ConfirmCommitment, Pledge
from collab.organisations.commands import CorrectOrganisation, RegisterOrganisation
from tests.api.conftest import SECTOR_TYPES, TERRITORY, Auth
from tests.api.setup_partnership import Setup, active_partnership, command
from tests.web.conftest import Person

Browser = Callable[..., Person]
ROW_RE = re.compile(r'<td><a href="/organisations/([0-9a-f-]{36})" dir="auto">')


def register(auth: Auth, name: str, sector: str = "civil_society", ident: str = "") -> str:
    """Given an organisation registered by the broker: its id."""
    out = auth.service.app.execute(
        command(auth.broker),
        RegisterOrganisation(
            identifiers=[{"scheme": "PT-NIPPC", "id": ident or uuid.uuid4().hex[:12]}],
            legal_name=name,
            org_type=SECTOR_TYPES[sector],
            sector=sector,
            territory=TERRITORY,
        ),
    )
    org_id: str = out.result["organisation_id"]
    return org_id


def listed(html: str) -> list[str]:
    """The organisation ids in the register's table, in order."""
    return ROW_RE.findall(html)


def test_the_register_finds_a_name_without_case_or_accents(auth: Auth, person: Browser) -> None:
    # Given two organisations
    senior = register(auth, "Associação Sénior de Évora")
    other = register(auth, "Junta de Freguesia")
    browser = person(auth.admin)
    # When a person searches a part of the name, without accents and in another case
    status, html = browser.get("/organisations?q=SENIOR+de+evora")
    # Then only the matching one is listed, its name as recorded
    assert status == 200 and listed(html) == [senior]
    assert "Associação Sénior de Évora" in html
    # And an empty search lists the whole register, by name
    _, everything = browser.get("/organisations")
    assert listed(everything) == [senior, other]


def test_the_register_finds_an_identifier_with_or_without_its_scheme(
    auth: Auth, person: Browser
) -> None:
    wanted = register(auth, "Casa do Povo", ident="500123456")
    register(auth, "Casa do Povo", ident="500123457")
    browser = person(auth.broker)
    for typed in ("500123456", "PT-NIPPC-500123456", "pt-nippc 500123456", "PT-NIPPC:500123456"):
        status, html = browser.get(f"/organisations?identifier={typed}")
        assert status == 200 and listed(html) == [wanted], typed
    _, none = browser.get("/organisations?identifier=50012345")  # a part is not an identifier
    assert listed(none) == [] and "No organisation matches." in none


def test_the_register_pages_fifty_at_a_time(auth: Auth, person: Browser) -> None:
    # Given 53 organisations whose names share a word, and one that does not
    ids = [register(auth, f"Cooperativa {n:02d}") for n in range(53)]
    register(auth, "Somebody else")
    browser = person(auth.admin)
    # When a person searches, Then the first page holds 50 and links to the next
    _, first = browser.get("/organisations?q=cooperativa")
    assert listed(first) == ids[:50] and "53 organisations found" in first
    next_url = re.search(r'<a href="([^"]+)" rel="next">', first)
    assert next_url is not None and 'rel="prev"' not in first
    # And the next page holds the rest, links back, and keeps the search
    _, second = browser.get(next_url.group(1).replace("&amp;", "&"))
    assert listed(second) == ids[50:] and 'rel="prev"' in second and 'rel="next"' not in second


def test_bad_search_values_are_a_clear_422_page(auth: Auth, person: Browser) -> None:
    browser = person(auth.broker)
    for query in (
        "page=0",
        "page=abc",
        "page=-1",
        "page=%EF%BC%91",  # a full-width digit
        "page=99999999999999999999999",
        "sector=nobody",
        "q=" + "x" * 201,
        "identifier=" + "y" * 201,
    ):
        status, html = browser.get(f"/organisations?{query}")
        assert status == 422, query
        assert "<h1>Please check what you entered</h1>" in html, query
    # Odd but harmless values are searched for, never a server error
    for query in ("q=%00", "q=%25_%5C", "identifier=%F0%9F%98%80", "q=&page=9"):
        status, _ = browser.get(f"/organisations?{query}")
        assert status == 200, query


def test_an_organisation_shows_its_record_partnerships_and_ledger(
    auth: Auth, client: FlaskClient, person: Browser
) -> None:
    # Given an active partnership where b pledged 100 hours and delivered 40
    setup = active_partnership(auth, client)
    cid = setup.pledge("b", value="100")
    setup.deliver("b", cid, quantity="40")
    org = setup.orgs["b"]
    # When a fellow member opens b's page
    status, html = person(setup.partners["a"]).get(
        f"/organisations/{org}?min_position={setup.head()}"
    )
    # Then it shows the register's record, the partnership, and the ledger with totals
    assert status == 200 and '<h1 dir="auto">b organisation</h1>' in html
    assert "PT-NIPPC" in html and "National NGO" in html and "PT1C2" in html
    assert f'href="/partnerships/{setup.partnership_id}"' in html and "Care rounds" in html
    ledger = html.split('id="ledger"')[1]
    assert "staff time" in ledger and re.search(
        r'<td class="num">100</td>\s*<td class="num">40</td>', ledger
    )
    assert f'href="/organisations/{org}/fields"' in html


def test_an_outsider_sees_the_register_but_not_the_partnerships(
    auth: Auth, client: FlaskClient, person: Browser
) -> None:
    setup = active_partnership(auth, client, ("a", "b"))
    setup.pledge("b")
    stranger = Setup(auth, client)
    stranger.org("z")
    status, html = person(stranger.partners["z"]).get(f"/organisations/{setup.orgs['b']}")
    assert status == 200 and "b organisation" in html
    assert setup.partnership_id not in html and "Care rounds" not in html
    assert "No partnership you see." in html and "No commitment in a partnership you see." in html


def test_an_unknown_or_malformed_organisation_is_not_found(
    auth: Auth, client: FlaskClient, person: Browser
) -> None:
    setup = active_partnership(auth, client, ("a", "b"))
    browser = person(auth.broker)
    for path in (
        f"/organisations/{uuid.uuid4()}",
        "/organisations/not-an-id",
        f"/organisations/{setup.partnership_id}",  # a partnership's id is no organisation's
        f"/organisations/{uuid.uuid4()}/fields",
        "/organisations/%00/fields",
    ):
        status, html = browser.get(path)
        assert status == 404 and "<h1>Not found</h1>" in html, path


def test_an_organisation_field_history_shows_each_value(auth: Auth, person: Browser) -> None:
    org = register(auth, "Old name")
    auth.service.app.execute(
        command(auth.broker),
        CorrectOrganisation(organisation_id=org, changes={"legal_name": "Nome novo, Ação"}),
    )
    status, html = person(auth.broker).get(f"/organisations/{org}/fields")
    assert status == 200 and '<h1>Field history: <span dir="auto">Nome novo, Ação</span>' in html
    names = html.split(">legal name</h2>")[1].split("</table>")[0]
    assert names.index("Old name") < names.index("Nome novo, Ação")


def test_an_organisation_page_and_home_list_the_commitments_it_receives(
    auth: Auth, client: FlaskClient, person: Browser
) -> None:
    # Given b's pledge to c of 10 hours valued 200 EUR, 4 of them delivered, and a's pledge
    # to the pool
    setup = active_partnership(auth, client)
    out = setup.app.execute(
        setup.as_("b"),
        Pledge(
            setup.partnership_id,
            contribution_type="expertise",
            quantity={"value": "10", "unit": "hour"},
            valuation={"method": "market_value", "amount": "200", "currency": "EUR"},
            recipient=setup.orgs["c"],
        ),
    )
    cid = out.result["commitment_id"]
    setup.app.execute(setup.as_("b"), ConfirmCommitment(cid))
    setup.deliver("b", cid, quantity="4")
    setup.pledge("a", value="7")
    fresh = f"?min_position={setup.head()}"
    # When a fellow member opens c's page
    status, html = person(setup.partners["a"]).get(f"/organisations/{setup.orgs['c']}{fresh}")
    # Then c made nothing, and receives b's commitment, named, with its totals and value
    assert status == 200
    made = html.split('id="made"')[1].split('id="received"')[0]
    assert "None in a partnership you see." in made
    received = html.split('id="received"')[1]
    assert f'<a href="/organisations/{setup.orgs["b"]}" dir="auto">b organisation</a>' in received
    assert "expertise" in received and '<td class="num">7</td>' not in received
    assert re.search(r'<td class="num">10</td>\s*<td class="num">4</td>', received)
    assert "200 EUR" in received
    # And a's page lists its pool pledge as made, to the pool, and nothing as received
    _, lead = person(setup.partners["b"]).get(f"/organisations/{setup.orgs['a']}{fresh}")
    assert "the partnership's pool" in lead.split('id="made"')[1].split('id="received"')[0]
    assert "None in a partnership you see." in lead.split('id="received"')[1]
    # And c's home shows the commitment made to it
    _, home = person(setup.partners["c"]).get(f"/{fresh}")
    assert "Commitments to your organisation" in home and "b organisation" in home
    # While an outsider sees none of it
    stranger = Setup(auth, client)
    stranger.org("z")
    _, outside = person(stranger.partners["z"]).get(f"/organisations/{setup.orgs['c']}")
    assert "No commitment in a partnership you see." in outside and cid not in outside
    assert "b organisation" not in outside
