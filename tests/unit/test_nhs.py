"""NHS number validation (modulus 11)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notify_tui.domain.nhs import InvalidNhsNumber, is_valid_nhs_number, normalise_nhs_number
from notify_tui.errors import InvalidInput

# 943 476 5919, worked by hand with weights 10..2 on the first nine digits:
#   9*10=90, 4*9=36, 3*8=24, 4*7=28, 7*6=42, 6*5=30, 5*4=20, 9*3=27, 1*2=2
#   sum = 299; 299 mod 11 = 2 (11*27 = 297); check = 11 - 2 = 9 -> last digit 9: valid.
# 401 023 2137:
#   4*10=40, 0*9=0, 1*8=8, 0*7=0, 2*6=12, 3*5=15, 2*4=8, 1*3=3, 3*2=6
#   sum = 92; 92 mod 11 = 4 (11*8 = 88); check = 11 - 4 = 7 -> last digit 7: valid.
# 010 000 0010 (remainder 0, so "11" becomes check digit 0):
#   1*9 + 1*2 = 11; 11 mod 11 = 0; check = 11 - 0 = 11 -> 0: valid.
# 100 000 001x (remainder 1, check would be 10): 1*10 + 1*2 = 12; 12 mod 11 = 1;
#   11 - 1 = 10 -> no check digit works: invalid whatever x is.


@pytest.mark.parametrize(
    "text",
    ["9434765919", "943 476 5919", "  943 476 5919\n", "4010232137", "401 023 2137", "0100000010"],
)
def test_valid_numbers(text: str) -> None:
    assert is_valid_nhs_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "9434765918",  # wrong check digit
        "9434765910",
        "4010232138",
        "943476591",  # 9 digits
        "94347659190",  # 11 digits
        "943-476-5919",  # hyphens are not accepted
        "9434 765 919",  # wrong grouping
        "943476 5919",  # half grouped
        "943  476 5919",  # double space
        "94347659l9",  # letter l
        "",
        "   ",
        "٩٤٣٤٧٦٥٩١٩",  # Arabic-Indic digits for 9434765919: ASCII only
    ],
)
def test_invalid_numbers(text: str) -> None:
    assert not is_valid_nhs_number(text)


@pytest.mark.parametrize("check_digit", range(10))
def test_remainder_one_has_no_valid_check_digit(check_digit: int) -> None:
    assert not is_valid_nhs_number(f"100000001{check_digit}")


def test_normalise_strips_spaces() -> None:
    assert normalise_nhs_number(" 943 476 5919 ") == "9434765919"
    assert normalise_nhs_number("4010232137") == "4010232137"


def test_normalise_explains_a_bad_layout_without_repeating_the_number() -> None:
    with pytest.raises(ValueError, match="10 digits") as caught:
        normalise_nhs_number("943 476 591")
    assert "943" not in str(caught.value)


def test_normalise_explains_a_bad_check_digit_without_repeating_the_number() -> None:
    with pytest.raises(InvalidNhsNumber, match="check digit") as caught:
        normalise_nhs_number("943 476 5918")
    assert "5918" not in str(caught.value)
    # Both a ValueError (for pydantic validators) and an InvalidInput (for the CLI).
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, InvalidInput)


def _with_check_digit(first_nine: str) -> str | None:
    """Restates the rule: the weighted sum of all ten digits (check digit weight 1) must be
    a multiple of 11, with the check digit in 0..9."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = -total % 11
    return None if check == 10 else first_nine + str(check)


nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


@given(first_nine=nine_digits)
def test_at_most_one_check_digit_is_valid(first_nine: str) -> None:
    valid = [d for d in "0123456789" if is_valid_nhs_number(first_nine + d)]
    expected = _with_check_digit(first_nine)
    assert valid == ([] if expected is None else [expected[-1]])


@given(first_nine=nine_digits, position=st.integers(0, 9), delta=st.integers(1, 9))
def test_any_single_digit_error_is_caught(first_nine: str, position: int, delta: int) -> None:
    number = _with_check_digit(first_nine)
    if number is None:
        return
    assert is_valid_nhs_number(number)
    digits = list(number)
    digits[position] = str((int(digits[position]) + delta) % 10)
    assert not is_valid_nhs_number("".join(digits))


@given(first_nine=nine_digits, position=st.integers(0, 8))
def test_any_adjacent_transposition_is_caught(first_nine: str, position: int) -> None:
    number = _with_check_digit(first_nine)
    if number is None or number[position] == number[position + 1]:
        return
    digits = list(number)
    digits[position], digits[position + 1] = digits[position + 1], digits[position]
    assert not is_valid_nhs_number("".join(digits))


@given(first_nine=nine_digits)
def test_grouped_and_ungrouped_agree(first_nine: str) -> None:
    number = _with_check_digit(first_nine)
    if number is None:
        return
    grouped = f"{number[:3]} {number[3:6]} {number[6:]}"
    assert normalise_nhs_number(grouped) == normalise_nhs_number(number) == number
