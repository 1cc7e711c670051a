"""TODO(helper): partnerships resources."""

from __future__ import annotations

from api.http import Blueprint

blp = Blueprint("partnerships", __name__, url_prefix="/v1", description=__doc__)
