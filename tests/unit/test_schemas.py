"""The JSON Schemas in schemas/ match the models, and every tagged doc example validates."""

from __future__ import annotations

import json
import re
from pathlib import Path

import factories
import jsonschema
import pytest

from notify_tui.schemas import SCHEMA_MODELS, render

ROOT = Path(__file__).resolve().parents[2]
TAGGED_EXAMPLE = re.compile(r"<!-- schema: (\w+) -->\s*```json\n(.*?)```", re.DOTALL)


@pytest.mark.parametrize("name", sorted(SCHEMA_MODELS))
def test_schema_file_matches_model(name: str) -> None:
    """A model change without `python -m notify_tui.schemas` fails here."""
    path = ROOT / "schemas" / f"{name}.schema.json"
    assert path.read_text(encoding="utf-8") == render(name), (
        f"{path} is stale: run `python -m notify_tui.schemas`"
    )


def tagged_examples() -> list[tuple[str, str, str]]:
    examples = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for match in TAGGED_EXAMPLE.finditer(doc.read_text(encoding="utf-8")):
            examples.append((doc.name, match.group(1), match.group(2)))
    return examples


def test_docs_have_tagged_examples() -> None:
    """The examples test below is not vacuous: facts, case and assessment are shown."""
    assert {schema for _, schema, _ in tagged_examples()} >= {"facts", "case", "assessment"}


@pytest.mark.parametrize(("doc", "schema", "text"), tagged_examples())
def test_doc_example_validates(doc: str, schema: str, text: str) -> None:
    schema_doc = json.loads((ROOT / "schemas" / f"{schema}.schema.json").read_text())
    jsonschema.validate(json.loads(text), schema_doc)


def test_schema_rejects_an_unknown_key() -> None:
    """The schemas forbid extra keys, as the models do (so the check above can fail)."""
    schema_doc = json.loads((ROOT / "schemas" / "facts.schema.json").read_text())
    facts = factories.facts(
        "child_death",
        date_of_birth="2015-03-02",
        event_date="2022-04-12",
        aware_date="2022-04-14",
        colour="blue",
    )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(facts, schema_doc)
