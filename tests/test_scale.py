"""Checks that stay linear as files grow (issue 10, "Linear checks").

A regulation that lists every municipality has ~1,750 rows; the bracket
checker used to compare every pair of rows, and the checker redid per rule
work that grows with the file. These tests time nothing: large tables must
still get exactly the diagnostics a small one would, the sweep must agree
with brute force, and the work done (comparisons, nodes walked, lists gone
through) is counted, so a quadratic step fails by count, never by a clock.
"""

from __future__ import annotations

import gc
import math
from fractions import Fraction

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedsl import api
from feedsl import check as check_module
from feedsl import ir
from feedsl.api import check_source
from feedsl.brackets import sweep
from feedsl.build import build
from feedsl.diagnostics import Diagnostics
from feedsl.parse import parse
from feedsl.source import SourceFile
from feedsl.words import Words


def _table(rows: list[str], key_input: str = "入力 n: 人 「人数」\n", key: str = "n") -> tuple[str, int]:
    """A file with one table of these rows, and the line of its first row.

    The amounts rise row by row; 非単調 keeps F503 out of tables whose rows are
    deliberately disordered or keyed by a rate."""
    head = "規程 t 「規模」\n\n" + key_input + f"表 fee 「会費」 {key} による\n"
    body = "".join(f"    {r}    {1000 + k:,}円\n" for k, r in enumerate(rows))
    return head + body + "    非単調 「試験の表」\n", head.count("\n") + 1


def _count_rows(n: int) -> list[str]:
    """``10人以下``, ``11～20人以下``, … ``N人以上``: n rows on whole numbers, no gap."""
    return (["10人以下"] + [f"{10 * k + 1:,}～{10 * (k + 1):,}人以下" for k in range(1, n - 1)]
            + [f"{10 * (n - 1) + 1:,}人以上"])


def _the_diagnostic(rows: list[str], *table_args):
    """The one diagnostic (error or warning) of a table of these rows, and the line of its first row."""
    text, first = _table(rows, *table_args)
    _, diags = check_source(SourceFile("t.fee", text))
    (d,) = diags
    return d, first


@pytest.mark.parametrize("changed, code, message", [
    ("10,002～10,010人以下", "F412",
     "10,001人 はどの行にも当たりません（『9,991～10,000人以下』{before}行目 と『10,002～10,010人以下』{row}行目 の間）"),
    ("9,999～10,010人以下", "F411",
     "9,999人 は『9,991～10,000人以下』({before}行目) と『9,999～10,010人以下』({row}行目) の両方に当たります"),
], ids=["gap", "overlap"])
def test_large_table_reports_the_one_gap_or_overlap_in_the_middle(changed, code, message):
    """2,000 rows on whole numbers, row 1,000 (9,991～10,000人 before it) changed: one
    diagnostic on it. Starting at 10,002 leaves 10,001人 uncovered; starting at 9,999
    shares 9,999 and 10,000, and the witness is the smallest, 9,999人."""
    rows = _count_rows(2000)
    assert rows[999] == "9,991～10,000人以下"
    rows[1000] = changed
    d, first = _the_diagnostic(rows)
    assert (d.code, d.span.line) == (code, first + 1000)
    assert d.message == message.format(before=first + 999, row=first + 1000)


def test_large_rate_table_reports_a_single_point_gap():
    """2,000 rate rows of 0.01%; 10%超 after 10%未満 leaves exactly 10% uncovered (F412, witness 10%)."""
    pct = lambda k: f"{k // 100}.{k % 100:02d}%".replace(".00%", "%")  # noqa: E731  k hundredths of a percent
    rows = ["0.01%未満"] + [f"{pct(k)}以上～{pct(k + 1)}未満" for k in range(1, 1999)] + ["それ以上"]
    assert rows[999] == "9.99%以上～10%未満"
    rows[1000] = "10%超～10.01%未満"
    key_input = "入力 a: 人 「分子」\n入力 b: 人 「分母」\n規則 rate 「率」 =\n    a ÷ b\n"
    d, first = _the_diagnostic(rows, key_input, "rate")
    assert (d.code, d.span.line) == ("F412", first + 1000)
    assert d.message == (f"10% はどの行にも当たりません（『9.99%以上～10%未満』{first + 999}行目 "
                         f"と『10%超～10.01%未満』{first + 1000}行目 の間）")


def test_ten_thousand_rows_out_of_order_get_f410_on_the_right_row():
    """10,000 rows with rows 5,000 and 5,001 swapped: one F410, on the row written second."""
    rows = _count_rows(10_000)
    rows[5000], rows[5001] = rows[5001], rows[5000]
    assert rows[5001] == "50,001～50,010人以下"
    d, first = _the_diagnostic(rows)
    assert (d.code, d.span.line) == ("F410", first + 5001)
    assert d.message == (f"行の順番が逆です: 『50,001～50,010人以下』({first + 5001}行目) は "
                         f"『50,011～50,020人以下』({first + 5000}行目) より小さい値の行です")


# --- the sweep itself --------------------------------------------------------

def _iv(lo, hi, lo_incl=True, hi_incl=True) -> ir.Interval:
    return ir.Interval(None if lo is None else Fraction(lo), lo_incl, None if hi is None else Fraction(hi), hi_incl)


def test_sweep_of_fifty_thousand_whole_number_rows():
    """50,000 rows 1～10, 11～20, …: one row starting a value early, one a value late.

    Reports exactly the overlap at 200,000 and the gap at 300,001. Fast when
    the sweep is linear; a pairwise check makes 1.25 billion comparisons.
    """
    n = 50_000
    rows = [_iv(None, 10)] + [_iv(10 * k + 1, 10 * k + 10) for k in range(1, n - 1)] + [_iv(10 * n - 9, None)]
    rows[20_000] = _iv(200_000, 200_010)
    rows[30_000] = _iv(300_002, 300_010)
    found = sweep(rows, Fraction(0), integral=True)
    assert found.out_of_order is None
    assert found.overlaps == [(19_999, 20_000, 200_000)]
    assert found.gaps == [(300_001, 29_999, 30_000)]


def test_sweep_of_twenty_thousand_rate_rows():
    """20,000 rational rows [k/4, (k+1)/4): one closed on the right and one open on the left.

    The closed row shares exactly 2,500 with the next; the open one leaves
    exactly 3,750 uncovered.
    """
    n = 20_000
    rows = [_iv(Fraction(k, 4), Fraction(k + 1, 4), True, False) for k in range(n - 1)]
    rows.append(_iv(Fraction(n - 1, 4), None))
    rows[9_999] = _iv(Fraction(9_999, 4), 2_500, True, True)
    rows[15_000] = _iv(3_750, Fraction(15_001, 4), False, False)
    found = sweep(rows, Fraction(0), integral=False)
    assert found.out_of_order is None
    assert found.overlaps == [(9_999, 10_000, 2_500)]
    assert found.gaps == [(3_750, 14_999, 15_000)]


def _counting(op: str):
    """A comparison method of Fraction that counts its calls in _Counted.count."""
    def compare(self, other):
        _Counted.count += 1
        return getattr(Fraction, op)(self, other)
    return compare


class _Counted(Fraction):
    """A bound that counts how often it is compared."""

    count = 0
    __lt__, __le__, __gt__, __ge__, __eq__ = map(_counting, ("__lt__", "__le__", "__gt__", "__ge__", "__eq__"))
    __hash__ = Fraction.__hash__


def _comparisons(n: int) -> int:
    """Bound comparisons the sweep makes over n rational rows, each overlapping the next."""
    ivs = [ir.Interval(_Counted(k), True, _Counted(k + 1), True) for k in range(n)]
    _Counted.count = 0
    found = sweep(ivs, Fraction(0), integral=False)
    assert len(found.overlaps) == n - 1  # sanity: the work includes an overlap per row
    return _Counted.count


def test_sweep_comparisons_grow_like_n_not_n_squared():
    """4× the rows costs at most ~4·log-factor× the comparisons (a pairwise check costs 16×)."""
    small, large = _comparisons(500), _comparisons(2000)
    assert large <= 5 * small
    assert small <= 40 * 500


# --- the sweep against brute force on whole numbers ---------------------------

_bound = st.one_of(st.none(), st.integers(0, 30))


@st.composite
def _int_rows(draw):
    """Non-empty rows on whole numbers from 0, in order of their lower bound."""
    rows = []
    for _ in range(draw(st.integers(0, 7))):
        lo, hi = draw(_bound), draw(_bound)
        iv = _iv(lo, hi, draw(st.booleans()), draw(st.booleans()))
        a = 0 if lo is None else (lo if iv.lo_incl else lo + 1)
        b = math.inf if hi is None else (hi if iv.hi_incl else hi - 1)
        if max(a, 0) <= b:
            rows.append(iv)
    rows.sort(key=lambda iv: (-1, 0) if iv.lo is None else (iv.lo, 0 if iv.lo_incl else 1))
    return rows


@settings(max_examples=300, deadline=None)
@given(_int_rows())
def test_sweep_agrees_with_brute_force_on_whole_numbers(rows):
    """Every overlapping pair with its smallest shared value, and the first value of each
    uncovered stretch, exactly as counting 0…40 one by one finds them."""
    found = sweep(rows, Fraction(0), integral=True)
    values = range(0, 41)  # every bound is ≤ 30, so everything happens below 41
    overlaps = [(i, j, min(v for v in values if p.contains(v) and q.contains(v)))
                for j, q in enumerate(rows) for i, p in enumerate(rows[:j])
                if any(p.contains(v) and q.contains(v) for v in values)]
    assert found.overlaps == overlaps
    covered = [any(r.contains(v) for r in rows) for v in values]
    starts = [v for v in values if not covered[v] and (v == 0 or covered[v - 1])]
    assert [w for w, _, _ in found.gaps] == starts


# Rows with whole-number bounds up to 10: on the rationals from 0, whether a row
# (or two rows together) covers a stretch is decided by the points of the
# half grid 0, ½, 1, … 11 (each open unit stretch by its midpoint).
_GRID = [Fraction(k, 2) for k in range(23)]


@st.composite
def _rate_rows(draw):
    """Non-empty rational rows from 0 with whole bounds ≤ 10, in order of their lower bound."""
    bound = st.one_of(st.none(), st.integers(0, 10))
    rows = [_iv(draw(bound), draw(bound), draw(st.booleans()), draw(st.booleans()))
            for _ in range(draw(st.integers(0, 6)))]
    rows = [iv for iv in rows if any(iv.contains(g) for g in _GRID)]
    rows.sort(key=lambda iv: (-1, 0) if iv.lo is None else (iv.lo, 0 if iv.lo_incl else 1))
    return rows


@settings(max_examples=300, deadline=None)
@given(_rate_rows())
def test_sweep_agrees_with_the_half_grid_on_rationals(rows):
    """On rationals: exactly the pairs of rows sharing a value are reported, each witness
    lies in both rows; there is one gap per uncovered stretch, its witness uncovered and
    inside that stretch."""
    found = sweep(rows, Fraction(0), integral=False)
    pairs = [(i, j) for j, q in enumerate(rows) for i, p in enumerate(rows[:j])
             if any(p.contains(g) and q.contains(g) for g in _GRID)]
    assert [(i, j) for i, j, _ in found.overlaps] == pairs
    assert all(rows[i].contains(w) and rows[j].contains(w) for i, j, w in found.overlaps)
    covered = [any(r.contains(g) for r in rows) for g in _GRID]
    stretches = []  # (first, last) uncovered grid point of each stretch; past 11 all is uncovered
    for k, g in enumerate(_GRID):
        if not covered[k]:
            if k and not covered[k - 1]:
                stretches[-1] = (stretches[-1][0], g)
            else:
                stretches.append((g, g))
    if stretches and stretches[-1][1] == _GRID[-1]:
        stretches[-1] = (stretches[-1][0], math.inf)
    assert len(found.gaps) == len(stretches)
    for (w, _, _), (first, last) in zip(found.gaps, stretches):
        assert not any(r.contains(w) for r in rows)
        assert first - Fraction(1, 2) < w <= last


# --- the checker: work per rule must not grow with the file -------------------

def _parsed(text: str):
    """The AST of a file that parses, and its diagnostics collector."""
    diags = Diagnostics()
    tree = parse(SourceFile("t.fee", text), diags)
    assert tree is not None
    return build(tree, "t.fee", diags), diags


def _chain(n: int) -> str:
    """Inputs x(n-1) … x0 (declared in reverse), and r_i = r_(i-1) + x_i × 1円/人."""
    out = ["規程 t 「連鎖」\n\n"]
    out += [f"入力 x{i}: 人 「x{i}」\n" for i in reversed(range(n))]
    out.append("規則 r0 「r0」 =\n    x0 × 1円/人\n")
    out += [f"規則 r{i} 「r{i}」 =\n    r{i - 1} + x{i} × 1円/人\n" for i in range(1, n)]
    return "".join(out)


def _walked_nodes(n: int, monkeypatch) -> int:
    """IR nodes the checker walks for a chain of n rules; checks the rules' inputs on the way."""
    reg, diags = _parsed(_chain(n))
    calls = [0]
    plain = check_module._children

    def counted(e):
        calls[0] += 1
        return plain(e)

    monkeypatch.setattr(check_module, "_children", counted)
    result = check_module.check(reg, diags, "")
    assert not diags.has_errors
    # Declaration order, callees' inputs included: x(n-1) was declared first.
    assert result.rules[f"r{n - 1}"].inputs == tuple(f"x{i}" for i in reversed(range(n)))
    assert result.rules["r2"].inputs == ("x2", "x1", "x0")
    return calls[0]


def test_rule_inputs_walk_each_rule_once_not_once_per_caller(monkeypatch):
    """A chain 4× as long makes the checker walk ~4× the IR nodes (re-walking every
    callee for every rule made it 16×), and each rule still gets all its inputs in order."""
    short, long = _walked_nodes(20, monkeypatch), _walked_nodes(80, monkeypatch)
    assert long <= 5 * short


def _iteration_counter(base: type) -> type:
    """A subclass of ``base`` (dict, tuple) counting how often it is gone through."""

    class Counted(base):
        iterations = 0

        def __iter__(self):
            type(self).iterations += 1
            return super().__iter__()

    return Counted


def test_inputs_are_listed_once_not_once_per_rule():
    """300 rules on 300 inputs: the input list is gone through a few times in all, not
    once per rule (which made a file with many inputs and rules quadratic)."""
    n = 300
    text = ("規程 t 「入力」\n\n" + "".join(f"入力 x{i}: 人 「x{i}」\n" for i in range(n))
            + "".join(f"規則 r{i} 「r{i}」 =\n    x{i} × 1円/人\n" for i in range(n)))
    reg, diags = _parsed(text)
    ck = check_module.Checker(reg, diags, text)
    ck.inputs = _iteration_counter(dict)()
    result = ck.run()
    assert result.rules["r7"].inputs == ("x7",)
    assert type(ck.inputs).iterations <= 3


def _enum_match(n: int) -> str:
    """An enum town of n values t0… labelled 町0…, and fee = 場合 where with k+1円 for tk."""
    return ("規程 t 「区分」\n\n区分 town 「市町村」\n" + "".join(f"    t{k} 「町{k}」\n" for k in range(n))
            + "入力 where: town 「所在地」\n規則 fee 「会費」 =\n    場合 where\n"
            + "".join(f"        t{k} → {k + 1:,}円\n" for k in range(n)))


class _Name(str):
    """An enum value's name that counts how often it is compared by ==."""

    compared = 0

    def __eq__(self, other):
        _Name.compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_match_with_an_arm_per_enum_value_does_not_compare_every_pair():
    """A 場合 with an arm for each of 1,000 values (every municipality): each arm finds
    its value by lookup; scanning the value list per arm made ~500,000 comparisons."""
    n = 1000
    text = _enum_match(n)
    reg, diags = _parsed(text)
    names = {f"t{k}": _Name(f"t{k}") for k in range(n)}
    (enum,) = reg.enums
    enum = attrs.evolve(enum, values=tuple(attrs.evolve(v, name=names[v.name]) for v in enum.values))
    (rule,) = reg.rules
    arms = tuple(attrs.evolve(a, conds=tuple(attrs.evolve(c, name=names[c.name]) for c in a.conds))
                 for a in rule.body.arms)
    reg = attrs.evolve(reg, enums=(enum,), rules=(attrs.evolve(rule, body=attrs.evolve(rule.body, arms=arms)),))
    _Name.compared = 0
    result = check_module.check(reg, diags, text)
    assert not diags.has_errors
    assert len(result.rules["fee"].expr.arms) == n
    assert _Name.compared <= 10 * n


def test_check_source_pauses_garbage_collection_and_restores_it(monkeypatch):
    """Parsing and checking run without the cyclic GC (it re-traversed every live
    tree and IR node, half the time of a big file); afterwards it is on again,
    and a caller that had switched it off finds it still off."""
    seen = []
    plain = api.check

    def spy(*args):
        seen.append(gc.isenabled())
        return plain(*args)

    monkeypatch.setattr(api, "check", spy)
    src = SourceFile("t.fee", "規程 t 「t」\n\n規則 f 「f」 =\n    1円\n例 f() = 1円\n")
    assert gc.isenabled()
    reg, _ = api.check_source(src)
    assert reg is not None and seen == [False] and gc.isenabled()
    gc.disable()
    try:
        api.check_source(src)
        assert seen == [False, False] and not gc.isenabled()
    finally:
        gc.enable()


def test_words_for_a_match_on_a_big_enum_read_its_labels_once():
    """The words of a 場合 with an arm per value of a 1,000-value enum (docs, explain)
    go through the enum's values once for all labels, not once per label."""
    reg, _ = check_source(SourceFile("t.fee", _enum_match(1000) + "例 fee(where=t0) = 1円\n"))
    values = _iteration_counter(tuple)(reg.enums["town"].values)
    reg.enums["town"] = attrs.evolve(reg.enums["town"], values=values)
    said = Words(reg).text(reg.rules["fee"].expr)
    assert said.startswith("所在地が町0のとき 1円、所在地が町1のとき 2円、")
    assert said.endswith("所在地が町999のとき 1,000円")
    assert type(values).iterations <= 2
