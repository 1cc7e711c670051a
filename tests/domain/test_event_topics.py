"""Stored event topics are storage formats: moving or renaming a method is a migration.

The topic of an event is ``module:DefiningClass.EventName`` (the class whose method carries
``@event``; the creation event's topic names the concrete aggregate). This test pins every
topic the domain can write, so a refactoring that would strand stored events fails here
first; change the list only together with ``register_topic`` aliases or upcasters.
"""

from __future__ import annotations

from eventsourcing.domain import Aggregate, CommandMethodDecorator
from eventsourcing.utils import resolve_topic

from collab.domain.actor import ActorBinding
from collab.domain.commitment import Commitment
from collab.domain.exchange import Exchange
from collab.domain.lineage import Lineage
from collab.domain.organisation import IdentifierClaim, Organisation
from collab.domain.partnership import Partnership
from collab.domain.practice import Practice

P = "collab.domain.partnership"
# Topics an earlier shape of the partnership aggregate wrote (a chain of mixins, one module
# each): stored events keep them, so each must resolve to today's event class of that name.
LEGACY = {
    *(
        f"{P}.core:PartnershipCore.{n}"
        for n in (
            "BrokerAssigned",
            "DetailsCorrected",
            "Cancelled",
            "PartnershipRelated",
            "PracticeTransferred",
        )
    ),
    *(
        f"{P}.members:PartnershipMembers.{n}"
        for n in (
            "MemberInvited",
            "MemberJoined",
            "MemberDeclined",
            "MemberWithdrew",
            "BreachNotified",
            "CommitmentNoted",
            "CommitmentConfirmationNoted",
        )
    ),
    *(
        f"{P}.agreement:PartnershipAgreement.{n}"
        for n in (
            "VersionDrafted",
            "VersionOpenedForSignature",
            "AgreementSigned",
            "AgreementEnteredIntoForce",
            "AmendmentProposed",
            "AmendmentRejected",
        )
    ),
    *(
        f"{P}.governance:PartnershipGovernance.{n}"
        for n in (
            "DecisionRecorded",
            "Suspended",
            "Resumed",
            "MovingOnStarted",
            "Concluded",
            "Terminated",
            "MemberAdmitted",
            "MemberDeclaredDefaulting",
            "DefaultRemedied",
            "MemberRemoved",
        )
    ),
    *(
        f"{P}.plans:PartnershipPlans.{n}"
        for n in ("MilestoneSet", "IndicatorSet", "ResultReported")
    ),
}
PINNED = {
    f"{P}:Partnership.Initiated",
    *(f"{P}:Partnership.{topic.rsplit('.', 1)[1]}" for topic in LEGACY),
    f"{P}:Partnership.SettlementApplied",  # issue 15: a disputed delivery settled by decision
    f"{P}:Partnership.MembershipChanged",  # issue 15: terms of membership changed by decision
    f"{P}:Partnership.BrokerUnassigned",
    f"{P}:Partnership.ResultReportedForPeriod",  # issue 15: indicators report per period
    f"{P}:Partnership.ResultCorrected",
    # issue 15: notice, and effects the due-date processor records (invariant 8)
    *(f"{P}:Partnership.{n}" for n in ("MemberGaveNotice", "MemberExited", "RemedyPeriodEnded")),
    f"{P}:Partnership.PracticePublished",  # issue 16: a practice's version, by decision
    f"{P}:Partnership.DocumentAttached",  # issue 18: a document and what it documents
    f"{P}:Partnership.BudgetAdopted",  # issue 18: a budget version, by decision
    # issue 16: the network of learning (DESIGN §8)
    *(
        f"collab.domain.practice:Practice.{n}"
        for n in ("Published", "VersionPublished", "Withdrawn")
    ),
    *(f"collab.domain.lineage:Lineage.{n}" for n in ("LineageStarted", "PracticeAdopted")),
    *(
        f"collab.domain.exchange:Exchange.{n}"
        for n in ("ExchangeRequested", "ExchangeAnswered", "ExchangeDeclined")
    ),
    *(
        f"collab.domain.commitment:Commitment.{n}"
        for n in (
            "Pledged",
            "Confirmed",
            "DeliveryReported",
            "DeliveryConfirmed",
            "Fulfilled",
            "DeliveryDisputed",
            "DeliveryCorrected",
            "Withdrawn",
            "Lapsed",
            "Released",
            "ConfirmedDeliveryCorrected",
            "DeliveryCorrectionConfirmed",
            "DeliveryCorrectionDisputed",
            "DeliverySettled",
            "FulfilmentReopened",
            "RevisionProposed",
            "RevisionAgreed",
            "RevisionDeclined",
            "LapseProposed",
        )
    ),
    *(
        f"collab.domain.organisation:Organisation.{n}"
        for n in (
            "Registered",
            "DetailsCorrected",
            "Classified",
            "Deactivated",
            "MandateGranted",
            "MandateRevoked",
            "MandateEnded",  # issue 15: recorded by the due-date processor
        )
    ),
    "collab.domain.organisation:IdentifierClaim.Claimed",
    *(
        f"collab.domain.actor:ActorBinding.{n}"
        for n in ("Bound", "Disabled", "AuditGranted", "AuditGrantRemoved")
    ),
}


def written_topics(aggregate: type[Aggregate]) -> set[str]:
    topics = set()
    for klass in aggregate.__mro__:
        for name, attr in vars(klass).items():
            if isinstance(attr, CommandMethodDecorator):
                owner = aggregate if name == "__init__" else klass
                given = attr.given_event_cls  # an event class declared in the body
                name = given.__name__ if given is not None else attr.event_cls_name
                topics.add(f"{owner.__module__}:{owner.__qualname__}.{name}")
    return topics


def test_every_event_topic_the_domain_writes_is_pinned() -> None:
    topics = set().union(
        *(
            written_topics(a)
            for a in (
                Partnership,
                Commitment,
                Organisation,
                IdentifierClaim,
                ActorBinding,
                Practice,
                Lineage,
                Exchange,
            )
        )
    )
    assert topics == PINNED
    for topic in topics:
        assert issubclass(resolve_topic(topic), Aggregate.Event), topic


def test_every_topic_stored_under_an_earlier_shape_resolves_to_todays_class() -> None:
    for topic in LEGACY:
        name = topic.rsplit(".", 1)[1]
        assert resolve_topic(topic) is getattr(Partnership, name), topic
    # And the aggregate's own topic, which every stored creation event names
    assert resolve_topic(f"{P}:Partnership") is Partnership
