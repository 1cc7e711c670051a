"""Scratch probe 11: every route, every role, several states."""
from __future__ import annotations
from werkzeug.datastructures import MultiDict
from collab.agreements.commands import DraftVersion, OpenForSignature, ProposeAmendment, SignAgreement
from collab.commitments.commands import DisputeDelivery
from collab.organisations.commands import GrantMandate
from collab.partnerships.commands import InviteMember, JoinPartnership, WithdrawMembership
from collab.governance.commands import ApplyDecision
from tests.api.setup_partnership import Setup, command, initiation
from tests.application.world import terms
from tests.web.conftest import csrf_of
from tests.web.test_review_probe import routes, payloads


def sweep(name, s, ids, viewers, person, heavy=False):
    bad = []
    for who, caller in viewers.items():
        p = person(caller)
        token = csrf_of(p.client.get("/").text)
        for r in routes(s, ids) + [f"{s.url}/versions/diff", s.url, f"{s.url}/timeline"]:
            g = p.client.get(r)
            if g.status_code >= 500:
                bad.append((name, who, "GET", r))
            if heavy and "/revocation" not in r and not r.endswith("withdraw") and not r.endswith("/confirm"):
                for i, data in enumerate(payloads(list(s.orgs.values()))[:25]):
                    data = MultiDict(data); data.add("csrf_token", token)
                    before = s.head()
                    resp = p.client.post(r, data=data)
                    if resp.status_code >= 500 or (resp.status_code != 303 and s.head() != before):
                        bad.append((name, who, "POST", r, i, resp.status_code))
    for b in bad:
        print("BAD", b)
    return bad


def test_probe(flask_app, auth, client, person) -> None:
    s = Setup(auth, client)
    pid = s.app.execute(command(s.broker), initiation()).result["partnership_id"]
    s.partnership_id = pid
    for i, k in enumerate("ab"):
        s.app.execute(command(s.broker), InviteMember(pid, organisation_id=s.org(k), roles=["lead"] if i == 0 else ["implementer"], weight=1))
        s.app.execute(s.as_(k), JoinPartnership(pid))
    s.app.execute(command(s.broker), InviteMember(pid, organisation_id=s.org("c"), roles=["implementer"], weight=1))
    mb = auth.actor("broker")
    mid = s.app.execute(s.as_("c"), GrantMandate(organisation_id=s.orgs["c"], broker_id=mb.actor_id)).result["mandate_id"]
    s.app.execute(s.as_("b"), GrantMandate(organisation_id=s.orgs["b"], broker_id=mb.actor_id))
    viewers = {"broker": auth.broker, "a": s.partners["a"], "b": s.partners["b"], "c": s.partners["c"],
               "mandated": mb, "admin": auth.admin, "auditor": auth.auditor(pid)}
    bogus = {"cid": "00000000-0000-4000-8000-000000000000", "did": "00000000-0000-4000-8000-000000000001", "mid": mid}
    bad = sweep("scoping", s, bogus, viewers, person, heavy=True)
    draft = s.app.execute(command(s.broker), DraftVersion(pid, terms=terms()))
    bad += sweep("negotiating", s, bogus, viewers, person)
    s.app.execute(command(s.broker), OpenForSignature(pid, agreement_version=1))
    bad += sweep("awaiting", s, bogus, viewers, person, heavy=True)
    s.app.execute(s.as_("c"), JoinPartnership(pid))
    for k in "abc":
        s.app.execute(s.as_(k), SignAgreement(pid, text_hash=draft.result["text_hash"]))
    c3 = s.pledge("c", recipient=s.orgs["b"])
    d3 = s.deliver("c", c3)
    s.app.execute(s.as_("b", reason="short"), DisputeDelivery(c3, d3))
    ids = {"cid": c3, "did": d3, "mid": mid}
    s.app.execute(s.as_("a"), ProposeAmendment(pid, base_version=1, terms=terms("v2")))
    bad += sweep("in_modification", s, ids, viewers, person, heavy=True)
    s.app.execute(s.as_("b"), WithdrawMembership(pid))
    dec = s.decide("suspend")
    s.app.execute(command(s.broker), ApplyDecision(pid, decision_id=dec)) if False else None
    bad += sweep("after-withdraw", s, ids, viewers, person)
    assert not bad
