"""Forms: register an organisation, grant and revoke mandates."""

from __future__ import annotations

from web.frame import pages

blp = pages("forms_organisations")
