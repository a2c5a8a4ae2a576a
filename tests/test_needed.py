"""Inputs and record fields needed only when a condition holds (必要, issue 11 §1).

The syntax, the checker's proof that every read is where the condition holds
(場合 arms, もし, 場合 condition arms, かつ/または/でない, across rule calls,
record fields), the run-time rule (missing where needed → FeeInputError with
the condition in words; omitted where not needed → the amount; given where
not needed → validated, then unused), the CLI, explain() and the pages.
Amounts are worked out from the regulations' texts in the comments.
"""

import json
from pathlib import Path

import pytest

import feedsl
from feedsl import ir
from feedsl.api import check_source, compile_source, module_from_source
from feedsl.cli import main
from feedsl.docs import build_pages
from feedsl.examples import run_examples
from feedsl.interpret import evaluate
from feedsl.source import SourceFile

ROOT = Path(__file__).resolve().parents[1]
HOKKAIDO = ROOT / "regulations" / "hokkaido_shakyo.fee"
HYOGO = ROOT / "regulations" / "hyogo_roufuku.fee"
RINKO = ROOT / "regulations" / "rinko_renmei.fee"

HEAD = """規程 t 「テスト」

区分 facility_category 「施設の種類」
    residential 「入所施設」
    nursery 「保育所」
    day_service 「通所介護事業所」

入力 category: facility_category 「施設の種類」
入力 capacity: 人 「定員」 必要 category が residential または nursery
入力 big: 真偽 = いいえ 「大規模」

表 residential_fee 「入所施設」 capacity による
    50人以下      9,300円
    それ以上     15,600円

"""


def check(body: str, head: str = HEAD):
    return check_source(SourceFile("t.fee", head + body))


def errors(body: str, head: str = HEAD):
    _, diags = check(body, head)
    return [d for d in diags if d.is_error]


def codes(body: str, head: str = HEAD):
    return [d.code for d in errors(body, head)]


def load(body: str, head: str = HEAD):
    c = compile_source(SourceFile("t.fee", head + body))
    assert c.ok, [d.message for d in c.diagnostics if d.is_error]
    return module_from_source(c.python, "t_needed", "<t>")


# --- syntax --------------------------------------------------------------------------

def test_needed_parses_with_condition_and_short_wording():
    reg, diags = check("規則 f 「会費」 =\n    9,300円\n", HEAD.replace(
        "必要 category が residential または nursery",
        "必要 category が residential または nursery 「入所・保育のみ」 説明 「4月1日現在」"))
    assert not [d for d in diags if d.is_error]
    cap = reg.inputs["capacity"]
    assert isinstance(cap.needed, ir.EnumIs) and cap.needed.members == ("residential", "nursery")
    assert cap.needed_label == "入所・保育のみ" and cap.description == "4月1日現在"
    assert not cap.has_default


def test_compact_form_is_the_same_as_two_tests():
    """category が a または b is one test of two values, as is category が a または category が b."""
    reg, _ = check("規則 f 「会費」 =\n    もし category が residential または nursery ならば 1円 そうでなければ 0円\n")
    c = reg.rules["f"].expr.cond
    assert isinstance(c, ir.EnumIs) and c.members == ("residential", "nursery")


def test_needed_on_a_rule_parameter_is_a_syntax_error():
    assert codes("規則 f(n: 人 必要 category が nursery) 「会費」 =\n    n × 1円/人\n") == ["F001"]


def test_condition_must_be_a_condition_and_not_its_own_input():
    assert codes("", HEAD.replace("必要 category が residential または nursery", "必要 category")) == ["F701"]
    assert codes("", HEAD.replace("必要 category が residential または nursery", "必要 capacity が 1人以上")) == ["F702"]
    assert codes("", HEAD.replace("必要 category", "= 0人 「定員」 必要 category").replace("人 「定員」 = 0人", "人 = 0人")) == ["F700"]


def test_field_condition_reads_only_the_record():
    head = HEAD + "記録 rec 「事業所」\n    kind: facility_category 「種別」\n    n: 人 「定員」 必要 big\n\n"
    assert "F101" in codes("", head)


# --- the static proof ----------------------------------------------------------------

def test_read_in_a_match_arm_is_proven():
    assert codes("規則 f 「会費」 =\n    場合 category\n        residential, nursery → residential_fee\n"
                 "        day_service → 9,300円\n") == []


def test_rest_arm_stands_for_the_values_not_taken():
    # それ以外 after day_service = residential or nursery: proven.
    assert codes("規則 f 「会費」 =\n    場合 category\n        day_service → 9,300円\n"
                 "        それ以外 → residential_fee\n") == []


def test_read_in_a_wrong_arm_is_an_error_with_a_hint():
    (d,) = errors("規則 f 「会費」 =\n    場合 category\n        residential, nursery → 0円\n"
                  "        day_service → residential_fee\n")
    assert d.code == "F704" and (d.span.line, d.span.col) == (19, 23)
    assert "施設の種類が入所施設または保育所" in d.message and "residential_fee" in d.message
    assert d.hint.startswith("場合 category の residential・nursery の枝の中で residential_fee を使うか")


def test_if_then_and_else_branches():
    assert codes("規則 f 「会費」 =\n    もし category が day_service ならば 9,300円 そうでなければ residential_fee\n") == []
    assert codes("規則 f 「会費」 =\n    もし category が day_service ならば residential_fee そうでなければ 0円\n") == ["F704"]
    assert codes("規則 f 「会費」 =\n    もし category が day_service でない ならば capacity × 1円/人 そうでなければ 0円\n") == []


def test_condition_arms_earlier_false_this_true():
    body = ("規則 f 「会費」 =\n    場合\n        category が day_service → 9,300円\n"
            "        big → residential_fee\n        それ以外 → capacity × 10円/人\n")
    assert codes(body) == []
    assert codes(body.replace("category が day_service", "category が nursery")) == ["F704", "F704"]


def test_and_or_evaluate_left_first():
    assert codes("規則 f 「会費」 =\n    もし category が nursery かつ capacity が 60人以下 ならば 1円 そうでなければ 0円\n") == []
    assert codes("規則 f 「会費」 =\n    もし capacity が 60人以下 かつ category が nursery ならば 1円 そうでなければ 0円\n") == ["F704"]
    assert codes("規則 f 「会費」 =\n    もし category が day_service または capacity が 60人以下 ならば 1円 そうでなければ 0円\n") == []


def test_across_calls_the_caller_proves_the_callee():
    """residential_fee reads capacity without a guard: it does not know category,
    so the obligation passes to its callers; facility_fee proves it in its arm."""
    reg, diags = check("規則 f 「会費」 =\n    場合 category\n        residential → residential_fee\n"
                       "        nursery → g\n        day_service → 9,300円\n\n"
                       "規則 g 「保育」 =\n    residential_fee + 100円\n")
    assert not [d for d in diags if d.is_error]
    assert reg.rules["residential_fee"].always == ("capacity",)
    assert reg.rules["g"].always == ("capacity",)
    assert reg.rules["f"].always == ()
    # An entry that requires capacity always does not take category at all.
    assert reg.rules["residential_fee"].inputs == ("capacity",)
    assert reg.rules["f"].inputs == ("category", "capacity")


def test_a_rule_that_knows_only_part_of_the_condition_passes_it_on():
    """The condition reads category and big; h reads only big: it cannot decide
    the condition, so it requires capacity (an obligation), and is no error."""
    head = HEAD.replace("必要 category が residential または nursery", "必要 category が nursery かつ big")
    reg, diags = check("規則 h 「大規模」 =\n    もし big ならば capacity × 1円/人 そうでなければ 0円\n", head)
    assert not [d for d in diags if d.is_error] and reg.rules["h"].always == ("capacity",)


def test_condition_reading_a_conditional_input_must_prove_it():
    head = HEAD + "入力 staff: 人 「職員数」 必要 category が nursery かつ capacity が 60人以上\n\n"
    assert codes("規則 s 「加算」 =\n    もし category が nursery かつ capacity が 60人以上 ならば staff × 1円/人 そうでなければ 0円\n",
                 head) == []
    bad = HEAD + "入力 staff: 人 「職員数」 必要 capacity が 60人以上\n\n"
    assert "F705" in codes("", bad)


RECORD = HEAD + """記録 facility 「事業所」
    kind: facility_category 「種別」
    n: 人 「定員」 必要 kind が day_service でない

入力 one: facility 「事業所」
入力 many: facility の一覧 「事業所の一覧」

"""


def test_record_field_proven_by_a_match_on_the_field():
    body = ("規則 per(f: facility) 「事業所ごと」 =\n    場合 f.kind\n        day_service → 9,300円\n"
            "        それ以外 → f.n × 100円/人\n\n"
            "規則 total 「合計」 =\n    per(one) + 合計(x ∈ many: もし x.kind が nursery ならば x.n × 1円/人 そうでなければ 0円)\n")
    assert codes(body, RECORD) == []


def test_record_field_unproven_is_an_error():
    ds = errors("規則 per(f: facility) 「事業所ごと」 =\n    f.n × 100円/人\n", RECORD)
    assert [d.code for d in ds] == ["F704"]
    assert "種別が通所介護事業所でない" in ds[0].message
    assert ds[0].hint.startswith("場合 f.kind の residential・nursery の枝の中で読むか")


# --- run time ------------------------------------------------------------------------

def test_hokkaido_day_service_needs_no_capacity():
    """会費算定基準 3: 通所介護事業所 pays a flat 9,300円; 定員 is not needed."""
    h = feedsl.load(HOKKAIDO)
    assert h.facility_fee(category="day_service") == 9_300
    # Given anyway (a roster has the column for everyone): validated, then unused.
    assert h.facility_fee(category="day_service", capacity=30) == 9_300
    with pytest.raises(feedsl.FeeInputError) as e:
        h.facility_fee(category="day_service", capacity=-1)
    assert e.value.input == "capacity"
    with pytest.raises(feedsl.FeeInputError):
        h.facility_fee(category="day_service", capacity=True)


def test_hokkaido_missing_capacity_where_needed_names_input_and_condition():
    h = feedsl.load(HOKKAIDO)
    for cat in ("nursery", "residential_or_day"):
        with pytest.raises(feedsl.FeeInputError) as e:
            h.facility_fee(category=cat)
        assert e.value.input == "capacity"
        assert str(e.value).startswith(
            "入力 capacity（定員）がありません。施設の種類が入所及び通所施設または認可保育所・認定こども園等のときに必要です")
    # 61人 → 61～90人以下 4,600円 (会費算定基準 3(2)).
    assert h.facility_fee(category="nursery", capacity=61) == 4_600


def test_hokkaido_table_as_entry_requires_capacity_and_not_category():
    """residential_fee(capacity=…) as an entry: 120人 → 101～150人以下 23,400円."""
    h = feedsl.load(HOKKAIDO)
    assert h.residential_fee(capacity=120) == 23_400
    with pytest.raises(feedsl.FeeInputError) as e:
        h.residential_fee()
    assert e.value.input == "capacity"
    with pytest.raises(feedsl.FeeInputError):
        h.residential_fee(capacity=120, category="nursery")  # not one of its inputs


def test_hokkaido_docstring_and_explain_say_when():
    h = feedsl.load(HOKKAIDO)
    assert "capacity: 定員 [人]（" in h.facility_fee.__doc__
    assert "施設の種類が入所及び通所施設または認可保育所・認定こども園等のときのみ）" in h.facility_fee.__doc__
    e = h.explain("facility_fee", category="day_service")
    assert e.amount == 9_300 and e.inputs == {"category": h.FacilityCategory.day_service}
    step = e.steps[-1]
    assert step.kind == "not_given" and step.data == {"input": "capacity"}
    assert step.text == "定員（施設の種類が入所及び通所施設または認可保育所・認定こども園等のときのみ）: 入力なし（この場合は不要）"
    assert json.loads(json.dumps(e.to_dict(), ensure_ascii=False))["inputs"] == {"category": "day_service"}
    # Given: no such step, and the amount is the table's (50人以下 9,300円).
    e = h.explain("facility_fee", category="residential_or_day", capacity=50)
    assert e.amount == 9_300 and all(s.kind != "not_given" for s in e.steps)
    with pytest.raises(feedsl.FeeInputError):
        h.explain("facility_fee", category="nursery")


def test_hyogo_capacity_only_for_welfare_facilities():
    """表3/表6: 居宅サービス事業所 30,000円 and no 定員割, so no 定員;
    a 老人福祉施設 without 定員 is an input error naming the field."""
    y = feedsl.load(HYOGO)
    home = y.Facility(kind="home_service")
    assert home.capacity is None and home.to_dict() == {
        "kind": "home_service", "short_stay": 0, "attached_home_service": False}
    assert y.standard_fee(facility={"kind": "home_service"}) == 30_000
    # 養護 15人 → 1人～19人 10,000円; 20,000 + 10,000 = 30,000円.
    assert y.standard_fee(facility={"kind": "nursing_home", "capacity": 15}) == 30_000
    with pytest.raises(feedsl.FeeInputError) as e:
        y.Facility(kind="nursing_home")
    assert e.value.input == "capacity" and "種別が居宅サービス事業所でないときに必要です" in str(e.value)
    with pytest.raises(feedsl.FeeInputError) as e:
        y.special_supporter_fee(regular={"kind": "home_service"},
                                supporters=[{"kind": "nursing_home", "capacity": 40}, {"kind": "low_cost_home"}])
    assert e.value.input == "supporters[1].capacity"
    # Given for a 居宅サービス事業所: validated (a negative count is refused), not used.
    assert y.standard_fee(facility={"kind": "home_service", "capacity": 12}) == 30_000
    with pytest.raises(feedsl.FeeInputError):
        y.standard_fee(facility={"kind": "home_service", "capacity": -1})


def test_rinko_plan_needs_rate_inputs_only_for_the_group_plan():
    r = feedsl.load(RINKO)
    assert r.member_fee(plan="individual") == 3_000
    # 60/100 = 60%: 51%以上81%未満 → 1,000円/人 × 1人.
    assert r.member_fee(plan="group", members=60, association_members=100) == 1_000
    with pytest.raises(feedsl.FeeInputError) as e:
        r.member_fee(plan="group", members=60)
    assert e.value.input == "association_members"
    assert "会員プランが団体入会プラン（ワンコインプラン）のときに必要です" in str(e.value)
    # Given where not needed: validated, 前提 included (101 > 100 members).
    with pytest.raises(feedsl.FeeInputError):
        r.member_fee(plan="individual", members=101, association_members=100)
    # A 前提 on a conditional input is checked only when all its inputs are given.
    assert r.member_fee(plan="individual", members=101) == 3_000
    # join_rate has no plan: it requires both inputs always.
    with pytest.raises(feedsl.FeeInputError):
        r.join_rate(members=5)


@pytest.mark.parametrize("path", [HOKKAIDO, HYOGO, RINKO], ids=lambda p: p.name)
def test_interpreter_agrees_with_compiled_on_missing_and_present(path):
    """Every entry with a conditional input, called with it and without it."""
    mod = feedsl.load(path)
    reg = mod.__feedsl_ir__
    calls = {
        "facility_fee": [dict(category=c) for c in ("day_service", "nursery", "residential_or_day")]
        + [dict(category="nursery", capacity=91), dict(category="day_service", capacity=1)],
        "residential_fee": [{}, dict(capacity=401)],
        "member_fee": [dict(plan="individual"), dict(plan="group"), dict(plan="group", members=81,
                                                                            association_members=100)],
        "standard_fee": [dict(facility={"kind": k}) for k in ("home_service", "low_cost_home")]
        + [dict(facility={"kind": "low_cost_home", "capacity": 50})],
    }
    for entry, many in calls.items():
        if entry not in reg.rules:
            continue
        for kw in many:
            try:
                want = evaluate(reg, entry, kw)
            except feedsl.FeeInputError:
                with pytest.raises(feedsl.FeeInputError):
                    getattr(mod, entry)(**kw)
                continue
            assert getattr(mod, entry)(**kw) == want == mod.explain(entry, **kw).amount


def test_examples_with_input_errors_hold():
    """The regulations' 例 … = 入力エラー lines for missing conditional inputs hold."""
    h = feedsl.load(HOKKAIDO)
    results = {(r.entry, tuple(sorted(dict(r.inputs).items()))): r for r in run_examples(h)}
    r = results[("facility_fee", (("category", "nursery"),))]
    assert r.ok and r.expected is None and isinstance(r.got, feedsl.FeeInputError)
    r = results[("facility_fee", (("category", "day_service"),))]
    assert r.ok and r.expected == 9_300


def test_compiled_small_file_and_runtime_condition_order():
    """A condition reading another conditional input is evaluated after it."""
    head = HEAD + "入力 staff: 人 「職員数」 必要 category が nursery かつ capacity が 60人以上\n\n"
    mod = load("規則 s 「加算」 =\n    もし category が nursery かつ capacity が 60人以上 ならば staff × 10円/人 そうでなければ 0円\n",
               head)
    assert mod.s(category="nursery", capacity=59) == 0
    assert mod.s(category="nursery", capacity=60, staff=7) == 70
    with pytest.raises(feedsl.FeeInputError) as e:
        mod.s(category="nursery", capacity=60)
    assert e.value.input == "staff"
    with pytest.raises(feedsl.FeeInputError) as e:
        mod.s(category="nursery")
    assert e.value.input == "capacity"
    assert mod.s(category="day_service") == 0


# --- CLI and pages -------------------------------------------------------------------

def test_cli_eval_without_capacity(capsys):
    assert main(["eval", str(HOKKAIDO), "facility_fee", "category=day_service"]) == 0
    assert capsys.readouterr().out.strip().endswith(": 9,300円")
    assert main(["eval", str(HOKKAIDO), "facility_fee", "category=nursery"]) == 2
    err = capsys.readouterr().err
    assert "入力 capacity（定員）がありません。施設の種類が入所及び通所施設または認可保育所・認定こども園等のときに必要です" in err
    assert "Traceback" not in err


def test_cli_inputs_json_and_json_output(tmp_path, capsys):
    f = tmp_path / "in.json"
    f.write_text(json.dumps({"category": "day_service"}), "utf-8")
    assert main(["eval", str(HOKKAIDO), "facility_fee", "--inputs", str(f), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["amount"] == 9_300 and out["inputs"] == {"category": "day_service"}
    f.write_text(json.dumps({"facility": {"kind": "special_nursing_home"}}), "utf-8")
    assert main(["eval", str(HYOGO), "standard_fee", "--inputs", str(f)]) == 2
    assert "capacity（定員）がありません。種別が居宅サービス事業所でないときに必要です" in capsys.readouterr().err
    assert main(["eval", str(HOKKAIDO), "facility_fee", "category=day_service", "--explain", "--json"]) == 0
    tree = json.loads(capsys.readouterr().out)["tree"]
    assert tree["steps"][-1]["kind"] == "not_given"


def test_cli_lists_inputs_with_when(capsys):
    assert main(["eval", str(HOKKAIDO), "facility_fee", "capa=3"]) == 2
    assert "capacity（施設の種類が入所及び通所施設または認可保育所・認定こども園等のときのみ）" in capsys.readouterr().err


def test_pages_say_when_an_input_is_needed():
    pages = dict(build_pages([HOKKAIDO, HYOGO, RINKO]))
    by_name = {Path(k).name: v for k, v in pages.items()}
    assert "必須（施設の種類が入所及び通所施設または認可保育所・認定こども園等のときのみ）" in by_name["hokkaido_shakyo.html"]
    assert "必須（種別が居宅サービス事業所でないときのみ）" in by_name["hyogo_roufuku.md"]
    # The author's short wording replaces the generated one.
    assert "必須（団体入会プランのみ）" in by_name["rinko_renmei.html"]


def test_explain_shows_an_absent_input_beside_a_condition():
    """explain() shows the values a condition reads; an absent conditional input is
    「入力なし」, and a rule that would read it is not computed (「—」), not a crash."""
    mod = load("規則 capfee 「定員割」 =\n    capacity × 10円/人\n\n"
               "規則 f 「会費」 =\n    もし category が nursery かつ capacity が 60人以下 ならば 1,000円 そうでなければ 2,000円\n\n"
               "規則 h 「会費3」 =\n    もし category が nursery かつ capfee が 600円以下 ならば 1,000円 そうでなければ 2,000円\n")
    e = mod.explain("f", category="day_service")
    assert e.amount == 2_000 and "（施設の種類 通所介護事業所、定員 入力なし）: いいえ" in e.steps[0].text
    e = mod.explain("h", category="day_service")
    assert e.amount == 2_000 and "定員割 —" in e.steps[0].text
    # 60人 × 10円/人 = 600円 ≤ 600円 → 1,000円.
    assert mod.explain("h", category="nursery", capacity=60).amount == mod.h(category="nursery", capacity=60) == 1_000


def test_explain_never_computes_an_absent_value_beside_a_condition():
    """tests/fixtures/good/needed.fee: a rule called on an absent input, a field of an
    absent record input, a rule called on an absent field — each beside a condition
    that is false first — are shown as —, and explain() agrees with the plain call."""
    mod = feedsl.load(ROOT / "tests" / "fixtures" / "good" / "needed.fee")
    for entry, kw, text in [
        ("f", dict(category="c"), "倍（定員） —"),
        ("g", dict(category="c"), "種別 —"),
        ("h", dict(r={"k": "b"}), "倍（事業所の定員） —"),
    ]:
        e = mod.explain(entry, **kw)
        assert e.amount == getattr(mod, entry)(**kw)
        assert any(text in s.text for s in e.steps), [s.text for s in e.steps]


def test_a_false_conjunction_says_nothing_of_its_other_part():
    """In the else of もし (category が residential かつ big), with category known
    not to be residential, nothing is known of big: reading an input needed when
    big holds is unproven there (a wrong 'big is true' would let it through)."""
    head = HEAD + "入力 staff: 人 「職員数」 必要 big\n\n"
    body = ("規則 f 「会費」 =\n    場合 category\n        day_service →\n"
            "            もし category が residential かつ big ならば 0円 そうでなければ staff × 1円/人\n"
            "        それ以外 → 0円\n")
    assert codes(body, head) == ["F704"]
    # With a true: the else of a かつ b means b is false; of a または b with a false, b is true.
    ok = ("規則 g 「会費」 =\n    場合 category\n        day_service →\n"
          "            もし category が day_service かつ big でない ならば 0円 そうでなければ staff × 1円/人\n"
          "        それ以外 → 0円\n")
    assert codes(ok, head) == []


# --- soundness against brute force ------------------------------------------------------
#
# Random もし/場合 trees over an enum g (3 values) and a flag, whose leaves read
# the input c (needed when a random condition holds) or not. Every (g, flag)
# pair is tried: when the checker accepts the file, no pair may reach a leaf
# reading c where c's condition is false (the checker is sound), and the
# compiled entry, explain() and the interpreter agree with c given and omitted.

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

VALUES = ("a", "b", "d")


def _atoms(rules=True):
    out = [(f"g が {v}", lambda g, f, v=v: g == v) for v in VALUES]
    out += [(f"g が {v} でない", lambda g, f, v=v: g != v) for v in VALUES]
    out += [("(g が a または b)", lambda g, f: g in ("a", "b")), ("flag", lambda g, f: f),
            ("(flag でない)", lambda g, f: not f)]
    if rules:  # a condition rule (not in 必要, which reads inputs only)
        out += [("not_b", lambda g, f: g != "b"), ("(not_b でない)", lambda g, f: g == "b")]
    return out


@st.composite
def _cond(draw, depth=2, rules=True):
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(_atoms(rules)))
    (lt, lf), (rt, rf) = draw(_cond(depth - 1, rules)), draw(_cond(depth - 1, rules))
    if draw(st.booleans()):
        return f"({lt} かつ {rt})", lambda g, f: lf(g, f) and rf(g, f)
    return f"({lt} または {rt})", lambda g, f: lf(g, f) or rf(g, f)


@st.composite
def _tree(draw, depth=3):
    """(text, fn(g, flag) -> reads c?) of an inline もし tree."""
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        if draw(st.booleans()):
            return "(c × 1円/人)", lambda g, f: True
        return "0円", lambda g, f: False
    ct, cf = draw(_cond())
    (tt, tf), (et, ef) = draw(_tree(depth - 1)), draw(_tree(depth - 1))
    return (f"(もし {ct} ならば {tt} そうでなければ {et})",
            lambda g, f: tf(g, f) if cf(g, f) else ef(g, f))


@st.composite
def _file(draw):
    need_text, need = draw(_cond(1, rules=False))
    arms = []
    for v in draw(st.lists(st.sampled_from(VALUES), min_size=1, max_size=3, unique=True)):
        arms.append((v, draw(_tree())))
    rest = draw(_tree()) if len(arms) < 3 else None
    lines = "".join(f"        {v} → {t}\n" for v, (t, _) in arms)
    if rest is not None:
        lines += f"        それ以外 → {rest[0]}\n"
    text = ("規程 t 「総当たり」\n\n区分 k 「種別」\n    a 「甲」\n    b 「乙」\n    d 「丁」\n\n"
            "入力 g: k 「種別」\n入力 flag: 真偽 = いいえ 「印」\n"
            f"入力 c: 人 「人数」 必要 {need_text}\n\n規則 not_b 「乙でない」 =\n    g が b でない\n\n"
            f"規則 fee 「会費」 =\n    場合 g\n{lines}")
    table = dict((v, fn) for v, (_, fn) in arms)

    def reads(g, f):
        fn = table.get(g, rest[1] if rest is not None else None)
        return fn(g, f)

    return text, need, reads


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(_file())
def test_checker_is_sound_against_brute_force(case):
    text, need, reads = case
    reg, diags = check_source(SourceFile("t.fee", text))
    unsafe = [(g, f) for g in VALUES for f in (True, False) if reads(g, f) and not need(g, f)]
    if reg is None:
        assert any(d.code == "F704" for d in diags), [d.message for d in diags]
        return
    # An entry that cannot decide c's condition (it does not read flag) requires c always.
    always = "c" in reg.rules["fee"].always
    assert always or not unsafe, f"accepted, but c is read where its condition is false for {unsafe}:\n{text}"
    c = compile_source(SourceFile("t.fee", text))
    mod = module_from_source(c.python, "t_brute", "<t>")
    for g in VALUES:
        for f in (True, False):
            takes = reg.rules["fee"].inputs
            given_c = [dict(g=g, flag=f, c=7)] if "c" in takes else []
            for kw in [dict(g=g, flag=f)] + given_c:
                kw = {k: v for k, v in kw.items() if k in takes}
                try:
                    want = evaluate(reg, "fee", kw)
                except feedsl.FeeInputError:
                    # Missing exactly when needed.
                    assert "c" not in kw and (need(g, f) or always)
                    with pytest.raises(feedsl.FeeInputError):
                        mod.fee(**kw)
                    continue
                assert mod.fee(**kw) == want == mod.explain("fee", **kw).amount
                assert want == (7 if reads(g, f) and "c" in kw else 0)


def test_a_condition_rule_proves_what_its_body_says():
    """もし welfare(f) ならば f.n: the call is read as its body with f in place."""
    body = ("規則 welfare(f: facility) 「老人福祉施設である」 =\n    f.kind が day_service でない\n\n"
            "規則 per(f: facility) 「事業所ごと」 =\n    もし welfare(f) ならば f.n × 100円/人 そうでなければ 9,300円\n\n"
            "規則 other(f: facility) 「逆」 =\n    もし welfare(f) でない ならば f.n × 100円/人 そうでなければ 0円\n")
    ds = errors(body, RECORD)
    assert [(d.code, d.span.line) for d in ds] == [("F704", 30)]  # other: 23 + 7
    mod = load(body.replace("\n規則 other", "\n規則 unused_other").split("規則 unused_other")[0], RECORD)
    # 入所施設 12人 × 100円 = 1,200円; 通所介護事業所は定額 9,300円（定員なし）.
    assert mod.per(f={"kind": "residential", "n": 12}) == 1_200
    assert mod.per(f={"kind": "day_service"}) == 9_300


def test_compact_or_never_guesses_between_a_value_and_an_input_of_that_name():
    """`category が residential または nursery` with an input named nursery could read the value
    or the input; either reading gives other yen, so it is F706, and both spellings it suggests
    say what they mean."""
    head = HEAD.replace("必要 category が residential または nursery",
                        "必要 category が residential または category が nursery")
    head += "入力 nursery: 真偽 = いいえ 「保育所を併設」\n\n"
    # in an input's 必要 as in a rule: F706, and nothing on top of it
    assert codes("", head.replace("category が residential または category が nursery",
                                  "category が residential または nursery")) == ["F706"]
    body = """規則 fee 「会費」 =
    もし category が residential または nursery ならば 1,000円 そうでなければ 2,000円
"""
    assert codes(body, head) == ["F706"]
    value = body.replace("または nursery", "または category が nursery")
    flag = body.replace("category が residential または nursery", "nursery または category が residential")
    for text, kwargs, amount in [
        # the value: a 保育所 pays 1,000円, a 通所介護事業所 2,000円 (the flag is not an input of fee)
        (value, dict(category="nursery"), 1_000),
        (value, dict(category="day_service"), 2_000),
        # the input: a 通所介護事業所 with the flag pays 1,000円, a 保育所 without it 2,000円
        (flag, dict(category="day_service", nursery=True), 1_000),
        (flag, dict(category="nursery"), 2_000),
    ]:
        c = compile_source(SourceFile("t.fee", head + text))
        assert not [d for d in c.diagnostics if d.is_error]
        m = module_from_source(c.python, "t_f706", "t.fee")
        assert m.fee(**kwargs) == amount


def test_a_flag_compared_with_hai_is_the_flag_itself():
    """`必要 exempted が はい` is proven by `もし exempted ならば` (and `が いいえ` by the else
    branch), as the reference writes equality with が: authors write both spellings."""
    head = """規程 g 「g」
入力 exempted: 真偽 = いいえ 「減免」
入力 amount: 円 「減免額」 必要 exempted が はい
入力 other: 円 「その他」 必要 exempted が いいえ
"""
    body = """規則 fee 「会費」 =
    もし exempted ならば 10,000円 - amount そうでなければ 10,000円 + other
規則 fee2 「会費2」 =
    もし exempted が いいえ ならば other そうでなければ amount
規則 fee3 「会費3」 =
    もし exempted == はい ならば amount そうでなければ 0円
"""
    assert codes(body, head) == []
    m = module_from_source(compile_source(SourceFile("g.fee", head + body)).python, "g_flag", "g.fee")
    assert m.fee(exempted=True, amount=3_000) == 7_000    # 10,000 − 3,000
    assert m.fee(other=500) == 10_500                     # 10,000 + 500; amount not needed
    assert m.fee2(exempted=True, amount=3_000) == 3_000
    assert m.fee3() == 0
    # and the other way round it is still an error: other is read where exempted is true
    assert codes("規則 bad 「誤り」 =\n    もし exempted ならば other そうでなければ 0円\n", head) == ["F704"]
