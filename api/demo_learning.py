"""The demo's network of learning (DESIGN §8): the Mértola partnership measures its
outcomes and publishes two practices by recorded decisions; a partnership in the Sierra
Norte de Sevilla adapts one of them and publishes its adaptation; it asks the Mértola
partnership a question, which is answered."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from collab.agreements.commands import DraftVersion, OpenForSignature, SignAgreement
from collab.application import Context
from collab.domain.terms import Period, Territory
from collab.governance.commands import DecisionSubject, RecordDecision, SetIndicator
from collab.indicators.commands import CorrectReport, ReportIndicator
from collab.organisations.commands import RegisterOrganisation
from collab.partnerships.commands import InitiatePartnership, InviteMember, JoinPartnership
from collab.practices.commands import (
    AdoptPractice,
    AnswerExchange,
    AskPractice,
    PublishPractice,
)

if TYPE_CHECKING:  # api.demo imports this module
    from api.demo import Demo

SEVILLA = Territory(country="ES", nuts="ES618", lau="41032")
ABROAD = [
    # key, legal name, IATI type, sector, weight, roles
    ("ayuntamiento", "Ayuntamiento de Cazalla de la Sierra", 11, "public", 2, ["lead"]),
    (
        "mayores",
        "Asociación de Mayores de la Sierra Norte",
        22,
        "civil_society",
        1,
        ["implementer"],
    ),
    ("transportes", "Transportes Sierra Norte, S.L.", 70, "private", 1, ["implementer"]),
]
MERTOLA_VOTERS = ("municipality", "health", "association", "olive_mill", "transport")
ALL_FIGURES = ("sector_mix", "resources", "outcomes")
VILLAGES = {"kind": "output", "name": "Villages reached weekly", "unit": "village"}
ELDERS = {"kind": "outcome", "name": "Residents over 75 seen at least monthly", "unit": "person"}


def quarter(year: int, n: int) -> Period:
    starts = ("01-01", "04-01", "07-01", "10-01")
    ends = ("03-31", "06-30", "09-30", "12-31")
    return Period(start=f"{year}-{starts[n - 1]}", end=f"{year}-{ends[n - 1]}")


def indicator(demo: Demo, pid: str, **spec: Any) -> str:
    out = demo.app.execute(Context(demo.broker), SetIndicator(pid, **spec))
    return out.text("indicator_id")


def measure(demo: Demo, pid: str) -> None:
    """The pilot rounds of 2026, reported by quarter (one figure corrected): the outcomes
    the practices publish."""
    by = Context(demo.broker)
    villages = indicator(demo, pid, **VILLAGES, baseline=Decimal(0), target=Decimal(14))
    elders = indicator(demo, pid, **ELDERS, baseline=Decimal(40), target=Decimal(180))
    first = demo.app.execute(by, ReportIndicator(pid, villages, quarter(2026, 1), Decimal(6)))
    demo.app.execute(by, ReportIndicator(pid, villages, quarter(2026, 2), Decimal(10)))
    report = first.result["report"]
    assert isinstance(report, int)
    demo.app.execute(
        Context(demo.broker, reason="one village was counted twice"),
        CorrectReport(pid, villages, report, Decimal(5)),
    )
    half = Period(start="2026-01-01", end="2026-06-30")
    demo.app.execute(by, ReportIndicator(pid, elders, half, Decimal(95)))


def decide_to_publish(
    demo: Demo, pid: str, voters: tuple[str, ...], publishes: tuple[str, ...], audience: str
) -> str:
    subject = DecisionSubject("publish_practice", publishes=publishes, audience=audience)
    votes = {demo.orgs[k]: "for" for k in voters}
    out = demo.app.execute(
        Context(demo.broker),
        RecordDecision(pid, body="General assembly", subject=subject, votes=votes),
    )
    return out.text("decision_id")


def publish(demo: Demo, pid: str, decision_id: str, fields: dict[str, Any], **kw: Any) -> str:
    out = demo.app.execute(Context(demo.broker), PublishPractice(pid, decision_id, fields, **kw))
    return out.text("practice_id")


def record(demo: Demo, contact: str, **fields: Any) -> dict[str, Any]:
    """A practice's record: the fields given, a contact role at organisation `contact`."""
    return {
        "languages": ["pt", "en"],
        "licence": "CC-BY-4.0",
        "contact": {"role": "Care network coordinator", "organisation_id": demo.orgs[contact]},
        **fields,
    }


def care_rounds(demo: Demo) -> dict[str, Any]:
    return record(
        demo,
        "municipality",
        title="Weekly mobile care and grocery rounds for scattered villages",
        need={
            "statement": "Older residents of villages over 15 km from Mértola go weeks "
            "without seeing a nurse or a shop.",
            "assessment": "A door-to-door survey of 212 households by the parishes and the "
            "health unit in 2025.",
        },
        territory={"country": "PT", "nuts": "PT1C2", "lau": "0209", "kind": "remote_rural"},
        target_group="Residents over 75 living alone in villages without a shop or clinic",
        themes=["ageing", "health_care", "mobility", "community_services"],
        approach="One van, one route a week: a nurse of the health unit, groceries ordered "
        "by phone from the cooperative, and a driver trained as a care assistant.",
        methods=["weekly fixed route", "orders by phone the day before", "shared rota"],
        evidence={
            "level": 2,
            "basis": "Visits and hospital admissions in the villages "
            "served, before and after the first two quarters.",
        },
        did_not_work=[
            {"what": "Fortnightly rounds", "why": "Perishable orders spoiled; people waited."}
        ],
        preconditions=["A health unit willing to second a nurse one day a week"],
        sdg_targets=["3.8", "10.2"],
    )


def care_assistants(demo: Demo) -> dict[str, Any]:
    return record(
        demo,
        "association",
        title="Training residents as community care assistants",
        need={
            "statement": "Nobody local was trained to help elders between the nurse's visits.",
            "assessment": "The health unit's list of unanswered requests, 2025.",
        },
        territory={"country": "PT", "nuts": "PT1C2", "lau": "0209", "kind": "remote_rural"},
        target_group="Unemployed residents of the villages, most of them women over 45",
        themes=["employment_skills", "ageing", "gender_equality"],
        approach="A 120-hour course given in the association's rooms, then paid rounds "
        "alongside the nurse.",
        evidence={"level": 1, "basis": "The logic of the course and the trainees' log books."},
        sdg_targets=["8.5", "5.5"],
    )


def adapted_rounds(demo: Demo) -> dict[str, Any]:
    fields = care_rounds(demo)
    return {
        **fields,
        "title": "Shared electric van rounds in the Sierra Norte",
        "territory": {"country": "ES", "nuts": "ES618", "lau": "41032", "kind": "mountain"},
        "approach": "The Mértola rounds, run by the local transport firm with an electric "
        "van shared with the school run.",
        "languages": ["es"],
        "contact": {
            "role": "Coordinación de cuidados",
            "organisation_id": demo.orgs["ayuntamiento"],
        },
        "evidence": {"level": 1, "basis": "Mértola's results and our first quarter's log."},
        "did_not_work": [],
    }


def found_abroad(demo: Demo) -> str:
    """A partnership in force in the Sierra Norte de Sevilla (another country)."""
    for i, (key, name, kind, sector, _w, _r) in enumerate(ABROAD):
        out = demo.app.execute(
            Context(demo.broker),
            RegisterOrganisation(
                identifiers=[{"scheme": "ES-NIF", "id": f"P41{i}{uuid.uuid4().int % 10**10:010d}"}],
                legal_name=name,
                org_type=kind,
                sector=sector,
                territory=SEVILLA,
            ),
        )
        demo.orgs[key] = out.text("organisation_id")
        demo.partners[key] = demo.enrol("partner", demo.orgs[key])
    out = demo.app.execute(
        Context(demo.broker),
        InitiatePartnership(
            title="Sierra Norte Rural Care",
            need_statement="Elders in the hill villages of the Sierra Norte lose their care.",
            territory=SEVILLA,
            partnership_type="social_innovation",
        ),
    )
    sid = out.text("partnership_id")
    for key, _n, _k, _s, weight, roles in ABROAD:
        invite = InviteMember(sid, organisation_id=demo.orgs[key], roles=roles, weight=weight)
        demo.app.execute(Context(demo.broker), invite)
        demo.app.execute(demo.by(key), JoinPartnership(sid))
    terms = abroad_terms()
    draft = demo.app.execute(Context(demo.broker), DraftVersion(sid, terms=terms))
    demo.app.execute(Context(demo.broker), OpenForSignature(sid, agreement_version=1))
    for key, *_ in ABROAD:
        demo.app.execute(demo.by(key), SignAgreement(sid, text_hash=draft.text("text_hash")))
    return sid


def abroad_terms() -> dict[str, Any]:
    return {
        "vision": "Nadie envejece solo en la Sierra Norte.",
        "shared_objectives": ["Weekly rounds to the six hill villages"],
        "member_objectives": {},
        "governance": {"rule": "majority", "quorum": "50"},
        "review_schedule": "yearly",
        "exit_notice_days": 30,
        "moving_on_strategy": "scale",
        "period": {"start": "2026-01-01", "end": "2028-12-31"},
    }


def adapt(demo: Demo, sid: str, practice_id: str) -> str:
    """The Sevilla partnership adapts the rounds, measures them, publishes its adaptation."""
    demo.app.execute(
        Context(demo.broker),
        AdoptPractice(
            sid,
            practice_id,
            "adapts",
            territory={"country": "ES", "nuts": "ES618", "lau": "41032", "kind": "mountain"},
            why="Our hill villages lost their last shop and their clinic in the same year.",
            changes="An electric van shared with the school run; the transport firm drives.",
        ),
    )
    villages = indicator(demo, sid, **VILLAGES, baseline=Decimal(0), target=Decimal(6))
    by = Context(demo.broker)
    demo.app.execute(by, ReportIndicator(sid, villages, quarter(2026, 3), Decimal(4)))
    voters = tuple(key for key, *_ in ABROAD)
    decision = decide_to_publish(demo, sid, voters, ("sector_mix", "outcomes"), "anyone")
    return publish(demo, sid, decision, adapted_rounds(demo), adapted_from=practice_id)


def exchange(demo: Demo, sid: str, practice_id: str) -> str:
    """Sevilla asks how the trainees were recruited; Mértola's association answers."""
    asked = demo.app.execute(
        demo.by("mayores"),
        AskPractice(sid, practice_id, question="How did you recruit the first trainees?"),
    )
    exchange_id = asked.text("exchange_id")
    demo.app.execute(
        demo.by("association"),
        AnswerExchange(
            exchange_id,
            "Through the parish councils and the job centre; the paid rounds after the course "
            "were what made people apply.",
        ),
    )
    return exchange_id


def share(demo: Demo, pid: str) -> dict[str, str]:
    """The whole network of learning of the demo; returns the ids it made."""
    measure(demo, pid)
    rounds = decide_to_publish(demo, pid, MERTOLA_VOTERS, ALL_FIGURES, "anyone")
    care = publish(demo, pid, rounds, care_rounds(demo))
    training = decide_to_publish(
        demo, pid, MERTOLA_VOTERS, ("sector_mix", "resources"), "signed_in"
    )
    trained = publish(demo, pid, training, care_assistants(demo))
    sid = found_abroad(demo)
    adaptation = adapt(demo, sid, care)
    asked = exchange(demo, sid, trained)
    return {
        "care_rounds": care,
        "care_assistants": trained,
        "abroad": sid,
        "adaptation": adaptation,
        "exchange": asked,
    }
