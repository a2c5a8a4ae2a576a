"""Every bad fixture reports exactly the diagnostics written at its top.

Each file under tests/fixtures/bad/ starts with a comment line
``# 期待: CODE@LINE:COL ...`` listing every diagnostic (errors and warnings)
the checker must report, worked out by reading the file.
"""

import json
import re
from pathlib import Path

import pytest

from feedsl.api import check_file, check_source
from feedsl.cli import main
from feedsl.diagnostics import ERROR, WARNING, Diagnostic, Diagnostics, render
from feedsl.source import SourceFile, Span

BAD = sorted((Path(__file__).parent / "fixtures" / "bad").glob("*.fee"))


def _expected(path: Path) -> list[str]:
    raw = path.read_bytes()
    # F003's fixture is saved in Shift_JIS on purpose; its expectation line too.
    text = raw.decode("utf-8") if not path.name.startswith("F003") else raw.decode("shift_jis")
    first = text.split("\n", 1)[0]
    m = re.match(r"#\s*期待:\s*(.*)", first)
    assert m, f"{path.name} must start with '# 期待: …'"
    return m.group(1).split()


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_fixture_reports_expected_diagnostics(path):
    """The checker reports exactly the listed codes at the listed positions."""
    got = [f"{d.code}@{d.span.line}:{d.span.col}" for d in check_file(path)]
    assert got == _expected(path)


def test_every_fixture_code_in_name_is_reported():
    """Each fixture is named after a code it demonstrates, and that code is expected."""
    for path in BAD:
        code = path.name.split("_")[0]
        assert any(e.startswith(code + "@") for e in _expected(path)), path.name


def test_rendered_diagnostic_has_location_source_line_and_caret():
    """A diagnostic renders as file:line:col, the source line and a caret under the span."""
    path = Path(__file__).parent / "fixtures" / "bad" / "F201_units.fee"
    d = check_file(path)[0]
    text = render(d, path.read_text("utf-8"))
    lines = text.split("\n")
    assert lines[0].startswith(f"{path}:8:5: エラー F201: 単位の違うものは足せません")
    assert "「人」+「円」" in lines[0]
    assert lines[1].endswith("population + households × 1円/世帯")
    caret = lines[2]
    # The caret line starts under the expression (column 5 of the source line).
    assert caret.index("^") == lines[1].index("population")
    assert "ヒント" in text


def test_english_messages_on_request():
    """--lang en gives English messages with the same codes."""
    path = Path(__file__).parent / "fixtures" / "bad" / "F201_units.fee"
    d = check_file(path)[0]
    assert "cannot add" in d.text("en")


def test_overlap_witness_is_named_in_authors_words():
    """The literal Hokkaido 均等割 table reports 200,000人 falling in both rows."""
    path = Path(__file__).parent / "fixtures" / "bad" / "F411_overlap.fee"
    msgs = [d.message for d in check_file(path)]
    assert "200,000人 は『10～20万人以下』(12行目) と『20万人以上』(13行目) の両方に当たります" in msgs


def test_rate_gap_witness_lies_between_the_rows():
    """20%以下 / 21%以上 leaves a gap whose witness (20.5%) lies strictly between."""
    path = Path(__file__).parent / "fixtures" / "bad" / "F412_gap.fee"
    (d,) = check_file(path)
    assert d.message == "20.5% はどの行にも当たりません（『20%以下』8行目 と『21%以上』9行目 の間）"


def test_count_domain_has_no_false_gap():
    """On whole-number keys 50人以下 then 51～100人以下 leaves no gap; 52 after 50 does (51人)."""
    path = Path(__file__).parent / "fixtures" / "bad" / "F412_count_gap.fee"
    (d,) = check_file(path)
    assert d.message.startswith("51人 はどの行にも当たりません")


def test_check_json_output(capsys):
    """feedsl check --format json prints every diagnostic with code, line and column."""
    path = Path(__file__).parent / "fixtures" / "bad" / "F001_syntax.fee"
    assert main(["check", "--format", "json", str(path)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["errors"] == 3
    assert [(d["code"], d["line"]) for d in data["diagnostics"]] == [("F001", 7), ("F001", 9), ("F001", 13)]


LONG = "1" * 5000  # Python's int() refuses more than 4,300 digits


@pytest.mark.parametrize("line, col, digits", [
    ("入力 n: 人 = {N}人 「人数」", 11, "5,000"),
    ("入力 n: 人 「人数」 範囲 {N}人以上", 17, "5,000"),
    ("規則 fee 「会費」 [1] = n × {N}円/人", 23, "5,000"),
    ("表 fee 「会費」 [1] n による\n    {N}人以下  1円\n    それ以上  2円", 5, "5,000"),
    ("表 fee 「会費」 [1] n による\n    10人以下  {N}円\n    それ以上  2円", 12, "5,000"),
    ("規則 fee 「会費」 [1] = n × 1円/人\n例 fee(n={N}人) = 1円", 9, "5,000"),
    ("規則 fee 「会費」 [1] = n × 1円/人\n例 fee(n=1人) = 0.{N}円", 15, "5,001"),  # 0 and 5,000 decimals
], ids=["default", "range", "rule amount", "table bound", "table amount", "example input",
        "expected amount (decimals)"])
def test_a_5000_digit_literal_anywhere_is_F006_not_a_crash(line, col, digits):
    """A number of 5,000 digits (past Python's int conversion limit) in any place a
    number is written gets F006 at the number, naming the 30-digit limit."""
    head = "規程 t 「t」\n入力 n: 人 「人数」\n" if not line.startswith("入力") else "規程 t 「t」\n"
    body = line.replace("{N}", LONG)
    src = SourceFile("t.fee", head + body + "\n")
    _, diags = check_source(src)
    f006 = [d for d in diags if d.code == "F006"]
    assert len(f006) == 1, [d.message for d in diags]
    d = f006[0]
    first = head.count("\n") + 1
    line_no = first + next(i for i, ln in enumerate(body.split("\n")) if LONG in ln)
    assert (d.span.line, d.span.col) == (line_no, col)
    assert d.message == f"数が長すぎます（{digits}桁）。数は30桁までです"
    assert "30 digits" in d.text("en")


def squaring_fee(path: Path) -> Path:
    """A file whose 例 computes 10**14848円: n = 10**29人 squared nine times
    (n**512 = 10**(29·512)), while it expects 1円."""
    lines = ["規程 sq 「二乗」", "入力 n: 人 「人数」", "規則 r1 「二乗1」 [1] = n × n ÷ 1人"]
    lines += [f"規則 r{i} 「二乗{i}」 [{i}] = r{i - 1} × r{i - 1} ÷ 1人" for i in range(2, 10)]
    lines += ["規則 fee 「会費」 [10] = 切り捨て(r9 × 1円/人, 1円)",
              "例 fee(n=100000000000000000000000000000人) = 1円"]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_failing_example_with_a_huge_amount_is_F601(tmp_path):
    """A 例 whose computed amount has 14,849 digits (10**14848, past str()'s limit)
    is reported as F601 with the amount shortened, not a ValueError."""
    (d,) = check_file(squaring_fee(tmp_path / "sq.fee"))
    assert (d.code, d.span.line) == ("F601", 13)
    assert d.message == "例の金額が合いません: 期待 1円、計算 10,000,000,000…（全14,849桁）…000,000,000円"
    assert d.text("en") == ("example is wrong: expected 1円, "
                            "computed 10,000,000,000…(14,849 digits)…000,000,000円")
def _counting_is_error(monkeypatch) -> list[int]:
    """Make Diagnostic.is_error count how often it is read; returns the counter."""
    reads = [0]
    plain = Diagnostic.is_error

    def counted(d):
        reads[0] += 1
        return plain.fget(d)

    monkeypatch.setattr(Diagnostic, "is_error", property(counted))
    return reads


def test_has_errors_looks_at_each_diagnostic_once(monkeypatch):
    """Asked after every one of 2,000 warnings (as the checker asks per rule), has_errors
    reads each diagnostic's severity once in all, not once per question (2 million)."""
    reads = _counting_is_error(monkeypatch)
    diags = Diagnostics()
    span = Span("t.fee", 1, 1, 1, 2)
    for k in range(2000):
        diags.warning("F502", span, f"警告 {k}")
        assert not diags.has_errors
    assert reads[0] == 2000
    diags.error("F201", span, "誤り")
    diags.warning("F502", span, "もう一つ")
    assert diags.has_errors and diags.has_errors
    assert reads[0] == 2002


def test_has_errors_counts_diagnostics_added_any_way():
    """An error added by add(), extend() or appended to items directly makes has_errors true;
    warnings alone never do, and a cleared list counts afresh."""
    span = Span("t.fee", 1, 1, 1, 2)
    err = Diagnostic("F201", ERROR, span, "誤り")
    warn = Diagnostic("F501", WARNING, span, "警告")
    for put in (lambda ds: ds.add(err), lambda ds: ds.extend([warn, err]), lambda ds: ds.items.append(err)):
        diags = Diagnostics()
        diags.add(warn)
        assert not diags.has_errors
        put(diags)
        assert diags.has_errors
    diags.items.clear()
    assert not diags.has_errors
    diags.items.extend([warn, warn])
    assert not diags.has_errors


class _CountingText(str):
    """A source text that counts how often it is split into lines."""

    splits = 0

    def split(self, *args, **kwargs):
        _CountingText.splits += 1
        return super().split(*args, **kwargs)


def test_rendering_many_diagnostics_splits_the_source_once():
    """Rendering 1,000 diagnostics of one file splits its text into lines once, not per
    diagnostic (a 20,000-rule file with a warning per rule was quadratic here)."""
    text = _CountingText("".join(f"規則 r{k} 「規則{k}」 = 1円\n" for k in range(1000)))
    _CountingText.splits = 0
    out = [render(Diagnostic("F502", WARNING, Span("t.fee", k + 1, 4, k + 1, 4 + len(f"r{k}")), "未使用"), text)
           for k in range(1000)]
    assert _CountingText.splits == 1
    assert out[999].split("\n")[1] == "  1000 | 規則 r999 「規則999」 = 1円"
    # the caret sits under r999: 規則 is two full-width characters (4 columns) and a space
    assert out[999].split("\n")[2] == "       | " + " " * 5 + "^^^^"


def test_a_per_person_amount_written_without_its_unit_gets_a_hint_and_no_f106_flood():
    """The printed table says 300円 for 300円/人; multiplied by 人 it is 人・円. The error says how to
    write it, and the examples of the broken rule get no "leave this input out" (F106) on top:
    their inputs are not known until the rule is mended."""
    src = """規程 t 「t」
入力 employees: 人 「従業員数」
規則 per_head 「従業員割」 [1] = 上限(employees × 300円, 30,000円)
例 per_head(employees=10人) = 3,000円
"""
    _, diags = check_source(SourceFile("t.fee", src))
    assert [d.code for d in diags] == ["F201"]
    assert "300円/人 のように「/人」を付けて書きます" in diags[0].hint
    # the same slip in a sum
    _, diags = check_source(SourceFile("t.fee", src.replace("上限(employees × 300円, 30,000円)",
                                                            "employees × 300円 + 1,000円")))
    assert [d.code for d in diags] == ["F201"] and "「/人」" in diags[0].hint


def test_a_rule_shown_only_in_the_summary_is_told_it_lacks_an_example():
    """F502 for a rule named in 一覧 but without 例 says that, not 「使われていません」: it is shown to members."""
    src = "規程 s 「s」\n    一覧 「一覧」 (fee)\n規則 fee 「会費」 = 3,000円\n"
    _, diags = check_source(SourceFile("s.fee", src))
    assert [(d.code, d.message) for d in diags] == [("F502", "規則「fee」（会費）は一覧に載っていますが、例がありません")]
    _, diags = check_source(SourceFile("s.fee", src + "例 fee() = 3,000円\n"))
    assert diags == []
