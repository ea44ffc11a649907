"""What a case form's boxes hold, read as the case document keeps it (no Textual).

Each reader takes the text as typed and gives the value to store, the problem to show
beside the box ("" when none) and, where it helps, what was understood: an NHS number and
its check digit, a DfE ethnicity code typed in part, a 24-hour time, care periods written
on a line, a list of linked cases.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from notify_tui.domain import codes
from notify_tui.domain.dates import parse_iso_date
from notify_tui.domain.nhs import is_valid_nhs_number, normalise_nhs_number
from notify_tui.errors import NotifyError
from notify_tui.views.dates import read_day

BASES = {
    "accommodated": "accommodated",
    "care order": "care_order",
    "care_order": "care_order",
    "placement order": "placement_order",
    "placement_order": "placement_order",
    "short breaks": "short_breaks",
    "short_breaks": "short_breaks",
}
BASIS_WORDS = {
    "accommodated": "accommodated",
    "care_order": "care order",
    "placement_order": "placement order",
    "short_breaks": "short breaks",
}
PERIODS_PLACEHOLDER = "01/09/2019 to 31/03/2021 care order; 01/06/2022 to now accommodated"
NHS_WORDS = {
    "not available": "not_available",
    "not_available": "not_available",
    "non-resident": "non_resident",
    "non resident": "non_resident",
    "non_resident": "non_resident",
    "not resident": "non_resident",
}
NHS_SHOWN = {"not_available": "not available", "non_resident": "non-resident"}


def read_nhs(text: str) -> tuple[str | None, str, str]:
    """(stored value, problem, hint) of an NHS number box."""
    typed = " ".join(text.split())
    if not typed:
        return None, "", ""
    word = NHS_WORDS.get(typed.lower())
    if word is not None:
        return word, "", "not available" if word == "not_available" else "not resident in England"
    digits = typed.replace(" ", "")
    if not digits.isdigit() or not digits.isascii():
        return None, "10 digits, or: not available / non-resident", ""
    if len(digits) != 10:
        return None, f"an NHS number has 10 digits ({len(digits)} typed)", ""
    if not is_valid_nhs_number(digits):
        return None, "check digit does not match: check for a typing mistake", ""
    return normalise_nhs_number(digits), "", "valid NHS number (check digit matches)"


def ethnicity_matches(text: str) -> list[tuple[str, str]]:
    """(code, label) of the DfE codes matching what is typed, best first: a code or a
    label that starts with it, then a label with a word that does, then a label that
    holds it anywhere (each in census order); every code when nothing is typed."""
    typed = " ".join(text.lower().split())
    ranked: list[tuple[int, int, str, str]] = []
    for order, (code, label) in enumerate(codes.ethnicity_codes().items()):
        words = label.lower().replace("/", " ").split()
        if not typed or code.lower().startswith(typed) or label.lower().startswith(typed):
            rank = 0
        elif any(word.startswith(typed) for word in words):
            rank = 1
        elif typed in label.lower():
            rank = 2
        else:
            continue
        ranked.append((rank, order, code, label))
    return [(code, label) for _, _, code, label in sorted(ranked)]


def read_ethnicity(text: str) -> tuple[str | None, str, str]:
    """(code, problem, hint) of an ethnicity box: a code, or a label typed in full."""
    typed = text.strip()
    if not typed:
        return None, "", ""
    known = codes.ethnicity_codes()
    code = typed.upper()
    if code in known:
        return code, "", f"{known[code]} ({code})"
    for candidate, label in known.items():
        if typed.lower() in (label.lower(), f"{label} ({candidate})".lower()):
            return candidate, "", f"{label} ({candidate})"
    matches = ethnicity_matches(typed)
    if not matches:
        return None, "no DfE code matches: type a code (WBRI) or part of a name", ""
    shown = ", ".join(f"{code} {label}" for code, label in matches[:3])
    more = f" +{len(matches) - 3} more" if len(matches) > 3 else ""
    return None, f"choose one: {shown}{more} (enter picks the first)", ""


_TIME = re.compile(r"([01]?[0-9]|2[0-3])[:.]?([0-5][0-9])")


def read_time(text: str) -> tuple[str | None, str]:
    """(HH:MM, problem) of a time box (24-hour: 14:30, 1430, 14.30)."""
    typed = text.strip()
    if not typed:
        return None, ""
    match = _TIME.fullmatch(typed)
    if not match:
        return None, "write the time as 14:30 (24-hour clock)"
    return f"{int(match.group(1)):02d}:{match.group(2)}", ""


_PERIOD = re.compile(r"(?P<start>\S+)\s+(?:to|-|–)\s+(?P<end>\S+)\s+(?P<basis>.+)", re.IGNORECASE)


def read_periods(text: str, today: date) -> tuple[list[dict[str, Any]], str]:
    """(care periods, problem) of a care periods box:
    "01/09/2019 to 31/03/2021 care order; 01/06/2022 to now accommodated"."""
    periods: list[dict[str, Any]] = []
    for index, part in enumerate(p.strip() for p in text.split(";")):
        if not part:
            continue
        where = f"period {index + 1}"
        match = _PERIOD.fullmatch(part)
        if not match:
            return [], f"{where}: write FROM to TO BASIS, e.g. {PERIODS_PLACEHOLDER.split(';')[0]}"
        start = read_day(match["start"], today)
        if not start.ok or start.day is None:
            return [], f"{where}: start {start.problem}"
        end_text = match["end"].lower()
        end: date | None = None
        if end_text not in ("now", "ongoing"):
            reading = read_day(match["end"], today)
            if not reading.ok or reading.day is None:
                return [], f"{where}: end {reading.problem}"
            end = reading.day
        basis = BASES.get(" ".join(match["basis"].lower().split()))
        if basis is None:
            return [], (f"{where}: the basis is accommodated, care order, placement order or "
                        "short breaks")  # fmt: skip
        periods.append({"start": start.day.isoformat(), "end": end.isoformat() if end else None,
                        "basis": basis})  # fmt: skip
    return periods, ""


def periods_text(periods: Sequence[Mapping[str, Any]]) -> str:
    """Stored care periods as the box shows them."""
    parts = []
    for period in periods:
        start = shown_day(period.get("start"))
        end = shown_day(period.get("end")) or "now"
        parts.append(f"{start} to {end} {BASIS_WORDS.get(period.get('basis', ''), '')}".strip())
    return "; ".join(parts)


def read_list(text: str) -> list[str]:
    """The items of a list box, split on commas, semicolons and new lines."""
    return [item.strip() for item in re.split(r"[,;\n]", text) if item.strip()]


def shown_day(text: Any) -> str:
    """A stored date as a form shows it: dd/mm/yyyy ("" for none)."""
    if not isinstance(text, str) or not text:
        return ""
    try:
        return parse_iso_date(text).strftime("%d/%m/%Y")
    except NotifyError:
        return text
