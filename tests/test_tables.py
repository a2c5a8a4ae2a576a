"""Category tables (表 … ごと, issue 11 §4): rows are the values of an enum,
columns named amounts with their own units, なし cells whose meaning the table
declares. Amounts below are worked out by hand from the tables written here."""

from fractions import Fraction

import pytest

import feedsl
from feedsl import docs, interpret
from feedsl.api import compile_source, module_from_source
from feedsl.cli import main
from feedsl.source import SourceFile

HEAD = """規程 t 「社会福祉施設の会費」

区分 facility_category 「施設の区分」
    residential 「入所及び通所施設」
    nursery 「保育所」
    day_service 「通所介護事業所」

入力 category: facility_category 「施設の区分」
入力 capacity: 人 「定員」

"""

# The regulation's table: 区分 | ①施設割 | ②定員割（1人当たり）; rows by value name,
# by bare label and by 「label」; なし and — as the regulation prints them.
PARTS = """表 parts 「社会福祉施設の会費」 [会費算定基準 3] category ごと
    区分            fixed 「①施設割」   per_head 「②定員割（1人当たり）」
    residential     10,000円           100円/人
    保育所            5,000円           なし
    「通所介護事業所」  9,300円           —
"""

RULES = """
規則 fee 「会費」 =
    parts.fixed + (parts.per_head がなければ 0円/人) × capacity

規則 guarded 「会費（場合で分ける）」 =
    場合 category
        residential → parts.fixed + parts.per_head × capacity
        それ以外 → parts.fixed
"""


def comp(body: str):
    return compile_source(SourceFile("t.fee", HEAD + body))


def errors(c):
    return [(d.code, d.span.line, d.message) for d in c.diagnostics if d.is_error]


def load(c):
    assert c.ok, errors(c)
    return module_from_source(c.python, "t_tables", "<t>")


@pytest.fixture(scope="module")
def social():
    c = comp(PARTS + RULES)
    return c, load(c)


# --- lookups -------------------------------------------------------------------

@pytest.mark.parametrize("category, capacity, amount", [
    ("residential", 50, 15_000),   # 10,000 + 100 × 50 = 15,000
    ("residential", 0, 10_000),    # 10,000 + 100 × 0
    ("nursery", 50, 5_000),        # 5,000 + (なし → 0円/人) × 50
    ("day_service", 7, 9_300),     # 9,300 + (— → 0円/人) × 7
])
def test_every_row_and_column_by_hand(social, category, capacity, amount):
    c, mod = social
    assert mod.fee(category=category, capacity=capacity) == amount
    assert mod.guarded(category=category, capacity=capacity) == amount
    # The reference interpreter reads the checked table on its own.
    assert interpret.evaluate(c.ir, "fee", {"category": category, "capacity": capacity}) == amount
    assert interpret.evaluate(c.ir, "guarded", {"category": category, "capacity": capacity}) == amount


def test_rows_by_name_by_label_and_by_quoted_label_are_the_same_values(social):
    c, _ = social
    t = c.ir.cat_tables["parts"]
    assert [(r.members, r.text) for r in t.rows] == [
        (("residential",), "入所及び通所施設"), (("nursery",), "保育所"), (("day_service",), "通所介護事業所")]
    assert [r.cell_texts for r in t.rows] == [("", ""), ("", "なし"), ("", "—")]


def test_columns_have_their_own_units(social):
    c, _ = social
    fixed, per_head = c.ir.cat_tables["parts"].columns
    assert (str(fixed.type), fixed.type.lo) == ("円", 5_000)
    assert str(per_head.type) == "円/人"
    # 円/人 × 人 is 円: adding it to 円/人 is a unit error.
    bad = comp(PARTS + "\n規則 f 「f」 =\n    parts.fixed + (parts.per_head がなければ 0円/人)\n")
    assert [e[0] for e in errors(bad)] == ["F201"]


def test_declared_unit_for_a_column_of_nothing_but_none():
    c = comp("""表 p 「表」 category ごと
    区分          base 「基本」   extra 「加算」 円/人
    residential   1,000円        なし
    nursery       2,000円        なし
    day_service   3,000円        なし

規則 f 「f」 =
    p.base + (p.extra がなければ 7円/人) × capacity
""")
    mod = load(c)
    assert mod.f(category="nursery", capacity=10) == 2_070  # 2,000 + 7 × 10
    undeclared = comp("""表 p 「表」 category ごと
    区分          base 「基本」   extra 「加算」
    residential   1,000円        なし
    nursery       2,000円        なし
    day_service   3,000円        なし
""")
    assert [e[0] for e in errors(undeclared)] == ["F435"]


def test_rate_column_is_an_exact_fraction():
    c = comp("""表 p 「減免率」 category ごと
    区分          rate 「減免率」
    residential   25%
    nursery       12.5%
    day_service   0%

入力 annual: 円 「年会費」

規則 f 「減免後」 =
    切り捨て(annual × (1 - p.rate), 1円)
""")
    mod = load(c)
    assert mod.f(category="nursery", annual=10_001) == 8_750  # 10,001 × 0.875 = 8,750.875 → 8,750
    assert mod.f(category="residential", annual=10_000) == 7_500
    assert c.ir.cat_tables["p"].columns[0].type.integral is False
    assert c.ir.cat_tables["p"].rows[1].cells == (Fraction(1, 8),)


# --- なし ------------------------------------------------------------------------

def test_none_declared_zero_is_zero_of_the_column():
    c = comp(PARTS + "    なし は 0\n" + """
規則 f 「f」 =
    parts.fixed + parts.per_head × capacity
""")
    mod = load(c)
    assert mod.f(category="nursery", capacity=50) == 5_000       # 5,000 + 0円/人 × 50
    assert mod.f(category="residential", capacity=3) == 10_300   # 10,000 + 100 × 3
    assert interpret.evaluate(c.ir, "f", {"category": "day_service", "capacity": 9}) == 9_300


def test_none_that_does_not_apply_must_be_handled():
    c = comp(PARTS + "\n規則 f 「f」 =\n    parts.per_head × capacity\n")
    (err,) = errors(c)
    assert err[0] == "F436" and "保育所、通所介護事業所" in err[2]
    d = next(d for d in c.diagnostics if d.code == "F436")
    assert "場合 category" in d.hint and "がなければ" in d.hint


def test_a_match_arm_that_excludes_the_none_rows_is_enough():
    # Only the arm whose values all have an amount may read the column.
    ok = comp(PARTS + """
規則 f 「f」 =
    場合 category
        nursery, day_service → 0円
        residential → parts.per_head × capacity
""")
    assert ok.ok, errors(ok)
    still = comp(PARTS + """
規則 f 「f」 =
    場合 category
        nursery → 0円
        それ以外 → parts.per_head × capacity
""")
    (err,) = errors(still)
    assert err[0] == "F436" and "通所介護事業所" in err[2] and "保育所" not in err[2]


def test_fallback_is_taken_only_where_the_cell_is_none():
    c = comp(PARTS + """
入力 extra: 円 「加算額」

規則 f 「f」 =
    parts.fixed + (parts.per_head がなければ 1円/人) × capacity + extra
""")
    mod = load(c)
    assert mod.f(category="residential", capacity=2, extra=0) == 10_200   # 10,000 + 100 × 2
    assert mod.f(category="nursery", capacity=2, extra=5) == 5_007        # 5,000 + 1 × 2 + 5


def test_fallback_not_needed_or_not_after_a_column_is_an_error():
    zero = comp(PARTS + "    なし は 0\n\n規則 f 「f」 =\n    parts.fixed + (parts.per_head がなければ 0円/人) × capacity\n")
    assert [e[0] for e in errors(zero)] == ["F438"]
    field = comp(HYOGO_LIKE + "\n規則 g(f: facility) 「g」 =\n    f.kind がなければ 0円\n")
    assert [e[0] for e in errors(field)] == ["F438"]


# --- several values in a row, parameters -----------------------------------------

HYOGO_LIKE = """区分 kind 「事業所の種別」
    special 「特別養護老人ホーム」
    nursing 「養護老人ホーム」
    home 「居宅サービス事業所」

記録 facility 「事業所」
    kind: kind 「種別」
    attached: 真偽 = いいえ 「併設」

表 fixed(k: kind 「種別」) 「事業所定額」 [表3] k ごと
    区分 「会員の有する事業所」          base 「事業所定額」   add 「併設の加算」
    「老人福祉施設」(special nursing)    20,000円            10,000円
    居宅サービス事業所                   30,000円            なし

規則 fixed_fee(f: facility) 「事業所定額」 =
    fixed(f.kind).base + (もし f.attached ならば fixed(f.kind).add がなければ 0円 そうでなければ 0円)

規則 by_kind(k: kind) 「加算（種別で分ける）」 =
    場合 k
        home → 0円
        それ以外 → fixed(k).add
"""


def test_group_row_and_parameterised_table():
    c = comp(HYOGO_LIKE)
    mod = load(c)
    t = c.ir.cat_tables["fixed"]
    assert [(r.members, r.text) for r in t.rows] == [(("special", "nursing"), "老人福祉施設"),
                                                    (("home",), "居宅サービス事業所")]
    assert t.heading == "会員の有する事業所"
    # 20,000 + 10,000 (併設); 20,000; 30,000 (居宅: 加算なし → 0円)
    assert mod.fixed_fee(f={"kind": "special", "attached": True}) == 30_000
    assert mod.fixed_fee(f={"kind": "nursing"}) == 20_000
    assert mod.fixed_fee(f={"kind": "home", "attached": True}) == 30_000
    assert mod.by_kind(k="nursing") == 10_000 and mod.by_kind(k="home") == 0
    for f in ({"kind": "special", "attached": True}, {"kind": "home", "attached": True}):
        assert interpret.evaluate(c.ir, "fixed_fee", {"f": f}) == mod.fixed_fee(f=f)


def test_table_used_without_a_column_or_with_a_wrong_argument():
    c = comp(HYOGO_LIKE.replace("    場合 k\n        home → 0円\n        それ以外 → fixed(k).add",
                                "    fixed(k)"))
    assert [e[0] for e in errors(c)] == ["F437"]
    c = comp(PARTS + "\n規則 f 「f」 =\n    parts(category).fixed\n")
    assert [e[0] for e in errors(c)] == ["F107"]


def test_a_loop_variable_named_like_the_key_input_does_not_hide_it():
    # Inside 合計, category is each record; parts still reads the input category.
    c = comp(PARTS + """    なし は 0

記録 unit 「単位」
    n: 人 「人数」

入力 units: unit の一覧 「単位の一覧」

規則 f 「f」 =
    合計(category ∈ units: parts.fixed + parts.per_head × category.n)
""")
    mod = load(c)
    assert c.ir.rules["f"].inputs == ("category", "units")
    units = [{"n": 2}, {"n": 3}]
    # (10,000 + 100 × 2) + (10,000 + 100 × 3) = 20,500
    assert mod.f(category="residential", units=units) == 20_500
    assert interpret.evaluate(c.ir, "f", {"category": "residential", "units": units}) == 20_500
    # 5,000 × 2 (なし は 0)
    assert mod.f(category="nursery", units=units) == 10_000


# --- explain, pages, CLI ------------------------------------------------------------

def test_explain_names_table_row_and_column(social):
    _, mod = social
    e = mod.explain("fee", category="residential", capacity=50)
    text = str(e)
    assert e.amount == 15_000
    assert "社会福祉施設の会費: ①施設割（入所及び通所施設）10,000円" in text
    assert "社会福祉施設の会費: ②定員割（1人当たり）（入所及び通所施設）100円/人" in text
    e = mod.explain("fee", category="day_service", capacity=50)
    assert "社会福祉施設の会費: ②定員割（1人当たり）（通所介護事業所）— → 該当しない" in str(e)
    step = next(s for s in e.steps if s.kind == "category")
    assert step.data["table"] == "社会福祉施設の会費" and step.data["row"] == "通所介護事業所"


def test_page_prints_the_table_as_the_regulation_does(tmp_path):
    path = tmp_path / "t.fee"
    path.write_text(HEAD + PARTS + RULES + "\n例 fee(category=nursery, capacity=10人) = 5,000円\n", "utf-8")
    pages = docs.build_pages([path])
    html = pages["t.html"]
    assert ('<th scope="col">区分</th><th scope="col" class="amount">①施設割</th>'
            '<th scope="col" class="amount">②定員割（1人当たり）</th>') in html
    assert '<td class="band">保育所</td><td class="amount">5,000円</td><td class="amount">なし</td>' in html
    assert '<td class="band">通所介護事業所</td><td class="amount">9,300円</td><td class="amount">—</td>' in html
    assert "「なし・—」の欄は、その区分には当たらないことを表します。" in html
    md = pages["t.md"]
    assert "| 区分 | ①施設割 | ②定員割（1人当たり） |" in md
    assert "| 入所及び通所施設 | 10,000円 | 100円/人 |" in md
    # The table comes where the file declares it: before the rules that read it.
    assert md.index("### 社会福祉施設の会費") < md.index("### 会費")


def test_cli_eval_explain(tmp_path, capsys):
    path = tmp_path / "t.fee"
    path.write_text(HEAD + PARTS + RULES, "utf-8")
    assert main(["eval", str(path), "fee", "category=nursery", "capacity=10", "--explain"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["会費", "5,000円"]  # 5,000 + 0 × 10
    assert "社会福祉施設の会費: ①施設割（保育所）5,000円" in out
    assert "②定員割（1人当たり）（保育所）なし → 該当しない" in out
    assert main(["check", str(tmp_path / "t.fee")]) == 0


def test_cli_check_reports_the_unhandled_none(tmp_path, capsys):
    path = tmp_path / "t.fee"
    path.write_text(HEAD + PARTS + "\n規則 f 「f」 =\n    parts.per_head × capacity\n", "utf-8")
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr()
    text = err.out + err.err
    assert "F436" in text and "ヒント" in text


# --- Hyogo 表3 -------------------------------------------------------------------

HYOGO = "regulations/hyogo_roufuku.fee"


def test_hyogo_table3_by_hand():
    """表3: 老人福祉施設 20,000円（居宅サービス併設なら +10,000円）、居宅サービス事業所 30,000円（加算なし）."""
    y = feedsl.load(HYOGO)
    cases = [("special_nursing_home", False, 20_000), ("special_nursing_home", True, 30_000),
             ("nursing_home", True, 30_000), ("low_cost_home", False, 20_000),
             ("home_service", False, 30_000), ("home_service", True, 30_000)]
    for kind, attached, amount in cases:
        # A 老人福祉施設's record needs its 定員 (必要), though 表3 does not use it.
        f = {"kind": kind, "attached_home_service": attached}
        if kind != "home_service":
            f["capacity"] = 50
        assert y.facility_fixed_fee(f=f) == amount
    e = y.explain("facility_fixed_fee", f={"kind": "home_service", "attached_home_service": True})
    assert "居宅サービス事業併設の加算（居宅サービス事業所）なし → 該当しない" in str(e)


def test_summary_lists_the_rows_only_of_a_rule_made_of_the_table(tmp_path):
    """一覧: a rule that is a sum of the table's columns shows the rows (the 参考 table's
    way); a rule that multiplies a column shows its formula, never the bare cells."""
    path = tmp_path / "t.fee"
    head = HEAD.replace("規程 t 「社会福祉施設の会費」", "規程 t 「社会福祉施設の会費」\n    一覧 「一覧」 (parts_sum, fee)")
    path.write_text(head + PARTS + "    なし は 0\n" + """
規則 parts_sum 「施設割と1人分」 = parts.fixed + parts.per_head × 1人

規則 fee 「会費」 = parts.fixed + parts.per_head × capacity
""", "utf-8")
    ctx = docs.regulation_context(path)
    rows = {r["label"]: r["entries"] for r in ctx["summaries"][0]["rows"]}
    assert [e["text"] for e in rows["会費"]] == [
        "表「社会福祉施設の会費」の①施設割 ＋ 表「社会福祉施設の会費」の②定員割（1人当たり） × 定員"]
    shaped = comp(PARTS + "    なし は 0\n\n規則 g 「g」 =\n    parts.fixed + (もし capacity が 10人以上 ならば parts.fixed そうでなければ 0円)\n")
    assert docs._cat_of(shaped.ir.rules["g"].expr) == ("parts", ("fixed",))


def test_summary_of_a_rule_of_one_column_lists_that_column_only(tmp_path):
    """一覧 for a rule that reads only ①施設割 lists each category's ①施設割, not the table's other
    columns (the reader's 入会金 row listed 均等割 and 従業員割 too)."""
    path = tmp_path / "t.fee"
    head = HEAD.replace("規程 t 「社会福祉施設の会費」", "規程 t 「社会福祉施設の会費」\n    一覧 「一覧」 (fixed_only)")
    path.write_text(head + PARTS + "    なし は 0\n" + "\n規則 fixed_only 「施設割」 = parts.fixed\n", "utf-8")
    ctx = docs.regulation_context(path)
    (row,) = ctx["summaries"][0]["rows"]
    # 入所及び通所施設 10,000円, 保育所 5,000円, 通所介護事業所 9,300円 (PARTS)
    assert [(e["case"], e["text"]) for e in row["entries"]] == [
        ("入所及び通所施設", "①施設割 10,000円"), ("保育所", "①施設割 5,000円"), ("通所介護事業所", "①施設割 9,300円")]


def test_a_row_without_cells_is_a_syntax_error_naming_what_may_follow():
    c = comp("""表 p 「p」 category ごと
    区分 fixed 「①施設割」
    residential
""")
    (d,) = [d for d in c.diagnostics if d.is_error]
    assert d.code == "F001" and (d.span.line, d.span.col) == (13, 16)  # just after 「residential」
    assert d.message.endswith("書けるもの: なし、数量（例: 9,300円・2万人・21%）")


@pytest.mark.parametrize("padding", [0, 45])
def test_fallback_is_computed_only_when_the_cell_is_none(padding):
    """The fallback here is a table that takes 1人 or more: for 0人 reading it is an input
    error. Where the cell has an amount it must never be computed (padding makes the
    generated code statements instead of one expression)."""
    extra = " + 0円/人" * padding
    c = comp(PARTS + f"""
表 strict(n: 人 「人数」 範囲 1人以上) 「厳しい表」 n による
    1人以上   5円/人

規則 fee 「会費」 =
    parts.fixed + (parts.per_head がなければ (strict(capacity){extra})) × capacity
""")
    mod = load(c)
    # 10,000 + 100 × 0 = 10,000: the なし fallback (strict) is not reached.
    assert mod.fee(category="residential", capacity=0) == 10_000
    assert interpret.evaluate(c.ir, "fee", {"category": "residential", "capacity": 0}) == 10_000
    # 保育所: the cell is なし, so strict is read: 5,000 + 5円/人 × 10人 = 5,050 …
    assert mod.fee(category="nursery", capacity=10) == 5_050
    # … and 0人 is outside its 範囲: an input error, in both implementations.
    with pytest.raises(feedsl.FeeInputError):
        mod.fee(category="nursery", capacity=0)
    with pytest.raises(feedsl.FeeInputError):
        interpret.evaluate(c.ir, "fee", {"category": "nursery", "capacity": 0})
    assert mod.explain("fee", category="residential", capacity=0).amount == 10_000


def test_row_labels_are_matched_as_inputs_match_labels():
    """A row names its value by label the way an input does: full-width, spaces and case aside
    (「 保 育 所 」 in another width is 保育所), so a table copied from a PDF still reads."""
    c = comp(PARTS.replace("    保育所  ", "    「保 育 所」").replace("「通所介護事業所」", "「通所介護事業所 」")
             + RULES)
    assert errors(c) == []
    m = load(c)
    # 保育所: 5,000円 + (なし がなければ 0円/人) × 40人 = 5,000円
    assert m.fee(category="nursery", capacity=40) == 5_000
