"""Scratch probe 4 (review)."""
from __future__ import annotations
import difflib, uuid
from tests.web.test_review_probe import routes, world
from tests.web.test_review_probe3 import scrub


def test_probe(flask_app, auth, client, person) -> None:
    setup, ids = world(auth, client)
    setup.org("d")
    outsider = person(setup.partners["d"])
    for r in routes(setup, ids)[:6] + routes(setup, ids)[14:15]:
        fake = r
        for k in (setup.partnership_id, ids["cid"], ids["did"], ids["mid"]):
            fake = fake.replace(k, str(uuid.uuid4()))
        a = scrub(outsider.client.get(r).text)
        b = scrub(outsider.client.get(fake).text)
        print("==", r)
        print("\n".join(difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0)))
