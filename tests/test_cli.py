"""The feedsl command: exit codes 0 / 1 / 2 and no traceback for anything a user can do."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from feedsl.cli import main

ROOT = Path(__file__).resolve().parents[1]
HOKKAIDO = str(ROOT / "regulations" / "hokkaido_shakyo.fee")
BAD = str(ROOT / "tests" / "fixtures" / "bad" / "F201_units.fee")


def test_check_clean_file_exits_0(capsys):
    """check on a clean regulation exits 0 and says how many files it checked."""
    assert main(["check", HOKKAIDO]) == 0
    assert "エラー 0 件" in capsys.readouterr().out


def test_check_bad_file_exits_1_with_rendered_diagnostics(capsys):
    """check on a broken file exits 1 and prints file:line:col with a caret on stderr."""
    assert main(["check", BAD]) == 1
    err = capsys.readouterr().err
    assert f"{BAD}:8:5: エラー F201" in err and "^" in err


def test_check_english(capsys):
    """--lang en prints English messages."""
    assert main(["check", "--lang", "en", BAD]) == 1
    assert "cannot add" in capsys.readouterr().err


def test_compile_writes_one_module_per_regulation(tmp_path, capsys):
    """compile -o DIR writes DIR/<regulation>.py for each file and exits 0."""
    assert main(["compile", str(ROOT / "regulations"), "-o", str(tmp_path)]) == 0
    for fee in (ROOT / "regulations").glob("*.fee"):
        assert (tmp_path / f"{fee.stem}.py").exists()


def test_compile_bad_file_exits_1(tmp_path):
    """compile of a broken file writes nothing and exits 1."""
    assert main(["compile", BAD, "-o", str(tmp_path)]) == 1
    assert list(tmp_path.iterdir()) == []


def test_test_command_runs_examples(capsys):
    """feedsl test runs every example and ends with 'N passed, 0 failed'."""
    assert main(["test", HOKKAIDO]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.endswith("passed, 0 failed")


def test_test_command_fails_on_wrong_example(tmp_path, capsys):
    """A wrong example makes feedsl test exit 1 and name it by file and line."""
    p = tmp_path / "w.fee"
    p.write_text("規程 w 「w」\n規則 fee 「会費」 [1] = 10円\n例 fee() = 11円\n", "utf-8")
    assert main(["test", str(p)]) == 1
    out = capsys.readouterr().out
    assert f"FAIL {p}:3:" in out and "0 passed, 1 failed" in out


def test_eval_prints_amount(capsys):
    """eval computes one fee; numbers may have thousands separators and units."""
    assert main(["eval", HOKKAIDO, "municipal_fee", "kind=city", "population=25,000人",
                 "households=12,340", "welfare_households=600", "sdf_households=40"]) == 0
    assert capsys.readouterr().out.strip() == "第1種会員 年会費 [第9条(1)]: 244,000円"


def test_eval_json(capsys):
    """eval --json prints the amount, unit, label, clause and inputs."""
    assert main(["eval", HOKKAIDO, "facility_fee", "category=nursery", "capacity=61", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["amount"] == 4600 and data["unit"] == "円" and data["clause"] == "第9条(3), 会費算定基準 3"
    assert data["inputs"] == {"category": "nursery", "capacity": 61}


def test_eval_inputs_from_json_file(tmp_path, capsys):
    """eval --inputs reads a JSON object of inputs."""
    f = tmp_path / "in.json"
    f.write_text(json.dumps({"kind": "town_village", "population": 8000, "households": 3456,
                             "welfare_households": 123}), "utf-8")
    assert main(["eval", HOKKAIDO, "municipal_fee", "--inputs", str(f)]) == 0
    assert "82,000円" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["eval", HOKKAIDO, "municipal_fee", "kind=village", "population=1", "households=1"], "kind"),
        (["eval", HOKKAIDO, "municipal_fees", "kind=city"], "municipal_fee"),
        (["eval", HOKKAIDO, "municipal_fee", "kind"], "name=value"),
        (["eval", HOKKAIDO, "municipal_fee", "size=3"], "size"),
        (["eval", HOKKAIDO, "municipal_fee", "population=lots"], "population"),
        (["eval", HOKKAIDO, "municipal_fee", "kind=city", "population=10", "households=5",
          "welfare_households=9"], "welfare_households"),
        (["eval", "nowhere.fee", "fee"], "nowhere.fee"),
        (["check", "nowhere.fee"], "nowhere.fee"),
        (["eval", HOKKAIDO, "facility_fee", "capacity=3", "capacity=4", "category=nursery"], "capacity"),
        (["eval", HOKKAIDO, "municipal_fee", "--inputs", "missing.json"], "missing.json"),
    ],
)
def test_bad_usage_exits_2_without_traceback(argv, fragment, capsys):
    """Bad entries, values, names and files exit 2 with a message, never a traceback."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_unreadable_encoding_is_a_diagnostic(tmp_path, capsys):
    """A file that is not UTF-8 gets diagnostic F003, exit 1, no traceback."""
    p = tmp_path / "sjis.fee"
    p.write_bytes("規程 t 「会費」\n".encode("shift_jis"))
    assert main(["check", str(p)]) == 1
    err = capsys.readouterr().err
    assert "F003" in err and "UTF-8" in err and "Traceback" not in err


def test_console_script_runs_as_module():
    """python -m feedsl works as the console script does (exit code passes through)."""
    r = subprocess.run([sys.executable, "-m", "feedsl", "check", BAD], capture_output=True, text=True,
                       cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert r.returncode == 1 and "Traceback" not in r.stderr


HYOGO = str(ROOT / "regulations" / "hyogo_roufuku.fee")


def test_eval_accepts_records_and_lists_as_json(capsys):
    """Records and lists are given as JSON on the command line (issue example: 310,000円)."""
    assert main(["eval", HYOGO, "special_supporter_fee",
                 'regular={"kind": "special_nursing_home", "capacity": 100, "attached_home_service": true}',
                 'supporters=[{"kind": "special_nursing_home", "capacity": 50, "attached_home_service": true},'
                 ' {"kind": "low_cost_home", "capacity": 30}, {"kind": "home_service"}]']) == 0
    assert capsys.readouterr().out.strip().endswith(": 310,000円")


def test_eval_inputs_file_with_records(tmp_path, capsys):
    """--inputs takes a JSON file holding records and lists."""
    f = tmp_path / "group.json"
    f.write_text(json.dumps({"regular": {"kind": "home_service"},
                             "supporters": [{"kind": "nursing_home", "capacity": 40}]}), "utf-8")
    assert main(["eval", HYOGO, "special_supporter_fee", "--inputs", str(f), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["amount"] == 80_000


def test_eval_bad_list_item_names_the_index(capsys):
    """A bad record inside a list is an input error naming the item's index and field."""
    assert main(["eval", HYOGO, "special_supporter_fee", 'regular={"kind": "home_service"}',
                 'supporters=[{"kind": "nursing_home", "capacity": 40}, {"kind": "nursing_home", "capacity": -1}]']) == 2
    err = capsys.readouterr().err
    assert "supporters" in err and "[1]" in err and "capacity" in err and "Traceback" not in err


def test_eval_malformed_json_is_usage_error(capsys):
    """Malformed JSON for a record is a usage error (exit 2), not a traceback."""
    assert main(["eval", HYOGO, "standard_fee", "facility={kind: 1"]) == 2
    assert "JSON" in capsys.readouterr().err


def test_unreadable_path_is_a_diagnostic(tmp_path):
    """A path that cannot be read as a file gives diagnostic F004, not a traceback."""
    from feedsl.api import check_file

    d = tmp_path / "dir.fee"
    d.mkdir()
    (diag,) = check_file(d)
    assert diag.code == "F004" and "読めません" in diag.message


@pytest.mark.parametrize("command", ["compile", "docs"])
def test_unwritable_output_directory_exits_2_without_traceback(command, tmp_path, capsys):
    """An output directory that cannot be created is reported in one line, exit 2."""
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", "utf-8")
    assert main([command, HOKKAIDO, "-o", str(blocker / "out")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(blocker) in err


# --- huge and malformed inputs (issue 10: never a traceback) ----------------------

HUGE_FEE = """規程 huge 「大きな数」
入力 population: 人 「人口」
入力 rate: 割合 = 0% 「割引率」
前提 population ≥ 1人 「人口は1人以上」
規則 fee 「会費」 [1] = 切り捨て(population × 10円/人 × (1 − rate), 1円)
例 fee(population=3人) = 30円
"""

DIGITS = "1" * 5000  # int() refuses more than 4,300 digits
ONES = "111,111,111,111…（全5,001桁）…111,111,110円"  # 111…1 (5,000 ones) × 10円: 5,001 digits


@pytest.fixture()
def huge_fee(tmp_path):
    p = tmp_path / "huge.fee"
    p.write_text(HUGE_FEE, "utf-8")
    return str(p)


def _one_line_error(capsys) -> str:
    out, err = capsys.readouterr()
    assert "Traceback" not in err and out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert len(err) < 600, err  # the 5,000 digits are not echoed
    return err


def test_eval_a_5000_digit_count_computes_and_prints_it_shortened(huge_fee, capsys):
    """population=<5,000 ones> is a valid count: 10円 each is 111…10 (5,001 digits),
    printed shortened with its digit count; --json gives every digit (as a string,
    since JSON readers cannot take an int that long as a number)."""
    assert main(["eval", huge_fee, "fee", f"population={DIGITS}"]) == 0
    assert capsys.readouterr().out.strip() == f"会費 [1]: {ONES}"
    assert main(["eval", huge_fee, "fee", f"population={DIGITS}", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["amount"] == DIGITS + "0" and data["inputs"] == {"population": DIGITS}


def test_eval_inputs_file_with_a_5000_digit_count(huge_fee, tmp_path, capsys):
    """--inputs with a 5,000-digit JSON integer computes like the command line does;
    a negative one is an input error naming the input, in one line, exit 2."""
    f = tmp_path / "in.json"
    f.write_text('{"population": %s}' % DIGITS, "utf-8")
    assert main(["eval", huge_fee, "fee", "--inputs", str(f)]) == 0
    assert capsys.readouterr().out.strip() == f"会費 [1]: {ONES}"
    f.write_text('{"population": -%s}' % DIGITS, "utf-8")
    assert main(["eval", huge_fee, "fee", "--inputs", str(f)]) == 2
    err = _one_line_error(capsys)
    assert "population（人口）" in err and "-11,111,111,111…（全5,000桁）…111,111,111" in err


@pytest.mark.parametrize("content, fragment", [
    ("[" * 5000 + "]" * 5000, "入れ子が深すぎます"),
    ('{"population": ' + "[" * 5000 + "]" * 5000 + "}", "入れ子が深すぎます"),
    ('{"population": 12', "JSON として読めません"),
    ("\xff\xfe", "読めません"),
], ids=["nested array", "nested value", "invalid", "not UTF-8"])
def test_eval_bad_inputs_file_exits_2_naming_the_file(huge_fee, tmp_path, capsys, content, fragment):
    """JSON nested 5,000 deep, invalid JSON and undecodable bytes in --inputs give
    one line naming the file, exit 2, never a traceback."""
    f = tmp_path / "in.json"
    f.write_bytes(content.encode("utf-8") if not content.startswith("\xff") else b"\xff\xfe\x00")
    assert main(["eval", huge_fee, "fee", "--inputs", str(f)]) == 2
    err = _one_line_error(capsys)
    assert str(f) in err and fragment in err


@pytest.mark.parametrize("value, fragment", [
    (f"-{DIGITS}", "-11,111,111,111…（全5,000桁）…111,111,111"),  # an input error from the module
    (f"{DIGITS}x", "数として読めません"),                    # not a number: echoed shortened
    ("3.5", "整数"),                                           # not a whole number of people
], ids=["negative", "not a number", "fraction"])
def test_eval_bad_command_line_count_exits_2_in_one_line(huge_fee, capsys, value, fragment):
    """Bad values for a count on the command line (5,000 digits included) give
    one line naming the input, exit 2."""
    assert main(["eval", huge_fee, "fee", f"population={value}"]) == 2
    err = _one_line_error(capsys)
    assert "population" in err and fragment in err


def test_eval_huge_rate_on_the_command_line(huge_fee, capsys):
    """A rate given with 5,000 decimals is read exactly (0.000…01 of 5,000 places
    is 10**-5000): 10円 × (1 − 10**-5000) rounds down to 9円."""
    assert main(["eval", huge_fee, "fee", "population=1", f"rate=0.{'0' * 4999}1"]) == 0
    assert capsys.readouterr().out.strip() == "会費 [1]: 9円"


def test_eval_explain_with_a_5000_digit_count(huge_fee, capsys):
    """--explain and --explain --json with a 5,000-digit input print the breakdown
    (values shortened) and exact JSON, never a traceback."""
    assert main(["eval", huge_fee, "fee", f"population={DIGITS}", "--explain"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].endswith(ONES)
    assert main(["eval", huge_fee, "fee", f"population={DIGITS}", "--explain", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["amount"] == DIGITS + "0" and data["text"] == ONES


def test_feedsl_test_and_docs_with_a_huge_example_amount(tmp_path, capsys):
    """A 例 whose amount has 14,849 digits fails `feedsl test` with a FAIL line
    (shortened amount), and `feedsl docs` still writes its pages."""
    from test_diagnostics import squaring_fee

    p = squaring_fee(tmp_path / "sq.fee")
    assert main(["test", str(p)]) == 1
    out = capsys.readouterr().out
    assert "計算 10,000,000,000…（全14,849桁）…000,000,000円" in out
    assert main(["docs", str(p), "-o", str(tmp_path / "docs")]) == 0
    assert "10,000,000,000…（全14,849桁）…000,000,000円" in (tmp_path / "docs" / "sq.md").read_text("utf-8")
# --- output clashes (issue 10) ----------------------------------------------------------

def _regulation(path: Path, name: str, amount: str, comment: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{comment}規程 {name} 「{name} の会費」\n規則 fee 「会費」 [第1条] = {amount}\n例 fee() = {amount}\n",
                    "utf-8")
    return path


def test_compile_two_sources_with_one_name_fail_and_write_nothing(tmp_path, capsys):
    """Two files whose 規程 names differ only in case would write one module (fee.py and Fee.py are one file
    on macOS and Windows): compile exits 1, writes no module at all (not even the third file's), and the
    diagnostic shows both headers with file:line:col, the line and a caret."""
    a = _regulation(tmp_path / "a" / "one.fee", "fee", "1円")
    b = _regulation(tmp_path / "b" / "two.fee", "Fee", "2円", comment="# 別の団体\n")
    c = _regulation(tmp_path / "c.fee", "other", "3円")
    out = tmp_path / "out"
    assert main(["compile", str(a), str(b), str(c), "-o", str(out)]) == 1
    assert not out.exists()
    err = capsys.readouterr().err
    assert f"{b}:2:4: エラー F130: 規程名「Fee」は {a}:1:4 の規程名「fee」と同じです" in err
    assert "     2 | 規程 Fee 「Fee の会費」\n       |      ^^^\n" in err
    assert f"  {a}:1:4: 同じ規程名 / the same name\n       1 | 規程 fee 「fee の会費」\n         |      ^^^" in err
    assert "Traceback" not in err


def test_compile_clash_in_english(tmp_path, capsys):
    """--lang en gives the clash in English with the same code."""
    a = _regulation(tmp_path / "a.fee", "dup", "1円")
    b = _regulation(tmp_path / "b.fee", "dup", "2円")
    assert main(["compile", str(a), str(b), "-o", str(tmp_path / "out"), "--lang", "en"]) == 1
    assert f"{b}:1:4: error F130: regulation name 'dup' is also used at {a}:1:4" in capsys.readouterr().err


@pytest.mark.parametrize("name, owner", [("json", "Python の標準ライブラリ json"), ("fractions", "Python の標準ライブラリ fractions"),
                                         ("feedsl", "feedsl 自身"), ("lark", "feedsl が使うパッケージ lark")])
def test_compile_refuses_a_module_that_shadows_an_import(name, owner, tmp_path, capsys):
    """A module named like a standard-library module, feedsl or a package feedsl imports would shadow it for
    every import once the output folder is on sys.path: F132 at the name, exit 1, nothing written."""
    p = _regulation(tmp_path / "r.fee", name, "1円")
    out = tmp_path / "out"
    assert main(["compile", str(p), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{p}:1:4: エラー F132: 規程名「{name}」から作る {name}.py は{owner}と同じ名前です" in err
    assert not out.exists()


def test_compile_refuses_a_keyword_module_name(tmp_path, capsys):
    """A regulation named like a Python keyword compiles to a module no import statement can name: F132."""
    p = _regulation(tmp_path / "r.fee", "class", "1円")
    assert main(["compile", str(p), "-o", str(tmp_path / "out")]) == 1
    assert "F132: 規程名「class」は Python の予約語" in capsys.readouterr().err


def test_compile_writes_no_feedsl_py_because_it_would_break_every_compiled_module(tmp_path, capsys):
    """Why F132 is an error: with a feedsl.py in the output folder, a compiled module imported from there
    cannot import feedsl.runtime. compile refuses to write one; a plain name compiles and imports."""
    out = tmp_path / "out"
    assert main(["compile", str(_regulation(tmp_path / "r.fee", "member_fee", "1,200円")), "-o", str(out)]) == 0
    code = "import member_fee; print(member_fee.fee())"
    r = subprocess.run([sys.executable, "-c", code], cwd=out, capture_output=True, text=True)
    assert r.stdout.strip() == "1200", r.stderr
    assert main(["compile", str(_regulation(tmp_path / "f.fee", "feedsl", "1円")), "-o", str(out)]) == 1
    assert "F132" in capsys.readouterr().err and not (out / "feedsl.py").exists()
    (out / "feedsl.py").write_text("# what compile would have written for 規程 feedsl\n", "utf-8")
    r = subprocess.run([sys.executable, "-c", code], cwd=out, capture_output=True, text=True)
    assert r.returncode != 0 and "feedsl.runtime" in r.stderr


def test_eval_of_a_rule_without_a_clause_shows_no_empty_brackets(tmp_path, capsys):
    p = tmp_path / "nc.fee"
    p.write_text("規程 nc 「nc」\n規則 fee 「年会費」 = 3,000円\n", "utf-8")
    assert main(["eval", str(p), "fee"]) == 0
    assert capsys.readouterr().out.strip() == "年会費: 3,000円"


def test_eval_without_an_entry_lists_the_rules_and_what_each_needs(capsys):
    """`feedsl eval FILE`: every rule with its inputs, optional ones marked, conditional ones with their
    condition, so a secretariat can see what to type."""
    hokkaido = str(Path(__file__).resolve().parents[1] / "regulations" / "hokkaido_shakyo.fee")
    assert main(["eval", hokkaido]) == 0
    out = capsys.readouterr().out
    assert "  supporter_fee 「賛助会費」 [第9条2項]: units（賛助会費の口数）" in out
    assert ("facility_fee 「第2種会員 社会福祉施設 年会費」 [第9条(3), 会費算定基準 3]: category（施設の種類）、capacity（定員）"
            "（施設の種類が入所及び通所施設または認可保育所・認定こども園等のときのみ）") in out
    assert "welfare_households（生活保護世帯数）［省略可］" in out


def test_a_value_that_cannot_be_read_is_an_input_error_like_the_others(capsys):
    hokkaido = str(Path(__file__).resolve().parents[1] / "regulations" / "hokkaido_shakyo.fee")
    assert main(["eval", hokkaido, "municipal_fee", "kind=市", "population=25,000円", "households=1"]) == 2
    assert capsys.readouterr().err.startswith("入力エラー: population=25,000円: 単位が違います（人 の入力に 円 が書かれています）")
