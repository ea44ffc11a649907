"""The submission view: a case in the order of the form it is submitted on, field by field."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from notify_tui.domain.dashboard import duty_label
from notify_tui.errors import NotifyError
from notify_tui.services.drafts import Draft
from notify_tui.services.session import Session
from notify_tui.services.types import CaseDetail
from notify_tui.tui.clipboard import copy_for_a_while
from notify_tui.tui.draft_keeper import DraftSpec
from notify_tui.tui.modals.record_submission import (
    RecordSubmissionScreen,
    Submission,
    SubmissionResult,
)
from notify_tui.views.submission_form import (
    FORM_TITLES,
    Form,
    FormField,
    form_fields,
    form_text,
    forms_for,
    section_text,
    still_to_complete,
    submission_duties,
)


class SubmissionScreen(Screen[None]):
    """Every box of the national form in order, to copy into the online service one by one.

    `c` copies the highlighted value, `t` its whole section and `a` the whole form as
    text ("Label: value" lines under each section's name); the clipboard is overwritten
    after `security.clipboard_clear_seconds`, and when the app locks or quits. The
    bottom line names the boxes with nothing recorded yet.
    """

    CSS_PATH = "submission.tcss"
    BINDINGS = [
        Binding("c", "copy", "Copy field", id="submission.copy", show=True),
        Binding("t", "copy_section", "Copy section", id="submission.copy_section", show=True),
        Binding("a", "copy_form", "Copy form", id="submission.copy_form", show=True),
        Binding("s", "record", "Record submission", id="submission.record", show=True),
        Binding("f", "switch_form", "Other form", id="submission.switch_form", show=True),
        Binding("escape", "back", "Back", id="submission.back", show=True),
    ]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | up / down | (table) | move field by field |
    | c | submission.copy | copy the highlighted value (wiped after 30 s, on lock and on quit) |
    | t | submission.copy_section | copy the highlighted value's whole section, as text |
    | a | submission.copy_form | copy the whole form, as text |
    | s | submission.record | record the submission: duties, date and the service's reference |
    | f | submission.switch_form | the other form, when the case has duties on both |
    | escape | submission.back | back to the case |
    """

    def __init__(self, session: Session, case_id: str, *, resume: Draft | None = None) -> None:
        super().__init__()
        self.session = session
        self.case_id = case_id
        self.resume = resume
        """A draft of the record-submission dialog, reopened once the form is shown."""
        self.detail: CaseDetail | None = None
        # Until the case is read on mount, the online form (what a case with no duties uses).
        self.forms: list[Form] = [Form.online]
        self.form = self.forms[0]
        self.fields: list[FormField] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="form-title")
        yield DataTable(id="form-fields", cursor_type="row", zebra_stripes=True)
        yield Static(id="field-value")
        yield Static(id="copy-status")
        yield Static(id="to-complete")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#form-fields", DataTable)
        for key, label in (("section", "Section"), ("field", "Field"), ("value", "Value")):
            table.add_column(label, key=key)
        self.detail = detail = self.session.case_detail(self.case_id)
        self.session.record_access("submission_viewed", self.case_id)
        self.forms = forms_for(detail)
        self.form = self.forms[0]
        self.title = f"Case {self.case_id}"
        self.sub_title = "Submission view"
        if self.resume is not None:
            wanted = self.resume.context.get("form")
            if wanted in [form.value for form in self.forms]:
                self.form = Form(str(wanted))
        self.show_form()
        table.focus()
        if self.resume is not None:
            self.call_after_refresh(self.action_record, self.resume)
            self.resume = None

    def show_form(self) -> None:
        """Lay out the current form's fields."""
        self.fields = [] if self.detail is None else form_fields(self.detail, self.form)
        others = " · f: other form" if len(self.forms) > 1 else ""
        self.query_one("#form-title", Static).update(
            f"[b]{FORM_TITLES[self.form]}[/b] for {self.case_id} · {self._duty_states()}\n"
            f"c copies the highlighted value · t its section · a the whole form · "
            f"s records the submission{others}"
        )
        table = self.query_one("#form-fields", DataTable)
        table.clear()
        for index, field in enumerate(self.fields):
            first = index == 0 or self.fields[index - 1].section != field.section
            # Text, not markup: a value may hold "[" and must show as typed.
            value = Text(_one_line(field.shown), style="" if field.value else "italic dim")
            table.add_row(
                Text(field.section if first else ""), Text(field.label), value, key=field.key
            )
        self._show_value()
        missing = still_to_complete(self.fields)
        self.query_one("#to-complete", Static).update(
            Text(
                f"Still to complete ({len(missing)}): {'; '.join(missing)}"
                if missing
                else "Every box notify-tui holds is filled in."
            )
        )

    def _duty_states(self) -> str:
        duties = [] if self.detail is None else submission_duties(self.detail, self.form)
        return (
            " · ".join(f"{duty_label(d.duty, d.title)}: {d.status}" for d in duties)
            or "no duty on this form"
        )

    def current_field(self) -> FormField | None:
        """The field under the cursor."""
        table = self.query_one("#form-fields", DataTable)
        if not self.fields or not table.row_count:
            return None
        return self.fields[min(table.cursor_row, len(self.fields) - 1)]

    @on(DataTable.RowHighlighted, "#form-fields")
    def _show_value(self) -> None:
        field = self.current_field()
        text = Text() if field is None else Text.assemble((field.label, "bold"), ": ", field.shown)
        self.query_one("#field-value", Static).update(text)

    # -- actions -------------------------------------------------------------------

    def action_copy(self) -> None:
        """Copy the highlighted value; it is wiped from the clipboard after a while."""
        field = self.current_field()
        if field is None:
            return
        if not field.value:
            self.notify(f"{field.label}: nothing recorded to copy.", severity="warning")
            return
        seconds = self.session.preferences.security.clipboard_clear_seconds
        self.session.record_access("field_copied", self.case_id, f"{field.section}: {field.label}")
        copy_for_a_while(self.app, field.value, seconds, self.session.clock)
        self.query_one("#copy-status", Static).update(
            Text(
                f"Copied {field.section} · {field.label}. "
                f"The clipboard is overwritten in {seconds:g} s, and when the app locks or quits."
            )
        )

    def _copy(self, text: str, what: str) -> None:
        seconds = self.session.preferences.security.clipboard_clear_seconds
        self.session.record_access("field_copied", self.case_id, what)
        copy_for_a_while(self.app, text, seconds, self.session.clock)
        self.query_one("#copy-status", Static).update(
            Text(
                f"Copied {what}. The clipboard is overwritten in {seconds:g} s, and when the "
                "app locks or quits."
            )
        )

    def action_copy_section(self) -> None:
        """Copy the highlighted box's whole section as text."""
        field = self.current_field()
        if field is None:
            return
        self._copy(section_text(self.fields, field.section), f"the section {field.section}")

    def action_copy_form(self) -> None:
        """Copy the whole form as text."""
        if not self.fields:
            return
        self._copy(form_text(FORM_TITLES[self.form], self.fields), "the whole form")

    def action_switch_form(self) -> None:
        """Show the other form, when the case has duties on both."""
        if len(self.forms) < 2:
            self.notify("This case is submitted on one form only.")
            return
        self.form = self.forms[(self.forms.index(self.form) + 1) % len(self.forms)]
        self.show_form()

    def action_record(self, resume: Draft | None = None) -> None:
        """Ask for the duties, date and reference, then mark those duties sent; a refusal
        keeps the dialog open with what was typed."""
        duties = [] if self.detail is None else submission_duties(self.detail, self.form)
        if not duties:
            self.notify("No duty of this case is notified on this form.", severity="warning")
            return
        title = f"Record submission: {FORM_TITLES[self.form]}"
        draft = DraftSpec(
            self.session,
            "record_submission",
            title,
            case_id=self.case_id,
            context={"form": self.form.value},
            resume=resume,
        )
        self.app.push_screen(
            RecordSubmissionScreen(
                FORM_TITLES[self.form], duties, self.session.today(), self._record, draft=draft
            ),
            self._recorded,
        )

    def _record(self, submission: Submission) -> SubmissionResult:
        recorded: list[str] = []
        refusal: str | None = None
        due = {d.duty: d.due for d in (self.detail.duties if self.detail else ())}
        for duty_id in submission.duty_ids:
            # The reason goes with the duties sent late only (an on-time one needs none).
            duty_due = due.get(duty_id)
            late = duty_due is not None and submission.sent_on > date.fromisoformat(duty_due)
            try:
                self.session.mark_sent(
                    self.case_id,
                    duty_id,
                    submission.sent_on,
                    submission.reference,
                    submission.late_reason if late else None,
                )
            except NotifyError as error:
                refusal = f"{duty_id}: {error.message}"
                break
            recorded.append(duty_id)
        if recorded:
            self.notify(f"Recorded as sent: {', '.join(recorded)}.", title="Submission recorded")
        return SubmissionResult(tuple(recorded), refusal)

    def _recorded(self, _submission: Submission | None) -> None:
        self.detail = self.session.case_detail(self.case_id)
        self.show_form()

    def action_back(self) -> None:
        """Back to the case."""
        self.dismiss(None)


def _one_line(text: str, width: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
