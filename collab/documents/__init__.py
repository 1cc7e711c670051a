"""Documents: files kept by their SHA-256 outside the log, named by the events that carry
their hash (DESIGN §9)."""
