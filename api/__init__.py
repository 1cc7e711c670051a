"""Entrypoints (CLI now, HTTP with the API issue): may import everything; nothing imports them."""
