"""Practices over HTTP (DESIGN §8): published by a decision, read by every signed-in caller
(and anonymously where the decision says so) while the partnership stays 404, each cited
event provable with `verify.py`, lineage across generations without cycles, exchanges
seen by the two partnerships only, withdrawal, and refusals that record nothing."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from api import create_app
from api.service import Settings
from collab.commitments.commands import ConfirmDelivery
from collab.domain.partnership_rules import STANDING
from collab.domain.practice_figures import SECTORS
from collab.governance.commands import RecordDecision, SetIndicator
from collab.indicators.commands import CorrectReport, ReportIndicator
from collab.stores import StoreConfig
from tests.api.conftest import Auth, Caller
from tests.api.setup_partnership import Setup, command, outcome, problem_type
from tests.application.conftest import fixed_clock
from tests.application.practices import ES_TERRITORY, FIGURES, practice_fields

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Network:
    """P (a public lead, b, c private), Q (d, e, f) and R (g, h, k), one broker for all."""

    setup: Setup
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def client(self) -> Any:
        return self.setup.client

    def partner(self, key: str) -> Caller:
        return self.setup.partners[key]

    def decision(self, pid: str, audience: str = "signed_in", publishes: Any = FIGURES) -> str:
        """A unanimous publish_practice decision of partnership `pid`."""
        members = self.setup.app.get_partnership(command(self.setup.auth.admin).actor, pid)
        votes = {o: "for" for o, m in members.members.items() if m.standing}
        subject = {"action": "publish_practice", "publishes": list(publishes), "audience": audience}
        out = self.setup.app.execute(
            command(self.setup.broker),
            RecordDecision(pid, body="General assembly", subject=subject, votes=votes),
        )
        decision_id: str = out.result["decision_id"]
        return decision_id

    def fields(self, contact: str = "a", **changes: Any) -> dict[str, Any]:
        return practice_fields(SimpleNamespace(orgs=self.setup.orgs), contact, **changes)  # type: ignore[arg-type]

    def publish(
        self, pid: str, contact: str = "a", audience: str = "signed_in", **extra: Any
    ) -> dict[str, Any]:
        body = {
            "partnership_id": pid,
            "decision_id": self.decision(pid, audience),
            "practice": self.fields(contact),
            **extra,
        }
        return outcome(self.post(self.setup.broker, "/practices", body), 201)

    def post(self, who: Caller, path: str, body: Any = None) -> TestResponse:
        return self.setup.post(who, path, body)

    def get(self, who: Caller | None, path: str, **query: Any) -> TestResponse:
        headers = {} if who is None else who.headers()
        return self.client.get(f"/v1{path}", query_string=query, headers=headers)

    def indicator(self, pid: str) -> str:
        visits = {"kind": "output", "name": "Home visits", "unit": "visit"}
        out = self.setup.app.execute(
            command(self.setup.broker), SetIndicator(pid, baseline="0", target="2400", **visits)
        )
        return str(out.result["indicator_id"])

    def report(self, pid: str, indicator: str, period: dict[str, str], actual: str) -> int:
        out = self.setup.app.execute(
            command(self.setup.broker), ReportIndicator(pid, indicator, period, actual=actual)
        )
        return int(out.result["report"])

    def adopt(self, pid: str, practice_id: str, relation: str = "adapts") -> TestResponse:
        body = {
            "partnership_id": pid,
            "relation": relation,
            "territory": ES_TERRITORY,
            "why": "Our villages lose their elders' care too",
            "changes": "Run by a cooperative" if relation == "adapts" else None,
        }
        return self.post(self.setup.broker, f"/practices/{practice_id}/adoptions", body)


@pytest.fixture
def net(memory_config: StoreConfig) -> Iterator[Network]:
    yield from network_on(memory_config)


@pytest.fixture
def durable_net(durable: StoreConfig) -> Iterator[Network]:
    yield from network_on(durable)


def network_on(config: StoreConfig) -> Iterator[Network]:
    settings = Settings(store=config, mode="embedded", clock=fixed_clock, seal_interval=math.inf)
    flask: Flask = create_app(settings)
    setup = Setup(Auth(flask), flask.test_client())
    setup.org("a", "public")
    setup.org("c", "private")
    network = Network(setup)
    for name, keys in (("Q", ("d", "e", "f")), ("R", ("g", "h", "k")), ("P", ("a", "b", "c"))):
        network.ids[name] = setup.start(keys)
    yield network
    setup.auth.service.close()


def test_a_practice_published_by_decision_is_read_by_a_non_member_while_its_partnership_is_404(
    net: Network,
) -> None:
    # Given P's decision to publish
    p = net.ids["P"]
    # When P's broker publishes a practice under it
    out = net.publish(p)
    practice_id = out["result"]["practice_id"]
    assert out["result"]["number"] == 1
    # Then d, a partner outside P, reads the practice with its figures and their positions
    response = net.get(net.partner("d"), f"/practices/{practice_id}")
    assert response.status_code == 200, response.json
    view = response.json
    assert view is not None
    assert (view["partnership_id"], view["number"], view["status"]) == (p, 1, "published")
    assert view["position"] == out["position"]
    assert view["content"]["title"] == net.fields()["title"]
    assert set(view["figures"]) == set(FIGURES)
    cited = view["figures"]["sector_mix"]["rests_on"]
    assert cited and all(isinstance(c["position"], int) for c in cited)
    assert all(isinstance(c["leaf"], int) for c in cited)
    # And the practice is listed for it
    listed = net.get(net.partner("d"), "/practices", partnership_id=p).json
    assert listed is not None
    assert [x["practice_id"] for x in listed["items"]] == [practice_id]
    # But P itself, its view and its history stay 404 to d
    for path in (f"/partnerships/{p}/view", f"/partnerships/{p}/history"):
        assert net.get(net.partner("d"), path).status_code == 404


def test_on_a_durable_store_a_non_member_reads_and_proves_what_a_practice_cites(
    durable_net: Network,
) -> None:
    # Given a practice of P on SQLite or PostgreSQL, under a checkpoint
    net = durable_net
    cid = net.setup.pledge("b", value="12")
    net.setup.deliver("b", cid, "4")
    practice_id = net.publish(net.ids["P"])["result"]["practice_id"]
    net.setup.auth.service.audit.sealer.seal()
    # When d, outside P, reads it
    view = net.get(net.partner("d"), f"/practices/{practice_id}").json
    assert view is not None
    cited = view["figures"]["resources"]["rests_on"]
    # Then every cited event has its position and leaf, and a proof of each is served
    assert cited and all(isinstance(c["leaf"], int) for c in cited)
    for c in cited:
        bundle = net.get(net.partner("d"), f"/practices/{practice_id}/proofs/{c['position']}")
        assert bundle.status_code == 200, bundle.json
        assert bundle.json is not None and bundle.json["leaf"] == c["leaf"]
    listed = net.get(net.partner("d"), "/practices").json
    assert listed is not None and [x["practice_id"] for x in listed["items"]] == [practice_id]


def test_anonymous_reads_a_practice_open_to_anyone_and_gets_401_on_any_other(
    net: Network,
) -> None:
    # Given one practice published to anyone and one to signed-in callers
    p, q = net.ids["P"], net.ids["Q"]
    open_id = net.publish(p, audience="anyone")["result"]["practice_id"]
    closed_id = net.publish(q, contact="d")["result"]["practice_id"]
    net.setup.auth.service.audit.sealer.seal()
    # When an anonymous caller asks for each
    opened = net.get(None, f"/practices/{open_id}")
    # Then the open one answers 200, and a proof of a position it cites too
    assert opened.status_code == 200, opened.json
    assert opened.json is not None
    position = opened.json["figures"]["sector_mix"]["rests_on"][0]["position"]
    assert net.get(None, f"/practices/{open_id}/proofs/{position}").status_code == 200
    # And the search lists the open one only, its counts too; "like this one" of the
    # open one does not name the closed one
    listed = net.get(None, "/practices", q="care rounds").json
    assert listed is not None and [x["practice_id"] for x in listed["items"]] == [open_id]
    assert listed["total"] == 1 and listed["facets"]["status"][0]["count"] == 1
    liked = net.get(None, f"/practices/{open_id}/similar")
    assert liked.status_code == 200 and liked.json == {"items": []}
    signed = net.get(net.partner("d"), f"/practices/{open_id}/similar").json
    assert signed is not None and [x["practice_id"] for x in signed["items"]] == [closed_id]
    # And every other practice (or one unknown, or the lineage) is the one 401
    unknown = "00000000-0000-4000-8000-000000000000"
    for path in (
        f"/practices/{closed_id}",
        f"/practices/{unknown}",
        f"/practices/{open_id}/lineage",
        f"/practices/{closed_id}/similar",
        f"/practices/{closed_id}/proofs/{position}",
    ):
        response = net.get(None, path)
        assert response.status_code == 401, path
        assert problem_type(response) == "unauthenticated"


def test_every_cited_position_verifies_for_a_non_member_and_no_other_is_served(
    net: Network, tmp_path: Path
) -> None:
    # Given a practice of P publishing every figure, after pledges and an indicator report
    p = net.ids["P"]
    cid = net.setup.pledge("b", value="30")
    net.setup.deliver("b", cid, "10")
    practice = net.publish(p)
    practice_id = practice["result"]["practice_id"]
    net.setup.auth.service.audit.sealer.seal()
    # When d (outside P) reads it and fetches the proof of every position it cites
    view = net.get(net.partner("d"), f"/practices/{practice_id}").json
    assert view is not None
    positions = sorted(set(cited_positions(view["figures"])) | {practice["position"]})
    assert len(positions) > 3
    key = tmp_path / "log.pub"
    key.write_text(net.setup.auth.service.audit.keys.signer.verifier + "\n")
    for position in positions:
        response = net.get(net.partner("d"), f"/practices/{practice_id}/proofs/{position}")
        assert response.status_code == 200, (position, response.json)
        bundle = tmp_path / f"bundle-{position}.json"
        bundle.write_text(json.dumps(response.json))
        # Then the standalone verifier finds each one clean
        verified = subprocess.run(
            [sys.executable, "collab/audit/verify.py", str(bundle), "--pubkey", str(key)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert verified.returncode == 0, verified.stdout + verified.stderr
    # And a position P recorded that the practice does not cite is 404 (P's first event)
    first = net.get(net.partner("a"), f"/partnerships/{p}/history").json
    assert first is not None
    uncited = first["items"][0]["position"]
    assert uncited not in positions
    assert net.get(net.partner("d"), f"/practices/{practice_id}/proofs/{uncited}").status_code == (
        404
    )
    assert net.get(net.partner("d"), "/audit/proofs/inclusion", position=uncited).status_code == 404


def cited_positions(value: Any) -> list[int]:
    found: list[int] = []
    if isinstance(value, dict):
        found += [c["position"] for c in value.get("rests_on", [])]
        for key, item in value.items():
            if key != "rests_on":
                found += cited_positions(item)
    elif isinstance(value, list):
        for item in value:
            found += cited_positions(item)
    return found


def test_lineage_over_two_generations_and_a_cycle_refused_with_nothing_recorded(
    net: Network,
) -> None:
    # Given P's practice, adapted by Q (which publishes its own), adapted in turn by R
    p, q, r = net.ids["P"], net.ids["Q"], net.ids["R"]
    origin = net.publish(p)["result"]["practice_id"]
    assert net.adopt(q, origin).status_code == 201
    second = net.publish(q, contact="d", adapted_from=origin)["result"]["practice_id"]
    assert net.adopt(r, second, "adopts").status_code == 201
    third = net.publish(r, contact="g", adapted_from=second)["result"]["practice_id"]
    # When a non-member of all three (x) reads the origin's lineage
    net.setup.org("x")
    found = net.get(net.partner("x"), f"/practices/{origin}/lineage")
    # Then it shows both generations, each adopter's own practice with its outcomes
    assert found.status_code == 200, found.json
    lineage = found.json
    assert lineage is not None
    rows = [(a["adopter"], a["relation"], a["generation"]) for a in lineage["adoptions"]]
    assert rows == [(q, "adapts", 1), (r, "adopts", 2)]
    assert [[x["practice_id"] for x in a["practices"]] for a in lineage["adoptions"]] == [
        [second],
        [third],
    ]
    assert "indicators" in lineage["adoptions"][0]["practices"][0]["outcomes"]
    assert lineage["adoptions"][0]["territory"]["country"] == "ES"
    # And the third's ancestors are the second and the origin, nearest first
    ancestors = net.get(net.partner("x"), f"/practices/{third}/lineage").json
    assert ancestors is not None
    assert [a["practice_id"] for a in ancestors["ancestors"]] == [second, origin]
    # When P adopts R's practice (R's descends from P's own): refused, nothing recorded
    before = net.setup.head()
    refused = net.adopt(p, third)
    assert refused.status_code == 409, refused.json
    assert problem_type(refused) == "rule-violation"
    assert net.setup.head() == before


def test_an_exchange_is_seen_by_the_two_partnerships_only(net: Network) -> None:
    # Given P's practice and Q's question about it
    p, q = net.ids["P"], net.ids["Q"]
    practice_id = net.publish(p)["result"]["practice_id"]
    asked = net.post(
        net.partner("d"),
        f"/practices/{practice_id}/exchanges",
        {"partnership_id": q, "question": "How did you find volunteers?"},
    )
    exchange_id = outcome(asked, 201)["result"]["exchange_id"]
    # Then P's and Q's members read it; R's member gets 404, and an empty list
    for key in ("a", "d"):
        seen = net.get(net.partner(key), f"/exchanges/{exchange_id}")
        assert seen.status_code == 200, seen.json
        assert seen.json is not None and seen.json["status"] == "asked"
        listed = net.get(net.partner(key), f"/practices/{practice_id}/exchanges").json
        assert listed is not None and [e["exchange_id"] for e in listed["items"]] == [exchange_id]
    assert net.get(net.partner("g"), f"/exchanges/{exchange_id}").status_code == 404
    assert net.get(net.partner("g"), f"/practices/{practice_id}/exchanges").json == {"items": []}
    mine = net.get(net.partner("d"), f"/partnerships/{q}/exchanges").json
    assert mine is not None and [e["exchange_id"] for e in mine["items"]] == [exchange_id]
    # And the event feed gives its event to P's and Q's members, not to R's; the practice's
    # own events to every one of them
    for key, sees in (("a", True), ("d", True), ("g", False)):
        feed = net.get(net.partner(key), "/events", limit=500).json
        assert feed is not None
        streams = {(e["stream_type"], e["stream"]) for e in feed["items"]}
        assert (("exchange", exchange_id) in streams) is sees, key
        assert ("practice", practice_id) in streams
    # When the asking side tries to answer: 403 (it sees the exchange); R: 404; both record nothing
    body = {"answer": "The parish choir"}
    net.setup.refused(403, "forbidden", net.partner("d"), f"/exchanges/{exchange_id}/answer", body)
    net.setup.refused(404, "not-found", net.partner("g"), f"/exchanges/{exchange_id}/answer", body)
    # When P's member answers
    outcome(net.post(net.partner("b"), f"/exchanges/{exchange_id}/answer", body), 200)
    # Then both sides read the answer; it cannot be declined any more
    answered = net.get(net.partner("d"), f"/exchanges/{exchange_id}").json
    assert answered is not None
    assert (answered["status"], answered["answer"]) == ("answered", "The parish choir")
    net.setup.refused(
        409, "rule-violation", net.partner("b"), f"/exchanges/{exchange_id}/decline", {}
    )


def test_a_question_declined_keeps_its_reason(net: Network) -> None:
    p, q = net.ids["P"], net.ids["Q"]
    practice_id = net.publish(p)["result"]["practice_id"]
    ask = {"partnership_id": q, "question": "May we visit?"}
    exchange_id = outcome(
        net.post(net.setup.broker, f"/practices/{practice_id}/exchanges", ask), 201
    )["result"]["exchange_id"]
    declined = {"reason": "No visits this year"}
    outcome(net.post(net.partner("a"), f"/exchanges/{exchange_id}/decline", declined), 200)
    view = net.get(net.partner("e"), f"/exchanges/{exchange_id}").json
    assert view is not None
    assert (view["status"], view["decline_reason"]) == ("declined", "No visits this year")


def test_withdrawal_shows_withdrawn_and_keeps_every_version(net: Network) -> None:
    # Given a practice of P in two versions
    p = net.ids["P"]
    practice_id = net.publish(p)["result"]["practice_id"]
    body = {"decision_id": net.decision(p), "practice": net.fields(title="Care rounds, v2")}
    second = outcome(net.post(net.setup.broker, f"/practices/{practice_id}/versions", body), 201)
    assert second["result"]["number"] == 2
    # When an outsider tries to withdraw it (403), or P without a reason (422): nothing recorded
    net.setup.refused(403, "forbidden", net.partner("d"), f"/practices/{practice_id}/withdraw")
    net.setup.refused(422, "invalid-input", net.setup.broker, f"/practices/{practice_id}/withdraw")
    # When P's broker withdraws it, stating why
    withdrawn = {"reason": "Replaced by the county's service"}
    outcome(net.post(net.setup.broker, f"/practices/{practice_id}/withdraw", withdrawn), 200)
    # Then it reads withdrawn with its reason, both versions kept and readable
    view = net.get(net.partner("d"), f"/practices/{practice_id}").json
    assert view is not None
    assert (view["status"], view["withdrawn_reason"]) == ("withdrawn", withdrawn["reason"])
    assert [v["number"] for v in view["versions"]] == [1, 2]
    assert view["content"]["title"] == "Care rounds, v2"
    first = net.get(net.partner("d"), f"/practices/{practice_id}", version=1).json
    assert first is not None and first["content"]["title"] == net.fields()["title"]
    assert net.get(net.partner("d"), f"/practices/{practice_id}", version=3).status_code == 404


@pytest.mark.parametrize(
    "change",
    [
        {"practice": None},
        {"practice": {"title": "Only a title"}},
        {"practice": "themes"},
        {"practice": "kind"},
        {"practice": "level"},
        {"practice": "language"},
        {"unknown": 1},
        {"decision_id": "not-a-uuid"},
        {"adapted_from": 7},
    ],
)
def test_bad_bodies_are_422_problems_and_record_nothing(
    net: Network, change: dict[str, Any]
) -> None:
    p = net.ids["P"]
    body: dict[str, Any] = {
        "partnership_id": p,
        "decision_id": net.decision(p),
        "practice": net.fields(),
    }
    broken = dict(change)
    spoil = {
        "themes": {"themes": ["not_a_theme"]},
        "kind": {"territory": {"country": "PT", "kind": "suburban"}},
        "level": {"evidence": {"level": "2", "basis": "x"}},
        "language": {"languages": ["Portuguese"]},
    }
    if isinstance(broken.get("practice"), str):
        broken["practice"] = {**body["practice"], **spoil[broken["practice"]]}
    net.setup.refused(422, "invalid-input", net.setup.broker, "/practices", {**body, **broken})


def test_vocabularies_are_served_from_the_one_place_they_live(net: Network) -> None:
    found = net.get(net.partner("d"), "/practices/vocabularies").json
    assert found is not None
    assert "ageing" in found["themes"] and found["evidence_levels"] == [1, 2, 3, 4, 5]
    assert found["audiences"] == ["signed_in", "anyone"]


def test_every_figure_equals_the_ledger_as_of_the_publishing_position(net: Network) -> None:
    # Given P's ledger: pledges, deliveries (some confirmed), an indicator reported twice
    # and corrected once
    p, setup = net.ids["P"], net.setup
    hours = setup.pledge("b", value="100")
    setup.pledge("c", value="40")
    confirm(setup, hours, setup.deliver("b", hours, "30"))
    setup.deliver("b", hours, "5")
    indicator = net.indicator(p)
    first = net.report(p, indicator, Q1, "500")
    net.report(p, indicator, Q2, "700")
    setup.app.execute(
        command(setup.broker, reason="recounted"), CorrectReport(p, indicator, first, "480")
    )
    # When P publishes a practice, and the ledger moves on afterwards
    published = net.publish(p)
    practice_id, position = published["result"]["practice_id"], published["position"]
    later = setup.pledge("c", value="15")
    confirm(setup, hours, setup.deliver("b", hours, "20"))
    setup.deliver("c", later, "15")
    net.report(p, indicator, Q3, "900")
    # Then every figure the practice shows equals P's view as of the publishing position
    view = net.get(net.partner("d"), f"/practices/{practice_id}").json
    then = net.get(net.partner("a"), f"/partnerships/{p}/view", as_of_position=position).json
    now = net.get(net.partner("a"), f"/partnerships/{p}/view").json
    assert view is not None and then is not None and now is not None
    figures = view["figures"]
    assert figures["sector_mix"]["members"] == sectors(then)
    assert figures["sector_mix"]["bucket"] == "public_civil_society_private"
    assert lines(figures["resources"]["lines"]) == resources(then) != resources(now)
    assert outcomes(figures["outcomes"]) == indicators(then) != indicators(now)
    assert [len(i["periods"]) for i in figures["outcomes"]["indicators"]] == [2]


Q1 = {"start": "2024-01-01", "end": "2024-03-31"}
Q2 = {"start": "2024-04-01", "end": "2024-06-30"}
Q3 = {"start": "2024-07-01", "end": "2024-09-30"}
AMOUNTS = ("committed", "delivered", "confirmed", "surplus")


def confirm(setup: Setup, commitment_id: str, delivery_id: str) -> None:
    """The lead confirms a delivery to the pool."""
    setup.app.execute(setup.as_("a"), ConfirmDelivery(commitment_id, delivery_id))


def sectors(view: dict[str, Any]) -> dict[str, int]:
    """Members in standing by sector, as the partnership view shows them."""
    standing = [m for m in view["members"] if m["status"] in STANDING]
    return {s: sum(1 for m in standing if m["sector"] == s) for s in SECTORS}


def lines(found: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[Decimal, ...]]:
    return {
        (x["contribution_type"], x["unit"]): tuple(Decimal(x[k]) for k in AMOUNTS) for x in found
    }


def resources(view: dict[str, Any]) -> dict[tuple[str, str], tuple[Decimal, ...]]:
    """Every member's totals, summed per contribution type and unit."""
    sums: dict[tuple[str, str], tuple[Decimal, ...]] = {}
    for m in view["members"]:
        for kind, amounts in lines(m["totals"]).items():
            before = sums.get(kind, (Decimal(0),) * 4)
            sums[kind] = tuple(a + b for a, b in zip(before, amounts, strict=True))
    return sums


def outcomes(figure: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            i["indicator_id"],
            Decimal(i["baseline"]),
            Decimal(i["target"]),
            [(x["start"], x["end"], Decimal(x["actual"]), x["corrected"]) for x in i["periods"]],
        )
        for i in figure["indicators"]
    ]


def indicators(view: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            i["indicator_id"],
            Decimal(i["baseline"]),
            Decimal(i["target"]),
            [
                (x["period_start"], x["period_end"], Decimal(x["actual"]), x["corrected"])
                for x in i["series"]
            ],
        )
        for i in view["indicators"]
    ]


def test_the_list_pages_by_cursor_and_filters_by_status(net: Network) -> None:
    # Given three practices of P and Q, one of them withdrawn
    p, q = net.ids["P"], net.ids["Q"]
    made = [net.publish(p), net.publish(q, contact="d"), net.publish(p)]
    ids = [m["result"]["practice_id"] for m in made]
    withdrawn = {"reason": "Ended"}
    outcome(net.post(net.setup.broker, f"/practices/{ids[1]}/withdraw", withdrawn), 200)
    # When a reader pages through them two at a time
    first = net.get(net.partner("g"), "/practices", limit=2).json
    assert first is not None and first["next_cursor"]
    rest = net.get(net.partner("g"), "/practices", limit=2, cursor=first["next_cursor"]).json
    assert rest is not None
    # Then it gets each once, in the order published, and no further page
    assert [x["practice_id"] for x in first["items"] + rest["items"]] == ids
    assert rest["next_cursor"] is None
    # And the filters pick the withdrawn one, and P's
    gone = net.get(net.partner("g"), "/practices", status="withdrawn").json
    assert gone is not None and [x["practice_id"] for x in gone["items"]] == [ids[1]]
    of_p = net.get(net.partner("g"), "/practices", partnership_id=p).json
    assert of_p is not None and [x["practice_id"] for x in of_p["items"]] == [ids[0], ids[2]]
    # And a cursor it never gave is a 422 problem
    assert net.get(net.partner("g"), "/practices", cursor="bm9wZQ").status_code == 422
