"""Goal seek and phase-in (feedsl.goalseek) on the three-member Hokkaido roster,
against numbers worked out by hand (arithmetic in comments).

The roster: A町 (町村, 基準世帯数 3,456 − 123 = 3,333, 人口 8,000), B市 (市,
12,340 − 600 − 40 = 11,700, 人口 25,000), C市 (市, 80,000 − 2,000 = 78,000,
人口 150,000: 上限 1,000,000円). Today: 82,000 + 244,000 + 1,000,000 = 1,326,000円.
The draft: 世帯割 15円/世帯 and 均等割（市）20,001～30,000人 90,000円.
"""
from fractions import Fraction
from pathlib import Path

import pytest

from feedsl import compare
from feedsl.cli import main
from feedsl.roster import read_table

ROOT = Path(__file__).resolve().parents[1]
OLD = str(ROOT / "regulations" / "hokkaido_shakyo.fee")
NEW = str(ROOT / "examples" / "drafts" / "hokkaido_draft.fee")
ROSTER = str(ROOT / "examples" / "rosters" / "hokkaido_municipal.csv")


@pytest.fixture(scope="module")
def ctx():
    return compare.report_context(OLD, NEW, read_table(ROSTER), "municipal_fee",
                                  target_revenue=1_000, phase_in_limit=Fraction(5, 100))


def test_the_amounts_the_draft_changes(ctx):
    rows = ctx["seek"]["rows"]
    assert [(r["label"], r["old"], r["new"]) for r in rows] == [
        ("世帯割", "14円/世帯", "15円/世帯"),
        ("均等割（市） 20,001～30,000人以下", "80,000円", "90,000円")]
    assert ctx["seek"]["today"] == "1,326,000円"


def test_rate_per_household_has_no_value_within_1000_yen(ctx):
    r = ctx["seek"]["rows"][0]
    # With r円/世帯 (and 90,000円 for B市): A町 四捨五入(3,333r, 1,000) + 35,000, B市
    # 四捨五入(11,700r, 1,000) + 90,000, C市 1,000,000 (78,000r + 170,000 ≥ 1,000,000 from r = 11).
    # r = 13: 43,329 → 43,000 + 35,000 = 78,000; 152,100 → 152,000 + 90,000 = 242,000;
    #         1,320,000 (−6,000).
    # r = 14: 46,662 → 47,000 + 35,000 = 82,000; 163,800 → 164,000 + 90,000 = 254,000;
    #         1,336,000 (+10,000). Revenue grows with r, so no whole r is within ±1,000円.
    assert r["low"] is None and r["high"] is None
    assert (r["below"]["value"], r["below"]["revenue"], r["below"]["diff"]) == ("13円/世帯", "1,320,000円", "-6,000円")
    assert (r["above"]["value"], r["above"]["revenue"], r["above"]["diff"]) == ("14円/世帯", "1,336,000円", "+10,000円")
    assert r["draft_revenue"] == "1,351,000円"


def test_band_amount_window(ctx):
    r = ctx["seek"]["rows"][1]
    # With 15円/世帯: A町 50,000 + 35,000 = 85,000; B市 四捨五入(175,500 + v, 1,000) where
    # 175,500 → 176,000 first (世帯割 is rounded on its own): 四捨五入(176,000 + v, 1,000);
    # C市 1,000,000. 1,326,000 ± 1,000 needs 四捨五入(176,000 + v) in 240,000～242,000,
    # i.e. 176,000 + v in [239,500, 242,500): v from 63,500 to 66,499円.
    assert (r["low"]["value"], r["low"]["revenue"], r["low"]["diff"]) == ("63,500円", "1,325,000円", "-1,000円")
    assert (r["high"]["value"], r["high"]["revenue"], r["high"]["diff"]) == ("66,499円", "1,327,000円", "+1,000円")


def test_phase_in_limit(ctx):
    p = ctx["phase_in"]
    # A町 +3,000 on 82,000 is 3.66%: within 5%. B市 +22,000 on 244,000 is 9.0%: capped at
    # 244,000 × 1.05 = 256,200, which costs 266,000 − 256,200 = 9,800円. C市 does not change.
    assert [(m["who"], m["capped"], m["cost"]) for m in p["members"]] == [
        ("2 B市社会福祉協議会", "256,200円", "9,800円")]
    # 1,351,000 − 9,800 = 1,341,200, +15,200 against 1,326,000.
    assert (p["cost"], p["revenue"], p["revenue_diff"]) == ("9,800円", "1,341,200円", "+15,200円")


def test_phase_in_by_amount():
    from feedsl.goalseek import phase_in

    members = [{"who": "x", "old_v": 100_000, "new_v": 103_000, "diff_v": 3_000, "rate": ""},
               {"who": "y", "old_v": 100_000, "new_v": 102_000, "diff_v": 2_000, "rate": ""}]
    # A limit of 2,000円: x (+3,000) is capped at 102,000 (cost 1,000); y (+2,000) is not over it.
    p = phase_in(members, 2_000)
    assert [(m["who"], m["capped"]) for m in p["members"]] == [("x", "102,000円")] and p["cost_v"] == 1_000


def test_cli_options(tmp_path, capsys):
    args = ["compare", OLD, NEW, "--roster", ROSTER, "--entry", "municipal_fee",
            "--target-revenue", "±1,000円", "--phase-in-limit", "5%"]
    assert main(args + ["-o", str(tmp_path / "r.html")]) == 0
    out = capsys.readouterr().out
    assert "均等割（市） 20,001～30,000人以下: 63,500円～66,499円 で収入が今の ±1,000円 以内" in out
    assert "激変緩和 5%: 超える会員 1、緩和で減る収入 9,800円" in out
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "収入を今と同じにする金額" in html and "256,200円" in html
    assert main(args + ["-o", str(tmp_path / "r.xlsx")]) == 0
    from python_calamine import CalamineWorkbook

    summary = CalamineWorkbook.from_path(str(tmp_path / "r.xlsx")).get_sheet_by_name("集計").to_python()
    assert ["均等割（市） 20,001～30,000人以下", "80,000円", "90,000円", "63,500円～66,499円",
            "1,325,000円～1,327,000円"] in summary
    assert ["緩和した場合の収入", "1,341,200円", "緩和で減る額 9,800円", "", ""] in summary


@pytest.mark.parametrize("extra", [
    ["--target-revenue", "1,000円"],  # without a roster
    ["--roster", ROSTER, "--entry", "municipal_fee", "--target-revenue", "1,000人"],
    ["--roster", ROSTER, "--entry", "municipal_fee", "--phase-in-limit=-5%"],
])
def test_cli_bad_options_exit_2(tmp_path, capsys, extra):
    assert main(["compare", OLD, NEW, "-o", str(tmp_path / "r.html")] + extra) == 2
    assert capsys.readouterr().err.startswith("feedsl: ")


def test_readme_goal_seek_example(tmp_path, capsys, monkeypatch):
    import re
    import shlex

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [block] = [b for b in re.finditer(r"```sh\n\.venv/bin/feedsl (compare .*?)\n((?:# .*\n)+)```", readme)
               if "--target-revenue" in b.group(1)]
    argv = shlex.split(block.group(1))
    argv[argv.index("-o") + 1] = str(tmp_path / "改正案.html")
    monkeypatch.chdir(ROOT)
    assert main(argv) == 0
    out = capsys.readouterr().out.splitlines()
    shown = [line[2:] for line in block.group(2).splitlines() if line != "# …"]
    assert out[-len(shown):] == shown  # the README leaves out the lines before (…)
