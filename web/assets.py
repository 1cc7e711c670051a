"""The explorer's own static files, served from the package under cache-busting names.

`asset("collab.css")` is `/static/collab.<first 12 hex of its SHA-256>.css`: a browser
may keep it forever, and a changed file gets a new name. No CDN, no third-party copy.
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path

from flask import Blueprint, Flask, Response, abort

STATIC = Path(__file__).parent / "static"
FOREVER = 365 * 24 * 3600

blp = Blueprint("assets", __name__)


def fingerprints(folder: Path = STATIC) -> dict[str, str]:
    """Each file's name → its served name."""
    found = {}
    for path in sorted(folder.iterdir()):
        if path.is_file():
            tag = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            found[path.name] = f"{path.stem}.{tag}{path.suffix}"
    return found


NAMES = fingerprints()
FILES = {served: name for name, served in NAMES.items()}


def asset(name: str) -> str:
    return f"/static/{NAMES[name]}"


@blp.route("/static/<served>")
def static_file(served: str) -> Response:
    name = FILES.get(served)
    if name is None:
        abort(404)
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = Response((STATIC / name).read_bytes(), mimetype=kind)
    response.headers["Cache-Control"] = f"public, max-age={FOREVER}, immutable"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(blp)
    app.jinja_env.globals["asset"] = asset
