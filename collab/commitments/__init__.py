"""Commitments: pledged, confirmed, delivered, confirmed or disputed, withdrawn, lapsed."""
