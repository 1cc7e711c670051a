"""Agreement texts: drafted, opened for signature, signed by hash, amended or rejected."""
