"""Snapshots of every screen and modal, in the default and the high-contrast theme.

The demo vault (seed 7) on the frozen Monday 23 Nov 2026. Case ids come from a seeded
generator; what is random per vault (its folder, this device's id and key fingerprint)
is replaced with fixed words before the picture is taken. Update with
`--snapshot-update` only after looking at each changed picture (render the SVG, e.g.
with cairosvg, and check the text boxes show typed text, placeholders and prefilled
values, and that every state reads as words).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from notify_tui.demo.vault import DemoVault
from notify_tui.domain.people import LA_ROLES
from notify_tui.settings import Preferences
from notify_tui.tui.app import make_app
from notify_tui.tui.modals.add_user import AddUserScreen
from notify_tui.tui.modals.annual_report import AnnualReportScreen
from notify_tui.tui.modals.base import KeepDraftScreen
from notify_tui.tui.modals.confirm import ConfirmScreen
from notify_tui.tui.modals.office_step import OfficeStepScreen
from notify_tui.tui.modals.path_prompt import PathPromptScreen
from notify_tui.tui.screens.case_detail import CaseDetailScreen
from notify_tui.tui.screens.dashboard import DashboardScreen
from notify_tui.tui.screens.new_case import NewCaseScreen
from notify_tui.views.office import step_rows

SIZE = (120, 40)
THEMES = ["textual-dark", "high-contrast"]

Steps = Callable[[Pilot[None]], Awaitable[None]]


@pytest.fixture(autouse=True)
def no_drafts_left(demo: DemoVault) -> Iterator[None]:
    """A form typed into keeps a draft in the module's vault; the next picture (the
    dashboard's draft line, the drafts list) must not show it, in any test order."""
    yield
    for draft in demo.session.drafts.summaries():
        demo.session.drafts.discard(draft.id)


async def wait_for(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    """Pause until `condition` holds (the machine may be slow)."""
    for _ in range(200):
        if condition():
            return
        await pilot.pause(0.1)
    raise AssertionError("timed out waiting for the screen")


def themed(preferences: Preferences, theme: str) -> Preferences:
    display = preferences.display.model_copy(update={"theme": theme})
    return preferences.model_copy(update={"display": display})


async def no_blink(pilot: Pilot[None]) -> None:
    """Stop cursors blinking so every frame is the same."""
    await pilot.pause()
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def app_for(demo: DemoVault, theme: str):
    return make_app(demo.session, themed(demo.session.preferences, theme))


async def open_case(pilot: Pilot[None], case_id: str) -> CaseDetailScreen:
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, DashboardScreen)
    screen.open_case(case_id)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CaseDetailScreen))
    case_screen = pilot.app.screen
    assert isinstance(case_screen, CaseDetailScreen)
    return case_screen


async def new_form(pilot: Pilot[None], key: str) -> NewCaseScreen:
    await pilot.pause()
    await pilot.press(key)
    await wait_for(pilot, lambda: bool(pilot.app.screen.query("#f-linked_cases")))
    form = pilot.app.screen
    assert isinstance(form, NewCaseScreen)
    return form


async def show(pilot: Pilot[None], selector: str) -> None:
    """Focus a field and scroll the form to it at once (no animation: the same frame on
    every run)."""
    screen = pilot.app.screen
    field = screen.query_one(selector)
    field.focus(scroll_visible=False)
    screen.query_one("#form").scroll_to_widget(field, animate=False, top=True)
    await pilot.pause(0.3)
    await no_blink(pilot)


async def drafted(pilot: Pilot[None]) -> None:
    """Wait until the form says its draft is kept (it is written when typing pauses)."""
    status = pilot.app.screen.query_one("#draft-status", Static)
    await wait_for(pilot, lambda: bool(str(status.render())))


async def typed(pilot: Pilot[None], values: dict[str, str]) -> None:
    for key, value in values.items():
        pilot.app.screen.query_one(f"#{key}", Input).value = value
        await pilot.pause()


@pytest.mark.parametrize("theme", THEMES)
class TestDashboard:
    """The dashboard."""

    def test_open_duties(self, snap_compare, demo: DemoVault, theme: str) -> None:
        """Open duties soonest first, with counts and urgency words."""
        assert snap_compare(app_for(demo, theme), terminal_size=SIZE, run_before=no_blink)

    def test_done_duties_with_full_names(self, snap_compare, demo: DemoVault, theme: str) -> None:
        """`f` four times shows done duties; `v` shows full names."""

        async def run_before(pilot: Pilot[None]) -> None:
            await pilot.press("f", "f", "f", "f", "v")
            await no_blink(pilot)

        assert snap_compare(app_for(demo, theme), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("theme", THEMES)
class TestNewCase:
    """The new case forms: typed text, placeholders and prefilled values all show."""

    def test_serious_incident_half_filled(self, snap_compare, demo: DemoVault, theme: str) -> None:
        """Names typed, a date echoed in words, one that does not exist, an NHS number
        checked; the notifier prefilled; the status names what is still to complete."""

        async def run_before(pilot: Pilot[None]) -> None:
            await new_form(pilot, "n")
            await pilot.press(*"Ada", "tab", *"Snapshot-Fictional", "tab", "tab", *"29/02/2021")
            await typed(pilot, {"f-c1--nhs_number": "943 476 5919", "f-c1--ethnicity": "irish"})
            await drafted(pilot)
            await no_blink(pilot)

        assert snap_compare(app_for(demo, theme), terminal_size=SIZE, run_before=run_before)

    def test_serious_incident_what_happened(
        self, snap_compare, demo: DemoVault, theme: str
    ) -> None:
        """Scrolled to what happened: dates in words, the abuse kinds, duties on the right."""

        async def run_before(pilot: Pilot[None]) -> None:
            await new_form(pilot, "n")
            await typed(
                pilot,
                {"f-c1--given_names": "Ada", "f-c1--family_name": "Snapshot-Fictional",
                 "f-c1--date_of_birth": "01/02/2019", "f-event_date": "20/11/2026",
                 "f-event_time": "14:30", "f-place": "Flat 1 (fictional)"},
            )  # fmt: skip
            pilot.app.screen.query_one("#f-abuse_kinds--neglect").value = True
            await drafted(pilot)
            await show(pilot, "#f-event_date")

        assert snap_compare(app_for(demo, theme), terminal_size=SIZE, run_before=run_before)

    def test_child_death_form(self, snap_compare, demo: DemoVault, theme: str) -> None:
        """The child death form, at the CDOP / NCMD questions."""

        async def run_before(pilot: Pilot[None]) -> None:
            await new_form(pilot, "c")
            await show(pilot, "#f-death--expected")

        assert snap_compare(app_for(demo, theme), terminal_size=SIZE, run_before=run_before)

    def test_care_leaver_death_form(self, snap_compare, demo: DemoVault, theme: str) -> None:
        """The care leaver death form as it opens."""

        async def run_before(pilot: Pilot[None]) -> None:
            await new_form(pilot, "l")
            await no_blink(pilot)

        assert snap_compare(app_for(demo, theme), terminal_size=SIZE, run_before=run_before)

    def test_edit_form(self, snap_compare, demo: DemoVault, theme: str) -> None:
        """`e` on a case: the form prefilled with what the case holds."""

        async def run_before(pilot: Pilot[None]) -> None:
            await open_case(pilot, demo.ids["overdue"])
            await pilot.press("e")
            await wait_for(pilot, lambda: bool(pilot.app.screen.query("#f-linked_cases")))
            await pilot.pause(0.3)
            await no_blink(pilot)

        assert snap_compare(app_for(demo, theme), terminal_size=SIZE, run_before=run_before)

    def test_keep_as_draft_question(self, snap_compare, demo: DemoVault, theme: str) -> None:
        """Escape with something typed asks: keep as draft, discard or go back."""

        async def run_before(pilot: Pilot[None]) -> None:
            await new_form(pilot, "n")
            await pilot.press(*"Ada")
            await drafted(pilot)
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, KeepDraftScreen))
            await no_blink(pilot)

        try:
            assert snap_compare(app_for(demo, theme), terminal_size=SIZE, run_before=run_before)
        finally:
            for draft in demo.session.drafts.summaries():
                demo.session.drafts.discard(draft.id)


@pytest.mark.parametrize("theme", THEMES)
class TestCase:
    """A case, its dialogs and its submission view."""

    def test_overdue_case(self, snap_compare, demo: DemoVault, theme: str) -> None:
        """Duties with urgency words, the highlighted duty's reasons, the decision line."""

        async def run_before(pilot: Pilot[None]) -> None:
            await open_case(pilot, demo.ids["overdue"])
            await no_blink(pilot)

        assert snap_compare(app_for(demo, theme), terminal_size=SIZE, run_before=run_before)

    @pytest.mark.parametrize(
        ("key", "fill"),
        [
            pytest.param("s", {"reference": "NOTIF-123"}, id="mark_sent"),
            pytest.param("d", {"rationale": "Injuries explained; no abuse suspected."},
                         id="decide"),
            pytest.param("w", {"reason": "The child was not looked after after all."},
                         id="withdraw"),
            pytest.param("a", {"day": "yesterday"}, id="acknowledge"),
        ],
    )  # fmt: skip
    def test_dialog(
        self, snap_compare, demo: DemoVault, theme: str, key: str, fill: dict[str, str]
    ) -> None:
        """A dialog on the overdue case with something typed: the typed text shows."""

        async def run_before(pilot: Pilot[None]) -> None:
            case_screen = await open_case(pilot, demo.ids["overdue"])
            await pilot.press(key)
            await wait_for(pilot, lambda: pilot.app.screen is not case_screen)
            await typed(pilot, fill)
            await no_blink(pilot)

        try:
            assert snap_compare(app_for(demo, theme), terminal_size=SIZE, run_before=run_before)
        finally:
            for draft in demo.session.drafts.summaries():
                demo.session.drafts.discard(draft.id)

    def test_office_step_dialog(self, snap_compare, demo: DemoVault, theme: str) -> None:
        """The business office's step dialog (shown here over an LA's case)."""

        async def run_before(pilot: Pilot[None]) -> None:
            await open_case(pilot, demo.ids["overdue"])
            detail = demo.session.case_detail(demo.ids["overdue"])
            pilot.app.push_screen(
                OfficeStepScreen(detail.id, step_rows(detail), demo.session.today())
            )
            await pilot.pause()
            await no_blink(pilot)

        assert snap_compare(app_for(demo, theme), terminal_size=SIZE, run_before=run_before)

    def test_submission_view(self, snap_compare, demo: DemoVault, theme: str) -> None:
        """`v`: the national form's boxes in order, and what is still to complete."""

        async def run_before(pilot: Pilot[None]) -> None:
            await open_case(pilot, demo.ids["overdue"])
            await pilot.press("v")
            await pilot.pause()
            await no_blink(pilot)

        assert snap_compare(app_for(demo, theme), terminal_size=SIZE, run_before=run_before)

    def test_record_submission_dialog(self, snap_compare, demo: DemoVault, theme: str) -> None:
        """`s` on the submission view: the duties ticked, date and reference."""

        async def run_before(pilot: Pilot[None]) -> None:
            await open_case(pilot, demo.ids["overdue"])
            await pilot.press("v")
            await pilot.pause()
            await pilot.press("s")
            await pilot.pause()
            await typed(pilot, {"reference": "ONLINE-42"})
            await no_blink(pilot)

        try:
            assert snap_compare(app_for(demo, theme), terminal_size=SIZE, run_before=run_before)
        finally:
            for draft in demo.session.drafts.summaries():
                demo.session.drafts.discard(draft.id)


@pytest.mark.parametrize("theme", THEMES)
class TestOtherScreens:
    """The screens around the cases."""

    def test_drafts(self, snap_compare, demo: DemoVault, theme: str) -> None:
        """`d`: the drafts kept, what form, about what, how old."""
        session = demo.session
        draft_id = session.drafts.new_id()
        session.drafts.save(
            draft_id,
            form="new_case",
            title="New serious incident",
            label="child A.S.",
            context={"kind": "serious_incident"},
            values={"c1.given_names": "Ada"},
            revision=1,
        )

        async def run_before(pilot: Pilot[None]) -> None:
            await pilot.pause()
            await pilot.press("d")
            await pilot.pause()
            await no_blink(pilot)

        try:
            assert snap_compare(app_for(demo, theme), terminal_size=SIZE, run_before=run_before)
        finally:
            session.drafts.discard(draft_id)

    def test_reports(self, snap_compare, demo: DemoVault, theme: str) -> None:
        """`r`: figures by duty, share bars with numbers."""

        async def run_before(pilot: Pilot[None]) -> None:
            await pilot.pause()
            await pilot.press("r")
            await no_blink(pilot)

        assert snap_compare(app_for(demo, theme), terminal_size=SIZE, run_before=run_before)

    def test_settings(self, snap_compare, demo: DemoVault, theme: str) -> None:
        """The settings: passphrase, idle lock, closure days, theme, names, keys."""

        async def run_before(pilot: Pilot[None]) -> None:
            await pilot.pause()
            pilot.app.open_settings()
            await pilot.pause()
            await no_blink(pilot)

        assert snap_compare(app_for(demo, theme), terminal_size=SIZE, run_before=run_before)

    def test_users(self, snap_compare, demo: DemoVault, theme: str) -> None:
        """ "users: manage": who may unlock the vault, roles in words, who added them."""

        async def run_before(pilot: Pilot[None]) -> None:
            await pilot.pause()
            pilot.app.open_users()
            await pilot.pause()
            await no_blink(pilot)

        assert snap_compare(app_for(demo, theme), terminal_size=SIZE, run_before=run_before)

    def test_retention(self, snap_compare, demo: DemoVault, theme: str) -> None:
        """ "retention: what is due", with `a`: every case, its date or why it has none."""

        async def run_before(pilot: Pilot[None]) -> None:
            await pilot.pause()
            pilot.app.open_retention()
            await pilot.pause()
            await pilot.press("a")
            await no_blink(pilot)

        assert snap_compare(app_for(demo, theme), terminal_size=SIZE, run_before=run_before)

    def test_sync(self, snap_compare, demo: DemoVault, theme: str) -> None:
        """`y`: this device (its random id and fingerprint replaced) and its peers."""

        async def run_before(pilot: Pilot[None]) -> None:
            await pilot.pause()
            await pilot.press("y")
            await pilot.pause()
            device = pilot.app.screen.query_one("#this-device", Static)
            device.update("This device: (id and fingerprint differ per vault)")
            await no_blink(pilot)

        assert snap_compare(app_for(demo, theme), terminal_size=SIZE, run_before=run_before)

    @pytest.mark.parametrize(
        "dialog",
        [
            pytest.param(lambda today: AnnualReportScreen(today), id="annual_report"),
            pytest.param(lambda today: AddUserScreen(LA_ROLES), id="add_user"),
            pytest.param(
                lambda today: ConfirmScreen(
                    "Revoke peer", "Its bundles will be refused from now on.", "Revoke"
                ),
                id="confirm",
            ),
            pytest.param(
                lambda today: PathPromptScreen(
                    "Export bundles",
                    "Folder to write the bundles into",
                    "/outbox",
                    lambda text: None,
                    "Export",
                ),
                id="path_prompt",
            ),
        ],
    )
    def test_other_dialogs(self, snap_compare, demo: DemoVault, theme: str, dialog) -> None:
        """The yearly report, a confirmation and a folder prompt."""

        async def run_before(pilot: Pilot[None]) -> None:
            await pilot.pause()
            pilot.app.push_screen(dialog(demo.session.today()))
            await pilot.pause()
            await no_blink(pilot)

        assert snap_compare(app_for(demo, theme), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("theme", THEMES)
class TestLockedScreens:
    """Before the vault is open: the unlock screen and first-run setup."""

    def test_unlock(self, snap_compare, demo: DemoVault, theme: str) -> None:
        """The passphrase prompt (the demo shows its passphrase; the folder is fixed)."""
        app = make_app(None, themed(Preferences(), theme), home=demo.home, unlock_hint="Hint")

        async def run_before(pilot: Pilot[None]) -> None:
            await pilot.pause()
            pilot.app.screen.query_one("#unlock-vault", Static).update("Vault: /vault")
            await no_blink(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_setup(self, snap_compare, tmp_path: Path, theme: str) -> None:
        """First-run setup, half filled (the folder is fixed)."""
        app = make_app(None, themed(Preferences(), theme), home=tmp_path / "new")

        async def run_before(pilot: Pilot[None]) -> None:
            await pilot.pause()
            screen = pilot.app.screen
            screen.query(".muted").first(Static).update("Vault folder: /vault")
            await typed(pilot, {"org": "Northshire Council (fictional)", "author": "A. Lead"})
            await no_blink(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
