"""Hand-computed tests for regulations/rinko_renmei.fee.

Source: 連盟会員拡大計画2023, a federation's slides
(/work/shared/seeds/000_268442edfc0dd81f.txt).

The rules as read from the slides (every expected figure below is worked out
by hand from them; the comment on each case shows the arithmetic):

    regular_fee            = 3,000円 a year (正会員)
    donation(units)        = 1,000円 × units, units ≥ 1 (寄付 1,000円/口/年)
    rate                   = members ÷ association_members, exact (no rounding)
    group_fee              = 3,000 if rate < 21%      (our reading: no reduction)
                             2,000 if 21% ≤ rate < 51%
                             1,000 if 51% ≤ rate < 81%
                               500 if 81% ≤ rate
    chapter_payment        = group_fee × (members − new_members)

Inputs must satisfy members ≤ association_members and new_members ≤ members;
association_members = 0 leaves no rate and is an input error.
"""

import inspect
import io
import tokenize
from fractions import Fraction
from pathlib import Path

import pytest

import feedsl
from feedsl.runtime import format_rate

REG = Path(__file__).resolve().parents[1] / "regulations" / "rinko_renmei.fee"

_EMPTY = inspect.Parameter.empty


@pytest.fixture(scope="module")
def mod():
    """Compile the federation's regulation once for the whole module."""
    return feedsl.load(REG)


# ---------------------------------------------------------------------------
# 正会員・寄付
# ---------------------------------------------------------------------------

def test_regular_fee(mod):
    """正会員 pay a flat 3,000円 a year, as a plain int."""
    assert mod.regular_fee() == 3_000
    assert type(mod.regular_fee()) is int


@pytest.mark.parametrize("units, expected", [
    (1, 1_000),    # 1 × 1,000
    (3, 3_000),    # 3 × 1,000
    (12, 12_000),  # 12 × 1,000
])
def test_donation(mod, units, expected):
    """寄付 is 1,000円 per 口."""
    assert mod.donation(units=units) == expected


@pytest.mark.parametrize("units", [0, -1, True, 1.0, Fraction(1), "1"])
def test_donation_bad_units(mod, units):
    """寄付 needs a whole number of 口, at least one (範囲 1口以上); anything else names units."""
    with pytest.raises(feedsl.FeeInputError) as ei:
        mod.donation(units=units)
    assert ei.value.input == "units"


# ---------------------------------------------------------------------------
# group_fee: the rate ladder, both sides of every threshold
# ---------------------------------------------------------------------------

GROUP_FEE_CASES = [
    # The figures of the issue.
    pytest.param(21, 100, 2_000, id="21/100=21%"),      # 21% ≥ 21%, < 51%
    pytest.param(20, 100, 3_000, id="20/100=20%"),      # 20% < 21%
    pytest.param(51, 100, 1_000, id="51/100=51%"),      # 51% ≥ 51%, < 81%
    pytest.param(81, 100, 500, id="81/100=81%"),        # 81% ≥ 81%
    pytest.param(100, 100, 500, id="100/100=100%"),     # 100% ≥ 81%
    pytest.param(17, 80, 2_000, id="17/80=21.25%"),     # 17/80 = 0.2125 ≥ 0.21
    pytest.param(16, 80, 3_000, id="16/80=20%"),        # 16/80 = 0.20 < 0.21
    # Just below / at each threshold with whole percents.
    pytest.param(50, 100, 2_000, id="50/100=50%"),      # 50% < 51%
    pytest.param(80, 100, 1_000, id="80/100=80%"),      # 80% < 81%
    # Only an exact comparison gets these right (two decimal places of a percent).
    pytest.param(2_099, 10_000, 3_000, id="2099/10000=20.99%"),  # 20.99% < 21%
    pytest.param(2_100, 10_000, 2_000, id="2100/10000=21%"),     # 21.00% = 21%
    pytest.param(5_099, 10_000, 2_000, id="5099/10000=50.99%"),  # 50.99% < 51%
    pytest.param(5_100, 10_000, 1_000, id="5100/10000=51%"),     # 51.00% = 51%
    pytest.param(8_099, 10_000, 1_000, id="8099/10000=80.99%"),  # 80.99% < 81%
    pytest.param(8_100, 10_000, 500, id="8100/10000=81%"),       # 81.00% = 81%
    # Rates between the slide's 20% and 21% marks (20%以下 / 21%以上 leave them out).
    pytest.param(41, 200, 3_000, id="41/200=20.5%"),    # 20.5% < 21%
    pytest.param(20, 99, 3_000, id="20/99=20.20%"),     # 20/99 = 0.2020… < 0.21
    pytest.param(21, 99, 2_000, id="21/99=21.21%"),     # 21/99 = 0.2121… ≥ 0.21
    # Rates with no finite decimal.
    pytest.param(1, 3, 2_000, id="1/3=33.3%"),          # 33.33…% in [21%, 51%)
    pytest.param(2, 3, 1_000, id="2/3=66.7%"),          # 66.66…% in [51%, 81%)
    pytest.param(13, 16, 500, id="13/16=81.25%"),       # 13/16 = 0.8125 ≥ 0.81
    # Small and extreme chapters.
    pytest.param(0, 100, 3_000, id="0/100=0%"),         # nobody on the roster: 0% < 21%
    pytest.param(0, 1, 3_000, id="0/1=0%"),             # 0% < 21%
    pytest.param(1, 1, 500, id="1/1=100%"),             # 100% ≥ 81%
    pytest.param(1, 5, 3_000, id="1/5=20%"),            # 20% < 21%
    pytest.param(2, 5, 2_000, id="2/5=40%"),            # 40% in [21%, 51%)
    # 0.21 − 10⁻¹⁷: a float division rounds it to exactly 0.21 and would say 2,000;
    # exactly it is below 21%.  (21×10¹⁵ − 1)/10¹⁷ = 0.21 − 10⁻¹⁷ < 0.21 → 3,000.
    pytest.param(21 * 10**15 - 1, 10**17, 3_000, id="just-below-21%-beyond-float"),
    pytest.param(21 * 10**15, 10**17, 2_000, id="exactly-21%-large"),  # = 0.21 → 2,000
    # 0.81 − 10⁻¹⁷ likewise: below 81% → 1,000.
    pytest.param(81 * 10**15 - 1, 10**17, 1_000, id="just-below-81%-beyond-float"),
]


@pytest.mark.parametrize("members, association_members, expected", GROUP_FEE_CASES)
def test_group_fee(mod, members, association_members, expected):
    """The per-person fee follows the join-rate ladder, compared exactly."""
    got = mod.group_fee(members=members, association_members=association_members)
    assert got == expected
    assert type(got) is int


def test_float_would_get_the_large_case_wrong():
    """Guard for the case above: a float division really does land on 0.21."""
    assert (21 * 10**15 - 1) / 10**17 >= 0.21  # the float answer is wrong …
    assert Fraction(21 * 10**15 - 1, 10**17) < Fraction(21, 100)  # … the exact one is right


def test_group_fee_is_monotone_over_all_rosters_of_100(mod):
    """Over a chapter of 100 members the fee only falls as the roster grows, and
    changes exactly at 21, 51 and 81 members."""
    fees = [mod.group_fee(members=m, association_members=100) for m in range(101)]
    changes = [m for m in range(1, 101) if fees[m] != fees[m - 1]]
    assert changes == [21, 51, 81]
    assert fees[0] == 3_000 and fees[21] == 2_000 and fees[51] == 1_000 and fees[81] == 500


# ---------------------------------------------------------------------------
# join_rate
# ---------------------------------------------------------------------------

def test_join_rate_is_exact_fraction(mod):
    """The join rate is members ÷ association_members as an exact Fraction."""
    r = mod.join_rate(members=2_099, association_members=10_000)
    assert r == Fraction(2_099, 10_000)
    assert type(r) is Fraction
    assert format_rate(r, 2) == "20.99%"
    assert format_rate(mod.join_rate(members=1, association_members=3), 2) == "33.33%"


# ---------------------------------------------------------------------------
# chapter_payment
# ---------------------------------------------------------------------------

CHAPTER_PAYMENT_CASES = [
    # 90% → 500; paying 90 − 10 = 80; 500 × 80 = 40,000
    pytest.param(dict(members=90, association_members=100, new_members=10), 40_000, id="issue-90-100-10"),
    # 30% → 2,000; 2,000 × 30 = 60,000
    pytest.param(dict(members=30, association_members=100), 60_000, id="30-100"),
    # 10% → 3,000; 3,000 × 10 = 30,000
    pytest.param(dict(members=10, association_members=100), 30_000, id="10-100"),
    # 21% → 2,000; every one new: 2,000 × 0 = 0
    pytest.param(dict(members=21, association_members=100, new_members=21), 0, id="all-new"),
    # 81% → 500; 500 × (81 − 1) = 40,000
    pytest.param(dict(members=81, association_members=100, new_members=1), 40_000, id="81-100-1"),
    # 51% → 1,000; 1,000 × 51 = 51,000
    pytest.param(dict(members=51, association_members=100), 51_000, id="51-100"),
    # 20.99% → 3,000; 3,000 × 2,099 = 6,297,000
    pytest.param(dict(members=2_099, association_members=10_000), 6_297_000, id="2099-10000"),
    # 21% → 2,000; 2,000 × 2,100 = 4,200,000 (one more member, a lower total)
    pytest.param(dict(members=2_100, association_members=10_000), 4_200_000, id="2100-10000"),
    # 0% → 3,000; 3,000 × 0 = 0
    pytest.param(dict(members=0, association_members=100), 0, id="empty-roster"),
]


@pytest.mark.parametrize("kwargs, expected", CHAPTER_PAYMENT_CASES)
def test_chapter_payment(mod, kwargs, expected):
    """A chapter pays the per-person fee × the members who are not first-year new members."""
    assert mod.chapter_payment(**kwargs) == expected


def test_chapter_payment_default_no_new_members(mod):
    """new_members defaults to 0: later years of the plan have no free new members."""
    assert mod.chapter_payment(members=30, association_members=100) == \
        mod.chapter_payment(members=30, association_members=100, new_members=0)


# ---------------------------------------------------------------------------
# Input errors
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("func, kwargs, inputs", [
    # 101 > 100: the roster cannot exceed the association
    ("group_fee", dict(members=101, association_members=100), ("members", "association_members")),
    # 5 > 0: same relation (it is checked before the division)
    ("group_fee", dict(members=5, association_members=0), ("members", "association_members")),
    ("chapter_payment", dict(members=101, association_members=100), ("members", "association_members")),
    # 11 new of 10 members
    ("chapter_payment", dict(members=10, association_members=100, new_members=11), ("new_members", "members")),
])
def test_relation_errors_name_both_inputs(mod, func, kwargs, inputs):
    """A broken 前提 is a FeeInputError whose message and .inputs name both inputs."""
    with pytest.raises(feedsl.FeeInputError) as ei:
        getattr(mod, func)(**kwargs)
    assert ei.value.inputs == inputs
    for name in inputs:
        assert name in str(ei.value)


@pytest.mark.parametrize("func", ["group_fee", "join_rate", "chapter_payment"])
def test_zero_association_is_input_error(mod, func):
    """0 ÷ 0: no rate can be computed; the error names the divisor input."""
    with pytest.raises(feedsl.FeeInputError) as ei:
        getattr(mod, func)(members=0, association_members=0)
    assert ei.value.input == "association_members"
    assert ei.value.label == "技士会の会員数"
    assert "association_members" in str(ei.value)


@pytest.mark.parametrize("kwargs, name", [
    (dict(members=-1, association_members=100), "members"),
    (dict(members=10, association_members=-1), "association_members"),
    (dict(members=10.0, association_members=100), "members"),
    (dict(members=10, association_members=Fraction(100)), "association_members"),
    (dict(association_members=100), "members"),
])
def test_bad_counts(mod, kwargs, name):
    """Counts must be whole, non-negative ints; the error names the input."""
    with pytest.raises(feedsl.FeeInputError) as ei:
        mod.group_fee(**kwargs)
    assert ei.value.input == name


# ---------------------------------------------------------------------------
# API shape and generated code
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, params", [
    ("regular_fee", {}),
    ("donation", {"units": _EMPTY}),
    ("group_fee", {"members": _EMPTY, "association_members": _EMPTY}),
    ("chapter_payment", {"members": _EMPTY, "association_members": _EMPTY, "new_members": 0}),
])
def test_signatures_keyword_only(mod, name, params):
    """Entries take keyword-only arguments; new_members is the only optional one."""
    sig = inspect.signature(getattr(mod, name))
    assert {n: p.default for n, p in sig.parameters.items()} == params
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in sig.parameters.values())


def test_positional_call_rejected(mod):
    """Positional arguments are refused (FeeInputError): members and association_members are easy to swap."""
    with pytest.raises(feedsl.FeeInputError, match="名前を付けて"):
        mod.group_fee(21, 100)


def test_fiscal_year_is_calendar_year(mod):
    """The header 年度 1月始まり makes the fiscal year the calendar year."""
    assert mod.FISCAL_YEAR_START == 1


def test_generated_code_has_no_float(mod):
    """No float literal or float() in the generated module; thresholds are Fractions."""
    src = mod.__feedsl_source__
    toks = tokenize.generate_tokens(io.StringIO(src).readline)
    numbers = [t.string for t in toks if t.type == tokenize.NUMBER]
    assert all(n.isdigit() for n in numbers), numbers
    assert "float" not in src
    assert "_Fraction(21, 100)" in src and "_Fraction(51, 100)" in src and "_Fraction(81, 100)" in src


def test_interpretations_are_recorded(mod):
    """Our readings (the tier below 21%, the first-year new members) are 解釈 in the IR."""
    rules = mod.__feedsl_ir__.rules
    kinds = {name: [k for k, _ in rules[name].notes] for name in ("group_fee", "chapter_payment")}
    assert "解釈" in kinds["group_fee"]
    assert "解釈" in kinds["chapter_payment"]
    assert any("12月31日" in t for k, t in rules["chapter_payment"].notes if k == "解釈")
    assert any("6月末日" in t for k, t in rules["chapter_payment"].notes if k == "注")


def test_example_expected_unit_is_checked():
    """An 例 states group_fee in its own unit, 円/人; a bare 円 total is a unit error (F201),
    so a per-person fee cannot be mistaken for a chapter's total in an example."""
    from feedsl.api import compile_source
    from feedsl.source import SourceFile

    text = REG.read_text(encoding="utf-8")
    ok = compile_source(SourceFile("r.fee", text))
    assert ok.ok
    bad = text + "例 group_fee(members=21人, association_members=100人) = 2,000円\n"
    c = compile_source(SourceFile("r.fee", bad))
    assert [d.code for d in c.diagnostics if d.is_error] == ["F201"]
