"""`GET /v1/practices?q=…&facet=…` (DESIGN §8): folded words ranked, facets with counts,
paging, the same search on every store, bad queries refused with a problem and no 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from collab.stores import StoreConfig
from tests.api.test_practices import Network, net, network_on

__all__ = ["net"]


@pytest.fixture
def any_net(store_config: StoreConfig) -> Iterator[Network]:
    yield from network_on(store_config)


def published(net: Network) -> tuple[str, str]:
    """P's practice in Portuguese (PT150, to anyone), Q's in Greek (EL632, signed in)."""
    p, q = net.ids["P"], net.ids["Q"]
    care = net.fields(
        title="Saúde ao domicílio: visitas a idosos isolados",
        territory={"country": "PT", "nuts": "PT150", "kind": "rural"},
    )
    greek = net.fields(
        "d",
        title="Υγεία στο σπίτι",
        territory={"country": "GR", "nuts": "EL632", "kind": "island"},
        themes=["health_care"],
        languages=["el"],
    )
    ids = []
    for pid, fields, audience in ((p, care, "anyone"), (q, greek, "signed_in")):
        body = {
            "partnership_id": pid,
            "decision_id": net.decision(pid, audience),
            "practice": fields,
        }
        ids.append(net.post(net.setup.broker, "/practices", body).json["result"]["practice_id"])
    return ids[0], ids[1]


def found(net: Network, who: Any, **query: Any) -> dict[str, Any]:
    response = net.get(who, "/practices", **query)
    assert response.status_code == 200, response.json
    body: dict[str, Any] = response.json
    return body


def test_words_facets_and_paging_over_http_on_every_store(any_net: Network) -> None:
    net = any_net
    care, greek = published(net)
    d = net.partner("d")
    # Folded words, ranked, each with its score
    hit = found(net, d, q="SAUDE idosos")
    assert [x["practice_id"] for x in hit["items"]] == [care]
    assert hit["items"][0]["score"] > 0 and hit["total"] == 1
    assert [x["practice_id"] for x in found(net, d, q="υγεια")["items"]] == [greek]
    # A NUTS2 region finds its NUTS3 area's practice; facet values with counts
    region = found(net, d, facet="territory:PT15")
    assert [x["practice_id"] for x in region["items"]] == [care]
    assert {v["value"]: v["count"] for v in region["facets"]["territory"]} == {
        "PT15": 1,
        "PT150": 1,
    }
    both = found(net, d, facet=["theme:health_care", "territory:EL"])
    assert [x["practice_id"] for x in both["items"]] == [greek]
    everything = found(net, d)
    assert everything["total"] == 2 and everything["items"][0]["score"] is None
    assert {v["value"]: v["count"] for v in everything["facets"]["territory"]} == {"PT": 1, "EL": 1}
    # Paging: one at a time, in the order first published
    first = found(net, d, limit=1)
    assert [x["practice_id"] for x in first["items"]] == [care] and first["next_cursor"]
    second = found(net, d, limit=1, cursor=first["next_cursor"])
    assert [x["practice_id"] for x in second["items"]] == [greek]
    assert second["next_cursor"] is None
    # The older status filter still narrows, as a facet
    assert found(net, d, status="withdrawn")["total"] == 0


@pytest.mark.parametrize(
    "query",
    [
        {"facet": "colour:red"},
        {"facet": "territory"},
        {"facet": "theme:" + "x" * 41},
        {"facet": ["theme:ageing"] * 31},
        {"q": "x" * 201},
        {"cursor": "not-ours"},
        {"limit": "0"},
    ],
    ids=["unknown-facet", "no-value", "long-value", "too-many", "long-q", "cursor", "limit"],
)
def test_a_bad_search_is_a_problem_naming_the_field(net: Network, query: dict[str, Any]) -> None:
    response = net.get(net.partner("d"), "/practices", **query)
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert response.json is not None and response.json["errors"]


@pytest.mark.parametrize("q", ['"', "*", "-:()^", "\u0301", "ـــ", "%"])
def test_a_query_without_a_word_is_no_word_at_all(net: Network, q: str) -> None:
    care, greek = published(net)
    d = net.partner("d")
    # Only punctuation, marks or tatweel: no word to search for, so every practice
    body = found(net, d, q=q)
    assert body["total"] == 2
    assert [x["practice_id"] for x in body["items"]] == [care, greek]
    # And beside a word, they change nothing
    with_word = found(net, d, q=f"{q} domicilio")
    assert [x["practice_id"] for x in with_word["items"]] == [care]


@pytest.mark.parametrize("q", ["NEAR(", "'; DROP TABLE x; --", '"huertos" AND (barrio*)'])
def test_engine_syntax_is_only_words(net: Network, q: str) -> None:
    care, _greek = published(net)
    d = net.partner("d")
    # Its words are found nowhere: nothing, and the tables are still there
    assert found(net, d, q=q)["total"] == 0
    assert found(net, d)["total"] == 2
    # A word found nowhere does not keep a word found from matching
    assert [x["practice_id"] for x in found(net, d, q=f"{q} domicilio")["items"]] == [care]
