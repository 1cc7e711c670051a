"""Scratch probe 8 (review): every Verify control's proof answers."""
from __future__ import annotations
import re
from collab.organisations.commands import GrantMandate
from collab.governance.commands import AdmitMember
from collab.partnerships.commands import InviteMember, WithdrawMembership
from tests.api.setup_partnership import active_partnership, command

POS = re.compile(r'data-position="(\d+)"')


def test_probe(flask_app, auth, client, person) -> None:
    s = active_partnership(auth, client)
    cid = s.pledge("b")
    s.deliver("b", cid)
    dec = s.decide("admit_member", s.org("d"))
    s.app.execute(command(s.broker), AdmitMember(s.partnership_id, organisation_id=s.orgs["d"], roles=["implementer"], weight=1, decision_id=dec))
    mb = auth.actor("broker")
    s.app.execute(s.as_("c"), GrantMandate(organisation_id=s.orgs["c"], broker_id=mb.actor_id))
    cc = s.pledge("c")
    s.app.execute(s.as_("c"), WithdrawMembership(s.partnership_id))
    auth.service.audit.sealer.seal()
    viewers = {"a": s.partners["a"], "b": s.partners["b"], "c-withdrawn": s.partners["c"],
               "d-invited": s.partners["d"], "mandated": mb, "broker": auth.broker,
               "auditor": auth.auditor(s.partnership_id), "admin": auth.admin}
    for name, caller in viewers.items():
        p = person(caller)
        for page in (f"{s.url}/timeline", f"/commitments/{cid}/timeline", f"/commitments/{cc}/timeline"):
            r = p.client.get(page + "?limit=500")
            shown = POS.findall(r.text)
            bad = [x for x in shown if p.client.get(f"/proofs/{x}").status_code != 200]
            print(name, page.split("/")[1], page.split("/")[-2][:8], r.status_code, len(shown), "BAD" if bad else "", bad[:5])


def test_probe_all(flask_app, auth, client, person) -> None:
    s = active_partnership(auth, client)
    cid = s.pledge("b")
    dec = s.decide("admit_member", s.org("d"))
    s.app.execute(command(s.broker), AdmitMember(s.partnership_id, organisation_id=s.orgs["d"], roles=["implementer"], weight=1, decision_id=dec))
    other = active_partnership(auth, client, ("e", "f"))
    mb = auth.actor("broker")
    s.app.execute(s.as_("c"), GrantMandate(organisation_id=s.orgs["c"], broker_id=mb.actor_id))
    auth.service.audit.sealer.seal()
    topics = {n.id: n.topic.rsplit(".", 1)[-1] for n in s.app.recorder.select_notifications(1, 10000)}
    viewers = {"b": s.partners["b"], "d-invited": s.partners["d"], "mandated": mb,
               "e-other": other.partners["e"], "auditor": auth.auditor(s.partnership_id), "broker": auth.broker}
    for name, caller in viewers.items():
        p = person(caller)
        got = [topics[x] for x in sorted(topics) if p.client.get(f"/proofs/{x}").status_code == 200]
        from collections import Counter
        print(name, len(got), dict(Counter(got)))
