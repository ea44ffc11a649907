"""Code lists shipped as package data."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest

from notify_tui.domain.codes import (
    SEX_CODES,
    cdop_categories,
    code_list_source,
    ethnicity_codes,
    sex_codes,
)

DFE_ETHNICITY = [
    "WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND",
    "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
]  # fmt: skip


def test_ethnicity_codes_are_the_dfe_set_in_order() -> None:
    codes = ethnicity_codes()
    assert list(codes) == DFE_ETHNICITY
    assert codes["WBRI"] == "White British"
    assert codes["WIRT"] == "Traveller of Irish heritage"
    assert codes["WROM"] == "Gypsy/Roma"
    assert codes["MWBC"] == "White and Black Caribbean"
    assert codes["REFU"] == "Refused"
    assert codes["NOBT"] == "Information not yet obtained"
    assert all(label.strip() for label in codes.values())


def test_sex_codes() -> None:
    assert list(SEX_CODES) == ["M", "F", "U"]
    assert "unborn" in SEX_CODES["U"].lower()
    assert sex_codes() == dict(SEX_CODES)
    with pytest.raises(TypeError):
        SEX_CODES["X"] = "read-only"  # type: ignore[index]


def test_cdop_categories() -> None:
    categories = cdop_categories()
    assert list(categories) == [
        "deliberately_inflicted_injury",
        "suicide_or_self_harm",
        "trauma_external",
        "malignancy",
        "acute_medical_surgical",
        "chronic_medical",
        "chromosomal_genetic_congenital",
        "perinatal_neonatal",
        "infection",
        "sudden_unexpected_unexplained",
    ]
    assert categories["deliberately_inflicted_injury"].startswith("Deliberately inflicted")
    assert categories["sudden_unexpected_unexplained"] == "Sudden unexpected, unexplained death"


def test_every_list_names_its_source() -> None:
    assert "DfE" in code_list_source("ethnicity")
    assert "Child Death Review" in code_list_source("cdop_categories")
    assert code_list_source("sex")


def test_callers_get_copies() -> None:
    ethnicity_codes()["WBRI"] = "changed"
    cdop_categories().clear()
    assert ethnicity_codes()["WBRI"] == "White British"
    assert len(cdop_categories()) == 10


def test_data_file_is_inside_the_package() -> None:
    # hatchling ships everything under notify_tui/, so a file found here is in the wheel.
    data = json.loads(
        files("notify_tui.domain").joinpath("data", "codes.json").read_text(encoding="utf-8")
    )
    assert set(data) == {"ethnicity", "sex", "cdop_categories"}
