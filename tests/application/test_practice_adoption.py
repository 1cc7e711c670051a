"""Adopting a practice across territories, a lineage without cycles, and learning
exchanges (DESIGN §8), on every store."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID, uuid4

import pytest

from collab.application import Collab, Context, Outcome
from collab.domain.errors import (
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    RuleViolationError,
)
from collab.domain.lineage import LINEAGE_ID, Lineage
from collab.practices.commands import (
    AdoptPractice,
    AnswerExchange,
    DeclineExchange,
    PublishPractice,
)
from tests.application.practices import (
    ES_TERRITORY,
    adopt,
    ask,
    pair,
    practice_fields,
    practice_of,
    publish,
    publishing_decision,
)
from tests.application.test_concurrency import Gate, race, rival, streams
from tests.application.world import World

__all__ = ["rival"]  # the fixture, shared


def lineage(world: World) -> Lineage:
    found = world.app.load(LINEAGE_ID)
    assert isinstance(found, Lineage)
    return found


def test_a_partnership_adopts_or_adapts_a_practice(world: World) -> None:
    # Given a practice, and two partnerships in other territories
    pid, b, c = (pair(world, k) for k in "ade")
    practice_id = publish(world, pid).text("practice_id")
    # When one adopts it as it is and the other adapts it
    adopted = adopt(world, b, practice_id, "adopts")
    adapted = adopt(world, c, practice_id, "adapts", ctx=world.as_("e"))
    # Then the lineage records both, with the practice's version, territory, why and changes
    assert world.events(str(LINEAGE_ID)) == ["LineageStarted", "PracticeAdopted", "PracticeAdopted"]
    found = lineage(world).adoptions
    first, second = found[adopted.text("adoption_id")], found[adapted.text("adoption_id")]
    assert (first["relation"], first["changes"], first["adopter"]) == ("adopts", None, b)
    assert (second["relation"], second["adopter"], second["source"]) == ("adapts", c, pid)
    assert second["changes"] and second["why"]
    assert first["territory"] == {**ES_TERRITORY, "lau": None}
    assert first["practice_id"] == practice_id and first["practice_version"] == 1


def test_an_adaptation_says_what_it_changed(world: World) -> None:
    pid, other = pair(world, "a"), pair(world, "d")
    practice_id = publish(world, pid).text("practice_id")
    for relation, changes in (("adapts", None), ("adopts", "Run by a cooperative")):
        with pytest.raises(InvalidInputError):
            AdoptPractice(other, practice_id, relation, ES_TERRITORY, "why", changes)


def test_adopting_twice_or_ones_own_is_refused(world: World) -> None:
    # Given a practice adopted once by another partnership
    pid, other = pair(world, "a"), pair(world, "d", "e")
    practice_id = publish(world, pid).text("practice_id")
    adopt(world, other, practice_id)
    # Then adopting it again, or adopting one's own practice, is refused
    world.refused(RuleViolationError, lambda: adopt(world, other, practice_id, "adopts"))
    world.refused(RuleViolationError, lambda: adopt(world, pid, practice_id, "adopts"))
    # And a member that is no steward may not adopt (403), an outsider sees nothing (404)
    world.refused(ForbiddenError, lambda: adopt(world, other, practice_id, ctx=world.as_("e")))
    world.refused(NotFoundError, lambda: adopt(world, other, practice_id, ctx=world.as_("a")))
    unknown = str(uuid4())
    world.refused(NotFoundError, lambda: adopt(world, other, unknown))


def test_a_cycle_across_generations_is_refused(world: World) -> None:
    # Given A's practice adapted by B, B's adaptation adapted by C, and C's published
    a, b, c, d = (pair(world, k) for k in "abcd")
    first = publish(world, a).text("practice_id")
    adopt(world, b, first)
    second = publish(world, b, contact="b", adapted_from=first).text("practice_id")
    adopt(world, c, second)
    third = publish(world, c, contact="c", adapted_from=second).text("practice_id")
    assert practice_of(world, third).adapted_from == second
    # When A adopts C's or B's adaptation, or B adopts C's, Then a cycle is refused
    for adopter, practice in ((a, third), (a, second), (b, third)):
        world.refused(RuleViolationError, lambda x=adopter, y=practice: adopt(world, x, y))
    # And a partnership outside the line adopts any of them, its adoption naming the line
    taken = adopt(world, d, third).text("adoption_id")
    assert lineage(world).adoptions[taken]["ancestry"] == [c, b, a]
    # And A takes up a practice of B's that does not descend from A's
    own = publish(world, b, contact="b").text("practice_id")
    adopt(world, a, own)


def test_an_adaptation_names_a_practice_its_partnership_adopted(world: World) -> None:
    pid, other = pair(world, "a"), pair(world, "d")
    first = publish(world, pid).text("practice_id")
    # When a partnership that never adopted it publishes "an adaptation" of it
    fields, decision = practice_fields(world, "d"), publishing_decision(world, other)
    command = PublishPractice(other, decision, fields, adapted_from=first)
    # Then it is refused
    world.refused(RuleViolationError, lambda: world.app.execute(world.as_broker(), command))


@pytest.mark.parametrize("started", [False, True], ids=["first_adoption", "lineage_exists"])
def test_two_concurrent_adoptions_of_one_practice_record_one(
    world: World, rival: Collab, monkeypatch: pytest.MonkeyPatch, started: bool
) -> None:
    # Given A's practice; the lineage not yet started, or with C's adoption of it
    a, b = pair(world, "a"), pair(world, "b")
    of_a = publish(world, a).text("practice_id")
    before: list[str] = []
    if started:
        c = pair(world, "c")
        adopt(world, c, of_a, "adopts")
        before = world.events(str(LINEAGE_ID))
    head = world.head()

    def adopting(app: Collab) -> Callable[[], Outcome]:
        return lambda: app.execute(
            world.as_broker(),
            AdoptPractice(b, of_a, "adopts", ES_TERRITORY, "It worked there"),
        )

    # When B adopts A's practice twice at the same moment, through two processes
    gate = Gate("one", "two")
    gate.install(monkeypatch, world.app, rival)
    results = race(one=adopting(world.app), two=adopting(rival))
    # Then the first wins; the second, which had loaded the lineage before the first saved,
    # conflicts, is retried on the new state and is refused: B has adopted it already
    assert sorted(gate.saves) == ["one", "two"]
    assert isinstance(results["one"], Outcome), results
    assert isinstance(results["two"], RuleViolationError), results
    recorded = ["PracticeAdopted"] if started else ["LineageStarted", "PracticeAdopted"]
    assert world.events(str(LINEAGE_ID)) == [*before, *recorded]
    mine = [x for x in lineage(world).adoptions.values() if x["adopter"] == b]
    assert [x["practice_id"] for x in mine] == [of_a]
    assert world.head() == head + len(recorded)
    streams(world.app)


def exchange_between(world: World) -> tuple[str, str, str]:
    """A's practice asked about by D's partnership; E's partnership a third one."""
    a, d = pair(world, "a", "b"), pair(world, "d")
    pair(world, "e")
    practice_id = publish(world, a).text("practice_id")
    asked = ask(world, d, practice_id, ctx=world.as_("d"))
    assert asked.result["version"] == 1
    return a, d, asked.text("exchange_id")


def test_a_question_is_asked_and_answered_by_the_practices_partnership(world: World) -> None:
    # Given D asked about A's practice
    a, d, exchange_id = exchange_between(world)
    # When A's lead answers
    answer = AnswerExchange(exchange_id, "The parish council keeps the rota.")
    out = world.app.execute(world.as_("a"), answer)
    # Then the exchange is answered, once
    assert out.result == {"exchange_id": exchange_id, "version": 2}
    assert world.events(exchange_id) == ["ExchangeRequested", "ExchangeAnswered"]
    exchange = world.app.load(UUID(exchange_id))
    assert (exchange.owner, exchange.asker, exchange.status) == (a, d, "answered")
    assert exchange.answer == answer.answer
    for command in (answer, DeclineExchange(exchange_id)):
        world.refused(RuleViolationError, lambda c=command: world.app.execute(world.as_("a"), c))


def test_only_the_practices_partnership_answers_or_declines(world: World) -> None:
    # Given D asked about A's practice
    _, _, exchange_id = exchange_between(world)
    answer = AnswerExchange(exchange_id, "Ask the parish.")
    for command in (answer, DeclineExchange(exchange_id)):
        # Then the asking side may not answer (403); a third partnership sees nothing (404)
        world.refused(ForbiddenError, lambda c=command: world.app.execute(world.as_("d"), c))
        world.refused(NotFoundError, lambda c=command: world.app.execute(world.as_("e"), c))
    # And a member of A's partnership declines it, saying why
    world.app.execute(world.as_("b", reason="we are not ready"), DeclineExchange(exchange_id))
    assert world.events(exchange_id) == ["ExchangeRequested", "ExchangeDeclined"]
    world.refused(RuleViolationError, lambda: world.app.execute(world.as_("a"), answer))


def test_a_partnership_asks_questions_of_anothers_practice_only(world: World) -> None:
    pid = pair(world, "a")
    practice_id = publish(world, pid).text("practice_id")
    world.refused(RuleViolationError, lambda: ask(world, pid, practice_id))
    outsider = world.as_who("z")
    world.refused(NotFoundError, lambda: ask(world, pid, practice_id, ctx=outsider))
    assert isinstance(outsider, Context)
