"""The demo's network of learning (issue 16): two practices from Mértola, an adaptation
published in another country, and a learning exchange answered, on every store."""

from __future__ import annotations

from typing import Any

from api.demo import run_demo
from collab.application import Collab
from collab.domain.exchange import Exchange
from collab.domain.lineage import LINEAGE_ID, Lineage
from collab.domain.practice import Practice


def recorded(app: Collab, topic: str) -> list[Any]:
    """The aggregates whose stream holds an event of this topic, in log order."""
    found = app.recorder.select_notifications(1, 10_000)
    return [app.load(n.originator_id) for n in found if n.topic.endswith(topic)]


def test_the_demo_publishes_practices_an_adaptation_and_an_exchange(app: Collab) -> None:
    # When the demo runs
    summary = run_demo(app)
    # Then Mértola published two practices, one to anyone, and Sevilla its adaptation
    care, training, adaptation = recorded(app, ":Practice.Published")
    assert all(isinstance(p, Practice) for p in (care, training, adaptation))
    assert care.partnership_id == training.partnership_id != adaptation.partnership_id
    assert (care.audience, training.audience, adaptation.audience) == (
        "anyone",
        "signed_in",
        "anyone",
    )
    assert set(care.figures) == {"sector_mix", "resources", "outcomes"}
    assert set(training.figures) == {"sector_mix", "resources"}
    assert str(care.id) in summary and str(adaptation.id) in summary
    # And the outcomes are measured, one period corrected, in both territories
    indicators = care.figures["outcomes"]["indicators"]
    assert len(indicators) == 2 and all(i["periods"] for i in indicators)
    assert any(p["corrected"] for i in indicators for p in i["periods"])
    assert adaptation.figures["outcomes"]["indicators"][0]["periods"]
    assert care.figures["sector_mix"]["bucket"] == "public_civil_society_private"
    # (the cooperative, which gave notice, is leaving: still in standing, still counted)
    assert care.figures["sector_mix"]["members"] == {
        "public": 2,
        "civil_society": 2,
        "private": 2,
    }
    assert care.figures["resources"]["lines"]
    # And the adaptation names its source, from a partnership in Spain that adapted it
    assert adaptation.adapted_from == str(care.id)
    assert adaptation.content["territory"]["country"] == "ES"
    lineage = app.load(LINEAGE_ID)
    assert isinstance(lineage, Lineage)
    (adopted,) = lineage.adoptions.values()
    assert (adopted["relation"], adopted["practice_id"]) == ("adapts", str(care.id))
    assert adopted["adopter"] == adaptation.partnership_id
    # And a question about the training was asked by Sevilla and answered by Mértola
    (exchange,) = recorded(app, ":Exchange.ExchangeRequested")
    assert isinstance(exchange, Exchange)
    assert (exchange.practice_id, exchange.status) == (str(training.id), "answered")
    assert (exchange.owner, exchange.asker) == (care.partnership_id, adaptation.partnership_id)
