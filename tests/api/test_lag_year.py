"""A local action group's year, end to end through the HTTP API (issue 15's scenario).

The LAG "Terras do Baixo Guadiana" (a CLLD local action group in Alentejo) runs in
process on a test clock the test moves (never a sleep), on SQLite and PostgreSQL, its
due-date processor run as `collab serve` runs it in the background. Its year:

- a municipality leads; a parish council (a public body) declared "environmental", a
  farmers' cooperative, a heritage association; the parish council counts as public, so
  public authorities hold 50% and opening the agreement is refused, until a youth
  association joins;
- the selection committee chooses a project with the parish council and the youth
  association declaring conflicts of interest (both applied);
- the cooperative over-delivers (a surplus, fulfilment capped at 100%); the heritage
  association's confirmed workshop is reversed by a correction the lead confirms; the
  youth association's sessions are revised with the municipality's consent;
- the parish council's weight is changed by decision, re-checked against the balance;
- the cooperative gives 60 days' notice, stays active, and leaves when the processor
  records its exit on the 60th day; its open commitment is released then, not before;
- the trainees indicator is reported for three quarters, one report corrected.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from api import create_app
from api.service import Service, Settings
from collab.due import PROCESSOR_ID
from collab.stores import StoreConfig
from tests.api.conftest import Auth, Caller, organisation_body
from tests.application.conftest import Clock
from tests.application.timeflow import later
from tests.application.world import terms

YEAR_OF_TOKENS = 400  # days: the clock moves past the tests' usual 30-day tokens


class LongAuth(Auth):
    def actor(self, role: str, organisation_id: str | None = None) -> Caller:
        caller = super().actor(role, organisation_id)
        svc = self.service
        token, _ = svc.credentials.issue(caller.actor_id, "year", svc.now(), YEAR_OF_TOKENS)
        return Caller(caller.actor_id, role, token, organisation_id)


@pytest.fixture
def year(durable: StoreConfig) -> Iterator[Flask]:
    app = create_app(Settings(store=durable, mode="embedded", clock=Clock()))
    yield app
    app.extensions["collab"].close()


class Lag:
    """The LAG's people and how they speak to the API."""

    def __init__(self, app: Flask) -> None:
        self.app, self.client = app, app.test_client()
        self.auth = LongAuth(app)
        self.broker = self.auth.broker
        self.orgs: dict[str, str] = {}
        self.partners: dict[str, Caller] = {}
        self.pid = ""

    @property
    def svc(self) -> Service:
        svc: Service = self.app.extensions["collab"]
        return svc

    def call(self, who: Caller, path: str, body: Any = None, status: int = 200) -> Any:
        path = path.replace("./", f"/partnerships/{self.pid}/", 1)
        response = self.client.post(f"/v1{path}", json=body or {}, headers=who.headers())
        assert response.status_code == status, response.json
        return response.json

    def ok(self, who: Caller, path: str, body: Any = None, status: int = 200) -> dict[str, Any]:
        result: dict[str, Any] = self.call(who, path, body, status)["result"]
        return result

    def get(self, who: Caller, path: str) -> Any:
        head = self.svc.head()
        path = path.replace("./", f"/partnerships/{self.pid}/", 1)
        sep = "&" if "?" in path else "?"
        response = self.client.get(f"/v1{path}{sep}min_position={head}", headers=who.headers())
        assert response.status_code == 200, response.json
        return response.json

    def register(self, key: str, sector: str, name: str) -> None:
        body = organisation_body(sector, legal_name=name)
        self.orgs[key] = self.ok(self.broker, "/organisations", body, 201)["organisation_id"]
        self.partners[key] = self.auth.actor("partner", self.orgs[key])

    def join(self, key: str, weight: int, group: str, lead: bool = False) -> None:
        invite = {
            "organisation_id": self.orgs[key],
            "roles": ["lead"] if lead else ["implementer"],
            "weight": weight,
            "interest_group": group,
        }
        self.ok(self.broker, "./members", invite, 201)
        self.ok(self.partners[key], "./join")

    def decide(self, subject: dict[str, Any], voters: tuple[str, ...], **more: Any) -> str:
        body = {
            "body": "Órgão de decisão do GAL",
            "subject": subject,
            "votes": {self.orgs[k]: "for" for k in voters},
            **more,
        }
        result = self.ok(self.broker, "./decisions", body, 201)
        assert result["passed"] is True, result
        decision_id: str = result["decision_id"]
        return decision_id

    def pledge(self, key: str, value: str, unit: str, recipient: str = "pool") -> str:
        body = {
            "contribution_type": "staff_time",
            "quantity": {"value": value, "unit": unit},
            "valuation": {"method": "not_valued"},
            "recipient": recipient,
        }
        cid: str = self.ok(self.partners[key], "./commitments", body, 201)["commitment_id"]
        self.ok(self.partners[key], f"/commitments/{cid}/confirm")
        return cid

    def deliver(self, key: str, cid: str, quantity: str) -> str:
        body = {"quantity": quantity, "delivered_on": self.today()}
        path = f"/commitments/{cid}/deliveries"
        delivery_id: str = self.ok(self.partners[key], path, body, 201)["delivery_id"]
        return delivery_id

    def today(self) -> str:
        return self.svc.app.clock().date().isoformat()

    def member(self, key: str) -> dict[str, Any]:
        view = self.get(self.partners["mun"], f"/partnerships/{self.pid}/view")
        found: dict[str, Any] = next(
            m for m in view["members"] if m["organisation_id"] == self.orgs[key]
        )
        return found


def test_a_lags_year(year: Flask) -> None:
    lag = Lag(year)
    for key, sector, name in (
        ("mun", "public", "Município de Mértola"),
        ("par", "public", "Junta de Freguesia de Alcaria Ruiva"),
        ("coop", "private", "Cooperativa Agrícola do Guadiana"),
        ("her", "civil_society", "Associação de Defesa do Património de Mértola"),
        ("young", "civil_society", "Associação Juvenil do Baixo Guadiana"),
    ):
        lag.register(key, sector, name)
    lag.pid = lag.ok(
        lag.broker,
        "/partnerships",
        {
            "title": "GAL Terras do Baixo Guadiana",
            "need_statement": "Young people leave the valley for lack of work and training",
            "territory": {"country": "PT", "nuts": "PT1C2"},  # Baixo Alentejo
            "partnership_type": "clld_lag",
        },
        201,
    )["partnership_id"]

    # -- a parish council declared environmental counts as public: opening refused -------
    lag.join("mun", 2, "public_authority", lead=True)
    lag.join("par", 3, "environmental")
    lag.join("coop", 2, "economic")
    lag.join("her", 3, "civil_society")
    text = lag.ok(lag.broker, "./versions", {"terms": terms("Um vale vivo", notice=60)}, 201)
    refused = lag.call(lag.broker, "./open-for-signature", {"agreement_version": 1}, 409)
    assert "public_authority interest group holds 50.0%" in refused["detail"]
    balance = lag.get(lag.broker, "./view")["balance"]
    assert (balance["holds"], balance["limit"]) == (False, "49")
    # The youth association joins; the same text opens and every member signs it
    lag.join("young", 2, "civil_society")
    lag.ok(lag.broker, "./open-for-signature", {"agreement_version": 1})
    for key in lag.orgs:
        lag.ok(lag.partners[key], "./signatures", {"text_hash": text["text_hash"]}, 201)
    view = lag.get(lag.broker, "./view")
    assert (view["status"], view["balance"]["holds"]) == ("active", True)
    shares = {g["group"]: g["share"] for g in view["balance"]["groups"]}
    # (to a tenth, summing to 100.0: equal remainders go by the group's name)
    assert shares == {"civil_society": "41.7", "economic": "16.7", "public_authority": "41.6"}

    # -- a selection decision with two conflicts of interest declared --------------------
    selection = lag.call(
        lag.broker,
        "./decisions",
        {
            "body": "Órgão de decisão do GAL",
            "subject": {"action": "other", "summary": "Aviso 1/2030: projeto Oficinas do Rio"},
            "votes": {lag.orgs[k]: "for" for k in ("mun", "coop", "her")},
            "conflicts": [lag.orgs["par"], lag.orgs["young"]],
        },
        201,
    )["result"]
    assert (selection["present_weight"], selection["total_weight"]) == (7, 12)
    assert selection["passed"] is True
    decisions = lag.get(lag.broker, "./view")["decisions"]
    assert sorted(decisions[0]["conflicts"]) == sorted([lag.orgs["par"], lag.orgs["young"]])

    # -- an over-delivery is a surplus; fulfilment stops at 100% -------------------------
    tractor_hours = lag.pledge("coop", "10", "hour")
    over = lag.deliver("coop", tractor_hours, "25")
    lag.ok(lag.partners["mun"], f"/commitments/{tractor_hours}/deliveries/{over}/confirm")
    shown = lag.get(lag.broker, f"/commitments/{tractor_hours}")
    assert (shown["status"], shown["fulfilment"], shown["surplus"]) == ("fulfilled", "1.0000", "15")

    # -- a confirmed delivery reversed by a correction the recipient confirms ------------
    workshop = lag.pledge("her", "40", "hour")
    held = lag.deliver("her", workshop, "40")
    path = f"/commitments/{workshop}/deliveries/{held}"
    lag.ok(lag.partners["mun"], f"{path}/confirm")
    assert lag.get(lag.broker, f"/commitments/{workshop}")["status"] == "fulfilled"
    reversal = {"quantity": "0", "delivered_on": lag.today(), "note": "the workshop was cancelled"}
    lag.ok(lag.partners["her"], f"{path}/corrections", reversal)
    assert lag.get(lag.broker, f"/commitments/{workshop}")["delivered"] == "40"  # not yet
    lag.ok(lag.partners["mun"], f"{path}/confirm")
    shown = lag.get(lag.broker, f"/commitments/{workshop}")
    assert (shown["status"], shown["delivered"]) == ("in_delivery", "0")

    # -- a commitment revised with its recipient's consent --------------------------------
    sessions = lag.pledge("young", "20", "session", recipient=lag.orgs["mun"])
    revision = lag.ok(
        lag.partners["young"],
        f"/commitments/{sessions}/revisions",
        {"quantity": "30", "reason": "a second group of trainees"},
        201,
    )
    lag.ok(
        lag.partners["mun"], f"/commitments/{sessions}/revisions/{revision['revision_id']}/agree"
    )
    assert lag.get(lag.broker, f"/commitments/{sessions}")["quantity"]["value"] == "30"

    # -- a weight change by decision, re-checked against the balance ---------------------
    change = lag.decide(
        {"action": "change_membership", "organisation_id": lag.orgs["par"]},
        ("mun", "par", "coop", "her", "young"),
    )
    terms_path = f"./members/{lag.orgs['par']}/terms"
    too_much = lag.call(lag.broker, terms_path, {"decision_id": change, "weight": 5}, 409)
    assert "public_authority interest group holds 50.0%" in too_much["detail"]
    lag.ok(lag.broker, terms_path, {"decision_id": change, "weight": 4})
    assert lag.member("par")["weight"] == 4

    # -- 60 days' notice: leaving, still active, until the processor records the exit ----
    crates = lag.pledge("coop", "50", "hour")
    notice = lag.ok(lag.partners["coop"], "./withdraw")
    assert (notice["status"], notice["exit_date"]) == ("leaving", "2030-07-31")
    later(lag.svc.app, 59)
    assert lag.svc.due.run_once() == []
    coop = lag.member("coop")
    assert coop["status"] == "leaving"
    assert {c["commitment_id"]: c["status"] for c in coop["commitments"]}[crates] == "confirmed"
    lag.decide({"action": "other", "summary": "Plano de atividades"}, ("mun", "coop", "her"))
    later(lag.svc.app, 1)
    (exit_,) = lag.svc.due.run_once()
    assert exit_.result["kind"] == "exit"
    assert lag.member("coop")["status"] == "withdrawn"
    history = lag.get(lag.broker, "./history?limit=500")["items"]
    assert (history[-1]["event_type"], history[-1]["actor"]) == ("MemberExited", PROCESSOR_ID)
    assert lag.get(lag.broker, f"/commitments/{crates}")["status"] == "released"
    assert lag.svc.due.run_once() == []  # and a second pass records nothing
    # The exit was never refused; the imbalance it leaves (public bodies 6 of 11) blocks
    # decisions until it is restored
    assert lag.get(lag.broker, "./view")["balance"]["holds"] is False
    blocked = {
        "body": "Órgão de decisão do GAL",
        "subject": {"action": "other"},
        "votes": {lag.orgs[k]: "for" for k in ("mun", "par", "her", "young")},
    }
    assert "decision blocked" in lag.call(lag.broker, "./decisions", blocked, 409)["detail"]

    # -- the trainees indicator, reported for three quarters -----------------------------
    later(lag.svc.app, 70)  # 2030-10-09: the third quarter is over
    indicator = {
        "kind": "output",
        "name": "Jovens formados",
        "unit": "person",
        "baseline": "0",
        "target": "120",
    }
    iid = lag.ok(lag.broker, "./indicators", indicator, 201)["indicator_id"]
    reports = []
    for start, end, figure in (
        ("2030-01-01", "2030-03-31", "25"),
        ("2030-04-01", "2030-06-30", "38"),
        ("2030-07-01", "2030-09-30", "35"),
    ):
        body = {"period": {"start": start, "end": end}, "actual": figure}
        reports.append(lag.ok(lag.partners["mun"], f"./indicators/{iid}/reports", body, 201))
    # The second quarter's figure missed two late registrations: corrected, not re-reported
    fix = {"actual": "40", "reason": "two late registrations"}
    lag.ok(lag.broker, f"./indicators/{iid}/reports/{reports[1]['report']}/corrections", fix)
    lag.call(  # a period overlapping one reported is refused: a figure is corrected instead
        lag.partners["mun"],
        f"./indicators/{iid}/reports",
        {"period": {"start": "2030-06-01", "end": "2030-09-30"}, "actual": "9"},
        409,
    )
    (shown,) = lag.get(lag.broker, "./view")["indicators"]
    quarters = [(r["period_start"], r["period_end"], r["actual"]) for r in shown["series"]]
    assert quarters == [
        ("2030-01-01", "2030-03-31", "25"),
        ("2030-04-01", "2030-06-30", "40"),
        ("2030-07-01", "2030-09-30", "35"),
    ]
    assert shown["actual"] == "35"
