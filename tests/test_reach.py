"""F504: arms of a 場合 of conditions that no case reaches (first match).

The reading must be sound: a warning only when the arm is certainly dead. A
property test checks every verdict on random conditions against brute force
over all cases of a small grid; small files check the cases authors write."""

import itertools
import random
from fractions import Fraction

import pytest

from feedsl import ir
from feedsl.api import check_source, compile_source, module_from_source
from feedsl.cli import main
from feedsl.ir import BoolType, EnumType, QType
from feedsl.reach import NumSet, dead_arms
from feedsl.source import SourceFile

HEAD = """規程 t 「テスト」

区分 kind 「種別」
    city 「市」
    town 「町」
    village 「村」
入力 k: kind 「区分」
入力 population: 人 「人口」
入力 core: 真偽 = いいえ 「中核市」
入力 rate: 人 = 0 「参加者数」
"""


def f504(body: str):
    _, ds = check_source(SourceFile("t.fee", HEAD + body))
    assert not [d for d in ds if d.is_error], [d.message for d in ds]
    return [(d.span.line, d.message) for d in ds if d.code == "F504"]


def rule(*arms: str) -> str:
    return "規則 fee 「会費」 [1] =\n    場合\n" + "".join(f"        {a}\n" for a in arms) + "        それ以外 → 1円\n"


# Line numbers: HEAD has 10 lines, then 規則 (11), 場合 (12), the first arm is line 13.

def test_wider_band_first_makes_the_narrower_one_dead_and_names_it():
    (w,) = f504(rule("population が 5万人以上 → 3円", "population が 10万人以上 → 4円"))
    assert w[0] == 14
    assert "「population が 10万人以上」" in w[1] and "13行目「population が 5万人以上」にも当たります" in w[1]


def test_narrower_band_first_is_fine():
    assert f504(rule("population が 10万人以上 → 4円", "population が 5万人以上 → 3円")) == []


def test_counts_are_whole_so_touching_bounds_cover():
    # population is a count: > 9人 is ≥ 10人, so 10人以上 after it is dead; for a
    # rate-like non-count the same test would not be certain.
    (w,) = f504(rule("population > 9人 → 3円", "population ≥ 10人 → 4円"))
    assert w[0] == 14
    assert f504(rule("population > 9人 → 3円", "population ≥ 9人 → 4円")) == []  # 9人 reaches it


def test_a_union_of_earlier_arms_covers():
    (w,) = f504(rule("population < 10人 → 3円", "population ≥ 10人 → 4円", "population が 3人 → 5円"))
    assert w[0] == 15 and "13行目「population < 10人」にも当たります" in w[1]
    (w,) = f504(rule("core → 3円", "core でない → 4円", "population ≥ 2人 → 5円"))
    assert w[0] == 15 and "13行目「core」、14行目「core でない」のどれかに当たります" in w[1]


def test_enum_values_and_boolean_combinations():
    (w,) = f504(rule("k が city → 3円", "k が town または core → 4円", "k が town かつ population > 3人 → 5円"))
    assert w[0] == 15 and "14行目" in w[1]
    (w,) = f504(rule("k が city → 3円", "k が town → 4円", "k が village → 5円", "population > 3人 → 6円"))
    assert w[0] == 16 and "どれかに当たります" in w[1]
    assert f504(rule("k が city → 3円", "k が town → 4円", "population > 3人 → 6円")) == []  # village reaches it


def test_a_condition_that_never_holds():
    (w,) = f504(rule("population > 3人 かつ population < 2人 → 9円"))
    assert w[0] == 13 and "どんな入力でも成り立ちません" in w[1]


def test_no_warning_when_not_certain():
    # Two different inputs, a sum, a comparison of two inputs: nothing is known to cover.
    assert f504(rule("population > 3人 → 3円", "rate > 3人 → 4円")) == []
    assert f504(rule("population + rate > 3人 → 3円", "population > 3人 → 4円")) == []
    assert f504(rule("population > rate → 3円", "population ≥ rate → 4円")) == []
    # …but the very same condition twice is certainly dead.
    (w,) = f504(rule("population > rate → 3円", "population > rate → 4円"))
    assert w[0] == 14


def test_a_dead_arm_is_only_a_warning_and_first_match_is_kept():
    """The file compiles; the amount is the first arm's (12万人 is 5万人以上 → 300,000円)."""
    c = compile_source(SourceFile("t.fee", HEAD + rule("population が 5万人以上 → 300,000円",
                                                        "population が 10万人以上 → 500,000円")))
    assert c.ok
    m = module_from_source(c.python, "t_reach", "<t>")
    assert m.fee(population=120_000) == 300_000
    assert m.fee(population=10) == 1


def test_check_cli_prints_the_warning_and_exits_0(tmp_path, capsys):
    f = tmp_path / "dead.fee"
    f.write_text(HEAD + rule("population が 5万人以上 → 3円", "population が 10万人以上 → 4円"), "utf-8")
    assert main(["check", str(f)]) == 0
    out = capsys.readouterr()
    assert f"{f}:14:9: 警告 F504" in out.out + out.err


# --- soundness on random conditions -------------------------------------------

X = ir.InputRef("x", QType((("人", 1),), True))          # a count
R = ir.InputRef("r", QType((), False))                    # a rate
K = ir.InputRef("k", EnumType("kind"))
F = ir.InputRef("f", BoolType())
KINDS = ("a", "b", "c")
GRID_X = range(-1, 8)
GRID_R = [Fraction(n, 2) for n in range(-1, 8)]


def const(v, t):
    return ir.Const(v, t, str(v))


def random_cond(rnd: random.Random, depth: int = 0):
    pick = rnd.randrange(6 if depth < 2 else 4)
    if pick == 0:
        op = rnd.choice(["<", ">", "≤", "≥", "=", "≠"])
        c = const(Fraction(rnd.randrange(0, 7), rnd.choice([1, 1, 2])), QType((("人", 1),), True))
        return ir.Cmp(op, X, c) if rnd.random() < 0.8 else ir.Cmp(op, c, X)
    if pick == 1:
        op = rnd.choice(["<", ">", "≤", "≥"])
        return ir.Cmp(op, R, const(Fraction(rnd.randrange(0, 7), 2), QType((), False)))
    if pick == 2:
        return ir.EnumIs(K, tuple(rnd.sample(KINDS, rnd.randrange(1, 3))))
    if pick == 3:
        return F if rnd.random() < 0.5 else ir.NotOp(F)
    if pick == 4:
        return ir.NotOp(random_cond(rnd, depth + 1))
    return ir.BoolOp(rnd.choice(["and", "or"]), random_cond(rnd, depth + 1), random_cond(rnd, depth + 1))


def holds(e, env) -> bool:
    if isinstance(e, ir.InputRef):
        return env[e.name]
    if isinstance(e, ir.NotOp):
        return not holds(e.operand, env)
    if isinstance(e, ir.BoolOp):
        a, b = holds(e.left, env), holds(e.right, env)
        return (a and b) if e.op == "and" else (a or b)
    if isinstance(e, ir.EnumIs):
        return env[e.subject.name] in e.members
    a = env[e.left.name] if isinstance(e.left, ir.InputRef) else e.left.value
    b = env[e.right.name] if isinstance(e.right, ir.InputRef) else e.right.value
    return {"<": a < b, ">": a > b, "≤": a <= b, "≥": a >= b, "=": a == b, "≠": a != b}[e.op]


def test_every_dead_arm_verdict_is_true_on_every_case():
    rnd = random.Random(11)
    cases = [dict(x=x, r=r, k=k, f=f) for x, r, k, f in itertools.product(GRID_X, GRID_R, KINDS, (True, False))]
    warned = 0
    for _ in range(400):
        conds = [random_cond(rnd) for _ in range(rnd.randrange(2, 5))]
        for k, takers in dead_arms(conds, lambda name: KINDS):
            warned += 1
            for env in cases:
                if holds(conds[k], env):
                    assert any(holds(conds[j], env) for j in range(k)), (conds, k, env)
                    # the named arms alone take every case of the dead one
                    assert any(holds(conds[j], env) for j in takers), (conds, k, takers, env)
    assert warned > 20  # the test exercises verdicts, not only silence


def test_obvious_dead_arms_are_found():
    """Completeness on the simple shapes authors write (over the integers for a count)."""
    five, ten = (const(Fraction(n), QType((("人", 1),), True)) for n in (5, 10))
    assert dead_arms([ir.Cmp("≥", X, five), ir.Cmp("≥", X, ten)], lambda n: KINDS) == [(1, [0])]
    assert dead_arms([ir.Cmp("≥", X, ten), ir.Cmp("≥", X, five)], lambda n: KINDS) == []
    assert dead_arms([ir.Cmp("<", X, ten), ir.Cmp("≥", X, ten), ir.Cmp("=", X, five)], lambda n: KINDS) == [(2, [0])]
    assert dead_arms([F, ir.NotOp(F), ir.Cmp("=", X, five)], lambda n: KINDS) == [(2, [0, 1])]


def test_interval_sets_over_whole_numbers():
    s = NumSet([(Fraction(3), False, Fraction(4), False)], integral=True)
    assert s.is_empty()                       # 3 < x < 4 has no whole number
    assert not NumSet([(Fraction(3), False, Fraction(4), False)], integral=False).is_empty()
    assert (NumSet.everything(True) - NumSet([(Fraction(0), True, None, False)], True)).parts == \
        ((None, False, Fraction(0), False),)
