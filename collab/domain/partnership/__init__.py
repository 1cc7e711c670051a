"""The partnership aggregate: one stream holding memberships, texts, signatures, decisions."""

from __future__ import annotations

from collab.domain.partnership.core import CLOSED, IN_FORCE, PRE_FORCE
from collab.domain.partnership.plans import PartnershipPlans


class Partnership(PartnershipPlans):
    """A local partnership that tackles an unmet social need together (DESIGN §2)."""


__all__ = ["CLOSED", "IN_FORCE", "PRE_FORCE", "Partnership"]
