"""Scratch probe 10: texts identical in English and Portuguese on new pages."""
from __future__ import annotations
import re
from tests.web.test_review_probe5 import visible
from tests.web.test_review_probe7 import links
from tests.web.test_review_probe import routes, world
from tests.api.setup_partnership import command
from collab.agreements.commands import ProposeAmendment
from tests.application.world import terms


def test_probe(flask_app, auth, client, person) -> None:
    setup, ids = world(auth, client)
    setup.app.execute(setup.as_("a"), ProposeAmendment(setup.partnership_id, base_version=1, terms=terms("Second vision")))
    who = {"broker": auth.broker, "a": setup.partners["a"], "b": setup.partners["b"], "auditor": auth.auditor(setup.partnership_id)}
    extra = [setup.url, f"{setup.url}/versions/diff", "/map", f"{setup.url}/timeline", f"/commitments/{ids['cid']}/timeline"]
    seen = set()
    for name, caller in who.items():
        p = person(caller)
        for r in routes(setup, ids) + extra:
            en = p.client.get(r, headers={"Accept-Language": "en"})
            pt = p.client.get(r, headers={"Accept-Language": "pt"})
            if pt.status_code != 200:
                continue
            ens = set(visible(en.text))
            for line in visible(pt.text):
                if line in ens and re.search(r"[a-z]{3,}", line) and line not in seen and not re.match(r"^[A-Z0-9_]+-[A-Z0-9_-]+ — ", line):
                    seen.add(line)
                    print(f"[{name} {r.split('/')[-1][:20]}] {line[:150]}")
            for attr in re.findall(r'(?:aria-label|title|placeholder|alt|data-[a-z-]+)="([^"]{4,})"', pt.text):
                if attr in en.text and re.search(r"[a-z]{3,} [a-z]{3,}", attr) and attr not in seen:
                    seen.add(attr)
                    print(f"[ATTR {name} {r.split('/')[-1][:20]}] {attr[:150]}")


def test_where(flask_app, auth, client, person) -> None:
    setup, ids = world(auth, client)
    p = person(auth.broker)
    pt = p.client.get(setup.url, headers={"Accept-Language": "pt"}).text
    for m in re.finditer(r"hour", pt):
        print("HOUR", pt[max(0, m.start() - 300): m.end() + 80].replace("\n", " "))
    pt = p.client.get(f"{setup.url}/open-for-signature", headers={"Accept-Language": "pt"}).text
    for m in re.finditer(r"majority|yearly", pt):
        print("RULE", pt[max(0, m.start() - 200): m.end() + 50].replace("\n", " "))
