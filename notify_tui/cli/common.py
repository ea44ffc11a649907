"""What every `notify-tui` command module shares: errors, the group, input, output, the vault.

Command modules import this module and nothing else of the CLI, so each imports on its own.
Refusals are one line on stderr with exit status 2; an unexpected failure prints its
exception type only (never its message, which could hold case data) with exit status 70,
unless `NOTIFY_TUI_DEBUG=1` is set.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import click

from notify_tui.domain.text import json_escaped, terminal_line, terminal_text
from notify_tui.environment import (
    NEW_PASSPHRASE_VARIABLE,
    PASSPHRASE_VARIABLE,
    USER_VARIABLE,
    resolve_home,
)
from notify_tui.errors import InvalidInput, NotifyError

if TYPE_CHECKING:
    from notify_tui.domain.calendar import WorkingDayCalendar
    from notify_tui.domain.rules import Assessment
    from notify_tui.services.session import Session

CONTEXT_SETTINGS: dict[str, Any] = {
    "help_option_names": ["-h", "--help"],
    "max_content_width": 100,
}
"""Set once on the root group; click hands both settings down to every nested command."""

DEBUG_VARIABLE = "NOTIFY_TUI_DEBUG"
F = TypeVar("F", bound=Callable[..., Any])
ParameterCallback = Callable[[click.Context, click.Parameter, Any], Any]
"""What click calls with a parsed parameter value; it returns the value the command gets."""


class UserError(click.ClickException):
    """A one-line refusal: exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        """Print `error: MESSAGE` on stderr (one line, nothing a terminal would obey)."""
        click.echo(f"error: {terminal_line(self.format_message())}", err=True)


class NotifyGroup(click.Group):
    """A group that turns `NotifyError` into a one-line `UserError`.

    As the entry point (`main`), it also turns any other exception into one line and
    exit status 70, so a traceback never shows case data.
    """

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; a `NotifyError` becomes a `UserError`."""
        try:
            return super().invoke(ctx)
        except NotifyError as error:
            raise UserError(error.message) from None

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command line; errors outside a subcommand's run end in one line too."""
        try:
            return super().main(*args, **kwargs)
        except NotifyError as error:  # raised outside a group invoke (e.g. in a callback)
            click.echo(f"error: {terminal_line(error.message)}", err=True)
            sys.exit(2)
        except Exception as error:  # noqa: BLE001 - last resort: never print case data
            if os.environ.get(DEBUG_VARIABLE) == "1":
                raise
            click.echo(
                f"error: internal error ({type(error).__name__}); nothing further was changed. "
                "Run with NOTIFY_TUI_DEBUG=1 to see details.",
                err=True,
            )
            sys.exit(70)


# -- input ---------------------------------------------------------------------------


def read_json_document(source: str) -> Any:
    """Read a JSON document from a path or `-` (stdin), with one-line errors."""
    if source == "-" and shell_session() is not None:
        raise InvalidInput("-: in the line mode, standard input is the prompt's; give a file")
    try:
        if source == "-":
            text = sys.stdin.read()
        else:
            with open(source, encoding="utf-8") as handle:
                text = handle.read()
    except FileNotFoundError:
        raise InvalidInput(f"{source}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"{source}: cannot read ({type(error).__name__})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"{source}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    except RecursionError:
        raise InvalidInput(
            f"{source}: JSON nested too deeply to be a notify-tui document"
        ) from None


def json_document(ctx: click.Context, param: click.Parameter, source: str) -> Any:
    """A parameter callback: the JSON document that `source` (a path or `-`) holds.

    Runs while the command line is parsed, so a bad document is refused before the
    passphrase is asked for or the vault is unlocked. Never while completing a command
    line, which must not wait on standard input.
    """
    if ctx.resilient_parsing:
        return source
    return read_json_document(source)


def parse_dates(values: Sequence[str], option: str, today: date | None = None) -> list[date]:
    """Parse date option values as people write them (`30/11/2026`, `30/11/26`,
    `2026-11-30`, today, yesterday); `today` defaults to the clock's (NOTIFY_TUI_TODAY)."""
    from notify_tui.clock import system_clock
    from notify_tui.domain.dates import DateProblem, parse_date

    if today is None:
        today = system_clock().today()
    parsed = []
    for value in values:
        try:
            parsed.append(parse_date(value, today))
        except DateProblem as problem:
            raise InvalidInput(f"{option} {value}: {problem.message}") from None
    return parsed


def day(label: str, *, blank_is_none: bool = False) -> ParameterCallback:
    """A parameter callback turning a date as people write it into a `date`; refusals
    name `label`.

    A parameter that was not given stays None; with `blank_is_none`, so does an empty one.
    """

    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
        if value is None or (blank_is_none and not value):
            return None
        return parse_dates((value,), label)[0]

    return callback


def checked_together(
    names: Sequence[str], check: Callable[[Mapping[str, Any]], None]
) -> ParameterCallback:
    """A parameter callback for each of `names`: runs `check` once all of them are parsed.

    Put it on every parameter in `names`; whichever click processes last runs the check,
    before the command (and so before the vault is unlocked).
    """

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        seen = {**ctx.params, str(param.name): value}
        if not ctx.resilient_parsing and all(name in seen for name in names):
            check(seen)
        return value

    return callback


# -- output --------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """A service's return value as plain JSON data (`as_json()` where a value has one)."""
    as_json = getattr(value, "as_json", None)
    if callable(as_json):
        return as_json()
    if isinstance(value, Mapping):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


def echo(message: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print text (stdout, or stderr with `err`), with every escape sequence, control and
    bidi character a peer's or a file's text may hold shown as U+FFFD
    (`notify_tui.domain.text`): what a terminal prints, it never obeys."""
    click.echo(terminal_text(message), err=err, nl=nl)


ECHO_LINES_AT_ONCE = 1000
"""Lines `echo_lines` prints with one write."""


def echo_lines(lines: Sequence[str]) -> None:
    """Print many lines as `echo` would print each, a thousand at a time (one write per
    line made a 100,000-line list spend more time printing than reading)."""
    for start in range(0, len(lines), ECHO_LINES_AT_ONCE):
        echo("\n".join(lines[start : start + ECHO_LINES_AT_ONCE]))


def emit_json(value: Any) -> None:
    """Print a JSON document to stdout (those characters as \\u escapes: the same JSON)."""
    document = json.dumps(jsonable(value), indent=2, ensure_ascii=False, default=str)
    click.echo(json_escaped(document))


def describe_left(left: int) -> str:
    """Working days left, in words that do not rely on colour."""
    if left < 0:
        return f"OVERDUE by {-left} working day{'s' if left != -1 else ''}"
    if left == 0:
        return "DUE TODAY"
    return f"{left} working day{'s' if left != 1 else ''} left"


def assessment_lines(
    assessment: Assessment,
    today: date,
    calendar: WorkingDayCalendar,
    initials: Sequence[str] = (),
) -> list[str]:
    """The duties an assessment raises, as `check` prints them (and the line mode's
    guided new case); `initials` name the subjects of a case of several."""
    from notify_tui.domain.rules import calendar_for

    lines = [f"Rule pack {assessment.rulepack}"]
    if not assessment.duties:
        lines.append("No statutory notification duty arises from these facts.")
    for duty in assessment.duties:
        lines.append("")
        lines.append(f"{duty.id}: {duty.title}")
        if duty.subject is not None and len(initials) > 1:
            lines.append(f"  for:        {duty.subject_label} — {initials[duty.subject - 1]}")
        elif duty.subject is None and len(initials) > 1:
            lines.append("  for:        the incident (every child)")
        if duty.due is None:
            lines.append(f"  due:        not yet known ({duty.deadline})")
        else:
            left = calendar_for(duty.clock, calendar).working_days_left(today, duty.due)
            clock = ", local working days" if duty.clock == "local" else ""
            lines.append(
                f"  due:        {duty.due:%a %d %b %Y} ({duty.deadline}{clock}); "
                f"{describe_left(left)}"
            )
        lines.extend(f"  notify:     {recipient}" for recipient in duty.recipients)
        lines.extend(f"  because:    {reason}" for reason in duty.reasons)
    for advisory in assessment.advisories:
        lines.append("")
        lines.append(f"Note: {advisory}")
    return lines


# -- the vault -----------------------------------------------------------------------


def user_option(command: F, flag: str = "--user") -> F:
    """Add --user NAME (default: $NOTIFY_TUI_USER) to a command that unlocks the vault.

    `flag` renames it where --user means something else (`audit --user` filters)."""
    return click.option(
        flag,
        "user",
        metavar="NAME",
        envvar=USER_VARIABLE,
        help=f"Who you are (a user of the vault; default: ${USER_VARIABLE}). "
        "Needed when the vault has several users.",
    )(command)


def vault_options(command: F, user_flag: str = "--user") -> F:
    """Add --home, --user and --passphrase-file to a command that opens the vault."""
    command = user_option(command, user_flag)
    command = click.option(
        "--passphrase-file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Read the passphrase from the first line of this file.",
    )(command)
    command = click.option(
        "--home",
        type=click.Path(file_okay=False, path_type=Path),
        help="The vault folder (default: $NOTIFY_TUI_HOME, else the user data folder).",
    )(command)
    return command


def read_passphrase_file(path: Path, *, option: str | None = None) -> str:
    """The first line of a passphrase file; a refusal names `option` when given."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.readline().rstrip("\r\n")
    except OSError as error:
        where = f"{option} {path}" if option else str(path)
        raise InvalidInput(f"{where}: cannot read ({type(error).__name__})") from None


def read_passphrase(passphrase_file: Path | None, *, prompt: str = "Passphrase") -> str:
    """The passphrase: NOTIFY_TUI_PASSPHRASE, else --passphrase-file, else a hidden prompt."""
    from_env = os.environ.get(PASSPHRASE_VARIABLE)
    if from_env:
        return from_env
    if passphrase_file is not None:
        return read_passphrase_file(passphrase_file, option="--passphrase-file")
    if not sys.stdin.isatty():
        raise InvalidInput(
            f"no passphrase: set {PASSPHRASE_VARIABLE}, pass --passphrase-file, "
            "or run in a terminal"
        )
    value: str = click.prompt(prompt, hide_input=True, err=True)
    return value


def new_user_passphrase(passphrase_file: Path | None, name: str) -> str:
    """A new user's passphrase: --new-passphrase-file, else NOTIFY_TUI_NEW_PASSPHRASE, else
    a hidden prompt, typed twice."""
    if passphrase_file is not None:
        return read_passphrase_file(passphrase_file, option="--new-passphrase-file")
    from_env = os.environ.get(NEW_PASSPHRASE_VARIABLE)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise InvalidInput(
            f"no passphrase for {name}: pass --new-passphrase-file, set "
            f"{NEW_PASSPHRASE_VARIABLE}, or run in a terminal"
        )
    first: str = click.prompt(f"Passphrase for {name}", hide_input=True, err=True)
    second: str = click.prompt(f"Passphrase for {name} (again)", hide_input=True, err=True)
    if first != second:
        raise InvalidInput("the two passphrases differ; nothing was changed")
    return first


def second_passphrase(name: str, passphrase_file: Path | None) -> str:
    """A second person's passphrase (they confirm there and then): from the file, else a
    hidden prompt naming them."""
    if passphrase_file is not None:
        return read_passphrase_file(passphrase_file, option="--confirm-passphrase-file")
    if not sys.stdin.isatty():
        raise InvalidInput(
            f"no passphrase for {name}: pass --confirm-passphrase-file or run in a terminal"
        )
    value: str = click.prompt(f"Passphrase of {name} (who confirms)", hide_input=True, err=True)
    return value


def new_passphrase(passphrase_file: Path | None, *, label: str = "New passphrase") -> str:
    """A new passphrase, typed twice when prompted."""
    if os.environ.get(PASSPHRASE_VARIABLE) or passphrase_file is not None:
        return read_passphrase(passphrase_file)
    if not sys.stdin.isatty():
        raise InvalidInput("no new passphrase: pass --new-passphrase-file or run in a terminal")
    first: str = click.prompt(label, hide_input=True, err=True)
    second: str = click.prompt(f"{label} (again)", hide_input=True, err=True)
    if first != second:
        raise InvalidInput("the two passphrases differ; nothing was changed")
    return first


@dataclass
class ShellSession:
    """The session the line mode (`notify-tui shell`) keeps unlocked for its commands.

    The line mode runs each command with this as the click context's `obj`:
    `with_session` then hands its session to the command instead of unlocking (and
    leaves it open), and `-` for standard input is refused (it is the prompt's).
    """

    session: Session


def shell_session() -> ShellSession | None:
    """The line mode's open session, when the current command runs inside it."""
    context = click.get_current_context(silent=True)
    return context.find_object(ShellSession) if context is not None else None


def open_session(
    home: Path | None, passphrase_file: Path | None, *, write: bool, user: str | None = None
) -> Session:
    """Unlock the vault in `home` (or the default folder) for one command, as `user`."""
    from notify_tui.services.session import Session, vault_exists

    path = resolve_home(home)
    if not vault_exists(path):
        raise InvalidInput(f"no vault in {path}: run `notify-tui init` first, or pass --home")
    return Session.unlock(
        path, passphrase=read_passphrase(passphrase_file), user=user or None, write=write
    )


def with_session(
    write: bool | Callable[[Mapping[str, Any]], bool] = True,
    *,
    user_flag: str = "--user",
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command --home, --user and --passphrase-file and an unlocked `session`.

    The vault is opened after click has parsed and checked every parameter (so bad input
    is refused before the passphrase is read), writable unless `write` is false (or,
    given as a function of the command's parameters, returns false: a command that shows
    case data only with some option must open for writing then, to log the access), and
    closed when the command returns or fails. Inside the line mode the command gets the
    line mode's open session instead (see `ShellSession`).
    """

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(command)
        def run_with_session(
            *args: Any,
            home: Path | None,
            passphrase_file: Path | None,
            user: str | None,
            **kwargs: Any,
        ) -> None:
            shell = shell_session()
            if shell is not None:
                if home is not None or passphrase_file is not None:
                    raise InvalidInput(
                        "--home and --passphrase-file do not apply in the line mode: "
                        "its vault is open already"
                    )
                signed_in = shell.session.user_name
                if user and " ".join(user.split()).casefold() != signed_in.casefold():
                    raise InvalidInput(
                        f"the line mode is signed in as {signed_in}; --user does not change it"
                    )
                command(*args, session=shell.session, **kwargs)
                return
            writing = write(kwargs) if callable(write) else write
            with open_session(home, passphrase_file, write=writing, user=user) as session:
                command(*args, session=session, **kwargs)

        return vault_options(run_with_session, user_flag)

    return decorate


# -- a progress bar on stderr (`doctor`) ------------------------------------------------
# Drawn only when stderr is a terminal, or when asked (`--progress`); never on stdout,
# so `--json` output and piped output stay what they were. On a terminal the bar is
# redrawn in place (carriage return); elsewhere (a log file, asked for) a line is written
# every tenth of the way.

BAR_WIDTH = 30
REDRAW_SECONDS = 0.1
"""A terminal's bar is redrawn at most this often (and at the end)."""


class ProgressBar:
    """Call with (done, total); `close()` ends the bar's line."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self._label = label
        self._stream = stream or sys.stderr
        self._terminal = self._stream.isatty()
        self._last_drawn = 0.0
        self._last_tenth = -1
        self._drawn = False

    @staticmethod
    def wanted(asked: bool | None, *, json_output: bool = False) -> bool:
        """Whether to draw: as asked (`--progress` / `--no-progress`), else only when
        stderr is a terminal and the output is not JSON."""
        if asked is not None:
            return asked
        return not json_output and sys.stderr.isatty()

    def line(self, done: int, total: int) -> str:
        """The bar's text for (done, total)."""
        share = done / total if total else 1.0
        filled = round(share * BAR_WIDTH)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        return f"{self._label} [{bar}] {share:4.0%} ({done:,} of {total:,})"

    def __call__(self, done: int, total: int) -> None:
        if self._terminal:
            now = time.monotonic()
            if done < total and now - self._last_drawn < REDRAW_SECONDS:
                return
            self._last_drawn = now
            self._stream.write("\r" + self.line(done, total))
        else:
            tenth = (done * 10 // total) if total else 10
            if tenth == self._last_tenth:
                return
            self._last_tenth = tenth
            self._stream.write(self.line(done, total) + "\n")
        self._drawn = True
        self._stream.flush()

    def close(self) -> None:
        """End the bar's line on a terminal (the next output starts on a new line)."""
        if self._terminal and self._drawn:
            self._stream.write("\n")
            self._stream.flush()
