"""Forms: draft a version, open it for signature, sign it; record a decision with votes."""

from __future__ import annotations

from web.frame import pages

blp = pages("forms_agreement")
