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


# --- numbers of any size as text (issue 10: no traceback for a huge number) ------

from feedsl.runtime import (  # noqa: E402
    FeeEnum,
    FeeRecord,
    bad_rate,
    enum_arg,
    format_decimal,
    format_number,
    int_digits,
    no_row,
    relation_failed,
)

# Python refuses str() of an int of more than 4,300 digits; these have 5,000 and 5,001.
BIG = 10 ** 4999          # 1 and 4,999 zeros: 5,000 digits
BIGGER = 10 ** 5000 + 123_456_789  # 5,001 digits ending in 123456789


def test_format_number_small_values_are_exact_and_grouped():
    """Whole numbers get a comma every three digits; fractions show their exact
    decimals when they end within 4 places, else 約 and 2 places rounded half-up."""
    assert format_number(0) == "0"
    assert format_number(1_234_567) == "1,234,567"
    assert format_number(-1_234_567) == "-1,234,567"
    assert format_number(1_234_567, grouping=False) == "1234567"
    assert format_number(Fraction(2099, 100)) == "20.99"
    assert format_number(Fraction(12345, 8)) == "1,543.125"      # 1543 + 1/8
    assert format_number(Fraction(1, 3)) == "約0.33"
    assert format_number(Fraction(2, 3)) == "約0.67"             # 0.666… half-up
    assert format_number(Fraction(-1, 3)) == "約-0.33"
    assert format_number(Fraction(1, 7), 6, 4) == "約0.1429"     # 0.142857…


def test_format_number_shows_sixty_digits_in_full():
    """A number of 60 digits is shown whole; 61 digits are shortened."""
    assert format_number(10 ** 59) == "100" + ",000" * 19          # 60 digits, 20 groups
    assert format_number(10 ** 60) == "1,000,000,000…（全61桁）…000,000,000"


def test_format_number_never_raises_for_huge_values():
    """Past 4,300 digits (where str() raises) a number is shown shortened: its
    first group and three more, the exact digit count, its last three groups."""
    assert format_number(BIG) == "10,000,000,000…（全5,000桁）…000,000,000"
    assert format_number(-BIG) == "-10,000,000,000…（全5,000桁）…000,000,000"
    assert format_number(BIGGER) == "100,000,000,000…（全5,001桁）…123,456,789"
    assert format_number(BIG, en=True) == "10,000,000,000…(5,000 digits)…000,000,000"
    assert format_number(BIG, grouping=False) == "100000000000…（全5,000桁）…000000000"
    # 10**5000 / 2 + 1/2 = 5 and 4,999 zeros, .5 exactly
    assert format_number(Fraction(10 ** 5000 + 1, 2)) == "50,000,000,000…（全5,000桁）…000,000,000.5"
    # 10**5000 / 3 = 333…3.33…: 5,000 threes before the point
    assert format_number(Fraction(10 ** 5000, 3)) == "約33,333,333,333…（全5,000桁）…333,333,333.33"


def test_int_digits_is_exact_for_any_size():
    """int_digits gives every digit of an int that str() refuses, exactly."""
    assert int_digits(0) == "0" and int_digits(-42) == "-42"
    assert int_digits(BIGGER) == "1" + "0" * 4991 + "123456789"
    assert int_digits(-BIG) == "-1" + "0" * 4999
    n = 7 ** 12000  # 10,142 digits, no pattern: rebuild it from the text in 1,000-digit pieces
    text = int_digits(n)
    back = 0
    for i in range(0, len(text), 1000):
        piece = text[i:i + 1000]
        back = back * 10 ** len(piece) + int(piece)
    assert back == n and text[0] != "0"


def test_format_decimal_is_exact_for_huge_values():
    """format_decimal (fixed places, no grouping) is exact however long the number."""
    assert format_decimal(Fraction(10 ** 5000 + 1, 8), 3) == "125" + "0" * 4997 + ".125"


INFO_N = InputInfo("population", "人口", "人", 0)


class Kind(FeeEnum):
    city = "city"
    town = "town"


Kind._labels = {"city": "市", "town": "町"}


class Site(FeeRecord):
    __slots__ = ("kind", "capacity")
    _label = "事業所"

    def __init__(self, kind, capacity):
        FeeRecord._set(self, "kind", kind)
        FeeRecord._set(self, "capacity", capacity)


@pytest.mark.parametrize("call, shown", [
    (lambda: bad_count(-BIGGER, INFO_N), "-100,000,000,000…（全5,001桁）…123,456,789"),
    (lambda: bad_count(Fraction(BIG, 3), INFO_N), "Fraction"),
    (lambda: bad_count([BIG], INFO_N), "list"),
    (lambda: bad_rate(-BIG, InputInfo("rate", "割合")), "-100000000000…（全5,000桁）…000000000"),
    (lambda: bad_rate(Fraction(-BIG, 7), InputInfo("rate", "割合")), "Fraction"),
    (lambda: enum_arg(Kind, BIG, InputInfo("kind", "区分")), "100000000000…（全5,000桁）…000000000"),
    (lambda: enum_arg(Kind, "x" * 5000, InputInfo("kind", "区分")), "xxx"),
    (lambda: date_arg(BIG, InputInfo("day", "日付")), "100000000000…（全5,000桁）…000000000"),
    (lambda: no_row("均等割", BIG), "10,000,000,000…（全5,000桁）…000,000,000"),
])
def test_input_errors_with_huge_values_are_fee_input_errors(call, shown):
    """An input error about a huge value (or a very long one) is a FeeInputError
    with a short message, never a ValueError from formatting the value."""
    with pytest.raises(FeeInputError) as e:
        call()
    assert shown in str(e.value)
    assert len(str(e.value)) < 400


def test_relation_failed_shows_values_as_a_regulation_writes_them():
    """A broken 前提 names each input with its value: enum values by label, bools
    as はい/いいえ, dates in 年月日, counts with their unit, rates in percent,
    records by their fields; a huge count shortened."""
    infos = (InputInfo("kind", "区分"), InputInfo("core", "中核市"), InputInfo("day", "承認日"),
             InputInfo("population", "人口", "人"), InputInfo("rate", "入会率"),
             InputInfo("site", "事業所"))
    values = {"kind": Kind.city, "core": False, "day": datetime.date(2024, 4, 1),
              "population": BIG, "rate": Fraction(1, 4), "site": Site(Kind.town, 30)}
    with pytest.raises(FeeInputError) as e:
        relation_failed("規程に反します", "…", values, infos)
    assert str(e.value).split(" / ")[0] == (
        "規程に反します: kind（区分） = 市、core（中核市） = いいえ、day（承認日） = 2024年4月1日、"
        "population（人口） = 10,000,000,000…（全5,000桁）…000,000,000人、rate（入会率） = 25%、"
        "site（事業所） = 事業所（kind 町、capacity 30）（前提: …）")
    assert e.value.inputs == ("kind", "core", "day", "population", "rate", "site")


ENUM_RELATION = """規程 e 「前提の表示」
区分 kind_t 「市町村の区分」
    city 「市」
    town 「町」
入力 kind: kind_t 「市町村の区分」
入力 population: 人 「人口」
前提 もし kind が city ならば population ≥ 1人 そうでなければ はい 「市は人口が1人以上です」
規則 fee 「会費」 [1] =
    場合 kind
        city → population × 10円/人
        town → 5円
例 fee(kind=city, population=3人) = 30円
"""


def load_text(tmp_path_factory, text: str):
    """feedsl.load of ``text`` written to a fresh .fee file."""
    import feedsl

    p = tmp_path_factory.mktemp("fee") / "t.fee"
    p.write_text(text, "utf-8")
    return feedsl.load(p)


@pytest.fixture(scope="module")
def enum_mod(tmp_path_factory):
    return load_text(tmp_path_factory, ENUM_RELATION)


def test_broken_relation_on_an_enum_input_is_a_fee_input_error(enum_mod):
    """前提 もし kind が city ならば population ≥ 1人 … broken by a city of 0 people
    raises FeeInputError naming both inputs, the enum value by its label."""
    with pytest.raises(FeeInputError) as e:
        enum_mod.fee(kind="city", population=0)
    assert str(e.value).split(" / ")[0] == (
        "市は人口が1人以上です: kind（市町村の区分） = 市、population（人口） = 0人"
        "（前提: もし kind が city ならば population ≥ 1人 そうでなければ はい）")
    assert e.value.inputs == ("kind", "population")


def test_huge_inputs_compute_exactly(enum_mod):
    """A valid input of 5,000 digits computes (10円/人 × 10**4999人 = 10**5000円);
    a negative one is a FeeInputError showing it shortened."""
    assert enum_mod.fee(kind="city", population=BIG) == 10 ** 5000
    with pytest.raises(FeeInputError) as e:
        enum_mod.fee(kind="town", population=-BIG)
    assert "-10,000,000,000…（全5,000桁）…000,000,000" in str(e.value)
    assert e.value.input == "population"


def test_record_repr_and_unknown_field_with_huge_values():
    """A record holding a 5,000-digit count has an exact repr (repr() of the int
    raises), and a dict with a huge unknown key is a FeeInputError."""
    from feedsl.runtime import record_arg

    assert repr(Site(Kind.city, BIG)) == f"Site(kind=<Kind.city: 'city'>, capacity=1{'0' * 4999})"
    with pytest.raises(FeeInputError) as e:
        record_arg(Site, {BIG: 1}, InputInfo("site", "事業所"))
    assert "100000000000…（全5,000桁）…000000000" in str(e.value)
