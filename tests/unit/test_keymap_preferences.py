"""The `keymap` section of the preferences: known binding ids, real keys, one-line errors."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from notify_tui.settings import Preferences, key_problem


def test_a_keymap_of_known_ids_and_keys_is_kept() -> None:
    preferences = Preferences.model_validate(
        {"keymap": {"dashboard.sort": "s", "app.lock": "ctrl+shift+l, f12", "sync.import": "?"}}
    )
    assert preferences.keymap == {
        "dashboard.sort": "s",
        "app.lock": "ctrl+shift+l,f12",  # spaces between keys dropped
        "sync.import": "?",
    }
    assert Preferences().keymap == {}


@pytest.mark.parametrize(
    ("keymap", "words"),
    [
        ({"dashbord.sort": "s"}, "unknown binding id dashbord.sort"),
        ({"dashboard.sort": "ctrl+"}, "dashboard.sort: 'ctrl+': a key is missing"),
        ({"dashboard.sort": "cmd+s"}, "cmd is not a modifier"),
        ({"dashboard.sort": "ctrl+ctrl+s"}, "a modifier is repeated"),
        ({"dashboard.sort": "sortkey"}, "sortkey is not a key name"),
        ({"dashboard.sort": "s,,t"}, "dashboard.sort: give at least one key"),
        ({"dashboard.sort": ""}, "dashboard.sort: give at least one key"),
    ],
)
def test_a_bad_keymap_is_one_line_naming_it(keymap: dict[str, str], words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Preferences.model_validate({"keymap": keymap})
    (error,) = caught.value.errors()
    assert error["loc"] == ("keymap",)
    assert words in error["msg"]
    assert "\n" not in error["msg"]


@pytest.mark.parametrize("key", ["x", "X", "5", "/", "slash", "question_mark", "f1", "f24",
                                 "pageup", "shift+tab", "alt+enter", "ctrl+shift+up"])  # fmt: skip
def test_keys_the_app_can_bind(key: str) -> None:
    assert key_problem(key) is None


@pytest.mark.parametrize("key", ["f25", "Escape", "ctrl", " ", "return!"])
def test_not_keys(key: str) -> None:
    assert key_problem(key) is not None
