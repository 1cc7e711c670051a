"""Forms on the agreement and its decisions (DESIGN §7): draft the next version (or
propose an amendment to the text in force), open the latest draft for signature, sign
the text open for signature (or accede to the text in force), reject a pending
amendment, and record a decision with the votes of the members.

Each route runs the API route's own authority check, then `web.forms.handle` with the
API route's schema and command. Two of those bodies hold objects keyed by organisation
id (a version's member objectives, a decision's votes), which `fields_of` does not read
from a form: the schemas here are the API's own with a `pre_load` that reads inputs
named `<field>.<organisation id>[.<n>]` into those objects. The pages that sign show the
text's hash in full and its terms exactly as recorded; the hash posted is the one shown,
so a text changed meanwhile is refused by the domain (409), never signed unseen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import marshmallow as ma
import rfc8785
from flask import g, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from api import authority
from api.schemas import governance as sg
from api.schemas import partnerships as s
from api.schemas.common import CommandBody
from api.seen import read
from api.service import service
from collab import access
from collab.agreements.commands import (
    DraftVersion,
    OpenForSignature,
    ProposeAmendment,
    RejectAmendment,
    SignAgreement,
)
from collab.commands import Outcome
from collab.domain import codes, practice_terms
from collab.domain import values as v
from collab.domain.envelope import Acting
from collab.domain.errors import ForbiddenError, NotFoundError
from collab.domain.partnership import Partnership
from collab.domain.partnership_rules import IN_FORCE, STANDING
from collab.domain.partnership_values import AgreementVersion, Member
from collab.governance.commands import RecordDecision
from projections.queries import list_organisations
from projections.views import partnership_view
from web.forms import handle, index_of
from web.forms_documents import chosen, named, offered
from web.frame import pages, views_reached
from web.labels import label
from web.names import Names, names_for

blp = pages("forms_agreement")

SPARE_ROWS = 3  # empty rows offered after the objectives already written
DRAFTING = ("scoping", "negotiating", "awaiting_signatures")  # Partnership.draft_version's
DECIDING = (*IN_FORCE, "suspended")  # Partnership.record_decision's statuses
Rule = Callable[[Partnership, Acting], object]


# -- the API's bodies, with their objects keyed by organisation read from the form ------


CONFLICT = "conflict"  # a member's row in the form: declared a conflict of interest


def votes_in(form: Mapping[str, str]) -> dict[str, str]:
    """Inputs `votes.<organisation id>`: the votes cast (an empty choice casts none, a
    declared conflict of interest is not a vote)."""
    marker = "votes."
    return {
        k[len(marker) :]: x
        for k, x in form.items()
        if k.startswith(marker) and x.strip() and x != CONFLICT
    }


def conflicts_in(form: Mapping[str, str]) -> list[str]:
    """The members whose row says they declared a conflict of interest (Reg. (EU)
    2021/1060 art. 33(3)(b)): they neither vote nor count as present."""
    marker = "votes."
    return [k[len(marker) :] for k, x in form.items() if k.startswith(marker) and x == CONFLICT]


def settled_in(subject: Mapping[str, Any]) -> dict[str, Any]:
    """Input `subject.delivery` ("<commitment id>/<delivery id>", a disputed delivery a
    settlement names) as the API's two ids."""
    chosen = subject.get("delivery")
    rest = {k: x for k, x in subject.items() if k != "delivery"}
    if not isinstance(chosen, str) or not chosen:
        return rest
    commitment_id, _slash, delivery_id = chosen.partition("/")
    return {**rest, "commitment_id": commitment_id, "delivery_id": delivery_id}


def objectives_in(form: Mapping[str, str]) -> dict[str, list[str]]:
    """Inputs `terms.member_objectives.<organisation id>.<n>`: each organisation's
    objectives in order; empty rows, and organisations without any, left out."""
    marker, found = "terms.member_objectives.", dict[str, dict[int, str]]()
    for key, value in form.items():
        org, _dot, n = key[len(marker) :].rpartition(".")
        index = index_of(n)
        if key.startswith(marker) and org and index is not None and value.strip():
            found.setdefault(org, {})[index] = value.strip()
    return {org: [rows[n] for n in sorted(rows)] for org, rows in found.items()}


def with_objectives(data: Mapping[str, Any]) -> dict[str, Any]:
    """The body with the form's member objectives in its terms (also when no other term
    was given, so that each missing term is named beside its input)."""
    terms = {**(data.get("terms") or {}), "member_objectives": objectives_in(request.form)}
    return {**data, "terms": named(terms)}  # the documents it lists, with their names


class DraftForm(s.DraftVersion):
    """The API's body for a draft, its member objectives read from the form."""

    @ma.pre_load
    def read_objectives(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return with_objectives(data)


class AmendmentForm(s.ProposeAmendment):
    """The API's body for an amendment, its member objectives read from the form."""

    @ma.pre_load
    def read_objectives(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return with_objectives(data)


class DecisionForm(sg.RecordDecision):
    """The API's body for a decision, its votes read from the form."""

    @ma.pre_load
    def read_votes(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        votes, conflicts = votes_in(request.form), conflicts_in(request.form)
        subject = data.get("subject")
        if isinstance(subject, dict):
            data = {**data, "subject": settled_in(subject)}
        return {**data, "votes": votes, **({"conflicts": conflicts} if conflicts else {})}


# -- who may do what here: the API's authority, the domain's own checks ----------------


def partnership_for(partnership_id: str, rule: Rule) -> Partnership:
    """As the API's route: the views reached, the route's authority (the API's 404 or
    403), then the partnership as this person may read it."""
    views_reached()
    pid = v.identifier(partnership_id, "partnership_id")
    authority.partnership(rule)(partnership_id=pid)
    return service().app.partnership_content(g.actor, pid)


def identities(p: Partnership) -> list[Acting]:
    """Who the person may act as here: itself, and for a broker its mandates."""
    return access.candidates(authority.reading(), p.members, str(p.id))


def passes(p: Partnership, acts: list[Acting], rule: Rule) -> bool:
    """Whether one of these identities passes the rule's authority (as `authorised`)."""
    try:
        access.authorised(acts, lambda a: rule(p, a))
    except (ForbiddenError, NotFoundError):
        return False
    return True


def signers(p: Partnership, acts: list[Acting]) -> list[Member]:
    """The standing signatory members the person may sign for."""
    found = [p.members.get(str(a.organisation_id)) for a in acts]
    return [m for m in found if m is not None and m.standing and m.signatory]


def to_sign(p: Partnership, by: list[Member]) -> tuple[AgreementVersion | None, bool]:
    """The text these members are to sign, and whether signing it is an accession: the
    text open for signature, else (for a member that joined after entry into force) the
    text in force."""
    if p.pending is not None and any(not m.needs_accession for m in by):
        return p.text(p.pending), False
    if p.in_force is not None and any(m.needs_accession for m in by):
        return p.in_force_version(), True
    return None, False


def unsigned(p: Partnership, version: AgreementVersion, by: list[Member]) -> list[str]:
    """Those of these members yet to sign the text."""
    signed = p.signatures.get(version.hash, {})
    return [m.organisation for m in by if m.organisation not in signed]


# -- what the pages show ---------------------------------------------------------------


def flat(value: Any, key: str) -> dict[str, str]:
    """A recorded value as the inputs that would post it again (`fields_of`'s names)."""
    if isinstance(value, list):
        value = dict(enumerate(value))
    if not isinstance(value, Mapping):
        return {key: str(value)}
    return {k: x for sub, item in value.items() for k, x in flat(item, f"{key}.{sub}").items()}


def prefilled(version: AgreementVersion | None) -> dict[str, str]:
    """The form of a new version, filled with a version's terms (a new text usually
    changes an old one)."""
    if version is None:
        return {}
    kept = {k: x for k, x in version.terms.items() if k not in ("partnership_id", "version")}
    return flat(kept, "terms")


def rows(form: Mapping[str, str], key: str) -> range:
    """The rows of a list input: up to the last one written, then spare empty ones."""
    marker, written = key + ".", [-1]
    for name, value in form.items():
        index = index_of(name[len(marker) :])
        if name.startswith(marker) and index is not None and value.strip():
            written.append(index)
    return range(max(written) + 1 + SPARE_ROWS)


def members_named(p: Partnership, names: Names, *wanted: str) -> list[tuple[str, str]]:
    """(organisation id, name) of the members in these statuses, by name."""
    ids = [o for o, m in p.members.items() if m.status in wanted]
    pairs = [(o, names("organisation", o) or o) for o in ids]
    return sorted(pairs, key=lambda pair: pair[1].casefold())


def text_context(p: Partnership, version: AgreementVersion | None) -> dict[str, Any]:
    """What a page showing a text needs: the partnership, the text, its canonical JSON
    (the exact bytes hashed) and the names of the organisations it and its members name."""
    named = [*p.members, *(version.terms["member_objectives"] if version else ())]
    canonical = rfc8785.dumps(dict(version.terms)).decode() if version else ""
    return {
        "p": p,
        "pid": str(p.id),
        "version": version,
        "canonical": canonical,
        "names": names_for(named),
    }


def others(p: Partnership) -> list[tuple[str, str]]:
    """Organisations of the register in the partnership's country that are not members
    (a decision may admit one), by name."""
    country = p.territory["country"]
    found = read(lambda conn, t: list_organisations(conn, t, country=country, limit=500))
    pairs = [
        (o["organisation_id"], _("%(name)s (not a member)", name=o["legal_name"]))
        for o in found
        if o["organisation_id"] not in p.members
    ]
    return sorted(pairs, key=lambda pair: pair[1].casefold())


def choices() -> dict[str, Any]:  # template context: lists of (code, label)
    """The codes the forms offer, in the reader's language."""
    rules = {
        "consensus": _("Consensus"),
        "majority": _("Majority of the votes"),
        "qualified": _("Qualified majority (give the threshold)"),
        "unanimity": _("Unanimity"),
    }
    strategies = {
        "institutionalise": _("Institutionalise (a lasting body takes it on)"),
        "hand_over": _("Hand over to a member or another organisation"),
        "scale": _("Scale up"),
        "replicate": _("Replicate elsewhere"),
        "close": _("Close"),
    }
    votes = {"for": _("For"), "against": _("Against"), "abstain": _("Abstain")}
    decided = subjects()
    return {
        "rules": [(c, rules[c]) for c in codes.GOVERNANCE_RULES],
        "strategies": [(c, strategies[c]) for c in codes.MOVING_ON_STRATEGIES],
        "votes": [(c, votes[c]) for c in codes.VOTES],
        "subjects": [(c, decided[c]) for c in codes.DECISION_SUBJECTS],
        "figures": [(c, label(c, "figure")) for c in practice_terms.FIGURES],
        "audiences": [(c, label(c, "audience")) for c in practice_terms.AUDIENCES],
    }


def subjects() -> dict[str, str]:
    """What a decision may be about, in the reader's language."""
    return {
        "admit_member": _("Admit an organisation as a member"),
        "suspend": _("Suspend the partnership"),
        "resume": _("Resume the partnership"),
        "start_moving_on": _("Start moving on (the exit strategy)"),
        "conclude": _("Conclude the partnership"),
        "terminate": _("Terminate the partnership"),
        "declare_defaulting": _("Declare a member defaulting"),
        "remedied": _("Record that a member has remedied its breach"),
        "remove_member": _("Remove a defaulting member"),
        "accept_delivery": _("Settle a disputed delivery: it counts"),
        "reject_delivery": _("Settle a disputed delivery: it does not count"),
        "change_membership": _("Change a member's terms (weight, roles, group, signatory)"),
        "publish_practice": _("Publish a practice (what the partnership learned)"),
        "set_budget": _("Adopt the budget and its funding (a new version)"),
        "other": _("Something else"),
    }


def signed_version(p: Partnership) -> int:
    """The number of the text a signature on the sign page is given to (as it shows)."""
    version, _acceding = to_sign(p, signers(p, identities(p)))
    return version.number if version is not None else 1


def at_partnership(pid: str, anchor: str) -> Callable[[Outcome], str]:
    """Where a form goes once recorded: the partnership's page, at what it changed."""
    return lambda _o: f"/partnerships/{pid}#{anchor}"


# -- the forms -------------------------------------------------------------------------

ONE = "/partnerships/<partnership_id>"


def terms_page(
    p: Partnership, base: AgreementVersion | None, filled: dict[str, str]
) -> dict[str, Any]:
    """What the terms form needs besides the person's input (on GET, `filled`)."""
    form = filled if request.method == "GET" else request.form
    listed = {o for o, m in p.members.items() if m.standing or m.status == "invited"}
    context = text_context(p, base)
    names: Names = context["names"]
    people = sorted(
        listed | set(objectives_in(form)) | set(base.terms["member_objectives"] if base else ()),
        key=lambda o: (names("organisation", o) or o).casefold(),
    )
    member_rows = {o: rows(form, f"terms.member_objectives.{o}") for o in people}
    return {
        **context,
        "shared_rows": rows(form, "terms.shared_objectives"),
        "member_rows": member_rows,
        "offered": offered(str(p.id)),  # documents the terms may list
        "listing": chosen(form),
        "acting": acting_here(p),
        **choices(),
    }


def acting_here(p: Partnership) -> list[tuple[str, str]]:
    """For a broker: the member organisations it may act for here under a mandate."""
    held = [str(a.organisation_id) for a in identities(p) if a.mandate_id]
    names = names_for(held)
    return sorted(((o, names("organisation", o) or o) for o in held), key=lambda x: x[1])


@blp.route(f"{ONE}/versions/new", methods=["GET", "POST"])
def draft(partnership_id: str) -> ResponseReturnValue:
    """A steward drafts the next version (the API's POST …/versions), from the latest."""
    p = partnership_for(partnership_id, authority.steward)
    latest = p.versions[-1] if p.versions else None
    pid, number = str(p.id), p.next_version_number()
    # A LAG's first text states the CLLD limit it is held to (the default, to negotiate).
    lag = p.partnership_type == "clld_lag"
    filled = prefilled(latest) or ({"terms.balance_limit": "49"} if lag else {})
    return handle(
        "version_new.html",
        DraftForm(),
        lambda a: DraftVersion(partnership_id=pid, **a),
        at_partnership(pid, f"version-{number}"),
        filled=filled,
        **terms_page(p, latest, filled),
        number=number,
        amending=None,
    )


@blp.route(f"{ONE}/amendments/new", methods=["GET", "POST"])
def amend(partnership_id: str) -> ResponseReturnValue:
    """Propose new terms on the version in force (the API's POST …/amendments)."""
    p = partnership_for(partnership_id, authority.proposer)
    base = p.in_force_version()
    pid, number = str(p.id), p.next_version_number()
    filled = prefilled(base)
    return handle(
        "version_new.html",
        AmendmentForm(),
        lambda a: ProposeAmendment(partnership_id=pid, **a),
        at_partnership(pid, f"version-{number}"),
        filled=filled,
        **terms_page(p, base, filled),
        number=number,
        amending=base,
    )


@blp.route(f"{ONE}/open-for-signature", methods=["GET", "POST"])
def open_for_signature(partnership_id: str) -> ResponseReturnValue:
    """A steward fixes the latest draft for signature (the API's POST …/open-for-signature)."""
    p = partnership_for(partnership_id, authority.steward)
    latest = p.versions[-1] if p.versions else None
    pid = str(p.id)
    return handle(
        "version_open.html",
        s.OpenForSignature(),
        lambda a: OpenForSignature(partnership_id=pid, **a),
        at_partnership(pid, f"version-{latest.number if latest else 1}"),
        **text_context(p, latest),
        acting=acting_here(p),
    )


def sign_page(p: Partnership) -> dict[str, Any]:
    """What the signing page needs: the text to sign, for whom, and who signed it."""
    by = signers(p, identities(p))
    version, acceding = to_sign(p, by)
    context = text_context(p, version)  # names every member
    names: Names = context["names"]
    acting = [
        (m.organisation, names("organisation", m.organisation) or m.organisation)
        for m in by
        if g.actor.role == "broker"
    ]
    return {
        **context,
        "acceding": acceding,
        "acting": acting,
        "unsigned": unsigned(p, version, by) if version else [],
        "amendment": p.status == "in_modification" and not acceding,
    }


@blp.route(f"{ONE}/sign", methods=["GET", "POST"])
def sign(partnership_id: str) -> ResponseReturnValue:
    """A signatory signs the exact hash shown (the API's POST …/signatures), or accedes."""
    p = partnership_for(partnership_id, authority.signatory)
    pid = str(p.id)
    return handle(
        "sign.html",
        s.SignAgreement(),
        lambda a: SignAgreement(partnership_id=pid, **a),
        lambda _o: f"/partnerships/{pid}#signatures-{signed_version(p)}",
        **sign_page(p),
        rejecting=False,
    )


@blp.route(f"{ONE}/reject-amendment", methods=["GET", "POST"])
def reject_amendment(partnership_id: str) -> ResponseReturnValue:
    """A signatory rejects the pending amendment (the API's POST …/reject-amendment)."""
    p = partnership_for(partnership_id, authority.signatory)
    pid = str(p.id)
    return handle(
        "sign.html",
        CommandBody(),
        lambda a: RejectAmendment(partnership_id=pid),
        at_partnership(pid, "agreement"),
        **sign_page(p),
        rejecting=True,
    )


@blp.route(f"{ONE}/decisions/new", methods=["GET", "POST"])
def decide(partnership_id: str) -> ResponseReturnValue:
    """A steward records a meeting's decision with the members' votes (the API's POST
    …/decisions)."""
    p = partnership_for(partnership_id, authority.steward)
    pid = str(p.id)
    names = names_for(p.members)
    return handle(
        "decision_new.html",
        DecisionForm(),
        lambda a: RecordDecision(partnership_id=pid, **a),
        lambda o: f"/partnerships/{pid}#decision-{o.text('decision_id')}",
        p=p,
        pid=pid,
        voters=members_named(p, names, *STANDING),  # a leaving member still votes
        concerned=members_named(p, names, "invited", *STANDING) + others(p),
        disputed=disputed(pid, names),
        acting=acting_here(p),
        **choices(),
        conflict=(CONFLICT, _("Declared a conflict of interest (neither votes nor is present)")),
    )


def disputed(pid: str, names: Names) -> list[tuple[str, str]]:
    """Deliveries in dispute in this partnership, as a settlement names them."""
    view = read(lambda conn, t: partnership_view(conn, t, pid))
    return [
        (
            f"{c['commitment_id']}/{d['delivery_id']}",
            _(
                "%(quantity)s %(unit)s by %(who)s on %(date)s",
                quantity=d["quantity"],
                unit=c["unit"],
                who=names("organisation", c["organisation_id"]) or c["organisation_id"],
                date=d["delivered_on"],
            ),
        )
        for m in view.get("members", [])
        for c in m["commitments"]
        for d in c["deliveries"]
        if "disputed" in str(d["status"])
    ]


# -- the partnership page's links ------------------------------------------------------


@blp.app_template_global()
def agreement_actions(view: Mapping[str, Any]) -> list[tuple[str, str]]:
    """For the partnership page: the agreement forms the signed-in person may use now, as
    (address, label) links; asked of the partnership as recorded, with the domain's own
    authority checks (none for an auditor, or on a page seen as an invitation)."""
    actor = g.get("actor")
    if actor is None or actor.role == "auditor" or "members" not in view:
        return []
    p = recorded(view["partnership_id"])
    acts, base = identities(p), f"/partnerships/{p.id}"
    found, by = steward_links(p, acts, base), signers(p, acts)
    version, acceding = to_sign(p, by)
    if version is not None and unsigned(p, version, by):
        n = version.number
        what = _("Accede to the agreement in force (version %(n)s)", n=n) if acceding else None
        found.append((f"{base}/sign", what or _("Sign version %(n)s", n=n)))
    if p.status == "in_modification" and by:
        found.append((f"{base}/reject-amendment", _("Reject the amendment")))
    if p.status == "active" and passes(p, acts, authority.proposer):
        found.append((f"{base}/amendments/new", _("Propose an amendment")))
    return found


def recorded(pid: str) -> Partnership:
    """The partnership as recorded, loaded once per request for the page's action lists."""
    cache: dict[str, Partnership] = g.setdefault("recorded_partnerships", {})
    if pid not in cache:
        cache[pid] = service().app.get(Partnership, pid, "partnership")
    return cache[pid]


def steward_links(p: Partnership, acts: list[Acting], base: str) -> list[tuple[str, str]]:
    """Drafting, opening and deciding: a partnership broker's or the lead's."""
    if not passes(p, acts, authority.steward):
        return []
    found = []
    latest = p.versions[-1] if p.versions else None
    if p.status in DRAFTING:
        found.append((f"{base}/versions/new", _("Draft a new version of the agreement")))
    if p.status == "negotiating" and latest is not None and latest.status == "draft":
        found.append(
            (f"{base}/open-for-signature", _("Open version %(n)s for signature", n=latest.number))
        )
    if p.status in DECIDING:
        found.append((f"{base}/decisions/new", _("Record a decision")))
    return found
