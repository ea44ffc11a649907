"""NHS numbers: format and modulus-11 check digit.

An NHS number is 10 digits, usually written in groups of 3, 3 and 4 ("943 476 5919"). The
tenth digit is a check digit: multiply the first nine digits by the weights 10 down to 2, sum
them, and take ``11 - (sum mod 11)``; 11 means a check digit of 0 and 10 means the number is
not valid at all.

Error messages never repeat the number itself: it is personal data.
"""

from __future__ import annotations

import re

from notify_tui.errors import InvalidInput

__all__ = ["InvalidNhsNumber", "is_valid_nhs_number", "normalise_nhs_number"]

# ASCII digits only ("\d" would accept other scripts' digits): ungrouped, or 3-3-4 groups.
_NHS_NUMBER = re.compile(r"[0-9]{10}|[0-9]{3} [0-9]{3} [0-9]{4}")
_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


class InvalidNhsNumber(InvalidInput, ValueError):
    """A string is not a valid NHS number (a `ValueError`, so pydantic validators can raise it)."""


def _digits(s: str) -> str | None:
    """The 10 digits of ``s`` if it is laid out as an NHS number, else ``None``."""
    stripped = s.strip()
    return stripped.replace(" ", "") if _NHS_NUMBER.fullmatch(stripped) else None


def _check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or ``None`` when no check digit can be valid."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, _WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_valid_nhs_number(s: str) -> bool:
    """Whether ``s`` is a valid NHS number.

    Accepts 10 digits, either ungrouped or as 3-3-4 groups separated by single spaces, with
    surrounding whitespace ignored; the modulus-11 check digit must match.
    """
    digits = _digits(s)
    return digits is not None and _check_digit(digits[:9]) == int(digits[9])


def normalise_nhs_number(s: str) -> str:
    """The 10 digits of a valid NHS number, spaces removed.

    Raises:
        InvalidNhsNumber: (a `ValueError`) if ``s`` is not laid out as an NHS number or its
            check digit does not match.
    """
    digits = _digits(s)
    if digits is None:
        raise InvalidNhsNumber(
            "NHS number must be 10 digits, optionally grouped 3 3 4 with single spaces"
        )
    if _check_digit(digits[:9]) != int(digits[9]):
        raise InvalidNhsNumber(
            "NHS number check digit does not match: check the number for a typing mistake"
        )
    return digits
