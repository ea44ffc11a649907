"""The terminal app: the Textual app, its screens, modals and widgets."""
