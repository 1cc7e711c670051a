"""Offline validators for the reports: IATI 2.03 (XSD and standard ruleset) and 360Giving."""
