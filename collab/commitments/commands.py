"""Commands on commitments; quantities and valuations are checked when built."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from collab.commands import Command
from collab.domain import codes, terms
from collab.domain import values as v
from collab.domain.errors import InvalidInputError
from collab.domain.terms import Period, Quantity, Valuation
from collab.partnerships.commands import OnPartnership


class OnCommitment(Command):
    commitment_id: str

    def check_commitment(self) -> None:
        self.normalise("commitment_id", v.identifier(self.commitment_id, "commitment_id"))


@dataclass(frozen=True)
class Pledge(OnPartnership):
    """A member organisation pledges a contribution to the pool or to another member."""

    NAME = "pledge"
    partnership_id: str
    contribution_type: str
    quantity: Quantity
    valuation: Valuation
    recipient: str = "pool"
    period: Period | None = None
    conditions: str | None = None

    def __post_init__(self) -> None:
        self.check_partnership()
        kind = v.choice(self.contribution_type, "contribution_type", codes.CONTRIBUTION_TYPES)
        self.normalise("quantity", terms.quantity(self.quantity, kind))
        self.normalise("valuation", terms.valuation(self.valuation))
        if kind == "cash":
            terms.cash_valuation(self.quantity, self.valuation)
        self.normalise("period", terms.optional_period(self.period))
        v.optional_text(self.conditions, "conditions", max_length=v.LONG)
        if self.recipient != "pool":
            self.normalise("recipient", v.identifier(self.recipient, "recipient"))


@dataclass(frozen=True)
class ConfirmCommitment(OnCommitment):
    """The committing member confirms its pledge; needs an agreement in force at commit."""

    NAME = "confirm_commitment"
    commitment_id: str

    def __post_init__(self) -> None:
        self.check_commitment()


@dataclass(frozen=True)
class WithdrawCommitment(ConfirmCommitment):
    """The committing member withdraws its commitment (a reason once confirmed)."""

    NAME = "withdraw_commitment"


@dataclass(frozen=True)
class MarkLapsed(ConfirmCommitment):
    """A partnership broker or the lead marks an unfulfilled commitment lapsed."""

    NAME = "mark_lapsed"


@dataclass(frozen=True)
class ReportDelivery(OnCommitment):
    """The committing member reports a delivery in the commitment's unit."""

    NAME = "report_delivery"
    commitment_id: str
    quantity: Decimal
    delivered_on: str
    note: str | None = None

    def __post_init__(self) -> None:
        self.check_commitment()
        self.normalise("quantity", v.decimal(self.quantity, "quantity", positive=True))
        v.iso_date(self.delivered_on, "delivered_on")
        v.optional_text(self.note, "note", max_length=v.LONG)


@dataclass(frozen=True)
class ConfirmDelivery(OnCommitment):
    """The recipient (for the pool, the lead) confirms a delivery; it counts."""

    NAME = "confirm_delivery"
    commitment_id: str
    delivery_id: str

    def __post_init__(self) -> None:
        self.check_commitment()
        self.normalise("delivery_id", v.identifier(self.delivery_id, "delivery_id"))


@dataclass(frozen=True)
class DisputeDelivery(ConfirmDelivery):
    """The recipient (for the pool, the lead) disputes a delivery, stating a reason."""

    NAME = "dispute_delivery"


@dataclass(frozen=True)
class CorrectDelivery(ReportDelivery):
    """The committing member corrects a delivery: a reported or disputed one to confirm
    anew; a confirmed one by a correction its recipient confirms (0 reverses it)."""

    NAME = "correct_delivery"
    delivery_id: str = field(kw_only=True)

    def __post_init__(self) -> None:
        self.check_commitment()
        self.normalise("quantity", v.decimal(self.quantity, "quantity"))
        v.iso_date(self.delivered_on, "delivered_on")
        v.optional_text(self.note, "note", max_length=v.LONG)
        self.normalise("delivery_id", v.identifier(self.delivery_id, "delivery_id"))


@dataclass(frozen=True)
class SettleDelivery(ConfirmDelivery):
    """A partnership broker or the lead applies a passed decision accepting or rejecting a
    disputed delivery or a disputed correction."""

    NAME = "settle_delivery"
    action: str = field(kw_only=True)
    decision_id: str = field(kw_only=True)

    def command_name(self) -> str:
        return self.action

    def __post_init__(self) -> None:
        super().__post_init__()
        v.choice(self.action, "action", codes.DELIVERY_SUBJECTS)
        self.normalise("decision_id", v.identifier(self.decision_id, "decision_id"))


@dataclass(frozen=True)
class ProposeRevision(OnCommitment):
    """The committing member proposes a new quantity and/or period, stating its reason;
    the commitment changes only when its recipient agrees."""

    NAME = "propose_revision"
    commitment_id: str
    quantity: Decimal | None = None
    period: Period | None = None

    def __post_init__(self) -> None:
        self.check_commitment()
        if self.quantity is not None:
            self.normalise("quantity", v.decimal(self.quantity, "quantity", positive=True))
        self.normalise("period", terms.optional_period(self.period))
        if self.quantity is None and self.period is None:
            raise InvalidInputError("quantity", "a revision changes the quantity or the period")


@dataclass(frozen=True)
class AgreeRevision(OnCommitment):
    """The recipient (for the pool, the lead) agrees to a proposed revision."""

    NAME = "agree_revision"
    commitment_id: str
    revision_id: str

    def __post_init__(self) -> None:
        self.check_commitment()
        self.normalise("revision_id", v.identifier(self.revision_id, "revision_id"))


@dataclass(frozen=True)
class DeclineRevision(AgreeRevision):
    """The recipient (for the pool, the lead) declines a proposed revision."""

    NAME = "decline_revision"
