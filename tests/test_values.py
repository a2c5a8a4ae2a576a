"""Numbers, dates, booleans and enum values as people type them (feedsl/values.py),
and the same reader at every surface: .fee source, CLI, JSON inputs, compiled
entries, pages. Expected amounts are worked out from the regulation texts."""

import datetime
import json
from fractions import Fraction
from pathlib import Path

import pytest

import feedsl
from feedsl import docs
from feedsl.api import check_file
from feedsl.cli import main
from feedsl.values import (
    ValueReadError,
    format_date,
    label_clashes,
    read_bool,
    read_date,
    read_enum,
    read_number,
    read_quantity,
    wareki,
)

ROOT = Path(__file__).resolve().parents[1]
HOKKAIDO = str(ROOT / "regulations" / "hokkaido_shakyo.fee")
HYOGO = str(ROOT / "regulations" / "hyogo_roufuku.fee")
RINKO = str(ROOT / "regulations" / "rinko_renmei.fee")


# --- read_quantity ------------------------------------------------------------

@pytest.mark.parametrize("text, unit, integral, expected", [
    ("25,000", "人", True, 25_000),
    ("25000人", "人", True, 25_000),
    ("2.5万人", "人", True, 25_000),            # 2.5 × 10,000
    ("1.5万人", "人", True, 15_000),            # 1.5 × 10,000
    ("１２，３４０", "世帯", True, 12_340),      # full-width digits and comma
    ("１２，３４０世帯", "世帯", True, 12_340),
    ("２．５万人", "人", True, 25_000),          # full-width period
    ("1億円", "円", True, 100_000_000),
    ("10億円", "円", True, 1_000_000_000),
    ("3,000万円", "円", True, 30_000_000),       # 3,000 × 10,000
    ("1兆円", "円", True, 10 ** 12),
    ("3千円", "円", True, 3_000),
    ("14円/世帯", "円/世帯", True, 14),
    (" 600 ", "世帯", True, 600),
    ("-3", "人", True, -3),                     # the module reports a negative count
    ("75%", "", False, Fraction(3, 4)),
    ("７５％", "", False, Fraction(3, 4)),
    ("20.99%", "", False, Fraction(2099, 10_000)),
    ("0.75", "", False, Fraction(3, 4)),
    ("1/3", "", False, Fraction(1, 3)),
    ("7か月", "か月", True, 7),                 # a count of months, however spelled
    ("7ヶ月", "か月", True, 7),
    ("7カ月", "か月", True, 7),
    ("7箇月", "か月", True, 7),
    ("700円/ヶ月", "円/か月", True, 700),
    ("12", "無単位", True, 12),
])
def test_read_quantity_forms(text, unit, integral, expected):
    value = read_quantity(text, unit, integral)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("text, unit, integral, kind, fragment", [
    ("25,000円", "人", True, "unit", "単位が違います（人 の入力に 円 が書かれています）"),
    ("12,340人", "世帯", True, "unit", "単位が違います（世帯 の入力に 人 が書かれています）"),
    ("75%", "人", True, "unit", "単位が違います（人 の入力に % が書かれています）"),
    ("7月", "か月", True, "unit", "単位が違います（か月 の入力に 月 が書かれています）"),  # 7月 is July
    ("3人", "", False, "unit", "割合の入力（0.75 か 75%）に 人 が書かれています"),
    ("3人", "", True, "unit", "単位のない入力に 人 が書かれています"),
    ("1.23456万人", "人", True, "whole", "整数ではありません"),
    ("3.5", "人", True, "whole", "整数ではありません"),
    ("12,34", "人", True, "number", "3桁ごと"),
    ("abc", "人", True, "number", "数として読めません"),
    ("12x", "人", True, "number", "数として読めません"),
    ("1e3", "人", True, "number", "数として読めません"),
    ("", "人", True, "number", "数として読めません"),
    ("1/0", "", False, "number", "0 で割る"),
])
def test_read_quantity_rejections(text, unit, integral, kind, fragment):
    with pytest.raises(ValueReadError) as ei:
        read_quantity(text, unit, integral)
    assert ei.value.kind == kind and fragment in ei.value.ja and ei.value.en
    assert isinstance(ei.value, ValueError)


def test_wrong_unit_message_names_both_units_in_english_too():
    with pytest.raises(ValueReadError) as ei:
        read_quantity("25,000円", "人")
    assert ei.value.en == "25,000円: wrong unit (人 expected, 円 given)"


def test_read_number_any_length_exactly():
    """5,000 digits are read exactly (int() alone stops at 4,300)."""
    assert read_number("1" * 5000) == int("1" * 2500) * 10 ** 2500 + int("1" * 2500)
    assert read_number("1.5万") == 15_000


# --- read_date ------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("2024-10-01", (2024, 10, 1)),
    ("2024-10-1", (2024, 10, 1)),
    ("2024/10/01", (2024, 10, 1)),
    ("2024年10月1日", (2024, 10, 1)),
    ("２０２４年１０月１日", (2024, 10, 1)),
    ("令和6年10月1日", (2024, 10, 1)),
    ("令和 6年 10月 1日", (2024, 10, 1)),
    ("R6.10.1", (2024, 10, 1)),
    ("r6.10.1", (2024, 10, 1)),
    ("R6/10/1", (2024, 10, 1)),
    ("H30.4.1", (2018, 4, 1)),
    ("平成30年4月1日", (2018, 4, 1)),
    ("令和元年5月1日", (2019, 5, 1)),        # the first day of 令和
    ("令和1年5月1日", (2019, 5, 1)),
    ("平成31年4月30日", (2019, 4, 30)),      # the last day of 平成
    ("平成元年1月8日", (1989, 1, 8)),        # the first day of 平成
    ("昭和64年1月7日", (1989, 1, 7)),        # the last day of 昭和
    ("S20.8.15", (1945, 8, 15)),
    ("昭和元年12月25日", (1926, 12, 25)),
    ("大正元年7月30日", (1912, 7, 30)),
    ("明治45年7月29日", (1912, 7, 29)),
    ("明治6年1月1日", (1873, 1, 1)),
])
def test_read_date_forms(text, expected):
    assert read_date(text) == datetime.date(*expected)


@pytest.mark.parametrize("text, kind, fragment", [
    ("平成31年5月1日", "era", "平成は平成元年1月8日（1989年）から平成31年4月30日（2019年）までです（2019年5月1日は平成ではありません）"),
    ("令和元年4月30日", "era", "令和は令和元年5月1日（2019年）からです"),
    ("昭和64年1月8日", "era", "昭和ではありません"),
    ("平成元年1月7日", "era", "平成ではありません"),
    ("明治5年12月2日", "era", "明治は明治6年1月1日（1873年）から明治45年7月29日（1912年）までです"),
    ("令和0年5月1日", "date", "令和0年はありません"),
    ("2024-02-30", "date", "2024年2月30日という日はありません"),
    ("R6.2.30", "date", "2024年2月30日という日はありません"),
    ("20241015", "date", "日付として読めません（書き方: 2024-10-01、2024/10/01、2024年10月1日、令和6年10月1日、令和元年5月1日、R6.10.1）"),
    ("2024-W42-1", "date", "日付として読めません"),
    ("10/15/2024", "date", "日付として読めません"),
    ("24/10/15", "date", "日付として読めません"),
    ("2024-10-15T09:00", "date", "日付として読めません"),
    ("きのう", "date", "日付として読めません"),
])
def test_read_date_rejections(text, kind, fragment):
    with pytest.raises(ValueReadError) as ei:
        read_date(text)
    assert ei.value.kind == kind and fragment in ei.value.ja


def test_dates_shown_in_wareki_with_seireki():
    assert format_date(datetime.date(2024, 10, 1)) == "令和6年10月1日（2024年）"
    assert format_date(datetime.date(2019, 5, 1)) == "令和元年5月1日（2019年）"
    assert format_date(datetime.date(2019, 4, 30)) == "平成31年4月30日（2019年）"
    assert wareki(datetime.date(1989, 1, 7)) == "昭和64年1月7日"
    assert format_date(datetime.date(1872, 1, 1)) == "1872年1月1日"   # before 明治6年: 西暦 only


# --- read_bool / read_enum -------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("はい", True), ("いいえ", False), ("true", True), ("FALSE", False), ("yes", True),
    ("no", False), ("1", True), ("0", False), ("ｔｒｕｅ", True)])
def test_read_bool(text, expected):
    assert read_bool(text) is expected


def test_read_bool_rejects_others():
    with pytest.raises(ValueReadError, match="はい/いいえ"):
        read_bool("たぶん")


KINDS = (("city", "市"), ("town_village", "町村"), ("day_service", "通所介護事業所"))


@pytest.mark.parametrize("text, expected", [
    ("city", "city"), ("市", "city"), ("町村", "town_village"), (" 町 村 ", "town_village"),
    ("通所介護事業所", "day_service"), ("CITY", "city")])
def test_read_enum_by_identifier_or_label(text, expected):
    assert read_enum(text, KINDS) == expected


def test_read_enum_rejection_lists_values_with_labels():
    with pytest.raises(ValueReadError) as ei:
        read_enum("区", KINDS)
    assert "使える値: city（市）、town_village（町村）、day_service（通所介護事業所）" in ei.value.ja


def test_label_clashes():
    assert label_clashes(KINDS) == []
    assert label_clashes((("a", "甲"), ("b", "甲"))) == [("a", "b", "甲")]
    assert label_clashes((("a", "甲"), ("b", "a"))) == [("a", "b", "a")]
    assert label_clashes((("a", "a"),)) == []   # its own identifier is no clash


# --- .fee source -----------------------------------------------------------------

CAPITAL = """\
規程 capital_bands 「資本金による会費」
    施行 令和6年4月1日
入力 capital: 円 「資本金」
表 fee 「年会費」 [第3条] capital による
    1,000万円以下       10,000円
    1億円以下           30,000円
    10億円以下         100,000円
    それ以上           300,000円
# 境界: 1,000万円 = 10,000,000円 は1行目、1円多ければ2行目
例 fee(capital=1,000万円) = 10,000円
例 fee(capital=10,000,001円) = 30,000円
# 1億円 = 100,000,000円 は2行目、100,000,001円 は3行目
例 fee(capital=1億円) = 30,000円
例 fee(capital=100,000,001円) = 100,000円
# 1.5億円 = 150,000,000円 は3行目
例 fee(capital=1.5億円) = 100,000円
# 10億円 = 1,000,000,000円 は3行目、1,000,000,001円 は4行目
例 fee(capital=10億円) = 100,000円
例 fee(capital=１，０００，０００，００１円) = 300,000円
例 fee(capital=1兆円) = 300,000円
"""


def _write(tmp_path, text, name="t.fee"):
    p = tmp_path / name
    p.write_text(text, "utf-8")
    return str(p)


def test_oku_band_table_compiles_and_computes(tmp_path, capsys):
    """A capital table in 億: check-clean (no F201/F410/F503 cascade), every 例 at
    the boundaries passes, and the compiled entry agrees."""
    path = _write(tmp_path, CAPITAL)
    assert check_file(path) == []
    assert main(["test", path]) == 0
    assert "8 passed, 0 failed" in capsys.readouterr().out
    mod = feedsl.load(path)
    assert mod.fee(capital=100_000_000) == 30_000
    assert mod.fee(capital=100_000_001) == 100_000
    assert main(["eval", path, "fee", "capital=10億円"]) == 0
    assert "100,000円" in capsys.readouterr().out
    assert main(["eval", path, "fee", "capital=1.00000001億円"]) == 0   # 100,000,001円
    assert "100,000円" in capsys.readouterr().out


def test_fullwidth_numbers_in_source(tmp_path):
    """１２，３４０世帯 × 14円/世帯 = 172,760円; ２．５万人 is 25,000人."""
    path = _write(tmp_path, """\
規程 fw 「全角」
入力 households: 世帯 「世帯数」
入力 population: 人 「人口」
規則 share 「世帯割」 [1] = households × １４円/世帯
規則 big 「大きい」 [2] = もし population が ２．５万人以上 ならば 1円 そうでなければ 0円
例 share(households=１２，３４０世帯) = 172,760円
例 big(population=25,000人) = 1円
例 big(population=24,999人) = 0円
""")
    assert check_file(path) == []


def test_wareki_dates_in_source(tmp_path):
    """Dates in 施行, expressions and 例 in 和暦: 令和6年10月1日 is 2024-10-01."""
    path = _write(tmp_path, """\
規程 wa 「和暦」
    施行 平成30年4月1日
入力 d: 日付 「届出日」
規則 late 「遅れ」 [1] = もし d ≥ R6.10.1 ならば 1円 そうでなければ 0円
例 late(d=令和6年10月1日) = 1円
例 late(d=2024/09/30) = 0円
例 late(d=2024年10月2日) = 1円
例 late(d=令和元年5月1日) = 0円
例 late(d=H31.4.30) = 0円
""")
    assert check_file(path) == []
    pages = docs.build_pages([path])
    assert "平成30年4月1日（2018年）" in pages["wa.md"]
    assert "令和6年10月1日（2024年）" in pages["wa.md"]      # the constant in the rule's words
    assert "平成31年4月30日（2019年）" in pages["wa.md"]     # an example input


@pytest.mark.parametrize("date", ["平成31年5月1日", "2024-02-30", "令和元年4月30日"])
def test_nonexistent_wareki_date_in_source_is_F203(tmp_path, date):
    path = _write(tmp_path, f"""\
規程 wa 「和暦」
入力 d: 日付 「届出日」
規則 late 「遅れ」 [1] = もし d ≥ {date} ならば 1円 そうでなければ 0円
例 late(d=2024-10-01) = 1円
""")
    codes = [(d.code, d.span.line) for d in check_file(path)]
    assert codes == [("F203", 3)]


def test_bad_effective_date_is_F203_not_a_crash(tmp_path):
    path = _write(tmp_path, "規程 wa 「和暦」\n    施行 平成31年5月1日\n規則 f 「f」 [1] = 1円\n例 f() = 1円\n")
    assert [d.code for d in check_file(path)] == ["F203"]


def test_enum_labels_in_examples_and_defaults(tmp_path):
    path = _write(tmp_path, """\
規程 lab 「ラベル」
区分 k 「区分」
    city 「市」
    town 「町村」
入力 kind: k = 「町村」 「区分」
規則 f 「会費」 [1] =
    場合 kind
        city → 50,000円
        town → 35,000円
例 f(kind=「市」) = 50,000円
例 f() = 35,000円
""")
    assert check_file(path) == []
    bad = _write(tmp_path, Path(path).read_text("utf-8").replace("kind=「市」", "kind=「区」"), "bad.fee")
    diags = check_file(bad)
    assert [d.code for d in diags] == ["F204"] and "「市」、「町村」" in diags[0].message


def test_F503_shows_amounts_in_their_own_unit(tmp_path):
    """A rate table shows 75%, not 0.75円; a 口 table shows 口, not 円."""
    path = _write(tmp_path, """\
規程 mono 「単位」
入力 n: 人 「人数」
表 r 「割合」 [1] n による
    50人以下   80%
    それ以上   75%
表 u 「口数」 [2] n による
    50人以下   3口
    それ以上   2口
例 r(n=1人) = 80%
例 u(n=1人) = 3口
""")
    msgs = [d.message for d in check_file(path) if d.code == "F503"]
    assert len(msgs) == 2
    assert "の 75% は前の行『50人以下』の 80% より" in msgs[0]
    assert "の 2口 は前の行『50人以下』の 3口 より" in msgs[1]
    assert "円" not in msgs[0] + msgs[1].replace("会費", "")


# --- the command line ---------------------------------------------------------------

def test_cli_eval_with_labels_oku_and_fullwidth(capsys):
    """会費算定基準 2: 基準世帯数 12,340 − 600 − 40 = 11,700; 世帯割 11,700 × 14 = 163,800
    → 四捨五入 164,000円; 均等割（市、2.5万人 → 3万人以下）80,000円; 合計 244,000円."""
    assert main(["eval", HOKKAIDO, "municipal_fee", "kind=市", "population=2.5万人",
                 "households=１２，３４０世帯", "welfare_households=600", "sdf_households=４０世帯"]) == 0
    assert "244,000円" in capsys.readouterr().out


@pytest.mark.parametrize("arg, fragment", [
    ("population=25,000円", "population=25,000円: 単位が違います（人 の入力に 円 が書かれています）"),
    ("population=75%", "単位が違います（人 の入力に % が書かれています）"),
    ("households=12,340人", "households=12,340人: 単位が違います（世帯 の入力に 人 が書かれています）"),
    ("population=1.23456万人", "整数ではありません"),
])
def test_cli_wrong_unit_and_fraction_are_input_errors(capsys, arg, fragment):
    args = {"kind": "kind=city", "population": "population=25000", "households": "households=12340"}
    args[arg.split("=")[0]] = arg
    assert main(["eval", HOKKAIDO, "municipal_fee", *args.values()]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "数として読めません" not in err


def test_cli_enum_label_and_unknown_label(capsys):
    """通所介護事業所 9,300円 (会費算定基準 3)."""
    assert main(["eval", HOKKAIDO, "facility_fee", "category=通所介護事業所", "capacity=30"]) == 0
    assert "9,300円" in capsys.readouterr().out
    assert main(["eval", HOKKAIDO, "facility_fee", "category=保育所", "capacity=30"]) == 2
    assert "使える値" in capsys.readouterr().err


@pytest.mark.parametrize("approved_on", ["令和6年10月15日", "R6.10.15", "2024/10/15", "2024年10月15日"])
def test_cli_wareki_dates(capsys, approved_on):
    """第11条: 10月承認 → 11月～3月の5か月; 60,000×5÷12 = 25,000円; 50,000 + 25,000 = 75,000円."""
    assert main(["eval", "--json", HYOGO, "midyear_join_fee", "annual=6万円",
                 f"approved_on={approved_on}"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["amount"] == 75_000 and out["inputs"]["approved_on"] == "2024-10-15"
    assert out["inputs"]["annual"] == 60_000


@pytest.mark.parametrize("bad", ["20241015", "2024-W42-1", "平成31年5月1日"])
def test_cli_rejects_ambiguous_or_nonexistent_dates(capsys, bad):
    assert main(["eval", HYOGO, "midyear_join_fee", "annual=60000", f"approved_on={bad}"]) == 2
    err = capsys.readouterr().err
    assert "approved_on" in err and ("書き方" in err or "平成は" in err)


def test_cli_json_inputs_with_labels_wareki_and_units(tmp_path, capsys):
    """表4・表6: 正会員 特養100人 併設 + 特養50人 併設 + 軽費30人 + 居宅:
    事業所定額 min(20,000×3, 50,000) + 10,000×2 = 70,000円; 定員割 150,000 + 75,000
    + 15,000 + 0 = 240,000円; 合計 310,000円."""
    inputs = {
        "regular": {"kind": "特別養護老人ホーム", "capacity": "100人", "attached_home_service": "はい"},
        "supporters": [{"kind": "特別養護老人ホーム", "capacity": "５０人", "attached_home_service": True},
                       {"kind": "low_cost_home", "capacity": 30}, {"kind": "居宅サービス事業所"}]}
    f = tmp_path / "in.json"
    f.write_text(json.dumps(inputs, ensure_ascii=False), "utf-8")
    assert main(["eval", HYOGO, "special_supporter_fee", "--inputs", str(f)]) == 0
    assert "310,000円" in capsys.readouterr().out
    inputs["supporters"][0]["capacity"] = "50円"
    f.write_text(json.dumps(inputs, ensure_ascii=False), "utf-8")
    assert main(["eval", HYOGO, "special_supporter_fee", "--inputs", str(f)]) == 2
    assert "supporters[0].capacity=50円: 単位が違います（人 の入力に 円 が書かれています）" in capsys.readouterr().err
    g = tmp_path / "in2.json"
    g.write_text('{"annual": "６万円", "approved_on": "令和6年10月15日"}', "utf-8")
    assert main(["eval", HYOGO, "midyear_join_fee", "--inputs", str(g)]) == 0
    assert "75,000円" in capsys.readouterr().out


@pytest.mark.parametrize("typed", ["25%", "２５％", "0.25", "1/4"])
def test_cli_rate_input_in_percent(tmp_path, capsys, typed):
    """A 割合 input typed as 25%: (1 − 1/4) × 4,000円 = 3,000円."""
    path = _write(tmp_path, RATE)
    assert main(["eval", path, "share", f"discount={typed}"]) == 0
    assert "3,000円" in capsys.readouterr().out


def test_cli_rate_input_with_a_unit_is_wrong_unit(tmp_path, capsys):
    path = _write(tmp_path, RATE)
    assert main(["eval", path, "share", "discount=25人"]) == 2
    assert "単位が違います（割合の入力（0.75 か 75%）に 人 が書かれています）" in capsys.readouterr().err


RATE = """\
規程 rate 「割合」
入力 discount: 割合 「割引率」
規則 share 「割引後の会費」 [1] = 切り捨て((1 - discount) × 4,000円, 1円)
# (1 − 25%) × 4,000円 = 3,000円
例 share(discount=25%) = 3,000円
"""


# --- compiled entries -------------------------------------------------------------------

def test_compiled_entries_take_labels_and_wareki():
    """Hokkaido: 町村 → 均等割 35,000円; 世帯割 (3,456 − 123) × 14 = 46,662 → 47,000円;
    82,000円. Hyogo 第12条: 令和6年9月30日 is 上半期 → 45,000 ÷ 2 = 22,500円."""
    hokkaido = feedsl.load(HOKKAIDO)
    assert hokkaido.municipal_fee(kind="町村", population=8_000, households=3_456,
                                  welfare_households=123) == 82_000
    assert hokkaido.explain("municipal_fee", kind="町村", population=8_000, households=3_456,
                            welfare_households=123).amount == 82_000
    hyogo = feedsl.load(HYOGO)
    assert hyogo.withdrawal_fee(annual=45_000, notified_on="令和6年9月30日") == 22_500
    assert hyogo.withdrawal_fee(annual=45_000, notified_on="R6.10.1") == 45_000
    with pytest.raises(feedsl.FeeInputError) as ei:
        hyogo.withdrawal_fee(annual=45_000, notified_on="平成31年5月1日")
    assert ei.value.input == "notified_on" and "平成は" in str(ei.value)
    with pytest.raises(feedsl.FeeInputError) as ei:
        hokkaido.municipal_fee(kind="区", population=8_000, households=3_456)
    assert ei.value.input == "kind"


def test_compiled_counts_stay_strict():
    """Python callers pass ints: a string count is still an input error (a bug in the caller)."""
    hokkaido = feedsl.load(HOKKAIDO)
    with pytest.raises(feedsl.FeeInputError, match="population"):
        hokkaido.municipal_fee(kind="city", population="25,000", households=12_340)


def test_shipped_regulations_pass_with_wareki_and_labels(capsys):
    assert main(["test", HOKKAIDO, HYOGO, RINKO]) == 0
    assert "0 failed" in capsys.readouterr().out


@pytest.mark.parametrize("text, expected", [
    ("1億5,000万円", 150_000_000),      # 1 × 10^8 + 5,000 × 10^4
    ("1億5千万円", 150_000_000),        # 5千万 = 5 × 10^7
    ("1千万円", 10_000_000),            # 千万 is one place: 10^7
    ("3億2,000万5,000円", 320_005_000),  # 3 × 10^8 + 2,000 × 10^4 + 5,000
    ("１億５，０００万円", 150_000_000),  # full-width
])
def test_compound_numerals_as_regulations_write_large_amounts(text, expected):
    assert read_quantity(text, "円") == expected


@pytest.mark.parametrize("text, fragment", [
    ("5万1億円", "大きい位から順に"),
    ("1万5万円", "大きい位から順に"),
    ("1万千円", "「万千」とは書けません"),
])
def test_compound_numerals_written_wrong(text, fragment):
    with pytest.raises(ValueReadError) as ei:
        read_quantity(text, "円")
    assert fragment in ei.value.ja


def test_compound_numerals_in_a_band_table(tmp_path):
    """Bands in 1千万円 and 1億5,000万円, as a 商工会 prints them; examples at each boundary."""
    p = tmp_path / "cn.fee"
    p.write_text("""規程 cn 「cn」
入力 capital: 円 「資本金」
表 capital_fee 「資本金割」 capital による
    1千万円以下                   12,000円
    1千万円超～1億5,000万円以下   18,000円
    1億5千万円超～10億円以下      24,000円
    それ以上                      60,000円
例 capital_fee(capital=1千万円) = 12,000円
例 capital_fee(capital=10,000,001円) = 18,000円
例 capital_fee(capital=1億5,000万円) = 18,000円
例 capital_fee(capital=1億5,000万1円) = 24,000円
例 capital_fee(capital=10億1円) = 60,000円
""", "utf-8")
    assert check_file(p) == []
    m = feedsl.load(p)
    assert [r.ok for r in __import__("feedsl.examples", fromlist=["x"]).run_examples(m)] == [True] * 5
    assert m.capital_fee(capital=150_000_001) == 24_000
    assert main(["eval", str(p), "capital_fee", "capital=１億５千万円"]) == 0
