"""Partnerships: initiation, who is in them, corrections, relations, transfers, cancelling."""
