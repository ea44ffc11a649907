"""The values a chart is drawn from (no Textual): the widget draws them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its length as a share of the full width (0 to 1), its number."""

    label: str
    fraction: float
    number: str
