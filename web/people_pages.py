"""Explorer pages: people (being written)."""

from __future__ import annotations

from web.frame import pages

blp = pages("people_pages")
