"""The organisation register: registration, corrections, classification, mandates, contacts."""
