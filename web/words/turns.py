"""Whose turn it is, in words (web/turns.py says what)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from web.turns import NO_LEAD, Turn, turns
from web.words.sentence import Lookup, Part, Say, Sentence, joined, plain


def stewards(s: Say, view: Mapping[str, Any]) -> list[Part]:
    lead = view.get("lead_organisation")
    return ["a partnership broker or the lead, ", s.org(lead)] if lead else ["a partnership broker"]


def turn_parts(s: Say, view: Mapping[str, Any], turn: Turn) -> list[Part]:
    """A turn on the text or a membership, in words."""
    if turn.kind == "draft":
        return ["No agreement text is drafted yet: that is for ", *stewards(s, view)]
    if turn.kind == "open":
        waiting = f"Version {turn.version} is a draft, waiting to be opened for signature by "
        return [waiting, *stewards(s, view)]
    if turn.kind == "answer":
        return [s.org(turn.who), " has not answered its invitation yet"]
    if turn.kind == "accede":
        tail = f" is to sign the text in force (version {turn.version}, hash "
        return [s.org(turn.who), tail, s.hash(turn.text_hash, full=True), ") to accede"]
    return [s.org(turn.who), f" is to {plain(turn.kind)}"]


def signing(s: Say, view: Mapping[str, Any], found: list[Turn]) -> list[Part]:
    """Every signatory yet to sign the text open for signature, in one sentence."""
    first = found[0]
    what = "The amendment, version" if view.get("status") == "in_modification" else "Version"
    names: list[list[Part]] = [[s.org(t.who)] for t in found]
    head = f"{what} {first.version} is open for signature: waiting for "
    full = s.hash(first.text_hash, full=True)
    return [head, *joined(names), " to sign the text with hash ", full]


def commitment_parts(
    s: Say, c: Mapping[str, Any], kind: str, who: str, ids: set[Any]
) -> list[Part]:
    """A pledge to confirm, or a commitment's deliveries to confirm or to correct (one
    sentence for all of them: a commitment may have hundreds)."""
    owner, unit = s.org(c["organisation_id"]), c["unit"]
    if kind == "confirm_commitment":
        what = f"{c['quantity']} {unit} {plain(c['contribution_type'])}"
        return ["The pledge of ", owner, f" ({what}) waits for ", owner, " to confirm it"]
    chosen = [d for d in c.get("deliveries", []) if d["delivery_id"] in ids]
    if not chosen:
        return [s.org(who), f" is to {plain(kind)}"]
    days = sorted(str(d["delivered_on"]) for d in chosen)
    if len(chosen) == 1:
        what, made, verb = f"A delivery of {chosen[0]['quantity']} {unit}", f"on {days[0]}", "s"
    else:
        total = format(sum(Decimal(d["quantity"]) for d in chosen), "f")
        what, verb = f"{len(chosen)} deliveries ({total} {unit} in all)", ""
        made = f"from {days[0]} to {days[-1]}"
    if kind == "correct_delivery":
        were, them = (" was", "it") if verb else (" were", "them")
        return [what, " by ", owner, f"{were} disputed: waiting for ", owner, f" to correct {them}"]
    by: list[Part] = ["the lead (the partnership has none now)"]
    if who != NO_LEAD:
        by = [s.org(who), *([" (the lead, for the pool)"] if c["recipient"] == "pool" else [])]
    return [what, " by ", owner, f" (made {made}) wait{verb} for confirmation by ", *by]


def whose_turn(view: Mapping[str, Any], lookup: Lookup) -> list[Sentence]:
    """What a partnership waits for, and from whom, from its view (live or as of), in
    words; an invitation-only view tells of its unanswered invitations."""
    s = Say({}, lookup)
    if "members" in view:
        found = turns(view)
    else:
        invited = [view["invitation"]] if view.get("invitation") else view.get("invitations", [])
        found = [Turn("answer", i["organisation_id"]) for i in invited if i["status"] == "invited"]
    to_sign = [t for t in found if t.kind == "sign"]
    said = [signing(s, view, to_sign)] if to_sign else []
    said += [turn_parts(s, view, t) for t in found if t.commitment_id is None and t.kind != "sign"]
    grouped: dict[tuple[str, str, str], set[Any]] = {}
    for t in found:
        if t.commitment_id is not None:
            grouped.setdefault((t.kind, t.commitment_id, t.who), set()).add(t.delivery_id)
    members = view.get("members") or []
    commitments = {c["commitment_id"]: c for m in members for c in m.get("commitments", [])}
    for (kind, cid, who), ids in grouped.items():
        c = commitments.get(cid)
        unknown: list[Part] = [s.org(who), f" is to {plain(kind)}"]
        said.append(unknown if c is None else commitment_parts(s, c, kind, who, ids))
    return [Sentence(tuple(p)) for p in said] or [Sentence(("Nothing is waiting for anyone.",))]
