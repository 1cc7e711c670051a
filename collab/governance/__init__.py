"""Governance: recorded decisions, the transitions and member decisions they allow,
breaches, plans and reported results."""
