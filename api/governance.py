"""TODO(helper): governance resources."""

from __future__ import annotations

from api.http import Blueprint

blp = Blueprint("governance", __name__, url_prefix="/v1", description=__doc__)
