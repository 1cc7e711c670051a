"""Review of the practice pages (issue 16): what a visitor, a former member or a hostile
form may reach, and a refusal said in the reader's language."""

from __future__ import annotations

from flask.testing import FlaskClient

from collab.partnerships.commands import WithdrawMembership
from collab.practices.commands import AdoptPractice, AskPractice, PublishPractice
from tests.api.setup_partnership import Setup, command
from tests.application.practices import practice_fields
from tests.web.conftest import csrf_of
from tests.web.test_forms_commitments import People, send
from tests.web.test_forms_practices import decided, other, practice_form, published, setup

__all__ = ["other", "setup"]
PT = {"Accept-Language": "pt"}
ADAPTED = {"country": "PT", "nuts": "PT1C2", "kind": "coastal"}


def adapted_by(other: Setup, practice_id: str, title: str) -> str:
    """The other partnership adapts the practice and publishes its own, to signed-in readers
    only (its id)."""
    ctx = command(other.partners["d"])
    other.app.execute(
        ctx, AdoptPractice(other.partnership_id, practice_id, "adapts", ADAPTED, "why", "how")
    )
    fields = practice_fields(other, "d", title=title)  # type: ignore[arg-type]
    out = other.app.execute(
        ctx,
        PublishPractice(other.partnership_id, decided(other), fields, adapted_from=practice_id),
    )
    return str(out.result["practice_id"])


def test_a_visitor_sees_no_practice_published_to_signed_in_readers_in_a_lineage(
    setup: Setup, other: Setup, person: People, client: FlaskClient
) -> None:
    # Given a practice open to anyone, adapted by another partnership whose own practice
    # (adapting it) is published to signed-in readers only
    open_id = published(setup, person, audience="anyone")
    closed_id = adapted_by(other, open_id, "Rounds on the coast, for members")
    # When a visitor reads the open practice
    response = client.get(f"/practices/{open_id}")
    # Then the adoption shows, but nothing of the signed-in practice: not its title, its
    # outcomes or a link to it
    assert response.status_code == 200
    assert "PT1C2" in response.text
    assert "Rounds on the coast, for members" not in response.text
    assert f"/practices/{closed_id}" not in response.text
    # While a signed-in reader sees it in the lineage
    _, html = person(setup.partners["b"]).get(f"/practices/{open_id}")
    assert "Rounds on the coast, for members" in html


def test_a_former_member_sees_no_exchange_on_the_partnerships_page(
    setup: Setup, other: Setup, person: People
) -> None:
    # Given c left the partnership, and then another partnership asked about its practice
    practice_id = published(setup, person)
    setup.app.execute(setup.as_("c"), WithdrawMembership(setup.partnership_id))
    question = "How did you recruit volunteers after c left?"
    other.app.execute(
        command(other.partners["d"]),
        AskPractice(other.partnership_id, practice_id, question=question),
    )
    # When c reads the partnership (as it stood at its exit) and the practice
    former = person(setup.partners["c"])
    status, html = former.get(setup.url)
    _, page = former.get(f"/practices/{practice_id}")
    # Then neither shows the exchange, as the API's lists do not
    assert status == 200
    assert question not in html and question not in page
    # While a member in standing sees it on the partnership's page
    assert question in person(setup.partners["b"]).get(setup.url)[1]


def test_a_lesson_numbered_far_out_does_not_blow_up_the_form(setup: Setup, person: People) -> None:
    # Given a refused publishing form with a lesson input numbered 200000
    form = practice_form(setup, decided(setup), **{"practice.title": ""})
    form["practice.did_not_work.200000.what"] = "x"
    response = send(person(setup.broker), f"{setup.url}/practices/new", form)
    # Then the form comes back with the lessons written and two spare rows, not 200003
    assert response.status_code == 422
    assert response.text.count('class="lesson"') == 3


def test_an_offset_in_other_digits_or_too_large_is_not_a_500(
    setup: Setup, person: People, client: FlaskClient
) -> None:
    published(setup, person, audience="anyone")
    reader = person(setup.partners["b"])
    for offset in ("²", "\u0661", "99999999999999999999999"):
        assert reader.get(f"/practices?offset={offset}")[0] == 200, offset
        assert client.get(f"/practices?offset={offset}").status_code == 200, offset


def test_a_cycle_refused_on_the_adoption_form_is_said_in_portuguese(
    setup: Setup, other: Setup, person: People
) -> None:
    # Given the other partnership's practice adapts this partnership's own
    origin = published(setup, person)
    descendant = adapted_by(other, origin, "Rounds on the coast")
    # When this partnership's broker adopts the descendant, in Portuguese
    broker = person(setup.broker)
    path = f"/practices/{descendant}/adopt"
    token = csrf_of(broker.client.get(path).text)
    before = setup.head()
    response = broker.client.post(
        path,
        data={
            "csrf_token": token,
            "partnership_id": setup.partnership_id,
            "relation": "adopts",
            "territory.country": "PT",
            "territory.kind": "rural",
            "why": "Back home",
        },
        headers=PT,
    )
    # Then it is refused, in Portuguese, and nothing is recorded
    assert response.status_code == 409
    assert "ciclo na linhagem" in response.text and "close a cycle" not in response.text
    assert setup.head() == before
