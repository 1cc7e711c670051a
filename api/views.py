"""TODO(helper): views resources."""

from __future__ import annotations

from api.http import Blueprint

blp = Blueprint("views", __name__, url_prefix="/v1", description=__doc__)
