"""A former member reads another organisation's books as the partnership was when it left."""

from __future__ import annotations

from flask.testing import FlaskClient

from collab.partnerships.commands import WithdrawMembership
from tests.api.conftest import Auth
from tests.api.setup_partnership import Setup


def test_a_former_member_sees_no_commitment_made_after_its_exit(
    auth: Auth, client: FlaskClient
) -> None:
    # Given a's pledge, then c's withdrawal, then a second pledge of a
    setup = Setup(auth, client)
    pid = setup.start()
    before = setup.pledge("a", value="10")
    setup.app.execute(setup.as_("c"), WithdrawMembership(pid))
    after = setup.pledge("a", value="7")
    # When c reads a's ledger
    c = setup.partners["c"]
    seen = client.get(f"/v1/organisations/{setup.orgs['a']}/ledger", headers=c.headers()).json
    # Then it sees the commitment from before its exit only, with totals to match
    assert seen is not None
    assert [x["commitment_id"] for x in seen["commitments"]] == [before]
    assert after not in str(seen)
    b = setup.partners["b"]
    full = client.get(f"/v1/organisations/{setup.orgs['a']}/ledger", headers=b.headers()).json
    assert full is not None
    assert sorted(x["commitment_id"] for x in full["commitments"]) == sorted([before, after])
    assert seen["totals_by_unit"] != full["totals_by_unit"]
