"""The write and import paths give the bytes main 02adea9 gave, for a seeded input.

`benchmarks/equivalence.py` records 60 seeded synthetic cases (fixed keys, ids and
clock), an edit and a sent duty on some, exports them and imports the bundle at an
office. The digest below was printed by that script run against main 02adea9 (before
issue 19's lean writes and streamed bundles); a changed stored byte, signature or
projected column changes it.
"""

from __future__ import annotations

from benchmarks.equivalence import run

DIGEST_AT_02ADEA9 = "52be82af1b34562447556910921792dfbf4db231ef3726bb99d8302dc0e67ef0"


def test_stored_events_and_projection_are_unchanged_from_main() -> None:
    """Events (with signatures) and projection hashes, LA and office, as at 02adea9."""
    la_events, la_projection, office_events, office_projection, digest = run(60)
    assert office_events == la_events  # the office holds exactly the LA's bytes
    assert office_projection == la_projection
    assert digest == DIGEST_AT_02ADEA9
