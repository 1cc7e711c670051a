"""Who sees what (DESIGN §3): the one rule, asked by every reader and writer.

The write side's checks, the views, as-of reads, the event feed, receipts, proofs,
exports, ledgers and the inbox all ask this module; none keeps a copy of the rule. It is
pure: the caller (a `Viewer`) and the recorded facts about one partnership (`Facts`:
its brokers, the memberships that matter to the caller, the mandates the caller holds)
give a `Window`. The facts come from the aggregates on the write side
(`collab/use_cases/base.py`) and from the read models on the read side
(`projections/visibility.py`); both are projections of the same events.

A former member's window is cut at its exit: the log position of its exit event. The
commands that record an exit stage the commitments they release before the partnership,
so those releases come before the cut and a former member sees its commitments as they
stood when it left (released).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from collab.domain.envelope import Actor
from collab.domain.organisation import Mandate
from collab.domain.partnership_rules import DEPARTED, STANDING

# A member in standing sees everything (a `leaving` one too, until the processor records
# its exit: invariant 8); a former member everything until its exit.
INVITED = ("invited", "declined")  # the organisation's own invitation, nothing more
# A mandate for one partnership is granted only by an organisation that stands in it: an
# invited, declined or departed organisation cannot open the partnership through a broker
# (DESIGN §3). Invited counts as standing for the grant: the mandate's window is still
# the invitation only, so the broker can answer it and see no more.
MAY_SCOPE_MANDATE = ("invited", *STANDING)


@dataclass(frozen=True)
class Viewer:
    """Who reads or acts, on which day (mandates expire), and an auditor's grants as
    recorded (None: every partnership)."""

    actor: Actor
    today: str
    grants: frozenset[str] | None = None


@dataclass(frozen=True)
class Membership:
    """One organisation's membership as recorded: its status and, once it has left, the
    point of its exit (the last event the former member sees)."""

    status: str
    exit: int | None = None


@dataclass(frozen=True)
class Facts:
    """What the rule needs to know of one partnership for one viewer: its partnership
    brokers, the memberships of the viewer's organisation and of every organisation whose
    mandate the viewer holds, and those mandates."""

    partnership_id: str
    brokers: frozenset[str] = frozenset()
    members: Mapping[str, Membership] = field(default_factory=dict)
    mandates: tuple[Mandate, ...] = ()


@dataclass(frozen=True)
class Window:
    """How much of one partnership a caller sees: its content (everything, or up to a cut),
    and the events of some organisations' own invitations."""

    content: bool = False
    until: int | None = None  # with content: the last point seen; None: no cut
    invitations: frozenset[str] = frozenset()

    @property
    def visible(self) -> bool:
        """The partnership exists for this caller (a foreign id is a 404)."""
        return self.content or bool(self.invitations)

    @property
    def current(self) -> bool:
        """The caller sees the partnership as it is now (not as it was at an exit)."""
        return self.content and self.until is None

    def reaches(self, point: int) -> bool:
        """Content recorded at `point` is inside the window."""
        return self.content and (self.until is None or point <= self.until)

    def sees(self, point: int, data: Mapping[str, Any]) -> bool:
        """An event of the partnership at `point` with public `data`."""
        return self.reaches(point) or any(invitation_of(data, o) for o in self.invitations)

    def sees_invitation(self, organisation_id: str) -> bool:
        return self.current or organisation_id in self.invitations

    def __or__(self, other: Window) -> Window:
        """What a broker sees under several organisations' mandates: the union."""
        if self.current or other.current:
            until = None
        else:
            until = max(
                (w.until for w in (self, other) if w.content and w.until is not None), default=None
            )
        return Window(
            content=self.content or other.content,
            until=until,
            invitations=self.invitations | other.invitations,
        )


ALL = Window(content=True)
NONE = Window()


def invitation_of(data: Mapping[str, Any], organisation_id: str) -> bool:
    """Whether an event's data is about this organisation's membership (its invitation,
    its answer): the only events an invited or declined organisation sees."""
    membership = data.get("membership")
    return data.get("org_id") == organisation_id or (
        isinstance(membership, dict) and membership.get("organisation") == organisation_id
    )


def membership_window(organisation_id: str, membership: Membership | None) -> Window:
    """What an organisation sees of a partnership through its own membership."""
    if membership is None:
        return NONE
    if membership.status in STANDING:
        return ALL
    if membership.status in DEPARTED:
        # Fails closed: a former member whose exit the facts do not place sees nothing.
        return NONE if membership.exit is None else Window(content=True, until=membership.exit)
    if membership.status in INVITED:
        return Window(invitations=frozenset({organisation_id}))
    return NONE


def window(viewer: Viewer, facts: Facts) -> Window:
    """The caller's window on one partnership (DESIGN §3 visibility table)."""
    actor = viewer.actor
    if actor.role == "admin":
        return ALL
    if actor.role == "auditor":
        granted = viewer.grants is None or facts.partnership_id in viewer.grants
        return ALL if granted else NONE
    if actor.role == "partner" and actor.organisation_id is not None:
        org = actor.organisation_id
        return membership_window(org, facts.members.get(org))
    if actor.role == "broker":
        if actor.id in facts.brokers:
            return ALL
        # Under a mandate from O, exactly what O sees; under several, their union.
        seen = NONE
        for mandate in facts.mandates:
            if mandate.live(actor.id, facts.partnership_id, viewer.today):
                org = mandate.organisation_id
                seen = seen | membership_window(org, facts.members.get(org))
        return seen
    return NONE


def sees_commitment(win: Window, existed_at: Callable[[int], bool]) -> bool:
    """A commitment is seen where its partnership's content is; through a cut window only
    if it existed at the cut (and then in its state at the cut)."""
    if not win.content:
        return False
    return win.until is None or existed_at(win.until)


def may_scope_mandate(membership: Membership | None) -> bool:
    """Whether an organisation may grant a mandate for this one partnership."""
    return membership is not None and membership.status in MAY_SCOPE_MANDATE


def sees_mandate(viewer: Viewer, mandate: Mandate, window_on: Callable[[str], Window]) -> bool:
    """DESIGN §3 mandates row: admins all; a broker its own; a partner its organisation's
    and those for partnerships whose content it sees; an auditor those of its grants."""
    actor, scope = viewer.actor, mandate.partnership_id
    if actor.role == "admin":
        return True
    if actor.role == "broker":
        return mandate.broker_id == actor.id
    if actor.role == "partner":
        own = mandate.organisation_id == actor.organisation_id
        return own or (scope is not None and window_on(scope).content)
    if actor.role == "auditor":
        return scope is not None and (viewer.grants is None or scope in viewer.grants)
    return False


def sees_practice(actor: Actor | None, audience: str) -> bool:
    """DESIGN §8: a published practice (its fields, figures and the leaves it cites) is
    read by every signed-in actor, and without signing in where its decision said so."""
    return actor is not None or audience == "anyone"


def sees_exchange(asker: Window, owner: Window, point: int | None = None) -> bool:
    """A learning exchange is seen by those who see the content of the asking or the
    answering partnership: as it stands now (`point` None), or its event at `point`."""
    if point is None:
        return asker.current or owner.current
    return asker.reaches(point) or owner.reaches(point)


def sees_actor(actor: Actor, actor_id: str) -> bool:
    """Actors, their role and grant events, tokens: admins everyone's, others their own."""
    return actor.role == "admin" or actor.id == actor_id


@dataclass(frozen=True)
class Ties:
    """How the caller stands to one organisation O, as recorded: a broker holding a live
    mandate from O (any scope); a broker that is a partnership broker of an open
    partnership where O is a member in standing; a partner whose organisation and O are
    both active members of one open partnership."""

    mandated: bool = False
    brokers_it: bool = False
    fellow: bool = False


def sees_contacts(actor: Actor, organisation_id: str, ties: Ties) -> bool:
    """DESIGN §3 contacts row (personal data): admins all; a broker O's under a mandate from
    O and those of organisations in partnerships it brokers; a partner its own and its
    fellow active members'; auditors none. Keeping them (adding, erasing) also needs the
    authority to amend O (`Organisation.check_amender`)."""
    if actor.role == "admin":
        return True
    if actor.role == "broker":
        return ties.mandated or ties.brokers_it
    if actor.role == "partner":
        return actor.organisation_id == organisation_id or ties.fellow
    return False
