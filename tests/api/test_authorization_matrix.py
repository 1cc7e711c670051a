"""The authorization matrix: every documented operation by every kind of caller (DESIGN §3).

The table below is written from DESIGN §3, not from the code: 401 without a credential
(before any body validation); 404 when the target is not visible to the caller; 403 when
it is visible but the caller lacks authority (wrong role, no mandate, an auditor writing);
for an authorised caller the success status, or 409 where the state of the world refuses.
After every refusal the log head is unchanged. The callers and P's things are described in
tests/api/matrix_world.py; every request is well-formed (mnd and brk0 act for b).

How the statuses follow from DESIGN:
- P is visible to admins, its partnership broker (brk), a broker holding a mandate for it
  (mnd), an auditor granted it (aud), its members (a, b, c), a former member (w, "all until
  its exit") and an invited organisation (i, "the invitation only": P's view and history
  show it, P's versions, field history and commitments are not visible).
- C and its delivery D were pledged after W's exit: not visible to w (404), nor to i.
- Partnership commands: stewards (the partnership broker, the lead a) invite, draft, open,
  cancel, correct, relate, transfer, record and apply decisions, plan, notify breaches,
  mark commitments lapsed. Members act for themselves (b also through mnd): pledge, sign,
  amend (any signatory), reject an amendment, report results, withdraw. The committing
  organisation confirms, delivers, corrects, proposes revisions of and withdraws its
  commitment; the recipient (for the pool, the lead) confirms or disputes a delivery or a
  correction, and agrees to or declines a revision; a steward applies a decision settling
  a disputed delivery (invariant 6).
- An invited or withdrawn member acting for itself is refused by its membership's state
  (invariant 3, DESIGN §2 membership table): 409. Joining or declining without an open
  invitation: 409.
- The register is public; registration by brokers and admins, deactivation by admins;
  correcting or reclassifying O (b, or a fresh organisation; every organisation here was
  registered by brk) by admins, the broker that registered it, O itself or a broker under
  its mandate for all its partnerships (mnd's mandate from b is for P only: 403); mandates
  granted and revoked by a partner of the organisation, and visible to admins, their
  broker, the organisation's partners and those in its partnerships, auditors of their
  partnership. O's contacts (personal data) are seen by admins, O and its fellow active
  members of an open partnership (a, c; not w, i, d, r), a broker under a live mandate
  from O (mnd) and the brokers of open partnerships O has joined (brk); auditors none. Keeping them (add, erase) also needs
  the authority to correct O: admins, brk, b.
- Actors and tokens: admins manage all, others see their own only (another's: 404).
- Sign-in links (DESIGN §7): admins issue them for any actor; brokers for partner actors of
  organisations they registered (brk registered b: 201; another broker: 404, it does not
  see b's actor); b itself sees its own actor but may not issue (403).
- Lists, books and the feed filter rather than refuse: 200 for every authenticated caller.
- Brokers under a mandate see exactly what the organisation that gave it sees, and act as
  it may (mi answers I's invitation; mw, md and mr are refused by their organisation's
  state, 409, or lack authority, 403); R, removed after C was pledged, still sees C (as it
  stood at its exit), W, gone before, does not. A malformed body or query from a caller
  refused by visibility or authority gets that refusal, not a 422.
- The verifiable log (DESIGN §5): checkpoints, consistency proofs (hashes only) and the
  export (foreign leaves as bare hashes) answer every authenticated caller; a receipt or
  an inclusion proof names its event, so it follows the feed: P's first event is seen by
  those who see P's content (w: it precedes W's exit; i sees only its invitation).
- Practices (DESIGN §8): a published practice, its lineage, its list, the proofs of the
  positions it cites and the exchanges about it answer every authenticated caller (the
  exchanges filtered); publishing, a new version and withdrawing are a steward's of the
  publishing partnership (another caller sees the practice: 403, not 404; publishing
  names P in the body: 404 where P is not visible). P adopts, and asks about, a practice
  of Q (X leads it): stewards adopt, members ask (as they report). An exchange between P
  and Q is seen by those who see either's content now (404 for the rest); only Q's side
  answers or declines it (P's side: 403). Where the acting partnership is named in the
  body (publish, adopt, ask), its visibility and authority are asked after the schema.
- Budgets (DESIGN §9): a steward adopts P's budget under a passed set_budget decision; the
  budget view is partnership content (as the documents' list); the funds' rules answer
  every authenticated caller.
- Reports (DESIGN §9): a report of P is partnership content (as the budget view; a former
  member's stops at its exit); the list of the kinds of report answers every authenticated
  caller.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import TestResponse

from tests.api.matrix_world import CALLERS, OPERATIONS, Op, World, cast, prepared, send, stage

# fmt: off
MATRIX: dict[str, tuple[int, ...]] = {
    #                       anon adm  brk  mnd  brk0 aud  aud0 a    b    c    x    w    i    d    r    mi   md   mw   mr
    "org.register":         (401, 201, 201, 201, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 201, 201, 201, 201),
    "org.list":             (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "org.show":             (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "org.correct":          (401, 200, 200, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "org.classify":         (401, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "org.deactivate":       (401, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "org.grant_mandate":    (401, 403, 403, 403, 403, 403, 403, 403, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "org.mandates":         (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "org.revoke_mandate":   (401, 403, 404, 403, 404, 403, 404, 403, 200, 403, 404, 403, 404, 404, 403, 404, 404, 404, 404),
    "org.contacts":         (401, 200, 200, 200, 403, 403, 403, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "org.add_contact":      (401, 201, 201, 403, 403, 403, 403, 403, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "org.erase_contact":    (401, 204, 204, 403, 403, 403, 403, 403, 204, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "actor.create":         (401, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "actor.me":             (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "actor.show":           (401, 200, 404, 404, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "actor.disable":        (401, 200, 404, 404, 404, 403, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "actor.grant":          (401, 201, 404, 404, 404, 403, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "actor.remove_grant":   (401, 200, 404, 404, 404, 403, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "actor.issue_token":    (401, 201, 404, 404, 404, 201, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "actor.tokens":         (401, 200, 404, 404, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "actor.signin_link":    (401, 201, 201, 404, 404, 404, 404, 404, 403, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "actor.revoke_token":   (401, 204, 404, 404, 404, 204, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "p.initiate":           (401, 403, 201, 201, 201, 403, 403, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201),
    "p.list":               (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "p.assign_broker":      (401, 403, 201, 403, 404, 403, 404, 201, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "p.unassign_broker":    (401, 403, 200, 403, 404, 403, 404, 200, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "p.invite":             (401, 403, 201, 403, 404, 403, 404, 201, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "p.join":               (401, 403, 403, 409, 404, 403, 404, 409, 409, 409, 404, 409, 200, 409, 409, 200, 409, 409, 409),
    "p.decline":            (401, 403, 403, 409, 404, 403, 404, 409, 409, 409, 404, 409, 200, 409, 409, 200, 409, 409, 409),
    "p.withdraw":           (401, 403, 403, 200, 404, 403, 404, 200, 200, 200, 404, 409, 409, 409, 409, 409, 409, 409, 409),
    "p.correct":            (401, 403, 200, 403, 404, 403, 404, 200, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "p.cancel":             (401, 403, 200, 403, 404, 403, 404, 200, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "p.relate":             (401, 403, 201, 403, 404, 403, 404, 201, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "p.transfer":           (401, 403, 201, 403, 404, 403, 404, 201, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "p.draft":              (401, 403, 201, 403, 404, 403, 404, 201, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "p.versions":           (401, 200, 200, 200, 404, 200, 404, 200, 200, 200, 404, 200, 404, 404, 200, 404, 404, 200, 200),
    "p.open":               (401, 403, 200, 403, 404, 403, 404, 200, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "p.sign":               (401, 403, 403, 201, 404, 403, 404, 201, 201, 201, 404, 409, 409, 409, 201, 409, 409, 409, 201),
    "p.amend":              (401, 403, 201, 201, 404, 403, 404, 201, 201, 201, 404, 409, 409, 409, 409, 409, 409, 409, 409),
    "p.reject_amendment":   (401, 403, 403, 200, 404, 403, 404, 200, 200, 200, 404, 409, 409, 409, 409, 409, 409, 409, 409),
    "g.decide":             (401, 403, 201, 403, 404, 403, 404, 201, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "g.suspend":            (401, 403, 200, 403, 404, 403, 404, 200, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "g.resume":             (401, 403, 200, 403, 404, 403, 404, 200, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "g.start_moving_on":    (401, 403, 200, 403, 404, 403, 404, 200, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "g.conclude":           (401, 403, 200, 403, 404, 403, 404, 200, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "g.terminate":          (401, 403, 200, 403, 404, 403, 404, 200, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "g.admit":              (401, 403, 201, 403, 404, 403, 404, 201, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "g.breach":             (401, 403, 201, 403, 404, 403, 404, 201, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "g.change_membership":  (401, 403, 200, 403, 404, 403, 404, 200, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "g.declare_defaulting": (401, 403, 200, 403, 404, 403, 404, 200, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "g.remedied":           (401, 403, 200, 403, 404, 403, 404, 200, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "g.remove_member":      (401, 403, 200, 403, 404, 403, 404, 200, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "g.milestone":          (401, 403, 201, 403, 404, 403, 404, 201, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "g.indicator":          (401, 403, 201, 403, 404, 403, 404, 201, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "g.result":             (401, 403, 201, 201, 404, 403, 404, 201, 201, 201, 404, 409, 409, 409, 409, 409, 409, 409, 409),
    "g.report":             (401, 403, 201, 201, 404, 403, 404, 201, 201, 201, 404, 409, 409, 409, 409, 409, 409, 409, 409),
    "g.correct_report":     (401, 403, 200, 200, 404, 403, 404, 200, 200, 200, 404, 409, 409, 409, 409, 409, 409, 409, 409),
    "d.upload":             (401, 403, 201, 201, 404, 403, 404, 201, 201, 201, 404, 409, 409, 409, 409, 409, 409, 409, 409),
    "d.list":               (401, 200, 200, 200, 404, 200, 404, 200, 200, 200, 404, 200, 404, 404, 200, 404, 404, 200, 200),
    "d.download":           (401, 200, 200, 200, 404, 200, 404, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "b.adopt":              (401, 403, 201, 403, 404, 403, 404, 201, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "b.show":               (401, 200, 200, 200, 404, 200, 404, 200, 200, 200, 404, 200, 404, 404, 200, 404, 404, 200, 200),
    "b.rules":              (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "rep.kinds":            (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "rep.export":           (401, 200, 200, 200, 404, 200, 404, 200, 200, 200, 404, 200, 404, 404, 200, 404, 404, 200, 200),
    "c.pledge":             (401, 403, 403, 201, 404, 403, 404, 201, 201, 201, 404, 409, 409, 409, 409, 409, 409, 409, 409),
    "c.show":               (401, 200, 200, 200, 404, 200, 404, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404, 404, 200),
    "c.confirm":            (401, 403, 403, 200, 404, 403, 404, 403, 200, 403, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "c.deliver":            (401, 403, 403, 201, 404, 403, 404, 403, 201, 403, 404, 404, 404, 404, 403, 404, 404, 404, 403),
    "c.confirm_delivery":   (401, 403, 403, 403, 404, 403, 404, 200, 403, 403, 404, 404, 404, 404, 403, 404, 404, 404, 403),
    "c.dispute_delivery":   (401, 403, 403, 403, 404, 403, 404, 200, 403, 403, 404, 404, 404, 404, 403, 404, 404, 404, 403),
    "c.correct_delivery":   (401, 403, 403, 200, 404, 403, 404, 403, 200, 403, 404, 404, 404, 404, 403, 404, 404, 404, 403),
    "c.withdraw":           (401, 403, 403, 200, 404, 403, 404, 403, 200, 403, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "c.lapse":              (401, 403, 200, 403, 404, 403, 404, 200, 403, 403, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "c.settle_delivery":    (401, 403, 200, 403, 404, 403, 404, 200, 403, 403, 404, 404, 404, 404, 403, 404, 404, 404, 403),
    "c.propose_revision":   (401, 403, 403, 201, 404, 403, 404, 403, 201, 403, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "c.agree_revision":     (401, 403, 403, 403, 404, 403, 404, 200, 403, 403, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "c.decline_revision":   (401, 403, 403, 403, 404, 403, 404, 200, 403, 403, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "v.view":               (401, 200, 200, 200, 404, 200, 404, 200, 200, 200, 404, 200, 200, 200, 200, 200, 200, 200, 200),
    "v.history":            (401, 200, 200, 200, 404, 200, 404, 200, 200, 200, 404, 200, 200, 200, 200, 200, 200, 200, 200),
    "v.fields":             (401, 200, 200, 200, 404, 200, 404, 200, 200, 200, 404, 200, 404, 404, 200, 404, 404, 200, 200),
    "v.c_history":          (401, 200, 200, 200, 404, 200, 404, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404, 404, 200),
    "v.c_fields":           (401, 200, 200, 200, 404, 200, 404, 200, 200, 200, 404, 404, 404, 404, 200, 404, 404, 404, 200),
    "v.org_fields":         (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "v.ledger":             (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "v.inbox":              (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "v.org_partnerships":   (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "v.map":                (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "v.events":             (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "audit.checkpoint":     (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "audit.receipt":        (401, 200, 200, 200, 404, 200, 404, 200, 200, 200, 404, 200, 404, 404, 200, 404, 404, 200, 200),
    "audit.inclusion":      (401, 200, 200, 200, 404, 200, 404, 200, 200, 200, 404, 200, 404, 404, 200, 404, 404, 200, 200),
    "audit.consistency":    (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "audit.export":         (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "pr.list":              (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "pr.vocabularies":      (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "pr.publish":           (401, 403, 201, 403, 404, 403, 404, 201, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "pr.show":              (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "pr.proof":             (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "pr.lineage":           (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "pr.similar":           (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "pr.version":           (401, 403, 201, 403, 403, 403, 403, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "pr.withdraw":          (401, 403, 200, 403, 403, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "pr.adopt":             (401, 403, 201, 403, 404, 403, 404, 201, 403, 403, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    "pr.exchanges":         (401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "pr.ask":               (401, 403, 201, 201, 404, 403, 404, 201, 201, 201, 404, 409, 409, 409, 409, 409, 409, 409, 409),
    "ex.show":              (401, 200, 200, 200, 404, 200, 404, 200, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404),
    "ex.answer":            (401, 403, 403, 403, 404, 403, 404, 403, 403, 403, 200, 404, 404, 404, 404, 404, 404, 404, 404),
    "ex.decline":           (401, 403, 403, 403, 404, 403, 404, 403, 403, 403, 200, 404, 404, 404, 404, 404, 404, 404, 404),
    "p.exchanges":          (401, 200, 200, 200, 404, 200, 404, 200, 200, 200, 404, 200, 404, 404, 200, 404, 404, 200, 200),
}
# fmt: on


def rows() -> Iterator[Any]:
    """One row per (operation, caller): refusals first, so that successes come last."""
    for op_id, statuses in MATRIX.items():
        cells = sorted(zip(CALLERS, statuses, strict=True), key=lambda cell: cell[1] < 400)
        for caller, status in cells:
            yield pytest.param(op_id, caller, status, id=f"{op_id}-{caller}")


class Worlds:
    """One shared cast; on it, one world per variant, staged again after a row changed it."""

    def __init__(self) -> None:
        self.shared: World | None = None
        self.staged: dict[str, World] = {}

    def get(self, variant: str) -> World:
        if self.shared is None:
            self.shared = cast()
        if variant not in self.staged:
            self.staged[variant] = stage(self.shared, variant)
        return self.staged[variant]

    def spoil(self, op: Op) -> None:
        """Outside a partnership, a change may touch the cast itself: start afresh."""
        self.staged.pop(op.variant, None)
        if not op.on_partnership:
            self.close()

    def close(self) -> None:
        if self.shared is not None:
            self.shared.service.close()
        self.shared, self.staged = None, {}


@pytest.fixture(scope="module")
def worlds() -> Iterator[Worlds]:
    pool = Worlds()
    yield pool
    pool.close()


def call(
    worlds: Worlds, op: Op, caller: str, *, malformed: bool = False
) -> tuple[TestResponse, bool]:
    """Send `op` as `caller` in its world: the response, and whether the log is unchanged.
    A success that changes P's things, or anything unexpected, spoils the world."""
    world = worlds.get(op.variant)
    ids = prepared(world, op)
    before = world.head()
    try:
        response = send(world, op, caller, ids, malformed=malformed)
    except BaseException:
        worlds.spoil(op)
        raise
    unchanged, status = world.head() == before, response.status_code
    if not (unchanged if status >= 400 else op.keeps_world and status < 500):
        worlds.spoil(op)
    return response, unchanged


@pytest.mark.parametrize(("op_id", "caller", "expected"), list(rows()))
def test_each_caller_gets_the_status_design_prescribes(
    worlds: Worlds, op_id: str, caller: str, expected: int
) -> None:
    # Given the world staged for the operation (and a fresh target if it needs one)
    op = OPERATIONS[op_id]
    # When the caller sends a well-formed request
    response, unchanged = call(worlds, op, caller)
    # Then it gets the prescribed status
    assert response.status_code == expected, response.get_data(as_text=True)
    if expected >= 400:
        # And a refusal is a problem that records nothing
        assert response.mimetype == "application/problem+json"
        assert unchanged
    if caller == "anon" or (expected in (403, 404) and "{" in op.path and not op.body_target):
        # And authentication, then visibility and authority over the target the path names,
        # come before any body or query validation: a malformed request gets the same
        # refusal, and records nothing
        # (a read open to anonymous callers checks its query like any other: 422)
        malformed, unchanged = call(worlds, op, caller, malformed=True)
        refused = expected if expected >= 400 else 422
        wanted = 401 if caller == "anon" and expected >= 400 else refused
        assert (malformed.status_code, unchanged) == (wanted, True)


def test_every_documented_operation_has_a_row(worlds: Worlds) -> None:
    # Given the live OpenAPI document
    spec = worlds.get("active").app.test_client().get("/v1/openapi.json").json
    assert spec is not None
    documented = {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
        and path not in ("/healthz", "/readyz")
    }
    # Then every operation has a row of the matrix, and every row a documented operation
    covered = {(op.method, op.path) for op in OPERATIONS.values()}
    assert sorted(documented - covered) == [], "operations without a row in the matrix"
    assert sorted(covered - documented) == [], "rows for operations no longer documented"
    assert set(MATRIX) == set(OPERATIONS)
    assert {len(statuses) for statuses in MATRIX.values()} == {len(CALLERS)}


@pytest.fixture(scope="module")
def active_world() -> Iterator[World]:
    world = stage(cast(), "active")
    world.service.audit.sealer.seal()
    yield world
    world.service.close()


@pytest.mark.parametrize(
    ("broker", "partner"), [("mnd", "b"), ("mi", "i"), ("md", "d"), ("mw", "w"), ("mr", "r")]
)
def test_a_mandated_broker_reads_exactly_what_its_organisation_reads(
    active_world: World, broker: str, partner: str
) -> None:
    # Given the world where each of these brokers holds the mandate of one organisation
    world = active_world
    pid, cid, org = world.ids["P"], world.ids["C"], world.ids[f"org:{partner}"]
    client = world.app.test_client()
    first = str(
        min(
            n.id
            for n in world.collab.recorder.select_notifications(1, world.head())
            if str(n.originator_id) == pid
        )
    )
    reads = [
        f"/v1/partnerships/{pid}/view",
        f"/v1/partnerships/{pid}/history",
        f"/v1/partnerships/{pid}/field-history",
        f"/v1/partnerships/{pid}/versions",
        f"/v1/partnerships/{pid}/reports/commitments",
        f"/v1/commitments/{cid}",
        f"/v1/commitments/{cid}/history",
        f"/v1/commitments/{cid}/field-history",
        f"/v1/organisations/{org}/ledger",
        f"/v1/organisations/{org}/inbox",
        f"/v1/organisations/{org}/partnerships",
        f"/v1/organisations/{world.ids['org:b']}/ledger",
        f"/v1/audit/receipts/{first}",
        f"/v1/audit/proofs/inclusion?position={first}",
        f"/v1/audit/export?partnership={pid}",
        "/v1/partnerships",
        "/v1/collaboration-map",
    ]

    def read(key: str, path: str) -> tuple[int, str]:
        """Status and body (a problem without its per-request `instance`)."""
        response = client.get(path, headers=world.callers[key].headers())
        if response.mimetype == "application/problem+json":
            problem = {k: v for k, v in response.json.items() if k != "instance"}  # type: ignore[union-attr]
            return response.status_code, json.dumps(problem)
        return response.status_code, response.get_data(as_text=True)

    # When the broker and the organisation's partner read the same things
    # Then they get the same answers, byte for byte: no more, no less
    before = world.head()
    for path in reads:
        assert read(broker, path) == read(partner, path), path
    # And the same events of the partnership and its commitments in the feed

    def feed(key: str) -> list[dict[str, Any]]:
        response = client.get("/v1/events?limit=1000", headers=world.callers[key].headers())
        items: list[dict[str, Any]] = response.json["items"]  # type: ignore[index]
        return [e for e in items if e["stream_type"] in ("partnership", "commitment")]

    assert feed(broker) == feed(partner)
    assert world.head() == before
