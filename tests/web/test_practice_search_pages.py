"""The practices' search page (DESIGN §8, issue 17): words found whatever their accents,
facets with their counts as GET links (a chosen one marked and removable), a NUTS 2 region
finding the practices of its NUTS 3 areas, a visitor searching only what is published to
anyone (results and counts alike), "practices like this one" on a practice's page, and
no parameter a person can type giving a 500."""

from __future__ import annotations

import html as entities
import re
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from flask.testing import FlaskClient

from collab.practices.commands import PublishPractice
from tests.api.setup_partnership import Setup, command
from tests.application.practices import practice_fields
from tests.web.test_forms_commitments import People
from tests.web.test_forms_practices import decided, setup

__all__ = ["setup"]  # the fixture, shared
RESULT_RE = re.compile(r'<tr id="practice-([0-9a-f-]+)">')
TOTAL_RE = re.compile(r'<p class="small" role="status" id="total">([0-9]+) practices? found')


def publish(setup: Setup, audience: str = "anyone", **changes: Any) -> str:
    """A practice of the setup's partnership published by decision, with these fields
    changed; its id."""
    fields = practice_fields(SimpleNamespace(orgs=setup.orgs), "a", **changes)  # type: ignore[arg-type]
    decision = decided(setup, audience=audience)
    out = setup.app.execute(
        command(setup.broker), PublishPractice(setup.partnership_id, decision, fields)
    )
    practice_id = str(out.result["practice_id"])
    return practice_id


def territory(nuts: str, kind: str = "rural") -> dict[str, str]:
    return {"country": nuts[:2], "nuts": nuts, "kind": kind}


def found(html: str) -> list[str]:
    """The practices the page lists, in its order."""
    return RESULT_RE.findall(html)


def total(html: str) -> int:
    shown = TOTAL_RE.search(html)
    assert shown is not None, "the page says no total"
    return int(shown.group(1))


def search(client: FlaskClient, q: str = "", *facets: str) -> str:
    args = [("q", q)] + [("facet", f) for f in facets]
    response = client.get(f"/practices?{urlencode(args)}")
    assert response.status_code == 200, response.text
    return response.text


def facet_link(html: str, facet: str) -> str | None:
    """The facet value's link (`name:value`) as the page shows it, with its text."""
    href = re.escape(entities.escape(urlencode({"facet": facet})))
    shown = re.search(rf'<a href="/practices\?[^"]*{href}[^"]*"[^>]*>(.*?)</a>', html)
    return shown.group(0) if shown else None


def test_a_query_without_accents_finds_the_accented_title(
    setup: Setup, client: FlaskClient
) -> None:
    # Given a practice titled with accents and another one, both published to anyone
    accented = publish(setup, title="Saúde à porta: visitas aos idosos de Mértola")
    other = publish(setup, title="Bicycle repair cafés", themes=["mobility"])
    # When a visitor searches the words as typed on a phone, without accents
    html = search(client, "saude idosos mertola")
    # Then the accented practice is found, the other not, and the words stay in the box
    assert found(html) == [accented] and other not in found(html)
    assert total(html) == 1
    assert 'name="q" type="search" value="saude idosos mertola"' in html
    assert "Saúde à porta: visitas aos idosos de Mértola" in html


def test_facets_show_counts_and_a_chosen_value_is_marked_and_removable(
    setup: Setup, client: FlaskClient
) -> None:
    # Given two practices on health and care, one on housing
    care = [publish(setup, title=f"Care rounds {n}") for n in (1, 2)]
    housing = publish(setup, title="Shared houses", themes=["housing"])
    # When a visitor opens the search page
    html = search(client)
    # Then every theme shows how many practices have it
    assert total(html) == 3
    link = facet_link(html, "theme:health_care")
    assert link is not None and "health and care" in link and "(2)" in link
    housing_link = facet_link(html, "theme:housing")
    assert housing_link is not None and "(1)" in housing_link
    # When the visitor chooses health and care
    narrowed = search(client, "", "theme:health_care")
    # Then only its practices are listed, and the value is marked chosen
    assert sorted(found(narrowed)) == sorted(care) and housing not in found(narrowed)
    assert '<a href="/practices" aria-current="true">health and care' in narrowed
    # And both its link in the facet and the chosen filter's remove it again
    assert '<a href="/practices" class="remove">Remove<' in narrowed
    # And the text box keeps the chosen facet for the next search
    assert '<input type="hidden" name="facet" value="theme:health_care">' in narrowed


def test_a_nuts2_region_finds_the_practices_of_its_nuts3_areas(
    setup: Setup, client: FlaskClient
) -> None:
    # Given a practice in Baixo Alentejo (PT1C2) and one in the Algarve (PT150)
    alentejo = publish(setup, title="Rounds in the plain", territory=territory("PT1C2"))
    algarve = publish(setup, title="Rounds on the coast", territory=territory("PT150", "coastal"))
    # When a visitor chooses Alentejo (PT1C), a NUTS 2 region
    html = search(client, "", "territory:PT1C")
    # Then the Baixo Alentejo practice is found, not the Algarve's
    assert found(html) == [alentejo] and algarve not in found(html)
    # And the territory reads as a path with NUTS names: Portugal, Continente, Alentejo,
    # then the areas within it with their counts
    assert "Portugal" in html and "Continente" in html and "Alentejo" in html
    inner = facet_link(html, "territory:PT1C2")
    assert inner is not None and "Baixo Alentejo" in inner and "(1)" in inner
    # And with nothing chosen, the countries are offered
    assert facet_link(search(client), "territory:PT") is not None


def test_a_visitor_never_sees_a_signed_in_only_practice_in_results_or_counts(
    setup: Setup, person: People, client: FlaskClient
) -> None:
    # Given a practice published to anyone and one to signed-in readers only
    open_id = publish(setup, title="Community kitchen", themes=["food_agriculture"])
    closed_id = publish(setup, "signed_in", title="Digital kiosks", themes=["digital"])
    # When a visitor searches
    html = search(client)
    # Then only the open one is counted and listed, and no facet counts the other
    assert found(html) == [open_id] and total(html) == 1
    assert facet_link(html, "theme:digital") is None
    assert "Digital kiosks" not in search(client, "digital kiosks")
    assert found(search(client, "", "theme:digital")) == []
    # While a signed-in person finds both
    reader = person(setup.partners["b"])
    _, signed = reader.get("/practices")
    assert sorted(found(signed)) == sorted([open_id, closed_id]) and total(signed) == 2
    _, signed = reader.get("/practices?q=kiosks")
    assert found(signed) == [closed_id]


def test_practices_like_this_one_are_listed_on_its_page(
    setup: Setup, person: People, client: FlaskClient
) -> None:
    # Given three practices on the care of elders (one for signed-in readers) and one on
    # bicycles
    first = publish(setup, title="Care rounds for elders living alone")
    like = publish(setup, title="Care rounds for elders in the hills")
    closed = publish(setup, "signed_in", title="Care rounds for elders by phone")
    bikes = publish(
        setup, title="Bicycle repair cafés", themes=["mobility"], territory=territory("PT11A")
    )
    # When a visitor reads the first
    html = client.get(f"/practices/{first}").text
    # Then the practices like it are listed, linked, with their territory; never itself,
    # never one the visitor may not read
    assert "Practices like this one" in html
    assert f'<li id="similar-{like}"><a href="/practices/{like}"' in html
    assert f"similar-{first}" not in html and f"similar-{closed}" not in html
    similar = html[html.index('id="similar-h"') :]
    assert "PT150 (PT)" in similar
    if f"similar-{bikes}" in similar:  # the closest first
        assert similar.index(f"similar-{like}") < similar.index(f"similar-{bikes}")
    # And a signed-in reader sees the one for signed-in readers too
    _, signed = person(setup.partners["b"]).get(f"/practices/{first}")
    assert f"similar-{closed}" in signed


def test_one_partnerships_list_and_the_status_filter_still_work(
    setup: Setup, client: FlaskClient
) -> None:
    practice_id = publish(setup)
    listed = client.get(f"/practices?partnership_id={setup.partnership_id}")
    assert listed.status_code == 200 and found(listed.text) == [practice_id]
    # `status` is the status facet, chosen
    html = search(client, "", "status:withdrawn")
    assert found(html) == [] and found(client.get("/practices?status=published").text)
    assert 'aria-current="true">published' in client.get("/practices?status=published").text


def test_bad_parameters_are_ignored_or_refused_never_a_500(
    setup: Setup, person: People, client: FlaskClient
) -> None:
    practice_id = publish(setup)
    reader = person(setup.partners["b"])
    long_q = "care " * 2000
    # Facets the page cannot read are left out, and it says so
    for facet in (
        "colour:red",
        "theme",
        ":",
        "theme:\x00\x01",
        "theme:" + "x" * 5000,
        "territory:PT\n1",
    ):
        for status, html in (
            reader.get(f"/practices?{urlencode({'facet': facet})}"),
            shown(client, f"/practices?{urlencode({'facet': facet})}"),
        ):
            assert status == 200, (facet, status)
            assert "were not understood and were left out" in html, facet
    # Other parameters are ignored, cut, or refused as the API refuses them
    for path in (
        "/practices?facet=sdg:3&facet=sdg:3&facet=evidence:9&facet=language:zz",
        "/practices?" + urlencode([("facet", f"theme:t{n}") for n in range(500)]),
        "/practices?" + urlencode({"q": long_q}),
        "/practices?q=%00%C0%AF%FF",
        "/practices?" + urlencode({"q": '"NEAR(care*)" OR -x AND title:'}),
        "/practices?q=%E2%80%AE%D9%84%D8%A7",
        "/practices?offset=abc",
        "/practices?offset=-5",
        "/practices?offset=99999999999999999999999",
        "/practices?offset=9999999999999999",
        "/practices?status=lost",
        "/practices?partnership_id=not-an-id",
    ):
        for status, _html in (reader.get(path), shown(client, path)):
            assert status in (200, 422), (path, status)
    # The text kept is at most 200 characters, and still finds the practice
    html = search(client, long_q)
    kept = re.search(r'name="q" type="search" value="([^"]*)"', html)
    assert kept is not None and len(entities.unescape(kept.group(1))) <= 200
    assert practice_id in found(html)


def shown(client: FlaskClient, path: str) -> tuple[int, str]:
    response = client.get(path)
    return response.status_code, response.text
