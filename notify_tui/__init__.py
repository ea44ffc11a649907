"""notify-tui: statutory safeguarding notifications for English local authorities."""

__version__ = "0.1.0"
