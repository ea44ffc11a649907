"""The report's words: period presets, scope labels and the one definition per figure."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from notify_tui.services.types import (
    ChildDeaths,
    DecisionsNotToNotify,
    DutyTimeliness,
    OpenDuties,
    Report,
    ReportPeriod,
    Timeliness,
)
from notify_tui.views.reports import (
    FIGURES,
    Figure,
    deaths_title,
    decisions_text,
    left_out_text,
    notification_rows,
    open_title,
    period_presets,
    period_text,
    preset_named,
    scope_label,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "reports.md"


def test_presets_on_the_first_of_december_name_their_dates() -> None:
    """On Tue 1 Dec 2026 "month to date" is one day and says so; last month is November."""
    presets = {p.key: p for p in period_presets(date(2026, 12, 1))}
    assert [p.describe() for p in presets.values()] == [
        "last month: 1-30 Nov 2026",
        "month to date: 1 Dec 2026 only",
        "last 12 months: 2 Dec 2025 to 1 Dec 2026",
    ]
    assert (presets["last_month"].start, presets["last_month"].end) == (
        date(2026, 11, 1),
        date(2026, 11, 30),
    )


@pytest.mark.parametrize(
    ("today", "last_month", "last_year_start"),
    [
        (date(2026, 1, 15), (date(2025, 12, 1), date(2025, 12, 31)), date(2025, 1, 16)),
        (date(2024, 3, 1), (date(2024, 2, 1), date(2024, 2, 29)), date(2023, 3, 2)),
        (date(2024, 2, 29), (date(2024, 1, 1), date(2024, 1, 31)), date(2023, 3, 1)),
    ],
)
def test_presets_across_year_ends_and_leap_days(
    today: date, last_month: tuple[date, date], last_year_start: date
) -> None:
    presets = {p.key: p for p in period_presets(today)}
    assert (presets["last_month"].start, presets["last_month"].end) == last_month
    assert (presets["month_to_date"].start, presets["month_to_date"].end) == (
        today.replace(day=1),
        today,
    )
    assert presets["last_12_months"].start == last_year_start
    assert presets["last_12_months"].end == today


def test_a_typed_period_is_named_only_when_it_is_a_preset() -> None:
    today = date(2026, 11, 23)
    assert preset_named(date(2026, 10, 1), date(2026, 10, 31), today) == "last month"
    assert preset_named(date(2026, 10, 1), date(2026, 10, 30), today) is None
    assert period_text(date(2026, 10, 1), date(2026, 10, 30)) == "1-30 Oct 2026"
    assert period_text(date(2026, 10, 1), date(2026, 11, 30)) == "1 Oct 2026 to 30 Nov 2026"


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("figure", FIGURES, ids=lambda figure: figure.key)
def test_each_definition_is_written_in_docs_reports_md(figure: Figure) -> None:
    """The screen's and the CLI's words for a figure are the docs' words, unchanged."""
    assert figure.definition in normalised(DOCS.read_text(encoding="utf-8"))


def test_each_figure_has_one_definition() -> None:
    assert len({figure.key for figure in FIGURES}) == len(FIGURES)
    docs = normalised(DOCS.read_text(encoding="utf-8"))
    for figure in FIGURES:
        assert docs.count(figure.definition) == 1


NONE = Timeliness(0, 0, 0, 0, 0, 0, 0, 0, None, None)


def a_report(la: str | None, las: tuple[str, ...], **changes: object) -> Report:
    values: dict[str, object] = {
        "period": ReportPeriod("2026-11-01", "2026-11-30"),
        "la": la,
        "las": las,
        "notifications": {
            "panel-notification": DutyTimeliness(
                all=Timeliness(
                    raised=3,
                    sent=2,
                    sent_within_deadline=1,
                    sent_late=1,
                    sent_without_date=0,
                    still_open=1,
                    withdrawn=0,
                    not_notifying=1,
                    share_within_deadline=0.5,
                    median_working_days_taken=5.5,
                ),  # fmt: skip
                by_la={org: NONE for org in las},
            )
        },
        "rapid_reviews": NONE,
        "local_reviews": NONE,
        "decisions_not_to_notify": DecisionsNotToNotify(1, ("SI-AAAA0000",)),
        "child_deaths": ChildDeaths(
            3, {"child_death": 2, "serious_incident": 1}, {"not yet categorised": 3}, {}
        ),
        "late_sends": (),
        "open": OpenDuties(5, 3, 4, 1, ()),
    }
    values.update(changes)
    return Report(**values)  # type: ignore[arg-type]


def test_one_las_rows_carry_its_name() -> None:
    """The issue: an LA's own rows were labelled "all LAs"."""
    own = a_report(None, ("Testshire",))
    chosen = a_report("Testshire", ("Testshire",))
    several = a_report(None, ("Northshire", "Southshire"))
    assert scope_label(own) == scope_label(chosen) == "Testshire"
    assert [(org, label) for _, org, label, _ in notification_rows(own)] == [(None, "Testshire")]
    assert [(org, label) for _, org, label, _ in notification_rows(several)] == [
        (None, "all LAs"),
        ("Northshire", "Northshire"),
        ("Southshire", "Southshire"),
    ]


def test_the_figures_in_words() -> None:
    figures = a_report(None, ("Testshire",))
    assert left_out_text(figures) == "Left out of raised: Panel notification 1 not notifying."
    assert decisions_text(figures) == "1 case decided not to notify the Panel: SI-AAAA0000"
    assert deaths_title(figures) == "Child deaths: 3 (2 logged as Child death, 1 as Incident)"
    assert open_title(figures) == (
        "Open duties now: 5 (as on the dashboard), of which overdue: 3; "
        "4 with a due date, 1 without one yet"
    )
