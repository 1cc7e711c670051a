"""The record in words: each history entry as a sentence a person reads (DESIGN §7).

Pure: a function of the entry (as `projections.views.history` returns it) and a `Lookup`
for names, so it is tested without Flask. A sentence is a tuple of parts: plain words,
and `Named` parts (organisations, actors, recorded texts, hashes) that a page renders
apart: a link, `dir="auto"` for what people recorded, a hash in monospace. Every event
type has its phrase; any other, or data a phrase cannot read, says "<actor> recorded
<EventType>" and never raises.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from web.turns import NO_LEAD, Turn, turns

# (kind, key) -> what to call it, or None. Kinds: "organisation" (legal name), "actor"
# (display name), "version" (text hash -> number), "indicator" (id -> name), "commitment"
# (id -> committing organisation id), "unit" (commitment id -> unit), "delivery" (the
# position of a confirmation or dispute -> the quantity then reported). `known()` gives
# the last four from the entries themselves.
Lookup = Callable[[str, str], str | None]


@dataclass(frozen=True)
class Named:
    """A part of a sentence that names something: kind organisation, actor, text, hash."""

    kind: str
    key: str
    text: str


Part = str | Named


@dataclass(frozen=True)
class Sentence:
    parts: tuple[Part, ...]

    def __str__(self) -> str:
        return "".join(p if isinstance(p, str) else p.text for p in self.parts)


def plain(code: Any) -> str:
    """A code as words: staff_time -> staff time."""
    return str(code).replace("_", " ")


def listed(items: Iterable[Any]) -> str:
    return ", ".join(plain(i) for i in items)


def joined(parts: list[list[Part]]) -> list[Part]:
    out: list[Part] = []
    for i, part in enumerate(parts):
        out += ([", "] if 0 < i < len(parts) - 1 else [" and "] if i else []) + part
    return out


def territory(t: Any) -> str:
    if not isinstance(t, Mapping):
        return "an unstated territory"
    lau = f", LAU {t['lau']}" if t.get("lau") else ""
    return f"{t.get('nuts') or t.get('country')} ({t.get('country')}{lau})"


def amount(q: Mapping[str, Any]) -> str:
    return f"{q['value']} {q['unit']}"


class Say:
    """Names and envelope of one entry, for the phrases."""

    def __init__(self, entry: Mapping[str, Any], lookup: Lookup) -> None:
        self.entry, self.lookup = entry, lookup

    def org(self, org_id: Any) -> Named:
        key = str(org_id)
        return Named("organisation", key, self.lookup("organisation", key) or "an organisation")

    def actor(self, actor_id: Any, *, first: bool = False) -> Named:
        key = str(actor_id)
        fallback = "the operator" if key == "operator" else "an actor"
        fallback = fallback.capitalize() if first else fallback
        return Named("actor", key, self.lookup("actor", key) or fallback)

    def text(self, value: Any) -> Named:
        return Named("text", "", str(value))

    def hash(self, value: Any, *, full: bool = False) -> Named:
        text = str(value)
        return Named("hash", text, text if full else text[:8] + "…")

    def who(self) -> list[Part]:
        """The actor, and for whom under which mandate when a broker acted for a partner."""
        e = self.entry
        parts: list[Part] = [self.actor(e["actor"], first=True) if e.get("actor") else "Someone"]
        if e.get("on_behalf_of"):
            parts += [" (for ", self.org(e["on_behalf_of"])]
            if e.get("mandate"):
                parts += [", under mandate ", self.hash(e["mandate"])]
            parts.append(")")
        return parts

    def for_org(self, org_id: Any) -> list[Part]:
        """' for ORG', unless the subject already said it acted for ORG."""
        return [] if org_id == self.entry.get("on_behalf_of") else [" for ", self.org(org_id)]

    def version(self, text_hash: Any) -> str:
        number = self.lookup("version", str(text_hash))
        return f"version {number}" if number else "the text"

    def commitment(self, *, first: bool = False) -> list[Part]:
        cid = str(self.entry.get("stream_id"))
        org = self.lookup("commitment", cid)
        head = "The commitment of " if first else "the commitment of "
        return [head, self.org(org)] if org else ["A commitment" if first else "a commitment"]

    def unit(self) -> str:
        unit = self.lookup("unit", str(self.entry.get("stream_id")))
        return f" {unit}" if unit else ""

    def decided(self, d: Mapping[str, Any]) -> list[Part]:
        return [" by a recorded decision"] if d.get("decision_id") else []


Phrase = Callable[[Say, Mapping[str, Any]], list[Part]]


def membership(s: Say, verb: str, d: Mapping[str, Any]) -> list[Part]:
    m = d["membership"]
    terms = f"{plain(m['interest_group'])}, weight {m['weight']}"
    if not m.get("signatory", True):
        terms += ", not a signatory"
    roles = listed(m["roles"]) or "member"
    parts: list[Part] = [*s.who(), f" {verb} ", s.org(m["organisation"])]
    return [*parts, f" as {roles} ({terms})", *s.decided(d)]


def initiated(s: Say, d: Mapping[str, Any]) -> list[Part]:
    parts: list[Part] = [*s.who(), " started the partnership ", s.text(d["title"])]
    parts.append(f" ({plain(d['partnership_type'])}) in {territory(d['territory'])}")
    lead = d.get("lead")
    if isinstance(lead, Mapping) and lead.get("organisation"):
        parts += [", led by ", s.org(lead["organisation"])]
    lineage = d.get("lineage")
    if isinstance(lineage, Mapping):
        parts.append(f", as a partnership that {plain(lineage.get('relation'))} another")
    return parts


def signed(s: Say, d: Mapping[str, Any]) -> list[Part]:
    h = d["text_hash"]
    return [*s.who(), f" signed {s.version(h)} (hash ", s.hash(h), ")", *s.for_org(d["org_id"])]


def in_force(s: Say, d: Mapping[str, Any]) -> list[Part]:
    names: list[list[Part]] = [[s.org(o)] for o in d.get("signatories") or ()]
    parts: list[Part] = [f"Version {d['number']} (hash ", s.hash(d["text_hash"])]
    parts.append(") entered into force")
    return parts + ([", signed by ", *joined(names)] if names else [])


def drafted(s: Say, d: Mapping[str, Any]) -> list[Part]:
    number = d["terms"]["version"]
    return [*s.who(), f" drafted version {number} (hash ", s.hash(d["text_hash"]), ")"]


def amended(s: Say, d: Mapping[str, Any]) -> list[Part]:
    number, base = d["terms"]["version"], d["base"]
    parts: list[Part] = [*s.who(), f" proposed version {number}, amending version {base} "]
    return [*parts, "(hash ", s.hash(d["text_hash"]), ")"]


def decision(s: Say, d: Mapping[str, Any]) -> list[Part]:
    subject, result = d["subject"], d.get("result") or {}
    parts: list[Part] = [*s.who(), " recorded a decision of ", s.text(d["body"])]
    parts.append(f" to {plain(subject['action'])}")
    if subject.get("organisation"):
        parts += [" ", s.org(subject["organisation"])]
    if subject.get("summary"):
        parts += [": ", s.text(subject["summary"])]
    outcome = "passed" if result.get("passed") else "not passed"
    parts.append(
        f" — {outcome} ({result.get('for_weight', '?')} for, {result.get('against_weight', '?')}"
        f" against, of {result.get('present_weight', '?')} present"
        f" and {result.get('total_weight', '?')} in all)"
    )
    return parts


def pledged(s: Say, d: Mapping[str, Any]) -> list[Part]:
    parts: list[Part] = [
        *s.who(),
        f" pledged {amount(d['quantity'])} {plain(d['contribution_type'])}",
    ]
    parts += s.for_org(d["organisation_id"])
    recipient = d.get("recipient")
    parts += [" to the pool"] if recipient == "pool" else [" to ", s.org(recipient)]
    valuation = d.get("valuation") or {}
    if valuation.get("amount") is not None:
        parts.append(
            f", valued at {valuation['amount']} {valuation.get('currency')}"
            f" ({plain(valuation.get('method'))})"
        )
    period = d.get("period")
    if isinstance(period, Mapping):
        parts.append(f", from {period.get('start')} to {period.get('end')}")
    return parts


def delivery(verb: str) -> Phrase:
    def phrase(s: Say, d: Mapping[str, Any]) -> list[Part]:
        quantity = d.get("quantity") or s.lookup("delivery", str(s.entry.get("position")))
        of = " to" if verb == "corrected" else " of"
        what = f" a delivery{of} {quantity}{s.unit()}" if quantity else " a delivery"
        when = f" made on {d['delivered_on']}" if d.get("delivered_on") else ""
        return [*s.who(), f" {verb}{what}{when} on ", *s.commitment()]

    return phrase


def fulfilled(s: Say, d: Mapping[str, Any]) -> list[Part]:
    done = f" was fulfilled: {d['delivered']}{s.unit()} delivered and confirmed"
    return [*s.commitment(first=True), done]


def released(s: Say, d: Mapping[str, Any]) -> list[Part]:
    why = f" was released (the member {plain(d['member_status'])})"
    return [*s.commitment(first=True), why]


def of_commitment(verb: str) -> Phrase:
    return lambda s, d: [*s.who(), f" {verb} ", *s.commitment()]


def of_partnership(verb: str) -> Phrase:
    return lambda s, d: [*s.who(), f" {verb} the partnership", *s.decided(d)]


def of_member(verb: str, tail: str = "") -> Phrase:
    return lambda s, d: [*s.who(), f" {verb} ", s.org(d["org_id"]), tail, *s.decided(d)]


def joined_member(s: Say, d: Mapping[str, Any]) -> list[Part]:
    return [*s.who(), " accepted the invitation", *s.for_org(d["org_id"])]


def declined(s: Say, d: Mapping[str, Any]) -> list[Part]:
    return [*s.who(), " declined the invitation", *s.for_org(d["org_id"])]


def withdrew(s: Say, d: Mapping[str, Any]) -> list[Part]:
    exit = f" from the partnership, leaving on {d['exit_date']}"
    return [*s.who(), " withdrew ", s.org(d["org_id"]), exit]


def breach(s: Say, d: Mapping[str, Any]) -> list[Part]:
    return [
        *s.who(),
        " notified ",
        s.org(d["org_id"]),
        f" of a breach, to remedy by {d['remedy_until']}",
    ]


def corrected(s: Say, d: Mapping[str, Any]) -> list[Part]:
    fields = listed(sorted(d["changes"]))
    if s.entry.get("stream_kind") == "organisation":
        return [*s.who(), f" corrected the {fields} of ", s.org(s.entry.get("stream_id"))]
    return [*s.who(), f" corrected the partnership's {fields}"]


def related(s: Say, d: Mapping[str, Any]) -> list[Part]:
    link = d["link"]
    where = territory(link.get("territory")) if link.get("territory") else "another territory"
    return [*s.who(), f" recorded that this partnership {plain(link['relation'])} one in {where}"]


def transferred(s: Say, d: Mapping[str, Any]) -> list[Part]:
    where = territory(d["territory"])
    return [*s.who(), f" transferred the practice to a new partnership in {where}"]


def noted(s: Say, d: Mapping[str, Any]) -> list[Part]:
    return ["The partnership noted a pledge", *s.for_org(d["org_id"])]


def milestone(s: Say, d: Mapping[str, Any]) -> list[Part]:
    m = d["milestone"]
    tail = f", due {m['due_date']}: {plain(m['status'])}"
    return [*s.who(), " set the milestone ", s.text(m["title"]), tail]


def indicator(s: Say, d: Mapping[str, Any]) -> list[Part]:
    i = d["indicator"]
    parts: list[Part] = [*s.who(), f" set the {plain(i['kind'])} indicator ", s.text(i["name"])]
    return [*parts, f": from {i['baseline']} to {i['target']} ", s.text(i["unit"])]


def result(s: Say, d: Mapping[str, Any]) -> list[Part]:
    name = s.lookup("indicator", str(d["indicator_id"]))
    what: list[Part] = [s.text(name)] if name else ["an indicator"]
    return [*s.who(), f" reported {d['actual']} as of {d['as_of']} for ", *what]


def registered(s: Say, d: Mapping[str, Any]) -> list[Part]:
    name = Named("organisation", str(s.entry.get("stream_id")), str(d["legal_name"]))
    where = territory(d.get("territory"))
    return [*s.who(), " registered ", name, f" ({plain(d['sector'])} sector) in {where}"]


def classified(s: Say, d: Mapping[str, Any]) -> list[Part]:
    org = s.org(s.entry.get("stream_id"))
    return [*s.who(), " classified ", org, f" as {plain(d['sector'])} (IATI type {d['org_type']})"]


def mandate(s: Say, d: Mapping[str, Any]) -> list[Part]:
    scope = "in one partnership" if d.get("partnership_id") else "in all its partnerships"
    until = f", until {d['until']}" if d.get("until") else ""
    org = s.org(s.entry.get("stream_id"))
    parts: list[Part] = [*s.who(), " gave ", s.actor(d["broker_id"]), " mandate "]
    return [*parts, s.hash(d["mandate_id"]), " to act for ", org, f" {scope}{until}"]


def revoked(s: Say, d: Mapping[str, Any]) -> list[Part]:
    org = s.org(s.entry.get("stream_id"))
    return [*s.who(), " revoked mandate ", s.hash(d["mandate_id"]), " of ", org]


def claimed(s: Say, d: Mapping[str, Any]) -> list[Part]:
    parts: list[Part] = [
        *s.who(),
        " claimed the identifier ",
        s.text(f"{d['scheme']} {d['identifier']}"),
    ]
    return [*parts, " for ", s.org(d["organisation_id"])]


def bound(s: Say, d: Mapping[str, Any]) -> list[Part]:
    parts: list[Part] = [
        *s.who(),
        " enrolled ",
        s.actor(s.entry.get("stream_id")),
        f" as {plain(d['role'])}",
    ]
    return parts + ([" of ", s.org(d["organisation_id"])] if d.get("organisation_id") else [])


def audit(verb: str) -> Phrase:
    def phrase(s: Say, d: Mapping[str, Any]) -> list[Part]:
        scope = "every partnership" if d["partnership_id"] == "*" else "a partnership"
        return [*s.who(), f" {verb} ", s.actor(s.entry.get("stream_id")), f" to {scope}"]

    return phrase


PHRASES: dict[str, Phrase] = {
    "Initiated": initiated,
    "BrokerAssigned": lambda s, d: [
        *s.who(),
        " assigned ",
        s.actor(d["broker_id"]),
        " as a partnership broker",
    ],
    "DetailsCorrected": corrected,
    "Cancelled": of_partnership("cancelled"),
    "PartnershipRelated": related,
    "PracticeTransferred": transferred,
    "MemberInvited": lambda s, d: membership(s, "invited", d),
    "MemberAdmitted": lambda s, d: membership(s, "admitted", d),
    "MemberJoined": joined_member,
    "MemberDeclined": declined,
    "MemberWithdrew": withdrew,
    "BreachNotified": breach,
    "CommitmentNoted": noted,
    "CommitmentConfirmationNoted": lambda s, d: ["The partnership noted a confirmed commitment"],
    "VersionDrafted": drafted,
    "VersionOpenedForSignature": lambda s, d: [
        *s.who(),
        f" opened version {d['number']} for signature",
    ],
    "AgreementSigned": signed,
    "AgreementEnteredIntoForce": in_force,
    "AmendmentProposed": amended,
    "AmendmentRejected": lambda s, d: [*s.who(), f" rejected the amendment, version {d['number']}"],
    "DecisionRecorded": decision,
    "Suspended": of_partnership("suspended"),
    "Resumed": of_partnership("resumed"),
    "MovingOnStarted": lambda s, d: [*s.who(), " started the moving-on phase", *s.decided(d)],
    "Concluded": of_partnership("concluded"),
    "Terminated": of_partnership("terminated"),
    "MemberDeclaredDefaulting": of_member("declared", " defaulting"),
    "DefaultRemedied": of_member("recorded that", " remedied its default"),
    "MemberRemoved": of_member("removed"),
    "MilestoneSet": milestone,
    "IndicatorSet": indicator,
    "ResultReported": result,
    "Pledged": pledged,
    "Confirmed": of_commitment("confirmed"),
    "DeliveryReported": delivery("reported"),
    "DeliveryConfirmed": delivery("confirmed"),
    "DeliveryDisputed": delivery("disputed"),
    "DeliveryCorrected": delivery("corrected"),
    "Fulfilled": fulfilled,
    "Withdrawn": of_commitment("withdrew"),
    "Lapsed": of_commitment("marked as lapsed"),
    "Released": released,
    "Registered": registered,
    "Classified": classified,
    "Deactivated": lambda s, d: [*s.who(), " deactivated ", s.org(s.entry.get("stream_id"))],
    "MandateGranted": mandate,
    "MandateRevoked": revoked,
    "Claimed": claimed,
    "Bound": bound,
    "Disabled": lambda s, d: [*s.who(), " disabled ", s.actor(s.entry.get("stream_id"))],
    "AuditGranted": audit("granted audit access for"),
    "AuditGrantRemoved": audit("removed the audit access of"),
}
EVENT_TYPES = tuple(sorted(PHRASES))


def describe(entry: Mapping[str, Any], lookup: Lookup) -> Sentence:
    """The entry as a sentence: who did what, for whom, under which mandate."""
    say = Say(entry, lookup)
    data = entry.get("data")
    phrase = PHRASES.get(str(entry.get("event_type")))
    try:
        if phrase is not None and isinstance(data, Mapping):
            return Sentence(tuple(phrase(say, data)))
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        pass  # data this phrase cannot read: the generic sentence below
    try:
        who = say.who()
    except (KeyError, TypeError, ValueError, AttributeError):
        who = ["Someone"]
    return Sentence((*who, " recorded ", Named("text", "", str(entry.get("event_type")))))


def known(entries: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], str]:
    """What the entries themselves tell a `Lookup`: version numbers of text hashes,
    indicator names, each commitment's organisation and unit, each delivery's quantity."""
    out: dict[tuple[str, str], str] = {}
    reported: dict[str, str] = {}  # each delivery's quantity as last reported, in log order
    for e in entries:
        d, kind = e.get("data"), e.get("event_type")
        if not isinstance(d, Mapping):
            continue
        try:
            if kind in ("VersionDrafted", "AmendmentProposed"):
                out["version", str(d["text_hash"])] = str(d["terms"]["version"])
            elif kind == "IndicatorSet":
                out["indicator", str(d["indicator"]["indicator_id"])] = str(d["indicator"]["name"])
            elif kind == "Pledged":
                cid = str(e.get("stream_id"))
                out["commitment", cid] = str(d["organisation_id"])
                out["unit", cid] = str(d["quantity"]["unit"])
            elif kind in ("DeliveryReported", "DeliveryCorrected"):
                reported[str(d["delivery_id"])] = str(d["quantity"])
            elif kind in ("DeliveryConfirmed", "DeliveryDisputed"):
                out["delivery", str(e.get("position"))] = reported[str(d["delivery_id"])]
        except (KeyError, TypeError):
            continue  # a phrase without this fact still reads
    return out


# -- tracked fields' values (the field history) ------------------------------------------


def field_parts(s: Say, field: str, value: Any) -> list[Part]:
    if value is None or value == [] or value == {}:
        return ["none"]
    if field in ("title", "need_statement", "legal_name", "conditions"):
        return [s.text(value)]
    if field == "territory":
        return [territory(value)]
    if field == "classifications":
        return [s.text(", ".join(f"{c['vocabulary']} {c['code']}" for c in value))]
    if field in ("in_force", "pending"):
        return [f"version {value}"]
    if field == "brokers":
        return joined([[s.actor(b)] for b in value])
    if field == "recipient":
        return ["the pool"] if value == "pool" else [s.org(value)]
    if field == "quantity":
        return [amount(value)]
    if field == "valuation":
        money = f"{value['amount']} {value['currency']} " if value.get("amount") else ""
        return [f"{money}({plain(value['method'])})"]
    if field == "period":
        return [f"from {value.get('start')} to {value.get('end')}"]
    if field == "identifiers":
        return [s.text(", ".join(f"{i['scheme']} {i['id']}" for i in value))]
    if field == "active":
        return ["yes" if value else "no"]
    if isinstance(value, str | int):
        return [plain(value)]
    return [s.text(json.dumps(value, ensure_ascii=False, sort_keys=True))]


def field_value(field: str, value: Any, lookup: Lookup) -> Sentence:
    """A tracked field's recorded value in words (JSON text for a shape it does not know)."""
    say = Say({}, lookup)
    try:
        return Sentence(tuple(field_parts(say, field, value)))
    except (KeyError, TypeError, ValueError, AttributeError):
        return Sentence((say.text(json.dumps(value, ensure_ascii=False, default=str)),))


# -- whose turn it is (web/turns.py says what; here, in words) ---------------------------


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


def who(entry: Mapping[str, Any], lookup: Lookup) -> Sentence:
    """Who recorded an entry: the actor, and for whom under which mandate."""
    return Sentence(tuple(Say(entry, lookup).who()))
