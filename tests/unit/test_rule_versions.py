"""Rules in force on the day: each version of a rule applies from its `effective_from` to
the day before its `until`, chosen by the day the rule's clock starts (else the day the LA
became aware). Also: docs/rules.md's table of versions is the pack's, and every source
cites only known citations (notify_tui/domain/data/sources.json).

Expected dates were worked out by hand from a printed calendar and the gov.uk bank
holidays in England; the reasoning sits beside them. All data is synthetic.

Run this file as a script to rewrite the table in docs/rules.md from the pack.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import factories
import pytest

from notify_tui.domain.calendar import WorkingDayCalendar
from notify_tui.domain.models import validate_facts
from notify_tui.domain.rules import (
    Assessment,
    RulePack,
    assess,
    assess_partnership,
    default_rule_pack,
    parse_rule_pack,
)
from notify_tui.errors import InvalidInput

TODAY = date(2026, 11, 23)
CALENDAR = WorkingDayCalendar()
ROOT = Path(__file__).resolve().parents[2]
RULES_DOC = ROOT / "docs" / "rules.md"
TABLE_START = "<!-- rule versions: generated from the pack by tests/unit/test_rule_versions.py -->"
TABLE_END = "<!-- end of rule versions -->"

PANEL = "panel-notification"
LAC = "lac-death-notification"
CARE_LEAVER = "care-leaver-death-notification"
CDOP = "cdop-notification"
RAPID = "rapid-review"
LCSPR = "lcspr-publication"
ANNUAL = "annual-report-sent"

# A care leaver born 2 Nov 2001 died, no abuse suspected, in the area.
CARE_LEAVER_DEATH: dict[str, Any] = factories.facts(
    "care_leaver_death",
    date_of_birth="2001-11-02",
    outcome="died",
    event_date="2021-03-12",
    aware_date="2021-03-14",
    care_leaver=True,
    abuse_or_neglect="none",
    location="in_area",
)
CARE_LEAVER_WHY_NOT = (
    "No duty to notify the Secretary of State and Ofsted of the death of a care leaver:"
    " that duty began on 15 Dec 2023 (Working Together to Safeguard Children 2023,"
    " chapter 5 (December 2023 update)); the LA became aware on 14 Mar 2021."
)

# A 9-year-old died with abuse known, in the area: Panel, CDOP and (once notified) rapid
# review. Tests move the dates.
CHILD_DEATH: dict[str, Any] = factories.facts(
    "serious_incident",
    date_of_birth="2012-11-05",
    outcome="died",
    event_date="2022-04-13",
    aware_date="2022-04-14",
    abuse_or_neglect="known",
    location="in_area",
    normally_resident_in_area=True,
)


def run(base: dict[str, Any], **changes: Any) -> Assessment:
    return assess(validate_facts(factories.changed(base, changes), TODAY), CALENDAR)


def version(assessment: Assessment, duty_id: str) -> int | None:
    duty = assessment.duty(duty_id)
    return None if duty is None else duty.rule_version


def due(assessment: Assessment, duty_id: str) -> date | None:
    duty = assessment.duty(duty_id)
    assert duty is not None, f"{duty_id} not raised"
    return duty.due


# -- the acceptance case: a care-leaver death in 2021 and in 2025 ---------------------------


def test_care_leaver_death_in_2021_raises_no_duty_and_says_why() -> None:
    result = run(CARE_LEAVER_DEATH)
    assert result.duties == []
    assert result.advisories == [CARE_LEAVER_WHY_NOT]


def test_care_leaver_death_in_2025_raises_the_duty_under_version_1() -> None:
    result = run(CARE_LEAVER_DEATH, event_date="2025-03-12", aware_date="2025-03-14")
    assert [duty.id for duty in result.duties] == [CARE_LEAVER]
    duty = result.duty(CARE_LEAVER)
    assert duty is not None
    # aware Fri 14 Mar 2025 -> Mon 17, Tue 18, Wed 19, Thu 20, Fri 21 -> Fri 21 Mar 2025
    assert duty.due == date(2025, 3, 21)
    assert duty.rule_version == 1
    assert duty.effective_from == date(2023, 12, 15)
    assert duty.in_force_on == date(2025, 3, 14)
    assert duty.reasons[-1] == "rule as in force on 14 Mar 2025 (version 1, from 15 Dec 2023)"
    assert result.advisories == []


def check_json(tmp_path: Path, document: dict[str, Any]) -> dict[str, Any]:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(document))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("NOTIFY_TUI_DEBUG", "NOTIFY_TUI_PASSPHRASE")
    }
    env["NOTIFY_TUI_TODAY"] = TODAY.isoformat()
    env["NOTIFY_TUI_HOME"] = str(tmp_path / "home")
    result = subprocess.run(
        [sys.executable, "-m", "notify_tui", "check", "--json", str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    output: dict[str, Any] = json.loads(result.stdout)
    return output


def test_check_json_care_leaver_2021_and_2025(tmp_path: Path) -> None:
    before = check_json(tmp_path, CARE_LEAVER_DEATH)
    assert before["duties"] == []
    assert before["advisories"] == [CARE_LEAVER_WHY_NOT]

    later = factories.changed(CARE_LEAVER_DEATH, {"event_date": "2025-03-12"})
    later = factories.changed(later, {"aware_date": "2025-03-14"})
    after = check_json(tmp_path, later)
    (duty,) = after["duties"]
    assert duty["id"] == CARE_LEAVER
    assert duty["due"] == "2025-03-21"
    assert duty["rule_version"] == 1
    assert duty["effective_from"] == "2023-12-15"
    assert duty["in_force_on"] == "2025-03-14"
    assert "rule as in force on 14 Mar 2025 (version 1, from 15 Dec 2023)" in duty["reasons"]


# -- a test per version boundary: the day before and the day of -----------------------------


def test_panel_notification_begins_on_29_june_2018() -> None:
    # aware Thu 28 Jun 2018: the Panel duty (Children Act 2004 s16C) had not begun
    before = run(CHILD_DEATH, event_date="2018-06-27", aware_date="2018-06-28")
    assert version(before, PANEL) is None
    assert version(before, RAPID) is None  # it hangs on the Panel notification
    assert any("that duty began on 29 Jun 2018" in a for a in before.advisories)
    # aware Fri 29 Jun 2018 -> Mon 2, Tue 3, Wed 4, Thu 5, Fri 6 -> Fri 6 Jul 2018
    on = run(CHILD_DEATH, event_date="2018-06-27", aware_date="2018-06-29")
    assert version(on, PANEL) == 1
    assert due(on, PANEL) == date(2018, 7, 6)
    assert not any("Panel" in a and "began" in a for a in on.advisories)


def test_panel_notification_version_2_from_21_february_2019() -> None:
    # aware Wed 20 Feb 2019 (version 1) -> Thu 21, Fri 22, Mon 25, Tue 26, Wed 27
    before = run(CHILD_DEATH, event_date="2019-02-19", aware_date="2019-02-20")
    assert version(before, PANEL) == 1
    assert due(before, PANEL) == date(2019, 2, 27)
    duty = before.duty(PANEL)
    assert duty is not None
    assert "Ofsted's online notification form" in duty.recipients[0]
    assert duty.reasons[-1] == (
        "rule as in force on 20 Feb 2019 (version 1, from 29 Jun 2018 until 20 Feb 2019)"
    )
    # aware Thu 21 Feb 2019 (version 2) -> Fri 22, Mon 25, Tue 26, Wed 27, Thu 28
    on = run(CHILD_DEATH, event_date="2019-02-19", aware_date="2019-02-21")
    assert version(on, PANEL) == 2
    assert due(on, PANEL) == date(2019, 2, 28)
    duty = on.duty(PANEL)
    assert duty is not None
    assert "Child Safeguarding Online Notification System" in duty.recipients[0]


def test_panel_notification_version_3_from_15_december_2023() -> None:
    # aware Thu 14 Dec 2023 (version 2) -> Fri 15, Mon 18, Tue 19, Wed 20, Thu 21
    before = run(CHILD_DEATH, event_date="2023-12-13", aware_date="2023-12-14")
    assert version(before, PANEL) == 2
    assert due(before, PANEL) == date(2023, 12, 21)
    assert "Working Together to Safeguard Children 2018" in before.duties[0].source
    # aware Fri 15 Dec 2023 (version 3) -> Mon 18 ... Fri 22
    on = run(CHILD_DEATH, event_date="2023-12-13", aware_date="2023-12-15")
    assert version(on, PANEL) == 3
    assert due(on, PANEL) == date(2023, 12, 22)
    assert "Working Together to Safeguard Children 2023, chapter 5" in on.duties[0].source


def test_looked_after_death_held_from_29_june_2018_and_version_2_from_15_december_2023() -> None:
    lac = factories.changed(CHILD_DEATH, {"looked_after": True, "abuse_or_neglect": "none"})
    before = run(lac, event_date="2018-06-27", aware_date="2018-06-28")
    assert version(before, LAC) is None
    # Looked-after deaths were notified before 2018 too: the pack does not say the duty began.
    assert any(
        "this rule pack holds that duty from 29 Jun 2018" in a
        and "check the guidance in force then" in a
        for a in before.advisories
    )
    assert version(run(lac, event_date="2018-06-27", aware_date="2018-06-29"), LAC) == 1
    # aware Thu 14 Dec 2023 -> version 1, due Thu 21 Dec; Fri 15 Dec -> version 2, Fri 22 Dec
    last = run(lac, event_date="2023-12-13", aware_date="2023-12-14")
    assert (version(last, LAC), due(last, LAC)) == (1, date(2023, 12, 21))
    first = run(lac, event_date="2023-12-13", aware_date="2023-12-15")
    assert (version(first, LAC), due(first, LAC)) == (2, date(2023, 12, 22))


def test_care_leaver_death_begins_on_15_december_2023() -> None:
    before = run(CARE_LEAVER_DEATH, event_date="2023-12-13", aware_date="2023-12-14")
    assert version(before, CARE_LEAVER) is None
    assert before.advisories == [
        CARE_LEAVER_WHY_NOT.replace("14 Mar 2021", "14 Dec 2023"),
    ]
    # aware Fri 15 Dec 2023 -> Mon 18, Tue 19, Wed 20, Thu 21, Fri 22
    on = run(CARE_LEAVER_DEATH, event_date="2023-12-13", aware_date="2023-12-15")
    assert (version(on, CARE_LEAVER), due(on, CARE_LEAVER)) == (1, date(2023, 12, 22))
    assert on.advisories == []


def test_cdop_notification_held_from_29_september_2019() -> None:
    # aware Sat 28 Sep 2019: before the Child Death Review guidance 2018 took effect
    before = run(CHILD_DEATH, event_date="2019-09-27", aware_date="2019-09-28")
    assert version(before, CDOP) is None
    assert any("holds that duty from 29 Sep 2019" in a for a in before.advisories)
    # aware Sun 29 Sep 2019: 1 working day -> Mon 30 Sep 2019. Version 2: the residence-
    # and-place test (s16M), which replaced a version 1 that raised it for every death.
    on = run(CHILD_DEATH, event_date="2019-09-27", aware_date="2019-09-29")
    assert (version(on, CDOP), due(on, CDOP)) == (2, date(2019, 9, 30))


def test_rapid_review_version_chosen_by_the_notification_date() -> None:
    # aware Wed 13 Dec 2023; notified Thu 14 Dec 2023 (version 1): 15 working days:
    #   Fri 15 (1), Mon 18-Fri 22 (6), Mon 25 and Tue 26 Dec holidays, Wed 27-Fri 29 (9),
    #   Mon 1 Jan holiday, Tue 2-Fri 5 (13), Mon 8 (14), Tue 9 (15) -> Tue 9 Jan 2024
    before = run(
        CHILD_DEATH,
        event_date="2023-12-13",
        aware_date="2023-12-13",
        panel_notified_date="2023-12-14",
    )
    assert (version(before, RAPID), due(before, RAPID)) == (1, date(2024, 1, 9))
    assert version(before, PANEL) == 2  # chosen by the day the LA became aware
    # notified Fri 15 Dec 2023 (version 2): Mon 18-Fri 22 (5), Wed 27-Fri 29 (8),
    #   Tue 2-Fri 5 (12), Mon 8 (13), Tue 9 (14), Wed 10 (15) -> Wed 10 Jan 2024
    on = run(
        CHILD_DEATH,
        event_date="2023-12-13",
        aware_date="2023-12-13",
        panel_notified_date="2023-12-15",
    )
    assert (version(on, RAPID), due(on, RAPID)) == (2, date(2024, 1, 10))


def test_rapid_review_without_a_notification_date_is_chosen_by_the_aware_date() -> None:
    result = run(CHILD_DEATH, event_date="2023-12-13", aware_date="2023-12-14")
    duty = result.duty(RAPID)
    assert duty is not None
    assert (duty.rule_version, duty.due, duty.in_force_on) == (1, None, date(2023, 12, 14))


def test_local_review_publication_held_from_29_june_2018() -> None:
    dates = {"event_date": "2018-06-20", "aware_date": "2018-06-21"}
    before = run(CHILD_DEATH, lcspr_decision_date="2018-06-28", **dates)
    assert version(before, LCSPR) is None
    # decided Fri 29 Jun 2018 -> 6 calendar months -> Sat 29 Dec 2018
    on = run(CHILD_DEATH, lcspr_decision_date="2018-06-29", **dates)
    assert (version(on, LCSPR), due(on, LCSPR)) == (1, date(2018, 12, 29))


def test_yearly_report_is_chosen_by_its_published_date() -> None:
    before = assess_partnership({"annual_report_published_date": date(2018, 6, 28)}, CALENDAR)
    assert before.duties == []
    on = assess_partnership({"annual_report_published_date": date(2018, 6, 29)}, CALENDAR)
    duty = on.duty(ANNUAL)
    # published Fri 29 Jun 2018 -> 7 calendar days -> Fri 6 Jul 2018
    assert duty is not None
    assert (duty.rule_version, duty.due, duty.in_force_on) == (
        1,
        date(2018, 7, 6),
        date(2018, 6, 29),
    )


def test_no_date_known_uses_the_current_version() -> None:
    pack = default_rule_pack()
    result = assess_partnership({}, CALENDAR, pack)
    assert result.duties == []  # nothing to raise without the published date
    assert pack.rule(PANEL).version == 3
    assert pack.rule(PANEL, date(2019, 2, 20)).version == 1
    with pytest.raises(KeyError):
        pack.rule(CARE_LEAVER, date(2021, 3, 14))


# -- a changed pack refolds the vault's cases on its next writing open -----------------------


def test_a_new_pack_version_refolds_existing_cases(tmp_path: Path) -> None:
    from bundle_support import register

    from notify_tui.clock import ManualClock
    from notify_tui.services.session import Session
    from notify_tui.store.keyslots import ARGON2_FLOOR
    from notify_tui.store.owner import InlineOwner
    from notify_tui.store.vault import Vault

    # An older pack that (wrongly) had the care-leaver duty from 1 Jan 2020.
    document = shipped()
    document["version"] = "2020.1"
    entries(document, CARE_LEAVER)[0]["effective_from"] = "2020-01-01"
    old_pack = parse_rule_pack(document)
    clock = ManualClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    home = tmp_path / "la"
    vault, _ = Vault.create(
        home, "a long test passphrase", org="Testshire", role="la", author="A. Lead",
        now=clock.now(), kdf=ARGON2_FLOOR,
    )  # fmt: skip
    case = factories.case(
        "care_leaver_death",
        facts={
            key: CARE_LEAVER_DEATH[key]
            for key in ("date_of_birth", "outcome", "event_date", "aware_date")
        },
        case_outline="SYNTHETIC TEST CASE",
    )
    with register(Session(vault, old_pack, clock=clock, owner=InlineOwner()), vault) as old:
        case_id = old.create_case(case)
        before = old.case_detail(case_id)
        assert before.rulepack == "england-2020.1"
        assert [d.duty for d in before.duties if d.required] == [CARE_LEAVER]
    with Session.unlock(
        home, passphrase="a long test passphrase", clock=clock, owner=InlineOwner()
    ) as reopened:
        after = reopened.case_detail(case_id)
        assert after.rulepack == "england-2025.2"
        assert [d.duty for d in after.duties if d.required] == []
        assert any("that duty began on 15 Dec 2023" in a for a in after.advisories)
        assert reopened.doctor().problems == ()


# -- the pack parser refuses versions that overlap ---------------------------------------------


def shipped() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        files("notify_tui.domain").joinpath("data/rulepack-england.json").read_text()
    )
    return document


def entries(document: dict[str, Any], rule_id: str) -> list[dict[str, Any]]:
    return [rule for rule in document["rules"] if rule["id"] == rule_id]


def refused(document: dict[str, Any]) -> str:
    with pytest.raises(InvalidInput) as raised:
        parse_rule_pack(document)
    message = raised.value.message
    assert "\n" not in message
    assert message.startswith("rule pack: ")
    return message


def test_overlapping_versions_are_refused_in_one_line() -> None:
    document = shipped()
    first, second, _ = entries(document, PANEL)
    first["until"] = "2019-03-01"  # runs into version 2, from 21 Feb 2019
    message = refused(document)
    assert "rule 'panel-notification': versions 1 (from 2018-06-29) and 2 (from 2019-02-21)" in (
        message
    )
    assert "overlap; give version 1 an until on or before 2019-02-21" in message


def test_an_earlier_version_without_until_overlaps() -> None:
    document = shipped()
    del entries(document, LAC)[0]["until"]
    assert "overlap" in refused(document)


def test_until_on_or_before_effective_from_is_refused() -> None:
    for until in ("2023-12-15", "2023-12-14"):
        document = shipped()
        entries(document, CARE_LEAVER)[0]["until"] = until
        message = refused(document)
        assert f"until {until} must be after effective_from 2023-12-15" in message


def test_a_gap_between_versions_is_allowed() -> None:
    document = shipped()
    entries(document, PANEL)[0]["until"] = "2019-01-01"  # no Panel duty 1 Jan - 20 Feb 2019
    pack = parse_rule_pack(document)
    result = assess(
        validate_facts(
            factories.changed(
                CHILD_DEATH, {"event_date": "2019-01-31", "aware_date": "2019-02-01"}
            ),
            TODAY,
        ),
        CALENDAR,
        pack,
    )
    assert result.duty(PANEL) is None
    assert any("No duty to notify the Child Safeguarding" in a for a in result.advisories)


def test_versions_numbered_against_their_dates_are_refused() -> None:
    document = shipped()
    entries(document, LAC)[0]["version"] = 3
    assert "must be numbered after version 3" in refused(document)


def test_versions_of_one_rule_keep_its_kind() -> None:
    document = shipped()
    later = copy.deepcopy(entries(document, "advisory-stillbirth")[0])
    entries(document, "advisory-stillbirth")[0]["until"] = "2024-01-01"
    later.update(version=2, effective_from="2024-01-01", kind="duty")
    later.update(recipients=["Someone"], deadline={"working_days": 1, "start": "aware_date"})
    document["rules"].append(later)
    assert "same kind and scope" in refused(document)


# -- docs/rules.md lists every version, and every source is a known citation -------------------


def versions_table(pack: RulePack) -> str:
    """The table of rule versions in docs/rules.md, from the pack."""
    lines = [
        f"Rule pack `{pack.label}`.",
        "",
        "| id | version | in force | source |",
        "|---|---|---|---|",
    ]
    for rule_id, versions in pack.versions_by_id().items():
        for rule in versions:
            until = f" to {rule.until.isoformat()} (exclusive)" if rule.until else " on"
            began = "; the duty began then" if rule.began else ""
            lines.append(
                f"| `{rule_id}` | {rule.version} | from {rule.effective_from.isoformat()}"
                f"{until}{began} | {rule.source} |"
            )
    return "\n".join(lines)


def documented_table(text: str) -> str:
    start = text.index(TABLE_START) + len(TABLE_START)
    return text[start : text.index(TABLE_END)].strip()


def test_docs_list_every_rule_version_with_its_source() -> None:
    assert documented_table(RULES_DOC.read_text()) == versions_table(default_rule_pack()), (
        "docs/rules.md is out of date: run `python tests/unit/test_rule_versions.py`"
    )


def known_citations() -> set[str]:
    table = json.loads(files("notify_tui.domain").joinpath("data/sources.json").read_text())
    return {entry["citation"] for entry in table["citations"]}


def citations(source: str) -> list[str]:
    """The citations of a source: parts joined by '; ', each maybe followed by ': note'."""
    return [part.split(": ")[0] for part in source.split("; ")]


def test_every_source_in_the_pack_is_made_of_known_citations() -> None:
    known = known_citations()
    pack = default_rule_pack()
    sources = [rule.source for rule in pack.rules]
    sources += [setting.source for setting in pack.settings.values()]
    sources += [area.source for area in pack.office_steps.values()]
    unknown = sorted({c for source in sources for c in citations(source) if c not in known})
    assert unknown == [], f"not in notify_tui/domain/data/sources.json: {unknown}"


def test_an_unknown_citation_is_caught() -> None:
    assert citations("Children Act 2004 s16C(1); Working Together 2023 ch.5: the Panel") == [
        "Children Act 2004 s16C(1)",
        "Working Together 2023 ch.5",
    ]
    assert "Working Together 2023 ch.5" not in known_citations()


if __name__ == "__main__":
    text = RULES_DOC.read_text()
    start = text.index(TABLE_START) + len(TABLE_START)
    end = text.index(TABLE_END)
    RULES_DOC.write_text(f"{text[:start]}\n\n{versions_table(default_rule_pack())}\n\n{text[end:]}")
    print(f"wrote {RULES_DOC}")
