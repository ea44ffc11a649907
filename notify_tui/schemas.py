"""JSON Schemas generated from the pydantic models, kept in `schemas/` at the top level.

`python -m notify_tui.schemas` rewrites the files; `tests/unit/test_schemas.py` fails
when they drift from the models.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from notify_tui.domain.models import Case, Facts
from notify_tui.domain.rules import Assessment
from notify_tui.store.events import Event

SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "facts": Facts,
    "case": Case,
    "assessment": Assessment,
    "event": Event,
}
"""File stem → model; each becomes `schemas/<stem>.schema.json`."""

BASE_URI = "https://notify-tui.invalid/schemas/"


def schema_for(name: str) -> dict[str, Any]:
    """The JSON Schema of one model, with its `$id` and draft."""
    model = SCHEMA_MODELS[name]
    mode = "serialization" if name == "assessment" else "validation"
    schema = model.model_json_schema(mode=mode)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{BASE_URI}{name}.schema.json",
        **schema,
    }


def render(name: str) -> str:
    """The file text of one schema."""
    return json.dumps(schema_for(name), indent=2, ensure_ascii=False) + "\n"


def write_all(directory: Path) -> list[Path]:
    """Write every schema into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMA_MODELS:
        path = directory / f"{name}.schema.json"
        path.write_text(render(name), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("schemas")
    for path in write_all(target):
        print(path)
