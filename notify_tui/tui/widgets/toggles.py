"""Checkboxes and radio buttons whose state reads as text, not only as a colour.

Textual draws both as `▐X▌` / `▐●▌` whatever their state and lets colour tell on from
off. These draw `[x]` / `[ ]` and `(•)` / `( )`, and `YesNoBox` also says "yes" or "no",
so the state is there in a screenshot, a screen reader's text or a monochrome terminal.
They are still a `Checkbox` and a `RadioButton` (same messages, keys and queries).
"""

from __future__ import annotations

from textual.content import Content
from textual.style import Style as VisualStyle
from textual.widgets import Checkbox, RadioButton

from notify_tui.tui.widgets.own_keys import OwnKeys


def _with_box(box: str, label: Content, style: VisualStyle) -> Content:
    return Content.assemble(box, " ", label, " ").stylize_before(style)


class StateCheckbox(OwnKeys, Checkbox):
    """A checkbox drawn `[x] label` when ticked and `[ ] label` when not (space or enter
    toggles this box, even with a Tab typed right after it: `OwnKeys`)."""

    def render(self) -> Content:
        box = "[x]" if self.value else "[ ]"
        return _with_box(box, self.label, self.get_visual_style("toggle--label"))


class YesNoBox(StateCheckbox):
    """A checkbox that says its state: `[x] yes` / `[ ] no` (the question is its row's
    label)."""

    def __init__(self, value: bool = False, **options: object) -> None:
        super().__init__("yes" if value else "no", value, **options)  # type: ignore[arg-type]

    def watch_value(self) -> None:
        self.label = "yes" if self.value else "no"
        super().watch_value()  # the `-on` class and the Changed message


class StateRadioButton(RadioButton):
    """A radio button drawn `(•) label` when chosen and `( ) label` when not."""

    def render(self) -> Content:
        box = "(•)" if self.value else "( )"
        return _with_box(box, self.label, self.get_visual_style("toggle--label"))
