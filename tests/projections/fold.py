"""An independent fold of the raw stored JSON into the shape of the partnership view.

It reads only what the store holds (topic names and JSON fields) and never uses the
domain aggregates or `projections.rows`, so a mistake in either shows up as a difference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from collab.application import Collab

Json = dict[str, Any]
IGNORED = {
    "BreachNotified",
    "RemedyPeriodEnded",
    "CommitmentNoted",
    "CommitmentConfirmationNoted",
}


@dataclass(frozen=True)
class Raw:
    """One stored event: its position, stream, version, class names and decoded JSON."""

    position: int
    stream: str
    version: int
    kind: str  # the class named in the topic: Partnership, PartnershipMembers, Commitment …
    name: str  # the event's own class name: Initiated, MemberJoined, Pledged …
    data: Json


def decode(value: Any) -> Any:
    """The library's JSON transcoding undone by hand: a tagged value becomes its text."""
    if isinstance(value, dict):
        if "_type_" in value:
            return value["_data_"]
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def raw_events(app: Collab) -> list[Raw]:
    out: list[Raw] = []
    start = 0
    while page := app.recorder.select_notifications(start, 100, inclusive_of_start=False):
        for n in page:
            kind, name = n.topic.split(":")[1].rsplit(".", 1)
            data = decode(json.loads(n.state))
            out.append(Raw(n.id, str(n.originator_id), n.originator_version, kind, name, data))
        start = page[-1].id
    return out


def dec(value: Any) -> str | None:
    return None if value is None else format(Decimal(value), "f")


class PartnershipFold:
    """The partnership stream, event by event, from the raw JSON."""

    def __init__(self) -> None:
        self.p: Json = {}
        self.members: dict[str, Json] = {}
        self.versions: dict[int, Json] = {}
        self.signatures: dict[tuple[str, str], Json] = {}
        self.decisions: dict[str, Json] = {}
        self.milestones: dict[str, Json] = {}
        self.indicators: dict[str, Json] = {}
        self.related: list[Json] = []

    def apply(self, e: Raw) -> None:
        self.p["version"] = e.version
        if e.name not in IGNORED:
            getattr(self, f"on_{e.name}")(e.data, e)

    def on_Initiated(self, d: Json, e: Raw) -> None:
        self.p.update(
            partnership_id=e.stream,
            title=d["title"],
            need_statement=d["need_statement"],
            territory=d["territory"],
            classifications=d["classifications"],
            partnership_type=d["partnership_type"],
            status="scoping",
            brokers=[d["broker_id"]] if d["broker_id"] else [],
            in_force=None,
            pending=None,
        )
        if d["lead"]:
            self.members[d["lead"]["organisation"]] = dict(d["lead"])
        self.related = [d["lineage"]] if d["lineage"] else []

    def on_BrokerAssigned(self, d: Json, e: Raw) -> None:
        self.p["brokers"].append(d["broker_id"])

    def on_DetailsCorrected(self, d: Json, e: Raw) -> None:
        self.p.update(d["changes"])

    def on_PartnershipRelated(self, d: Json, e: Raw) -> None:
        self.related.append(d["link"])

    def on_PracticeTransferred(self, d: Json, e: Raw) -> None:
        link = {"partnership": d["new_id"], "relation": "replicated_by"}
        self.related.append({**link, "territory": d["territory"]})

    def invite(self, membership: Json, decision: str | None) -> None:
        self.members[membership["organisation"]] = {
            **membership,
            "status": "invited",
            "admitted_by": decision,
            "needs_accession": False,
        }
        if self.p["status"] == "scoping":
            self.p["status"] = "negotiating"

    def on_MemberInvited(self, d: Json, e: Raw) -> None:
        self.invite(d["membership"], d["decision_id"])

    def on_MemberAdmitted(self, d: Json, e: Raw) -> None:
        self.decisions[d["decision_id"]]["used"] = True
        self.invite(d["membership"], d["decision_id"])

    def on_MemberJoined(self, d: Json, e: Raw) -> None:
        m = self.members[d["org_id"]]
        m["status"] = "active"
        m["needs_accession"] = bool(m["signatory"] and self.p["in_force"] is not None)

    def on_MemberDeclined(self, d: Json, e: Raw) -> None:
        self.members[d["org_id"]]["status"] = "declined"

    def on_MemberWithdrew(self, d: Json, e: Raw) -> None:
        self.members[d["org_id"]].update(
            status="withdrawn", exit_date=d["exit_date"], exit_version=e.version
        )

    def on_MemberGaveNotice(self, d: Json, e: Raw) -> None:
        self.members[d["org_id"]].update(status="leaving", exit_date=d["exit_date"])

    def on_MemberExited(self, d: Json, e: Raw) -> None:
        self.members[d["org_id"]].update(status="withdrawn", exit_version=e.version)

    def on_VersionDrafted(self, d: Json, e: Raw) -> None:
        if self.p["pending"] is not None:
            self.versions[self.p["pending"]]["status"] = "abandoned"
        number = d["terms"]["version"]
        self.versions[number] = {"terms": d["terms"], "hash": d["text_hash"], "base": None}
        self.versions[number]["status"] = "draft"
        self.p.update(pending=None, status="negotiating")

    def on_VersionOpenedForSignature(self, d: Json, e: Raw) -> None:
        self.versions[d["number"]]["status"] = "open"
        self.p.update(pending=d["number"], status="awaiting_signatures")

    def on_AmendmentProposed(self, d: Json, e: Raw) -> None:
        number = d["terms"]["version"]
        self.versions[number] = {"terms": d["terms"], "hash": d["text_hash"], "base": d["base"]}
        self.versions[number]["status"] = "open"
        self.p.update(pending=number, status="in_modification")

    def on_AmendmentRejected(self, d: Json, e: Raw) -> None:
        self.versions[d["number"]]["status"] = "rejected"
        self.p.update(pending=None, status="active")

    def on_AgreementSigned(self, d: Json, e: Raw) -> None:
        meta = d["meta"]
        self.signatures[(d["text_hash"], d["org_id"])] = {
            "actor": meta["actor"],
            "mandate": meta["mandate"],
            "signed_at": meta["recorded_at"],
        }
        in_force = self.versions.get(self.p["in_force"] or 0)
        if in_force is not None and in_force["hash"] == d["text_hash"]:
            self.members[d["org_id"]]["needs_accession"] = False

    def on_AgreementEnteredIntoForce(self, d: Json, e: Raw) -> None:
        if self.p["in_force"] is not None:
            self.versions[self.p["in_force"]]["status"] = "superseded"
        self.versions[d["number"]]["status"] = "in_force"
        self.p.update(in_force=d["number"], pending=None, status="active")

    def on_Cancelled(self, d: Json, e: Raw) -> None:
        self.p["status"] = "cancelled"

    def on_DecisionRecorded(self, d: Json, e: Raw) -> None:
        self.decisions[d["decision_id"]] = {
            "action": d["subject"]["action"],
            "organisation_id": d["subject"].get("organisation"),
            "body": d["body"],
            "passed": d["result"]["passed"],
            "used": False,
            "conflicts": sorted(d.get("conflicts", [])),
            "commitment_id": d["subject"].get("commitment"),
            "delivery_id": d["subject"].get("delivery"),
        }

    def on_PracticePublished(self, d: Json, e: Raw) -> None:
        self.decisions[d["decision_id"]]["used"] = True  # a decision publishes once

    def on_BudgetAdopted(self, d: Json, e: Raw) -> None:
        self.decisions[d["decision_id"]]["used"] = True  # the budget view reads the rest

    def transition(self, d: Json, status: str) -> None:
        self.decisions[d["decision_id"]]["used"] = True
        self.p["status"] = status

    def on_Suspended(self, d: Json, e: Raw) -> None:
        self.transition(d, "suspended")

    def on_Resumed(self, d: Json, e: Raw) -> None:
        self.transition(d, "active")

    def on_MovingOnStarted(self, d: Json, e: Raw) -> None:
        self.transition(d, "moving_on")

    def on_Concluded(self, d: Json, e: Raw) -> None:
        self.transition(d, "concluded")

    def on_Terminated(self, d: Json, e: Raw) -> None:
        self.transition(d, "terminated")

    def on_SettlementApplied(self, d: Json, e: Raw) -> None:
        self.decisions[d["decision_id"]]["used"] = True  # the commitment records the rest

    def member_decision(self, d: Json, status: str) -> None:
        self.decisions[d["decision_id"]]["used"] = True
        self.members[d["org_id"]]["status"] = status

    def on_MemberDeclaredDefaulting(self, d: Json, e: Raw) -> None:
        self.member_decision(d, "defaulting")

    def on_DefaultRemedied(self, d: Json, e: Raw) -> None:
        self.member_decision(d, "active")

    def on_MemberRemoved(self, d: Json, e: Raw) -> None:
        self.member_decision(d, "removed")
        self.members[d["org_id"]]["exit_version"] = e.version

    def on_MilestoneSet(self, d: Json, e: Raw) -> None:
        self.milestones[d["milestone"]["milestone_id"]] = dict(d["milestone"])

    def on_IndicatorSet(self, d: Json, e: Raw) -> None:
        i = d["indicator"]
        kept = self.indicators.get(i["indicator_id"], {})
        self.indicators[i["indicator_id"]] = {
            **i,
            "actual": kept.get("actual"),
            "actual_as_of": kept.get("actual_as_of"),
            "series": kept.get("series", []),
            "latest": kept.get("latest"),
        }

    def on_ResultReported(self, d: Json, e: Raw) -> None:
        # Before periods: a figure for the single day as_of
        day = {"start": d["as_of"], "end": d["as_of"]}
        self.on_ResultReportedForPeriod({**d, "period": day}, e)

    def on_ResultReportedForPeriod(self, d: Json, e: Raw) -> None:
        i = self.indicators[d["indicator_id"]]
        i.update(actual=d["actual"], actual_as_of=d["as_of"], latest=e.version)
        period = d["period"]
        i["series"].append(
            {
                "report": e.version,
                "period_start": period["start"],
                "period_end": period["end"],
                "actual": dec(d["actual"]),
                "as_of": d["as_of"],
                "corrected": False,
            }
        )

    def on_ResultCorrected(self, d: Json, e: Raw) -> None:
        i = self.indicators[d["indicator_id"]]
        [report] = [r for r in i["series"] if r["report"] == d["report"]]
        report.update(actual=dec(d["actual"]), corrected=True)
        if i["latest"] == d["report"]:
            i["actual"] = d["actual"]
