"""Review of the practices API (issue 16): hostile input answered with a problem, never a
500."""

from __future__ import annotations

from api.http import encode_cursor
from tests.api.setup_partnership import problem_type
from tests.api.test_practices import Network, net

__all__ = ["net"]


def test_a_cursor_in_other_digits_or_beyond_the_stores_integers_is_a_422(net: Network) -> None:
    made = [net.publish(net.ids["P"]), net.publish(net.ids["Q"], contact="d")]
    for raw in ("²", "\u0661\u0662", "99999999999999999999999"):
        response = net.get(net.partner("d"), "/practices", cursor=encode_cursor(raw))
        assert response.status_code == 422, (raw, response.json)
        assert problem_type(response) == "invalid-input"
    # A cursor the list gave still pages on
    first = net.get(net.partner("d"), "/practices", limit=1).json
    assert first is not None and first["next_cursor"]
    rest = net.get(net.partner("d"), "/practices", limit=1, cursor=first["next_cursor"]).json
    assert rest is not None
    assert [x["practice_id"] for x in rest["items"]] == [made[1]["result"]["practice_id"]]


def test_a_version_published_to_signed_in_readers_stays_closed_to_anonymous_ones(
    net: Network,
) -> None:
    # Given P's practice published first to signed-in readers, citing a pledge as it was
    p = net.ids["P"]
    cid = net.setup.pledge("b", value="30")
    first = net.publish(p)
    practice_id = first["result"]["practice_id"]
    before = net.get(net.partner("d"), f"/practices/{practice_id}").json
    assert before is not None
    # And a second version, after a delivery, published to anyone by another decision
    net.setup.deliver("b", cid, "10")
    body = {"decision_id": net.decision(p, "anyone"), "practice": net.fields()}
    second = net.post(net.setup.broker, f"/practices/{practice_id}/versions", body)
    assert second.status_code == 201, second.json
    net.setup.auth.service.audit.sealer.seal()
    after = net.get(None, f"/practices/{practice_id}").json
    assert after is not None and after["number"] == 2
    # Then an anonymous reader sees the second version only, and its proofs only
    assert [x["number"] for x in after["versions"]] == [2]
    assert net.get(None, f"/practices/{practice_id}", version=1).status_code == 404
    old = {c["position"] for c in before["figures"]["resources"]["rests_on"]}
    new = {c["position"] for c in after["figures"]["resources"]["rests_on"]}
    only_first = sorted(old - new)
    assert only_first, (old, new)
    for position in only_first:
        path = f"/practices/{practice_id}/proofs/{position}"
        assert net.get(None, path).status_code == 404
        # while a signed-in reader, to whom the first version was published, proves it
        assert net.get(net.partner("d"), path).status_code == 200
    for position in sorted(new):
        assert net.get(None, f"/practices/{practice_id}/proofs/{position}").status_code == 200
