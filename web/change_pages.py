"""Seeing change: the diff between agreement versions, the commitments chart, the map."""

from __future__ import annotations

from web.frame import pages

blp = pages("change_pages")
