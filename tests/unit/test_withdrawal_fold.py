"""The two-person withdrawal as the projection reads it: the second person is the
author and device of the confirming event, not the names written inside the values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from factories import FoldChange, FoldEvent

from notify_tui.domain.fold import fold_case
from notify_tui.store.projection import _withdrawal

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
DUTY = "cdop-notification"


C = FoldChange


ORG = "Testshire Council (test)"

REQUEST = FoldEvent(
    "e-request",
    T0,
    [
        C(
            f"duties.{DUTY}.withdrawal_requested",
            {"reason": "The child was not resident here.", "by": "A. Lead", "date": "2026-11-20"},
        )
    ],
    "duty.withdrawal_requested",
    author="A. Lead",
    device="dev-la",
    org=ORG,
)


def confirm(author: str, device: str, named: str) -> FoldEvent:
    value = {"by": named, "date": "2026-11-23", "request": "e-request"}
    return FoldEvent(
        "e-confirm",
        T0 + timedelta(days=3),
        [C(f"duties.{DUTY}.withdrawal_confirmed", value)],
        "duty.withdrawal_confirmed",
        author=author,
        device=device,
        org=ORG,
    )


def withdrawal(*events: FoldEvent) -> tuple[dict[str, Any], dict[str, Any]]:
    state = fold_case("CD-1", [REQUEST, *events])
    record = state.document("duties.")[DUTY]
    return _withdrawal(record, state, DUTY)


def test_the_office_confirming_from_its_own_device_withdraws_the_duty() -> None:
    in_force, pending = withdrawal(confirm("B. Office", "dev-office", "B. Office"))
    assert (in_force["confirmed_by"], pending) == ("B. Office", {})


def test_a_confirmation_by_the_requester_that_names_someone_else_is_not_a_second_person() -> None:
    in_force, pending = withdrawal(confirm("A. Lead", "dev-la", "B. Office"))
    assert in_force == {}
    assert pending["reason"] == "The child was not resident here."


def test_another_name_on_the_requesting_device_is_not_a_second_person() -> None:
    in_force, pending = withdrawal(confirm("C. Colleague", "dev-la", "C. Colleague"))
    assert (in_force, pending["by"]) == ({}, "A. Lead")
