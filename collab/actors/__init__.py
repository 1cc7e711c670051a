"""Actors: role bindings and auditors' grants, as events with ids only (DESIGN §3)."""
