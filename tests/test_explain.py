"""Issue 7: every fee explained -- a breakdown traced to its clauses.

The expected breakdowns below were written by hand from the regulations (the
arithmetic is in the comments), not copied from output. Node lines end in the
value, right-aligned; ``_norm`` collapses that padding to two spaces so the
tree text can be written here readably; alignment has its own test.
"""

import json
import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import feedsl
from feedsl.explanation import Explanation, text_width
from feedsl.runtime import int_digits
from feedsl.ir import BoolType, DateType, EnumType, ListType, QType, RecordType

ROOT = Path(__file__).resolve().parents[1]
REGS = {name: ROOT / "regulations" / f"{name}.fee" for name in ("hokkaido_shakyo", "hyogo_roufuku", "rinko_renmei")}


# Every construct of the language once (以上～未満, 超, それ以外, 割合, もし, でない/または, 下限/最大):
# the property test runs over it too.
FEE_FILES = dict(REGS, constructs=ROOT / "tests" / "fixtures" / "good" / "constructs.fee")


def _mod(name):
    return feedsl.load(FEE_FILES[name])


def _norm(text: str) -> list[str]:
    """Lines with the padding before a node's value collapsed to two spaces."""
    return [re.sub(r" {2,}(\S+)$", r"  \1", line) for line in text.splitlines()]


# --- rendered text, by hand ------------------------------------------------------

def test_hokkaido_municipal_fee_244000_by_hand():
    """The regulation's own example (市, 人口25,000, 世帯12,340 − 生活保護600 − 自衛隊40):
    基準世帯数 11,700 × 14円 = 163,800 → 164,000 (四捨五入); 均等割（市）3万人以下の行 80,000;
    人口10万人未満なので上限なし; 164,000 + 80,000 = 244,000."""
    h = _mod("hokkaido_shakyo")
    e = h.explain("municipal_fee", kind="city", population=25_000, households=12_340,
                  welfare_households=600, sdf_households=40)
    assert _norm(str(e)) == [
        "第1種会員 年会費 [第9条(1)]  244,000円",
        "│   もし 人口が10万人以上（人口 25,000人）: いいえ → それ以外は 世帯割 ＋ 均等割",
        "│   世帯割 164,000円 + 均等割 80,000円 = 244,000円",
        "│   244,000円 → 244,000円（1,000円未満四捨五入）",
        "├ 世帯割 [会費算定基準 2(1)]  164,000円",
        "│ │   基準世帯数 11,700世帯 × 14円/世帯 = 163,800円 → 164,000円（1,000円未満四捨五入）",
        "│ └ 基準世帯数 [会費算定基準 2(1)]  11,700世帯",
        "│       世帯数 12,340世帯 − 生活保護世帯数 600世帯 − 自衛隊営内居住世帯数 40世帯 = 11,700世帯",
        "└ 均等割 [会費算定基準 2(2)]  80,000円",
        "  │   場合 市町村の区分 市 → 均等割（市）",
        "  └ 均等割（市） [会費算定基準 2(2)]  80,000円",
        "        人口 25,000人: 「2～3万人以下」（20,001～30,000人以下） → 80,000円",
        # the file's latest version (no as_of), 適用 平成30年4月1日
        "（版: fee2018 「会費算定基準（平成30年改正）」、2018-04-01から）",
    ]
    assert e.amount == 244_000 and e.label == "第1種会員 年会費" and e.clause == "第9条(1)"


def test_hokkaido_cap_applies_for_core_city():
    """中核市, 人口330,000, 世帯170,000 − 9,000 = 161,000: 世帯割 2,254,000 + 均等割 320,000
    (それ以上の行) = 2,574,000 > 上限 1,700,000 (中核市): the cap applies and is shown with
    the uncapped value."""
    h = _mod("hokkaido_shakyo")
    e = h.explain("municipal_fee", kind="city", core_city=True, population=330_000,
                  households=170_000, welfare_households=9_000)
    lines = _norm(str(e))
    assert lines[0] == "第1種会員 年会費 [第9条(1)]  1,700,000円"
    assert ("│   上限(世帯割 2,254,000円 + 均等割 320,000円 = 2,574,000円、会費の上限 1,700,000円)"
            " = 1,700,000円（上限を適用: 2,574,000円 → 1,700,000円）") in lines
    assert "│       人口 330,000人: 「20万人以上」（200,001人以上） → 320,000円" in lines
    assert "└ 会費の上限 [会費算定基準 2 ※ただし書]  1,700,000円" in lines
    assert "      場合 中核市 → 1,700,000円" in lines
    cap = next(s for s in e.steps if s.kind == "cap")
    assert cap.data["applied"] is True and cap.data["uncapped"] == 2_574_000


def test_hyogo_standard_fee_180000_by_hand():
    """特養 定員80 + 短期入所20 = 100人, 併設あり: 事業所定額 20,000 + 併設 10,000 = 30,000 (表3);
    表6 100人の行 特養の列 150,000; 30,000 + 150,000 = 180,000."""
    y = _mod("hyogo_roufuku")
    e = y.explain("standard_fee", facility={"kind": "special_nursing_home", "capacity": 80,
                                            "short_stay": 20, "attached_home_service": True})
    assert _norm(str(e)) == [
        "事業所を有する会員の年会費（特例賛助会員制度を選択しない場合） [第9条第3項・第4項・表3・表6]  180,000円",
        "│   事業所: 種別 特別養護老人ホーム、定員 80人、短期入所者定員 20人、居宅サービス事業を併設 はい",
        "│   事業所定額（特例賛助会員制度を選択しない場合） 30,000円 + 事業所の定員割基準額（短期入所者定員を加算） 150,000円 = 180,000円",
        "├ 事業所定額（特例賛助会員制度を選択しない場合） [第9条第4項・表3]  30,000円",
        # 表3 is a category table: the row 老人福祉施設, its two columns, named as printed.
        "│     事業所定額（表3）: 事業所定額（老人福祉施設）20,000円",
        "│     もし 居宅サービス事業を併設: はい → ならば 表「事業所定額（表3）」（事業所の種別）の居宅サービス事業併設の加算（なしのときは 0円）",
        "│     事業所定額（表3）: 居宅サービス事業併設の加算（老人福祉施設）10,000円",
        "│     事業所定額 20,000円 + 10,000円 = 30,000円",
        "└ 事業所の定員割基準額（短期入所者定員を加算） [第9条第7項・表6 ※]  150,000円",
        "  │   場合 種別 特別養護老人ホーム → それ以外: 定員割基準額（事業所の種別、事業所の定員 ＋ 事業所の短期入所者定員）",
        "  │   定員 80人 + 短期入所者定員 20人 = 100人",
        "  └ 定員割基準額 [第9条第7項・表6]  150,000円",
        "    │   場合 事業所の種別 特別養護老人ホーム → それ以外: 1事業所当たり定員割基準額",
        "    └ 1事業所当たり定員割基準額 [第9条第7項・表6]  150,000円",
        "          1事業所当たり定員数 100人: 「100人」（100人以上～110人未満）、特別養護老人ホームの列 → 150,000円",
    ]


SPECIAL_SUPPORTER = dict(
    regular={"kind": "special_nursing_home", "capacity": 100, "attached_home_service": True},
    supporters=[{"kind": "special_nursing_home", "capacity": 50, "attached_home_service": True},
                {"kind": "low_cost_home", "capacity": 30}, {"kind": "home_service"}])


def test_hyogo_special_supporter_fee_shows_each_facility_and_the_cap():
    """The regulation's 310,000円 example: 施設数 3 × 20,000 = 60,000 capped at 50,000 (表4);
    併設 2 × 10,000 = 20,000; 表6 特養100人 150,000 + 特養50人 75,000 + 軽費30人 15,000 + 居宅 0 = 240,000.
    Each supporter's 定員割 is its own child, labelled by its place in the list."""
    y = _mod("hyogo_roufuku")
    e = y.explain("special_supporter_fee", **SPECIAL_SUPPORTER)
    lines = _norm(str(e))
    assert e.amount == 310_000 and lines[0].endswith("  310,000円")
    assert ("│ │   上限(20,000円/件 × 20,000円を乗じる施設数 3件 = 60,000円、50,000円) = 50,000円"
            "（上限を適用: 60,000円 → 50,000円）") in lines
    assert "  │   合計（特例賛助会員の事業所 3件）= 90,000円" in lines
    assert ("  │   事業所の定員割基準額（短期入所者定員を加算） 150,000円 + 合計（特例賛助会員の事業所） 90,000円"
            " = 240,000円") in lines
    capacity = next(c for c in e.children if c.name == "group_capacity_fee")
    items = [c for c in capacity.children if c.index is not None]
    assert [(c.label, c.value) for c in items] == [
        ("特例賛助会員の事業所 1件目", 75_000), ("特例賛助会員の事業所 2件目", 15_000), ("特例賛助会員の事業所 3件目", 0)]
    assert "  │ │   特例賛助会員の事業所: 種別 軽費老人ホーム、定員 30人、短期入所者定員 0人、居宅サービス事業を併設 いいえ" in lines
    assert "  │           1事業所当たり定員数 30人: 「30人」（30人以上～40人未満）、軽費老人ホームの列 → 15,000円" in lines


def test_rinko_group_fee_rate_as_percent_and_tier():
    """41/200 = 20.5% exactly: below 21%, so the 「21%未満」 tier, 3,000円/人."""
    r = _mod("rinko_renmei")
    e = r.explain("group_fee", members=41, association_members=200)
    assert _norm(str(e)) == [
        "団体入会プランの個人年会費（翌年度） [ワンコインプランに参加する場合 4]  3,000円/人",
        "│   連盟入会率 20.5%: 「21%未満」 → 3,000円/人",
        "└ 連盟入会率 [ワンコインプランに参加する場合 2]  20.5%",
        "      名簿の連盟会員数 41人 ÷ 技士会の会員数 200人 = 20.5%",
    ]


def test_rinko_chapter_payment_by_hand():
    """90/100 = 90% → 「それ以上」 (81%以上) 500円/人; paying 90 − 10 = 80人; 500 × 80 = 40,000円."""
    r = _mod("rinko_renmei")
    e = r.explain("chapter_payment", members=90, association_members=100, new_members=10)
    assert _norm(str(e)) == [
        "団体入会プランの代行納入額 [ワンコインプランに参加する場合 5・6]  40,000円",
        "│   団体入会プランの個人年会費（翌年度） 500円/人 × (名簿の連盟会員数 90人 − 会費免除の新規入会者数 10人) = 40,000円",
        "└ 団体入会プランの個人年会費（翌年度） [ワンコインプランに参加する場合 4]  500円/人",
        "  │   連盟入会率 90%: 「入会率81％以上」（81%以上） → 500円/人",
        "  └ 連盟入会率 [ワンコインプランに参加する場合 2]  90%",
        "        名簿の連盟会員数 90人 ÷ 技士会の会員数 100人 = 90%",
    ]


def test_rate_that_does_not_terminate_is_marked_approximate_and_exact_in_json():
    """1/3 shows as 約33.33% in the text, and as the exact fraction "1/3" in to_dict()."""
    r = _mod("rinko_renmei")
    e = r.explain("join_rate", members=1, association_members=3)
    assert _norm(str(e))[0] == "連盟入会率 [ワンコインプランに参加する場合 2]  約33.33%"
    d = e.to_dict()
    assert d["amount"] == "1/3" and d["tree"]["value"] == "1/3" and d["text"] == "約33.33%"


def test_rounding_down_of_a_fraction_of_yen():
    """第11条: 10月承認 → 11月～3月の5か月; 50,000 × 5 ÷ 12 = 20,833.33… → 1円未満切り捨て 20,833."""
    y = _mod("hyogo_roufuku")
    e = y.explain("midyear_annual_fee", annual=50_000, approved_on="2024-10-15")
    step = e.steps[0]
    assert step.kind == "rounding"
    assert step.text == ("年会費 50,000円 × 翌月から年度末までの月数 5か月（入会の承認日 2024年10月15日） ÷ 12か月"
                         " = 約20,833.33円 → 20,833円（1円未満切り捨て）")
    assert step.data["before"] == Fraction(250_000, 12) and step.data["after"] == 20_833
    assert step.to_dict()["before"] == "62500/3"


def test_value_column_is_aligned_by_display_width():
    """Every node line ends its value at the same column, counting wide characters as two."""
    y = _mod("hyogo_roufuku")
    e = y.explain("special_supporter_fee", **SPECIAL_SUPPORTER)
    rows = e.lines()
    node_rows = []

    def visit(node):  # the tree is drawn depth first: a node's line, its steps, its children
        node_rows.append(rows[len(node_rows) + sum(len(n.steps) for n in seen)])
        seen.append(node)
        for c in node.children:
            visit(c)

    seen = []
    visit(e.root)
    assert len(node_rows) == len(list(e.walk())) > 20
    assert all(r.endswith(n.value_text) for r, n in zip(node_rows, e.walk()))
    assert len({text_width(r) for r in node_rows}) == 1
    assert text_width("特養") == 4 and text_width("ab1") == 3


# --- the API ----------------------------------------------------------------------

def test_explain_validates_like_the_entry():
    """Bad inputs raise the very FeeInputError the plain call raises (message and input)."""
    h = _mod("hokkaido_shakyo")
    bad = [dict(kind="city", population=5_000, households=10, welfare_households=20),
           dict(kind="village", population=5_000, households=10),
           dict(kind="city", population=-1, households=10),
           dict(kind="city", population=True, households=10),
           dict(kind="city", households=10)]
    for kw in bad:
        with pytest.raises(feedsl.FeeInputError) as plain:
            h.municipal_fee(**kw)
        with pytest.raises(feedsl.FeeInputError) as explained:
            h.explain("municipal_fee", **kw)
        assert str(explained.value) == str(plain.value) and explained.value.input == plain.value.input


def test_explain_raises_in_evaluation_like_the_entry():
    """An error found while computing (a 0人 facility in 表6, a zero divisor) is the plain call's error."""
    y = _mod("hyogo_roufuku")
    r = _mod("rinko_renmei")
    cases = [(y, "special_supporter_fee", dict(regular={"kind": "home_service"},
                                               supporters=[{"kind": "nursing_home", "capacity": 40},
                                                           {"kind": "low_cost_home"}])),
             (r, "group_fee", dict(members=0, association_members=0))]
    for mod, entry, kw in cases:
        with pytest.raises(feedsl.FeeInputError) as plain:
            getattr(mod, entry)(**kw)
        with pytest.raises(feedsl.FeeInputError) as explained:
            mod.explain(entry, **kw)
        assert str(explained.value) == str(plain.value)


def test_explain_takes_the_function_or_its_name_and_rejects_unknown_entries():
    """explain accepts the entry function itself; an unknown entry or input is a ValueError naming it."""
    h = _mod("hokkaido_shakyo")
    assert h.explain(h.facility_fee, category="nursery", capacity=61).amount == 4_600
    with pytest.raises(ValueError, match="municipal_fee"):
        h.explain("municipal_fees", kind="city")
    with pytest.raises(feedsl.FeeInputError, match="colour"):
        h.explain("facility_fee", category="nursery", capacity=61, colour="red")


def test_every_example_in_the_fee_files_explains_to_its_amount():
    """Each 例 line: explain gives the expected amount, or the same input error as the plain call."""
    for name in REGS:
        mod = _mod(name)
        for ex in mod.__feedsl_ir__.examples:
            kw = dict(ex.kwargs)
            if ex.expected is None:
                with pytest.raises(feedsl.FeeInputError):
                    mod.explain(ex.entry, **kw)
            else:
                e = mod.explain(ex.entry, **kw)
                assert e.amount == ex.expected and type(e.amount) is type(ex.expected), (name, ex.entry, kw)


def _no_floats(x):
    if isinstance(x, float):
        return False
    if isinstance(x, dict):
        return all(isinstance(k, str) and _no_floats(v) for k, v in x.items())
    if isinstance(x, list):
        return all(_no_floats(v) for v in x)
    return x is None or isinstance(x, (bool, int, str))


def test_to_dict_is_json_ready_without_floats():
    """to_dict() holds only ints, strings, bools, lists and dicts; it round-trips through JSON."""
    y = _mod("hyogo_roufuku")
    d = y.explain("special_supporter_fee", **SPECIAL_SUPPORTER).to_dict()
    assert _no_floats(d) and json.loads(json.dumps(d, ensure_ascii=False)) == d
    # The 居宅サービス事業所 was given without 定員 (needed only for 老人福祉施設): not shown.
    assert d["amount"] == 310_000 and d["inputs"]["supporters"][2] == {
        "kind": "home_service", "short_stay": 0, "attached_home_service": False}
    fixed = d["tree"]["children"][0]
    cap = next(s for s in fixed["steps"] if s["kind"] == "cap")
    assert cap["function"] == "上限" and cap["uncapped"] == 60_000 and cap["value"] == 50_000 and cap["applied"] is True
    r = _mod("rinko_renmei")
    row = r.explain("group_fee", members=2_099, association_members=10_000).to_dict()["tree"]["steps"][0]
    assert row["kind"] == "row" and row["row"] == "21%未満" and row["key_value"] == "2099/10000" and row["value"] == 3_000


def test_plain_functions_do_not_touch_the_explain_path():
    """The generated plain entries and _r_ functions never refer to an _x_ function or an explanation helper."""
    import ast as pyast

    for name in REGS:
        mod = _mod(name)
        tree = pyast.parse(mod.__feedsl_source__)
        plain = [f for f in tree.body if isinstance(f, pyast.FunctionDef)
                 and (f.name in mod.__feedsl_ir__.rules or f.name.startswith("_r_"))]
        assert len(plain) >= len(mod.__feedsl_ir__.rules)
        used = {n.id for f in plain for n in pyast.walk(f) if isinstance(n, pyast.Name)}
        assert not [u for u in used if u.startswith(("_X", "_x"))], name


def test_written_module_explains_without_the_compiler(tmp_path):
    """A module written by `feedsl compile` explains in a fresh interpreter without lark or jinja2."""
    import subprocess
    import sys
    import textwrap

    from feedsl.api import compile_file

    (tmp_path / "hyogo_roufuku.py").write_text(compile_file(REGS["hyogo_roufuku"]).python, "utf-8")
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import hyogo_roufuku as m
        e = m.explain("standard_fee", facility={{"kind": "low_cost_home", "capacity": 50}})
        assert e.amount == 50000 and "「50人」" in str(e)
        bad = [n for n in sys.modules if n.split(".")[0] in ("lark", "jinja2", "attrs", "attr")]
        assert not bad, bad
        print("ok")
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


def test_hostile_labels_explain_as_data():
    """Quotes, braces and code in labels and clauses appear verbatim in the explanation and never run."""
    from feedsl.api import compile_file, module_from_source

    c = compile_file(ROOT / "tests" / "fixtures" / "good" / "hostile.fee")
    m = module_from_source(c.python, "h", "<h>")
    e = m.explain("fee", kind="a", n=3)
    assert e.amount == 300
    rule = c.ir.rules["fee"]
    assert e.clause == rule.clause and e.label == rule.label and e.clause.startswith("第1条")
    assert "a' + __import__('os').getcwd() + '" in str(e)


def test_cli_eval_explain_prints_the_tree_and_json(capsys):
    """feedsl eval … --explain prints the breakdown; with --json, the explanation's dict."""
    from feedsl.cli import main

    args = ["eval", str(REGS["hokkaido_shakyo"]), "municipal_fee", "kind=city", "population=25,000",
            "households=12,340", "welfare_households=600", "sdf_households=40", "--explain"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("第1種会員 年会費 [第9条(1)]") and "「2～3万人以下」" in out
    assert main(args + ["--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["amount"] == 244_000 and d["tree"]["clause"] == "第9条(1)"
    assert main(["eval", str(REGS["rinko_renmei"]), "group_fee", "members=5", "association_members=0",
                 "--explain"]) == 2
    assert "入力エラー" in capsys.readouterr().err


# --- property: every entry, random valid inputs ----------------------------------

def _strategy(reg, t, minimum=None):
    if isinstance(t, QType):
        if t.integral:
            lo = int(minimum) if minimum is not None else 0
            return st.one_of(st.integers(lo, lo + 250), st.integers(lo, 400_000))
        return st.fractions(min_value=0, max_value=3, max_denominator=1000)
    if isinstance(t, BoolType):
        return st.booleans()
    if isinstance(t, EnumType):
        values = [v for v, _ in reg.enums[t.name].values if t.members is None or v in t.members]
        return st.sampled_from(values)
    if isinstance(t, DateType):
        import datetime

        return st.dates(datetime.date(2000, 1, 1), datetime.date(2040, 12, 31))
    if isinstance(t, RecordType):
        rec = reg.records[t.name]
        return st.fixed_dictionaries({f.name: _strategy(reg, f.type, f.minimum) for f in rec.fields})
    if isinstance(t, ListType):
        return st.lists(_strategy(reg, t.element), max_size=4)
    raise TypeError(t)


_OMIT = object()


@st.composite
def _call(draw, name, entry):
    """kwargs for an entry of the regulation, built from the IR's types."""
    mod = _mod(name)
    reg = mod.__feedsl_ir__
    rule = reg.rules[entry]
    kw = {}
    for k, (pn, pt) in enumerate(rule.params):
        pin = rule.param_inputs[k] if k < len(rule.param_inputs) else None
        kw[pn] = draw(_strategy(reg, pt, pin.minimum if pin else None))
    for n in rule.inputs:
        inp = reg.inputs[n]
        s = _strategy(reg, inp.type, inp.minimum)
        v = draw(st.one_of(st.just(_OMIT), s) if inp.has_default else s)
        if v is not _OMIT:
            kw[n] = v
    # Make the 前提 hold most of the time (a broken one is skipped below).
    if name == "rinko_renmei" and "members" in kw:
        # association_members ≥ members, so the rate spreads over 20%…100% and every tier.
        kw["association_members"] = kw["members"] + draw(st.integers(0, 4 * kw["members"] + 5))
        if "new_members" in kw:
            kw["new_members"] = draw(st.integers(0, kw["members"]))
    if name == "hokkaido_shakyo" and "households" in kw:
        kw["households"] += kw.get("welfare_households", 0) + kw.get("sdf_households", 0)
    return kw


def _check(name, entry, kw):
    mod = _mod(name)
    try:
        amount = getattr(mod, entry)(**kw)
    except feedsl.FeeInputError:
        with pytest.raises(feedsl.FeeInputError):
            mod.explain(entry, **kw)
        assume(False)
    e = mod.explain(entry, **kw)
    assert isinstance(e, Explanation)
    assert e.amount == amount and type(e.amount) is type(amount)
    assert e.root.value == amount and type(e.root.value) is type(amount)
    text = FEE_FILES[name].read_text("utf-8")
    for node in e.walk():
        if node.clause:
            assert f"[{node.clause}]" in text, node.clause
    assert str(e).splitlines()[0].startswith(e.label)
    assert _no_floats(e.to_dict())


_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
_ENTRIES = [(name, entry) for name in FEE_FILES for entry in _mod(name).__feedsl_ir__.rules]


@pytest.mark.parametrize("name,entry", _ENTRIES)
def test_property_explanation_matches_plain_call_and_cites_real_clauses(name, entry):
    """For random valid inputs to this entry: explain's amount equals the plain call (same type),
    every clause in the tree is a [clause] of the .fee file, and to_dict() has no floats."""

    @_SETTINGS
    @given(_call(name, entry))
    def run(kw):
        _check(name, entry, kw)

    run()


def test_a_rule_named_explain_is_rejected():
    """A rule named explain would replace the module's explain(): the checker reports F102."""
    from feedsl.api import compile_source
    from feedsl.source import SourceFile

    c = compile_source(SourceFile("t.fee", "規程 t 「t」\n規則 explain 「x」 [1] = 1円\n"))
    assert not c.ok and [d.code for d in c.diagnostics] == ["F102"]


# --- huge numbers (issue 10: never a traceback) ------------------------------------

HUGE = """規程 huge 「大きな数」
入力 population: 人 「人口」
規則 fee 「会費」 [1] = 四捨五入(population × 14円/人 ÷ 3, 1,000円)
規則 share 「人口の三分の一」 [2] = population ÷ 3人
例 fee(population=3人) = 0円
例 share(population=3人) = 100%
"""

BIG = 10 ** 4999  # 5,000 digits: str() of it raises


@pytest.fixture(scope="module")
def huge_mod(tmp_path_factory):
    from test_runtime import load_text

    return load_text(tmp_path_factory, HUGE)


def test_explain_with_a_5000_digit_input_shows_it_shortened(huge_mod):
    """人口 10**4999: 14·10**4999 ÷ 3 = 4666…6.67 (4,999 sixes after the 4);
    the last three whole digits 666 and .67 round up (四捨五入 to 1,000円), so the
    fee is 4, 4,995 sixes, 7, 000 (5,000 digits). The tree shows every value
    shortened with its digit count instead of raising."""
    e = huge_mod.explain("fee", population=BIG)
    assert e.amount == (14 * BIG // 3000 + 1) * 1000  # rounded up to the next 1,000
    assert int_digits(e.amount) == "4" + "6" * 4995 + "7000"
    lines = _norm(str(e))
    assert lines[0] == "会費 [1]  46,666,666,666…（全5,000桁）…666,667,000円"
    assert lines[1] == ("    人口 10,000,000,000…（全5,000桁）…000,000,000人 × 14円/人 ÷ 3"
                        " = 約46,666,666,666…（全5,000桁）…666,666,666.67円"
                        " → 46,666,666,666…（全5,000桁）…666,667,000円（1,000円未満四捨五入）")


def test_explain_to_dict_of_huge_values_goes_through_json(huge_mod):
    """to_dict() of a 5,000-digit amount is JSON-ready: json.dumps does not raise,
    and ints past 4,300 digits (which json cannot write or read as numbers) are
    strings of their exact digits; a huge rate is its exact fraction string."""
    data = json.loads(json.dumps(huge_mod.explain("fee", population=BIG).to_dict()))
    assert data["amount"] == "4" + "6" * 4995 + "7000"
    assert data["inputs"] == {"population": "1" + "0" * 4999}
    assert data["text"] == "46,666,666,666…（全5,000桁）…666,667,000円"
    share = json.loads(json.dumps(huge_mod.explain("share", population=BIG).to_dict()))
    assert share["amount"] == "1" + "0" * 4999 + "/3"
    # 10**4999 / 3 = 3.33… × 10**4998 = 3.33… × 10**5000 %: 5,001 digits before the point
    assert share["text"].startswith("約333333333333…（全5,001桁）…333333333.33")
