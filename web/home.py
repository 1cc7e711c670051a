"""Home: what awaits the signed-in person first (DESIGN §7)."""

from __future__ import annotations

from web.frame import page, pages

blp = pages("home")


@blp.route("/", methods=["GET"])
def home() -> str:
    """The person's home page."""
    return page("home.html")
