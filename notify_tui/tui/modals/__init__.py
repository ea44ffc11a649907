"""Modal dialogs: each asks one thing and dismisses with a typed value."""
