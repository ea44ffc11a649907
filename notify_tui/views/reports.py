"""The figures of `Session.report` as table rows, captions and chart bars (no Textual, no SQL).

`FIGURES` holds the one written definition of every figure: the Reports screen shows
it under the figure, `notify-tui report` prints it, and docs/reports.md carries the
same sentence (a test holds them together).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from notify_tui.domain import codes
from notify_tui.domain.dashboard import KIND_SHORT, duty_label
from notify_tui.domain.models import CaseKind
from notify_tui.services.types import LateSend, OpenDutyLine, Report, Timeliness
from notify_tui.views.charts import Bar

TIMELINESS_COLUMNS = ("raised", "sent", "on time", "late", "still open", "share", "median days")
"""The columns of the timeliness tables, after the duty (and LA) columns."""


@dataclass(frozen=True)
class Figure:
    """One figure of the report: its title and its one written definition."""

    key: str
    title: str
    definition: str


FIGURES = (
    Figure(
        "raised",
        "Raised",
        "Raised: required duties whose clock started in the period (for a notification, the "
        "day the LA became aware) and that are open, sent or acknowledged.",
    ),
    Figure(
        "sent",
        "Sent",
        "Sent: raised and marked sent or acknowledged (a review: completed by its office "
        "step); on time = sent on or before the due date, late = sent after it.",
    ),
    Figure(
        "still_open",
        "Still open",
        "Still open: raised and not yet sent, so raised = sent + still open and "
        "sent = on time + late (+ any acknowledged with no sent date, shown apart).",
    ),
    Figure(
        "share",
        "Share and median days",
        "Share: on time as a share of those sent with a sent date. Median days: the median "
        "of the working days from the clock's start (not counted) to the sent date (counted).",
    ),
    Figure(
        "left_out",
        "Left out of raised",
        "Left out of raised: duties started in the period that were withdrawn, or whose "
        "Panel notification or rapid review a decision not to notify closed.",
    ),
    Figure(
        "reviews",
        "Rapid reviews and local reviews",
        "Rapid reviews: started by the Panel notification, due 15 working days later, sent "
        "when sent to the Panel. Local reviews: started by the partners' decision, due 6 "
        "months later, sent when published.",
    ),
    Figure(
        "decisions_not_to_notify",
        "Decisions not to notify",
        "Decisions not to notify: cases whose Panel notification the threshold decision "
        "closed (status not notifying), the LA having become aware in the period.",
    ),
    Figure(
        "child_deaths",
        "Child deaths",
        "Child deaths: cases of any kind in which a child born alive died under 18 (not a "
        "stillbirth or planned termination), the date of death in the period.",
    ),
    Figure(
        "late_sends",
        "Sent late",
        "Sent late: the notifications and reviews counted above that were sent after their "
        "due date, with the working days late and the reason the LA gave.",
    ),
    Figure(
        "open",
        "Open duties now",
        "Open duties now: every duty still open today, whatever the period, as the "
        'dashboard\'s "open" filter counts them; overdue = due before today.',
    ),
)
"""Every figure of the report with its definition (the same words as docs/reports.md)."""

DEFINITIONS = {figure.key: figure.definition for figure in FIGURES}
"""A figure's key to its definition."""

NOTIFICATION_NOTES = ("raised", "sent", "still_open", "share")
"""The definitions shown under the notifications table."""


# -- the period ------------------------------------------------------------------------


def day_text(day: date) -> str:
    """A date as "1 Dec 2026"."""
    return f"{day.day} {day:%b %Y}"


def period_text(start: date, end: date) -> str:
    """A period in words, both ends included: "1-30 Nov 2026", "1 Dec 2026 only",
    "24 Nov 2025 to 23 Nov 2026"."""
    if start == end:
        return f"{day_text(start)} only"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}-{day_text(end)}"
    return f"{day_text(start)} to {day_text(end)}"


@dataclass(frozen=True)
class PeriodPreset:
    """A period the Reports screen offers on one key, with its dates for today."""

    key: str
    """`last_month`, `month_to_date` or `last_12_months`."""
    name: str
    start: date
    end: date

    def describe(self) -> str:
        """ "last month: 1-31 Oct 2026"."""
        return f"{self.name}: {period_text(self.start, self.end)}"


def last_month(today: date) -> tuple[date, date]:
    """The whole calendar month before today's."""
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def month_to_date(today: date) -> tuple[date, date]:
    """The first of this month to today (on the 1st: today only)."""
    return today.replace(day=1), today


def last_twelve_months(today: date) -> tuple[date, date]:
    """The twelve months ending today (a year ago tomorrow to today)."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return year_ago + timedelta(days=1), today


def period_presets(today: date) -> tuple[PeriodPreset, ...]:
    """The presets for today: last month, month to date, last 12 months."""
    return (
        PeriodPreset("last_month", "last month", *last_month(today)),
        PeriodPreset("month_to_date", "month to date", *month_to_date(today)),
        PeriodPreset("last_12_months", "last 12 months", *last_twelve_months(today)),
    )


def preset_named(start: date, end: date, today: date) -> str | None:
    """The name of the preset that is exactly this period today, if one is."""
    for preset in period_presets(today):
        if (preset.start, preset.end) == (start, end):
            return preset.name
    return None


def scope_label(figures: Report) -> str:
    """Whose figures these are: the LA chosen, the only LA held, or "all LAs"."""
    if figures.la is not None:
        return figures.la
    if len(figures.las) == 1:
        return figures.las[0]
    return "all LAs"


# -- cells -----------------------------------------------------------------------------


def share_text(value: float | None) -> str:
    """A share as a whole percentage, "-" when nothing was sent."""
    return "-" if value is None else f"{value:.0%}"


def number_text(value: float | None) -> str:
    """A number without trailing zeros, "-" when there is none."""
    return "-" if value is None else f"{value:g}"


def timeliness_cells(numbers: Timeliness) -> tuple[str, ...]:
    """raised, sent, on time, late, still open, share, median: as the tables show them."""
    return (
        str(numbers.raised),
        str(numbers.sent),
        str(numbers.sent_within_deadline),
        str(numbers.sent_late),
        str(numbers.still_open),
        share_text(numbers.share_within_deadline),
        number_text(numbers.median_working_days_taken),
    )


def duty_name(duty_id: str) -> str:
    """A duty id in words."""
    return duty_label(duty_id, duty_id)


def kind_name(kind: str) -> str:
    """A case kind in words."""
    return KIND_SHORT[CaseKind(kind)] if kind in CaseKind.__members__ else kind


def notification_rows(figures: Report) -> list[tuple[str, str | None, str, tuple[str, ...]]]:
    """(duty id, org, LA label, cells) per duty: the whole scope first (org None, labelled
    with the LA when there is one, else "all LAs"), then each LA when there are several."""
    scope = scope_label(figures)
    rows: list[tuple[str, str | None, str, tuple[str, ...]]] = []
    for duty_id, block in figures.notifications.items():
        rows.append((duty_id, None, scope, timeliness_cells(block.all)))
        if len(block.by_la) > 1:  # one LA's row would repeat the scope's row
            for org, numbers in block.by_la.items():
                rows.append((duty_id, org, org, timeliness_cells(numbers)))
    return rows


def left_out_text(figures: Report) -> str:
    """What the timeliness tables leave out of "raised" (and any sent with no date), in words."""
    left_out, undated = [], []
    blocks = [(duty_name(d), b.all) for d, b in figures.notifications.items()]
    blocks += [
        ("Rapid review", figures.rapid_reviews),
        ("LCSPR publication", figures.local_reviews),
    ]
    for name, numbers in blocks:
        if numbers.withdrawn:
            left_out.append(f"{name} {numbers.withdrawn} withdrawn")
        if numbers.not_notifying:
            left_out.append(f"{name} {numbers.not_notifying} not notifying")
        if numbers.sent_without_date:
            undated.append(f"{name} {numbers.sent_without_date}")
    text = "Left out of raised: " + ("; ".join(left_out) if left_out else "none") + "."
    if undated:
        text += " Acknowledged with no sent date (sent, neither on time nor late): "
        text += "; ".join(undated) + "."
    return text


def decisions_text(figures: Report) -> str:
    """ "1 case decided not to notify the Panel: SI-…"."""
    decisions = figures.decisions_not_to_notify
    noun = "case" if decisions.count == 1 else "cases"
    listed = f": {', '.join(decisions.cases)}" if decisions.cases else ""
    return f"{decisions.count} {noun} decided not to notify the Panel{listed}"


def deaths_title(figures: Report) -> str:
    """ "Child deaths: 24 (17 logged as Child death, 7 as Incident)"."""
    deaths = figures.child_deaths
    if not deaths.count:
        return "Child deaths: 0"
    kinds = sorted(deaths.by_kind.items(), key=lambda item: (-item[1], item[0]))
    logged = ", ".join(
        f"{count} logged as {kind_name(kind)}" if index == 0 else f"{count} as {kind_name(kind)}"
        for index, (kind, count) in enumerate(kinds)
    )
    return f"Child deaths: {deaths.count} ({logged})"


def late_reason_text(line: LateSend) -> str:
    """The LA's reason for the delay, or that none is recorded."""
    return line.reason or "no reason recorded"


def late_title(figures: Report) -> str:
    """ "Sent late: 2" ."""
    return f"Sent late: {len(figures.late_sends)}"


def open_title(figures: Report) -> str:
    """The open duties in one line, with what has no due date yet."""
    block = figures.open
    text = (
        f"Open duties now: {block.count} (as on the dashboard), of which overdue: "
        f"{block.overdue}; {block.with_due_date} with a due date"
    )
    if block.without_due_date:
        text += f", {block.without_due_date} without one yet"
    return text


OPEN_ROWS_SHOWN = 100
"""The open duties the reports screen lists (the soonest due); the count covers them all
and the dashboard's "open" filter lists every one."""


def open_more_text(figures: Report, shown: int = OPEN_ROWS_SHOWN) -> str:
    """What the open duties table leaves out, in one line ("" when it lists them all)."""
    count = figures.open.count
    if count <= shown:
        return ""
    return (
        f"Listed: the {shown} soonest due of {count}. The dashboard lists every open duty "
        "(status filter: open); `notify-tui report --json` gives them all."
    )


def open_left_text(line: OpenDutyLine) -> str:
    """Working days left, or why there is no due date."""
    if line.working_days_left is not None:
        return str(line.working_days_left)
    return "not required now" if not line.required else "clock not started"


# -- charts ----------------------------------------------------------------------------


def share_bars(figures: Report) -> list[Bar]:
    """Share sent within deadline per notification duty (the LAs chosen)."""
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
