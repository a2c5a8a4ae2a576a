"""``feedsl batch`` over a 100,000-row roster: CSV → CSV, CSV → xlsx and xlsx → xlsx.

Run: python benchmarks/bench_batch.py [--rows N] [--keep DIR]

The roster is Hokkaido municipal_fee with Japanese headers as a secretariat
types them (市町村の区分 as 市/町村, 人口 with thousands commas, some full-width
digits, every 500th row with a unit slip so the errors path is exercised too).
Each target is timed through the command's own entry point (``feedsl.cli.main``,
the way the command runs: reading, header matching, cell reading, the compiled
entry, writing, atomic rename) in this process, once each; the goals are
< 10 s for CSV → CSV and < 30 s for CSV → xlsx on a 2-core machine.
The xlsx read-back time (python-calamine) is printed for scale.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from feedsl.cli import main  # noqa: E402

REG = ROOT / "regulations" / "hokkaido_shakyo.fee"
HEADERS = ["会員番号", "社協名", "市町村の区分", "人口", "世帯数", "生活保護世帯数", "自衛隊営内居住世帯数", "中核市"]
FULL = str.maketrans("0123456789,", "０１２３４５６７８９，")


def make_roster(path: Path, rows: int, seed: int = 12) -> int:
    """Write the roster; return how many rows carry a deliberate error."""
    rng = random.Random(seed)
    bad = 0
    with open(path, "w", encoding="cp932", newline="") as f:
        f.write(",".join(HEADERS) + "\r\n")
        for i in range(1, rows + 1):
            kind = rng.choice(("市", "町村"))
            population = rng.randint(500, 400_000)
            households = rng.randint(population // 4, population // 2 + 1)
            welfare = rng.randint(0, households // 20)
            sdf = rng.choice((0, 0, 0, rng.randint(0, 50)))
            pop_text = f"\"{population:,}\"" if i % 3 else f"\"{population:,}\"".translate(FULL)
            hh_text = f"{households}世帯" if i % 7 == 0 else str(households)
            if i % 500 == 0:
                hh_text = f"{households}円"  # a unit slip: this row goes to the errors
                bad += 1
            core = "はい" if kind == "市" and population >= 200_000 and i % 5 == 0 else ""
            f.write(f"{i},社協{i},{kind},{pop_text},{hh_text},{welfare},{sdf if sdf else ''},{core}\r\n")
    return bad


def to_xlsx(roster: Path, target: Path) -> None:
    """The same roster as an Excel sheet: numbers as numbers, text as typed."""
    import csv

    import xlsxwriter

    wb = xlsxwriter.Workbook(str(target), {"constant_memory": True})
    ws = wb.add_worksheet("名簿")
    with open(roster, encoding="cp932", newline="") as f:
        for i, row in enumerate(csv.reader(f)):
            for j, v in enumerate(row):
                if v.isascii() and v.isdigit():
                    ws.write_number(i, j, int(v))
                elif v:
                    ws.write_string(i, j, v)
    wb.close()


def timed(args) -> tuple[float, int]:
    t0 = time.perf_counter()
    code = main(args)
    return time.perf_counter() - t0, code


def run(rows: int, keep: str | None) -> None:
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="feedsl-bench-batch-"))
    work.mkdir(parents=True, exist_ok=True)
    roster = work / "roster.csv"
    bad = make_roster(roster, rows)
    print(f"roster: {rows:,} rows (cp932, {bad} with a unit slip) in {work}")
    main(["batch", str(REG), "municipal_fee", str(roster), "-o", str(work / "warm.csv"), "--quiet"])  # compile once
    t_csv, code_csv = timed(["batch", str(REG), "municipal_fee", str(roster), "-o", str(work / "out.csv"), "--quiet"])
    t_xlsx, code_xlsx = timed(["batch", str(REG), "municipal_fee", str(roster), "-o", str(work / "out.xlsx"), "--quiet"])
    to_xlsx(roster, work / "roster.xlsx")
    t_x2x, code_x2x = timed(["batch", str(REG), "municipal_fee", str(work / "roster.xlsx"), "-o",
                             str(work / "out2.xlsx"), "--quiet"])
    t0 = time.perf_counter()
    import python_calamine

    n = len(python_calamine.CalamineWorkbook.from_path(str(work / "out.xlsx")).get_sheet_by_index(0).to_python())
    t_read = time.perf_counter() - t0
    print(f"CSV → CSV : {t_csv:6.2f} s  (goal < 10 s; exit {code_csv})")
    print(f"CSV → xlsx: {t_xlsx:6.2f} s  (goal < 30 s; exit {code_xlsx})")
    print(f"xlsx → xlsx: {t_x2x:6.2f} s  (exit {code_x2x})")
    print(f"read back the xlsx with python-calamine: {t_read:.2f} s ({n - 1:,} result rows)")
    if not keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--keep", help="write the roster and outputs here (default: a temporary directory)")
    a = p.parse_args()
    run(a.rows, a.keep)
