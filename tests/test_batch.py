"""feedsl batch: a regulation's entry over a CSV or Excel roster.

Expected fees are worked out from the regulation text (会費算定基準 2, 第9条(1);
兵庫 表4・表6, 第11条), the arithmetic in the comments:

municipal_fee = 四捨五入(世帯割 + 均等割, 1,000円), capped from 人口10万人 up, where
世帯割 = 四捨五入((世帯数 − 生活保護世帯数 − 自衛隊営内居住世帯数) × 14円, 1,000円) and
均等割 = 35,000円 for 町村, by population for 市 (2万以下 50,000 / 3万以下 80,000 /
5万以下 110,000 / 10万以下 170,000 / 20万以下 230,000 / それ以上 320,000).
"""

from __future__ import annotations

import csv
import datetime
import io
import subprocess
import sys
from pathlib import Path

import pytest

from feedsl.cli import main

ROOT = Path(__file__).resolve().parents[1]
HOKKAIDO = str(ROOT / "regulations" / "hokkaido_shakyo.fee")
HYOGO = str(ROOT / "regulations" / "hyogo_roufuku.fee")
EXAMPLE_GROUPS = ROOT / "examples" / "rosters" / "hyogo_special_supporters.csv"
EXAMPLE_CP932 = ROOT / "examples" / "rosters" / "hokkaido_municipal.csv"

HEADER = "会員番号,社協名,市町村の区分,人口,世帯数,生活保護世帯数,自衛隊営内居住世帯数,中核市"
GOOD_ROWS = [
    # 3,456 − 123 = 3,333世帯 × 14 = 46,662 → 47,000; 町村 35,000 → 82,000
    ("1,A町,町村,\"8,000\",3456,123,,", 82_000),
    # full-width: 12,340 − 600 − 40 = 11,700 × 14 = 163,800 → 164,000; 25,000人 ≤ 3万 → 80,000; 244,000
    ("2,B市,市,２５，０００,\"12,340世帯\",600,40,", 244_000),
    # 4.5万人 = 45,000 ≤ 5万 → 110,000; 20,000 × 14 = 280,000; 390,000
    ("3,C市,city,4.5万人,20000,,,いいえ", 390_000),
    # 80,000 − 2,000 = 78,000 × 14 = 1,092,000; 150,000人 → 230,000; 1,322,000 > 上限 1,000,000
    ("4,D市,市,150000,80000,2000,,", 1_000_000),
    # 750 × 14 = 10,500 → 四捨五入 11,000 (half-up; round() would give 10,000); + 35,000 = 46,000
    ("5,E村,町村,2000,750,,,", 46_000),
    # 中核市: 170,000 − 9,000 = 161,000 × 14 = 2,254,000 + 320,000 = 2,574,000 > 上限 1,700,000
    ("6,F市,市,330000,170000,9000,,はい", 1_700_000),
]
BAD_ROWS = [
    # (row, the input the error names)
    ("7,G市,市,30000,5000円,,,", "households"),        # a unit that is not the input's (世帯)
    ("8,H村,村,3000,1000,,,", "kind"),                  # no such 市町村の区分
    ("9,I町,町村,たくさん,1000,,,", "population"),      # not a number
    ("10,J町,町村,3000,-5,,,", "households"),           # a negative count
    ("11,K町,町村,3000,100,200,,", "welfare_households"),  # 前提: 生活保護世帯数 ≤ 世帯数
    ("12,L町,町村,,1000,,,", "population"),             # a required input left empty
    ("13,M市,市,30000,1000,,,たぶん", "core_city"),      # not はい/いいえ
    ("14,N町,町村,2.5,1000,,,", "population"),          # not a whole number of 人
]


def roster_text(rows) -> str:
    return "\r\n".join([HEADER, *rows]) + "\r\n"


def read_csv(path: Path, encoding="utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding), newline="")))


def batch(*args) -> int:
    return main(["batch", *map(str, args), "--quiet"])


def sheets(path: Path) -> dict:
    import python_calamine

    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    return {n: wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names}


# --- CSV -----------------------------------------------------------------------

def test_cp932_csv_with_japanese_headers(tmp_path, capsys):
    """The roster a secretariat keeps: cp932, Japanese headers (labels), typed
    values; every fee as worked out by hand, extra columns carried through, exit 0."""
    roster = tmp_path / "名簿.csv"
    roster.write_bytes(roster_text([r for r, _ in GOOD_ROWS]).encode("cp932"))
    out = tmp_path / "会費.csv"
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", out) == 0
    rows = read_csv(out)
    assert rows[0] == HEADER.split(",") + ["第1種会員 年会費"]
    assert [(r[0], r[1], int(r[-1])) for r in rows[1:]] == [
        (line.split(",")[0], line.split(",")[1], fee) for line, fee in GOOD_ROWS]
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel opens it
    assert not (tmp_path / "会費.errors.csv").exists()
    summary = capsys.readouterr().out
    total = sum(fee for _, fee in GOOD_ROWS)  # 82,000 + 244,000 + 390,000 + 1,000,000 + 46,000 + 1,700,000
    assert total == 3_462_000
    assert "6 行" in summary and "エラー 0 行" in summary and "合計 3,462,000円" in summary


def test_shipped_example_roster(tmp_path):
    """examples/rosters/hokkaido_municipal.csv (cp932, the README's example)."""
    out = tmp_path / "out.csv"
    assert batch(HOKKAIDO, "municipal_fee", EXAMPLE_CP932, "-o", out) == 0
    # 82,000 (町村 8,000人 3,456−123世帯) and 244,000 (市 25,000人 12,340−600−40世帯): the .fee examples
    assert [r[-1] for r in read_csv(out)[1:]] == ["82000", "244000", "1000000"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_encodings_detected(tmp_path, encoding):
    """UTF-8 with or without BOM and cp932 read alike, without --encoding; the
    first header is not spoilt by a BOM."""
    roster = tmp_path / "r.csv"
    roster.write_bytes(roster_text([GOOD_ROWS[0][0]]).encode(encoding))
    out = tmp_path / "o.csv"
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", out) == 0
    rows = read_csv(out)
    assert rows[0][0] == "会員番号" and rows[1][-1] == "82000"


def test_encoding_forced_and_wrong(tmp_path, capsys):
    """--encoding forces the roster's; a roster that is not in it is exit 2 with a message."""
    roster = tmp_path / "r.csv"
    roster.write_bytes(roster_text([GOOD_ROWS[0][0]]).encode("cp932"))
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", tmp_path / "o.csv", "--encoding", "cp932") == 0
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", tmp_path / "o2.csv", "--encoding", "utf-8") == 2
    err = capsys.readouterr().err
    assert "utf-8 として読めません" in err and "Traceback" not in err
    assert not (tmp_path / "o2.csv").exists()


def test_identifier_headers_and_spacing(tmp_path):
    """Headers by identifier or label, NFKC-normalised and whitespace-insensitive."""
    roster = tmp_path / "r.csv"
    roster.write_text("ＫＩＮＤ, 人 口 ,households\n町村,8000,3456\n", "utf-8")
    out = tmp_path / "o.csv"
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", out) == 0
    # 3,456 × 14 = 48,384 → 48,000; + 35,000 = 83,000
    assert read_csv(out)[1][-1] == "83000"


def test_bad_rows_of_every_kind_nothing_lost(tmp_path, capsys):
    """Every source row is in exactly one of the result or the errors; each bad
    row names its input and its row number in the file; exit 1; good rows right."""
    lines = [r for r, _ in GOOD_ROWS[:3]] + [r for r, _ in BAD_ROWS] + [r for r, _ in GOOD_ROWS[3:]]
    roster = tmp_path / "r.csv"
    roster.write_bytes(roster_text(lines).encode("cp932"))
    out = tmp_path / "o.csv"
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", out) == 1
    result = read_csv(out)[1:]
    errors = read_csv(tmp_path / "o.errors.csv")
    assert errors[0] == ["行"] + HEADER.split(",") + ["入力", "エラー"]
    errors = errors[1:]
    assert len(result) + len(errors) == len(lines)
    assert sorted(r[0] for r in result) + sorted(e[1] for e in errors) == \
        sorted(l.split(",")[0] for l, _ in GOOD_ROWS) + sorted(l.split(",")[0] for l, _ in BAD_ROWS)
    assert [int(r[-1]) for r in result] == [fee for _, fee in GOOD_ROWS]
    for (line, name), e in zip(BAD_ROWS, errors):
        assert int(e[0]) == lines.index(line) + 2  # the header is row 1 of the file
        assert e[1] == line.split(",")[0]
        assert e[-2].startswith(name), (e[-2], name)
        assert e[-1] and " / " not in e[-1]  # the Japanese message only
    by_row = {e[1]: e[-1] for e in errors}
    assert "単位が違います" in by_row["7"] and "円" in by_row["7"]
    assert "使える値" in by_row["8"]
    assert "整数ではありません" in by_row["14"]
    err = capsys.readouterr()
    assert "エラー 8 行" in err.out and "o.errors.csv" in err.err


def test_missing_column_is_exit_2_before_any_row(tmp_path, capsys):
    """A required input without a column names the input, its label and the headers found."""
    roster = tmp_path / "r.csv"
    roster.write_text("市町村の区分,人口,住民数\n市,1000,10\n", "utf-8")
    out = tmp_path / "o.csv"
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", out) == 2
    err = capsys.readouterr().err
    assert "households（世帯数）" in err and "住民数" in err and "Traceback" not in err
    assert not out.exists()


def test_two_columns_for_one_input(tmp_path, capsys):
    """人口 and population both in the header: exit 2 naming both, never a guess."""
    roster = tmp_path / "r.csv"
    roster.write_text("市町村の区分,人口,population,世帯数\n市,1000,2000,10\n", "utf-8")
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", tmp_path / "o.csv") == 2
    assert "「人口」と「population」" in capsys.readouterr().err


def test_too_many_rows_for_a_sheet(tmp_path, monkeypatch, capsys):
    """A roster longer than an Excel sheet would lose rows in .xlsx: exit 2 before writing."""
    from feedsl import batch as batch_mod

    monkeypatch.setattr(batch_mod, "XLSX_ROWS", 3)
    roster = tmp_path / "r.csv"
    roster.write_text(roster_text([GOOD_ROWS[0][0]] * 3), "utf-8")
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", tmp_path / "o.xlsx") == 2
    assert ".csv にしてください" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [roster]
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", tmp_path / "o.csv") == 0


def test_map_file(tmp_path):
    """--map map.toml: input = "header" (by identifier or by label)."""
    roster = tmp_path / "r.csv"
    roster.write_text("種別,R6人口,R6世帯数,生保\n町村,8000,3456,123\n", "utf-8")
    mapping = tmp_path / "map.toml"
    mapping.write_text('kind = "種別"\npopulation = "R6人口"\n"世帯数" = "R6世帯数"\n'
                       'welfare_households = "生保"\n', "utf-8")
    out = tmp_path / "o.csv"
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", out, "--map", mapping) == 0
    assert read_csv(out)[1][-1] == "82000"  # as GOOD_ROWS[0]
    mapping.write_text('population = "人口（なし）"\n', "utf-8")
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", out, "--map", mapping) == 2


def test_cp932_output_and_unwritable_character(tmp_path, capsys):
    """--out-encoding cp932 writes cp932; a character cp932 lacks is exit 2 and no file."""
    roster = tmp_path / "r.csv"
    roster.write_text(roster_text([GOOD_ROWS[0][0]]), "utf-8")
    out = tmp_path / "o.csv"
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", out, "--out-encoding", "cp932") == 0
    assert read_csv(out, "cp932")[1][-1] == "82000"
    roster.write_text(roster_text([GOOD_ROWS[0][0].replace("A町", "A町😀")]), "utf-8")
    out2 = tmp_path / "o2.csv"
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", out2, "--out-encoding", "cp932") == 2
    assert "cp932 で書けない文字" in capsys.readouterr().err
    assert not out2.exists() and [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_breakdown_columns(tmp_path):
    """--breakdown: a column per rule municipal_fee adds up; a rule not on the
    path taken (the cap of a small 市) is left empty."""
    roster = tmp_path / "r.csv"
    roster.write_text(roster_text([GOOD_ROWS[1][0], GOOD_ROWS[3][0]]), "utf-8")
    out = tmp_path / "o.csv"
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", out, "--breakdown") == 0
    rows = read_csv(out)
    assert rows[0][-4:] == ["第1種会員 年会費", "世帯割", "均等割", "会費の上限"]
    # B市: 世帯割 164,000, 均等割 80,000 (see GOOD_ROWS); no cap below 10万人
    assert rows[1][-4:] == ["244000", "164000", "80000", ""]
    # D市: 世帯割 1,092,000, 均等割 230,000, cap 1,000,000 applied
    assert rows[2][-4:] == ["1000000", "1092000", "230000", "1000000"]


def test_errors_file_of_an_earlier_run_removed(tmp_path):
    """A clean run does not leave an earlier run's OUT.errors.csv beside OUT."""
    roster = tmp_path / "r.csv"
    roster.write_text(roster_text([GOOD_ROWS[0][0], BAD_ROWS[0][0]]), "utf-8")
    out = tmp_path / "o.csv"
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", out) == 1
    assert (tmp_path / "o.errors.csv").exists()
    roster.write_text(roster_text([GOOD_ROWS[0][0]]), "utf-8")
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", out) == 0
    assert not (tmp_path / "o.errors.csv").exists()


# --- Excel -----------------------------------------------------------------------

def write_xlsx(path: Path, rows, sheet="名簿", blank_rows=0):
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    if sheet != "名簿":
        wb.add_worksheet("表紙").write_string(0, 0, "別のシート")
    ws = wb.add_worksheet(sheet)
    date = wb.add_format({"num_format": "yyyy/mm/dd"})
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if isinstance(v, datetime.date):
                ws.write_datetime(i + blank_rows, j, datetime.datetime.combine(v, datetime.time()), date)
            elif isinstance(v, str):
                ws.write_string(i + blank_rows, j, v)
            elif v is not None:
                ws.write(i + blank_rows, j, v)
    wb.close()


def test_xlsx_with_a_bad_row(tmp_path, capsys):
    """Excel numbers are floats: integer-valued ones read as integers, 8000.5 人
    is rejected. The bad row goes to 「エラー」 with its row number in the sheet,
    every other fee is right, exit 1; the summary sheet adds up."""
    roster = tmp_path / "名簿.xlsx"
    write_xlsx(roster, [
        ["会員番号", "社協名", "市町村の区分", "人口", "世帯数", "生活保護世帯数"],
        [1, "A町", "町村", 8000, 3456, 123],     # 82,000 (GOOD_ROWS[0])
        [2, "X町", "町村", 8000.5, 3456, 123],   # 人口 8000.5: not whole
        [3, "D市", "市", 150000, 80000, 2000],   # 1,000,000 (GOOD_ROWS[3])
    ], blank_rows=2)  # the header is on row 3 of the sheet
    out = tmp_path / "会費.xlsx"
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", out) == 1
    got = sheets(out)
    assert list(got) == ["会費", "エラー", "集計"]
    result = got["会費"]
    assert result[0][-1] == "第1種会員 年会費"
    assert [(r[1], r[-1]) for r in result[1:]] == [("A町", 82_000), ("D市", 1_000_000)]
    errors = got["エラー"]
    assert errors[0][0] == "行" and errors[0][-2:] == ["入力", "エラー"]
    assert len(errors) == 2
    assert errors[1][0] == 5  # blank rows 1–2, header row 3, A町 row 4, X町 row 5
    assert errors[1][2] == "X町" and errors[1][-2] == "population（人口）"
    assert "整数ではありません" in errors[1][-1]
    summary = {r[0]: r[1:] for r in got["集計"] if r and r[0]}
    assert summary["会員数（計算済み）"][0] == 2 and summary["エラーの行数"][0] == 1
    assert summary["合計（円）"][1] == 1_082_000  # 82,000 + 1,000,000
    assert summary["市"] == [1, 1_000_000] and summary["町村"] == [1, 82_000]
    assert "「エラー」" in capsys.readouterr().err


def test_xlsx_output_is_formatted(tmp_path):
    """Yen number format, header frozen, autofilter on the result sheet."""
    import zipfile

    roster = tmp_path / "r.csv"
    roster.write_text(roster_text([GOOD_ROWS[0][0]]), "utf-8")
    out = tmp_path / "o.xlsx"
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", out) == 0
    with zipfile.ZipFile(out) as z:
        sheet1 = z.read("xl/worksheets/sheet1.xml").decode()
        styles = z.read("xl/styles.xml").decode()
    assert 'state="frozen"' in sheet1 and "<autoFilter" in sheet1
    assert "#,##0&quot;円&quot;" in styles


def test_excel_dates_and_wareki(tmp_path):
    """Dates as Excel dates or as text (2024-10-15, 令和6年10月15日): 第11条, 入会金
    50,000円 + 年会費の月割り (承認の翌月から3月まで)."""
    roster = tmp_path / "r.xlsx"
    write_xlsx(roster, [
        ["会員", "年会費", "入会の承認日"],
        # 10月15日承認 → 11月～3月 5か月: 60,000 × 5 ÷ 12 = 25,000; + 50,000 = 75,000
        ["a", 60000, datetime.date(2024, 10, 15)],
        # 3月承認 → 0か月: 50,000
        ["b", 60000, datetime.date(2025, 3, 10)],
        # 4月1日承認 → 5月～3月 11か月: 55,000 + 50,000 = 105,000
        ["c", "60,000円", "令和6年4月1日"],
        # 50,000 × 5 ÷ 12 = 20,833.33… → 切り捨て 20,833; + 50,000 = 70,833
        ["d", 50000, "2024-10-15"],
        ["e", 50000, "令和6年2月30日"],  # no such day
    ], sheet="会員")
    out = tmp_path / "o.csv"
    assert batch(HYOGO, "midyear_join_fee", roster, "-o", out, "--sheet", "会員") == 1
    assert [(r[0], r[-1]) for r in read_csv(out)[1:]] == [
        ("a", "75000"), ("b", "50000"), ("c", "105000"), ("d", "70833")]
    err = read_csv(tmp_path / "o.errors.csv")[1:]
    assert [(e[0], e[1]) for e in err] == [("6", "e")] and "2月30日という日はありません" in err[0][-1]
    assert read_csv(out)[1][2] == "2024-10-15"  # an Excel date carried as a date


def test_unknown_sheet_and_broken_xlsx(tmp_path, capsys):
    roster = tmp_path / "r.xlsx"
    write_xlsx(roster, [["人口"], [1]])
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", tmp_path / "o.csv", "--sheet", "なし") == 2
    assert "シート「なし」はありません" in capsys.readouterr().err
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    assert batch(HOKKAIDO, "municipal_fee", broken, "-o", tmp_path / "o.csv") == 2
    err = capsys.readouterr().err
    assert "Excel ファイルとして読めません" in err and "Traceback" not in err


def test_xlsx_without_the_excel_extra(tmp_path, monkeypatch, capsys):
    """Without python-calamine an .xlsx roster is a clear message (exit 2); CSV still works."""
    monkeypatch.setitem(sys.modules, "python_calamine", None)
    roster = tmp_path / "r.xlsx"
    roster.write_bytes(b"PK")
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", tmp_path / "o.csv") == 2
    assert "pip install 'feedsl[excel]'" in capsys.readouterr().err
    csv_roster = tmp_path / "r.csv"
    csv_roster.write_text(roster_text([GOOD_ROWS[0][0]]), "utf-8")
    assert batch(HOKKAIDO, "municipal_fee", csv_roster, "-o", tmp_path / "o.csv") == 0


# --- records grouped by member ---------------------------------------------------------

def test_group_by_with_hyogo_records(tmp_path):
    """One row per 事業所, grouped by 会員番号; 記録 says regular or supporters.
    The fee is on the member's first row; its other rows are carried without one."""
    out = tmp_path / "o.csv"
    assert batch(HYOGO, "special_supporter_fee", EXAMPLE_GROUPS, "-o", out, "--group-by", "会員番号") == 0
    rows = read_csv(out)[1:]
    assert len(rows) == 7
    fees = [(r[0], r[1], r[-1]) for r in rows if r[-1]]
    assert fees == [
        # 表4: 特養100・特養50・軽費30 → 20,000 × 3 = 60,000 → 上限 50,000; 併設 2 × 10,000 = 20,000;
        # 表6 150,000 + 75,000 + 15,000 = 240,000; 50,000 + 20,000 + 240,000 = 310,000
        ("101", "あおば苑", "310000"),
        # 正会員が居宅: 20,000 × (養護1 + 1) = 40,000; 表6 養護40人 40,000; 80,000
        ("102", "みどりデイ", "80000"),
        # 特養 20人だけ: 20,000 + 表6 30,000 = 50,000
        ("103", "ひかり苑", "50000"),
    ]


def test_group_errors_reject_the_whole_member(tmp_path):
    """A bad record rejects its member: every row of that member goes to the
    errors (nothing lost), the other members are computed."""
    text = EXAMPLE_GROUPS.read_text("utf-8").rstrip("\n").split("\n")
    text += [
        "104,さくら苑,正会員の事業所,特別養護老人ホーム,30,,",
        "104,さくらハウス,特例賛助会員の事業所,軽費老人ホーム,,,",  # 軽費 without 定員
        "105,もみじ苑,正会員の事業所,養護老人ホーム,20,,",
        "105,もみじ苑2,正会員の事業所,養護老人ホーム,20,,",        # two regular rows
        "106,かえで,賛助,養護老人ホーム,20,,",                       # no such record parameter
        "107,つばき,特例賛助会員の事業所,養護老人ホーム,20,,",       # no regular row
        ",はぐれ,正会員の事業所,養護老人ホーム,20,,",                # no member number
    ]
    roster = tmp_path / "r.csv"
    roster.write_text("\n".join(text) + "\n", "utf-8")
    out = tmp_path / "o.csv"
    assert batch(HYOGO, "special_supporter_fee", roster, "-o", out, "--group-by", "会員番号") == 1
    result = read_csv(out)[1:]
    errors = read_csv(tmp_path / "o.errors.csv")[1:]
    assert len(result) + len(errors) == len(text) - 1
    assert [r[-1] for r in result if r[-1]] == ["310000", "80000", "50000"]
    assert sorted({e[1] for e in errors}) == ["", "104", "105", "106", "107"]
    assert len([e for e in errors if e[1] == "104"]) == 2  # both rows of member 104
    by = {e[1]: e for e in errors}
    assert "supporters" in by["104"][-2] or "supporters" in by["104"][-1]
    assert by[""][-2] == "会員番号" and "空です" in by[""][-1]
    assert "2行以上" in by["105"][-1] and "賛助" in by["106"][-1] and "行がありません" in by["107"][-1]


def test_group_by_without_records_rejects_duplicates(tmp_path):
    """municipal_fee takes one row per member: with --group-by, two rows with one
    会員番号 are a duplicate, both rejected (neither silently dropped)."""
    roster = tmp_path / "r.csv"
    roster.write_text(roster_text([GOOD_ROWS[0][0], GOOD_ROWS[1][0], GOOD_ROWS[0][0].replace("A町", "A町（重複）")]),
                      "utf-8")
    out = tmp_path / "o.csv"
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", out, "--group-by", "会員番号") == 1
    assert [(r[0], r[-1]) for r in read_csv(out)[1:]] == [("2", "244000")]
    errors = read_csv(tmp_path / "o.errors.csv")[1:]
    assert [(e[0], e[2]) for e in errors] == [("2", "A町"), ("4", "A町（重複）")]
    assert all(e[-2] == "会員番号" and "2行あります" in e[-1] for e in errors)


def test_list_entry_needs_group_by(tmp_path, capsys):
    assert batch(HYOGO, "special_supporter_fee", EXAMPLE_GROUPS, "-o", tmp_path / "o.csv") == 2
    assert "--group-by" in capsys.readouterr().err


def test_single_record_entry_row_per_member(tmp_path):
    """An entry with one record parameter (standard_fee) takes a row per member, no --group-by."""
    roster = tmp_path / "r.csv"
    roster.write_text("事業所,種別,定員,短期入所者定員,居宅サービス事業を併設\n"
                      "a,特別養護老人ホーム,80,20,はい\n"   # 100人 → 150,000; 20,000 + 10,000 + 150,000 = 180,000
                      "b,居宅サービス事業所,,,\n", "utf-8")  # 30,000, no 定員割
    out = tmp_path / "o.csv"
    assert batch(HYOGO, "standard_fee", roster, "-o", out) == 0
    assert [r[-1] for r in read_csv(out)[1:]] == ["180000", "30000"]


# --- atomic output, exit codes --------------------------------------------------------

def test_atomic_write_on_failure(tmp_path, monkeypatch):
    """A run that fails midway leaves the earlier OUT as it was and no temp file."""
    from feedsl import batch as batch_mod

    roster = tmp_path / "r.csv"
    roster.write_text(roster_text([r for r, _ in GOOD_ROWS] * 1000), "utf-8")
    for name in ("o.csv", "o.xlsx"):
        out = tmp_path / name
        out.write_bytes(b"earlier")
        calls = []

        cls = batch_mod.ScalarEvaluator

        def boom(self, members, calls=calls):
            calls.append(1)
            if len(calls) > 1:
                raise KeyboardInterrupt
            return original(self, members)

        original = cls.evaluate
        monkeypatch.setattr(cls, "evaluate", boom)
        assert batch(HOKKAIDO, "municipal_fee", roster, "-o", out) == 130
        monkeypatch.undo()
        assert len(calls) == 2  # the first chunk was written to the temp file
        assert out.read_bytes() == b"earlier"
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            ["r.csv", "o.csv"] + (["o.xlsx"] if name == "o.xlsx" else []))


@pytest.mark.parametrize("args, message", [
    (["no_such.csv"], "名簿のファイルがありません"),
    (["ROSTER", "-o", "o.txt"], "出力は .csv か .xlsx"),
    (["ROSTER", "--entry-missing"], ""),
])
def test_usage_errors_exit_2(tmp_path, capsys, args, message):
    roster = tmp_path / "r.csv"
    roster.write_text(roster_text([GOOD_ROWS[0][0]]), "utf-8")
    args = [str(roster) if a == "ROSTER" else a for a in args]
    if "-o" not in args:
        args += ["-o", str(tmp_path / "o.csv")]
    assert main(["batch", HOKKAIDO, "municipal_fee", *args]) == 2
    assert message in capsys.readouterr().err


def test_unknown_entry_and_empty_roster(tmp_path, capsys):
    roster = tmp_path / "r.csv"
    roster.write_text("", "utf-8")
    assert batch(HOKKAIDO, "municipal_fe", roster, "-o", tmp_path / "o.csv") == 2
    assert "municipal_fee" in capsys.readouterr().err  # the guess
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", tmp_path / "o.csv") == 2
    assert "見出しの行がありません" in capsys.readouterr().err


def test_command_line_no_progress_when_not_a_terminal(tmp_path):
    """Run as a command with stderr not a terminal: no progress bar, the summary line, exit 1."""
    roster = tmp_path / "r.csv"
    roster.write_bytes(roster_text([GOOD_ROWS[0][0], BAD_ROWS[0][0]]).encode("cp932"))
    out = tmp_path / "o.xlsx"
    p = subprocess.run([sys.executable, "-m", "feedsl", "batch", HOKKAIDO, "municipal_fee", str(roster),
                        "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 1
    assert "2 行" in p.stdout and "エラー 1 行" in p.stdout and "合計 82,000円" in p.stdout
    assert "%|" not in p.stderr and "Traceback" not in p.stderr
    assert out.exists()


def _on_a_terminal(args) -> str:
    """Run ``feedsl`` with stdout/stderr on a pseudo-terminal 100 columns wide; return what it printed."""
    pty = pytest.importorskip("pty")
    import fcntl
    import os
    import struct
    import termios

    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
        os.execv(sys.executable, [sys.executable, "-m", "feedsl", *args])
    out = b""
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    os.waitpid(pid, 0)
    return out.decode("utf-8", "replace")


def test_progress_bar_on_a_terminal_and_quiet(tmp_path):
    """On a terminal the progress bar is drawn on stderr; --quiet leaves only the summary."""
    roster = tmp_path / "r.csv"
    roster.write_text(roster_text([GOOD_ROWS[0][0]] * 5000), "utf-8")
    args = ["batch", HOKKAIDO, "municipal_fee", str(roster), "-o", str(tmp_path / "o.csv")]
    shown = _on_a_terminal(args)
    assert "%|" in shown and "/5000" in shown and "5,000 行" in shown
    quiet = _on_a_terminal(args + ["--quiet"])
    assert "%|" not in quiet and "5,000 行" in quiet


def test_the_columnar_and_scalar_evaluators_give_the_same_rows(tmp_path):
    """Plain-input entries run on m.columns (error-collecting mode); the rows, fees and error messages
    are exactly the scalar evaluator's, bad rows of every kind included."""
    import feedsl
    from feedsl import batch as batch_mod
    from feedsl.roster import read_table

    m = feedsl.load(HOKKAIDO)
    assert batch_mod.ColumnarEvaluator.applies(m, "municipal_fee", breakdown=False)
    assert not batch_mod.ColumnarEvaluator.applies(m, "municipal_fee", breakdown=True)
    assert not batch_mod.ColumnarEvaluator.applies(feedsl.load(HYOGO), "standard_fee", breakdown=False)
    roster = tmp_path / "r.csv"
    roster.write_text(roster_text([r for r, _ in GOOD_ROWS] + [r for r, _ in BAD_ROWS]), "utf-8")
    outs = {}
    for name, ev in (("col", batch_mod.ColumnarEvaluator(m, "municipal_fee")),
                     ("sca", batch_mod.ScalarEvaluator(m, "municipal_fee"))):
        out = tmp_path / f"{name}.csv"
        batch_mod.run(m, "municipal_fee", read_table(roster), out, evaluator=ev)
        outs[name] = (read_csv(out), read_csv(tmp_path / f"{name}.errors.csv"))
    assert outs["col"] == outs["sca"]


def test_engine_columns_gives_the_same_outputs(tmp_path, capsys):
    """feedsl batch --engine columns: the same result and errors files as the default engine."""
    roster = tmp_path / "r.csv"
    roster.write_text(roster_text([r for r, _ in GOOD_ROWS] + [r for r, _ in BAD_ROWS]), "utf-8")
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", tmp_path / "s.csv") == 1
    assert batch(HOKKAIDO, "municipal_fee", roster, "-o", tmp_path / "c.csv", "--engine", "columns") == 1
    assert read_csv(tmp_path / "s.csv") == read_csv(tmp_path / "c.csv")
    assert read_csv(tmp_path / "s.errors.csv") == read_csv(tmp_path / "c.errors.csv")
    # not for records
    capsys.readouterr()
    assert batch(HYOGO, "standard_fee", roster, "-o", tmp_path / "h.csv", "--engine", "columns") == 2
    assert "--engine columns は、記録・一覧の入力がなく" in capsys.readouterr().err
