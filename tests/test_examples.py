"""Every 例 line in regulations/*.fee and tests/fixtures/good/*.fee holds.

Each example is its own test, named by file and line, so a failure says which
例 of which regulation is wrong.
"""

from pathlib import Path

import pytest

import feedsl
from feedsl.examples import run_examples

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / "regulations").glob("*.fee")) + sorted((ROOT / "tests" / "fixtures" / "good").glob("*.fee"))


def _cases():
    for path in FILES:
        mod = feedsl.load(path)
        for r in run_examples(mod):
            yield pytest.param(r, id=f"{path.name}:{r.line}")


@pytest.mark.parametrize("result", list(_cases()))
def test_example(result):
    """The example's expected amount (or 入力エラー) is what the compiled function gives."""
    assert result.ok, result.describe()


def test_every_regulation_has_examples():
    """Each regulation file carries examples (the regulation is its own test suite)."""
    for path in sorted((ROOT / "regulations").glob("*.fee")):
        assert feedsl.load(path).__feedsl_ir__.examples, path.name


def test_every_regulation_checks_clean():
    """The regulations compile with no errors and no warnings."""
    from feedsl.api import check_file

    for path in sorted((ROOT / "regulations").glob("*.fee")):
        assert check_file(path) == [], path.name


def test_wrong_example_is_named_by_file_and_line(tmp_path):
    """A wrong expected amount fails with the example's file:line, expected and computed amounts."""
    p = tmp_path / "w.fee"
    p.write_text("規程 w 「w」\n入力 n: 人 「n」\n規則 fee 「会費」 [1] = n × 10円/人\n"
                 "例 fee(n=3人) = 30円\n例 fee(n=4人) = 41円\n", "utf-8")
    results = run_examples(feedsl.load(p))
    assert [r.ok for r in results] == [True, False]
    text = results[1].describe()
    assert text.startswith(f"{p}:5:") and "期待 41円" in text and "計算 40円" in text
