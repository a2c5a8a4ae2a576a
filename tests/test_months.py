"""Months as regulations write them (issue 11 §2): the count unit か月, the two
month-counting functions, 年度の月 as a place in the fiscal year, and tables
keyed by the month of a date (rows 4月～6月 …). Expected values are worked out
from the calendar by hand in the comments."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from feedsl import docs, interpret
from feedsl.api import compile_source, module_from_source
from feedsl.cli import main
from feedsl.runtime import FeeInputError, format_value, months_to_fy_end, months_to_fy_end_including
from feedsl.source import SourceFile

ROOT = Path(__file__).resolve().parents[1]
HYOGO = str(ROOT / "regulations" / "hyogo_roufuku.fee")


def comp(text: str, name: str = "t.fee"):
    return compile_source(SourceFile(name, text))


def load(c):
    assert c.ok, [d.message for d in c.diagnostics]
    return module_from_source(c.python, "t_months", "<t>")


def errors(c, code=None):
    return [d for d in c.diagnostics if d.is_error and (code is None or d.code == code)]


def day(month: int, year_of_april: int = 2024) -> datetime.date:
    """The 15th of a month of the April year starting in year_of_april (Jan–Mar fall in the next year)."""
    return datetime.date(year_of_april + (month < 4), month, 15)


# --- the runtime functions, every month of an April year and a January year --------------

# April year. 翌月から: the months after the date's month up to 3月.
#   4月 → 5月～3月 = 11, 5月 → 10, …, 2月 → 3月 = 1, 3月 → none = 0.
# 当月から: the date's month too: 4月 → 4月～3月 = 12, …, 3月 → 3月 = 1.
APRIL = [  # (month, 翌月から, 当月から)
    (4, 11, 12), (5, 10, 11), (6, 9, 10), (7, 8, 9), (8, 7, 8), (9, 6, 7),
    (10, 5, 6), (11, 4, 5), (12, 3, 4), (1, 2, 3), (2, 1, 2), (3, 0, 1),
]
# January year (暦年): 1月 → 2月～12月 = 11 and 1月～12月 = 12; 12月 → 0 and 1.
JANUARY = [(m, 12 - m, 13 - m) for m in range(1, 13)]


@pytest.mark.parametrize("month, after, including", APRIL)
def test_both_counts_in_an_april_year(month, after, including):
    d = day(month)
    assert months_to_fy_end(d, 4) == after
    assert months_to_fy_end_including(d, 4) == including


@pytest.mark.parametrize("month, after, including", JANUARY)
def test_both_counts_in_a_january_year(month, after, including):
    d = datetime.date(2024, month, 1)
    assert months_to_fy_end(d, 1) == after
    assert months_to_fy_end_including(d, 1) == including


def test_the_day_of_the_month_does_not_matter():
    """10月1日 and 10月31日 both count 11月～3月 (5) and 10月～3月 (6)."""
    for d in (datetime.date(2024, 10, 1), datetime.date(2024, 10, 31)):
        assert (months_to_fy_end(d, 4), months_to_fy_end_including(d, 4)) == (5, 6)


# --- the language: both functions compiled, interpreted and explained -----------------------

COUNTS = """規程 counts 「月割り」
    年度 {start}月始まり

入力 annual: 円 「年会費」
入力 approved_on: 日付 「入会の承認日」

規則 after 「承認の翌月からの月割り額」 [第1条] =
    切り捨て(annual × 翌月から年度末までの月数(approved_on) ÷ 12か月, 1円)

規則 including 「入会月を含めた月割り額」 [第2条] =
    切り捨て(annual × 当月から年度末までの月数(approved_on) ÷ 12{unit}, 1円)
"""


@pytest.mark.parametrize("month, after, including", APRIL)
def test_compiled_interpreted_and_explained_counts_agree_every_month(month, after, including):
    """annual 12,000円 ÷ 12 = 1,000円 a month: the fee is 1,000円 × the count."""
    c = comp(COUNTS.format(start=4, unit="か月"))
    m = load(c)
    d = day(month)
    for entry, months in (("after", after), ("including", including)):
        assert getattr(m, entry)(annual=12_000, approved_on=d) == 1_000 * months
        assert m.explain(entry, annual=12_000, approved_on=d).amount == 1_000 * months
        assert interpret.evaluate(c.ir, entry, {"annual": 12_000, "approved_on": d}) == 1_000 * months


@pytest.mark.parametrize("spelling", ["か月", "ヶ月", "カ月", "ケ月", "ヵ月", "箇月"])
def test_every_spelling_of_a_month_count_is_one_unit(spelling):
    """12ヶ月 … 12箇月 are 12か月: 10月15日, 当月から 6か月; 12,000 × 6 ÷ 12 = 6,000円; shown as か月."""
    c = comp(COUNTS.format(start=4, unit=spelling))
    m = load(c)
    assert m.including(annual=12_000, approved_on=datetime.date(2024, 10, 15)) == 6_000
    text = str(m.explain("including", annual=12_000, approved_on=datetime.date(2024, 10, 15)))
    assert "当月から年度末までの月数 6か月" in text and "÷ 12か月" in text
    assert spelling == "か月" or spelling not in text


def test_an_input_counted_in_months():
    """入力 … : ヶ月 is a count of months; 3,000円/か月 × 4ヶ月 = 12,000円, shown as 4か月."""
    c = comp("""規程 m 「月数の入力」
入力 months: ヶ月 「加入月数」
規則 fee 「会費」 [1] = 3,000円/か月 × months
例 fee(months=4か月) = 12,000円
""")
    m = load(c)
    assert m.fee(months=4) == 12_000
    assert "加入月数 4か月" in str(m.explain("fee", months=4))


def test_january_year_counts():
    """暦年: 10月15日 → 翌月から 11月～12月 = 2か月 (2,000円), 当月から 10月～12月 = 3か月 (3,000円)."""
    m = load(comp(COUNTS.format(start=1, unit="か月")))
    d = datetime.date(2024, 10, 15)
    assert (m.after(annual=12_000, approved_on=d), m.including(annual=12_000, approved_on=d)) == (2_000, 3_000)


def test_old_name_warns_names_both_functions_and_still_counts_from_the_next_month():
    """年度末までの月数 is 翌月から…: 10月15日 → 5か月, 12,000 × 5 ÷ 12 = 5,000円."""
    c = comp(COUNTS.format(start=4, unit="か月").replace("翌月から年度末までの月数", "年度末までの月数"))
    (w,) = [d for d in c.diagnostics if d.code == "F220"]
    assert not w.is_error
    assert "翌月から年度末までの月数" in w.message and "当月から年度末までの月数" in w.hint
    assert "5か月" in w.message and "6か月" in w.hint
    m = load(c)
    assert m.after(annual=12_000, approved_on=datetime.date(2024, 10, 15)) == 5_000


def test_a_calendar_month_is_not_a_count():
    """÷ 12月 is F221 naming 12か月 (not a cascade of unit errors)."""
    c = comp(COUNTS.format(start=4, unit="月"))
    assert [d.code for d in errors(c)] == ["F221"]
    assert "12か月" in errors(c)[0].message


def test_fiscal_month_is_a_place_shown_with_its_calendar_month():
    """年度の月: 1月15日 is the 10th month of an April year: 年度の第10月（1月）, never 「10月」."""
    c = comp("""規程 fm 「年度の月」
    年度 4月始まり
入力 d: 日付 「入会日」
規則 place 「年度の月」 [1] = 年度の月(d)
規則 late 「下半期の後半」 [1] = もし 年度の月(d) ≥ 10 ならば 1,000円 そうでなければ 0円
""")
    m = load(c)
    d = datetime.date(2025, 1, 15)
    assert m.place(d=d) == 10 and m.late(d=d) == 1_000
    assert m.late(d=datetime.date(2024, 12, 31)) == 0  # 12月 is the 9th month
    text = str(m.explain("place", d=d))
    assert "年度の第10月（1月）" in text
    assert not re.search(r"(?<![第\d])10月", text)
    assert format_value(10, "年度の月") == "年度の第10月"


# --- tables keyed by the month of a date ----------------------------------------------------

JOIN = """規程 join 「年度途中入会」
    年度 {start}月始まり

入力 approved_on: 日付 「入会の承認日」

表 join_month_fee 「年度途中入会の年会費」 [第5条] approved_on の月 による
{rows}
"""

ISSUE_ROWS = """    4月～6月     12,000円
    7月～9月      9,000円
    10月～12月    6,000円
    1月～3月      3,000円"""

# The issue's table: a quarter's fee by the month of approval.
ISSUE_FEES = {4: 12_000, 5: 12_000, 6: 12_000, 7: 9_000, 8: 9_000, 9: 9_000,
              10: 6_000, 11: 6_000, 12: 6_000, 1: 3_000, 2: 3_000, 3: 3_000}


def month_table(rows: str, start: int = 4):
    return comp(JOIN.format(start=start, rows=rows))


@pytest.mark.parametrize("month", range(1, 13))
def test_issue_table_every_month_compiled_interpreted_explained(month):
    c = month_table(ISSUE_ROWS)
    m = load(c)
    d = day(month)
    fee = ISSUE_FEES[month]
    assert m.join_month_fee(approved_on=d) == fee
    assert interpret.evaluate(c.ir, "join_month_fee", {"approved_on": d}) == fee
    e = m.explain("join_month_fee", approved_on=d)
    assert e.amount == fee
    row = next(r for r in ISSUE_ROWS.split("\n") if f"{fee:,}円" in r).split()[0]
    assert e.steps[0].text == f"入会の承認日 {d.year}年{d.month}月{d.day}日の月: 「{row}」 → {fee:,}円"


def test_month_table_last_day_of_a_row_and_first_of_the_next():
    """6月30日 is in 4月～6月 (12,000円), 7月1日 in 7月～9月 (9,000円); 3月31日 in 1月～3月."""
    m = load(month_table(ISSUE_ROWS))
    assert m.join_month_fee(approved_on=datetime.date(2024, 6, 30)) == 12_000
    assert m.join_month_fee(approved_on=datetime.date(2024, 7, 1)) == 9_000
    assert m.join_month_fee(approved_on=datetime.date(2025, 3, 31)) == 3_000


def test_single_months_and_else():
    """3月 alone (1,000円), それ以外 for the rest: 4月～2月 pay 5,000円."""
    m = load(month_table("""    4月～9月     5,000円
    3月          1,000円
    それ以外     5,000円"""))
    assert [m.join_month_fee(approved_on=day(k)) for k in (4, 9, 10, 2, 3)] == [5_000, 5_000, 5_000, 5_000, 1_000]


def test_january_year_month_table():
    """A 1月始まり year: rows in calendar order 1月～6月, 7月～12月; 12月 is the last month."""
    c = month_table("""    1月～6月     8,000円
    7月～12月    4,000円""", start=1)
    m = load(c)
    assert m.join_month_fee(approved_on=datetime.date(2024, 6, 30)) == 8_000
    assert m.join_month_fee(approved_on=datetime.date(2024, 12, 1)) == 4_000
    # The April table's order (1月～3月 last) is wrong in a January year.
    c = month_table(ISSUE_ROWS, start=1)
    assert [d.code for d in errors(c)] == ["F410"]


def test_a_range_may_wrap_the_calendar_year_inside_the_fiscal_year():
    """April year: 10月～3月 is 10月, 11月, 12月, 1月, 2月, 3月 (3,000円); 4月～9月 6,000円."""
    m = load(month_table("""    4月～9月     6,000円
    10月～3月    3,000円"""))
    assert [m.join_month_fee(approved_on=day(k)) for k in (9, 10, 12, 1, 3)] == [6_000, 3_000, 3_000, 3_000, 3_000]


def test_gap_is_named_as_a_calendar_month():
    """Without 2月: 「2月 はどの行にも当たりません」 (not the 11th month)."""
    c = month_table("""    4月～1月     6,000円
    3月          3,000円""")
    (g,) = errors(c)
    assert g.code == "F412" and g.message.startswith("2月 はどの行にも当たりません")


def test_gap_in_a_january_year():
    """1月始まり, rows 2月～12月: 1月 is missing, before the first row."""
    (g,) = errors(month_table("    2月～12月    3,000円", start=1))
    assert g.code == "F412" and g.message.startswith("1月 はどの行にも当たりません") and "最初の行" in g.message


def test_overlap_is_named_as_a_calendar_month():
    (o,) = errors(month_table("""    4月～6月     12,000円
    6月～3月      9,000円"""))
    assert o.code == "F411" and o.message.startswith("6月 は『4月～6月』")


def test_row_past_the_fiscal_year_end():
    """April year: 2月～5月 would run 2月, 3月 and then 4月 of the next year."""
    (e,) = errors(month_table("""    4月～1月     6,000円
    2月～5月     3,000円"""))
    assert e.code == "F422" and "3月" in e.message


def test_month_table_page_shows_rows_as_written():
    c = month_table(ISSUE_ROWS)
    pages = docs.pages_for(docs.context(c.ir), docs.environment())
    md, html = pages["join.md"], pages["join.html"]
    for row in ("4月～6月", "7月～9月", "10月～12月", "1月～3月"):
        assert f"| {row} |" in md and f'<td class="band">{row}</td>' in html
    assert "入会の承認日の月" in md and "規程の表記" not in md


# --- hyogo and the command line --------------------------------------------------------------

def test_hyogo_pages_and_explain_never_show_a_count_as_a_calendar_month():
    pages = docs.build_pages([HYOGO])
    md = pages["hyogo_roufuku.md"]
    assert "÷ 12か月" in md and "12月（" not in md
    import feedsl
    y = feedsl.load(HYOGO)
    text = str(y.explain("midyear_annual_fee", annual=60_000, approved_on="2024-10-15"))
    # 10月 → 11月～3月 = 5か月; 60,000 × 5 ÷ 12 = 25,000円
    assert "翌月から年度末までの月数 5か月" in text and "25,000円" in text
    assert not re.search(r"(?<![年\d])5月|÷ 12月", text)


def test_cli_eval_explain_shows_months_as_a_count(capsys):
    """feedsl eval … --explain: 2025年1月10日 → 2月～3月 = 2か月; 60,000 × 2 ÷ 12 = 10,000円."""
    assert main(["eval", HYOGO, "midyear_annual_fee", "annual=60000", "approved_on=2025-01-10", "--explain"]) == 0
    out = capsys.readouterr().out
    assert "10,000円" in out and "翌月から年度末までの月数 2か月" in out and "÷ 12か月" in out


def test_cli_eval_month_table(tmp_path, capsys):
    p = tmp_path / "join.fee"
    p.write_text(JOIN.format(start=4, rows=ISSUE_ROWS), "utf-8")
    assert main(["eval", str(p), "join_month_fee", "approved_on=2025-02-03", "--explain"]) == 0
    out = capsys.readouterr().out
    assert "3,000円" in out and "「1月～3月」" in out


def test_cli_check_reports_month_gap(tmp_path, capsys):
    p = tmp_path / "gap.fee"
    p.write_text(JOIN.format(start=4, rows="    4月～1月     6,000円\n    3月          3,000円"), "utf-8")
    assert main(["check", str(p)]) == 1
    err = capsys.readouterr().err
    assert "F412: 2月 はどの行にも当たりません" in err


def test_bad_date_still_an_input_error():
    m = load(month_table(ISSUE_ROWS))
    with pytest.raises(FeeInputError):
        m.join_month_fee(approved_on="2024-13-01")


def test_cli_eval_shows_a_fiscal_month_as_a_place(tmp_path, capsys):
    """A rule whose value is 年度の月: 2025年1月5日 is the 10th month of an April year, shown
    with its calendar month, never 「10年度の月」 or 「10月」."""
    p = tmp_path / "place.fee"
    p.write_text("規程 s 「s」\n    年度 4月始まり\n入力 d: 日付 「d」\n規則 f 「f」 [1] = 年度の月(d)\n", "utf-8")
    assert main(["eval", str(p), "f", "d=2025-01-05"]) == 0
    assert capsys.readouterr().out.strip() == "f [1]: 年度の第10月（1月）"


def test_cli_eval_shows_a_rate_in_percent(capsys):
    """21 / 100 members is the rate 21%, shown in percent (not as the fraction 21/100)."""
    rinko = str(Path(HYOGO).with_name("rinko_renmei.fee"))
    assert main(["eval", rinko, "join_rate", "members=21", "association_members=100"]) == 0
    assert capsys.readouterr().out.strip().endswith(": 21%")
