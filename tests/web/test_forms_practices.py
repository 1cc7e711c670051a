"""Practice forms (DESIGN §8): a decision to publish lists its figures and audience; a
steward publishes under it, publishes a new version, withdraws; a steward of another
partnership adopts or adapts it, a member asks a question, the practice's partnership
answers or declines. Each form builds the JSON API's command: success is recorded (read
back from the application), refusals show the API's status and record nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from collab.domain.exchange import Exchange
from collab.domain.lineage import LINEAGE_ID, Lineage
from collab.domain.practice import Practice
from collab.governance.commands import RecordDecision, SetIndicator
from collab.indicators.commands import ReportIndicator
from tests.api.conftest import Auth
from tests.api.setup_partnership import Setup, active_partnership, command
from tests.web.test_forms_commitments import NOTHING, People, kept, refused, send

ALL = ("sector_mix", "resources", "outcomes")


@pytest.fixture
def setup(auth: Auth, client: FlaskClient) -> Setup:
    """Organisations a (the lead), b and c in a partnership in force, with an indicator
    reported and a pledge confirmed (what a practice's figures rest on)."""
    setup = active_partnership(auth, client)
    out = setup.app.execute(
        command(setup.broker),
        SetIndicator(
            setup.partnership_id,
            kind="output",
            name="Home visits",
            unit="visit",
            baseline="0",
            target="400",
        ),
    )
    period = {"start": "2029-01-01", "end": "2029-03-31"}
    iid = out.result["indicator_id"]
    setup.app.execute(
        command(setup.broker), ReportIndicator(setup.partnership_id, iid, period, actual="90")
    )
    setup.pledge("b")
    return setup


@pytest.fixture
def other(auth: Auth, client: FlaskClient) -> Setup:
    """Another partnership in force, of organisations d (the lead) and e."""
    return active_partnership(auth, client, ("d", "e"))


def decided(setup: Setup, publishes: tuple[str, ...] = ALL, audience: str = "signed_in") -> str:
    """A passed decision of every member to publish a practice."""
    members = setup.partnership().members
    out = setup.app.execute(
        command(setup.broker),
        RecordDecision(
            setup.partnership_id,
            body="General assembly",
            subject={
                "action": "publish_practice",
                "publishes": list(publishes),
                "audience": audience,
            },
            votes={o: "for" for o, m in members.items() if m.standing},
        ),
    )
    decision_id: str = out.result["decision_id"]
    return decision_id


def practice_form(setup: Setup, decision_id: str, **changes: str) -> dict[str, Any]:
    """The publishing form as a steward fills it (lists as plain inputs)."""
    return {
        "decision_id": decision_id,
        "practice.title": "Care rounds by the parish",
        "practice.need.statement": "Elders living alone far from the health centre miss care.",
        "practice.need.assessment": "A door-to-door survey of 212 households.",
        "practice.target_group": "People over 75 living alone",
        "practice.themes": ["ageing", "health_care"],
        "practice.approach": "Volunteers and the parish visit weekly.",
        "practice.methods": "home visits\nshared rota",
        "practice.languages": "pt, en",
        "practice.licence": "CC-BY-4.0",
        "practice.territory.country": "PT",
        "practice.territory.nuts": "PT150",
        "practice.territory.kind": "rural",
        "practice.evidence.level": "2",
        "practice.evidence.basis": "Visits before and after.",
        "practice.did_not_work.0.what": "Phone calls only",
        "practice.did_not_work.0.why": "Elders did not answer.",
        "practice.preconditions": "A parish willing to hold the rota",
        "practice.sdg_targets": "3.8, 10.2",
        "practice.contact.role": "Care coordinator",
        "practice.contact.organisation_id": next(iter(setup.orgs.values())),  # the lead
        "reason": "",
        **changes,
    }


def published(setup: Setup, people: People, audience: str = "signed_in") -> str:
    """A practice the broker published on the form; its id."""
    decision = decided(setup, audience=audience)
    broker = people(setup.broker)
    response = send(broker, f"{setup.url}/practices/new", practice_form(setup, decision))
    assert response.status_code == 303, response.text
    practice_id = response.location.rsplit("/", 1)[-1]
    return practice_id


def practice(setup: Setup, practice_id: str) -> Practice:
    found: Practice = setup.app.get(Practice, practice_id, "practice")
    return found


def test_the_decision_form_offers_the_figures_and_the_audience(
    setup: Setup, person: People
) -> None:
    broker = person(setup.broker)
    path = f"{setup.url}/decisions/new"
    _, html = broker.get(path)
    assert 'name="subject.publishes" value="outcomes"' in html
    assert '<option value="anyone"' in html
    votes = {f"votes.{o}": "for" for o in setup.orgs.values()}
    form = {"body": "Assembly", "subject.action": "publish_practice", **votes}
    form |= {"subject.publishes": ["sector_mix", "outcomes"], "subject.audience": "anyone"}
    assert send(broker, path, form).status_code == 303
    [d] = [d for d in setup.partnership().decisions.values() if d.action == "publish_practice"]
    assert d.publishes == ("sector_mix", "outcomes") and d.audience == "anyone" and d.passed
    # Another subject naming an audience is refused, and nothing recorded
    html = refused(setup, broker, path, {**form, "subject.action": "other"}, 422)
    assert NOTHING in html


def test_a_steward_publishes_under_the_decision_and_the_figures_are_the_ledgers(
    setup: Setup, person: People
) -> None:
    decision = decided(setup)
    broker = person(setup.broker)
    # The partnership page offers the form for the waiting decision
    _, page = broker.get(setup.url)
    assert f'href="{setup.url}/practices/new?decision={decision}"' in page
    response = send(broker, f"{setup.url}/practices/new", practice_form(setup, decision))
    assert response.status_code == 303
    recorded = practice(setup, response.location.rsplit("/", 1)[-1])
    assert recorded.content["methods"] == ["home visits", "shared rota"]
    assert recorded.content["languages"] == ["pt", "en"]
    assert recorded.content["did_not_work"] == [
        {"what": "Phone calls only", "why": "Elders did not answer."}
    ]
    assert set(recorded.figures) == set(ALL)
    assert recorded.figures["outcomes"]["indicators"][0]["periods"][0]["actual"] == "90"
    # The partnership's page lists it, and its timeline says so in words
    _, page = broker.get(setup.url)
    assert f'href="/practices/{recorded.id}"' in page
    _, timeline = broker.get(f"{setup.url}/timeline")
    assert "published version 1 of a practice, as the partnership decided" in timeline
    # The decision is used: publishing again under it is refused, nothing recorded
    html = refused(setup, broker, f"{setup.url}/practices/new", practice_form(setup, decision), 409)
    assert "already been applied" in html


def test_a_refused_practice_keeps_the_input_and_records_nothing(
    setup: Setup, person: People
) -> None:
    decision = decided(setup)
    broker = person(setup.broker)
    path = f"{setup.url}/practices/new"
    html = refused(
        setup, broker, path, practice_form(setup, decision, **{"practice.title": ""}), 422
    )
    assert NOTHING in html and kept(html, "practice.target_group", "People over 75 living alone")
    contact = {"practice.contact.role": "anna@example.org"}
    html = refused(setup, broker, path, practice_form(setup, decision, **contact), 422)
    assert "names a role, not an address" in html
    # A member who is not a steward gets the API's 403; a stranger its 404
    assert person(setup.partners["b"]).get(path)[0] == 403
    assert person(setup.auth.actor("broker")).get(path)[0] == 404


def test_a_new_version_and_a_withdrawal(setup: Setup, person: People) -> None:
    practice_id = published(setup, person)
    broker = person(setup.broker)
    base = f"/practices/{practice_id}"
    _, page = broker.get(base)
    assert f'href="{base}/versions/new"' in page and f'href="{base}/withdraw"' in page
    # The new version's form is filled from the latest
    _, html = broker.get(f"{base}/versions/new")
    assert kept(html, "practice.title", "Care rounds by the parish")
    decision = decided(setup, ("outcomes",))
    form = practice_form(setup, decision, **{"practice.title": "Care rounds, second year"})
    assert send(broker, f"{base}/versions/new", form).status_code == 303
    assert practice(setup, practice_id).current == 2
    # Withdrawing asks for a reason
    refused(setup, broker, f"{base}/withdraw", {"reason": ""}, 422)
    assert send(broker, f"{base}/withdraw", {"reason": "Replaced"}).status_code == 303
    assert practice(setup, practice_id).withdrawn == "Replaced"
    _, page = broker.get(base)
    assert "Withdrawn." in page and "Replaced" in page


def test_another_partnership_adopts_asks_and_is_answered(
    setup: Setup, other: Setup, person: People
) -> None:
    practice_id = published(setup, person)
    base = f"/practices/{practice_id}"
    d = person(other.partners["d"])  # the lead of the other partnership
    _, page = d.get(base)
    assert f'href="{base}/adopt"' in page and f'href="{base}/ask"' in page
    adoption = {
        "partnership_id": other.partnership_id,
        "relation": "adapts",
        "territory.country": "PT",
        "territory.nuts": "PT150",
        "territory.kind": "coastal",
        "why": "Our villages lose their elders' care too",
        "changes": "",
    }
    html = refused(other, d, f"{base}/adopt", adoption, 422)  # an adaptation says what changed
    assert "an adaptation says what it changed" in html
    adapted = {**adoption, "changes": "Run by a cooperative"}
    response = send(d, f"{base}/adopt", adapted)
    assert response.status_code == 303 and "#adoption-" in response.location
    lineage = setup.app.get(Lineage, LINEAGE_ID, "lineage")
    assert lineage.adopted(other.partnership_id, practice_id)
    # Once: the page no longer offers it, the form refuses (403: no partnership left)
    _, page = d.get(base)
    assert f'href="{base}/adopt"' not in page
    assert d.get(f"{base}/adopt")[0] == 403
    # e, a member, asks; a, the practice's lead, answers
    e = person(other.partners["e"])
    asked = {"partnership_id": other.partnership_id, "question": "How did you find volunteers?"}
    response = send(e, f"{base}/ask", asked)
    exchange_id = response.location.rsplit("#exchange-", 1)[-1]
    a = person(setup.partners["a"])
    _, page = a.get(base)
    assert f'href="/exchanges/{exchange_id}/answer"' in page
    assert "How did you find volunteers?" in page
    # The other side may not answer (403); the practice's side answers
    assert e.get(f"/exchanges/{exchange_id}/answer")[0] == 403
    done = send(a, f"/exchanges/{exchange_id}/answer", {"answer": "At the parish fair."})
    assert done.status_code == 303
    exchange: Exchange = setup.app.get(Exchange, exchange_id, "exchange")
    assert exchange.status == "answered" and exchange.answer == "At the parish fair."
    refused(setup, a, f"/exchanges/{exchange_id}/decline", {"reason": "late"}, 409)


def test_a_question_is_declined_and_a_stranger_never_sees_it(
    setup: Setup, other: Setup, person: People
) -> None:
    practice_id = published(setup, person)
    e = person(other.partners["e"])
    asked = {"partnership_id": other.partnership_id, "question": "Can we visit?"}
    eid = send(e, f"/practices/{practice_id}/ask", asked).location.rsplit("#exchange-", 1)[-1]
    a = person(setup.partners["a"])
    assert send(a, f"/exchanges/{eid}/decline", {"reason": "Not this year"}).status_code == 303
    assert setup.app.get(Exchange, eid, "exchange").status == "declined"
    stranger = person(setup.auth.actor("broker"))
    _, page = stranger.get(f"/practices/{practice_id}")
    assert "Can we visit?" not in page
    assert stranger.get(f"/exchanges/{eid}/answer")[0] == 404
    # An auditor reads the practice and gets no form
    auditor = person(setup.auth.auditor(setup.partnership_id))
    _, page = auditor.get(f"/practices/{practice_id}")
    assert "/adopt" not in page and "/withdraw" not in page
    assert auditor.get(f"/practices/{practice_id}/adopt")[0] == 403


def test_an_adapters_own_practice_shows_how_it_fared_in_the_lineage(
    setup: Setup, other: Setup, person: People
) -> None:
    # Given other's adaptation of the practice, and an indicator other reported
    practice_id = published(setup, person)
    d = person(other.partners["d"])
    adapted = {
        "partnership_id": other.partnership_id,
        "relation": "adapts",
        "territory.country": "PT",
        "territory.nuts": "PT150",
        "territory.kind": "coastal",
        "why": "The same need on the coast",
        "changes": "Run by a cooperative",
    }
    assert send(d, f"/practices/{practice_id}/adopt", adapted).status_code == 303
    out = other.app.execute(
        command(other.broker),
        SetIndicator(
            other.partnership_id,
            kind="output",
            name="Boat visits",
            unit="visit",
            baseline="0",
            target="50",
        ),
    )
    period = {"start": "2029-01-01", "end": "2029-03-31"}
    iid = out.result["indicator_id"]
    other.app.execute(
        command(other.broker), ReportIndicator(other.partnership_id, iid, period, actual="31")
    )
    # When other's broker publishes its own practice, adapting the first one (offered by title)
    broker = person(other.broker)
    path = f"{other.url}/practices/new"
    decision = decided(other, ("outcomes",))
    _, html = broker.get(path)
    assert f'<option value="{practice_id}" dir="auto">Care rounds by the parish</option>' in html
    title = {"practice.title": "Care rounds by boat"}
    form = practice_form(other, decision, adapted_from=practice_id, **title)
    response = send(broker, path, form)
    assert response.status_code == 303, response.text
    # Then the first practice's lineage says how the adapter fared: its title and outcome
    _, page = person(setup.partners["b"]).get(f"/practices/{practice_id}")
    assert "Care rounds by boat" in page and "Boat visits" in page and "31" in page
    adapter = response.location.rsplit("/", 1)[-1]
    _, page = person(setup.partners["b"]).get(f"/practices/{adapter}")
    assert "It adapts:" in page and f'href="/practices/{practice_id}"' in page


def test_a_practice_form_without_its_csrf_token_records_nothing(
    setup: Setup, other: Setup, person: People
) -> None:
    practice_id = published(setup, person)
    e = person(other.partners["e"])
    before = setup.head()
    asked = {"partnership_id": other.partnership_id, "question": "Forged?"}
    for token in ({}, {"csrf_token": "forged"}):
        response = e.client.post(f"/practices/{practice_id}/ask", data={**asked, **token})
        assert response.status_code == 400
    assert setup.head() == before
