"""TODO(helper): events resources."""

from __future__ import annotations

from api.http import Blueprint

blp = Blueprint("events", __name__, url_prefix="/v1", description=__doc__)
