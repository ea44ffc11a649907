"""Sync: this device's keys, peers, export and import of bundles, receipts received."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    DataTable,
    Footer,
    Header,
    ProgressBar,
    Static,
    TabbedContent,
    TabPane,
)
from textual.worker import Worker, WorkerState

from notify_tui.domain.text import terminal_line
from notify_tui.errors import NotifyError
from notify_tui.services.session import Session
from notify_tui.services.sync import BUNDLE_SUFFIX
from notify_tui.services.sync_types import ImportOutcome
from notify_tui.tui.messages import report_failure
from notify_tui.tui.modals.confirm import ConfirmScreen
from notify_tui.tui.modals.path_prompt import PathPromptScreen
from notify_tui.tui.widgets.spinner import Spinner
from notify_tui.views.restore import catch_up_banner
from notify_tui.views.sync import (
    RESULT_WORDS,
    PeerRow,
    peer_rows,
    receipt_rows,
    this_device,
)

SyncStart = Literal["peers", "export", "import"]
"""What the screen opens on: the peers tab, or straight into the export or import prompt."""

ROLE_WORDS = {"la": "local authority", "office": "office"}

DEFAULT_OUTBOX = "~/notify-outbox"
DEFAULT_INBOX = "~/notify-inbox"


def check_export_folder(path: Path) -> str | None:
    """An export folder must be a folder, or a new one inside an existing folder (the
    rule of the CLI's `export --to`: the service creates it, never its parents)."""
    if path.exists():
        return None if path.is_dir() else f"{path} is a file; give a folder"
    if not path.parent.is_dir():
        return f"{path.parent}: no such folder"
    return None


def check_import_folder(path: Path) -> str | None:
    """An import folder must exist."""
    return None if path.is_dir() else f"{path}: no such folder"


def check_new_keys_file(path: Path) -> str | None:
    """A keys file is written as a new file in an existing folder."""
    if path.is_dir():
        return f"{path} is a folder; give a file name"
    if path.exists():
        return f"{path} already exists; choose a new file name"
    if not path.parent.is_dir():
        return f"{path.parent}: no such folder"
    return None


def check_keys_file(path: Path) -> str | None:
    """A peer's keys file must exist."""
    return None if path.is_file() else f"{path}: no such file"


def shown(text: str) -> str:
    """A peer's (or a file's) text for a markup widget: one line, no control or bidi
    character, markup escaped."""
    return escape(terminal_line(text))


def one_line(text: str | None, width: int = 70) -> str:
    """The first line of a reason, cut to fit a table column."""
    first = (text or "").splitlines()[0] if text else ""
    return first if len(first) <= width else first[: width - 1] + "…"


BUSY_DISABLED = frozenset({"export", "import", "add_peer", "revoke", "export_keys", "back"})
"""Actions refused while an export or import runs: each would wait behind it for the
vault (freezing the screen) or leave the screen and lose its result."""


class SyncScreen(Screen[None]):
    """Exchange bundles with peers: keys, trust, export, import, receipts.

    Export and import run in a thread worker (the vault's verbs run on its owner
    thread): the spinner turns, the progress bar moves a file at a time, and `x` and `i`
    are disabled until the work is done.
    """

    CSS_PATH = "sync.tcss"
    BINDINGS = [
        Binding("x", "export", "Export", id="sync.export", show=True),
        Binding("i", "import", "Import", id="sync.import", show=True),
        Binding("a", "add_peer", "Add peer", id="sync.add_peer", show=True),
        Binding("r", "revoke", "Revoke peer", id="sync.revoke", show=True),
        Binding("e", "export_keys", "Export my keys", id="sync.export_keys", show=True),
        Binding("1", "tab('peers')", "Peers", id="sync.tab_peers", show=False),
        Binding("2", "tab('import')", "Import", id="sync.tab_import", show=False),
        Binding("3", "tab('receipts')", "Receipts", id="sync.tab_receipts", show=False),
        Binding("escape", "back", "Back", id="sync.back", show=True),
    ]
    """Keys (remap by id with `App.set_keymap`):

    | key | id | does |
    |---|---|---|
    | x | sync.export | write a bundle per peer into a folder (default ~/notify-outbox) |
    | i | sync.import | import every bundle in a folder, with a result per file |
    | a | sync.add_peer | trust a peer from its keys file |
    | r | sync.revoke | stop trusting the highlighted peer (asks first) |
    | e | sync.export_keys | write this device's keys file for a peer |
    | 1 | sync.tab_peers | the peers and keys tab |
    | 2 | sync.tab_import | the import results tab |
    | 3 | sync.tab_receipts | the receipts received tab |
    | escape | sync.back | back to the dashboard |
    """

    class ImportStarted(Message):
        """A folder import found its bundle files and is starting on the first."""

        def __init__(self, folder: Path, total: int) -> None:
            super().__init__()
            self.folder = folder
            self.total = total

    class ImportProgress(Message):
        """Files of a folder import done so far (newer replaces older in the queue)."""

        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done = done
            self.total = total

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, SyncScreen.ImportProgress)

    class FileImported(Message):
        """One bundle file was imported or refused."""

        def __init__(self, outcome: ImportOutcome) -> None:
            super().__init__()
            self.outcome = outcome

    class ImportFinished(Message):
        """A folder import ended; every file was moved to done/ or rejected/."""

        def __init__(self, outcomes: list[ImportOutcome]) -> None:
            super().__init__()
            self.outcomes = outcomes

    class ExportFinished(Message):
        """Bundles were written (one per peer)."""

        def __init__(self, paths: list[Path]) -> None:
            super().__init__()
            self.paths = paths

    def __init__(self, session: Session, start: SyncStart = "peers") -> None:
        super().__init__()
        self.session = session
        self.service = session.sync
        self.start = start
        self.peers: list[PeerRow] = []
        self.busy = False
        """An export or import is running (its keys are disabled meanwhile)."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="this-device")
        yield Static(id="catch-up")
        yield Spinner("Working on the bundles", id="sync-working")
        with TabbedContent(initial="peers"):
            with TabPane("Peers and keys", id="peers"):
                yield DataTable(id="peer-table", cursor_type="row", zebra_stripes=True)
                yield Static(id="export-result")
            with TabPane("Import", id="import"):
                yield Static("No import yet: press i and give a folder.", id="import-status")
                yield ProgressBar(id="import-progress", show_eta=False)
                yield DataTable(id="import-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Receipts received", id="receipts"):
                yield Static(
                    "What each peer says it holds (signed in the bundles it sent).",
                    id="receipts-note",
                )
                yield DataTable(id="receipt-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Sync"
        me = this_device(self.service)
        self.sub_title = me["org"]
        self.query_one("#this-device", Static).update(
            f"[b]This device[/b] {me['device_id']} · {me['org']} · {ROLE_WORDS[me['role']]}\n"
            f"Signing key {me['fingerprint']} (compare it with the peer by phone)"
        )
        for table_id, columns in (
            ("#peer-table", (("device", "Device"), ("org", "Organisation"), ("role", "Role"),
                             ("trust", "Trust"), ("waiting", "Events to send"))),
            ("#import-table", (("file", "File"), ("result", "Result"),
                               ("events", "New events"), ("reason", "Reason"))),
            ("#receipt-table", (("peer", "From"), ("chain", "Holds events of"),
                                ("upto", "Up to event"), ("at", "Held since (UTC)"))),
        ):  # fmt: skip
            table = self.query_one(table_id, DataTable)
            for key, label in columns:
                table.add_column(label, key=key)
        self.query_one("#import-progress", ProgressBar).display = False
        self.refresh_tables()
        self.query_one("#peer-table", DataTable).focus()
        if self.start == "export":
            self.call_after_refresh(self.action_export)
        elif self.start == "import":
            self.call_after_refresh(self.action_import)

    # -- showing -------------------------------------------------------------------

    def refresh_tables(self) -> None:
        """Read peers, waiting events, receipts and the catch-up after a restore again."""
        banner = catch_up_banner(self.service.catch_up())
        catch_up = self.query_one("#catch-up", Static)
        catch_up.display = banner is not None
        catch_up.update(f"[b]Restore:[/b] {escape(banner)}" if banner else "")
        self.peers = peer_rows(self.service)
        table = self.query_one("#peer-table", DataTable)
        cursor = table.cursor_row
        table.clear()
        for peer in self.peers:
            table.add_row(
                peer.device_id,
                peer.org,
                ROLE_WORDS.get(peer.role, peer.role),
                f"REVOKED {peer.revoked_at[:10]}" if peer.revoked_at else "trusted",
                "-" if peer.waiting is None else str(peer.waiting),
                key=peer.device_id,
            )
        if not self.peers:
            self.query_one("#export-result", Static).update(
                "No peers yet. Press e to write this device's keys file for a peer, "
                "and a to add a peer from the keys file it sent you."
            )
        elif table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
        receipts = self.query_one("#receipt-table", DataTable)
        receipts.clear()
        rows = receipt_rows(
            self.service.latest_receipts(), self.service.list_peers(), self.service.me().device_id
        )
        for receipt in rows:
            receipts.add_row(
                f"{receipt.peer_org} ({receipt.peer})",
                receipt.chain_owner,
                str(receipt.held_up_to),
                receipt.received_at[:19].replace("T", " "),
            )

    def highlighted_peer(self) -> PeerRow | None:
        """The peer under the cursor."""
        table = self.query_one("#peer-table", DataTable)
        if not self.peers or not table.row_count:
            return None
        return self.peers[min(table.cursor_row, len(self.peers) - 1)]

    # -- work in the background ----------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While an export or import runs, the actions that would wait for the vault (or
        leave the screen and lose its result) are disabled, shown dimmed."""
        if action in BUSY_DISABLED and self.busy:
            return None
        return True

    def _working(self, busy: bool) -> None:
        self.busy = busy
        spinner = self.query_one("#sync-working", Spinner)
        if busy:
            spinner.start()
        else:
            spinner.stop()
        self.refresh_bindings()

    @on(Worker.StateChanged)
    def _work_ended(self, event: Worker.StateChanged) -> None:
        # The app's handler says what failed; this puts the screen back.
        if event.worker.group != "sync" or event.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            return
        report_failure(self, event)
        self._working(False)
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            reason = error.message if isinstance(error, NotifyError) else "an internal error"
            if event.worker.name == "export":
                self.query_one("#export-result", Static).update(f"[b]Not exported:[/b] {reason}")
            else:
                self.query_one("#import-status", Static).update(f"[b]Not imported:[/b] {reason}")

    # -- export --------------------------------------------------------------------

    def action_export(self) -> None:
        """Ask for a folder, then write a bundle for every trusted peer into it."""
        self.app.push_screen(
            PathPromptScreen(
                "Export to peers",
                "Folder for the bundles (created if missing):",
                DEFAULT_OUTBOX,
                check_export_folder,
                action="Export",
            ),
            self._export_to,
        )

    def _export_to(self, folder: Path | None) -> None:
        if folder is not None and not self.busy:
            self.query_one("#export-result", Static).update("Exporting…")
            self._working(True)
            self.export(folder)

    @work(thread=True, exclusive=True, group="sync", name="export", exit_on_error=False)
    def export(self, folder: Path) -> None:
        """Write the bundles off the UI thread (the service creates a missing folder,
        not its parents: the rule of the CLI's `export --to`)."""
        self.post_message(self.ExportFinished(self.service.export(folder)))

    @on(ExportFinished)
    def _exported(self, event: ExportFinished) -> None:
        written = "\n".join(f"  {shown(str(path))}" for path in event.paths)
        self.query_one("#export-result", Static).update(
            f"[b]Exported {len(event.paths)} bundle(s):[/b]\n{written}\n"
            "Send each file to its peer; nothing else needs to go with it."
        )
        self.refresh_tables()
        self.notify(f"{len(event.paths)} bundle(s) written.", title="Exported")

    # -- import --------------------------------------------------------------------

    def action_import(self) -> None:
        """Ask for a folder, then import every bundle in it."""
        self.app.push_screen(
            PathPromptScreen(
                "Import from peers",
                "Folder holding the bundles you received:",
                DEFAULT_INBOX,
                check_import_folder,
                action="Import",
            ),
            self._import_from,
        )

    def _import_from(self, folder: Path | None) -> None:
        if folder is None or self.busy:
            return
        self.action_tab("import")
        self.query_one("#import-table", DataTable).clear()
        self.query_one("#import-status", Static).update(f"Looking for bundles in {folder}…")
        self._working(True)
        self.import_folder(folder)

    @work(thread=True, exclusive=True, group="sync", name="import", exit_on_error=False)
    def import_folder(self, folder: Path) -> None:
        """Import the folder's bundles for this device one file at a time, off the UI
        thread, as the CLI's `import --from` does (the same service call).

        A refused file is tried again after the others (bundles may arrive in any
        order), so it may be reported twice; its last outcome counts. Then each file is
        moved to done/ or rejected/; files for another device stay where they are.
        """
        folder = folder.expanduser()
        total = len(self.service.files_for(folder, self.session.identity.device_id))
        self.post_message(self.ImportStarted(folder, total))
        seen: set[Path] = set()

        def told(outcome: ImportOutcome) -> None:
            seen.add(outcome.path)
            self.post_message(self.FileImported(outcome))
            self.post_message(self.ImportProgress(len(seen), total))

        outcomes = self.service.import_from_dir(folder, on_outcome=told)
        for outcome in outcomes:
            if outcome.path not in seen:
                self.post_message(self.FileImported(outcome))
        self.post_message(self.ImportFinished(outcomes))

    @on(ImportStarted)
    def _import_started(self, event: ImportStarted) -> None:
        bar = self.query_one("#import-progress", ProgressBar)
        bar.display = True
        bar.update(total=max(event.total, 1), progress=0)
        self.query_one("#import-status", Static).update(
            f"Importing {event.total} file(s) from {event.folder}…"
        )

    @on(ImportProgress)
    def _import_progress(self, event: ImportProgress) -> None:
        self.query_one("#import-progress", ProgressBar).update(
            total=max(event.total, 1), progress=event.done
        )

    @on(FileImported)
    def _file_imported(self, event: FileImported) -> None:
        outcome = event.outcome
        table = self.query_one("#import-table", DataTable)
        cells = (
            shown(outcome.path.name),
            RESULT_WORDS.get(outcome.status, outcome.status),
            str(outcome.new_events),
            shown(one_line(outcome.reason)) or "-",
        )
        key = str(outcome.path)
        if key in {str(row.value) for row in table.rows}:
            for column, value in zip(("file", "result", "events", "reason"), cells, strict=True):
                table.update_cell(key, column, value)
        else:
            table.add_row(*cells, key=key)

    @on(ImportFinished)
    def _import_finished(self, event: ImportFinished) -> None:
        outcomes = event.outcomes
        accepted = sum(o.status == "imported" for o in outcomes)
        refused = sum(o.status == "refused" for o in outcomes)
        held = sum(o.status == "already imported" for o in outcomes)
        left = len(outcomes) - accepted - refused - held
        new_events = sum(o.new_events for o in outcomes)
        cases = {case for o in outcomes for case in o.cases}
        bar = self.query_one("#import-progress", ProgressBar)
        bar.update(total=max(len(outcomes), 1), progress=max(len(outcomes), 1))
        summary = (
            f"[b]{len(outcomes)} file(s):[/b] {accepted} accepted, {refused} refused, "
            f"{held} already held, {left} left in place · {new_events} new event(s) "
            f"in {len(cases)} case(s). Files moved to done/ and rejected/."
        )
        if not outcomes:
            summary = f"No bundle files (*{BUNDLE_SUFFIX}) in that folder."
        self.query_one("#import-status", Static).update(summary)
        self.refresh_tables()
        self.notify(summary.replace("[b]", "").replace("[/b]", ""), title="Import finished")

    # -- keys and trust ------------------------------------------------------------

    def action_export_keys(self) -> None:
        """Write this device's keys file, to give to a peer."""
        device = self.service.me().device_id
        self.app.push_screen(
            PathPromptScreen(
                "Export my keys",
                "Write this device's public keys to (give the file to your peer):",
                f"~/notify-keys-{device}.json",
                check_new_keys_file,
                action="Write",
            ),
            self._write_keys,
        )

    def _write_keys(self, path: Path | None) -> None:
        if path is None:
            return
        try:
            self.service.keys_export(path)
        except NotifyError as error:
            self.notify(error.message, title="Not written", severity="error")
            return
        self.query_one("#export-result", Static).update(f"[b]Keys written:[/b] {path}")
        self.notify(f"Keys written to {path}.", title="Keys")

    def action_add_peer(self) -> None:
        """Trust a peer from the keys file it sent."""
        self.app.push_screen(
            PathPromptScreen(
                "Add a peer",
                "The keys file your peer sent (check its fingerprint with them):",
                "~/",
                check_keys_file,
                action="Trust",
            ),
            self._add_peer,
        )

    def _add_peer(self, path: Path | None) -> None:
        """Show the keys file's device and fingerprint; trust it once it is confirmed."""
        if path is None:
            return
        try:
            preview = self.service.peer_preview(path)
        except NotifyError as error:
            self.notify(shown(error.message), title="Not added", severity="error")
            return

        def trust(confirmed: bool | None) -> None:
            if not confirmed:
                self.notify("Not trusted: the fingerprint was not confirmed.", title="Add peer")
                return
            try:
                device = self.service.add_peer(path, preview.fingerprint)
            except NotifyError as error:
                self.notify(shown(error.message), title="Not added", severity="error")
                return
            self.refresh_tables()
            self.notify(
                f"Now trusting {shown(device.org)} ({device.device_id}), key {device.fingerprint}.",
                title="Peer added",
            )

        self.app.push_screen(
            ConfirmScreen(
                f"Trust {terminal_line(preview.org)}?",
                f"Device {preview.device_id}: {terminal_line(preview.org)} "
                f"({ROLE_WORDS[preview.role]})\n\nSigning key fingerprint:\n"
                f"{preview.fingerprint}\n\nAsk the peer to read out its fingerprint (by "
                "phone, not by the way the file came). Trust it only if every character "
                "is the same.",
                "Trust",
            ),
            trust,
        )

    def action_revoke(self) -> None:
        """Stop trusting the highlighted peer, after asking."""
        peer = self.highlighted_peer()
        if peer is None:
            self.notify("No peer to revoke.", severity="warning")
            return
        if peer.revoked_at:
            self.notify(f"{peer.device_id} is already revoked.", severity="warning")
            return

        def revoke(confirmed: bool | None) -> None:
            if not confirmed:
                return
            try:
                self.service.revoke_peer(peer.device_id)
            except NotifyError as error:
                self.notify(error.message, title="Not revoked", severity="error")
                return
            self.refresh_tables()
            self.notify(f"{peer.org} ({peer.device_id}) revoked.", title="Revoked")

        self.app.push_screen(
            ConfirmScreen(
                f"Revoke {peer.org}?",
                f"Device {peer.device_id} ({peer.org}) will no longer be trusted: its "
                "bundles are refused and nothing is exported to it. This cannot be undone; "
                "the device would need a new id to be trusted again.",
                "Revoke",
            ),
            revoke,
        )

    # -- navigation ----------------------------------------------------------------

    def action_tab(self, tab: str) -> None:
        """Show a tab."""
        self.query_one(TabbedContent).active = tab

    def action_back(self) -> None:
        """Back to the dashboard."""
        self.dismiss(None)
