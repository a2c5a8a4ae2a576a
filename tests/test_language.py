"""Language features added for issue 3, tested on small made-up files:
parameter labels and domains, enum narrowing in 場合, tables whose columns
cover only some values of an enum, units of 月割り, records and lists in 例."""

import pytest

import feedsl
from feedsl.api import compile_source, module_from_source
from feedsl.source import SourceFile

HEAD = """規程 t 「テスト」
    年度 4月始まり

区分 kind 「種別」
    a 「甲」
    b 「乙」
    c 「丙」

"""

TABLE = """表 tab(k: kind 「種別」, n: 人 「人数」 範囲 1人以上) 「表」 n による、k 別 (a b)
    1人～9人   100円  200円
    10人以上   300円  400円
"""


def comp(body: str):
    return compile_source(SourceFile("t.fee", HEAD + body))


def codes(c):
    return [d.code for d in c.diagnostics if d.is_error]


def load(c):
    assert c.ok, [d.message for d in c.diagnostics]
    return module_from_source(c.python, "t_mod", "<t>")


def test_narrowed_call_to_partial_table_compiles():
    """A 場合 arm that handles the missing value narrows the argument: no error."""
    c = comp(TABLE + """
規則 f(k: kind, n: 人) 「f」 =
    場合 k
        c → 0円
        それ以外 → tab(k, n)
""")
    m = load(c)
    assert m.f(k="a", n=10) == 300 and m.f(k="b", n=1) == 200 and m.f(k="c", n=0) == 0


def test_unnarrowed_call_to_partial_table_is_f413():
    """Passing a value the table has no column for is a compile error F413 at the call."""
    c = comp(TABLE + """
規則 f(k: kind, n: 人) 「f」 = tab(k, n)
""")
    assert codes(c) == ["F413"]
    d = next(d for d in c.diagnostics if d.code == "F413")
    assert "c（丙）" in d.message


def test_partial_columns_on_an_input_is_f413():
    """A table keyed by an input (not a parameter) must have a column for every value."""
    c = comp("""入力 k: kind 「種別」
入力 n: 人 「人数」
表 tab 「表」 n による、k 別 (a b)
    10人以下   100円  200円
    それ以上   300円  400円
""")
    assert codes(c) == ["F413"]


def test_public_table_rejects_missing_column_value():
    """Called directly, the table function rejects a value it has no column for."""
    m = load(comp(TABLE))
    with pytest.raises(feedsl.FeeInputError) as ei:
        m.tab(k="c", n=5)
    assert "k（種別）" in str(ei.value)


def test_table_gap_at_zero_without_domain():
    """Without 範囲 1人以上 the bracket checker reports 0人 as a gap (F412)."""
    c = comp(TABLE.replace(" 範囲 1人以上", ""))
    assert codes(c) == ["F412"]
    assert "0人" in next(d.message for d in c.diagnostics if d.code == "F412")


def test_parameter_domain_checked_at_run_time_when_not_provable():
    """An argument the checker cannot prove >= 1 is checked when the call runs."""
    c = comp(TABLE + """
規則 f(k: kind, n: 人) 「f」 =
    場合 k
        c → 0円
        それ以外 → tab(k, n)
""")
    m = load(c)
    assert m.f(k="c", n=0) == 0  # column c never reaches the table
    with pytest.raises(feedsl.FeeInputError) as ei:
        m.f(k="a", n=0)
    assert "n（人数）" in str(ei.value)


def test_parameter_domain_proved_statically_emits_no_check():
    """n + 1人 is at least 1: the generated call has no run-time check."""
    c = comp(TABLE + """
規則 f(k: kind, n: 人) 「f」 =
    場合 k
        c → 0円
        それ以外 → tab(k, n + 1人)
""")
    m = load(c)
    assert m.f(k="a", n=0) == 100  # 0 + 1 = 1 -> 1～9人, column a
    line = next(ln for ln in c.python.splitlines() if ln.startswith("def _S") and "_f(" in ln)
    body = c.python.split(line, 1)[1].split("\n\n", 1)[0]
    assert "_bad_count" not in body


def test_match_on_narrowed_subject_needs_only_possible_values():
    """Inside それ以外, a nested 場合 on the same name needs arms only for the values left."""
    c = comp("""
規則 f(k: kind) 「f」 =
    場合 k
        a → 1円
        それ以外 →
            場合 k
                b → 2円
                c → 3円
""")
    assert c.ok
    m = load(c)
    assert [m.f(k=x) for x in "abc"] == [1, 2, 3]


def test_monthly_proration_needs_month_unit_divisor():
    """年会費 × 月数 ÷ 12 leaves 円・か月: rounding to 1円 is F201 with a hint to write ÷ 12か月."""
    body = """入力 annual: 円 「年会費」
入力 d: 日付 「日」
規則 f 「f」 = 切り捨て(annual × 翌月から年度末までの月数(d) ÷ 12, 1円)
"""
    c = comp(body)
    assert codes(c) == ["F201"]
    assert "÷ 12か月" in next(d.hint for d in c.diagnostics if d.code == "F201")
    assert comp(body.replace("÷ 12,", "÷ 12か月,")).ok


def test_unrounded_division_of_yen_is_f301():
    """÷ gives an exact fraction; a rule returning 円 must round it (F301)."""
    c = comp("""入力 annual: 円 「年会費」
規則 f 「f」 = annual ÷ 2
""")
    assert codes(c) == ["F301"]


def test_example_records_and_lists_become_dicts_and_lists():
    """例 values {…}/[…] are checked against the record type and become dicts/lists."""
    c = comp("""記録 r 「記録」
    k: kind 「種別」
    n: 人 = 0 「人数」

規則 total(xs: r の一覧) 「合計」 = 合計(x ∈ xs: x.n) × 10円/人
例 total(xs=[{k=a, n=2人}, {k=b}]) = 20円
例 total(xs=[{k=z}]) = 20円
""")
    assert codes(c) == ["F204"]  # z is not a value of kind
    c = comp("""記録 r 「記録」
    k: kind 「種別」
    n: 人 = 0 「人数」

規則 total(xs: r の一覧) 「合計」 = 合計(x ∈ xs: x.n) × 10円/人
例 total(xs=[{k=a, n=2人}, {k=b}]) = 20円
""")
    assert c.ok
    (ex,) = c.ir.examples
    assert dict(ex.kwargs) == {"xs": [{"k": "a", "n": 2}, {"k": "b"}]}
    m = load(c)
    assert m.total(xs=[{"k": "a", "n": 2}, {"k": "b"}]) == 20


def test_parameter_label_in_errors_and_docstring():
    """A parameter's label appears in its input errors and in the docstring."""
    m = load(comp(TABLE))
    with pytest.raises(feedsl.FeeInputError) as ei:
        m.tab(k="a", n=-1)
    assert "n（人数）" in str(ei.value)
    assert "n: 人数" in m.tab.__doc__


def test_bands_in_the_wording_of_laws():
    """「1,000万円を超え5,000万円以下」 and 「10億円を超えるもの」, as 会費規程 print capital bands:
    the first bound excluded, the second included; 10億円を超えるもの is everything above."""
    c = comp("""入力 capital: 円 「資本金」
表 capital_fee 「資本金割」 capital による
    1,000万円以下                    12,000円
    1,000万円を超え5,000万円以下      18,000円
    5,000万円を超え10億円以下         24,000円
    10億円を超えるもの                60,000円
""")
    assert codes(c) == []
    m = load(c)
    for capital, fee in [(10_000_000, 12_000), (10_000_001, 18_000), (50_000_000, 18_000),
                         (50_000_001, 24_000), (1_000_000_000, 24_000), (1_000_000_001, 60_000)]:
        assert m.capital_fee(capital=capital) == fee, capital
    # a gap is still a gap: 5,000万円 itself is in no row
    gap = comp("""入力 capital: 円 「資本金」
表 capital_fee 「資本金割」 capital による
    5,000万円未満                    18,000円
    5,000万円を超えるもの             24,000円
""")
    assert codes(gap) == ["F412"]
