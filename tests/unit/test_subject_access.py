"""Subject access (issue 18, part 5): everything held about one person, and no one
else's record; the third parties to redact; an AES-256 ZIP that an independent
implementation (pyzipper, as 7-Zip) opens with the password shown once; a plain ZIP only
when asked for; the export in each case's access log.

The NHS numbers are of the 999 000 series, which the NHS never issues (synthetic);
every person is fictional. Today is frozen on Monday 23 November 2026.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import factories
import pytest
import pyzipper

from notify_tui.clock import ManualClock
from notify_tui.domain.subject_access import matching_subjects, third_parties
from notify_tui.errors import InvalidInput, NotPermitted
from notify_tui.services.session import Session
from notify_tui.store.aes_zip import new_password, zip_bytes
from notify_tui.store.keyslots import ARGON2_FLOOR
from notify_tui.store.owner import InlineOwner

ADMIN, PASS = "Ada Admin (fictional)", "an admin passphrase, synthetic"
DEPUTY, DEPUTY_PASS = "Dee Deputy (fictional)", "a deputy passphrase, synthetic"
ASKED = "999 000 0018"
"""The person asked about (valid check digit; the 999 series is never issued)."""
SIBLING, OTHER = "9990000026", "9434765919"
SENTINEL = "Quokka-Sentinel-Asked"
SIBLING_NAME = "Wombat-Sentinel-Sibling"
OTHER_NAME = "Numbat-Sentinel-Other"


def child(given: str, family: str, nhs: str, born: str = "2019-06-01") -> dict[str, object]:
    return factories.subject(given_names=given, family_name=family, nhs_number=nhs,
                             date_of_birth=born)  # fmt: skip


@pytest.fixture
def la(tmp_path: Path) -> Session:
    session, _ = Session.init(
        tmp_path / "la", PASS, org="Testshire (test)", role="la", author=ADMIN,
        kdf=ARGON2_FLOOR, owner=InlineOwner(),
        clock=ManualClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC)),
    )  # fmt: skip
    session.add_user(DEPUTY, "deputy", DEPUTY_PASS)
    return session


def cases(la: Session) -> tuple[str, str, str]:
    """The person asked about in two cases (once with a sibling, named by the notifier),
    and another child's case."""
    both = factories.case(
        "serious_incident",
        subjects=[child("Ada", SENTINEL, ASKED), child("Bo", SIBLING_NAME, SIBLING, "2017-02-03")],
        facts={"date_of_birth": ...},
        notifier={"name": "Nia Notifier (fictional)"},
        case_outline="SYNTHETIC: both children at the same address.",
    )
    alone = factories.case(
        "child_death",
        subjects=[child("Ada", SENTINEL, ASKED.replace(" ", ""))],
        facts={"date_of_birth": ...},
    )
    other = factories.case(
        "child_death", subjects=[child("Cy", OTHER_NAME, OTHER)], facts={"date_of_birth": ...}
    )
    first, second, third = la.create_cases([both, alone, other])
    return first, second, third


# -- the pure part ----------------------------------------------------------------------


def test_a_person_is_found_by_nhs_number_or_whole_name_only() -> None:
    document = {
        "subjects": [
            {"given_names": "Ada", "family_name": SENTINEL, "nhs_number": "9990000018"},
            {"given_names": "Bo", "family_name": SENTINEL, "other_names": "Bo Smith-Fictional"},
        ]
    }
    assert matching_subjects(document, nhs="999 000 0018") == [0]
    assert matching_subjects(document, nhs="9990000026") == []
    assert matching_subjects(document, name=f"  ada   {SENTINEL.upper()} ") == [0]
    assert matching_subjects(document, name="bo smith-fictional") == [1]
    # A family name alone sweeps no family in.
    assert matching_subjects(document, name=SENTINEL) == []


def test_third_parties_are_everyone_else_and_the_free_text() -> None:
    document = {
        "subjects": [
            {"given_names": "Ada", "family_name": SENTINEL},
            {"given_names": "Bo", "family_name": SIBLING_NAME},
        ],
        "notifier": {"name": "Nia Notifier (fictional)"},
        "case_outline": "SYNTHETIC outline.",
        "death": {"carer": "Cara Carer (fictional)"},
    }
    listed = {(p.where, p.name) for p in third_parties("SI-TEST0001", document, [0])}
    assert listed == {
        ("subjects.1", f"Bo {SIBLING_NAME}"),
        ("notifier.name", "Nia Notifier (fictional)"),
        ("case_outline", "SYNTHETIC outline."),
        ("death.carer", "Cara Carer (fictional)"),
    }


def test_the_zip_opens_in_an_independent_implementation_with_its_password() -> None:
    password = new_password()
    assert len(password.replace("-", "")) == 26  # 26 of 31 characters: 128 bits and more
    members = [("README.txt", b"synthetic\n" * 50), ("cases/X/record.json", SENTINEL.encode())]
    data = zip_bytes(members, password)
    assert SENTINEL.encode() not in data
    # Each member is method 99 (WinZip AES) with the encrypted flag, as zipfile reads it.
    with zipfile.ZipFile(io.BytesIO(data)) as listing:
        assert [(i.filename, i.compress_type, i.flag_bits & 1) for i in listing.infolist()] == [
            ("README.txt", 99, 1), ("cases/X/record.json", 99, 1)
        ]  # fmt: skip
    with pyzipper.AESZipFile(io.BytesIO(data)) as archive:
        archive.setpassword(password.encode())
        assert [archive.read(name) for name, _ in members] == [plain for _, plain in members]
    with pyzipper.AESZipFile(io.BytesIO(data)) as archive:
        archive.setpassword(b"not the password")
        with pytest.raises(RuntimeError, match="Bad password"):
            archive.read("README.txt")
    with zipfile.ZipFile(io.BytesIO(zip_bytes(members, None))) as plain:
        assert plain.testzip() is None
        assert plain.read("cases/X/record.json") == SENTINEL.encode()


# -- the export -------------------------------------------------------------------------


def read_export(path: Path, password: str | None) -> dict[str, bytes]:
    with pyzipper.AESZipFile(path) as archive:
        if password is not None:
            archive.setpassword(password.encode())
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_export_holds_the_person_s_cases_and_no_one_else_s(la: Session, tmp_path: Path) -> None:
    first, second, third = cases(la)
    target = tmp_path / "sar.zip"
    written = la.subject_access.export(nhs=ASKED, to=target)
    assert written.cases == tuple(sorted((first, second)))
    assert written.password is not None
    raw = target.read_bytes()
    assert SENTINEL.encode() not in raw and SIBLING_NAME.encode() not in raw  # encrypted
    members = read_export(target, written.password)
    assert sorted(members) == sorted(
        ["README.txt", "request.json", "third-parties.json", "third-parties.txt"]
        + [f"cases/{case}/{part}.json" for case in (first, second) for part in ("record", "audit")]
    )
    everything = b"".join(members.values())
    assert SENTINEL.encode() in everything
    assert OTHER_NAME.encode() not in everything and third.encode() not in everything
    request = json.loads(members["request.json"])
    assert request["asked_for"] == "the person with NHS number 9990000018"
    assert request["subjects"] == {first: [0], second: [0]}
    listed = json.loads(members["third-parties.json"])
    assert {"case": first, "where": "subjects.1", "role": "another child of the case",
            "name": f"Bo {SIBLING_NAME}"} in listed  # fmt: skip
    assert {
        (p["case"], p["where"], p["name"]) for p in listed if p["where"] == "notifier.name"
    } == {(first, "notifier.name", "Nia Notifier (fictional)")}
    assert (second, "audit", ADMIN) in {(p["case"], p["where"], p["name"]) for p in listed}


def test_the_export_is_in_each_case_s_access_log(la: Session, tmp_path: Path) -> None:
    first, second, third = cases(la)
    la.subject_access.export(name=f"Ada {SENTINEL}", to=tmp_path / "sar.zip")
    for case_id in (first, second):
        [entry] = [e for e in la.audit(case_id=case_id) if e.type == "access.recorded"]
        assert entry.summary == f"{ADMIN} exported the case for a subject access request"
    assert not [e for e in la.audit(case_id=third) if e.type == "access.recorded"]


def test_a_plain_zip_only_when_asked_for(la: Session, tmp_path: Path) -> None:
    cases(la)
    written = la.subject_access.export(nhs=ASKED, to=tmp_path / "plain.zip", plain=True)
    assert written.password is None
    with zipfile.ZipFile(written.path) as archive:
        assert SENTINEL in archive.read(f"cases/{written.cases[0]}/record.json").decode()


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ({"nhs": "9990000034"}, "no case holds the person with NHS number 9990000034; nothing"),
        ({"nhs": "1234567890"}, "--nhs 1234567890: not an NHS number"),
        ({"name": SENTINEL}, f"no case holds the person named '{SENTINEL}'; nothing was written"),
        ({}, "give --nhs NUMBER or --name NAME (one of them)"),
        ({"nhs": ASKED, "name": "Ada"}, "give --nhs NUMBER or --name NAME (one of them)"),
    ],
)
def test_refusals_write_nothing(
    la: Session, tmp_path: Path, asked: dict[str, str], expected: str
) -> None:
    cases(la)
    before = la.audit()
    with pytest.raises(InvalidInput) as refused:
        la.subject_access.export(to=tmp_path / "sar.zip", **asked)
    assert expected in refused.value.message
    assert list(tmp_path.glob("*.zip")) == [] and la.audit() == before


def test_an_existing_file_is_never_overwritten(la: Session, tmp_path: Path) -> None:
    cases(la)
    target = tmp_path / "sar.zip"
    target.write_bytes(b"the DPO's earlier export")
    with pytest.raises(InvalidInput, match="exists: name a new file"):
        la.subject_access.export(nhs=ASKED, to=target)
    assert target.read_bytes() == b"the DPO's earlier export"


def test_only_an_admin_exports(la: Session, tmp_path: Path) -> None:
    cases(la)
    home = la.home
    la.close()
    deputy = Session.unlock(home, passphrase=DEPUTY_PASS, user=DEPUTY, owner=InlineOwner())
    with deputy, pytest.raises(NotPermitted, match="export everything held about a person"):
        deputy.subject_access.export(nhs=ASKED, to=tmp_path / "sar.zip")
    assert not (tmp_path / "sar.zip").exists()
