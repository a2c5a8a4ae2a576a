"""Versions (版) and as_of: the Hokkaido file knows 負担金算定基準 from
平成13年4月1日 (2001-04-01) and 会費算定基準 from its 適用日 平成30年4月1日
(2018-04-01; 施行 平成30年9月21日)."""

import datetime
from pathlib import Path

import pytest

from feedsl.api import check_source, load
from feedsl.cli import main
from feedsl.runtime import FeeInputError
from feedsl.source import SourceFile

HOKKAIDO = Path(__file__).parent.parent / "regulations" / "hokkaido_shakyo.fee"
# 負担金, city, 49,999 households: 世帯割 min(49,999, 10,000)×10円 = 100,000円;
# 均等割 50,000円 (fewer than 5万世帯) → 150,000円.
LEVY = dict(kind="city", households=49999)


@pytest.mark.parametrize("day", ["2000-04-01", "2001-03-31", datetime.date(2001, 3, 31)])
def test_before_every_version_is_an_input_error_naming_the_first(day):
    with pytest.raises(FeeInputError) as e:
        load(HOKKAIDO, as_of=day)
    assert "平成13年4月1日" in str(e.value) and "levy2001" in str(e.value)


@pytest.mark.parametrize("day", ["2001-04-01", "平成30年3月31日", "2018-04-01", "2024-04-01", None])
def test_levy_computes_from_2001(day):
    assert load(HOKKAIDO, as_of=day).municipal_levy(**LEVY) == 150_000


def test_fee_is_unknown_the_day_before_its_application_date():
    mod = load(HOKKAIDO, as_of="2018-03-31")
    assert mod.VERSION["name"] == "levy2001"
    with pytest.raises(FeeInputError) as e:
        mod.municipal_fee(kind="city", population=20000, households=250)
    assert "平成30年4月1日" in str(e.value)
    with pytest.raises(FeeInputError):
        mod.explain("municipal_fee", kind="city", population=20000, households=250)


def test_fee_applies_from_its_application_date_not_its_enactment():
    # 適用 2018-04-01 though 施行 2018-09-21. city, 20,000人, 250世帯:
    # 世帯割 四捨五入(250×14円, 1,000円) = 四捨五入(3,500) = 4,000円; 均等割 2万人以下 50,000円 → 54,000円
    mod = load(HOKKAIDO, as_of="2018-04-01")
    assert mod.VERSION["name"] == "fee2018"
    assert mod.VERSION["施行"] == "2018-09-21" and mod.VERSION["適用"] == "2018-04-01"
    assert mod.municipal_fee(kind="city", population=20000, households=250) == 54_000
    e = mod.explain("municipal_fee", kind="city", population=20000, households=250)
    assert e.version["name"] == "fee2018" and "fee2018" in str(e).splitlines()[-1]


def test_no_as_of_is_the_latest_version():
    assert load(HOKKAIDO).VERSION["name"] == "fee2018"


def test_a_file_without_versions_has_no_version_and_ignores_as_of(tmp_path):
    p = tmp_path / "plain.fee"
    p.write_text("規程 plain 「版のない規程」\n\n規則 fee 「会費」 = 1,000円\n", "utf-8")
    assert load(p).VERSION is None
    assert load(p, as_of="1990-01-01").fee() == 1000


SRC = """規程 v 「版の例」
    施行 令和2年4月1日
    版 r2 「制定」 施行 令和2年4月1日
    版 r3 「令和3年改正」 施行 令和3年4月1日

入力 n: 人 「人数」

版 r2

規則 fee 「会費」 = n × 1,000円/人
例@r2 fee(n=3人) = 3,000円

版 r3

規則 fee 「会費」 = n × 1,500円/人
例 fee(n=3人) = 4,500円
"""


def test_latest_definition_in_force_is_used(tmp_path):
    p = tmp_path / "v.fee"
    p.write_text(SRC, "utf-8")
    # r2: 3人×1,000円 = 3,000円 up to 2021-03-31; r3: 3人×1,500円 = 4,500円 from 2021-04-01
    assert load(p, as_of="2021-03-31").fee(n=3) == 3000
    assert load(p, as_of="2021-04-01").fee(n=3) == 4500
    assert load(p).fee(n=3) == 4500


def test_a_wrong_example_pinned_to_an_old_version_is_reported(tmp_path):
    from feedsl.api import check_file

    p = tmp_path / "v.fee"
    p.write_text(SRC.replace("例@r2 fee(n=3人) = 3,000円", "例@r2 fee(n=3人) = 4,500円"), "utf-8")
    assert [d.code for d in check_file(p)] == ["F601"]


def test_feedsl_test_runs_the_examples_of_every_version(tmp_path, capsys):
    p = tmp_path / "v.fee"
    p.write_text(SRC, "utf-8")
    assert main(["test", str(p)]) == 0
    assert "2 passed, 0 failed" in capsys.readouterr().out
    p.write_text(SRC.replace("例@r2 fee(n=3人) = 3,000円", "例@r2 fee(n=3人) = 4,500円"), "utf-8")
    assert main(["test", str(p)]) == 1


def test_inputs_changing_between_versions_is_a_warning():
    src = SRC.replace("入力 n: 人 「人数」", "入力 n: 人 「人数」\n入力 m: 人 「役員数」").replace(
        "規則 fee 「会費」 = n × 1,500円/人", "規則 fee 「会費」 = m × 1,500円/人").replace("fee(n=3人) = 4,500円", "fee(m=3人) = 4,500円")
    _, diags = check_source(SourceFile("v.fee", src))
    f237 = [d for d in diags if d.code == "F237"]
    assert len(f237) == 1 and "追加 m" in f237[0].message and "削除 n" in f237[0].message


def test_cli_eval_as_of(capsys):
    args = ["eval", str(HOKKAIDO), "municipal_levy", "kind=city", "households=49999"]
    assert main(args + ["--as-of", "2000-04-01"]) == 2
    assert "平成13年4月1日" in capsys.readouterr().err
    assert main(args + ["--as-of", "2024-04-01"]) == 0
    assert "150,000円" in capsys.readouterr().out
    fee = ["eval", str(HOKKAIDO), "municipal_fee", "kind=city", "population=20000", "households=250"]
    assert main(fee + ["--as-of", "2018-03-31"]) == 2
    assert main(fee + ["--as-of", "2018-04-01"]) == 0
    assert "54,000円" in capsys.readouterr().out


def test_cli_batch_as_of(tmp_path, capsys):
    roster = tmp_path / "r.csv"
    roster.write_text("kind,households\ncity,49999\n", "utf-8")
    out = tmp_path / "o.csv"
    args = ["batch", str(HOKKAIDO), "municipal_levy", str(roster), "-o", str(out), "--quiet"]
    assert main(args + ["--as-of", "2000-04-01"]) == 2
    assert main(args + ["--as-of", "2024-04-01"]) == 0
    assert "fee2018" in capsys.readouterr().out
    import csv

    rows = list(csv.reader(out.read_text("utf-8-sig").splitlines()))
    # 負担金 for city, 49,999世帯 = 150,000円 (see LEVY); the version that computed it recorded
    assert rows[0][-2:] == ["負担金", "版"]
    assert rows[1][-2] == "150000" and rows[1][-1].startswith("fee2018 ")
    assert main(args[:4] + ["-o", str(tmp_path / "o.xlsx"), "--quiet", "--as-of", "平成13年4月1日"]) == 0
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(tmp_path / "o.xlsx"))
    summary = {r[0]: r[1:] for r in book.get_sheet_by_name("集計").to_python() if r and r[0]}
    assert summary["版"][0].startswith("levy2001 負担金算定基準")


@pytest.mark.parametrize("name, before, first, entry, amount", [
    # Hyogo: 附則 2 この規程は、令和3年4月1日から施行する (the text we have); 入会金 表1 50,000円
    ("hyogo_roufuku.fee", "令和3年3月31日", "2021-04-01", "entrance_fee", 50_000),
    # Federation: the plan chosen at the end of 2023 sets the 2024年度 fees (年度 1月始まり); 正会員 3,000円
    ("rinko_renmei.fee", "2023-12-31", "2024-01-01", "regular_fee", 3_000),
])
def test_each_seed_is_known_from_its_date(name, before, first, entry, amount):
    path = HOKKAIDO.parent / name
    with pytest.raises(FeeInputError):
        load(path, as_of=before)
    assert getattr(load(path, as_of=first), entry)() == amount


def test_a_bad_as_of_is_an_input_error():
    with pytest.raises(FeeInputError) as e:
        load(HOKKAIDO, as_of="2024-02-30")
    assert e.value.input == "as_of"


TRANSITIVE = """規程 t 「共通の規則が新しい版の規則を使う」
    版 r2 「制定」 施行 令和2年4月1日
    版 r3 「令和3年改正」 施行 令和3年4月1日

入力 n: 人 「人数」

規則 total 「合計」 = base + extra
例 total(n=1人) = 1,500円

版 r2
規則 base 「基本」 = n × 1,000円/人

版 r3
規則 extra 「加算」 = 500円
"""


def test_a_shared_rule_using_a_rule_not_yet_in_force_is_unavailable(tmp_path):
    p = tmp_path / "t.fee"
    p.write_text(TRANSITIVE, "utf-8")
    from feedsl.api import check_file

    assert check_file(p) == []
    old = load(p, as_of="2021-03-31")
    assert old.base(n=1) == 1000  # 1人 × 1,000円
    with pytest.raises(FeeInputError) as e:
        old.total(n=1)
    assert "令和3年4月1日" in str(e.value)
    assert load(p, as_of="2021-04-01").total(n=1) == 1500  # 1,000円 + 500円


def test_each_version_is_its_own_cached_module(tmp_path, monkeypatch):
    from feedsl import loader

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for _ in range(2):  # compiled, then read back from the disk cache after unloading
        loader.unload_all()
        old, new = load(HOKKAIDO, as_of="2018-03-31"), load(HOKKAIDO, as_of="2018-04-01")
        assert old is not new
        assert (old.VERSION["name"], new.VERSION["name"]) == ("levy2001", "fee2018")
        with pytest.raises(FeeInputError):
            old.municipal_fee(kind="city", population=20000, households=250)
        assert new.municipal_fee(kind="city", population=20000, households=250) == 54_000
    assert load(HOKKAIDO, as_of="2018-03-31") is old
    assert len(list((tmp_path / "cache" / "feedsl").glob("*.py"))) == 2  # one entry per version


def test_cli_eval_json_names_the_version(capsys):
    import json

    assert main(["eval", str(HOKKAIDO), "municipal_levy", "kind=city", "households=49999",
                 "--as-of", "H30.3.31", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["amount"] == 150_000 and got["version"]["name"] == "levy2001"


# --- 版 on the AST: dependencies are references, not words -----------------------

WORDS = """規程 w 「名前が語として出てくる規程」
    版 r2 「制定」 施行 令和2年4月1日
    版 r3 「令和3年改正」 施行 令和3年4月1日

記録 office 「事務所」
    extra: 人 「職員数」

入力 n: 人 「人数」
入力 site: office 「事務所」

# extra は r3 の規則だが、total は名前として使わない（条項の文字、記録の項目、注だけ）
規則 total 「合計」 [附則 extra] = n × 1,000円/人 + site.extra × 100円/人
    注 「extra の加算は令和3年から」
例 total(n=1人, site={extra=2人}) = 1,200円

版 r2
規則 base 「基本」 = 1,000円
例 base() = 1,000円

版 r3
規則 base 「基本」 = 1,000円
規則 extra 「加算」 = 500円
例 extra() = 500円
"""


def test_a_rule_that_only_mentions_a_later_name_in_words_stays_available(tmp_path):
    p = tmp_path / "w.fee"
    p.write_text(WORDS, "utf-8")
    from feedsl.api import check_file

    assert check_file(p) == []
    old = load(p, as_of="2020-04-01")
    # 1人 × 1,000円 + 2人 × 100円 = 1,200円, in r2 too: the clause, the field and the note name no rule
    assert old.total(n=1, site={"extra": 2}) == 1200
    with pytest.raises(FeeInputError):
        old.extra()
    assert load(p).extra() == 500


def test_a_syntax_error_in_a_version_section_is_reported_at_its_place(tmp_path):
    from feedsl.api import check_file

    p = tmp_path / "v.fee"
    p.write_text(SRC.replace("n × 1,500円/人", "n × × 1,500円/人"), "utf-8")
    (d,) = check_file(p)
    assert (d.code, d.span.line, d.span.col) == ("F001", 15, 19)  # the second ×, in 版 r3's section


def test_modules_of_selections_are_separate_and_never_changed_afterwards(tmp_path):
    p = tmp_path / "v.fee"
    p.write_text(SRC, "utf-8")
    old, new = load(p, as_of="2021-03-31"), load(p, as_of="2021-04-01")
    assert old is not new and load(p) is new  # no date: the latest version, the same module
    before = dict(vars(new))
    load(p, as_of="2020-04-01"), load(p, as_of="2030-01-01")
    assert vars(new) == before and vars(new)["VERSION"]["name"] == "r3" and old.VERSION["name"] == "r2"


def test_warm_load_with_as_of_does_not_import_the_compiler(tmp_path, monkeypatch):
    import os
    import subprocess
    import sys
    import textwrap

    from feedsl import loader

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    loader.unload_all()
    load(HOKKAIDO, as_of="2018-03-31")  # fills the cache: the timeline and levy2001's module
    code = textwrap.dedent(f"""
        import sys, feedsl
        m = feedsl.load({str(HOKKAIDO)!r}, as_of="2018-03-31")
        print(m.VERSION["name"], m.municipal_levy(kind="city", households=49999))
        print(sorted(n for n in sys.modules if n.split(".")[0] in ("lark", "attrs", "attr", "jinja2")
                     or n in ("feedsl.parse", "feedsl.check", "feedsl.api", "feedsl.build")))
    """)
    warm = subprocess.run([sys.executable, "-c", code], env=dict(os.environ), capture_output=True, text=True)
    assert warm.returncode == 0, warm.stderr
    assert warm.stdout.split("\n")[:2] == ["levy2001 150000", "[]"]  # 150,000円 (see LEVY)


# --- 経過措置 ---------------------------------------------------------------------
# tests/fixtures/transitional.fee: r2 fee = n × 1,000円/人 from 2020-04-01; r3 fee = n × 1,500円/人
# from 2021-04-01, with 激変緩和 n × 1,200円/人 from 2021-04-01 to 2022-03-31; total = fee + 500円.

TRANSITIONAL = Path(__file__).parent / "fixtures" / "transitional.fee"


@pytest.mark.parametrize("day, amount", [
    ("2021-03-31", 3 * 1000 + 500),   # r2: 3,500円
    ("2021-04-01", 3 * 1200 + 500),   # first day of the period: 4,100円
    ("2022-03-31", 3 * 1200 + 500),   # last day of the period (included): 4,100円
    ("2022-04-01", 3 * 1500 + 500),   # after the period: r3's own 5,000円, never 4,100円 carried over
    (None, 3 * 1500 + 500),           # no date: the latest version's own text
])
def test_transitional_rule_applies_only_in_its_period(day, amount):
    assert load(TRANSITIONAL, as_of=day).total(n=3) == amount


def test_version_and_explain_name_the_transitional_provision():
    mod = load(TRANSITIONAL, as_of="2021-06-01")
    (t,) = mod.VERSION["transitional"]
    assert t == {"label": "激変緩和（附則第2項）", "from": "2021-04-01", "to": "2022-03-31", "rules": ["fee"]}
    e = mod.explain("total", n=3)
    assert e.amount == 4100
    assert str(e).splitlines()[-1] == ("（版: r3 「令和3年改正」、2021-04-01から、"
                                       "経過措置: 「激変緩和（附則第2項）」（2021-04-01～2022-03-31））")
    assert load(TRANSITIONAL, as_of="2022-04-01").VERSION["transitional"] == []
    assert "経過措置" not in str(load(TRANSITIONAL, as_of="2022-04-01").explain("total", n=3))


def test_batch_records_the_transitional_provision(tmp_path, capsys):
    import csv

    roster = tmp_path / "r.csv"
    roster.write_text("n\n3\n", "utf-8")
    out = tmp_path / "o.csv"
    assert main(["batch", str(TRANSITIONAL), "total", str(roster), "-o", str(out), "--quiet",
                 "--as-of", "令和3年10月1日"]) == 0
    assert "経過措置「激変緩和（附則第2項）」2021-04-01～2022-03-31" in capsys.readouterr().out
    rows = list(csv.reader(out.read_text("utf-8-sig").splitlines()))
    assert rows[1][-2] == "4100" and "激変緩和" in rows[1][-1]  # 3人 × 1,200円 + 500円


def test_cli_eval_and_test_with_transitional_provisions(capsys):
    args = ["eval", str(TRANSITIONAL), "total", "n=3"]
    assert main(args + ["--as-of", "2021-04-01"]) == 0 and "4,100円" in capsys.readouterr().out
    assert main(args + ["--as-of", "2020-03-31"]) == 2  # before r2
    assert main(["test", str(TRANSITIONAL)]) == 0
    # the 例 of r2, of the 経過措置 (on 2021-04-01), of r3 and the common one (latest)
    assert "4 passed, 0 failed" in capsys.readouterr().out


def test_a_wrong_transitional_example_is_reported_on_its_period(tmp_path):
    from feedsl.api import check_file

    p = tmp_path / "t.fee"
    p.write_text(TRANSITIONAL.read_text("utf-8").replace("= 3,600円", "= 4,500円"), "utf-8")
    (d,) = check_file(p)
    assert d.code == "F601" and "計算 3,600円" in d.message  # 3人 × 1,200円/人 in the period


@pytest.mark.parametrize("code", ["F238", "F239", "F240", "F241", "F242"])
def test_transitional_mistakes_exit_1(code, capsys):
    (path,) = (Path(__file__).parent / "fixtures" / "bad").glob(f"{code}_*.fee")
    assert main(["check", str(path)]) == 1
    said = capsys.readouterr()
    assert f"エラー {code}:" in said.out + said.err


REVERSED = """規程 d 「新しい版の節が先にある規程」
    版 r2 「制定」 施行 令和2年4月1日
    版 r3 「改正」 施行 令和3年4月1日

入力 n: 人 「人数」

版 r3
規則 fee 「会費」 = n × 2,000円/人
例 fee(n=1人) = 2,000円

版 r2
規則 fee 「会費」 = n × 1,000円/人
例 fee(n=1人) = 1,000円
"""


def test_sections_in_any_order_select_by_the_versions_dates(tmp_path):
    from feedsl.api import check_file

    p = tmp_path / "d.fee"
    p.write_text(REVERSED, "utf-8")
    assert check_file(p) == []
    # 1人 × 1,000円 under r2, 1人 × 2,000円 under r3, whatever the sections' order in the file
    assert load(p, as_of="2021-03-31").fee(n=1) == 1000 and load(p, as_of="2021-04-01").fee(n=1) == 2000


def test_a_rule_defined_twice_in_one_version_is_still_a_duplicate(tmp_path):
    from feedsl.api import check_file

    p = tmp_path / "d.fee"
    p.write_text(REVERSED.replace("規則 fee 「会費」 = n × 2,000円/人", "規則 fee 「会費」 = n × 2,000円/人\n規則 fee 「会費」 = n × 3,000円/人"), "utf-8")
    assert [(d.code, d.span.line) for d in check_file(p) if d.is_error] == [("F103", 9)]


def test_a_warning_in_a_transitional_rule_is_reported(tmp_path):
    from feedsl.api import check_file

    p = tmp_path / "t.fee"
    p.write_text(TRANSITIONAL.read_text("utf-8").replace(
        "規則 fee 「年会費（激変緩和）」 [附則第2項] = n × 1,200円/人\n例 fee(n=3人) = 3,600円",
        "表 fee 「年会費（激変緩和）」 [附則第2項] n による\n    2人以下  4,000円\n    それ以上  3,600円\n例 fee(n=3人) = 3,600円"),
        "utf-8")
    assert "4,000円" in p.read_text("utf-8")
    # the table exists only in the 経過措置's text; its amount falls from 4,000円 to 3,600円: F503
    assert [(d.code, d.span.line) for d in check_file(p)] == [("F503", 24)]
