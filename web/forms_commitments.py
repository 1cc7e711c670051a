"""Forms: pledge, confirm, report, confirm, dispute and correct deliveries."""

from __future__ import annotations

from web.frame import pages

blp = pages("forms_commitments")
