"""Code lists used on the forms and in reports, kept as data with their source.

The lists live in ``notify_tui/domain/data/codes.json`` (shipped inside the package) and are
read once, on first use, through ``importlib.resources``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Final, Literal

__all__ = [
    "SEX_CODES",
    "CodeListName",
    "cdop_categories",
    "code_list_source",
    "ethnicity_codes",
    "sex_codes",
]

CodeListName = Literal["ethnicity", "sex", "cdop_categories"]
"""The names of the code lists in ``codes.json``."""

_CODE_LIST_NAMES: Final[tuple[CodeListName, ...]] = ("ethnicity", "sex", "cdop_categories")

SEX_CODES: Final[Mapping[str, str]] = MappingProxyType(
    {"M": "Male", "F": "Female", "U": "Unborn or unknown"}
)
"""Sex codes and labels (U for an unborn subject or unknown); read-only, matches codes.json."""


class _CodeList:
    """One code list as read from the data file."""

    __slots__ = ("codes", "source")

    def __init__(self, source: str, codes: dict[str, str]) -> None:
        self.source = source
        self.codes = codes


def _string_map(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and isinstance(item, str) for key, item in value.items()
    ):
        raise ValueError(f"codes.json: {where} must map strings to strings")
    return {str(key): str(item) for key, item in value.items()}


@cache
def _code_lists() -> dict[str, _CodeList]:
    """Read and check ``codes.json`` once."""
    text = files("notify_tui.domain").joinpath("data", "codes.json").read_text(encoding="utf-8")
    raw: object = json.loads(text)
    if not isinstance(raw, dict):
        raise ValueError("codes.json: top level must be an object")
    lists: dict[str, _CodeList] = {}
    for name in _CODE_LIST_NAMES:
        entry = raw.get(name)
        if not isinstance(entry, dict) or not isinstance(entry.get("source"), str):
            raise ValueError(f"codes.json: {name} needs a source string and codes")
        lists[name] = _CodeList(str(entry["source"]), _string_map(entry.get("codes"), name))
    return lists


def ethnicity_codes() -> dict[str, str]:
    """DfE ethnicity codes (``"WBRI"`` ...) to labels, in census order (a fresh copy)."""
    return dict(_code_lists()["ethnicity"].codes)


def sex_codes() -> dict[str, str]:
    """Sex codes ``M``, ``F``, ``U`` to labels, as read from the data file (a fresh copy)."""
    return dict(_code_lists()["sex"].codes)


def cdop_categories() -> dict[str, str]:
    """CDOP analysis category ids to labels, in the guidance's order (a fresh copy)."""
    return dict(_code_lists()["cdop_categories"].codes)


def code_list_source(name: CodeListName) -> str:
    """Where the code list ``name`` comes from, for display beside it and in exports."""
    return _code_lists()[name].source
