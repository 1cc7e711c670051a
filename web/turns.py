"""Whose turn is it: what a partnership waits for, and from whom (DESIGN §7).

A pure function of the compiled partnership view (`projections.views.view_for`), so the
home pages and the partnership pages ask the same question the same way; `turn_views`
reads just what it needs for many partnerships at once. It reads the view as recorded;
what each person may do about a turn is still the commands' to decide.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from collab.domain.partnership_rules import CLOSED, IN_FORCE, STANDING
from projections.rows import COMMITMENT_TABLES, PARTNERSHIP_TABLES, Rows, assemble
from projections.tables import Tables
from projections.visibility import Viewer
from projections.visibility import seen as windows

# The steps a partnership's stewards take: a partnership broker, or the lead organisation.
STEWARDS = "stewards"
# A delivery to the pool waits for the lead organisation; this one has none at present.
NO_LEAD = "no lead"
SIGNING = ("awaiting_signatures", "in_modification")
ACCEDING = (*IN_FORCE, "suspended")


@dataclass(frozen=True)
class Turn:
    """One thing the partnership waits for: what (`kind`) and whose move it is (`who`: an
    organisation id, `STEWARDS` or `NO_LEAD`)."""

    kind: str  # draft, open, answer, sign, accede, confirm_commitment, confirm/correct_delivery
    who: str
    version: int | None = None
    text_hash: str | None = None
    commitment_id: str | None = None
    delivery_id: str | None = None


def turns(view: Mapping[str, Any]) -> list[Turn]:
    """What the partnership waits for now, in the order the work goes (none once closed)."""
    if view.get("status") in CLOSED or "members" not in view:
        return []  # closed, or seen as an invitation only
    return [
        *texts(view),
        *(Turn("answer", m["organisation_id"]) for m in view["members"] if invited(m)),
        *signatures(view),
        *commitments(view),
    ]


def invited(member: Mapping[str, Any]) -> bool:
    return bool(member["status"] == "invited")


def texts(view: Mapping[str, Any]) -> Iterator[Turn]:
    """Before signature: a text to draft, or the latest draft to open for signature."""
    if view["status"] not in ("scoping", "negotiating"):
        return
    versions = sorted(view.get("versions", []), key=lambda x: int(x["number"]))
    latest = versions[-1] if versions else None
    if latest is not None and latest["status"] == "draft":
        yield Turn("open", STEWARDS, version=latest["number"], text_hash=latest["text_hash"])
    else:
        yield Turn("draft", STEWARDS)


def signed_by(view: Mapping[str, Any], text_hash: str) -> set[str]:
    return {s["organisation_id"] for s in view.get("signatures", []) if s["text_hash"] == text_hash}


def signatures(view: Mapping[str, Any]) -> Iterator[Turn]:
    """Signatories yet to sign the text open for signature, or to accede to the text in
    force."""
    signers = [m for m in view["members"] if m["status"] in STANDING and m["signatory"]]
    pending = view.get("pending_hash")
    if view["status"] in SIGNING and pending:
        done = signed_by(view, pending)
        for m in signers:
            if not m["needs_accession"] and m["organisation_id"] not in done:
                version = view.get("pending_version")
                yield Turn("sign", m["organisation_id"], version=version, text_hash=pending)
    in_force = view.get("in_force_hash")
    if view["status"] in ACCEDING and in_force:
        done = signed_by(view, in_force)
        for m in signers:
            if m["needs_accession"] and m["organisation_id"] not in done:
                version = view.get("in_force_version")
                yield Turn("accede", m["organisation_id"], version=version, text_hash=in_force)


def commitments(view: Mapping[str, Any]) -> Iterator[Turn]:
    """Pledges to confirm (under a text in force), deliveries to confirm or to correct."""
    lead = view.get("lead_organisation") or NO_LEAD
    for member in view["members"]:
        for c in member.get("commitments", []):
            cid = c["commitment_id"]
            if c["status"] == "pledged" and view["status"] in IN_FORCE:
                yield Turn("confirm_commitment", c["organisation_id"], commitment_id=cid)
            for d in c.get("deliveries", []):
                if d["status"] == "reported":
                    confirmer = lead if c["recipient"] == "pool" else c["recipient"]
                    yield Turn(
                        "confirm_delivery",
                        confirmer,
                        commitment_id=cid,
                        delivery_id=d["delivery_id"],
                    )
                elif d["status"] == "disputed":
                    owner = c["organisation_id"]
                    yield Turn(
                        "correct_delivery", owner, commitment_id=cid, delivery_id=d["delivery_id"]
                    )


def waiting_on(found: list[Turn]) -> list[str]:
    """The organisations (and `STEWARDS`, `NO_LEAD`) some turn waits for, each once."""
    return list(dict.fromkeys(t.who for t in found))


OPEN_COMMITMENTS = ("pledged", "confirmed", "in_delivery")
AWAITING_DELIVERIES = ("reported", "disputed")


def turn_views(conn: Connection, t: Tables, who: Viewer, ids: list[str]) -> dict[str, Any]:
    """For the listed partnerships the person sees as they are now (not through a cut),
    what `words.whose_turn` reads, in a few queries for the whole page."""
    seen = windows(conn, t, who, ids)
    current = [pid for pid in ids if seen.of(pid).current]
    rows: dict[str, Rows] = {
        pid: {name: [] for name in (*PARTNERSHIP_TABLES, *COMMITMENT_TABLES)} for pid in current
    }
    for name in ("partnerships", "members", "versions", "signatures"):
        table = getattr(t, name)
        for r in conn.execute(select(table).where(table.c.partnership_id.in_(current))):
            rows[r.partnership_id][name].append(dict(r._mapping))
    c, d = t.commitments, t.deliveries
    open_ = c.c.partnership_id.in_(current), c.c.status.in_(OPEN_COMMITMENTS)
    for r in conn.execute(select(c).where(*open_)):
        rows[r.partnership_id]["commitments"].append(dict(r._mapping))
    query = select(d, c.c.partnership_id).join(c, c.c.commitment_id == d.c.commitment_id)
    for r in conn.execute(query.where(*open_, d.c.status.in_(AWAITING_DELIVERIES))):
        rows[r.partnership_id]["deliveries"].append(dict(r._mapping))
    return {pid: assemble(found) for pid, found in rows.items() if found["partnerships"]}
