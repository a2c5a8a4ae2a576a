"""feedsl compare on two versions of one file (FILE@VERSION, --old-as-of/--new-as-of).

tests/fixtures/versions_band.fee: version r5 (施行 令和5年4月1日) and r6 (施行 令和6年2月1日,
適用 令和6年4月1日); the only change of the text is 年会費's band 11～50人以下, 30,000円 → 35,000円."""
from pathlib import Path

import pytest

from feedsl import compare
from feedsl.cli import main
from feedsl.compare import Side

ROOT = Path(__file__).resolve().parents[1]
BAND = str(ROOT / "tests" / "fixtures" / "versions_band.fee")
TRANSITIONAL = str(ROOT / "tests" / "fixtures" / "transitional.fee")
HOKKAIDO = str(ROOT / "regulations" / "hokkaido_shakyo.fee")


@pytest.fixture(scope="module")
def ctx():
    return compare.report_context(Side(BAND, "r5"), Side(BAND, "r6"))


def test_the_report_names_both_versions(ctx):
    assert ctx["old_name"] == "versions_band.fee@r5" and ctx["new_name"] == "versions_band.fee@r6"
    assert ctx["old_version"] == "r5 「令和5年制定」（施行 令和5年4月1日）"
    assert ctx["new_version"] == "r6 「令和6年改正」（施行 令和6年2月1日、適用 令和6年4月1日）"


def test_the_taisho_shows_the_changed_metadata(ctx):
    rows = {m["label"]: [(str(n), str(o)) for n, o, differs in m["rows"] if differs] for m in ctx["meta_changed"]}
    # 出典 is the same in both versions, so it is not listed; 適用 is new in r6.
    assert list(rows) == ["版", "施行", "適用"]
    assert rows["施行"] == [("令和<ins>6年2月</ins>1日", "令和<del>5年4月</del>1日")]
    assert rows["適用"] == [("<ins>令和6年4月1日</ins>", "")]


def test_the_one_changed_band(ctx):
    assert [c["label"] for c in ctx["changed"]] == ["年会費"] and ctx["same"] == ["納付する年会費"]
    assert ctx["tables"] == [{"label": "年会費", "clause": "第3条", "regions": [
        {"range": "11～50人以下", "column": "", "old": "30,000円", "new": "35,000円", "kind": "変更", "diff": "+5,000円"}]}]
    (e,) = ctx["entries"]
    # annual = fee: only 11～50人 changes, each by 35,000円 − 30,000円 = +5,000円
    assert e["entry"] == "annual" and e["smallest"]["diff"] == e["largest"]["diff"] == "+5,000円"
    assert e["largest"]["old"] == "30,000円" and e["largest"]["new"] == "35,000円"


def test_report_html_and_cli_exit_0(tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["compare", f"{BAND}@r5", f"{BAND}@r6", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "改正前: versions_band.fee@r5 版 r5 「令和5年制定」" in printed
    assert "改正のある規程の事項: 版、施行、適用" in printed
    assert "年会費 11～50人以下: 30,000円 → 35,000円" in printed
    html = out.read_text("utf-8")
    assert "版 r6 「令和6年改正」（施行 令和6年2月1日、適用 令和6年4月1日）" in html
    assert "規程の事項" in html and "<ins>令和6年4月1日</ins>" in html


def test_as_of_dates_select_the_texts_in_force(tmp_path, capsys):
    # 2024-03-31 is before r6's 適用日 (施行 2024-02-01 notwithstanding): r5 against r6
    out = tmp_path / "r.xlsx"
    assert main(["compare", BAND, "--old-as-of", "2024-03-31", "--new-as-of", "2024-04-01", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "改正前: versions_band.fee（2024-03-31 現在） 版 r5" in printed and "改正後: versions_band.fee（2024-04-01 現在） 版 r6" in printed
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(out))
    rows = book.get_sheet_by_name("対照表").to_python()
    assert ["施行", "規程の事項", "令和6年2月1日", "令和5年4月1日"] in [r[:4] for r in rows]


def test_as_of_in_a_transitional_period_compares_the_transitional_text(capsys, tmp_path):
    # 2021-03-31: r2, 3人 × 1,000円; 2021-04-01: r3 with 激変緩和, fee = n × 1,200円/人
    ctx = compare.report_context(Side(TRANSITIONAL, as_of="2021-03-31"), Side(TRANSITIONAL, as_of="2021-04-01"))
    assert "経過措置「激変緩和（附則第2項）」（令和3年4月1日～令和4年3月31日）" in ctx["new_version"]
    assert "経過措置" in [m["label"] for m in ctx["meta_changed"]]
    rows = [(str(n), str(o)) for c in ctx["changed"] for n, o, d in c["rows"] if d]
    assert any("1,200円/人" in n and "1,000円/人" in o for n, o in rows)


@pytest.mark.parametrize("args, said", [
    ([f"{BAND}@r4", f"{BAND}@r6"], "この規程の版: r5、r6"),  # an unknown version names the known ones
    ([f"{HOKKAIDO}@fee2018", f"{ROOT}/examples/drafts/hokkaido_draft.fee@x"], "版がありません"),
    ([BAND, "--old-as-of", "2023-03-31", "--new-as-of", "2024-04-01"], "令和5年4月1日"),  # before r5
    ([f"{BAND}@r5", "--old-as-of", "2024-04-01"], "一緒に指定できません"),
    ([BAND], "比べる二つを指定してください"),
    ([f"{BAND}@", f"{BAND}@r6"], "版の名前"),
    ([f"{BAND}.missing@r5", f"{BAND}@r6"], "ファイルがありません"),
])
def test_usage_errors_exit_2(args, said, tmp_path, capsys):
    assert main(["compare", *args, "-o", str(tmp_path / "r.html")]) == 2
    assert said in capsys.readouterr().err


def test_a_version_that_does_not_check_exits_1(tmp_path, capsys):
    bad = tmp_path / "bad.fee"
    bad.write_text(Path(BAND).read_text("utf-8").replace("    11～50人以下     35,000円", "    11～50人以下     35,000人"), "utf-8")
    assert "35,000人" in bad.read_text("utf-8")  # r6's table now mixes 円 and 人: the file does not check
    assert main(["compare", f"{bad}@r5", f"{bad}@r6", "-o", str(tmp_path / "r.html")]) == 1


def test_readme_version_examples_run_as_shown(tmp_path, capsys, monkeypatch):
    import re
    import shlex

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n\.venv/bin/feedsl (compare \S+(?:@| --old-as-of).*?)\n((?:# .*\n)+)```", readme)
    assert len(blocks) == 2
    monkeypatch.chdir(ROOT)
    for command, shown in blocks:
        argv = shlex.split(command)
        argv[argv.index("-o") + 1] = str(tmp_path / "r.html")
        assert main(argv) == 0
        assert capsys.readouterr().out.splitlines() == [line[2:] for line in shown.splitlines()]


def test_two_files_show_their_changed_source_and_date(tmp_path):
    text = "規程 plain 「会費規程」\n    出典 「会費規程（令和5年）」\n    施行 令和5年4月1日\n\n規則 fee 「会費」 [第1条] = 1,000円\n例 fee() = 1,000円\n"
    old, new = tmp_path / "old.fee", tmp_path / "new.fee"
    old.write_text(text, "utf-8")
    new.write_text(text.replace("令和5年）", "令和6年）").replace("施行 令和5年", "施行 令和6年"), "utf-8")
    ctx = compare.report_context(old, new)
    rows = {m["label"]: [(str(n), str(o)) for n, o, d in m["rows"] if d] for m in ctx["meta_changed"]}
    # marked() underlines whole words: 6年 against 5年
    assert rows == {"出典": [("会費規程（令和<ins>6年</ins>）", "会費規程（令和<del>5年</del>）")],
                    "施行": [("令和<ins>6年</ins>4月1日", "令和<del>5年</del>4月1日")]}
    assert ctx["changed"] == [] and not ctx["versions_asked"]
    # a file with versions against itself as a whole: its header only, nothing changed
    assert compare.report_context(BAND, BAND)["meta_changed"] == []


def test_roster_impact_between_a_transitional_period_and_after_it(tmp_path, capsys):
    roster = tmp_path / "r.csv"
    roster.write_text("n\n3\n10\n", "utf-8")
    assert main(["compare", TRANSITIONAL, "--old-as-of", "2021-04-01", "--new-as-of", "2022-04-01",
                 "-o", str(tmp_path / "r.html"), "--roster", str(roster), "--entry", "total"]) == 0
    printed = capsys.readouterr().out
    # during 激変緩和: 3×1,200+500 = 4,100円, 10×1,200+500 = 12,500円 → 16,600円;
    # after it:        3×1,500+500 = 5,000円, 10×1,500+500 = 15,500円 → 20,500円; +3,900円
    assert "収入 16,600円 → 20,500円（+3,900円" in printed
    assert "改正のある規程の事項: 経過措置" in printed
