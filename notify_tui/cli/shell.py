"""`notify-tui shell`: a line mode for screen readers and braille displays.

Unlock once, then type the CLI's own commands at a plain prompt: the same names, flags
and output, because each line runs the very same click group (`case list`, `deadlines`,
`duty sent ...`), with the line mode's open session handed to it (`ShellSession`)
instead of an unlock per command. Plain text only: no alternate screen, no cursor
movement, no colour, no spinner; errors are one line; a change of the vault's state
(unlocked, locked, a case saved) is said in a sentence. `new serious-incident`,
`new care-leaver-death` and `new child-death` ask the new case form's questions one at
a time, in its order, and print the duties once the facts are in.

History and completion come from the standard library's `readline` where Python has it
(Linux, macOS); Windows' console keeps its own line history (up arrow, F7). History
stays in memory: typed lines may hold names, and nothing with case data is written to
disk. After the app's idle time without input the vault locks (the key is dropped and
the writer lock let go); the next command unlocks it again the way the first unlock did.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shlex
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

import click

from notify_tui.cli.common import (
    DEBUG_VARIABLE,
    ShellSession,
    assessment_lines,
    describe_left,
    echo,
    open_session,
    vault_options,
)
from notify_tui.domain.duty_states import PANEL_DUTY
from notify_tui.domain.models import CaseKind
from notify_tui.errors import NotifyError
from notify_tui.settings import PASSPHRASE_VARIABLE
from notify_tui.views import guided_case
from notify_tui.views.guided_case import Question
from notify_tui.views.new_case_form import ENTRY_TITLES, check_form, initial_values

if TYPE_CHECKING:
    from pathlib import Path

    from notify_tui.clock import Clock
    from notify_tui.domain.rules import Assessment
    from notify_tui.services.session import Session

PROMPT = "notify-tui> "

NEW_KINDS = {
    "serious-incident": CaseKind.serious_incident,
    "care-leaver-death": CaseKind.care_leaver_death,
    "child-death": CaseKind.child_death,
}
"""`new KIND`: the guided prompts of the three new-case entry points."""

SHELL_VERBS = ("help", "new", "lock", "quit", "exit")

NOT_IN_THE_SHELL = {
    "shell": "you are in the line mode already",
    "init": "quit, then run `notify-tui init`",
    "demo": "quit, then run `notify-tui demo`",
    "passwd": "quit, then run `notify-tui passwd` (it needs the vault to itself)",
    "recover": "quit, then run `notify-tui recover` (it needs the vault to itself)",
}
"""Commands the line mode does not run, and what to do instead."""

LineReader = Callable[[str], "str | None"]
"""Reads one line after showing a prompt; None at the end of the input."""

Unlocker = Callable[[], "Session"]
"""Opens the vault (asking for the passphrase as the first unlock did)."""


class _Stop(Exception):
    """Ends a guided new case without saving, saying why."""

    def __init__(self, sentence: str, *, end_of_input: bool = False) -> None:
        super().__init__(sentence)
        self.sentence = sentence
        self.end_of_input = end_of_input


def split_line(line: str) -> list[str]:
    """The words of a command line: quotes group words; a backslash is an ordinary
    character, so a Windows path needs no doubling. Raises ValueError on an open quote."""
    lexer = shlex.shlex(line, posix=True)
    lexer.whitespace_split = True
    lexer.escape = ""
    lexer.commenters = ""
    return list(lexer)


def announce(sentence: str) -> None:
    """Say a change of the vault's state, on its own line (standard error)."""
    echo(sentence, err=True)


def refuse(message: str) -> None:
    """An error, in one line on standard error, as the CLI prints it."""
    echo(f"error: {message}", err=True)


def duration(seconds: float) -> str:
    """An idle time in words: "10 minutes", "1 minute", "90 seconds"."""
    if seconds % 60:
        return f"{seconds:g} seconds"
    minutes = int(seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class LineShell:
    """The line mode: reads lines, runs them, keeps one session open between them.

    `unlock` opens the vault (at the start, and again after a lock); `read_line` reads
    the next line. The idle lock reads the session's clock: a test moves a
    `ManualClock` between lines instead of sleeping, and `lock_if_idle` is what the
    watcher thread of a real run calls once a second.
    """

    def __init__(
        self,
        group: click.Group,
        unlock: Unlocker,
        *,
        read_line: LineReader,
        interactive: bool = False,
        idle_lock_seconds: float | None = None,
        asks_passphrase: bool = True,
    ) -> None:
        self.group = group
        self.unlock = unlock
        self.read_line = read_line
        self.interactive = interactive
        self.idle_override = idle_lock_seconds
        """An idle time instead of the vault's preference (None: the preference)."""
        self.idle_lock_seconds = 0.0
        """The idle time in force, set by each unlock (see `open`)."""
        self.asks_passphrase = asks_passphrase
        """Whether unlocking asks for the passphrase (else it comes from the environment
        or a file, and unlocking again after a lock needs nobody)."""
        self.session: Session | None = None
        self.clock: Clock | None = None
        self.last_activity = 0.0
        self._busy = threading.RLock()
        self._stopped = threading.Event()

    # -- the vault -----------------------------------------------------------------

    def open(self) -> None:
        """Unlock the vault; a refusal (wrong passphrase, in use) is raised."""
        session = self.unlock()
        with self._busy:
            self.session = session
            self.clock = session.clock
            minutes = session.preferences.security.idle_lock_minutes
            self.idle_lock_seconds = self.idle_override or minutes * 60.0
            self.last_activity = session.clock.monotonic()

    def ensure_unlocked(self) -> bool:
        """Unlock again after a lock; False (and one error line) when that fails."""
        if self.session is not None:
            return True
        try:
            self.open()
        except NotifyError as error:
            refuse(f"{error.message}; the vault stays locked")
            return False
        announce("Unlocked the vault again.")
        return True

    def close(self, sentence: str) -> None:
        """Lock: close the session (dropping the key and the writer lock) and say so."""
        with self._busy:
            session, self.session = self.session, None
            if session is None:
                return
            try:
                session.close()
            finally:
                announce(sentence)

    def lock_if_idle(self) -> bool:
        """Lock when there was no input for the idle time (on the session's clock)."""
        with self._busy:
            if self.session is None or self.clock is None:
                return False
            if self.clock.monotonic() - self.last_activity < self.idle_lock_seconds:
                return False
            self.close(
                f"Locked the vault after {duration(self.idle_lock_seconds)} without input; "
                f"{self._next_unlock()}."
            )
            return True

    def _next_unlock(self) -> str:
        if self.asks_passphrase:
            return "the next command asks for the passphrase"
        return "the next command unlocks it again"

    def _touch(self) -> None:
        if self.clock is not None:
            self.last_activity = self.clock.monotonic()

    def _read(self, prompt: str) -> str | None:
        """The next line; first lock if the wait was longer than the idle time."""
        line = self.read_line(prompt)
        self.lock_if_idle()
        self._touch()
        return line

    # -- the loop ------------------------------------------------------------------

    def run(self, *, watch_idle: bool = False) -> None:
        """Unlock, then run lines until `quit` or the end of the input.

        Raises `NotifyError` when the first unlock fails (the command exits with 2).
        """
        self.open()
        assert self.session is not None
        identity = self.session.identity
        announce(
            f"Unlocked the vault of {identity.org} ({identity.role}) in {self.session.home}. "
            "Type help for the commands, quit to lock it and leave."
        )
        watcher = self._watch_idle() if watch_idle else None
        try:
            while True:
                try:
                    line = self._read(PROMPT if self.interactive else "")
                except KeyboardInterrupt:  # ctrl+c clears the line being typed
                    click.echo("")
                    continue
                if line is None or not self.handle(line):
                    break
        finally:
            self._stopped.set()
            if watcher is not None:
                watcher.join(timeout=5)
            self.close("Locked the vault. Goodbye.")

    def _watch_idle(self) -> threading.Thread:
        def watch() -> None:
            while not self._stopped.wait(1.0):
                if self.lock_if_idle() and self.interactive:
                    click.echo(PROMPT, nl=False)

        thread = threading.Thread(target=watch, name="idle-lock", daemon=True)
        thread.start()
        return thread

    def handle(self, line: str) -> bool:
        """Run one line; False to stop (quit, or the input ended in a guided prompt)."""
        try:
            words = split_line(line)
        except ValueError:
            refuse("a quote is not closed; nothing was run")
            return True
        if not words:
            return True
        verb = words[0]
        if verb in ("quit", "exit"):
            return False
        if verb in ("help", "-h", "--help"):
            if len(words) > 1 and verb == "help":
                self.run_command([*words[1:], "-h"])
            else:
                self.show_help()
            return True
        if verb == "lock":
            self.close(f"Locked the vault; {self._next_unlock()}.")
            return True
        if verb == "new":
            kind = NEW_KINDS.get(words[1]) if len(words) == 2 else None
            if kind is None:
                refuse(f"new: say which: {', '.join(NEW_KINDS)}")
                return True
            return self.new_case(kind)
        if verb in NOT_IN_THE_SHELL:
            refuse(f"{verb} does not run in the line mode: {NOT_IN_THE_SHELL[verb]}")
            return True
        if verb not in self.group.commands:
            refuse(f"no command {verb!r}; type help for the list")
            return True
        if self.ensure_unlocked():
            self.run_command(words)
        return True

    def run_command(self, words: Sequence[str]) -> None:
        """Run one CLI command line with the open session; any failure is one line."""
        with self._busy:
            obj = ShellSession(self.session) if self.session is not None else None
            try:
                with self.group.make_context("notify-tui", list(words), obj=obj) as ctx:
                    self.group.invoke(ctx)
            except click.exceptions.Exit:
                pass  # -h, or a chosen exit status (deadlines --fail-on-overdue)
            except click.exceptions.NoArgsIsHelpError as error:
                echo(error.format_message())  # a group alone ("case"): its help
            except click.UsageError as error:
                path = error.ctx.command_path if error.ctx is not None else words[0]
                command = path.removeprefix("notify-tui").strip() or words[0]
                refuse(f"{error.format_message().rstrip('.')} (try {command} -h)")
            except click.ClickException as error:
                refuse(error.format_message())
            except click.Abort:
                refuse("stopped; nothing further was changed")
            except KeyboardInterrupt:
                refuse("interrupted; a change already started is made whole or not at all")
            except NotifyError as error:
                refuse(error.message)
            except Exception as error:  # noqa: BLE001 - one line, never case data
                if os.environ.get(DEBUG_VARIABLE) == "1":
                    traceback.print_exc()
                refuse(
                    f"internal error ({type(error).__name__}); nothing further was changed. "
                    f"Run with {DEBUG_VARIABLE}=1 to see details."
                )
            finally:
                self._touch()

    def show_help(self) -> None:
        """The commands the line mode takes, one a line."""
        click.echo("Commands (each takes -h for its options, as on the command line):")
        for name, command in sorted(self.group.commands.items()):
            if name in NOT_IN_THE_SHELL:
                continue
            if isinstance(command, click.Group):
                name = f"{name} {'|'.join(sorted(command.commands))}"
            click.echo(f"  {name:<40} {command.get_short_help_str(limit=60)}")
        click.echo("Line mode:")
        for words, meaning in (
            (" | ".join(f"new {kind}" for kind in NEW_KINDS), ""),
            ("", "log a case, one question at a time, with its duties"),
            ("lock", "lock the vault now (the next command unlocks it)"),
            ("help [COMMAND]", "this list, or a command's options"),
            ("quit", "lock the vault and leave (also exit, or the end of input)"),
        ):
            click.echo(f"  {words:<40} {meaning}".rstrip())

    # -- a guided new case ---------------------------------------------------------

    def new_case(self, kind: CaseKind) -> bool:
        """Ask the form's questions, show the duties, save; False if the input ended."""
        if not self.ensure_unlocked():
            return True
        assert self.session is not None
        today = self.session.today()
        values = initial_values(kind, today)
        asked: list[str] = []
        click.echo(
            f"{ENTRY_TITLES[kind]}: one question at a time, in the form's order. A blank "
            "answer keeps the default in brackets; cancel stops without saving."
        )
        try:
            self._ask_all(kind, guided_case.facts_questions(kind), values, asked)
            assessment = self._show_duties(kind, values)
            self._ask_all(kind, guided_case.DETAIL_QUESTIONS, values, asked)
            if assessment is not None and any(d.id == PANEL_DUTY for d in assessment.duties):
                self._ask_all(kind, (guided_case.DECISION, guided_case.RATIONALE), values, asked)
            self._settle(kind, values)
            if not self._answer(guided_case.SAVE, True):
                raise _Stop("Not saved.")
            self._save(kind, values)
        except _Stop as stop:
            announce(stop.sentence)
            return not stop.end_of_input
        return True

    def _answer(self, question: Question, default: Any) -> Any:
        """Ask until the answer reads; raise `_Stop` on cancel, a lock or the end."""
        while True:
            try:
                text = self._read(question.prompt(default) if self.interactive else "")
            except KeyboardInterrupt:
                click.echo("")
                raise _Stop("Cancelled; nothing was saved.") from None
            if text is None:
                raise _Stop("The input ended; nothing was saved.", end_of_input=True)
            if self.session is None:
                raise _Stop("The vault locked while you were answering; nothing was saved.")
            if text.strip().lower() == "cancel":
                raise _Stop("Cancelled; nothing was saved.")
            answer = guided_case.read_answer(question, text, default)
            if answer.problem is None:
                return answer.value
            refuse(f"{question.label}: {answer.problem}")

    def _ask_all(
        self,
        kind: CaseKind,
        questions: Sequence[Question],
        values: dict[str, Any],
        asked: list[str],
    ) -> None:
        """Ask each question that applies; go back to one the form then refuses."""
        index = 0
        while index < len(questions):
            question = questions[index]
            if not guided_case.applies(question, values):
                values[question.field] = initial_values(kind, self._today())[question.field]
                index += 1
                continue
            values[question.field] = self._answer(question, values[question.field])
            if question.field not in asked:
                asked.append(question.field)
            problem = guided_case.problem_with(kind, values, asked, self._today())
            if problem is None:
                index += 1
                continue
            field, message = problem
            refuse(f"{guided_case.LABELS[field]}: {message}")
            fields = [q.field for q in questions]
            if field in fields and fields.index(field) < index:
                # An earlier answer is refused in the light of this one (no date of birth,
                # and not unborn): ask again from there, as if the rest were not asked.
                index = fields.index(field)
                asked[:] = [name for name in asked if name not in fields[index:]]

    def _today(self) -> Any:
        if self.session is None:
            raise _Stop("The vault locked while you were answering; nothing was saved.")
        return self.session.today()

    def _show_duties(self, kind: CaseKind, values: dict[str, Any]) -> Assessment | None:
        """Print the duties the facts raise, as `check` prints them; a fact the rules
        refuse in the light of another (a birth after the event) is asked again first."""
        from notify_tui.views.new_case_form import field_of

        questions = {q.field: q for q in guided_case.facts_questions(kind)}
        while True:
            with self._busy:
                session = self.session
                if session is None:
                    raise _Stop("The vault locked while you were answering; nothing was saved.")
                preview = check_form(kind, values, session.today()).preview
                if preview is None:
                    click.echo("Duties not assessed yet: a date does not read.")
                    return None
                try:
                    assessment = session.assess_facts(preview)
                except NotifyError as error:
                    path, _, message = error.message.partition(": ")
                    problem = message or error.message
                    question = questions.get(field_of(path, kind))
                    if question is None:
                        click.echo(f"Duties not assessed yet: {error.message}")
                        return None
                else:
                    click.echo("Duties these facts raise (not saved yet):")
                    calendar = session.local_calendar
                    for line in assessment_lines(assessment, session.today(), calendar):
                        click.echo(line)
                    click.echo("")
                    return assessment
            refuse(f"{question.label}: {problem}")
            values[question.field] = self._answer(question, values[question.field])

    def _settle(self, kind: CaseKind, values: dict[str, Any]) -> None:
        """Ask again whatever the whole form still refuses (a date before the birth...)."""
        by_field = {
            q.field: q
            for q in (
                *guided_case.facts_questions(kind),
                *guided_case.DETAIL_QUESTIONS,
                guided_case.DECISION,
                guided_case.RATIONALE,
            )
        }
        while True:
            check = check_form(kind, values, self._today())
            if check.ok:
                return
            field, message = next(iter(check.errors.items()))
            question = by_field.get(field)
            if question is None:
                raise _Stop(f"Not saved: {message}")
            refuse(f"{question.label}: {message}")
            values[field] = self._answer(question, values[field])

    def _save(self, kind: CaseKind, values: dict[str, Any]) -> None:
        with self._busy:
            session = self.session
            if session is None:
                raise _Stop("The vault locked while you were answering; nothing was saved.")
            check = check_form(kind, values, session.today())
            assert check.document is not None  # _settle made it whole
            try:
                case_id = session.create_case(check.document)
            except NotifyError as error:
                raise _Stop(f"Not saved: {error.message}") from None
            decision = values.get("decision", "undecided")
            decided = ""
            if decision != "undecided":
                try:
                    session.decide(
                        case_id, notify=decision == "notify", rationale=values["rationale"]
                    )
                    verb = "notify" if decision == "notify" else "not notify"
                    decided = f" Recorded the decision to {verb}."
                except NotifyError as error:
                    decided = f" The decision was not recorded: {error.message}."
            detail = session.case_detail(case_id)
        open_duties = [duty for duty in detail.duties if duty.status == "open"]
        announce(
            f"Saved case {case_id} ({ENTRY_TITLES[kind].removeprefix('New ')}) with "
            f"{len(open_duties)} open dut{'y' if len(open_duties) == 1 else 'ies'}.{decided}"
        )
        for duty in detail.duties:
            if duty.status != "open":
                click.echo(f"  {duty.duty}: {duty.status}")
            elif duty.due is None:
                click.echo(f"  {duty.duty}: due date not yet known")
            else:
                left = duty.working_days_left
                when = f" ({describe_left(left)})" if left is not None else ""
                click.echo(f"  {duty.duty}: due {duty.due}{when}")


# -- completion ----------------------------------------------------------------------


def completions(group: click.Group, before_cursor: str) -> list[str]:
    """What may complete the word at the cursor, given the line up to it."""
    from click.shell_completion import ShellComplete

    try:
        words = split_line(before_cursor)
    except ValueError:
        return []
    incomplete = ""
    if words and before_cursor and not before_cursor[-1].isspace():
        incomplete = words.pop()
    if not words:
        names = [*SHELL_VERBS, *(n for n in group.commands if n not in NOT_IN_THE_SHELL)]
        return sorted(name for name in names if name.startswith(incomplete))
    if words[0] == "new":
        return sorted(k for k in NEW_KINDS if k.startswith(incomplete)) if len(words) == 1 else []
    if words[0] == "help":
        words = words[1:]
        if not words:
            return completions(group, incomplete)
    if words[0] not in group.commands or words[0] in NOT_IN_THE_SHELL:
        return []
    found: list[str] = []
    try:
        items = ShellComplete(group, {}, "notify-tui", "_NOTIFY_TUI_COMPLETE").get_completions(
            words, incomplete
        )
    except (click.ClickException, NotifyError):
        return []
    for item in items:
        if item.type in ("file", "dir"):
            found.extend(sorted(glob.glob(glob.escape(incomplete) + "*"))[:50])
        elif item.value not in ("--home", "--passphrase-file"):
            found.append(str(item.value))
    return found


# -- reading lines -------------------------------------------------------------------


def piped_reader(stream: TextIO) -> LineReader:
    """Lines from a pipe or file: no prompt is shown, none is needed."""

    def read(prompt: str) -> str | None:
        line = stream.readline()
        return None if line == "" else line.rstrip("\r\n")

    return read


def terminal_reader(group: click.Group) -> LineReader:
    """Lines typed at a terminal, with readline's history and completion where Python
    has readline (not on Windows, whose console keeps its own history)."""
    with contextlib.suppress(ImportError):
        import readline

        def complete(text: str, state: int) -> str | None:
            if state == 0:
                buffer = readline.get_line_buffer()[: readline.get_endidx()]
                complete.matches = completions(group, buffer)  # type: ignore[attr-defined]
            matches: list[str] = complete.matches  # type: ignore[attr-defined]
            return matches[state] if state < len(matches) else None

        readline.set_completer(complete)
        readline.set_completer_delims(" \t\n\"'")
        if "libedit" in (readline.__doc__ or ""):  # macOS
            readline.parse_and_bind("bind ^I rl_complete")
        else:
            readline.parse_and_bind("tab: complete")
            # No escape sequences around each prompt (readline 8.1 turns this on).
            readline.parse_and_bind("set enable-bracketed-paste off")
        readline.set_auto_history(True)

    def read(prompt: str) -> str | None:
        try:
            return input(prompt)
        except EOFError:
            click.echo("")
            return None

    return read


# -- the command ---------------------------------------------------------------------


@click.command()
@vault_options
def shell(home: Path | None, passphrase_file: Path | None, user: str | None) -> None:
    """A line mode for screen readers and braille displays: unlock once, then type commands.

    Takes the CLI's own commands, with the same options and output (case list,
    deadlines, duty sent ..., -h on any of them), after one unlock; plus new
    serious-incident, new care-leaver-death and new child-death, which ask the new case
    form's questions one at a time and print the duties once the facts are in; lock;
    help; quit. Plain text only; errors are one line; the vault locks after the app's
    idle time without input. Lines can also come from a pipe:

        printf 'case list\\ndeadlines\\nquit\\n' | notify-tui shell
    """
    root = click.get_current_context().find_root().command
    if not isinstance(root, click.Group):  # pragma: no cover - only run under notify-tui
        raise click.UsageError("the line mode runs under notify-tui")
    interactive = sys.stdin.isatty()
    line_shell = LineShell(
        root,
        lambda: open_session(home, passphrase_file, write=True, user=user),
        read_line=terminal_reader(root) if interactive else piped_reader(sys.stdin),
        interactive=interactive,
        asks_passphrase=not (os.environ.get(PASSPHRASE_VARIABLE) or passphrase_file),
    )
    line_shell.run(watch_idle=True)


COMMANDS = (shell,)
"""The commands this module adds to `notify-tui`."""
