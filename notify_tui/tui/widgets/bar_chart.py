"""A horizontal bar chart in text: blocks with the number beside each bar.

Bars are drawn with "▇" and the rest of the scale with a faint "·", so the length reads
in any theme, on a monochrome terminal and in a screen reader's text; the number is
always printed, so colour and length never carry the meaning alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from notify_tui.views.charts import Bar

BAR = "▇"
SCALE = "·"


def bar_chart(bars: Sequence[Bar], width: int = 30) -> Text:
    """The bars one per line, labels padded to the longest."""
    chart = Text()
    label_width = max((len(bar.label) for bar in bars), default=0)
    for index, bar in enumerate(bars):
        filled = round(max(0.0, min(1.0, bar.fraction)) * width)
        if index:
            chart.append("\n")
        chart.append(f"{bar.label:<{label_width}}  ")
        chart.append(BAR * filled, style="bold")
        chart.append(SCALE * (width - filled), style="dim")
        chart.append(f"  {bar.number}")
    return chart
