"""Log a new case: a form validated as you type, beside the duties the facts raise."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, Select, Static

from notify_tui.domain.dashboard import short_recipients
from notify_tui.domain.duty_states import PANEL_DUTY
from notify_tui.domain.models import CaseKind
from notify_tui.domain.rules import calendar_for
from notify_tui.errors import NotifyError
from notify_tui.services.session import Session
from notify_tui.services.types import CaseDetail
from notify_tui.views.dashboard import format_due
from notify_tui.views.new_case_form import (
    ENTRY_TITLES,
    FormCheck,
    changed_fields,
    check_form,
    form_subject,
    initial_values,
    values_from_case,
)

SEX = [("Unknown / not given", "U"), ("Female", "F"), ("Male", "M")]
OUTCOMES = [("Died", "died"), ("Seriously harmed", "seriously_harmed"), ("Other", "other")]
ABUSE = [("Known", "known"), ("Suspected", "suspected"), ("None known or suspected", "none")]
LOCATIONS = [
    ("In our area", "in_area"),
    ("Elsewhere in England", "elsewhere_in_england"),
    ("Outside England", "outside_england"),
]
DECISIONS = [
    ("Not decided yet", "undecided"),
    ("Notify: threshold met", "notify"),
    ("Do not notify: threshold not met", "no_notify"),
]


class NewCaseScreen(Screen[str | None]):
    """A form for one kind of case; dismisses with the new case id, or None.

    Given a stored case (`case`, as `Session.case_detail` returns it), the same form edits
    its facts: it starts from the case's values, leaves out the threshold decision (the
    case screen's `d` records that), and saving records only the fields that changed.
    """

    CSS_PATH = "new_case.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save case", id="new_case.save", show=True),
        Binding("escape", "cancel", "Cancel", id="new_case.cancel", show=True),
    ]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | ctrl+s | new_case.save | save the case (and the threshold decision, if given) |
    | escape | new_case.cancel | close without saving |
    """

    def __init__(
        self, session: Session, kind: str | CaseKind, case: CaseDetail | None = None
    ) -> None:
        super().__init__()
        self.session = session
        self.kind = CaseKind(kind)
        self.today: date = session.today()
        self.case_id: str | None = case.id if case is not None else None
        self.subject = form_subject(self.kind, case.document) if case is not None else 0
        self.values: dict[str, Any] = (
            values_from_case(self.kind, case.document, self.today)
            if case is not None
            else initial_values(self.kind, self.today)
        )
        self.initial = dict(self.values)
        self.touched: set[str] = set()
        self.show_all_errors = False
        self.check = FormCheck({}, None, None)

    # -- building ------------------------------------------------------------------

    def _row(self, name: str, label: str, widget: Widget, hint: str = "") -> Horizontal:
        return Horizontal(
            Label(label, classes="field-label"),
            widget,
            Static(hint, id=f"e-{name}", classes="field-message"),
            classes="field-row",
        )

    def _text(self, name: str, label: str, placeholder: str = "", max_length: int = 200) -> Widget:
        widget = Input(
            self.values[name],
            placeholder=placeholder,
            id=f"f-{name}",
            max_length=max_length,
            compact=True,
        )
        return self._row(name, label, widget)

    def _check(self, name: str, label: str, *, fixed: bool = False) -> Widget:
        box = Checkbox(label, self.values[name], id=f"f-{name}", disabled=fixed, compact=True)
        return self._row(name, "", box)

    def _select(
        self, name: str, label: str, options: list[tuple[str, str]], *, fixed: bool = False
    ) -> Widget:
        widget = Select(
            options,
            value=self.values[name],
            allow_blank=False,
            id=f"f-{name}",
            disabled=fixed,
            compact=True,
        )
        return self._row(name, label, widget)

    def compose(self) -> ComposeResult:
        kind = self.kind
        yield Header()
        with Horizontal(id="new-case"):
            with VerticalScroll(id="form"):
                yield Static("[b]Subject[/b]", classes="section")
                yield self._text("given_names", "Given names")
                yield self._text("family_name", "Family name")
                yield self._text("date_of_birth", "Date of birth", "YYYY-MM-DD")
                if kind is CaseKind.serious_incident:
                    yield self._check("unborn", "Unborn child")
                yield self._select("sex", "Sex", SEX)
                yield self._check(
                    "looked_after", "Looked after", fixed=kind is CaseKind.care_leaver_death
                )
                yield self._check(
                    "care_leaver", "Care leaver", fixed=kind is CaseKind.care_leaver_death
                )
                yield self._check("child_protection_plan", "Child protection plan")
                yield Static("[b]What happened[/b]", classes="section")
                yield self._select(
                    "outcome", "Outcome", OUTCOMES, fixed=kind is not CaseKind.serious_incident
                )
                yield self._text("event_date", "Date of event", "YYYY-MM-DD")
                yield self._text("aware_date", "LA became aware", "YYYY-MM-DD")
                yield self._select("abuse_or_neglect", "Abuse or neglect", ABUSE)
                yield self._select("location", "Where", LOCATIONS)
                yield self._check("normally_resident_in_area", "Normally resident in our area")
                yield self._text("place", "Place (optional)", max_length=500)
                yield self._text("case_outline", "Outline", "a few sentences", 20_000)
                if self.case_id is None:  # editing: `d` on the case screen decides
                    # Offered only while the facts raise a Panel notification: the
                    # decision is about the serious-incident test (see `_preview`).
                    yield Static(
                        "[b]Threshold decision (Panel)[/b]", classes="section decision-part"
                    )
                    yield self._select("decision", "Decision", DECISIONS).add_class("decision-part")
                    yield self._text(
                        "rationale", "Rationale", "why (at least a sentence)", 5000
                    ).add_class("decision-part")
                yield Static(id="form-status")
                with Horizontal(id="form-buttons"):
                    label = "Save case" if self.case_id is None else "Save changes"
                    yield Button(label, variant="primary", id="save")
                    yield Button("Cancel", id="cancel")
            with VerticalScroll(id="assessment"):
                yield Static("[b]Duties these facts raise[/b]", classes="section")
                yield Static(id="duties-preview")
        yield Footer()

    def on_mount(self) -> None:
        self.title = (
            ENTRY_TITLES[self.kind] if self.case_id is None else f"Edit case {self.case_id}"
        )
        self.sub_title = f"today {format_due(self.today)}"
        self.revalidate()
        self.query_one("#f-given_names", Input).focus()

    # -- validating ----------------------------------------------------------------

    def _set(self, widget_id: str | None, value: Any) -> None:
        if not widget_id or not widget_id.startswith("f-"):
            return
        name = widget_id.removeprefix("f-")
        self.values[name] = value
        self.touched.add(name)
        if name == "decision":
            # Choosing a decision makes the rationale due: say so at once.
            self.touched.add("rationale")
        self.revalidate()

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        self._set(event.input.id, event.value)

    @on(Checkbox.Changed)
    def _checkbox_changed(self, event: Checkbox.Changed) -> None:
        self._set(event.checkbox.id, event.value)

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        self._set(event.select.id, event.value)

    def revalidate(self) -> None:
        """Check the form, show messages beside fields, and reassess the duties."""
        self.check = check_form(self.kind, self.values, self.today)
        for message in self.query(".field-message").results(Static):
            name = (message.id or "").removeprefix("e-")
            text = self.check.errors.get(name, "")
            shown = text if (self.show_all_errors or name in self.touched) else ""
            message.update(shown)
            message.set_class(bool(shown), "-error")
        status = self.query_one("#form-status", Static)
        form_error = self.check.errors.get("form")
        if form_error:
            status.update(f"Problem: {form_error}")
        elif self.check.ok:
            status.update("Ready to save (ctrl+s).")
        else:
            hidden = len(set(self.check.errors) - self.touched)
            status.update(f"{len(self.check.errors)} field(s) still to complete" if hidden else "")
        self._preview()

    def _offer_decision(self, offered: bool) -> None:
        """Show the threshold decision only while there is a Panel duty to decide on; a
        decision chosen before the facts changed is dropped, not saved unseen."""
        for widget in self.query(".decision-part"):
            widget.display = offered
        if self.case_id is not None:
            return
        if not offered and self.values.get("decision", "undecided") != "undecided":
            self.values["decision"] = "undecided"
            self.query_one("#f-decision", Select).value = "undecided"
            self.check = check_form(self.kind, self.values, self.today)

    def _preview(self) -> None:
        preview = self.query_one("#duties-preview", Static)
        if self.check.facts is None:
            self._offer_decision(self.kind is CaseKind.serious_incident)
            preview.update("The duties appear here once the dates are filled in.")
            return
        try:
            assessment = self.session.assess_facts(self.check.facts)
        except NotifyError as error:
            preview.update(f"Not assessed yet: {error.message}")
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
            lines.append(f"[b]{duty.title}[/b]")
            lines.append(f"  to {short_recipients(duty.recipients)} · {due}")
            lines.append(f"  {duty.deadline}")
            lines.extend(f"  • {reason}" for reason in duty.reasons)
            lines.append("")
        if not assessment.duties:
            lines.append("No duty: these facts do not require a notification.")
        for advisory in assessment.advisories:
            lines.append(f"Advisory: {advisory}")
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
            target = self.query(f"#f-{first}")
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
        changes = changed_fields(self.initial, self.values, self.subject)
        if not changes:
            self.notify("Nothing changed.", title="Not saved")
            self.dismiss(None)
            return
        try:
            self.session.edit_case(case_id, changes)
        except NotifyError as error:
            self.notify(error.message, title="Not saved", severity="error")
            return
        self.dismiss(case_id)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)
