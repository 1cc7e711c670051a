"""Seeing change: the diff between two agreement versions, the commitments chart on the
partnership page, and the collaboration map as a picture; each read through the same
gates as the API's read of the same thing (the 404 of an unknown id for whoever may not
see a partnership), a bad query value a 422 page."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from typing import Any

from flask.testing import FlaskClient

from collab.agreements.commands import ProposeAmendment
from collab.commitments.commands import ConfirmCommitment, ConfirmDelivery, Pledge
from collab.partnerships.commands import InviteMember, JoinPartnership
from tests.api.conftest import Auth
from tests.api.setup_partnership import Setup, active_partnership, command, initiation
from tests.application.world import terms
from tests.web.test_partnership_pages import (
    PROBLEM_H1,
    People,
    not_found_body,
    partnership_open_for_signature,
    text,
)
from web import charts, diff, map_picture

AMOUNT_RE = re.compile(r'<text class="amount" data-measure="(\w+)"[^>]*>([^<]+)</text>')


def amended(setup: Setup) -> str:
    """Version 2 proposed on version 1 in force: a new vision's words, an objective added
    and one reworded, a higher quorum, a longer notice, b's own objective."""
    new = terms("A shared and bold vision", quorum="60", notice=90)
    new["shared_objectives"] = ["Reach every village twice weekly", "Train local carers"]
    new["member_objectives"] = {setup.orgs["b"]: ["Run the evening rounds"]}
    pid = setup.partnership_id
    out = setup.app.execute(command(setup.broker), ProposeAmendment(pid, base_version=1, terms=new))
    return str(out.result["text_hash"])


def section(html: str, start: str, end: str = "</section>") -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def test_the_diff_shows_the_changed_terms_and_both_hashes_in_full(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given a partnership in force on version 1, and version 2 proposed as an amendment
    setup = active_partnership(auth, client, notice=30)
    first = setup.partnership().versions[0].hash
    second = amended(setup)
    member = person(setup.partners["c"])
    # When a member opens the partnership page and follows its link to the diff
    _, page = member.get(setup.url)
    link = f"/partnerships/{setup.partnership_id}/versions/diff"
    assert f'href="{link}"' in page and f'href="{link}?from=1&amp;to=2"' in page
    status, html = member.get(link)
    # Then both versions' hashes are shown in full, with which version amends which
    assert status == 200
    assert f'<code class="hash">{first}</code>' in html
    assert f'<code class="hash">{second}</code>' in html
    assert "amends version 1" in html
    # And each changed term says what changed, with the words marked in text, not colour
    read = text(html)
    assert '<ins><span class="mark">inserted:</span> and bold </ins>' in html
    assert "Quorum Was: 50% · now: 60%" in read
    assert "Exit notice Was: 30 days · now: 90 days" in read
    assert "changed Reach every village inserted: twice weekly" in read
    assert "added Train local carers" in read
    assert "Objectives of a member: b organisation added Run the evening rounds" in read
    # And what did not change is listed by name
    unchanged = section(html, "<h2>Unchanged terms</h2>", "</ul>")
    assert "Review schedule" in unchanged and "Governance rule" in unchanged
    assert "Vision" not in unchanged


def test_the_diff_compares_any_two_versions_either_way(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup = active_partnership(auth, client)
    amended(setup)
    member = person(setup.partners["a"])
    base = f"/partnerships/{setup.partnership_id}/versions/diff"
    # When a member compares version 2 back to version 1
    status, html = member.get(f"{base}?from=2&to=1")
    # Then the words and items go the other way
    assert status == 200
    assert '<del><span class="mark">deleted:</span> and bold </del>' in html
    assert "removed Train local carers" in text(html)
    # And a version compared with itself has nothing to compare
    _, same = member.get(f"{base}?from=1&to=1")
    assert "there is nothing to compare" in same
    # And the form offers both versions, the chosen ones selected
    assert '<option value="2" selected>' in html and '<option value="1" selected>' in html


def test_a_single_version_and_no_version_say_so(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup = active_partnership(auth, client)
    member = person(setup.partners["a"])
    status, html = member.get(f"/partnerships/{setup.partnership_id}/versions/diff")
    assert status == 200 and "there is nothing to compare" in html
    assert "versions/diff" not in section(
        member.get(setup.url)[1], '<h2 id="agreement">Agreement</h2>', "<h2>"
    )
    pid = str(setup.app.execute(command(setup.broker), initiation()).result["partnership_id"])
    status, html = person(setup.broker).get(f"/partnerships/{pid}/versions/diff")
    assert status == 200 and "No agreement text yet." in html


def test_who_may_not_see_the_partnership_gets_the_404_of_an_unknown_id(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given a partnership with two versions and an outsider; another where d is invited only
    setup = active_partnership(auth, client)
    amended(setup)
    setup.org("x")
    other = Setup(auth, client)
    invited, _ = partnership_open_for_signature(other, "d")
    viewers = [
        (setup.partners["x"], setup.partnership_id),
        (auth.auditor(), setup.partnership_id),
        (other.partners["d"], invited),
    ]
    for who, pid in viewers:
        viewer = person(who)
        for query in ("", "?from=1&to=2", "?from=zzz"):
            # When it asks for the diff of P, and of an id nobody has
            unknown = str(uuid.uuid4())
            status, html = viewer.get(f"/partnerships/{pid}/versions/diff{query}")
            other_status, answer = viewer.get(f"/partnerships/{unknown}/versions/diff{query}")
            # Then both are the same 404 (before the query is looked at)
            assert status == other_status == 404, query
            assert not_found_body(html, pid) == not_found_body(answer, unknown)
            assert "shared vision" not in html
    # While an auditor granted the partnership reads it
    granted = person(auth.auditor(setup.partnership_id))
    assert granted.get(f"{setup.url}/versions/diff")[0] == 200


def test_bad_query_values_are_a_422_page_never_a_500(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup = active_partnership(auth, client)
    amended(setup)
    member = person(setup.partners["a"])
    for path in (
        f"{setup.url}/versions/diff?from=zzz",
        f"{setup.url}/versions/diff?from=0",
        f"{setup.url}/versions/diff?to=-1",
        f"{setup.url}/versions/diff?from=3",
        f"{setup.url}/versions/diff?to=99999999999999999999",
        f"{setup.url}/versions/diff?from=1.5",
        "/partnerships/not-an-id/versions/diff",
        "/map?country=pt",
        "/map?country=PRT",
        "/map?nuts=pt1",
        "/map?nuts=PT1C2X",
        "/map?min_position=-1",
    ):
        status, html = member.get(path)
        assert status == 422 and PROBLEM_H1 in html, path


# -- the chart -----------------------------------------------------------------------------


def pledge(setup: Setup, key: str, value: str, unit: str = "hour", confirm: bool = True) -> str:
    cash = unit == "EUR"
    valuation = {"method": "actual_cost", "amount": value, "currency": unit}
    out = setup.app.execute(
        setup.as_(key),
        Pledge(
            setup.partnership_id,
            contribution_type="cash" if cash else "staff_time",
            quantity={"value": value, "unit": unit},
            valuation=valuation if cash else {"method": "not_valued"},
        ),
    )
    cid = str(out.result["commitment_id"])
    if confirm:
        setup.app.execute(setup.as_(key), ConfirmCommitment(cid))
    return cid


def cells(table: str) -> list[list[str]]:
    """The texts of a table body's cells, row by row."""
    body = table.split("<tbody>", 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [[text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)] for r in rows]


def view_totals(setup: Setup) -> dict[tuple[str, str], dict[str, Decimal]]:
    """The API view's totals summed over members: committed and confirmed deliveries."""
    response = setup.client.get(
        f"/v1/partnerships/{setup.partnership_id}/view", headers=setup.auth.admin.headers()
    )
    sums: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    for m in body["members"]:
        for t in m["totals"]:
            row = sums[(t["contribution_type"], t["unit"])]
            row["pledged"] += Decimal(t["committed"])
            row["delivered"] += Decimal(t["confirmed"])
    return sums


def test_the_chart_draws_the_views_totals_per_type_and_unit(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given b pledged 100 hours (confirmed) and delivered 40 (confirmed by the lead), c
    # pledged 25.5 hours (not confirmed) and 1000 EUR (confirmed)
    setup = active_partnership(auth, client)
    hours = pledge(setup, "b", "100")
    delivery = setup.deliver("b", hours, "40")
    setup.app.execute(setup.as_("a"), ConfirmDelivery(hours, delivery_id=delivery))
    pledge(setup, "c", "25.5", confirm=False)
    pledge(setup, "c", "1000", unit="EUR")
    # When a member opens the partnership page
    status, html = person(setup.partners["a"]).get(setup.url)
    assert status == 200
    chart = section(html, '<section class="commitments-chart"')
    # Then there is one picture of totals per type and unit, with the view's numbers
    pictures = re.findall(r'<svg class="chart bars".*?</svg>', chart, re.S)
    assert len(pictures) == 2
    drawn = [dict(AMOUNT_RE.findall(svg)) for svg in pictures]
    totals = view_totals(setup)
    assert sorted(totals) == [("cash", "EUR"), ("staff_time", "hour")]
    for svg, key in zip(drawn, sorted(totals), strict=True):
        assert Decimal(svg["pledged"].replace(",", "")) == totals[key]["pledged"]
        assert Decimal(svg["delivered"].replace(",", "")) == totals[key]["delivered"]
    assert drawn[1] == {"pledged": "125.5", "confirmed": "100", "delivered": "40"}
    assert drawn[0] == {"pledged": "1,000", "confirmed": "1,000", "delivered": "0"}
    # And each picture is an image with a title and a description
    for svg in pictures:
        assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
        assert "style=" not in svg
    assert "Pledged 125.5, confirmed 100, delivered 40 (hour)." in chart
    # And over time: the delivery made in May, the pledges and confirmations in June
    months = section(chart, "in the months when something changed: Staff time (hour)", "</table>")
    rows = re.findall(r'<th scope="row"><time datetime="([\d-]+)">', months)
    assert rows == ["2030-05", "2030-06"]
    assert cells(months) == [
        ["May 2030", "0", "0", "40"],
        ["Jun 2030", "125.5", "100", "40"],
    ]
    assert chart.count('<svg class="chart lines"') == 2


def test_no_commitments_no_chart(auth: Auth, client: FlaskClient, person: People) -> None:
    setup = active_partnership(auth, client)
    _, html = person(setup.partners["a"]).get(setup.url)
    assert "commitments-chart" not in html and "No commitments yet." in html


def test_as_of_an_earlier_position_the_chart_is_as_it_stood(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup = active_partnership(auth, client)
    pledge(setup, "b", "100")
    before = setup.head()
    pledge(setup, "c", "30")
    member = person(setup.partners["a"])
    _, now = member.get(setup.url)
    _, then = member.get(f"{setup.url}?as_of_position={before}")
    assert dict(AMOUNT_RE.findall(now))["pledged"] == "130"
    assert dict(AMOUNT_RE.findall(then))["pledged"] == "100"


# -- the map -------------------------------------------------------------------------------


def partnership_in(setup: Setup, title: str, territory: dict[str, str], *keys: str) -> str:
    """A partnership in a territory with these organisations joined (no agreement yet)."""
    start = replace(initiation(title), territory=territory)
    pid = str(setup.app.execute(command(setup.broker), start).result["partnership_id"])
    for i, key in enumerate(keys):
        roles = ["lead"] if i == 0 else ["implementer"]
        invite = InviteMember(pid, organisation_id=setup.org(key), roles=roles, weight=1)
        setup.app.execute(command(setup.broker), invite)
        setup.app.execute(setup.as_(key), JoinPartnership(pid))
    return pid


def map_world(auth: Auth, client: FlaskClient) -> tuple[Setup, str, str]:
    """Two partnerships: Lisbon's of a (public) and b (private); Barcelona's of c and d."""
    setup = Setup(auth, client)
    setup.org("a", "public")
    setup.org("b", "private")
    lisbon = partnership_in(setup, "Lisbon rounds", {"country": "PT", "nuts": "PT1A0"}, "a", "b")
    barcelona = partnership_in(
        setup, "Barcelona rounds", {"country": "ES", "nuts": "ES511"}, "c", "d"
    )
    return setup, lisbon, barcelona


def test_the_map_shows_only_what_the_person_may_see(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    setup, lisbon, barcelona = map_world(auth, client)
    # When a partner of c (in Barcelona's only) opens the map
    status, html = person(setup.partners["c"]).get("/map")
    # Then the picture and its tables have Barcelona's partnership, not Lisbon's
    assert status == 200
    svg = re.findall(r'<svg class="network".*?</svg>', html, re.S)
    assert len(svg) == 1 and 'role="img"' in svg[0] and "style=" not in svg[0]
    assert "Barcelona rounds" in svg[0] and "c organisation" in svg[0]
    assert "Lisbon rounds" not in html and lisbon not in html
    assert "a organisation" not in html and "b organisation" not in html
    assert f'href="/partnerships/{barcelona}"' in html
    # And the counts by sector still cover both (aggregates are for everyone)
    sectors = section(html, '<table class="map-sectors">', "</table>")
    assert "Private sector + Public sector" in text(sectors)
    # And the admin sees both, organisations with a shape and a sector in words
    _, everything = person(auth.admin).get("/map")
    assert "Lisbon rounds" in everything and "Barcelona rounds" in everything
    assert "Public sector organisation (circle)" in everything
    assert "Private sector organisation (triangle)" in everything


def test_the_map_filters_by_territory_and_is_deterministic(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    _, lisbon, barcelona = map_world(auth, client)
    admin = person(auth.admin)
    # When the admin asks for Spain, then for a NUTS region's start in Portugal
    _, spain = admin.get("/map?country=ES")
    _, lisbon_area = admin.get("/map?nuts=PT1&country=")
    # Then each shows that territory's partnership only
    assert barcelona in spain and lisbon not in spain and 'value="ES"' in spain
    assert lisbon in lisbon_area and barcelona not in lisbon_area
    _, nowhere = admin.get("/map?nuts=FR")
    assert "<svg" not in section(nowhere, "<main", "</main>").split('class="legend"')[0]
    assert "No partnership you can see has members together in this territory." in nowhere
    # And the same data draws the same picture
    again = admin.get("/map?nuts=PT1&country=")[1]
    picture = re.compile(r'<svg class="network".*?</svg>', re.S)
    assert picture.findall(lisbon_area) == picture.findall(again)
    # And the tables list the nodes and the links
    rows = section(lisbon_area, '<table class="map-partnerships">', "</table>")
    assert "P1" in rows and "a organisation (Public sector)" in text(rows)
    assert "b organisation (Private sector)" in text(rows)


# -- the pure parts: words, layout, axis -----------------------------------------------------


def test_words_and_items_are_compared_as_a_reader_reads_them() -> None:
    # Punctuation is a token of its own: a word kept before a comma stays kept
    assert diff.words("every week", "every week, all year") == (
        diff.Piece("same", "every week"),
        diff.Piece("ins", ", all year"),
    )
    # A reworded item is changed; an unrelated replacement is removed and added
    listed = diff.items(
        ["Reach every village weekly", "Open a hub"], ["Reach every village", "Buy a van"]
    )
    assert [i.kind for i in listed] == ["changed", "removed", "added"]
    assert listed[0].pieces == (
        diff.Piece("same", "Reach every village"),
        diff.Piece("del", " weekly"),
    )
    # A term a version does not state reads as missing, never raises
    changes = diff.compare({"vision": "A"}, {"vision": "A", "extra": [1]})
    assert [c.term for c in changes if c.changed] == ["extra"]


def test_the_same_data_in_any_order_draws_the_same_network() -> None:
    places = {f"p{n}": {"title": f"T{n}", "country": "PT", "nuts": f"PT1{n}"} for n in range(5)}
    members = {
        f"p{n}": {
            f"o{(n + k) % 7}": {"legal_name": f"O{(n + k) % 7}", "sector": "public"}
            for k in range(3)
        }
        for n in range(5)
    }
    first = map_picture.picture(places, members)
    shuffled = map_picture.picture(
        dict(reversed(list(places.items()))),
        {p: dict(reversed(list(o.items()))) for p, o in reversed(list(members.items()))},
    )
    assert first == shuffled
    assert [p.key for p in first.partnerships] == ["P1", "P2", "P3", "P4", "P5"]
    assert len(first.links) == 15 and len(first.organisations) == 7
    assert all(0 <= o.x <= first.width and 0 <= o.y <= first.height for o in first.organisations)


def test_a_long_span_of_months_has_few_labels_and_one_month_has_an_axis() -> None:
    flows = [
        {
            "commitment_id": "c1",
            "status": "confirmed",
            "contribution_type": "cash",
            "unit": "EUR",
            "quantity": "10",
            "period_start": None,
            "deliveries": [{"status": "confirmed", "quantity": "4", "delivered_on": "2020-01-15"}],
        },
    ]
    times = {"c1": {"Pledged": "2030-06-01T12:00:00Z", "Confirmed": "2030-06-02T12:00:00Z"}}
    (group,) = charts.groups(flows, times)
    assert len(group.ticks) == 5 and group.ticks[0].month == "2019-12"
    assert group.ticks[-1].month == "2030-06"
    (alone,) = charts.groups(
        flows, {"c1": {"Pledged": "2020-01-01T00:00:00Z", "Confirmed": "2020-01-01T00:00:00Z"}}
    )
    assert [r.month for r in alone.rows] == ["2020-01"]
    assert [t.month for t in alone.ticks] == ["2019-12", "2020-01"]
