"""Scratch probe 7 (review): links of "What you can do" in several states."""
from __future__ import annotations
import re
from collab.agreements.commands import DraftVersion, OpenForSignature, ProposeAmendment, SignAgreement
from collab.commitments.commands import DisputeDelivery
from collab.organisations.commands import GrantMandate
from collab.partnerships.commands import InviteMember, JoinPartnership
from tests.api.setup_partnership import Setup, active_partnership, command, initiation
from tests.application.world import terms

HREF = re.compile(r'(?:href|action|formaction)="([^"]+)"')


def links(html: str) -> list[str]:
    if 'id="actions-h"' not in html:
        return []
    section = html.split('id="actions-h"', 1)[1].split("</section>", 1)[0]
    return HREF.findall(section)


def check(name, setup, viewers, person):
    for who, caller in viewers.items():
        p = person(caller)
        status, html = p.get(f"{setup.url}?min_position={setup.head()}")
        found = links(html)
        print(f"--{name} {who} page={status} links={len(found)}")
        for href in found:
            s, body = p.get(href)
            h1 = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S)
            print(f"   {s} {href.replace(setup.partnership_id, 'P')[:90]} :: {h1.group(1).strip()[:60] if h1 else ''}")


def test_probe(flask_app, auth, client, person) -> None:
    # negotiating, c invited, draft v1
    s = Setup(auth, client)
    pid = s.app.execute(command(s.broker), initiation()).result["partnership_id"]
    s.partnership_id = pid
    for i, k in enumerate("ab"):
        s.app.execute(command(s.broker), InviteMember(pid, organisation_id=s.org(k), roles=["lead"] if i == 0 else ["implementer"], weight=1))
        s.app.execute(s.as_(k), JoinPartnership(pid))
    s.app.execute(command(s.broker), InviteMember(pid, organisation_id=s.org("c"), roles=["implementer"], weight=1))
    other_broker = auth.actor("broker")
    s.app.execute(s.as_("c"), GrantMandate(organisation_id=s.orgs["c"], broker_id=other_broker.actor_id))
    s.app.execute(s.as_("b"), GrantMandate(organisation_id=s.orgs["b"], broker_id=other_broker.actor_id))
    viewers = {"broker": auth.broker, "a": s.partners["a"], "b": s.partners["b"], "c": s.partners["c"], "mandated": other_broker, "admin": auth.admin}
    check("scoping", s, viewers, person)
    draft = s.app.execute(command(s.broker), DraftVersion(pid, terms=terms()))
    check("negotiating+draft", s, viewers, person)
    s.app.execute(command(s.broker), OpenForSignature(pid, agreement_version=1))
    check("awaiting", s, viewers, person)
    s.app.execute(s.as_("c"), JoinPartnership(pid))
    for k in "abc":
        s.app.execute(s.as_(k), SignAgreement(pid, text_hash=draft.result["text_hash"]))
    c1 = s.pledge("b", confirm=False)
    c2 = s.pledge("b")
    d2 = s.deliver("b", c2)
    c3 = s.pledge("c", recipient=s.orgs["b"])
    d3 = s.deliver("c", c3)
    d3b = s.deliver("c", c3)
    s.app.execute(s.as_("b", reason="short"), DisputeDelivery(c3, d3b))
    check("active", s, viewers, person)
    s.app.execute(s.as_("a"), ProposeAmendment(pid, base_version=1, terms=terms("v2")))
    check("in_modification", s, viewers, person)
