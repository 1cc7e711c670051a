"""Sixteen clients at once against a real served process (DESIGN §6, issue 6).

Twelve clients act as the three members of ONE partnership in force — pledges,
confirmations with If-Match, deliveries, the lead's confirmations of them, replays and
reuses of their Idempotency-Keys — while four start MANY things (registrations, new
partnerships), in pairs that send the same keyed requests at the same moment. Every
request carries an Idempotency-Key. Afterwards: every acknowledged command's events are
in the log exactly once, refused ones recorded nothing, every key replays the same
positions, the views equal a rebuild and the offline verifier passes. SQLite (embedded
mode) and PostgreSQL (server mode: gunicorn, follower and sealer processes).
"""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import Http, Served
from tests.integration.test_http_scenario import TERRITORY
from tests.integration.test_http_write_scenarios import DAY, Scene, pledge_body
from tests.stress.conftest import (
    assert_verifier_passes,
    assert_views_equal_a_rebuild,
    log_positions,
    wait_caught_up,
)

pytestmark = pytest.mark.long

CLIENTS, ON_ONE = 16, 12  # 12 on the one partnership (4 per member), 4 starting many
ROUNDS = 40  # commands per client after the opening burst
MEMBERS = ("a", "b", "c")  # a leads: it confirms deliveries to the pool
ACKNOWLEDGED, REFUSED = {200, 201}, {409, 412, 422}


@dataclass(frozen=True)
class Sent:
    who: Http
    path: str
    body: dict[str, Any]
    key: str
    status: int
    reply: Any

    @property
    def ok(self) -> bool:
        return self.status in ACKNOWLEDGED


@dataclass
class Ledger:
    """Every request sent and what the clients share: commitments and deliveries."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    sent: list[Sent] = field(default_factory=list)
    pledged: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in MEMBERS})
    confirmed: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in MEMBERS})
    reported: list[tuple[str, str]] = field(default_factory=list)

    def post(
        self, who: Http, path: str, body: dict[str, Any], key: str = "", if_match: str = ""
    ) -> Sent:
        """A keyed command; anything but an acknowledgement or a refusal fails the test."""
        headers = {"Idempotency-Key": key or uuid.uuid4().hex}
        if if_match:
            headers["If-Match"] = if_match
        reply = who.post(path, body, headers=headers)
        sent = Sent(who, path, body, headers["Idempotency-Key"], reply.status, reply.body)
        assert reply.status in ACKNOWLEDGED | REFUSED, (path, reply.status, reply.body)
        if not sent.ok:
            assert reply.headers["Content-Type"] == "application/problem+json"
        with self.lock:
            self.sent.append(sent)
        return sent

    def pick(self, items: list[Any], rng: random.Random) -> Any:
        with self.lock:
            return rng.choice(items) if items else None

    def add(self, items: list[Any], item: Any) -> None:
        with self.lock:
            if item not in items:
                items.append(item)


def member_client(ledger: Ledger, w: Scene, pid: str, key: str, rng: random.Random) -> None:
    """A member's partner: pledges, confirms (If-Match), delivers; a, the lead, confirms
    deliveries; now and then it replays a key, or reuses one for another body."""
    who = w.partners[key]
    actions: list[Callable[[], None]] = []

    def pledge() -> None:
        sent = ledger.post(who, f"/v1/partnerships/{pid}/commitments", pledge_body())
        if sent.ok:
            ledger.add(ledger.pledged[key], sent.reply["result"]["commitment_id"])

    def confirm() -> None:
        cid = ledger.pick(ledger.pledged[key], rng)
        if cid is not None:  # a pledge is at version 1; another client may confirm it first
            match = rng.choice(['"1"', '"1"', '"9"'])
            sent = ledger.post(who, f"/v1/commitments/{cid}/confirm", {}, if_match=match)
            if sent.ok:
                ledger.add(ledger.confirmed[key], cid)

    def deliver() -> None:
        cid = ledger.pick(ledger.confirmed[key], rng)
        if cid is not None:
            body = {"quantity": "1", "delivered_on": DAY}
            sent = ledger.post(who, f"/v1/commitments/{cid}/deliveries", body)
            if sent.ok and key != "a":  # the lead's own to the pool: a broker answers them
                ledger.add(ledger.reported, (cid, sent.reply["result"]["delivery_id"]))

    def confirm_delivery() -> None:
        found = ledger.pick(ledger.reported, rng)
        if found is not None:  # two leads' clients may confirm the same delivery
            ledger.post(who, f"/v1/commitments/{found[0]}/deliveries/{found[1]}/confirm", {})

    def replay_or_reuse() -> None:
        mine = [s for s in ledger.sent if s.who is who and s.ok]
        earlier: Sent | None = ledger.pick(mine, rng)
        if earlier is None:
            return
        if rng.random() < 0.5:  # the same request again: the same outcome, replayed
            again = ledger.post(who, earlier.path, earlier.body, earlier.key)
            assert again.ok and again.reply["replayed"] is True, again.reply
        else:  # the key with another body: refused, whatever the body would have done
            other = {**earlier.body, "reason": f"other {uuid.uuid4()}"}
            assert ledger.post(who, earlier.path, other, earlier.key).status == 422

    actions += [pledge, confirm, confirm, deliver, deliver, replay_or_reuse]
    if key == "a":
        actions += [confirm_delivery, confirm_delivery]
    for _ in range(ROUNDS):
        rng.choice(actions)()


def planned(rounds: int) -> list[tuple[str, dict[str, Any], str]]:
    """Keyed requests of the broker that two clients will send at the same moment."""
    plan: list[tuple[str, dict[str, Any], str]] = []
    for i in range(rounds):
        if i % 2:
            body = {
                "title": f"Care rounds {i}",
                "need_statement": "Isolated elders lack care",
                "territory": TERRITORY,
                "partnership_type": "social_innovation",
            }
            plan.append(("/v1/partnerships", body, uuid.uuid4().hex))
        else:
            plan.append(("/v1/organisations", organisation(), uuid.uuid4().hex))
    return plan


def organisation() -> dict[str, Any]:
    return {
        "identifiers": [{"scheme": "PT-NIPPC", "id": uuid.uuid4().hex[:12]}],
        "legal_name": "A new body",
        "org_type": 22,
        "sector": "civil_society",
        "territory": TERRITORY,
    }


Plan = list[tuple[str, dict[str, Any], str]]


def many_client(ledger: Ledger, w: Scene, plan: Plan, together: threading.Barrier) -> None:
    """The broker: each planned request at the same moment as its twin client, with the
    same key; then a registration of its own, or the new partnership's cancellation —
    which the twin, with a key of its own, races it to."""
    for path, body, key in plan:
        together.wait()
        twin = ledger.post(w.broker, path, body, key)
        if path == "/v1/partnerships" and twin.ok:
            pid = twin.reply["result"]["partnership_id"]
            ledger.post(w.broker, f"/v1/partnerships/{pid}/cancel", {})
        elif path != "/v1/partnerships":
            assert ledger.post(w.broker, "/v1/organisations", organisation()).ok


def test_sixteen_clients_leave_each_acknowledged_command_once_and_refusals_nowhere(
    served: Served, tmp_path: Path
) -> None:
    # Given a partnership in force (a leads; b, c), each member with one pledge unconfirmed
    w, ledger = Scene.on(served), Ledger()
    pid = w.in_force()
    opening = {key: w.pledge(key, pid, confirm=False) for key in MEMBERS}
    for key, cid in opening.items():
        ledger.pledged[key].append(cid)
    plans = [planned(ROUNDS), planned(ROUNDS)]
    pairs = [threading.Barrier(2, timeout=120), threading.Barrier(2, timeout=120)]
    before = set(log_positions(w.admin))
    start = threading.Barrier(CLIENTS, timeout=120)

    def client(n: int) -> None:
        start.wait()
        if n >= ON_ONE:
            pair = (n - ON_ONE) // 2
            many_client(ledger, w, plans[pair], pairs[pair])
            return
        key = MEMBERS[n % len(MEMBERS)]
        # the opening burst: a member's four clients confirm its pledge at once (If-Match 1)
        path = f"/v1/commitments/{opening[key]}/confirm"
        if ledger.post(w.partners[key], path, {}, if_match='"1"').ok:
            ledger.add(ledger.confirmed[key], opening[key])
        member_client(ledger, w, pid, key, random.Random(n))

    # When sixteen clients issue their keyed commands at once
    with ThreadPoolExecutor(CLIENTS) as pool:
        for future in [pool.submit(client, n) for n in range(CLIENTS)]:
            future.result()

    # Then each key stands for one command: one original outcome, every duplicate replays it
    commands: dict[tuple[str | None, str], list[Sent]] = {}
    for sent in ledger.sent:
        if sent.ok:
            commands.setdefault((sent.who.token, sent.key), []).append(sent)
    originals = []
    for group in commands.values():
        [original] = [s for s in group if s.reply["replayed"] is False]
        assert {tuple(s.reply["positions"]) for s in group} == {tuple(original.reply["positions"])}
        assert original.reply["positions"], original.reply  # every command recorded events
        originals.append(original)
    # And of racing commands on one aggregate only one was acknowledged
    targets = Counter(s.path for s in originals if s.path.endswith(("/confirm", "/cancel")))
    assert set(targets.values()) == {1}, targets
    burst = [f"/v1/commitments/{cid}/confirm" for cid in opening.values()]
    assert all(targets[path] == 1 for path in burst)
    statuses = Counter(s.status for s in ledger.sent)
    assert statuses[412] >= 3 * len(MEMBERS) and statuses[409] > 0, statuses

    # And the acknowledged commands' events are in the log exactly once, and nothing else
    claimed = [p for s in originals for p in s.reply["positions"]]
    after = log_positions(w.admin)
    assert len(claimed) == len(set(claimed)) and len(after) == len(set(after))
    assert set(after) - before == set(claimed)
    assert len(after) - len(before) == len(claimed)
    refused = sum(n for status, n in statuses.items() if status in REFUSED)
    print(
        f"\nconcurrency on {served.mode}: {len(ledger.sent)} requests, {len(originals)} "
        f"commands acknowledged ({len(claimed)} events), {refused} refused; {dict(statuses)}"
    )

    # When every acknowledged key is sent again, Then it replays the same positions
    def again(original: Sent) -> None:
        sent = ledger.post(original.who, original.path, original.body, original.key)
        assert sent.ok and sent.reply["replayed"] is True, sent.reply
        assert sent.reply["positions"] == original.reply["positions"]

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(again, originals))
    assert log_positions(w.admin) == after

    # And the recorded commitments hold exactly the acknowledged confirmations and deliveries
    wait_caught_up(w.admin, max(after))
    for key in MEMBERS:
        for cid in ledger.pledged[key]:
            assert_commitment_matches(w.admin, cid, originals)
    # And the views equal a rebuild, and the verifier passes over the whole log
    assert_views_equal_a_rebuild(served)
    assert_verifier_passes(served, len(after), tmp_path)
    # And a duplicate sent at the same moment as its original got the original's outcome
    # (DESIGN §4: "a concurrent duplicate waits for the first and gets its replay")
    planned_keys = {key for plan in plans for _, _, key in plan}
    twins = [f"{s.path}: {s.status} {s.reply.get('detail')}" for s in ledger.sent
             if s.key in planned_keys and not s.ok]  # fmt: skip
    assert twins == [], f"{len(twins)} of {2 * len(planned_keys)} duplicates refused"


def assert_commitment_matches(admin: Http, cid: str, originals: list[Sent]) -> None:
    """Its status and deliveries as the acknowledged commands on it say, no more, no less."""
    mine = [s for s in originals if s.path.startswith(f"/v1/commitments/{cid}/")]
    confirmed = any(s.path.endswith(f"{cid}/confirm") for s in mine)
    reported = {s.reply["result"]["delivery_id"] for s in mine if s.path.endswith("/deliveries")}
    counted = {s.path.split("/")[-2] for s in mine if s.path.endswith("/confirm")} - {cid}
    reply = admin.get(f"/v1/commitments/{cid}")
    assert reply.status == 200, reply.body
    shown = reply.body
    expected = ("in_delivery" if reported else "confirmed") if confirmed else "pledged"
    assert shown["status"] == expected
    assert {d["delivery_id"] for d in shown["deliveries"]} == reported
    assert {d["delivery_id"] for d in shown["deliveries"] if d["status"] == "confirmed"} == counted
    assert shown["delivered"] == str(len(counted))
