"""Import judges a peer's duty events against the record its author had seen, and still
takes what two devices did apart (issue 16; `notify_tui.sync.record_rules`).

Northshire Council has two workstations (Ann's and Bob's) and a business office; all
exchange real bundles. The contradictions are refused in test_peer_bad_data.py; here,
histories the Session allows on each device, made apart, all import, whatever the
order. Today is Monday 23 November 2026; a serious incident known Tue 17 Nov, its Panel
notification due Tue 24 Nov. All people are synthetic.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import factories
import pytest
from bundle_support import export_to, import_ok, make_session, trust_each_other

from notify_tui.services.session import Session

PANEL = "panel-notification"


@dataclass
class Three:
    root: Path
    ann: Session
    bob: Session
    office: Session

    def send(self, sender: Session, receiver: Session) -> None:
        import_ok(receiver, export_to(sender, receiver, self.root / "bundles"))


@pytest.fixture
def three(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Three]:
    monkeypatch.setenv("NOTIFY_TUI_TODAY", "2026-11-23")
    ann = make_session(tmp_path / "ann", "Northshire Council", author="Ann A")
    bob = make_session(tmp_path / "bob", "Northshire Council", author="Bob B")
    office = make_session(tmp_path / "office", "Northshire CSP Office", "office", "Olu O")
    trust_each_other([ann, bob, office], tmp_path / "keys")
    yield Three(tmp_path, ann, bob, office)
    for session in (ann, bob, office):
        session.close()


def incident(session: Session) -> str:
    return session.create_case(
        factories.case(
            "serious_incident",
            subjects=[{"given_names": "Test", "family_name": "Fictional"}],
            facts={"date_of_birth": "2019-01-01", "outcome": "seriously_harmed",
                   "event_date": "2026-11-16", "aware_date": "2026-11-17",
                   "abuse_or_neglect": "suspected"},
        )
    )  # fmt: skip


def panel(session: Session, case_id: str) -> tuple[str, str | None, str | None]:
    duty = next(d for d in session.case_detail(case_id).duties if d.duty == PANEL)
    return duty.status, duty.sent_on, duty.acknowledged_on


def test_an_acknowledgement_of_a_send_corrected_meanwhile_is_taken(three: Three) -> None:
    """The office acknowledges Ann's send of Fri 20 Nov while Ann, not yet knowing,
    corrects it: the office had seen a send, so its acknowledgement is not refused."""
    ann, office = three.ann, three.office
    case_id = incident(ann)
    ann.mark_sent(case_id, PANEL, date(2026, 11, 20), "SIN-1")
    three.send(ann, office)
    office.acknowledge(case_id, PANEL, date(2026, 11, 23))
    ann.correct_duty(case_id, PANEL, "sent", "Sent from the wrong case; not sent yet.")
    three.send(office, ann)  # must not be refused
    three.send(ann, office)
    assert ann.projection_hash() == office.projection_hash()
    status, sent_on, acknowledged_on = panel(ann, case_id)
    assert (status, sent_on, acknowledged_on) == ("acknowledged", None, "2026-11-23")


def test_two_workstations_sending_apart_make_a_conflict_not_a_refusal(three: Three) -> None:
    ann, bob, office = three.ann, three.bob, three.office
    case_id = incident(ann)
    three.send(ann, bob)
    ann.mark_sent(case_id, PANEL, date(2026, 11, 20), "SIN-1")
    bob.mark_sent(case_id, PANEL, date(2026, 11, 19), "SIN-2")
    three.send(ann, office)
    three.send(bob, office)  # Bob had not seen Ann's send: a conflict, kept
    conflicts = [c.field for c in office.conflicts() if c.case_id == case_id]
    assert conflicts == [f"duties.{PANEL}.sent"]


def test_a_decision_not_to_notify_after_a_correction_seen_elsewhere_is_taken(
    three: Three,
) -> None:
    """Ann sends; Bob, with Ann's send, corrects it; Ann, with Bob's correction, decides
    not to notify. Ann's own chain holds her send, but the correction replaced it."""
    ann, bob, office = three.ann, three.bob, three.office
    case_id = incident(ann)
    ann.mark_sent(case_id, PANEL, date(2026, 11, 20), "SIN-1")
    three.send(ann, bob)
    bob.correct_duty(case_id, PANEL, "sent", "Recorded on the wrong case after all.")
    three.send(bob, ann)
    ann.decide(case_id, notify=False, rationale="Threshold not met on the facts now held.")
    three.send(ann, office)  # carries Bob's correction too (the office relays; Ann holds it)
    three.send(bob, office)
    assert panel(office, case_id)[0] == "not_notifying"
    assert office.projection_hash() == ann.projection_hash()


def test_a_resend_after_a_correction_is_taken(three: Three) -> None:
    ann, office = three.ann, three.office
    case_id = incident(ann)
    ann.mark_sent(case_id, PANEL, date(2026, 11, 19), "SIN-1")
    three.send(ann, office)
    ann.correct_duty(case_id, PANEL, "sent", "The reference was another case's.")
    ann.mark_sent(case_id, PANEL, date(2026, 11, 20), "SIN-2")
    three.send(ann, office)
    assert panel(office, case_id)[:2] == ("sent", "2026-11-20")


def test_a_withdrawal_the_rules_do_not_require_is_taken(three: Three) -> None:
    """Ann edits the facts so the Panel duty is no longer raised, then withdraws its
    record by herself: the duty is not statutory on what she had seen."""
    ann, office = three.ann, three.office
    case_id = incident(ann)
    ann.mark_sent(case_id, PANEL, date(2026, 11, 20), "SIN-1")
    ann.correct_duty(case_id, PANEL, "sent", "Sent in error before the facts were checked.")
    ann.edit_case(case_id, {"incident.abuse_or_neglect": "none"})
    assert PANEL in {d.duty for d in ann.case_detail(case_id).duties if not d.required}
    ann.withdraw(case_id, PANEL, "The facts no longer raise it at all.")
    three.send(ann, office)
    assert panel(office, case_id)[0] == "withdrawn"
