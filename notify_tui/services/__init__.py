"""The one door the shells use: a `Session` and what it returns."""
