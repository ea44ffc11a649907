"""Presenters: pure functions from what the services return to rows and labels.

No SQL and no Textual here, so the CLI, the app and the line mode show the same words.
"""
