"""Scratch probe 12: redirects land somewhere."""
from __future__ import annotations
import re
from collab.partnerships.commands import InviteMember, JoinPartnership
from tests.api.setup_partnership import Setup, command, initiation, active_partnership
from tests.web.conftest import csrf_of


def test_probe(flask_app, auth, client, person) -> None:
    s = Setup(auth, client)
    pid = s.app.execute(command(s.broker), initiation()).result["partnership_id"]
    s.partnership_id = pid
    s.app.execute(command(s.broker), InviteMember(pid, organisation_id=s.org("a"), roles=["lead"], weight=1))
    s.app.execute(s.as_("a"), JoinPartnership(pid))
    s.app.execute(command(s.broker), InviteMember(pid, organisation_id=s.org("c"), roles=["implementer"], weight=1))
    c = person(s.partners["c"])
    page = c.client.get(f"{s.url}/decline")
    r = c.client.post(f"{s.url}/decline", data={"csrf_token": csrf_of(page.text)})
    print("DECLINE", r.status_code, r.location)
    after = c.client.get(r.location)
    print("AFTER", after.status_code, re.search(r"<h1[^>]*>(.*?)</h1>", after.text).group(1))
    # decision anchor
    a = active_partnership(auth, client)
    broker = person(auth.broker)
    page = broker.client.get(f"{a.url}/decisions/new")
    form = {"csrf_token": csrf_of(page.text), "body": "Assembly", "subject.action": "other", **{f"votes.{o}": "for" for o in a.orgs.values()}}
    r = broker.client.post(f"{a.url}/decisions/new", data=form)
    print("DECIDE", r.status_code, r.location)
    frag = r.location.split("#")[1]
    html = broker.client.get(r.location.split("#")[0] + f"?min_position={a.head()}").text
    print("ANCHOR PRESENT", f'id="{frag}"' in html)
