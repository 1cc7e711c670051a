"""Proofs in the browser: what the verify control fetches (inclusion proof, checkpoint)."""

from __future__ import annotations

from web.frame import pages

blp = pages("proofs")
