"""Stewardship of memberships after entry into force: a member's terms changed by a
decision, a partnership broker unassigned."""
