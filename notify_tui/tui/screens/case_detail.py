"""One case: duties with their actions, subjects and facts, conflicts, audit trail."""

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
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Header,
    Static,
    TabbedContent,
    TabPane,
)

from notify_tui.domain.dashboard import (
    STATUS_LABELS,
    URGENCY_LABELS,
    duty_label,
    short_recipients,
)
from notify_tui.domain.duty_states import PANEL_DUTY
from notify_tui.domain.models import CASE_KIND_LABELS, CaseKind, care_status_lines
from notify_tui.domain.rules import base_duty_id
from notify_tui.domain.wording import INCIDENT_LABELS
from notify_tui.errors import NotifyError
from notify_tui.services.drafts import Draft
from notify_tui.services.session import Session
from notify_tui.services.types import CaseDetail, DutyView
from notify_tui.tui.draft_keeper import DraftSpec
from notify_tui.tui.modals.date_prompt import DatePromptScreen
from notify_tui.tui.modals.decide import DecideScreen, ThresholdDecision
from notify_tui.tui.modals.mark_sent import MarkSentScreen, SentRecord
from notify_tui.tui.modals.office_step import OfficeStepChoice, OfficeStepScreen
from notify_tui.tui.modals.withdraw import WithdrawScreen
from notify_tui.tui.screens.audit import AuditScreen
from notify_tui.tui.screens.new_case import NewCaseScreen
from notify_tui.tui.screens.submission import SubmissionScreen
from notify_tui.tui.widgets.office_workflow import OfficeWorkflow
from notify_tui.tui.widgets.urgency import urgency_text
from notify_tui.views.conflicts import numbered
from notify_tui.views.dashboard import format_due
from notify_tui.views.duty_record import decision_line, record_lines, sent_flags
from notify_tui.views.sync import received_lines


def _words(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v).replace("_", " ") for v in value) or "-"
    if value is None or value == "":
        return "-"
    return (
        str(value).replace("_", " ") if isinstance(value, str) and " " not in value else str(value)
    )


def _day(text: str | None) -> str:
    return format_due(date.fromisoformat(text)) if text else "-"


CASE_KINDS = {member.value for member in CaseKind}


def _kind_label(kind: str | None) -> str:
    """A case's kind in words; the office's yearly-report record is not a case kind."""
    if kind in CASE_KINDS:
        return CASE_KIND_LABELS[CaseKind(kind)]
    return "Yearly report" if kind == "annual_report" else str(kind or "-")


def correctable_part(duty: DutyView) -> str | None:
    """The latest part of a duty's record a correction would undo, or None."""
    if duty.acknowledged_on:
        return "acknowledged"
    if duty.sent_on:
        return "sent"
    if duty.status == "withdrawn" or duty.withdrawal_pending:
        return "withdrawn"
    return None


def describe_subject(subject: Mapping[str, Any]) -> str:
    """One line per subject: name, birth date, sex and legal status."""
    born = "unborn" if subject.get("unborn") else f"born {_day(subject.get('date_of_birth'))}"
    status = [k.replace("_", " ") for k, v in (subject.get("legal_status") or {}).items() if v]
    name = f"{subject.get('given_names', '')} {subject.get('family_name', '')}".strip()
    extra = f" · {', '.join(status)}" if status else ""
    return f"{name} · {born} · sex {subject.get('sex', 'U')}{extra}"


def describe_facts(document: Mapping[str, Any]) -> str:
    """The subjects, incident facts, outline and decision as readable lines."""
    lines = ["[b]Subjects[/b]"]
    event = (document.get("incident") or {}).get("event_date")
    for subject in document.get("subjects") or []:
        lines.append(f"  {describe_subject(subject)}")
        if isinstance(event, str):
            care = care_status_lines(subject, date.fromisoformat(event))
            lines += [f"    {escape(line)}" for line in care]
    lines.append("")
    lines.append("[b]What happened[/b]")
    for key, value in (document.get("incident") or {}).items():
        shown = _day(value) if key.endswith("_date") else _words(value)
        lines.append(f"  {INCIDENT_LABELS.get(key, key)}: {shown}")
    outline = document.get("case_outline")
    if outline:
        lines += ["", "[b]Outline[/b]", f"  {outline}"]
    return "\n".join(lines)


def describe_decision(decision: Mapping[str, Any] | None, duties: tuple[DutyView, ...] = ()) -> str:
    """The threshold decision in one line, as what it governs: the Panel duties only."""
    has_panel = any(d.duty == PANEL_DUTY for d in duties)
    if not decision and has_panel:
        return "Panel threshold decision: [b]not yet recorded[/b] (press d)"
    return escape(decision_line(decision, duties))


class CaseDetailScreen(Screen[None]):
    """Everything about one case, with the actions its duties need."""

    CSS_PATH = "case_detail.tcss"
    BINDINGS = [
        Binding("s", "mark_sent", "Mark sent", id="case.mark_sent", show=True),
        Binding("a", "acknowledge", "Acknowledged", id="case.acknowledge", show=True),
        Binding("w", "withdraw", "Withdraw", id="case.withdraw", show=True),
        Binding("d", "decide", "Decide", id="case.decide", show=True),
        Binding(
            "c",
            "confirm_withdrawal",
            "Confirm withdrawal",
            id="case.confirm_withdrawal",
            show=True,
        ),
        Binding("x", "correct", "Correct", id="case.correct", show=False),
        Binding("e", "edit", "Edit facts", id="case.edit", show=True),
        Binding("1", "tab('duties')", "Duties", id="case.tab_duties", show=False),
        Binding("2", "tab('facts')", "Facts", id="case.tab_facts", show=False),
        Binding("3", "tab('conflicts')", "Conflicts", id="case.tab_conflicts", show=False),
        Binding("4", "tab('audit')", "Audit", id="case.tab_audit", show=False),
        Binding("5", "tab('office')", "Office", id="case.tab_office", show=False),
        Binding("v", "submission", "Submission", id="case.submission", show=True),
        Binding("o", "office_step", "Office step", id="case.office_step", show=True),
        Binding("l", "access_log", "Who looked", id="case.access_log", show=False),
        Binding("escape", "back", "Back", id="case.back", show=True),
    ]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | s | case.mark_sent | mark the highlighted duty sent (date and reference) |
    | a | case.acknowledge | record that the recipient acknowledged it |
    | w | case.withdraw | withdraw the highlighted duty, with a reason (statutory: ask) |
    | d | case.decide | the threshold decision (only where a Panel duty is raised) |
    | c | case.confirm_withdrawal | office only: confirm an LA's withdrawal request |
    | x | case.correct | undo the duty's latest record as recorded in error, with a reason |
    | e | case.edit | edit the facts in the new-case form; the duties follow |
    | 1 | case.tab_duties | the duties tab |
    | 2 | case.tab_facts | the subjects and facts tab |
    | 3 | case.tab_conflicts | the conflicts tab |
    | 4 | case.tab_audit | the audit trail tab |
    | 5 | case.tab_office | the office tab |
    | v | case.submission | the case in the order of the national form, to copy from |
    | o | case.office_step | office only: record an office workflow step |
    | l | case.access_log | who changed or looked at this case, and when |
    | escape | case.back | back to the dashboard |
    """

    def __init__(
        self,
        session: Session,
        case_id: str,
        full_names: bool = True,
        *,
        resume: Draft | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.case_id = case_id
        self.full_names = full_names
        self.detail: CaseDetail | None = None
        self.received: dict[str, list[str]] = {}
        self.resume = resume
        """A draft of a form about this case, reopened once the case is shown."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="case-heading")
        yield Static(id="decision")
        yield Static(id="advisories")
        with TabbedContent(initial="duties"):
            with TabPane("Duties", id="duties"):
                yield DataTable(id="case-duties", cursor_type="row")
                yield Static(id="duty-detail")
            with TabPane("Subjects and facts", id="facts"), VerticalScroll():
                yield Static(id="facts-text")
            with TabPane("Conflicts", id="conflicts"):
                yield VerticalScroll(id="conflict-list")
            with TabPane("Audit trail", id="audit"):
                yield DataTable(id="audit-table", cursor_type="row")
            with TabPane("Office workflow", id="office"):
                yield OfficeWorkflow(id="office-workflow")
        yield Footer()

    def on_mount(self) -> None:
        duties = self.query_one("#case-duties", DataTable)
        for key, label in (
            ("duty", "Duty"),
            ("to", "To"),
            ("due", "Due"),
            ("left", "Days left"),
            ("status", "Status"),
            ("sent", "Sent / reference"),
        ):
            duties.add_column(label, key=key)
        audit = self.query_one("#audit-table", DataTable)
        for key, label in (("at", "When (UTC)"), ("what", "What happened"),
                           ("device", "Device")):  # fmt: skip
            audit.add_column(label, key=key)
        self.refresh_case(opening=True)
        duties.focus()
        if self.resume is not None:
            self.call_after_refresh(self._resume_draft)

    def _resume_draft(self) -> None:
        """Reopen the form of the draft this screen was opened for, as it was."""
        draft, self.resume = self.resume, None
        if draft is None:
            return
        actions = {
            "mark_sent": self.action_mark_sent,
            "acknowledge": self.action_acknowledge,
            "withdraw": self.action_withdraw,
            "correct": self.action_correct,
            "decide": self.action_decide,
            "office_step": self.action_office_step,
            "edit_case": self.action_edit,
            "record_submission": self.action_submission,
        }
        action = actions.get(draft.summary.form)
        if action is None:
            self.notify(f"Draft {draft.id}: this form cannot be reopened here.")
            return
        action(draft)

    def _draft(self, form: str, title: str, resume: Draft | None, **context: Any) -> DraftSpec:
        """The draft of a dialog about this case (reopened from `resume` when given)."""
        return DraftSpec(
            self.session, form, title, case_id=self.case_id, context=context, resume=resume
        )

    # -- showing -------------------------------------------------------------------

    def refresh_case(self, *, opening: bool = False) -> None:
        """Read the case again and redraw every part (`opening`: the person opened it,
        which the access log records)."""
        read = self.session.open_case if opening else self.session.case_detail
        detail = self.detail = read(self.case_id)
        self.received = received_lines(self.session.sync.receipt_for(self.case_id))
        kind = _kind_label(detail.kind)
        self.title = f"Case {self.case_id}"
        self.sub_title = kind
        problem = f"\n[b]Problem:[/b] {detail.problem}" if detail.problem else ""
        conflicts = len(detail.conflicts)
        conflict_note = (
            f" · [b reverse] {conflicts} CONFLICT{'S' if conflicts > 1 else ''} [/] (press 3)"
            if conflicts
            else ""
        )
        subjects = "\n".join(
            f"Subject: {describe_subject(s)}" for s in detail.document.get("subjects") or []
        )
        self.query_one("#case-heading", Static).update(
            f"[b]{self.case_id}[/b] · {kind} · {detail.org} · rule pack "
            f"{detail.rulepack}{conflict_note}{problem}\n{subjects}"
        )
        self.query_one("#decision", Static).update(
            describe_decision(detail.document.get("decision"), detail.duties)
        )
        notes = [
            f"[b]Legal hold:[/b] {escape(hold.words())}"
            for hold in self.session.retention.holds_on(self.case_id)
        ] + [f"Advisory: {text}" for text in detail.advisories]
        advisory_box = self.query_one("#advisories", Static)
        advisory_box.display = bool(notes)
        advisory_box.update("\n".join(notes))
        self._fill_duties()
        self.query_one("#facts-text", Static).update(describe_facts(detail.document))
        self._fill_conflicts()
        self._fill_audit()
        self.query_one(OfficeWorkflow).show(detail, office=self.session.identity.role == "office")
        tabs = self.query_one(TabbedContent)
        tabs.get_tab("conflicts").label = f"Conflicts ({conflicts})"  # type: ignore[assignment]
        self.refresh_bindings()  # `d` is offered only where there is a Panel duty

    def _fill_duties(self) -> None:
        table = self.query_one("#case-duties", DataTable)
        cursor = table.cursor_row
        table.clear()
        for duty in self._duties():
            if duty.status == "open":
                label = URGENCY_LABELS.get(duty.urgency, duty.urgency)
            else:
                label = STATUS_LABELS.get(duty.status, duty.status)
            left = duty.working_days_left
            if duty.withdrawal_pending:
                label += " · withdrawal pending"
            sent = ""
            if duty.sent_on:
                sent = f"{_day(duty.sent_on)} {duty.reference or ''}".strip()
                sent += " · late" if duty.late else (" · on time" if duty.due else "")
            if duty.acknowledged_on:
                sent += f" (ack {_day(duty.acknowledged_on)})"
            table.add_row(
                self._duty_name(duty),
                short_recipients(duty.recipients),
                _day(duty.due),
                "" if left is None else str(left),
                urgency_text(label, duty.urgency),
                sent or "-",
                key=duty.duty,
            )
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
        self._show_duty_detail()

    def _several_subjects(self) -> bool:
        return self.detail is not None and len(self.detail.document.get("subjects") or []) > 1

    def _duty_name(self, duty: DutyView) -> str:
        """The duty's short name; with several subjects, a per-child duty names whose it is
        ("CDOP notification (child 2 — BS)")."""
        if duty.whose and self._several_subjects():
            return f"{duty_label(base_duty_id(duty.duty), duty.title)} ({duty.whose})"
        return duty_label(duty.duty, duty.title)

    def _show_duty_detail(self) -> None:
        duty = self.current_duty()
        box = self.query_one("#duty-detail", Static)
        if duty is None:
            box.update("No duties: the facts raise none.")
            return
        reasons = "\n".join(f"  • {reason}" for reason in duty.reasons) or "  -"
        received = "".join(f"[b]Receipt:[/b] {line}\n" for line in self.received.get(duty.duty, []))
        record: list[tuple[str, str]] = []
        if duty.sent_on:
            flags = sent_flags(duty)
            reference = f" (ref {duty.reference})" if duty.reference else ""
            record.append(
                ("Sent", f"{_day(duty.sent_on)}{reference}" + (f" · {flags}" if flags else ""))
            )
        record += [("Record", line) for line in record_lines(duty)]
        recorded = "".join(f"[b]{label}:[/b] {escape(text)}\n" for label, text in record)
        whose = f"For: {escape(duty.whose)}\n" if duty.whose and self._several_subjects() else ""
        box.update(
            f"[b]{escape(duty.title)}[/b]\n{whose}"
            f"To: {'; '.join(duty.recipients) or '-'}\n"
            f"Deadline: {duty.deadline or '-'} → {_day(duty.due)}\n{received}{recorded}"
            f"Why:\n{reasons}\nSource: {duty.source or '-'}"
        )

    def _fill_conflicts(self) -> None:
        container = self.query_one("#conflict-list", VerticalScroll)
        container.remove_children()
        conflicts = self.detail.conflicts if self.detail is not None else ()
        if not conflicts:
            container.mount(Static("No conflicts: every field holds one value."))
            return
        for index, conflict in enumerate(conflicts):
            panels = []
            for choice, value in enumerate(conflict.values):
                panels.append(
                    Vertical(
                        Static(f"[b]{escape(numbered(value))}[/b]"),
                        Static(
                            f"recorded by {escape(value.by)}\n"
                            f"on {value.at[:19].replace('T', ' ')} (UTC)"
                        ),
                        Static(f"device {value.device}", classes="device"),
                        Button(
                            "Keep this value",
                            id=f"keep-{index}-{choice}",
                            variant="primary",
                        ),
                        classes="conflict-value",
                    )
                )
            container.mount(
                Vertical(
                    Static(
                        f"[b]{escape(conflict.label)}[/b] holds {len(panels)} values recorded "
                        "without seeing each other. Choose the one that is right:\n"
                        f"{escape(conflict.question)}"
                    ),
                    Horizontal(*panels, classes="conflict-values"),
                    classes="conflict",
                )
            )

    def _fill_audit(self) -> None:
        table = self.query_one("#audit-table", DataTable)
        table.clear()
        for entry in reversed(self.detail.audit if self.detail is not None else ()):
            table.add_row(entry.at[:19].replace("T", " "), entry.summary, entry.device)

    def _duties(self) -> tuple[DutyView, ...]:
        """The case's duties (none before the case is read)."""
        return self.detail.duties if self.detail is not None else ()

    def current_duty(self) -> DutyView | None:
        """The duty under the cursor."""
        table = self.query_one("#case-duties", DataTable)
        duties = self._duties()
        if not duties or not table.row_count:
            return None
        return duties[min(table.cursor_row, len(duties) - 1)]

    @on(DataTable.RowHighlighted, "#case-duties")
    def _duty_highlighted(self) -> None:
        self._show_duty_detail()

    # -- acting --------------------------------------------------------------------

    def _run(self, verb: str, *args: Any, **kwargs: Any) -> bool:
        """Call a session verb; a refusal becomes a notification."""
        try:
            getattr(self.session, verb)(*args, **kwargs)
        except NotifyError as error:
            self.notify(error.message, title="Not recorded", severity="error")
            return False
        self.refresh_case()
        return True

    def _open_duty(self, resume: Draft | None = None) -> DutyView | None:
        """The highlighted duty, or the one a draft is about."""
        if resume is not None:
            wanted = resume.context.get("duty")
            duty = next((d for d in self._duties() if d.duty == wanted), None)
            if duty is None:
                self.notify(f"Draft {resume.id}: the case has no duty {wanted} now.")
            return duty
        duty = self.current_duty()
        if duty is None:
            self.notify("This case has no duties.", severity="warning")
        return duty

    def _attempt(self, verb: str, *args: Any, **kwargs: Any) -> str | None:
        """Call a session verb for a dialog: its refusal (shown in the dialog, which stays
        open with what was typed), or None once it is recorded."""
        try:
            getattr(self.session, verb)(*args, **kwargs)
        except NotifyError as error:
            return error.message
        return None

    def action_mark_sent(self, resume: Draft | None = None) -> None:
        """Ask for the date sent and reference (and why, when late), then record it; a
        refusal keeps the dialog open with what was typed."""
        duty = self._open_duty(resume)
        if duty is None:
            return
        duty_id = duty.duty

        def attempt(answer: SentRecord) -> str | None:
            return self._attempt(
                "mark_sent",
                self.case_id,
                duty_id,
                answer.sent_on,
                answer.reference,
                answer.late_reason,
            )

        def recorded(result: SentRecord | None) -> None:
            self.refresh_case()
            if result is not None:
                self.notify(f"Marked sent: {duty_label(duty_id, duty.title)}.")

        due = date.fromisoformat(duty.due) if duty.due else None
        title = f"Mark sent: {duty.title}"
        self.app.push_screen(
            MarkSentScreen(
                duty.title,
                self.session.today(),
                due,
                attempt,
                draft=self._draft("mark_sent", title, resume, duty=duty_id),
            ),
            recorded,
        )

    def action_acknowledge(self, resume: Draft | None = None) -> None:
        """Ask when the recipient acknowledged, then record it."""
        duty = self._open_duty(resume)
        if duty is None:
            return
        duty_id = duty.duty

        def attempt(day: date) -> str | None:
            return self._attempt("acknowledge", self.case_id, duty_id, day)

        def recorded(result: date | None) -> None:
            self.refresh_case()
            if result is not None:
                self.notify(f"Acknowledgement recorded: {duty_label(duty_id, duty.title)}.")

        title = f"Acknowledged: {duty.title}"
        self.app.push_screen(
            DatePromptScreen(
                title,
                "When did the recipient acknowledge it? (30/11/2026, today...)",
                self.session.today(),
                attempt,
                draft=self._draft("acknowledge", title, resume, duty=duty_id),
            ),
            recorded,
        )

    def action_withdraw(self, resume: Draft | None = None) -> None:
        """Ask why, then withdraw the duty (a statutory one: ask the office to confirm)."""
        duty = self._open_duty(resume)
        if duty is None:
            return
        duty_id = duty.duty

        def attempt(reason: str) -> str | None:
            return self._attempt("withdraw", self.case_id, duty_id, reason)

        def recorded(reason: str | None) -> None:
            self.refresh_case()
            if reason is not None and duty.required:
                self.notify("Withdrawal asked: the duty stays owed until the office confirms.")

        title = f"Ask to withdraw: {duty.title}" if duty.required else f"Withdraw: {duty.title}"
        draft = self._draft("withdraw", title, resume, duty=duty_id)
        if duty.required:
            screen = WithdrawScreen(
                duty.title,
                title=title,
                question=(
                    "Why does this statutory duty no longer apply? It stays owed until the "
                    "business office confirms the withdrawal."
                ),
                button="Ask to withdraw",
                record=attempt,
                draft=draft,
            )
        else:
            screen = WithdrawScreen(duty.title, record=attempt, draft=draft)
        self.app.push_screen(screen, recorded)

    def action_confirm_withdrawal(self) -> None:
        """Office: confirm the LA's request to withdraw the highlighted duty."""
        duty = self._open_duty()
        if duty is None:
            return
        if self._run("confirm_withdrawal", self.case_id, duty.duty):
            self.notify(f"Withdrawal confirmed: {duty_label(duty.duty, duty.title)}.")

    def action_correct(self, resume: Draft | None = None) -> None:
        """Undo the highlighted duty's latest record as recorded in error, with a reason."""
        duty = self._open_duty(resume)
        if duty is None:
            return
        part = correctable_part(duty)
        if part is None:
            self.notify("This duty has no record to correct.", severity="warning")
            return
        duty_id = duty.duty

        def attempt(reason: str) -> str | None:
            return self._attempt("correct_duty", self.case_id, duty_id, part, reason)

        def recorded(reason: str | None) -> None:
            self.refresh_case()
            if reason is not None:
                self.notify(f"Corrected: the {part} record of {duty_label(duty_id, duty.title)}.")

        title = f"Correct: {duty.title}"
        self.app.push_screen(
            WithdrawScreen(
                duty.title,
                title=title,
                question=(
                    f"Undo the {part} record as recorded in error. What was wrong? "
                    "(kept with the correction; the old record stays in the audit trail)"
                ),
                button=f"Undo {part}",
                record=attempt,
                draft=self._draft("correct", title, resume, duty=duty_id),
            ),
            recorded,
        )

    def action_decide(self, resume: Draft | None = None) -> None:
        """Record the threshold decision (neither answer chosen at first)."""

        def attempt(result: ThresholdDecision) -> str | None:
            return self._attempt(
                "decide",
                self.case_id,
                notify=result.notify,
                rationale=result.rationale,
                decided_on=result.decided_on,
            )

        def recorded(result: ThresholdDecision | None) -> None:
            self.refresh_case()
            if result is not None:
                self.notify("Decision recorded.")

        title = f"Threshold decision for {self.case_id}"
        self.app.push_screen(
            DecideScreen(
                self.case_id,
                self.session.today(),
                attempt,
                draft=self._draft("decide", title, resume),
            ),
            recorded,
        )

    def action_edit(self, resume: Draft | None = None) -> None:
        """Edit the case's facts in its kind's form; the duties are reassessed on save."""
        if not self._editable():
            self.notify("This record's facts are not yours to edit here.", severity="warning")
            return

        def saved(case_id: str | None) -> None:
            self.refresh_case()
            if case_id is not None:
                self.notify("Facts saved; the duties follow them.", title="Saved")

        detail = self.detail
        assert detail is not None and detail.kind is not None  # _editable() holds
        self.app.push_screen(NewCaseScreen(self.session, detail.kind, detail, draft=resume), saved)

    @on(Button.Pressed, ".conflict-value Button")
    def _keep_value(self, event: Button.Pressed) -> None:
        _, index, choice = (event.button.id or "").split("-")
        if self.detail is None:
            return
        conflict = self.detail.conflicts[int(index)]
        value = conflict.values[int(choice)]
        if self._run("resolve_choice", self.case_id, conflict.field, value.number):
            self.notify(f"Conflict on {conflict.label} resolved: kept {value.words}.")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Office steps are the office's to record, facts the owning LA's: each key is
        hidden where it cannot be used."""
        if action in ("office_step", "confirm_withdrawal"):
            return self.session.identity.role == "office"
        if action == "decide":
            # The threshold decision is about the Panel: no Panel duty, nothing to decide.
            return any(d.duty == PANEL_DUTY for d in self._duties())
        if action == "edit":
            return self._editable()
        return True

    def _editable(self) -> bool:
        """Only the LA that logged a case changes its facts, and only a case of one of the
        three kinds has a form (the office's yearly-report record has none)."""
        return (
            self.detail is not None
            and self.detail.kind in CASE_KINDS
            and self.detail.org == self.session.identity.org
        )

    def action_submission(self, resume: Draft | None = None) -> None:
        """Show the case in the order of the national form, to copy from."""
        self.app.push_screen(
            SubmissionScreen(self.session, self.case_id, resume=resume), self._back_from_form
        )

    def _back_from_form(self, _result: None) -> None:
        self.refresh_case()

    def action_access_log(self) -> None:
        """Who changed or looked at this case (the access log), newest first."""
        self.app.push_screen(AuditScreen(self.session, self.case_id))

    def action_office_step(self, resume: Draft | None = None) -> None:
        """Office: record a workflow step (the highlighted one is proposed)."""
        workflow = self.query_one(OfficeWorkflow)
        if self.session.identity.role != "office":
            self.notify("The business office records these steps.", severity="warning")
            return
        if not workflow.rows:
            self.notify("No office steps apply to this case.", severity="warning")
            return
        on_office_tab = self.query_one(TabbedContent).active == "office"
        highlighted = workflow.current_step() if on_office_tab else None

        def record(choice: OfficeStepChoice) -> str | None:
            return self._attempt(
                "record_office_step",
                self.case_id,
                choice.area,
                choice.step,
                choice.value,
                outcome=choice.outcome,
                correction=choice.correction,
                reason=choice.reason,
            )

        def recorded(choice: OfficeStepChoice | None) -> None:
            self.refresh_case()
            if choice is not None:
                self.notify("Office step recorded.")

        title = f"Office step for {self.case_id}"
        self.app.push_screen(
            OfficeStepScreen(
                self.case_id,
                workflow.rows,
                self.session.today(),
                highlighted.key if highlighted else None,
                record=record,
                draft=self._draft("office_step", title, resume),
            ),
            recorded,
        )

    def action_tab(self, tab: str) -> None:
        """Show a tab."""
        self.query_one(TabbedContent).active = tab

    def on_screen_resume(self) -> None:
        """Back on top (a dialog, the retention screen or a sync closed): a case erased
        meanwhile, here or by a bundle, is not shown a moment longer (nothing to ask
        while the vault is locked: the lock screen covers everything)."""
        try:
            erased = self.session.erasure.erased(self.case_id)
        except NotifyError:
            return
        if erased is not None and erased.kept_under is None:
            self.notify(f"Case {self.case_id} was {erased.words()}.", title="Erased")
            self.dismiss(None)

    def action_back(self) -> None:
        """Back to the dashboard."""
        self.dismiss(None)
