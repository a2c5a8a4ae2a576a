"""feedsl compare: 新旧対照表, change regions and roster impact, against
numbers worked out by hand from the regulation text (arithmetic in comments)."""
from pathlib import Path

import pytest

from feedsl import compare
from feedsl.api import load
from feedsl.cli import main
from feedsl.roster import read_table

ROOT = Path(__file__).resolve().parents[1]
OLD = str(ROOT / "regulations" / "hokkaido_shakyo.fee")
NEW = str(ROOT / "examples" / "drafts" / "hokkaido_draft.fee")
ROSTER = str(ROOT / "examples" / "rosters" / "hokkaido_municipal.csv")

SMALL = """規程 small 「小さな規程」
    施行 2024-04-01
    年度 4月始まり

入力 people: 人 「人数」

表 band_fee 「人数割」 [第1条] people による
{rows}

規則 fee 「年会費」 [第2条] =
    band_fee
{extra}
"""


def small(tmp_path, name, rows, extra=""):
    p = tmp_path / f"{name}.fee"
    p.write_text(SMALL.format(rows="\n".join("    " + r for r in rows), extra=extra), encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def ctx():
    return compare.report_context(OLD, NEW, read_table(ROSTER), "municipal_fee")


def test_taisho_marks_the_changed_words_new_left_old_right(ctx):
    changed = {c["label"]: c for c in ctx["changed"]}
    assert list(changed) == ["世帯割", "均等割（市）"]  # clause order of the file
    rows = [(str(n), str(o)) for n, o, differs in changed["世帯割"]["rows"] if differs]
    # The regulation's own words (原文) first, the amount alone underlined, then the rule.
    clause = "(1) 世帯割 基準世帯数（前年1月1日現在の世帯数から同日における生活保護世帯数及び自衛隊営内居住世帯数を除いた世帯）に{}を乗じた額とする。ただし、1,000円未満の端数は四捨五入する。"
    assert rows == [(clause.format("<ins>15円</ins>"), clause.format("<del>14円</del>")),
                    ("基準世帯数 × <ins>15円/世帯</ins>（1,000円未満四捨五入）",
                     "基準世帯数 × <del>14円/世帯</del>（1,000円未満四捨五入）")]
    rows = [(str(n), str(o)) for n, o, differs in changed["均等割（市）"]["rows"] if differs]
    # The row as the regulation prints it (表記 「2～3万人以下」, 20,001～30,000人).
    assert rows == [("2～3万人以下　<ins>90,000円</ins>", "2～3万人以下　<del>80,000円</del>")]
    # Unchanged clauses are named, not repeated.
    assert "第1種会員 年会費" in ctx["same"] and "世帯割" not in ctx["same"]
    assert len(ctx["same"]) + len(ctx["changed"]) == 16


def test_table_change_region_is_exact(ctx):
    # 均等割（市） 3万人以下 80,000円 → 90,000円; the band starts after 2万人以下.
    assert ctx["tables"] == [{"label": "均等割（市）", "clause": "会費算定基準 2(2)", "regions": [
        {"range": "20,001～30,000人以下", "column": "", "old": "80,000円", "new": "90,000円",
         "kind": "変更", "diff": "+10,000円"}]}]


def test_table_regions_on_the_union_of_bounds(tmp_path):
    old = small(tmp_path, "old", ["10人以下 100円", "20人以下 200円", "それ以上 300円"])
    # 12人以下 moves the bound (11～12人: 200円 → 100円); a new band 16～20人 at 250円.
    new = small(tmp_path, "new", ["12人以下 100円", "15人以下 200円", "20人以下 250円", "それ以上 300円"])
    o, n = load(old).__feedsl_ir__, load(new).__feedsl_ir__
    regions = compare.changed_tables(o, n)[0]["regions"]
    assert [(r["range"], r["old"], r["new"], r["diff"]) for r in regions] == [
        ("11～12人以下", "200円", "100円", "-100円"),
        ("16～20人以下", "200円", "250円", "+50円"),
    ]


def test_entry_regions_find_only_the_changed_band(ctx):
    e = {x["entry"]: x for x in ctx["entries"]}
    eq = e["equal_share"]
    assert eq["how"] == "exhaustive"  # no rounding in 均等割: every cell of the partition is visited
    # 世帯割 rounds 基準世帯数 × 14円 (→ 15円) to 1,000円: the search derives every rounding
    # point, so it finds the +1,000円 of a 町村 near 500世帯 (7,000 → 7,000 vs 7,500 → 8,000);
    # both are multiples of 1,000円 and 15B ≥ 14B, so no change is smaller (tests/test_regions.py).
    assert e["household_share"]["how"] == "exhaustive"
    assert e["household_share"]["smallest"]["diff"] == "+1,000円"
    # Only 市 with 20,001～30,000人 changes, always by 90,000 − 80,000 = 10,000円.
    assert eq["smallest"]["diff"] == eq["largest"]["diff"] == "+10,000円"
    assert "市町村の区分=市" in eq["smallest"]["inputs"]
    # The pieces of municipal_fee that do not change are not listed.
    assert "fee_cap" not in e and "municipal_levy" not in e


def test_entry_regions_witness_recomputes(ctx):
    m = {x["entry"]: x for x in ctx["entries"]}["municipal_fee"]
    # No point pays less: 15円 ≥ 14円 and 90,000円 ≥ 80,000円, under the same caps.
    assert not m["smallest"]["diff"].startswith("-")
    assert m["differ"] > 0 and m["points"] == m["differ"] + m["same"] + m["invalid"]


def test_roster_impact_by_hand(ctx):
    im = ctx["impact"]
    got = [(m["old"], m["new"], m["diff"], m["band"]) for m in im["members"]]
    assert got == [
        # A町: 基準世帯数 3,456 − 123 = 3,333; 3,333 × 14 = 46,662 → 47,000 + 35,000 = 82,000;
        #      3,333 × 15 = 49,995 → 50,000 + 35,000 = 85,000; +3,000 is 3.66% of 82,000.
        ("82,000円", "85,000円", "+3,000円", "5%以下の増"),
        # B市: 12,340 − 600 − 40 = 11,700; × 14 = 163,800 → 164,000 + 80,000 = 244,000;
        #      × 15 = 175,500 → 176,000 (四捨五入) + 90,000 = 266,000; +22,000 is 9.0%.
        ("244,000円", "266,000円", "+22,000円", "5%を超える増"),
        # C市: 80,000 − 2,000 = 78,000; × 14 = 1,092,000 + 170,000 and × 15 = 1,170,000 + 170,000
        #      both exceed the 上限 1,000,000円 (人口10万以上, 20万未満, 中核市でない).
        ("1,000,000円", "1,000,000円", "0円", "変わらない"),
    ]
    assert (im["more"], im["less"], im["same"]) == (2, 0, 1)
    # 82,000 + 244,000 + 1,000,000 = 1,326,000 → 85,000 + 266,000 + 1,000,000 = 1,351,000.
    assert (im["total_old"], im["total_new"], im["total_diff"]) == ("1,326,000円", "1,351,000円", "+25,000円")
    assert im["total_diff_v"] == 25_000
    cats = {r["value"]: (r["count"], r["old"], r["new"], r["diff"]) for r in im["categories"][0]["rows"]}
    assert cats == {"市": (2, "1,244,000円", "1,266,000円", "+22,000円"), "町村": (1, "82,000円", "85,000円", "+3,000円")}
    assert [m["diff"] for m in im["top"]] == ["+22,000円", "+3,000円"]  # C市 does not change: not listed
    assert "15円/世帯" in im["top"][0]["explain_new"] and "14円/世帯" in im["top"][0]["explain_old"]


def test_cli_writes_a_deterministic_report(tmp_path, capsys):
    args = ["compare", OLD, NEW, "--roster", ROSTER, "--entry", "municipal_fee"]
    assert main(args + ["-o", str(tmp_path / "a.html")]) == 0
    assert main(args + ["-o", str(tmp_path / "b.html")]) == 0
    out = capsys.readouterr().out
    assert "均等割（市） 20,001～30,000人以下: 80,000円 → 90,000円" in out
    assert "収入 1,326,000円 → 1,351,000円（+25,000円" in out
    html = (tmp_path / "a.html").read_text(encoding="utf-8")
    assert html == (tmp_path / "b.html").read_text(encoding="utf-8")
    assert "<ins>15円/世帯</ins>" in html and "<del>14円/世帯</del>" in html
    assert "B市社会福祉協議会" in html


def test_cli_file_that_does_not_check_exits_1(tmp_path, capsys):
    bad = tmp_path / "bad.fee"
    bad.write_text("規程 bad 「壊れた」\n規則 x 「x」 = y\n", encoding="utf-8")
    assert main(["compare", OLD, str(bad), "-o", str(tmp_path / "r.html")]) == 1
    err = capsys.readouterr().err
    assert "bad.fee:" in err and "Traceback" not in err
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("extra", [
    ["-o", "r.txt"],
    ["-o", "r.html", "--roster", ROSTER],
    ["-o", "r.html", "--roster", ROSTER, "--entry", "no_such_rule"],
])
def test_cli_usage_errors_exit_2(tmp_path, capsys, monkeypatch, extra):
    monkeypatch.chdir(tmp_path)
    assert main(["compare", OLD, NEW] + extra) == 2
    assert capsys.readouterr().err.startswith("feedsl: ")


def test_cli_missing_file_exits_2(tmp_path, capsys):
    assert main(["compare", OLD, str(tmp_path / "none.fee"), "-o", str(tmp_path / "r.html")]) == 2


def test_new_and_removed_clauses(tmp_path):
    old = small(tmp_path, "old", ["10人以下 100円", "それ以上 300円"])
    new = small(tmp_path, "new", ["10人以下 100円", "それ以上 300円"],
                extra='\n規則 join_fee 「入会金」 [第3条] =\n    1,000円\n')
    ctx = compare.report_context(old, new)
    assert [(c["label"], c["status"]) for c in ctx["changed"]] == [("入会金", "新設")]
    ctx = compare.report_context(new, old)
    assert [(c["label"], c["status"]) for c in ctx["changed"]] == [("入会金", "削除")]
    assert ctx["impact"] is None and ctx["tables"] == [] and ctx["entries"] == []


def test_cli_workbook(tmp_path, capsys):
    from python_calamine import CalamineWorkbook

    args = ["compare", OLD, NEW, "--roster", ROSTER, "--entry", "municipal_fee", "-o"]
    assert main(args + [str(tmp_path / "a.xlsx")]) == 0
    assert main(args + [str(tmp_path / "b.xlsx")]) == 0
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    wb = CalamineWorkbook.from_path(str(tmp_path / "a.xlsx"))
    assert wb.sheet_names == ["対照表", "会員別", "集計"]
    taisho = wb.get_sheet_by_name("対照表").to_python()
    assert ["世帯割（会費算定基準 2(1)）", "改正", "基準世帯数 × 15円/世帯（1,000円未満四捨五入）",
            "基準世帯数 × 14円/世帯（1,000円未満四捨五入）"] in taisho
    members = wb.get_sheet_by_name("会員別").to_python()
    # Hand-computed in test_roster_impact_by_hand.
    assert [r[1:4] for r in members[1:]] == [[82000, 85000, 3000], [244000, 266000, 22000], [1000000, 1000000, 0]]
    summary = wb.get_sheet_by_name("集計").to_python()
    assert ["収入の増減", "+25,000円（+約1.8854%）", "", "", ""] in summary
    # The entries' search (tests/test_regions.py): 第1種会員 年会費 changes by +1,000円 at
    # least (15B and 14B rounded to 1,000円 differ by a positive multiple of 1,000円).
    head = next(i for i, r in enumerate(summary) if r[0].startswith("第1種会員 年会費（全点、"))
    assert summary[head + 1][:2] == ["最小の増減", "+1,000円"]
    # A 町村 below 人口10万 has no 上限: the change grows with 基準世帯数 without end.
    assert summary[head + 2][0] == "最大の増減" and summary[head + 2][1].startswith("上限なし（調べた中では +")


def test_readme_example_runs_as_shown(tmp_path, capsys, monkeypatch):
    import re
    import shlex

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n\.venv/bin/feedsl (compare .*?)\n((?:# .*\n)+)```", readme)
    argv = shlex.split(block.group(1))
    argv[argv.index("-o") + 1] = str(tmp_path / "改正案.html")
    monkeypatch.chdir(ROOT)
    assert main(argv) == 0
    shown = [line[2:] for line in block.group(2).splitlines()]
    assert capsys.readouterr().out.splitlines() == shown


def test_hyogo_column_table_and_unexamined_rules(tmp_path):
    src = (ROOT / "regulations" / "hyogo_roufuku.fee").read_text(encoding="utf-8")
    row = "    30人           30,000円   40,000円   15,000円"
    assert src.count(row) == 1
    new = tmp_path / "hyogo_draft.fee"
    new.write_text(src.replace(row, "    30人           32,000円   40,000円   15,000円"), encoding="utf-8")
    ctx = compare.report_context(ROOT / "regulations" / "hyogo_roufuku.fee", new)
    # 表6's 30人 row runs to the next row's start: 30～39人, in the first column (養護老人ホーム).
    [t] = ctx["tables"]
    assert [(r["range"], r["column"], r["old"], r["new"], r["diff"]) for r in t["regions"]] == [
        ("30～39人以下", "養護老人ホーム", "30,000円", "32,000円", "+2,000円")]
    # Rules over records are not enumerated: the report names them instead of claiming no change.
    assert "事業所を有する会員の年会費（特例賛助会員制度を選択しない場合）" in ctx["unexamined"]
    assert "老人福祉施設である" not in ctx["unexamined"]  # a 真偽 rule, not an amount
