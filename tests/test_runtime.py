"""Exact rounding and input helpers of feedsl.runtime (what generated code calls)."""

import datetime
from fractions import Fraction

import pytest

from feedsl.runtime import (
    FeeInputError,
    InputInfo,
    bad_count,
    date_arg,
    divide,
    fy_month,
    months_to_fy_end,
    round_down,
    round_half_up,
    round_up,
)


@pytest.mark.parametrize(
    "x, unit, half_up, down, up",
    [
        (2500, 1000, 3000, 2000, 3000),   # half goes up; round() would give 2000
        (3500, 1000, 4000, 3000, 4000),
        (2499, 1000, 2000, 2000, 3000),
        (2000, 1000, 2000, 2000, 2000),
        (0, 1000, 0, 0, 0),
        (Fraction(1, 2), 1, 1, 0, 1),      # 0.5円 → 1円
        (Fraction(5, 2), 1, 3, 2, 3),      # 2.5円 → 3円 (banker's would give 2)
        (Fraction(70833, 1) + Fraction(1, 3), 1, 70833, 70833, 70834),
        (-2500, 1000, -3000, -2000, -3000),  # magnitudes: half away from zero
        (149, 100, 100, 100, 200),
        (150, 100, 200, 100, 200),
        (15, 10, 20, 10, 20),
    ],
)
def test_rounding_is_exact_and_named(x, unit, half_up, down, up):
    """四捨五入 is half-up (away from zero), 切り捨て toward zero, 切り上げ away from zero."""
    assert round_half_up(x, unit) == half_up
    assert round_down(x, unit) == down
    assert round_up(x, unit) == up
    assert type(round_half_up(x, unit)) is int


def test_half_up_differs_from_python_round():
    """Python's round() is banker's rounding; ours is not."""
    assert round(2500, -3) == 2000
    assert round_half_up(2500, 1000) == 3000


def test_divide_is_exact_and_zero_is_an_input_error():
    """Division gives a Fraction; a zero divisor raises FeeInputError naming it."""
    assert divide(1, 3, "n") == Fraction(1, 3)
    with pytest.raises(FeeInputError, match="association_members"):
        divide(5, 0, "association_members（技士会会員数）")


def test_bad_count_messages_name_the_input():
    """bool, float, str and negative values are refused with the input's name and label."""
    info = InputInfo("population", "人口", "人", 0)
    for bad in (True, 1.5, "100", -1, None):
        with pytest.raises(FeeInputError) as e:
            bad_count(bad, info)
        assert "population" in str(e.value) and "人口" in str(e.value)
        assert e.value.input == "population"


def test_date_arg_accepts_date_and_iso_string_only():
    """Dates come as datetime.date or 'YYYY-MM-DD'; a datetime or a bad string is refused."""
    info = InputInfo("approved_on", "承認日")
    assert date_arg("2024-10-15", info) == datetime.date(2024, 10, 15)
    assert date_arg(datetime.date(2024, 1, 2), info) == datetime.date(2024, 1, 2)
    for bad in ("2024-13-01", "yesterday", datetime.datetime(2024, 1, 1), 20241015):
        with pytest.raises(FeeInputError, match="approved_on"):
            date_arg(bad, info)


@pytest.mark.parametrize(
    "day, start, month_no, remaining",
    [
        ("2024-04-01", 4, 1, 11),
        ("2024-10-15", 4, 7, 5),   # Oct is the 7th month of an April year; Nov–Mar remain
        ("2025-03-10", 4, 12, 0),
        ("2024-01-31", 1, 1, 11),  # calendar fiscal year
        ("2024-12-31", 1, 12, 0),
    ],
)
def test_fiscal_year_months(day, start, month_no, remaining):
    """年度の月 counts from the declared first month; 年度末までの月数 counts the months after."""
    d = datetime.date.fromisoformat(day)
    assert fy_month(d, start) == month_no
    assert months_to_fy_end(d, start) == remaining
