"""`notify-tui shell`, the line mode: one unlock, the CLI's own commands, guided new cases.

Most tests drive `LineShell` in this process, on a real encrypted vault, with lines fed
from a list and a `ManualClock` moved between them (no sleeping). One runs the README's
pipe in a real process. Every person is fictional; "today" is Mon 23 Nov 2026.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import factories
import pytest
from click.testing import CliRunner
from vault_support import PASSPHRASE, assert_refused, make_vault, run_cli

from notify_tui.cli import cli
from notify_tui.cli.shell import LineShell, completions, split_line
from notify_tui.clock import ManualClock
from notify_tui.services.session import Session
from notify_tui.store.lock import WriterLock

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
IDLE = 600.0  # the default idle lock: 10 minutes


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_TUI_TODAY", "2026-11-23")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A vault holding a serious incident (aware Tue 17 Nov) and a child death."""
    folder = tmp_path / "vault"
    make_vault(folder, [factories.case("serious_incident"), factories.case("child_death")])
    return folder


class Feed:
    """Lines for the shell to read, with a clock move before any of them."""

    def __init__(self, clock: ManualClock, lines: list[str | tuple[float, str]]) -> None:
        self.clock = clock
        self.lines = list(lines)
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> str | None:
        self.prompts.append(prompt)
        if not self.lines:
            return None
        line = self.lines.pop(0)
        if isinstance(line, tuple):
            seconds, line = line
            self.clock.advance(seconds)
        return line


class Harness:
    """A LineShell on `home`, counting unlocks; `run(lines)` returns (stdout, stderr)."""

    def __init__(self, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.home = home
        self.capsys = capsys
        self.clock = ManualClock(MONDAY)
        self.unlocks = 0
        self.sessions: list[Session] = []

    def unlock(self) -> Session:
        self.unlocks += 1
        session = Session.unlock(self.home, passphrase=PASSPHRASE, clock=self.clock)
        self.sessions.append(session)
        return session

    def shell(
        self, lines: list[str | tuple[float, str]], *, interactive: bool = False
    ) -> LineShell:
        self.feed = Feed(self.clock, lines)
        return LineShell(cli, self.unlock, read_line=self.feed, interactive=interactive)

    def run(self, lines: list[str | tuple[float, str]], **options: bool) -> tuple[str, str]:
        self.capsys.readouterr()
        self.shell(lines, **options).run()
        captured = self.capsys.readouterr()
        return captured.out, captured.err


@pytest.fixture
def harness(home: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Harness]:
    made = Harness(home, capsys)
    yield made
    for session in made.sessions:
        session.close()


def cli_output(home: Path, *args: str) -> str:
    """What the plain CLI prints for ARGS (its own unlock), to compare with the shell's."""
    result = CliRunner().invoke(
        cli, list(args), env={"NOTIFY_TUI_HOME": str(home), "NOTIFY_TUI_PASSPHRASE": PASSPHRASE}
    )
    assert result.exit_code == 0, result.output
    return result.output


# -- one unlock, the CLI's own commands ------------------------------------------------


def test_two_commands_print_what_the_cli_prints_after_one_unlock(
    harness: Harness, home: Path
) -> None:
    out, err = harness.run(["case list", "deadlines", "quit"])
    assert harness.unlocks == 1
    assert out == cli_output(home, "case", "list") + cli_output(home, "deadlines")
    assert err.splitlines() == [
        f"Unlocked the vault of Testshire (la) in {home}. "
        "Type help for the commands, quit to lock it and leave.",
        "Locked the vault. Goodbye.",
    ]
    # Both aware Tue 17 Nov 2026: the CDOP was due the next working day, Wed 18 Nov (3
    # working days overdue on Mon 23 Nov); the Panel 5 working days on, Tue 24 Nov.
    assert f"{'cdop-notification':<32} due 2026-11-18  OVERDUE by 3 working days" in out
    assert f"{'panel-notification':<32} due 2026-11-24  1 working day left" in out


def test_the_vault_is_closed_and_its_lock_let_go_at_the_end_of_input(
    harness: Harness, home: Path
) -> None:
    harness.run(["case list"])  # no quit: the input simply ends
    with WriterLock(home):  # nobody holds it any more
        pass


def test_the_readme_pipe_in_a_real_process(home: Path) -> None:
    """printf 'case list\\ndeadlines\\nquit\\n' | notify-tui shell (passphrase from the
    environment) prints both results after one unlock."""
    result = run_cli("shell", home=home, stdin="case list\ndeadlines\nquit\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("CASE         KIND ")
    assert "SI-" in result.stdout and "CD-" in result.stdout
    assert f"{'cdop-notification':<32} due 2026-11-18  OVERDUE by 3 working days" in (result.stdout)
    assert result.stderr.count("Unlocked the vault") == 1
    assert result.stderr.endswith("Locked the vault. Goodbye.\n")


def test_a_wrong_passphrase_is_one_line_and_exit_status_2(home: Path) -> None:
    result = run_cli("shell", home=home, passphrase="not the passphrase", stdin="case list\n")
    assert_refused(result, "passphrase")
    assert result.stdout == ""


def test_a_write_command_changes_the_vault(harness: Harness, home: Path) -> None:
    case_id = next(
        line.split()[0] for line in cli_output(home, "case", "list").splitlines() if "SI-" in line
    )
    out, _ = harness.run(
        [
            f"duty sent {case_id} panel-notification --date 2026-11-20 --reference REF-1",
            "quit",
        ]
    )
    assert out == "Recorded panel-notification sent on 2026-11-20.\n"
    assert "sent 2026-11-20 ref REF-1" in cli_output(home, "case", "show", case_id)


# -- errors are one line and change nothing -------------------------------------------


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("bogus", "error: no command 'bogus'; type help for the list"),
        (
            "case list --bogus",
            "error: No such option '--bogus'. Did you mean '--user'? (try case list -h)",
        ),
        ("duty sent SI-00000000", "error: Missing argument 'DUTY' (try duty sent -h)"),
        ("check facts.json --bogus", "error: No such option '--bogus' (try check -h)"),
        (
            "case show SI-00000000",
            "error: no case SI-00000000: check the id with `notify-tui case list`",
        ),
        ("case add -", "error: -: in the line mode, standard input is the prompt's; give a file"),
        (
            "case list --home /elsewhere",
            "error: --home and --passphrase-file do not apply in the line mode: "
            "its vault is open already",
        ),
        (
            "passwd",
            "error: passwd does not run in the line mode: quit, then run `notify-tui passwd` "
            "(it needs the vault to itself)",
        ),
        ("new pony", "error: new: say which: serious-incident, care-leaver-death, child-death"),
        ('case list --search "open quote', "error: a quote is not closed; nothing was run"),
    ],
)
def test_an_error_is_one_line_and_the_shell_goes_on(
    harness: Harness, home: Path, line: str, error: str
) -> None:
    out, err = harness.run([line, "deadlines", "quit"])
    assert err.splitlines()[1:] == [error, "Locked the vault. Goodbye."]
    assert out == cli_output(home, "deadlines")


def test_a_group_alone_shows_its_help_not_an_error(harness: Harness) -> None:
    out, err = harness.run(["case", "quit"])
    assert out.startswith("Usage: notify-tui case [OPTIONS] COMMAND [ARGS]...\n")
    assert "  list   List cases, soonest deadline first.\n" in out
    assert "error" not in err


def test_help_lists_the_commands_and_help_command_shows_its_options(harness: Harness) -> None:
    out, _ = harness.run(["help", "help case list"])
    listed = out.split("Line mode:")[0]
    assert "  deadlines " in listed and "  case add|edit|erase|list|show " in listed
    for refused in ("passwd", "init", "demo", "recover", "shell"):
        assert f"  {refused} " not in listed
    assert "new serious-incident | new care-leaver-death | new child-death" in out
    assert "Usage: notify-tui case list [OPTIONS]" in out and "--due-within N" in out


# -- the idle lock ---------------------------------------------------------------------


def test_the_idle_lock_locks_and_the_next_command_unlocks_again(
    harness: Harness, home: Path
) -> None:
    out, err = harness.run(["case list", (IDLE - 1, "deadlines"), (IDLE, "deadlines"), "quit"])
    assert harness.unlocks == 2
    assert err.splitlines()[1:] == [
        "Locked the vault after 10 minutes without input; "
        "the next command asks for the passphrase.",
        "Unlocked the vault again.",
        "Locked the vault. Goodbye.",
    ]
    assert out == cli_output(home, "case", "list") + 2 * cli_output(home, "deadlines")


def test_lock_if_idle_drops_the_session_and_the_writer_lock(harness: Harness, home: Path) -> None:
    """What the watcher thread calls each second: nothing before the idle time, then
    the session is closed (its key dropped) and another process may open the vault."""
    shell = harness.shell([])
    shell.open()
    session = shell.session
    harness.clock.advance(IDLE - 0.5)
    assert not shell.lock_if_idle() and shell.session is session
    harness.clock.advance(0.5)
    assert shell.lock_if_idle()
    assert shell.session is None
    with pytest.raises(Exception, match="the vault is locked"):
        session.list_cases()  # type: ignore[union-attr]
    with WriterLock(home):
        pass
    assert not shell.lock_if_idle()  # already locked: nothing more to say


def test_with_the_passphrase_stored_the_lock_says_no_one_is_asked(harness: Harness) -> None:
    shell = harness.shell(["case list", (IDLE, "quit")])
    shell.asks_passphrase = False  # NOTIFY_TUI_PASSPHRASE or --passphrase-file
    shell.run()
    assert (
        "Locked the vault after 10 minutes without input; the next command unlocks it again.\n"
    ) in harness.capsys.readouterr().err


def test_the_lock_verb(harness: Harness) -> None:
    _, err = harness.run(["lock", "deadlines", "quit"])
    assert harness.unlocks == 2
    assert err.splitlines()[1:3] == [
        "Locked the vault; the next command asks for the passphrase.",
        "Unlocked the vault again.",
    ]


# -- guided new cases ------------------------------------------------------------------

SERIOUS_INCIDENT = [
    "new serious-incident",
    "Ada",  # given names
    "Guided-Fictional",  # family name
    "2030-01-01",  # date of birth: in the future, asked again
    "2019-05-04",
    "",  # sex: unknown
    "no",  # looked after
    "",  # child protection plan: no
    "",  # care leaver: no
    "",  # outcome: seriously harmed
    "2026-11-20",  # event date (a Friday)
    "",  # aware: today, Mon 23 Nov 2026
    "",  # where: in our area
    "",  # normally resident: yes
    "1",  # abuse or neglect: known
    "",  # place
    "SYNTHETIC: a fictional child was seriously harmed at home.",
    "",  # threshold decision: not decided
    "",  # save: yes
    "case list --search Guided",
    "quit",
]


def test_a_serious_incident_through_the_guided_prompts_alone(harness: Harness) -> None:
    """It shows its duties before saving, is saved, and is in case list."""
    out, err = harness.run(SERIOUS_INCIDENT)
    preview, _, listing = out.partition("CASE         KIND")
    # Aware Mon 23 Nov 2026: 5 working days later is Mon 30 Nov (24, 25, 26, 27, 30).
    assert "Duties these facts raise (not saved yet):" in preview
    assert (
        "panel-notification: Notify the Child Safeguarding Practice Review Panel\n"
        "  due:        Mon 30 Nov 2026 (5 working days after the LA became aware); "
        "5 working days left\n"
    ) in preview
    assert "  because:    abuse or neglect is known\n" in preview
    assert "rapid-review: Complete a rapid review" in preview
    assert "  panel-notification: due 2026-11-30 (5 working days left)\n" in preview
    assert (
        "error: Date of birth: Tue 01 Jan 2030: is in the future; give the date it happened" in err
    )
    assert "\x1b" not in out + err  # plain text: no escape sequence, no colour
    (saved,) = [line for line in err.splitlines() if line.startswith("Saved case")]
    case_id = saved.split()[2]
    assert saved == f"Saved case {case_id} (serious incident) with 2 open duties."
    (row,) = listing.splitlines()[1:]
    assert row.startswith(f"{case_id}  serious_incident   AG ")
    assert "2026-11-30  later (5 working days left) 2" in row


def test_the_questions_come_one_at_a_time_in_the_forms_order(harness: Harness) -> None:
    """A care leaver's death: the kind fixes care leaver and the outcome, so they are
    not asked; each question is a prompt of its own, defaults in brackets."""
    harness.run(["new care-leaver-death", "cancel"], interactive=True)
    lines = [
        "new care-leaver-death",
        "Cal",
        "Leaver-Fictional",
        "2003-05-01",
        "M",
        "",
        "2026-11-16",
        "2026-11-17",
        "2",
        "",
        "",
        "",
        "",
        "no",
        "quit",
    ]
    harness.run(lines, interactive=True)
    dated = "(e.g. 30/11/2026, 2026-11-30 or today)"
    assert harness.feed.prompts[1:15] == [
        "Given names: ",
        "Family name: ",
        f"Date of birth {dated}: ",
        "Sex? 1 Unknown / not given, 2 Female, 3 Male [1]: ",
        "Child protection plan? yes or no [no]: ",
        f"Date of the event {dated}: ",
        f"Date the LA became aware {dated} [23/11/2026]: ",
        "Where it happened? 1 In our area, 2 Elsewhere in England, 3 Outside England [1]: ",
        "Normally resident in our area? yes or no [yes]: ",
        "Abuse or neglect? 1 Known, 2 Suspected, 3 None known or suspected [3]: ",
        "Place (optional): ",
        "Outline (a few sentences): ",
        "Save this case? yes or no [yes]: ",
        "notify-tui> ",
    ]


def test_unborn_is_asked_only_without_a_date_of_birth(harness: Harness) -> None:
    lines = ["new serious-incident", "Baby", "Unborn-Fictional", "", "no", "", "yes", "cancel"]
    _, err = harness.run(lines, interactive=True)
    dated = "(e.g. 30/11/2026, 2026-11-30 or today; blank if unborn)"
    assert harness.feed.prompts[3:7] == [
        f"Date of birth {dated}: ",
        "Unborn child? yes or no [no]: ",
        f"Date of birth {dated}: ",  # neither: asked again
        "Unborn child? yes or no [no]: ",
    ]
    assert "error: Date of birth: required" in err
    assert "Cancelled; nothing was saved." in err


def test_a_decision_with_a_short_rationale_is_asked_again_then_recorded(
    harness: Harness, home: Path
) -> None:
    lines = SERIOUS_INCIDENT[:17] + [
        "2",  # notify: threshold met
        "Because.",  # under a sentence: asked again
        "Neglect is known and the harm is serious (fictional).",
        "yes",
        "quit",
    ]
    _, err = harness.run(lines)
    assert "error: Rationale: say why in at least a sentence" in err
    (saved,) = [line for line in err.splitlines() if line.startswith("Saved case")]
    assert saved.endswith("with 2 open duties. Recorded the decision to notify.")
    shown = cli_output(home, "case", "show", saved.split()[2])
    assert "  Panel: notify (threshold met) — decided 23 Nov 2026 by Test Lead (fictional): " in (
        shown
    )


def test_a_birth_after_the_event_is_asked_again_before_the_duties(harness: Harness) -> None:
    """Each date passes alone; together the rules refuse them, so the date of birth is
    asked again as soon as the facts are in, before any duty is shown."""
    lines = ["new child-death", "Ada", "Order-Fictional", "2020-03-14", "", "", "", ""]
    lines += ["2019-01-01", "", "", "", "", "2018-12-01", "cancel"]
    out, err = harness.run(lines, interactive=True)
    assert "error: Date of birth: date of birth is after the event date" in err
    assert harness.feed.prompts[12:14] == [
        "Abuse or neglect? 1 Known, 2 Suspected, 3 None known or suspected [3]: ",
        "Date of birth (e.g. 30/11/2026, 2026-11-30 or today) [2020-03-14]: ",
    ]
    # Born 1 Dec 2018, died 1 Jan 2019, the LA aware Mon 23 Nov 2026: the CDOP was due
    # the next working day, Tue 24 Nov 2026.
    assert "cdop-notification: Notify the Child Death Overview Panel\n" in out
    assert "  due:        Tue 24 Nov 2026 (1 working day after the LA became aware)" in out
    assert harness.feed.prompts[14] == "Place (optional): "


def test_an_answer_that_does_not_read_is_asked_again(harness: Harness) -> None:
    lines = ["new child-death", "Ada", "Death-Fictional", "2020-03-14", "7", "F", "pony"]
    lines += ["cancel"]
    _, err = harness.run(lines, interactive=True)
    assert "error: Sex: answer a number from 1 to 3" in err
    assert "error: Looked after: answer a number from 1 to 3" in err
    looked_after = "Looked after? 1 No, 2 Yes, 3 Work out from the care periods [1]: "
    assert harness.feed.prompts[4:8] == [
        "Sex? 1 Unknown / not given, 2 Female, 3 Male [1]: ",
        "Sex? 1 Unknown / not given, 2 Female, 3 Male [1]: ",
        looked_after,
        looked_after,
    ]


def test_cancel_and_a_refused_save_write_nothing(harness: Harness, home: Path) -> None:
    before = cli_output(home, "case", "list")
    _, err = harness.run(["new child-death", "Ada", "cancel", "quit"])
    assert "Cancelled; nothing was saved." in err
    _, err = harness.run([*SERIOUS_INCIDENT[:18], "no", "quit"])
    assert "Not saved." in err.splitlines()
    assert cli_output(home, "case", "list") == before


class Interrupting(Feed):
    """A Feed whose line "^C" is ctrl+c pressed at the prompt."""

    def __call__(self, prompt: str) -> str | None:
        line = super().__call__(prompt)
        if line == "^C":
            raise KeyboardInterrupt
        return line


def test_ctrl_c_clears_a_line_and_cancels_a_guided_case(harness: Harness, home: Path) -> None:
    """At the prompt it only clears the line; in a question it cancels (it never takes
    the default answer)."""
    before = cli_output(home, "case", "list")
    shell = harness.shell([])
    shell.read_line = Interrupting(harness.clock, ["^C", *SERIOUS_INCIDENT[:17], "^C", "quit"])
    harness.capsys.readouterr()
    shell.run()
    err = harness.capsys.readouterr().err
    assert "Cancelled; nothing was saved." in err
    assert err.endswith("Locked the vault. Goodbye.\n")
    assert cli_output(home, "case", "list") == before


def test_the_end_of_input_in_a_guided_prompt_ends_the_shell(harness: Harness, home: Path) -> None:
    _, err = harness.run(["new child-death", "Ada"])
    assert err.splitlines()[-2:] == [
        "The input ended; nothing was saved.",
        "Locked the vault. Goodbye.",
    ]


def test_an_idle_lock_during_a_guided_prompt_saves_nothing(harness: Harness, home: Path) -> None:
    before = cli_output(home, "case", "list")
    _, err = harness.run(["new child-death", "Ada", (IDLE, "Death-Fictional"), "quit"])
    assert err.splitlines()[1:3] == [
        "Locked the vault after 10 minutes without input; "
        "the next command asks for the passphrase.",
        "The vault locked while you were answering; nothing was saved.",
    ]
    assert cli_output(home, "case", "list") == before


# -- words and completion --------------------------------------------------------------


def test_quotes_group_words_and_backslashes_are_kept() -> None:
    assert split_line('case list --search "Ada Lovelace"') == [
        "case",
        "list",
        "--search",
        "Ada Lovelace",
    ]
    assert split_line(r"check C:\Users\Fictional\facts.json") == [
        "check",
        r"C:\Users\Fictional\facts.json",
    ]
    assert split_line("resolve SI-1 incident.place 'Ward 3 # east'") == [
        "resolve",
        "SI-1",
        "incident.place",
        "Ward 3 # east",
    ]


@pytest.mark.parametrize(
    ("before_cursor", "expected"),
    [
        ("de", ["deadlines", "decide"]),
        ("pa", []),  # passwd does not run in the line mode
        ("case l", ["list"]),
        ("new c", ["care-leaver-death", "child-death"]),
        ("deadlines --format ", ["text", "json", "md"]),
        ("help case s", ["show"]),
    ],
)
def test_completion(before_cursor: str, expected: list[str]) -> None:
    assert completions(cli, before_cursor) == expected


def test_completion_offers_a_commands_options_but_not_the_vault_ones() -> None:
    options = completions(cli, "case list --")
    assert "--overdue" in options and "--due-within" in options
    assert "--home" not in options and "--passphrase-file" not in options


def test_completion_of_the_first_word_leaves_out_what_does_not_run_here() -> None:
    words = completions(cli, "")
    assert {"help", "new", "lock", "quit", "case", "check", "deadlines"} <= set(words)
    assert not {"init", "demo", "passwd", "recover", "shell"} & set(words)
