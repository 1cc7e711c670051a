"""Practice pages (DESIGN §8): a published practice is read by every signed-in person and,
where its decision said so, by visitors who have not signed in; its partnership stays the
404 of an unknown id to non-members; each position its figures rest on has a proof the
reader can check (the leaf entry, never the event); the lineage shows every adopter."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from collab.audit.verify import VerifierKey, verify_bundle
from collab.practices.commands import AdoptPractice
from tests.api.setup_partnership import Setup, command
from tests.web.test_forms_commitments import People, send
from tests.web.test_forms_practices import decided, other, practice_form, published, setup
from web import words
from web.lineage_picture import picture
from web.names import Names

__all__ = ["other", "setup"]  # the fixtures, shared
DATA_URL = re.compile(r'data-url="/practices/[^/]+/proofs/([0-9]+)\?version=1"')


def cited(html: str) -> list[int]:
    """The positions the page offers to verify."""
    return sorted({int(p) for p in DATA_URL.findall(html)})


def test_a_non_member_reads_the_practice_but_not_its_partnership(
    setup: Setup, other: Setup, person: People
) -> None:
    practice_id = published(setup, person)
    d = person(other.partners["d"])
    status, html = d.get(f"/practices/{practice_id}")
    assert status == 200
    assert "Care rounds by the parish" in html and "Home visits" in html
    assert "a partnership (its own record is seen by its members only)" in html
    assert f'href="/partnerships/{setup.partnership_id}"' not in html
    assert d.get(setup.url)[0] == 404
    # The list shows it to every signed-in person
    _, listed = d.get("/practices")
    assert f'href="/practices/{practice_id}"' in listed


def test_each_cited_position_has_a_proof_of_its_leaf_only(
    setup: Setup, other: Setup, person: People
) -> None:
    practice_id = published(setup, person)
    setup.auth.service.audit.sealer.seal()
    d = person(other.partners["d"])
    _, html = d.get(f"/practices/{practice_id}")
    positions = cited(html)
    assert len(positions) >= 3  # memberships, the pledge, the indicator and its report
    for position in positions:
        response = d.client.get(f"/practices/{practice_id}/proofs/{position}?version=1")
        assert response.status_code == 200 and response.mimetype == "application/json"
        answer = json.loads(response.text)
        keys = [VerifierKey.parse(line) for line in answer["keys"]]
        assert verify_bundle(answer["bundle"], keys).exit_code == 0
        assert "event" not in answer and set(answer["signature"]) == {"key_id", "value"}
    # A position the practice does not cite is the 404 of an unknown one
    uncited = min(set(range(1, setup.head())) - set(positions))
    assert d.client.get(f"/practices/{practice_id}/proofs/{uncited}").status_code == 404


def test_a_visitor_reads_a_practice_published_to_anyone_only(
    setup: Setup, person: People, client: FlaskClient
) -> None:
    open_id = published(setup, person, audience="anyone")
    closed_id = published(setup, person)
    visitor = client  # no session: a visitor
    status = visitor.get(f"/practices/{open_id}")
    assert status.status_code == 200 and "Care rounds by the parish" in status.text
    listed = visitor.get("/practices").text
    assert f"/practices/{open_id}" in listed and f"/practices/{closed_id}" not in listed
    # A practice for signed-in readers asks a visitor to sign in, as an unknown one does
    for asked in (closed_id, "4d3b8a5e-0000-4000-8000-000000000000"):
        response = visitor.get(f"/practices/{asked}")
        assert response.status_code == 302 and response.location.startswith("/signin?next=")
    # The partnership stays closed to the visitor
    assert visitor.get(setup.url).status_code == 302
    # And the proof of what the open one cites is the visitor's too
    setup.auth.service.audit.sealer.seal()
    [position, *_] = cited(visitor.get(f"/practices/{open_id}").text)
    assert visitor.get(f"/practices/{open_id}/proofs/{position}?version=1").status_code == 200
    assert visitor.get(f"/practices/{closed_id}/proofs/{position}").status_code == 404


def test_the_lineage_picture_shows_the_adopting_territory(
    setup: Setup, other: Setup, person: People
) -> None:
    practice_id = published(setup, person)
    other.app.execute(
        command(other.partners["d"]),
        AdoptPractice(
            other.partnership_id,
            practice_id,
            "adopts",
            territory={"country": "PT", "nuts": "PT1C2", "kind": "coastal"},
            why="The same need on the coast",
        ),
    )
    d = person(other.partners["d"])
    _, html = d.get(f"/practices/{practice_id}")
    assert '<svg class="lineage" role="img"' in html
    assert "A1 · PT1C2" in html  # the adopter, by its territory
    # The table says the same, with the adopter's title for its own members
    assert "The same need on the coast" in html
    assert f'href="/partnerships/{other.partnership_id}"' in html
    stranger = person(setup.auth.actor("broker"))
    _, html = stranger.get(f"/practices/{practice_id}")
    assert "A1 · PT1C2" in html and f'href="/partnerships/{other.partnership_id}"' not in html


def test_an_earlier_version_is_marked_and_read_by_its_number(setup: Setup, person: People) -> None:
    practice_id = published(setup, person)
    form = practice_form(setup, decided(setup), **{"practice.title": "Care rounds, year two"})
    assert (
        send(person(setup.broker), f"/practices/{practice_id}/versions/new", form).status_code
        == 303
    )
    reader = person(setup.partners["b"])
    status, html = reader.get(f"/practices/{practice_id}?version=1")
    assert status == 200 and "Version 1 (shown)" in html and "Care rounds by the parish" in html
    assert "You are reading version 1; the latest is version 2." in html
    _, html = reader.get(f"/practices/{practice_id}")
    assert "Care rounds, year two" in html and "You are reading version" not in html
    assert reader.get(f"/practices/{practice_id}?version=9")[0] == 404
    assert reader.get(f"/practices/{practice_id}?version=x")[0] == 422


def summary(practice_id: str, title: str, nuts: str) -> dict[str, Any]:
    return {
        "practice_id": practice_id,
        "title": title,
        "territory": {"country": "PT", "nuts": nuts},
    }


def test_the_lineage_picture_draws_generations_and_sources_the_same_every_time() -> None:
    # Given a practice adapting another, adapted in turn by A1, whose own practice A2 adopts
    place = {"country": "ES", "nuts": "ES618", "kind": "rural"}
    lineage = {
        "ancestors": [summary("s", "The very first care rounds of the valley", "PT150")],
        "adoptions": [
            {
                "adopter": "q1",
                "practice_id": "p",
                "relation": "adapts",
                "territory": place,
                "generation": 1,
                "position": 10,
                "practices": [summary("p2", "Rounds, Spanish side", "ES618")],
            },
            {
                "adopter": "q2",
                "practice_id": "p2",
                "relation": "adopts",
                "territory": {**place, "nuts": "ES61"},
                "generation": 2,
                "position": 12,
                "practices": [],
            },
        ],
    }
    drawn = picture(summary("p", "Care rounds", "PT1C2"), lineage)
    # Then the source, the practice and each generation are columns, left to right
    keys = [(n.key, n.kind, n.lines[0]) for n in drawn.nodes]
    assert keys == [
        ("S1", "source", "The very first care r…"),
        ("P", "practice", "Care rounds"),
        ("A1", "adopter", "ES618"),
        ("A2", "adopter", "ES61"),
    ]
    assert [n.x for n in drawn.nodes] == sorted(n.x for n in drawn.nodes)
    # And the arrows run source → practice → A1 → A2 (A2 adopted A1's own practice)
    assert [a.relation for a in drawn.arrows] == ["source", "adapts", "adopts"]
    assert drawn.nodes[2].href == "/practices/p2" and drawn.nodes[3].href is None
    assert picture(summary("p", "Care rounds", "PT1C2"), lineage) == drawn


def test_a_practices_events_read_as_sentences(flask_app: Flask) -> None:
    entry = {"actor": "operator", "on_behalf_of": None, "stream_id": "x", "position": 9}
    with flask_app.test_request_context():
        said = [
            str(
                words.describe(
                    {**entry, "event_type": kind, "stream_kind": stream, "data": d}, Names()
                )
            )
            for kind, stream, d in (
                ("Published", "practice", {"content": {"title": "Care rounds"}}),
                ("Withdrawn", "practice", {}),
                ("Withdrawn", "commitment", {}),
                ("ExchangeRequested", "exchange", {"question": "How?"}),
            )
        ]
    assert said[0].endswith("published the practice Care rounds")
    assert said[1].endswith("withdrew a practice") and said[2].endswith("withdrew a commitment")
    assert said[3].endswith("asked a question of a practice: How?")


def test_hostile_addresses_are_refused_never_a_500(
    setup: Setup, person: People, client: FlaskClient
) -> None:
    practice_id = published(setup, person, audience="anyone")
    reader = person(setup.partners["b"])
    for path in (
        "/practices/not-an-id",
        "/practices?status=lost",
        "/practices?offset=-1&limit=x",
        f"/practices/{practice_id}?version=0",
        f"/practices/{practice_id}?version=99999999999999999999",
        f"/practices/{practice_id}/proofs/99999999",
        "/practices/%00/adopt",
        "/exchanges/not-an-id/answer",
    ):
        for status, _html in (reader.get(path), (client.get(path).status_code, "")):
            assert status in (302, 404, 422), (path, status)
