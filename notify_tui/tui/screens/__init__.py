"""The terminal app's screens, one per file."""
