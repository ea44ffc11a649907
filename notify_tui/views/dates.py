"""Dates as people type them into the app's forms (no Textual)."""

from __future__ import annotations

from datetime import date


def parse_day(text: str) -> date | None:
    """A YYYY-MM-DD date (spaces around it ignored), or None when it does not parse."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None
