"""The figures of `Session.report` as table rows and chart bars (no Textual, no SQL)."""

from __future__ import annotations

from datetime import date, timedelta

from notify_tui.domain import codes
from notify_tui.domain.dashboard import DUTY_LABELS
from notify_tui.services.types import Report, Timeliness
from notify_tui.views.charts import Bar

TIMELINESS_COLUMNS = ("raised", "sent", "within deadline", "share", "median working days")


def this_month(today: date) -> tuple[date, date]:
    """The first of this month to today."""
    return today.replace(day=1), today


def last_twelve_months(today: date) -> tuple[date, date]:
    """The twelve months ending today (a year ago tomorrow to today)."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return year_ago + timedelta(days=1), today


def share_text(value: float | None) -> str:
    """A share as a whole percentage, "-" when nothing was sent."""
    return "-" if value is None else f"{value:.0%}"


def number_text(value: float | None) -> str:
    """A number without trailing zeros, "-" when there is none."""
    return "-" if value is None else f"{value:g}"


def timeliness_cells(numbers: Timeliness) -> tuple[str, ...]:
    """raised, sent, within deadline, share, median: as the tables show them."""
    return (
        str(numbers.raised),
        str(numbers.sent),
        str(numbers.sent_within_deadline),
        share_text(numbers.share_within_deadline),
        number_text(numbers.median_working_days_taken),
    )


def duty_name(duty_id: str) -> str:
    """A duty id in words."""
    return DUTY_LABELS.get(duty_id, duty_id)


def notification_rows(figures: Report) -> list[tuple[str, str, tuple[str, ...]]]:
    """(duty id, LA or "all", cells) per duty: all LAs first, then each LA if several."""
    rows = []
    for duty_id, block in figures.notifications.items():
        rows.append((duty_id, "all", timeliness_cells(block.all)))
        if len(block.by_la) > 1:  # one LA's row would repeat the "all" row
            for org, numbers in block.by_la.items():
                rows.append((duty_id, org, timeliness_cells(numbers)))
    return rows


def share_bars(figures: Report) -> list[Bar]:
    """Share sent within deadline per notification duty (all LAs chosen)."""
    bars = []
    for duty_id, block in figures.notifications.items():
        numbers = block.all
        share = numbers.share_within_deadline
        number = (
            f"{share_text(share)} ({numbers.sent_within_deadline} of {numbers.sent} sent)"
            if share is not None
            else "- (none sent)"
        )
        bars.append(Bar(duty_name(duty_id), share or 0.0, number))
    return bars


def category_label(category: str) -> str:
    """A CDOP category id in words."""
    return codes.cdop_categories().get(category, category.replace("_", " "))


def death_bars(figures: Report) -> list[Bar]:
    """Child deaths per CDOP category, scaled to the largest."""
    by_category = figures.child_deaths.by_category
    largest = max(by_category.values(), default=0)
    return [
        Bar(category_label(category), count / largest if largest else 0.0, str(count))
        for category, count in by_category.items()
    ]
