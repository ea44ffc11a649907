"""Care periods through a real vault: stored, folded back, assessed, shown on the case screen.

The synthetic care leaver: born 10 May 2004 (14 on 10 May 2018, 16 on 10 May 2020),
accommodated 1 Jun 2018 - 1 Aug 2020, died Sun 1 Nov 2026 aged 22; the LA became aware
Mon 2 Nov 2026, so the notification is due Mon 9 Nov (Tue 3 ... Fri 6, Mon 9).
"""

from __future__ import annotations

from collections.abc import Iterator

import factories
import pytest

from notify_tui.clock import system_clock
from notify_tui.services.session import Session
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.store.vault import Vault
from notify_tui.tui.screens.case_detail import describe_facts


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory, frozen_today: str) -> Iterator[Session]:
    home = tmp_path_factory.mktemp("vault")
    opened, _ = Vault.create(
        home, "a long test passphrase", org="Testshire", role="la", author="Test Lead",
        now=system_clock().now(), kdf=ARGON2_FLOOR)  # fmt: skip
    with Session(opened) as running:
        yield running
    opened.close()


def care_leaver_case() -> dict[str, object]:
    return factories.case(
        "care_leaver_death",
        facts={
            "date_of_birth": "2004-05-10",
            "event_date": "2026-11-01",
            "aware_date": "2026-11-02",
            "care_leaver": ...,
            "care_periods": [{"start": "2018-06-01", "end": "2020-08-01", "basis": "accommodated"}],
        },
        case_outline="SYNTHETIC TEST CASE",
    )


def test_a_case_with_care_periods_is_assessed_and_shown(session: Session) -> None:
    case_id = session.create_case(care_leaver_case())
    detail = session.case_detail(case_id)
    assert {d.duty: d.due for d in detail.duties} == {
        "care-leaver-death-notification": "2026-11-09"
    }
    subject = detail.document["subjects"][0]
    assert subject["care_periods"] == [
        {"start": "2018-06-01", "end": "2020-08-01", "basis": "accommodated"}
    ]
    assert "care_leaver" not in subject.get("legal_status", {})
    text = describe_facts(detail.document)
    assert "care periods: 1 Jun 2018 – 1 Aug 2020 (accommodated)" in text
    assert "care leaver on the event date: yes, worked out: looked after 1 Jun 2018" in text


def test_a_boolean_set_later_overrides_with_a_note(session: Session) -> None:
    case_id = session.create_case(care_leaver_case())
    session.edit_case(case_id, {"subjects.0.legal_status.looked_after": True})
    detail = session.case_detail(case_id)
    assert any(
        text.startswith(
            "The care periods given do not make the subject looked after on the event date, "
            "but looked_after is true: check the record"
        )
        for text in detail.advisories
    )
    assert "looked after on the event date: yes (given; the care periods say otherwise" in (
        describe_facts(detail.document)
    )
