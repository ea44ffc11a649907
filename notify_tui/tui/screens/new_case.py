"""Log a new case (or edit one): the whole national form of its kind, in the form's own
sections, checked as you type, beside the duties the facts raise."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Header, Input, Label, Static

from notify_tui.domain.dashboard import short_recipients
from notify_tui.domain.duty_states import PANEL_DUTY
from notify_tui.domain.models import MAX_NAMED_SUBJECTS, CaseKind
from notify_tui.domain.rules import calendar_for
from notify_tui.errors import NotifyError
from notify_tui.services.drafts import Draft
from notify_tui.services.session import Session
from notify_tui.services.types import CaseDetail
from notify_tui.tui.draft_keeper import DraftKeeper, DraftSaved, DraftSpec
from notify_tui.tui.modals.base import DraftAnswer, KeepDraftScreen
from notify_tui.tui.widgets.choice_box import ChoiceBox
from notify_tui.tui.widgets.field_row import FieldRow
from notify_tui.tui.widgets.key_footer import KeyFooter
from notify_tui.tui.widgets.own_keys import FormInput
from notify_tui.tui.widgets.toggles import StateCheckbox, YesNoBox
from notify_tui.views.dashboard import format_due
from notify_tui.views.new_case_form import (
    ENTRY_TITLES,
    FieldSpec,
    FormCheck,
    Section,
    changed_fields,
    check_form,
    draft_label,
    has_death_section,
    initial_values,
    key_of,
    key_of_widget,
    notifier_defaults,
    problem_name,
    sections,
    still_to_complete,
    values_from_case,
    widget_id,
    with_child,
    without_child,
)
from notify_tui.views.typed_values import ethnicity_matches

PREVIEW_DELAY = 0.15
"""Seconds typing must pause before the duties on the right are assessed again."""

FIXED_WHEN_NOT_INCIDENT = frozenset({"outcome"})
"""A death case's nature is fixed: the child died."""

TICKS_PER_ROW = {"abuse_kinds": 3, "death.jar": 2}
"""How many tick boxes share a line (the form is about 70 columns wide)."""

MESSAGE_KINDS = frozenset({"date", "time", "nhs", "ethnicity", "periods", "list"})
"""Fields that echo what they read or are checked on their own have a message beside
them; a rule that spans fields and lands on one without is said on the status line."""

MESSAGE_NAMES = frozenset(
    {"given_names", "family_name", "unborn", "looked_after", "care_leaver", "outcome",
     "stillbirth_or_planned_termination", "death.expected", "rationale"}
)  # fmt: skip
"""Fields with a message beside them besides those of `MESSAGE_KINDS`: required ones,
and those the case's cross-field rules name."""


class NewCaseScreen(Screen[str | None]):
    """The kind's form; dismisses with the case id saved (new or edited), or None.

    Given a stored case (`case`, as `Session.case_detail` returns it), the same form edits
    its facts: it starts from the case's values (every child), leaves out the threshold
    decision (the case screen's `d` records that), and saving records only the fields
    that changed. Given a `draft`, it reopens as it was when the draft was kept.

    What is typed is kept as a draft in the vault as it is typed (`DraftKeeper`); Escape
    with unsaved changes asks "keep as draft / discard / go back".
    """

    CSS_PATH = "new_case.tcss"
    AUTO_FOCUS = f"#{widget_id('c1.given_names')}"
    """The first child's given names (focusing the form's scroll area first, as the app's
    default would, restyled the whole form twice)."""
    BINDINGS = [
        Binding("ctrl+s", "save", "Save case", id="new_case.save", show=True),
        Binding("escape", "cancel", "Cancel", id="new_case.cancel", show=True),
        Binding("ctrl+n", "add_child", "Add a child", id="new_case.add_child", show=True),
        Binding("tab", "app.focus_next", "Next field", id="new_case.next", show=False,
                priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous field", id="new_case.previous",
                show=False, priority=True),
    ]  # fmt: skip
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | ctrl+s | new_case.save | save the case (and the threshold decision, if given) |
    | escape | new_case.cancel | close; with unsaved changes, ask: keep as draft, discard, go back |
    | ctrl+n | new_case.add_child | add a child (the national form holds four) |
    | tab | new_case.next | the next field |
    | shift+tab | new_case.previous | the previous field |
    | enter | (ethnicity box) | take the first DfE code that matches what is typed |

    Tab is a priority binding: the focus moves as soon as the key is read, so what is
    typed after it lands in the next field however fast it is typed.
    """

    def __init__(
        self,
        session: Session,
        kind: str | CaseKind,
        case: CaseDetail | None = None,
        *,
        draft: Draft | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.kind = CaseKind(kind)
        self.today: date = session.today()
        self.case_id: str | None = case.id if case is not None else None
        if draft is not None and draft.summary.case_id is not None:
            self.case_id = draft.summary.case_id
        identity = session.identity
        if self.case_id is None:
            self.initial = initial_values(
                self.kind, self.today, notifier_defaults(session.user_name, identity.org)
            )
        elif draft is not None and isinstance(draft.context.get("initial"), Mapping):
            self.initial = dict(draft.context["initial"])
        else:
            assert case is not None  # an edit is opened from a case or from its draft
            self.initial = values_from_case(self.kind, case.document, self.today)
        self.values: dict[str, Any] = dict(self.initial)
        if draft is not None:
            self.values.update(draft.values)
        self.touched: set[str] = set(draft.values) if draft is not None else set()
        self.show_all_errors = False
        self.check = FormCheck({}, {}, None, None)
        self.death_shown = has_death_section(self.kind, self.values)
        self._preview_timer: Timer | None = None
        self._shown: dict[str, tuple[str, bool]] = {}
        self.message_keys: set[str] = set()
        """The fields with a message beside them (the others' problems go on the status
        line)."""
        self.draft_keeper = DraftKeeper(
            self,
            DraftSpec(
                session,
                "new_case" if self.case_id is None else "edit_case",
                ENTRY_TITLES[self.kind] if self.case_id is None else f"Edit facts: {self.case_id}",
                case_id=self.case_id,
                context={"kind": self.kind.value}
                if self.case_id is None
                else {"kind": self.kind.value, "initial": self.initial},
                resume=draft,
            ),
            self.live_values,
            draft_label,
        )

    # -- building ------------------------------------------------------------------

    @property
    def child_count(self) -> int:
        """How many children the form holds."""
        return int(self.values.get("children", 1))

    def _field(self, spec: FieldSpec, key: str) -> Widget:
        value = self.values.get(key)
        fixed = self.kind is not CaseKind.serious_incident and key in FIXED_WHEN_NOT_INCIDENT
        if spec.kind == "yes_no":
            return YesNoBox(bool(value), id=widget_id(key), compact=True)
        if spec.kind == "tick":
            return StateCheckbox(spec.label, bool(value), id=widget_id(key), compact=True)
        if spec.kind == "choice":
            chosen = str(value) if isinstance(value, str) else None
            return ChoiceBox(spec.choices, chosen, id=widget_id(key), disabled=fixed)
        return FormInput(
            str(value or ""),
            placeholder=spec.placeholder,
            id=widget_id(key),
            max_length=spec.max_length,
            compact=True,
        )

    def _rows(self, section: Section) -> list[Widget]:
        rows: list[Widget] = []
        ticks: list[Widget] = []
        tick_group = ""
        for spec in section.fields:
            key = key_of(spec, section.child)
            if spec.kind == "tick":
                group = key.rsplit(".", 1)[0]
                if ticks and group != tick_group:
                    rows.append(self._tick_row(tick_group, ticks))
                    ticks = []
                tick_group = group
                ticks.append(self._field(spec, key))
                continue
            if ticks:
                rows.append(self._tick_row(tick_group, ticks))
                ticks = []
            classes = "field-row"
            if spec.kind in MESSAGE_KINDS or spec.name in MESSAGE_NAMES:
                classes += " has-message"
                self.message_keys.add(key)
            row_id = f"row-{widget_id(key).removeprefix('f-')}"
            rows.append(FieldRow(spec.label, self._field(spec, key), id=row_id, classes=classes))
        if ticks:
            rows.append(self._tick_row(tick_group, ticks))
        return rows

    def _tick_row(self, group: str, ticks: list[Widget]) -> Widget:
        label = {"abuse_kinds": "Kinds", "death.jar": "Joint agency"}.get(group, group)
        row_id = group.replace(".", "--")
        per_row = TICKS_PER_ROW.get(group, 3)
        lines = [
            Horizontal(
                Label(label if start == 0 else "", classes="field-label"),
                *ticks[start : start + per_row],
                classes="tick-row",
            )
            for start in range(0, len(ticks), per_row)
        ]
        return Vertical(*lines, classes="tick-rows", id=f"row-{row_id}")

    def _section(self, section: Section) -> Vertical:
        parts: list[Widget] = [Static(f"[b]{section.title}[/b]", classes="section")]
        if section.child is not None and self.child_count > 1:
            parts.append(
                Button(
                    f"Remove child {section.child}",
                    id=f"remove-child{section.child}",
                    classes="remove-child",
                    compact=True,
                )
            )
        parts += self._rows(section)
        return Vertical(*parts, id=f"section-{section.id}", classes="form-section")

    def _sections(self) -> list[Section]:
        return sections(
            self.kind, self.child_count, editing=self.case_id is not None, death=self.death_shown
        )

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="new-case"):
            with VerticalScroll(id="form"):
                # Every section at once: mounting those below the first screenful after
                # the first paint cost a second layout and paint of the whole form, and
                # drew nothing sooner in a terminal (bench_screens.py).
                for section in self._sections():
                    yield self._section(section)
                    if section.id == f"child{self.child_count}":
                        yield self._add_child_button()
                yield Static(id="form-status")
                yield Static(id="draft-status")
                with Horizontal(id="form-buttons"):
                    label = "Save case" if self.case_id is None else "Save changes"
                    yield Button(label, variant="primary", id="save")
                    yield Button("Cancel", id="cancel")
            with VerticalScroll(id="assessment"):
                yield Static("[b]Duties these facts raise[/b]", classes="section")
                yield Static(id="duties-preview")
        yield KeyFooter()

    def _add_child_button(self) -> Button:
        button = Button(
            f"Add a child (ctrl+n; {self.child_count} of {MAX_NAMED_SUBJECTS})",
            id="add-child",
            compact=True,
        )
        button.display = self.child_count < MAX_NAMED_SUBJECTS
        return button

    def on_mount(self) -> None:
        self.title = (
            ENTRY_TITLES[self.kind] if self.case_id is None else f"Edit case {self.case_id}"
        )
        self.sub_title = f"today {format_due(self.today)}"
        self.draft_keeper.start(self.initial)
        self._show_parts()
        self.revalidate()
        self.query_one(f"#{widget_id('c1.given_names')}", Input).focus()
        self._preview()

    # -- values --------------------------------------------------------------------

    def live_values(self) -> dict[str, Any]:
        """The values as the fields hold them this instant (what a draft keeps): a key
        typed just before a lock is in its field before its change reaches the screen."""
        values = dict(self.values)
        if self.is_mounted:
            for widget in self.query("Input, Checkbox, ChoiceBox"):
                key = key_of_widget(widget.id or "")
                if key is not None and key in values:
                    values[key] = widget.value  # type: ignore[attr-defined]
        return values

    def _set(self, widget: str | None, value: Any) -> None:
        key = key_of_widget(widget or "")
        if key is None or self.values.get(key) == value:
            return
        self.values[key] = value
        self.touched.add(key)
        if key == "decision":
            # Choosing a decision makes the rationale due: say so at once.
            self.touched.add("rationale")
        if key == "outcome" or key.endswith(".outcome") or key == "abuse_or_neglect":
            self._show_parts()
        self.revalidate()
        self._preview_soon()
        self.draft_keeper.changed()

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        self._set(event.input.id, event.value)

    @on(Checkbox.Changed)
    def _checkbox_changed(self, event: Checkbox.Changed) -> None:
        self._set(event.checkbox.id, event.value)

    @on(ChoiceBox.Changed)
    def _choice_changed(self, event: ChoiceBox.Changed) -> None:
        self._set(event.choice_box.id, event.value)

    @on(Input.Submitted)
    def _pick_ethnicity(self, event: Input.Submitted) -> None:
        """Enter in an ethnicity box takes the first DfE code that matches."""
        key = key_of_widget(event.input.id or "") or ""
        if not key.endswith(".ethnicity"):
            return
        matches = ethnicity_matches(event.value)
        if event.value.strip() and matches:
            event.input.value = matches[0][0]

    @on(DraftSaved)
    def _draft_saved(self) -> None:
        self.query_one("#draft-status", Static).update(
            "Draft kept in the vault as you type (open it again from the dashboard with d)"
        )

    # -- parts shown ---------------------------------------------------------------

    def _show_parts(self) -> None:
        """Show the abuse kinds while abuse or neglect is known or suspected, the
        stillbirth question for a death, and the CDOP questions once a child died."""
        abuse = self.values.get("abuse_or_neglect") != "none"
        for row in self.query("#row-abuse_kinds"):
            row.display = abuse
        stillbirth = self.query(f"#row-{widget_id('stillbirth_or_planned_termination')[2:]}")
        for row in stillbirth:
            row.display = self.values.get("outcome") == "died"
        wanted = has_death_section(self.kind, self.values)
        if wanted and not self.death_shown:
            self.death_shown = True
            death = next(s for s in self._sections() if s.id == "death")
            self.query_one("#form", VerticalScroll).mount(
                self._section(death), after=self.query_one("#section-incident")
            )
        for part in self.query("#section-death"):
            part.display = wanted

    async def action_add_child(self) -> None:
        """Add a child to the form (up to the national form's four)."""
        if self.child_count >= MAX_NAMED_SUBJECTS:
            self.notify("The national form holds four children: use Other children.")
            return
        self.values = with_child(self.kind, self.values)
        await self._rebuild_children()
        self.query_one(f"#{widget_id(f'c{self.child_count}.given_names')}", Input).focus()
        self.revalidate()
        self._preview_soon()
        self.draft_keeper.changed()

    @on(Button.Pressed, "#add-child")
    async def _add_child_pressed(self) -> None:
        await self.action_add_child()

    @on(Button.Pressed, ".remove-child")
    async def _remove_child(self, event: Button.Pressed) -> None:
        number = int((event.button.id or "remove-child1").removeprefix("remove-child"))
        self.values = without_child(self.kind, self.values, number)
        self.touched = {k for k in self.touched if not k.startswith("c")}
        await self._rebuild_children()
        self.query_one(f"#{widget_id('c1.given_names')}", Input).focus()
        self.revalidate()
        self._preview_soon()
        self.draft_keeper.changed()

    async def _rebuild_children(self) -> None:
        """Mount the children's sections again from the values (after adding or removing)."""
        form = self.query_one("#form", VerticalScroll)
        for old in self.query(".form-section"):
            if (old.id or "").startswith("section-child"):
                await old.remove()
        await self.query_one("#add-child").remove()
        children = [s for s in self._sections() if s.child is not None]
        anchor = self.query_one("#section-notifier")
        for section in children:
            widget = self._section(section)
            await form.mount(widget, after=anchor)
            anchor = widget
        await form.mount(self._add_child_button(), after=anchor)
        self._shown = {key: shown for key, shown in self._shown.items() if not key.startswith("c")}

    # -- validating ----------------------------------------------------------------

    def revalidate(self) -> None:
        """Check the form and show each field's problem (or its echo) beside it."""
        self.check = check_form(self.kind, self.values, self.today)
        for row in self.query(".has-message").results(FieldRow):
            key = key_of_widget("f-" + (row.id or "").removeprefix("row-")) or ""
            problem = self.check.errors.get(key, "")
            shown = problem if (self.show_all_errors or key in self.touched) else ""
            text = shown or self.check.hints.get(key, "")
            if self._shown.get(key) != (text, bool(shown)):
                # Only a message that changed is redrawn: a keystroke changes one or two.
                self._shown[key] = (text, bool(shown))
                row.show_message(text, error=bool(shown))
        status = self.query_one("#form-status", Static)
        if self.check.ok:
            status.update("Ready to save (ctrl+s).")
            return
        names = still_to_complete(self.kind, self.values, self.check.errors)
        elsewhere = [
            f"{problem_name(self.kind, self.values, key)}: {problem}"
            for key, problem in self.check.errors.items()
            if key not in self.message_keys
        ]
        lead = "".join(f"Problem: {line}\n" for line in elsewhere)
        status.update(escape(f"{lead}Still to complete: {', '.join(names)}"))

    def _preview_soon(self) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(PREVIEW_DELAY, self._preview, name="preview")

    def _offer_decision(self, offered: bool) -> None:
        """Show the threshold decision only while there is a Panel duty to decide on; a
        decision chosen before the facts changed is dropped, not saved unseen."""
        for widget in self.query("#section-decision"):
            widget.display = offered
        if self.case_id is not None:
            return
        if not offered and self.values.get("decision", "undecided") != "undecided":
            self.values["decision"] = "undecided"
            self.query_one(f"#{widget_id('decision')}", ChoiceBox).value = "undecided"
            self.revalidate()

    def _preview(self) -> None:
        self._preview_timer = None
        preview = self.query_one("#duties-preview", Static)
        if self.check.preview is None:
            self._offer_decision(self.kind is CaseKind.serious_incident)
            preview.update("The duties appear here once the dates are filled in.")
            return
        try:
            assessment = self.session.assess_facts(self.check.preview)
        except NotifyError as error:
            preview.update(f"Not assessed yet: {escape(error.message)}")
            return
        self._offer_decision(any(duty.id == PANEL_DUTY for duty in assessment.duties))
        lines: list[str] = []
        for duty in assessment.duties:
            if duty.due is None:
                due = "due date set once its start is known"
            else:
                calendar = calendar_for(duty.clock, self.session.local_calendar)
                left = calendar.working_days_left(self.today, duty.due)
                when = "OVERDUE" if left < 0 else ("DUE TODAY" if left == 0 else f"{left} left")
                due = f"due {format_due(duty.due)} ({when})"
            lines.append(f"[b]{escape(duty.title)}[/b]")
            lines.append(f"  to {escape(short_recipients(duty.recipients))} · {due}")
            lines.append(f"  {escape(duty.deadline)}")
            lines.extend(f"  • {escape(reason)}" for reason in duty.reasons)
            lines.append("")
        if not assessment.duties:
            lines.append("No duty: these facts do not require a notification.")
        for advisory in assessment.advisories:
            lines.append(f"Advisory: {escape(advisory)}")
        lines.append(f"\nRule pack {assessment.rulepack}")
        preview.update("\n".join(lines))

    # -- saving --------------------------------------------------------------------

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        """Save the case, then the threshold decision when one was given."""
        self.show_all_errors = True
        self.revalidate()
        if not self.check.ok or self.check.document is None:
            first = next(iter(self.check.errors), "form")
            target = self.query(f"#{widget_id(first)}")
            if target:
                target.first().focus()
            self.notify(
                f"{len(self.check.errors)} problem(s): see the messages beside the fields.",
                title="Not saved",
                severity="warning",
            )
            return
        if self.case_id is not None:
            self._save_changes(self.case_id)
            return
        try:
            case_id = self.session.create_case(self.check.document)
        except NotifyError as error:
            self.notify(error.message, title="Not saved", severity="error")
            return
        self.draft_keeper.forget()
        decision = self.values.get("decision", "undecided")
        if decision != "undecided":
            try:
                self.session.decide(
                    case_id, notify=decision == "notify", rationale=self.values["rationale"]
                )
            except NotifyError as error:
                self.notify(f"Case saved, decision not recorded: {error.message}", severity="error")
        self.dismiss(case_id)

    def _save_changes(self, case_id: str) -> None:
        changes = changed_fields(self.kind, self.initial, self.values, self.today)
        if not changes:
            self.draft_keeper.forget()
            self.notify("Nothing changed.", title="Not saved")
            self.dismiss(None)
            return
        try:
            self.session.edit_case(case_id, changes)
        except NotifyError as error:
            self.notify(error.message, title="Not saved", severity="error")
            return
        self.draft_keeper.forget()
        self.dismiss(case_id)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without saving; with unsaved changes, ask what to do with them."""
        if self.draft_keeper.dirty:
            self.app.push_screen(KeepDraftScreen(self.title or "the form"), self._answered)
            return
        self.draft_keeper.forget()
        self.dismiss(None)

    def _answered(self, answer: DraftAnswer | None) -> None:
        if answer == "keep":
            self.draft_keeper.flush()
            self.notify("Kept as a draft: open it from the dashboard (d).", title="Draft kept")
        elif answer == "discard":
            self.draft_keeper.forget()
        else:
            return
        self.dismiss(None)
