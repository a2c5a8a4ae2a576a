"""Rates: exact percent literals, rate-keyed bracket tables, exact lookups,
division by zero as an input error, and format_rate.

A rate is a ratio of two counts (members ÷ association_members): an exact
Fraction, never a float.  Tables keyed by a rate are checked on the rational
domain, so 20%以下 then 21%以上 leaves a real gap (20.5%).
"""

from fractions import Fraction

import pytest

import feedsl
from feedsl.api import compile_source, module_from_source
from feedsl.runtime import format_decimal, format_rate
from feedsl.source import SourceFile

HEAD = """規程 t 「率の表」
    年度 1月始まり

入力 a: 人 「分子」
入力 b: 人 「分母」

規則 rate 「率」 =
    a ÷ b

"""


def compile_text(body: str, path: str = "t.fee"):
    """Compile a small regulation made of HEAD and ``body``."""
    return compile_source(SourceFile(path, HEAD + body))


def errors(c, code=None):
    """The error diagnostics of a compile result (of one code, if given)."""
    return [d for d in c.diagnostics if d.is_error and (code is None or d.code == code)]


def load_text(body: str):
    """Compile ``body`` and return the module (failing the test on any error)."""
    c = compile_text(body)
    assert c.ok, [(d.code, d.message) for d in c.diagnostics]
    return module_from_source(c.python, "t_mod", "<t>")


# ---------------------------------------------------------------------------
# The bracket checker on rate keys
# ---------------------------------------------------------------------------

SLIDE_TABLE = """表 fee 「会費」 rate による
    20%以下      3,000円
    21%以上      2,000円
"""


def test_gap_between_20_and_21_percent():
    """20%以下 / 21%以上 on a rate leaves (20%, 21%) uncovered: F412 with witness 20.5%."""
    c = compile_text(SLIDE_TABLE)
    gaps = errors(c, "F412")
    assert len(gaps) == 1
    msg = gaps[0].message
    assert "20.5%" in msg          # strictly between 20% and 21%
    assert "20%以下" in msg and "21%以上" in msg
    assert not c.ok


def test_gap_witness_is_strictly_between():
    """The witness value of the gap lies strictly between the two rows' bounds."""
    c = compile_text(SLIDE_TABLE)
    (gap,) = errors(c, "F412")
    w = Fraction(gap.message.split("%")[0]) / 100
    assert Fraction(20, 100) < w < Fraction(21, 100)


def test_slide_ladder_reports_only_the_gap():
    """The slide's ladder (20%以下, 21%以上, 51%以上, 81%以上) is read as steps:
    no overlap between the 以上 rows, only the 20%–21% gap."""
    c = compile_text("""表 fee 「会費」 rate による
    20%以下      3,000円
    21%以上      2,000円
    51%以上      1,000円
    81%以上        500円
""")
    assert [d.code for d in errors(c)] == ["F412"]
    assert "20.5%" in errors(c)[0].message


def test_no_gap_on_whole_numbers():
    """The same bounds on a whole-number key (人) leave no gap: 20人以下 / 21人以上 is fine."""
    c = compile_text("""表 fee 「会費」 a による
    20人以下      3,000円
    21人以上      2,000円
""")
    assert errors(c) == []


def test_gap_at_a_single_point():
    """20%未満 / 20%超 leaves exactly 20% uncovered, and the witness is 20%."""
    c = compile_text("""表 fee 「会費」 rate による
    20%未満      3,000円
    20%超        2,000円
""")
    (gap,) = errors(c, "F412")
    assert gap.message.startswith("20%")


def test_overlap_witness():
    """30%以下 and 20%以上～50%未満 overlap; the witness is 20% (both rows include it)."""
    c = compile_text("""表 fee 「会費」 rate による
    30%以下              3,000円
    20%以上～50%未満     2,000円
    それ以上             1,000円
""")
    (ov,) = errors(c, "F411")
    assert ov.message.startswith("20%")


def test_gap_above_last_row():
    """A rate table ending at 81%未満 misses 81% and above (rates are unbounded above)."""
    c = compile_text("""表 fee 「会費」 rate による
    21%未満      3,000円
    81%未満      2,000円
""")
    (gap,) = errors(c, "F412")
    assert gap.message.startswith("81%")


def test_decimal_percent_bounds_gap():
    """Bounds with decimals are exact: 20.99%以下 / 21%以上 still leaves 20.995%."""
    c = compile_text("""表 fee 「会費」 rate による
    20.99%以下      3,000円
    21%以上         2,000円
""")
    (gap,) = errors(c, "F412")
    assert gap.message.startswith("20.995%")


def test_percent_bound_on_a_count_key_is_a_unit_error():
    """A percent bound cannot key a table on a count (人): F201."""
    c = compile_text("""表 fee 「会費」 a による
    20%以下      3,000円
    それ以上     2,000円
""")
    assert errors(c, "F201")


# ---------------------------------------------------------------------------
# Equivalent ways to write the ladder, all exact
# ---------------------------------------------------------------------------

LADDERS = {
    "chained 未満": """
    21%未満      3,000円
    51%未満      2,000円
    81%未満      1,000円
    それ以上       500円
""",
    "以上 steps": """
    21%未満      3,000円
    21%以上      2,000円
    51%以上      1,000円
    81%以上        500円
""",
    "explicit ranges": """
    0%以上～21%未満      3,000円
    21%以上～51%未満     2,000円
    51%以上～81%未満     1,000円
    81%以上                500円
""",
    "それ以外 last": """
    21%以上～51%未満     2,000円
    51%以上～81%未満     1,000円
    81%以上                500円
    それ以外             3,000円
""",
}

# (a, b, fee): worked by hand from the ladder 21% / 51% / 81%.
LADDER_CASES = [
    (0, 100, 3_000),          # 0%
    (2_099, 10_000, 3_000),   # 20.99% < 21%
    (2_100, 10_000, 2_000),   # 21%
    (41, 200, 3_000),         # 20.5%
    (1, 3, 2_000),            # 33.3…%
    (5_099, 10_000, 2_000),   # 50.99%
    (51, 100, 1_000),         # 51%
    (8_099, 10_000, 1_000),   # 80.99%
    (8_100, 10_000, 500),     # 81%
    (1, 1, 500),              # 100%
    (3, 2, 500),              # 150% (no 前提 here: rates above 100% still land in the top row)
]


@pytest.mark.parametrize("form", list(LADDERS))
def test_ladder_forms_agree(form):
    """Chained 未満 rows, 以上 steps, explicit ranges and それ以外 give the same fees."""
    mod = load_text("表 fee 「会費」 rate による" + LADDERS[form])
    for a, b, fee in LADDER_CASES:
        assert mod.fee(a=a, b=b) == fee, (form, a, b)


@pytest.mark.parametrize("form", list(LADDERS))
def test_ladder_code_uses_fractions(form):
    """Generated lookups compare against Fraction constants, never floats."""
    c = compile_text("表 fee 「会費」 rate による" + LADDERS[form])
    assert "_Fraction(21, 100)" in c.python
    assert "float" not in c.python
    assert "0.21" not in c.python


def test_rate_rows_display_as_regulations_write_them():
    """Normalised rows of a rate table show their resolved ranges in percent."""
    c = compile_text("表 fee 「会費」 rate による" + LADDERS["以上 steps"])
    rows = c.ir.rules["fee"].expr.rows
    assert [r.display for r in rows] == ["21%未満", "21%以上～51%未満", "51%以上～81%未満", "81%以上"]


def test_percent_literal_is_exact():
    """21% is Fraction(21, 100) and 20.99% is Fraction(2099, 10000), dimensionless."""
    mod = load_text("""規則 over 「21%以上か」 =
    もし rate ≥ 21% ならば 1円 そうでなければ 0円
規則 over2 「20.99%超か」 =
    もし rate > 20.99% ならば 1円 そうでなければ 0円
""")
    assert mod.over(a=21, b=100) == 1
    assert mod.over(a=2_099, b=10_000) == 0
    assert mod.over2(a=2_099, b=10_000) == 0     # 20.99% is not > 20.99%
    assert mod.over2(a=20_991, b=100_000) == 1   # 20.991% > 20.99%


# ---------------------------------------------------------------------------
# Division by zero
# ---------------------------------------------------------------------------

def test_zero_divisor_names_the_input():
    """a ÷ b with b = 0 is a FeeInputError naming b, not ZeroDivisionError."""
    mod = load_text("")
    with pytest.raises(feedsl.FeeInputError) as ei:
        mod.rate(a=1, b=0)
    assert ei.value.input == "b"
    assert ei.value.label == "分母"
    assert "b（分母）" in str(ei.value)


def test_zero_divisor_expression_names_all_inputs():
    """A divisor computed from several inputs names them all in .inputs."""
    mod = load_text("""入力 c: 人 = 0 「分母の追加」

規則 rate2 「率2」 =
    a ÷ (b + c)
""")
    with pytest.raises(feedsl.FeeInputError) as ei:
        mod.rate2(a=1, b=0, c=0)
    assert ei.value.inputs == ("b", "c")
    assert mod.rate2(a=1, b=1, c=3) == Fraction(1, 4)


def test_rate_input_rejects_float():
    """An input declared as 割合 takes an int or Fraction; a float is an input error."""
    mod = load_text("""入力 r: 割合 「率」

表 fee 「会費」 r による
    21%未満      3,000円
    それ以上     2,000円
""")
    assert mod.fee(r=Fraction(21, 100)) == 2_000
    assert mod.fee(r=Fraction(2_099, 10_000)) == 3_000
    with pytest.raises(feedsl.FeeInputError) as ei:
        mod.fee(r=0.21)
    assert ei.value.input == "r"


# ---------------------------------------------------------------------------
# format_rate / format_decimal
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("rate, digits, text", [
    (Fraction(2_099, 10_000), 2, "20.99%"),    # exact
    (Fraction(21, 100), 2, "21.00%"),          # trailing zeros kept to the stated precision
    (Fraction(21, 100), 0, "21%"),
    (Fraction(1, 3), 2, "33.33%"),             # 33.333… → 33.33
    (Fraction(2, 3), 2, "66.67%"),             # 66.666… → 66.67
    (Fraction(2, 3), 0, "67%"),
    (Fraction(41, 200), 0, "21%"),             # 20.5 → 21: half-up (banker's would give 20)
    (Fraction(1, 800), 2, "0.13%"),            # 0.125 → 0.13: half-up (banker's 0.12)
    (Fraction(20_995, 100_000), 2, "21.00%"),  # 20.995 → 21.00
    (Fraction(20_994_999, 100_000_000), 2, "20.99%"),  # 20.994999 → 20.99
    (Fraction(0), 2, "0.00%"),
    (1, 0, "100%"),                            # an int rate
    (Fraction(3, 2), 1, "150.0%"),
])
def test_format_rate(rate, digits, text):
    """format_rate shows a rate as a percent, half-up at the stated precision, exactly."""
    assert format_rate(rate, digits) == text


def test_format_rate_rejects_float():
    """A float is never accepted: it would already have lost exactness."""
    with pytest.raises(TypeError):
        format_rate(0.21, 2)
    with pytest.raises(TypeError):
        format_rate(True, 2)


@pytest.mark.parametrize("digits", [-1, 1.0, None])
def test_format_rate_bad_digits(digits):
    """The precision is a whole number of decimal places, 0 or more."""
    with pytest.raises(ValueError):
        format_rate(Fraction(1, 3), digits)


@pytest.mark.parametrize("x, digits, text", [
    (Fraction(-5, 2), 0, "-3"),       # halves away from zero
    (Fraction(-1, 1_000), 2, "0.00"),  # no "-0.00"
    (Fraction(1, 8), 2, "0.13"),
    (12_345, 1, "12345.0"),
])
def test_format_decimal(x, digits, text):
    """format_decimal rounds half away from zero and never shows a negative zero."""
    assert format_decimal(x, digits) == text
