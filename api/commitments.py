"""TODO(helper): commitments resources."""

from __future__ import annotations

from api.http import Blueprint

blp = Blueprint("commitments", __name__, url_prefix="/v1", description=__doc__)
