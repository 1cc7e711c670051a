"""Forms: start a partnership, invite, join or decline, withdraw."""

from __future__ import annotations

from web.frame import pages

blp = pages("forms_membership")
