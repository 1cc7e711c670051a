"""The record in words (web/words/): every event type has its sentence, names instead
of ids, and no event data makes a sentence raise."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from api.demo import run_demo
from api.service import Service
from collab.stores import StoreConfig
from projections.views import history
from tests.api.conftest import make_app
from web import words

DOMAIN = Path(__file__).parents[2] / "collab" / "domain"
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
NAMES = {
    "org-lagar": "Lagar do Vale",
    "org-camara": "Câmara Municipal de Mértola",
    "actor-ana": "Ana",
    "actor-bruno": "Bruno Broker",
}


def lookup(kind: str, key: str) -> str | None:
    if kind in ("organisation", "actor"):
        return NAMES.get(key)
    return {"version": {"c0ff4f0e" + "0" * 56: "2"}}.get(kind, {}).get(key)


def entry(event_type: str, data: Any, **envelope: Any) -> dict[str, Any]:
    return {
        "event_type": event_type,
        "data": data,
        "actor": "actor-ana",
        "stream_id": "stream-1",
        "stream_kind": "partnership",
        **envelope,
    }


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[list[dict[str, Any]], dict[str, str]]]:
    """The demo's scenario (a CLLD local action group), its history and register names."""
    app = make_app(StoreConfig("memory://"))
    svc: Service = app.extensions["collab"]
    try:
        run_demo(svc.app)
        svc.read.catch_up(svc.head())
        with svc.read.reader() as conn:
            t = svc.read.tables
            entries = history(conn, t)
            organisations = select(t.organisations.c.organisation_id, t.organisations.c.legal_name)
            names = {r.organisation_id: r.legal_name for r in conn.execute(organisations)}
        yield entries, names
    finally:
        svc.close()


def test_every_event_type_of_the_domain_has_its_phrase() -> None:
    # Given every event type the domain records
    recorded = {
        name
        for source in DOMAIN.glob("*.py")
        for name in re.findall(r'@event\("([A-Za-z]+)"\)', source.read_text())
    }
    # Then words has a phrase for each
    assert len(recorded) >= 52
    assert recorded <= set(words.EVENT_TYPES)


def test_every_event_of_the_demo_reads_as_a_sentence_with_names(
    demo: tuple[list[dict[str, Any]], dict[str, str]],
) -> None:
    entries, organisations = demo
    facts = words.known(entries)

    def names(kind: str, key: str) -> str | None:
        found = organisations.get(key) if kind == "organisation" else None
        return found if kind in ("organisation", "actor") else facts.get((kind, key))

    said = {e["position"]: str(words.describe(e, names)) for e in entries}
    # Then no sentence is the generic one, and none shows an id where a name belongs
    for e in entries:
        sentence = said[e["position"]]
        assert not sentence.endswith(f"recorded {e['event_type']}"), sentence
        assert not UUID_RE.search(sentence), sentence
    kinds = {e["event_type"] for e in entries}
    assert len(kinds) >= 24  # the demo's leaver gives notice: nothing released yet
    # And the demo's story reads as people would tell it
    story = list(said.values())
    expected = [
        "An actor invited Câmara Municipal de Mértola as lead, funder (public authority, weight 2)",
        "An actor pledged 20000.00 EUR cash for Câmara Municipal de Mértola to the pool",
        "An actor signed version 2 (hash ",
        "An actor disputed a delivery of 48 session on the commitment of Transportes",
        "The commitment of Câmara Municipal de Mértola was fulfilled: 20000.00 EUR",
        "An actor recorded a decision of General assembly to start moving on — passed",
        "An actor transferred the practice to a new partnership in PT192",
    ]
    for start in expected:
        assert any(s.startswith(start) for s in story), start


def test_a_broker_under_a_mandate_is_said_with_whom_it_acted_for_and_the_mandate() -> None:
    # Given a signature by a broker acting for Lagar do Vale under a mandate
    signed = entry(
        "AgreementSigned",
        {"org_id": "org-lagar", "text_hash": "c0ff4f0e" + "0" * 56},
        actor="actor-bruno",
        on_behalf_of="org-lagar",
        mandate="12345678-aaaa-bbbb-cccc-dddddddddddd",
    )
    # When it is said in words
    sentence = words.describe(signed, lookup)
    # Then it names the broker, the organisation, the mandate, the version and the hash
    assert str(sentence) == (
        "Bruno Broker (for Lagar do Vale, under mandate 12345678…) signed version 2 "
        "(hash c0ff4f0e…)"
    )
    kinds = [p.kind for p in sentence.parts if isinstance(p, words.Named)]
    assert kinds == ["actor", "organisation", "hash", "hash"]


def test_an_actor_without_a_name_and_an_unknown_organisation_are_said_plainly() -> None:
    joined = entry("MemberJoined", {"org_id": "org-unknown"}, actor="actor-nobody")
    assert str(words.describe(joined, lookup)) == (
        "An actor accepted the invitation for an organisation"
    )
    assert str(words.describe(entry("Bound", {"role": "broker"}, actor="operator"), lookup))
    assert str(words.describe({}, lookup)) == "Someone recorded None"


ODD_VALUES: list[Any] = [None, 0, -1, "x", "", [], {}, [None], {"x": None}, True, 1.5]
# Every key a phrase reads, as web/words/ spells it: d["key"], d.get("key").
SOURCE = "".join(p.read_text() for p in sorted(Path(words.__file__).parent.glob("*.py")))
KEYS = sorted(set(re.findall(r"""(?:\[|get\()["']([a-z_]+)["']""", SOURCE)))


@pytest.mark.parametrize("event_type", [*words.EVENT_TYPES, "SomethingNew"])
def test_no_event_data_makes_a_sentence_raise(event_type: str) -> None:
    # Given every event type with data of every odd shape
    shapes: list[Any] = [None, [], "text", {}, *({k: odd for k in KEYS} for odd in ODD_VALUES)]
    for data in shapes:
        envelopes: list[dict[str, Any]] = [{}, {"actor": None, "on_behalf_of": 3, "mandate": []}]
        for envelope in envelopes:
            # When it is said in words, Then it is a sentence (the generic one at worst)
            sentence = words.describe(entry(event_type, data, **envelope), lookup)
            assert isinstance(sentence, words.Sentence) and str(sentence)
    fallback = words.describe(entry(event_type, None), lookup)
    assert str(fallback) == f"Ana recorded {event_type}"


def test_field_values_in_words() -> None:
    def said(field: str, value: Any) -> str:
        return str(words.field_value(field, value, lookup))

    assert said("recipient", "pool") == "the pool"
    assert said("recipient", "org-camara") == "Câmara Municipal de Mértola"
    assert said("quantity", {"value": "20000.00", "unit": "EUR"}) == "20000.00 EUR"
    assert said("territory", {"country": "PT", "nuts": "PT1C2", "lau": "0209"}) == (
        "PT1C2 (PT, LAU 0209)"
    )
    assert said("brokers", ["actor-bruno", "actor-ana"]) == "Bruno Broker and Ana"
    assert said("status", "in_delivery") == "in delivery"
    assert said("pending", None) == "none"
    assert said("valuation", {"amount": "5", "currency": "EUR", "method": "market_value"}) == (
        "5 EUR (market value)"
    )
    for odd in ODD_VALUES:
        for field in ("territory", "brokers", "quantity", "valuation", "period", "other"):
            assert isinstance(words.field_value(field, odd, lookup), words.Sentence)


def member(org: str, status: str = "active", **more: Any) -> dict[str, Any]:
    return {
        "organisation_id": org,
        "status": status,
        "signatory": True,
        "needs_accession": False,
        "commitments": [],
        **more,
    }


def test_whose_turn_in_words() -> None:
    camara, lagar = "org-camara", "org-lagar"
    text_hash = "c0ff4f0e" + "0" * 56
    draft = {
        "status": "negotiating",
        "lead_organisation": camara,
        "members": [member(camara), member(lagar, "invited")],
        "versions": [{"number": 1, "status": "draft", "text_hash": text_hash}],
        "signatures": [],
    }
    said = [str(s) for s in words.whose_turn(draft, lookup)]
    assert said == [
        "Version 1 is a draft, waiting to be opened for signature by a partnership broker or "
        "the lead, Câmara Municipal de Mértola",
        "Lagar do Vale has not answered its invitation yet",
    ]
    signing = {
        **draft,
        "status": "awaiting_signatures",
        "pending_version": 1,
        "pending_hash": text_hash,
        "members": [member(camara), member(lagar)],
        "signatures": [{"text_hash": text_hash, "organisation_id": lagar}],
    }
    assert [str(s) for s in words.whose_turn(signing, lookup)] == [
        "Version 1 is open for signature: waiting for Câmara Municipal de Mértola to sign the "
        f"text with hash {text_hash}"
    ]
    quiet = {**signing, "status": "active", "pending_hash": None}
    assert [str(s) for s in words.whose_turn(quiet, lookup)] == ["Nothing is waiting for anyone."]
    invitation = {"invitation": member(lagar, "invited")}
    assert [str(s) for s in words.whose_turn(invitation, lookup)] == [
        "Lagar do Vale has not answered its invitation yet"
    ]


def test_many_deliveries_waiting_are_said_in_one_sentence() -> None:
    # Given a commitment to the pool with three deliveries reported
    deliveries = [
        {"delivery_id": f"d{i}", "quantity": "10", "delivered_on": f"2030-0{i}-01", "status": s}
        for i, s in ((1, "reported"), (2, "reported"), (3, "reported"))
    ]
    commitment = {
        "commitment_id": "c1",
        "organisation_id": "org-lagar",
        "recipient": "pool",
        "unit": "hour",
        "quantity": "100",
        "contribution_type": "staff_time",
        "status": "in_delivery",
        "deliveries": deliveries,
    }
    view = {
        "status": "active",
        "lead_organisation": "org-camara",
        "members": [member("org-camara"), member("org-lagar", commitments=[commitment])],
        "versions": [],
        "signatures": [],
    }
    # Then whose turn it is says them once, with their total
    assert [str(s) for s in words.whose_turn(view, lookup)] == [
        "3 deliveries (30 hour in all) by Lagar do Vale (made from 2030-01-01 to 2030-03-01) "
        "wait for confirmation by Câmara Municipal de Mértola (the lead, for the pool)"
    ]
