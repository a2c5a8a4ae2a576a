"""Deep and long constructs work up to generous limits, and past a limit the
author gets a diagnostic that names it — never a RecursionError, a
SyntaxError from generated code or any other traceback (issue 10).

Each file here is generated; its expected amounts are worked out from the
rules as written (comments say how).
"""

from __future__ import annotations

import pytest

from feedsl.api import check_source, compile_source, module_from_source
from feedsl.depth import CHAIN_LIMIT, NESTING_LIMIT
from feedsl.source import SourceFile

HEAD = "規程 deep 「深い規程」\n\n入力 n: 人 「人数」\n"


def compiled(text: str, name: str = "deep"):
    c = compile_source(SourceFile(f"{name}.fee", text))
    assert c.ok, [f"{d.code} {d.message}" for d in c.diagnostics if d.is_error]
    compile(c.python, "<limits>", "exec")  # a SyntaxError here would be a generator bug
    return module_from_source(c.python, f"t_limits_{name}", f"<{name}>")


def codes(text: str) -> list[str]:
    _reg, diags = check_source(SourceFile("deep.fee", text))
    return [d.code for d in diags if d.is_error]


def test_sum_of_1000_terms():
    """人数 × 1円/人 written 1,000 times: 2人 → 2,000円; explain agrees."""
    m = compiled(HEAD + "規則 f 「f」 = " + " + ".join(["n × 1円/人"] * 1000) + "\n")
    assert m.f(n=2) == 2000
    assert m.explain("f", n=2).amount == 2000


def test_200_nested_if_in_then_branches():
    """もし n ≥ 0 ならば (もし n ≥ 1 ならば (… n × 1円/人) そうでなければ 1円) そうでなければ 0円,
    200 deep: for n = 500 every condition holds, so the innermost n × 1円/人 = 500円;
    for n = 7 the condition n ≥ 7 holds and n ≥ 8 fails, giving 8円."""
    e = "n × 1円/人"
    for i in reversed(range(200)):
        e = f"もし n が {i}人 以上 ならば ({e}) そうでなければ {i}円"
    m = compiled(HEAD + f"規則 f 「f」 = {e}\n")
    assert m.f(n=500) == 500
    assert m.f(n=7) == 8
    assert m.explain("f", n=7).amount == 8


def test_500_arm_case():
    """場合 with 500 condition arms (n が i人 → i円) and それ以外 → 1円."""
    arms = "".join(f"        n が {i}人 → {i * 10}円\n" for i in range(500))
    m = compiled(HEAD + f"規則 f 「f」 =\n    場合\n{arms}        それ以外 → 1円\n")
    assert m.f(n=0) == 0
    assert m.f(n=499) == 4990
    assert m.f(n=500) == 1
    assert m.explain("f", n=321).amount == 3210


def test_1000_chained_rules_each_used_three_times():
    """r0 = n × 1円/人; r_i = r_{i-1} + r_{i-1} − r_{i-1} + 1円, so r_i = n×1円 + i円:
    for n = 5, r999 = 1,004円. Each rule is used three times (never inlined), so
    the generated functions call each other 1,000 deep; the entry and explain work."""
    rules = "規則 r0 「r0」 = n × 1円/人\n" + "".join(
        f"規則 r{i} 「r{i}」 = r{i - 1} + r{i - 1} - r{i - 1} + 1円\n" for i in range(1, 1000))
    m = compiled(HEAD + rules)
    assert m.r999(n=5) == 1004
    e = m.explain("r999", n=5)
    assert e.amount == 1004
    assert len(str(e).splitlines()) > 1000  # every rule is a node, rendered without recursion
    assert e.to_dict()["amount"] == 1004


def test_1000_chained_small_rules():
    """r_i = r_{i-1} + 1円 (each used once): r999 for n = 2 is 2 + 999 = 1,001円."""
    rules = "規則 r0 「r0」 = n × 1円/人\n" + "".join(
        f"規則 r{i} 「r{i}」 = r{i - 1} + 1円\n" for i in range(1, 1000))
    m = compiled(HEAD + rules)
    assert m.r999(n=2) == 1001
    assert m.r500(n=0) == 500


def test_generated_code_grows_linearly_with_the_rule_count():
    """Doubling a chain of rules roughly doubles the module (it used to quadruple)."""
    def size(k):
        rules = "規則 r0 「r0」 = n × 1円/人\n" + "".join(
            f"規則 r{i} 「r{i}」 = r{i - 1} + 1円\n" for i in range(1, k))
        return len(compile_source(SourceFile("d.fee", HEAD + rules)).python)

    small, big = size(200), size(400)
    assert big < 2.3 * small


def test_5000_rule_cycle_is_reported():
    """r_i = r_{i+1} + 1円 around 5,000 rules: F104 (a cycle), not a RecursionError."""
    m = 5000
    text = HEAD + "".join(f"規則 r{i} 「r{i}」 = r{(i + 1) % m} + 1円\n" for i in range(m))
    got = codes(text)
    assert "F104" in got and "F900" not in got


def test_nesting_past_the_limit_is_F008():
    """A sum of more terms than NESTING_LIMIT allows is F008 at the expression."""
    text = HEAD + "規則 f 「f」 = " + " + ".join(["1円"] * (NESTING_LIMIT + 5)) + "\n"
    _reg, diags = check_source(SourceFile("deep.fee", text))
    errors = [d for d in diags if d.is_error]
    assert [d.code for d in errors] == ["F008"]
    assert f"{NESTING_LIMIT:,}段まで" in errors[0].message
    assert errors[0].span.line == 4


def test_chain_past_the_limit_is_F009():
    """A chain of more rules than CHAIN_LIMIT is F009 at the rule that starts it."""
    k = CHAIN_LIMIT + 2
    rules = "規則 r0 「r0」 = n × 1円/人\n" + "".join(
        f"規則 r{i} 「r{i}」 = r{i - 1} + 1円\n" for i in range(1, k))
    _reg, diags = check_source(SourceFile("deep.fee", HEAD + rules))
    errors = [d for d in diags if d.is_error]
    assert [d.code for d in errors] == ["F009"]
    assert f"{CHAIN_LIMIT:,}段まで" in errors[0].message
    assert errors[0].span.line == 4 + k - 1  # r{k-1}, the last rule, uses the whole chain


def test_example_list_nested_2000_deep_is_a_diagnostic():
    """例 f(n=[[[…]]]) nested 2,000 deep: a type diagnostic, not a RecursionError."""
    value = "[" * 2000 + "]" * 2000
    got = codes(HEAD + "規則 f 「f」 = n × 1円/人\n" + f"例 f(n={value}) = 1円\n")
    assert got and "F900" not in got


@pytest.mark.parametrize("n", [99, 240])
def test_many_condition_arms_and_long_sums_in_explain(n):
    """Shapes that used to exceed Python's limits in generated explain code:
    n condition arms, and a sum of n terms inside a もし."""
    arms = "".join(f"        n が {i}人 → {i}円\n" for i in range(n))
    total = " + ".join(["n × 1円/人"] * n)
    m = compiled(HEAD + f"規則 f 「f」 =\n    場合\n{arms}        それ以外 → 0円\n"
                 f"規則 g 「g」 = もし n が 1人 以上 ならば {total} そうでなければ 0円\n")
    assert m.explain("f", n=n - 1).amount == n - 1
    assert m.explain("g", n=3).amount == 3 * n
