"""Indicators' reports: a figure per reporting period, corrected by events naming it."""
