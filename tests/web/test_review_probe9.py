"""Scratch probe 9."""
from __future__ import annotations
from tests.api.setup_partnership import active_partnership


def test_probe(flask_app, auth, client, person) -> None:
    s = active_partnership(auth, client)
    b = person(s.partners["b"])
    for u in ["/partnerships/xyz", "/partnerships/xyz/timeline", "/partnerships/xyz/pledge", "/partnerships/xyz/versions/diff",
              "/partnerships/xyz/sign", "/commitments/xyz/confirm", "/commitments/xyz/timeline", "/organisations/xyz/mandates",
              f"/commitments/{s.pledge('b')}/deliveries/xyz/correct", f"{s.url}/versions/diff?from=2&to=1", f"{s.url}/versions/diff?from=1&to=1"]:
        r = b.client.get(u)
        print(u[-40:], r.status_code)
