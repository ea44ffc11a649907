"""Text that reaches a terminal: no escape sequences, control or bidi characters.

A peer's text (an organisation name, an author, a reason, a case outline) may hold
characters a terminal acts on instead of showing: ESC starts a sequence that can move
the cursor, recolour or rewrite what is already on the screen; a carriage return
overwrites the line; C1 controls (U+0080-U+009F) are escape sequences on some
terminals; the bidi controls (U+202A-U+202E, U+2066-U+2069 and the marks) reorder what
follows, so `abc` can display as `cba`. Input from outside refuses them
(`forbidden_character`: the import rules and the case model), and everything printed
goes through `terminal_line` or `terminal_text`, which show each one as U+FFFD, so text
already stored is shown, never obeyed.
"""

from __future__ import annotations

import re
from typing import Final

REPLACEMENT: Final = "\ufffd"
"""What a refused character is shown as."""

_BIDI: Final = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_SEPARATORS: Final = "\u2028\u2029"

_UNSAFE_IN_TEXT: Final = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}{_SEPARATORS}]")
"""Every control character but newline and tab, DEL, C1, bidi controls, separators."""

_UNSAFE_IN_LINE: Final = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}{_SEPARATORS}]")
"""The same, and newline and tab too: one line must stay one line."""


ONE_LINE_PATTERN: Final = f"^[^\x00-\x1f\x7f-\x9f{_BIDI}{_SEPARATORS}]*$"
"""A regular expression (for a pydantic field) of one line of text with none of them."""


def forbidden_character(text: str, *, multiline: bool = True) -> str | None:
    """The first character `text` may not hold, as `U+001B`, or None when it is clean.

    Newline and tab are allowed in `multiline` text (an outline, a reason)."""
    found = (_UNSAFE_IN_TEXT if multiline else _UNSAFE_IN_LINE).search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def terminal_text(text: str) -> str:
    """`text` safe to print: every control, bidi and separator character but newline
    and tab shown as U+FFFD."""
    return _UNSAFE_IN_TEXT.sub(REPLACEMENT, text)


def terminal_line(text: str) -> str:
    """`text` safe to print on one line: newlines and tabs too are shown as U+FFFD."""
    return _UNSAFE_IN_LINE.sub(REPLACEMENT, text)


def json_escaped(document: str) -> str:
    """A JSON text with every character `terminal_text` would replace written as a
    ``\\uXXXX`` escape instead: the same JSON value, safe to print."""
    return _UNSAFE_IN_TEXT.sub(lambda match: f"\\u{ord(match.group()):04x}", document)
