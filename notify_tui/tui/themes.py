"""The high-contrast theme: black background, white and yellow text, strong borders.

Registered by the app next to Textual's own themes, and chosen in settings
(`display.theme = "high-contrast"`). Urgency keeps its words (OVERDUE, DUE TODAY, ...),
so nothing depends on telling colours apart.
"""

from __future__ import annotations

from textual.theme import Theme

HIGH_CONTRAST = Theme(
    name="high-contrast",
    primary="#ffff00",
    secondary="#ffffff",
    accent="#ffff00",
    warning="#ffff00",
    error="#ff6060",
    success="#00ff00",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#000000",
    boost="#000000",
    dark=True,
    luminosity_spread=0.0,
    text_alpha=1.0,
    variables={
        "text-muted": "#ffffff",
        "border": "#ffff00",
        "border-blurred": "#ffffff",
        "block-cursor-foreground": "#000000",
        "block-cursor-background": "#ffff00",
        "block-cursor-text-style": "bold",
        "block-cursor-blurred-foreground": "#000000",
        "block-cursor-blurred-background": "#ffffff",
        "block-hover-background": "#333333",
        "footer-key-foreground": "#ffff00",
        "footer-description-foreground": "#ffffff",
        "footer-background": "#000000",
        "input-cursor-background": "#ffff00",
        "input-cursor-foreground": "#000000",
        "input-selection-background": "#ffff00 40%",
        "scrollbar": "#ffffff",
        "scrollbar-background": "#000000",
        "datatable--header-cursor": "#ffff00",
        "button-foreground": "#ffffff",
        "button-color-foreground": "#000000",
    },
)
"""For low vision and bright rooms: pure black and white, yellow for focus and keys."""
