"""Scratch probe 5 (review): Portuguese pages."""
from __future__ import annotations
import html as markup
import re
from tests.web.conftest import csrf_of
from tests.web.test_review_probe import routes, world
from tests.api.setup_partnership import Setup, command
from collab.agreements.commands import ProposeAmendment as DraftVersion
from tests.application.world import terms

ENGLISH = re.compile(r"\b(the|and|of|to|is|are|you|your|may|with|from|this|that|for|Please|not|has|have|be|or|by|was|were|its|it)\b")


def visible(html: str) -> list[str]:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", html, flags=re.S)
    html = re.sub(r"<[^>]+>", "\n", html)
    return [markup.unescape(x).strip() for x in html.split("\n") if x.strip()]


def test_probe(flask_app, auth, client, person) -> None:
    setup, ids = world(auth, client)
    setup.app.execute(setup.as_("a"), DraftVersion(setup.partnership_id, base_version=1, terms=terms("Second vision")))  # noqa
    who = {"broker": auth.broker, "a": setup.partners["a"], "b": setup.partners["b"],
           "auditor": auth.auditor(setup.partnership_id), "admin": auth.admin}
    extra = [setup.url, f"{setup.url}/versions/diff", "/map", f"{setup.url}/timeline",
             f"{setup.url}/versions/diff?from=99", "/map?country=zz", "/"]
    seen = set()
    for name, caller in who.items():
        p = person(caller)
        p.client.set_cookie("collab_lang", "pt")
        token = csrf_of(p.client.get("/").text)
        for r in routes(setup, ids) + extra:
            for method in ("GET", "POST"):
                if method == "POST" and r in extra:
                    continue
                resp = p.client.open(r, method=method, data={"csrf_token": token, "weight": "x", "quantity.value": "1e9", "votes.zz": "for", "body": "", "terms.exit_notice_days": "abc"} if method == "POST" else None)
                for line in visible(resp.text):
                    if ENGLISH.search(line) and line not in seen and "organisation" not in line.split()[-1:]:
                        seen.add(line)
                        print(f"[{name} {method} {resp.status_code} {r.split('/')[-1][:30]}] {line[:200]}")
