"""Parse: raw message bytes become a plain ParsedMessage record (pure; no I/O)."""
