"""The acceptance regulation tests/fixtures/good/shokokai.fee used the way a secretariat would.

Its 例 lines run in test_examples.py; here the CLI (labels, 億, full-width digits, 和暦,
--explain, --inputs), the Python entries' errors and the member page. Every amount is
worked out by hand from the regulation text in the file's header comments.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import feedsl

FEE = Path(__file__).parent / "fixtures" / "good" / "shokokai.fee"


def run(*args):
    return subprocess.run([sys.executable, "-m", "feedsl", *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def shokokai():
    return feedsl.load(FEE)


def test_eval_with_label_oku_and_full_width_digits():
    # 法人会員 資本金 1.5億円 → 別表第2「1億円超～3億円以下」24,000円;
    # 従業員 25人うちパート5人 → 20 + 5÷2=2.5→2 = 22人 × 300円 = 6,600円;
    # 12,000 + 24,000 + 6,600 = 42,600円（100円未満なし）
    r = run("eval", str(FEE), "payable_fee", "kind=法人会員", "capital=1.5億円", "employees=２５", "part_time=5人")
    assert r.returncode == 0, r.stderr
    assert "42,600円" in r.stdout


def test_eval_explain_shows_band_and_part_time_rounding():
    r = run("eval", str(FEE), "annual_fee", "kind=法人会員", "capital=1.5億円", "employees=25", "part_time=5", "--explain")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "42,600円" in out
    # the band as the regulation writes it, and its amount
    assert "1億円超～3億円以下" in out and "24,000円" in out
    # 第5条第2項: 5人 ÷ 2 = 2.5人 → 2人
    assert "2.5人" in out and "22人" in out
    # 法人会員 gives every input, so nothing is reported as not needed
    assert "入力なし" not in out


def test_eval_wareki_midyear_and_exemption():
    # 個人事業者会員 3人 → 8,000 + 750 = 8,750 → 8,700円; 令和6年10月1日 → 50% → 4,350 → 4,300円;
    # 減免 1,000円 → 3,300円
    r = run("eval", str(FEE), "payable_fee", "kind=個人事業者会員", "employees=3", "new_member=はい",
            "approved_on=令和6年10月1日", "exempted=はい", "exemption_amount=1,000円")
    assert r.returncode == 0, r.stderr
    assert "3,300円" in r.stdout


def test_eval_inputs_json(tmp_path):
    # 42,600円 (as above) × 25%（令和7年1月 → 1月～3月）= 10,650 → 100円未満切り捨て 10,600円
    f = tmp_path / "in.json"
    f.write_text(json.dumps({"kind": "法人会員", "capital": "１．５億円", "employees": 25, "part_time": "５人",
                             "new_member": True, "approved_on": "令和7年1月10日"}, ensure_ascii=False), encoding="utf-8")
    r = run("eval", str(FEE), "payable_fee", "--inputs", str(f), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["amount"] == 10_600


@pytest.mark.parametrize("args, named", [
    # 法人会員なのに資本金がない: the message names the input and when it is needed
    (["kind=法人会員", "employees=10"], "capital（資本金の額）"),
    # 減免を受けるのに減免額がない
    (["kind=法人会員", "capital=1億円", "employees=10", "exempted=はい"], "exemption_amount（減免額）"),
    # 新規入会なのに承認日がない
    (["kind=団体会員", "new_member=はい"], "approved_on（入会の承認日）"),
    # 和暦の期間の外
    (["kind=特別会員", "new_member=はい", "approved_on=平成31年5月1日"], "approved_on"),
])
def test_eval_input_errors_name_the_input(args, named):
    r = run("eval", str(FEE), "payable_fee", *args)
    assert r.returncode == 2
    assert named in r.stderr
    assert "Traceback" not in r.stderr


def test_missing_capital_says_when_it_is_needed(shokokai):
    with pytest.raises(feedsl.FeeInputError) as e:
        shokokai.annual_fee(kind="corporation", employees=3)
    assert "capital" in str(e.value) and "法人会員" in str(e.value)


def test_python_entries(shokokai):
    # 団体会員: 均等割 20,000円 only; 特別会員の入会金は なし → 0円
    assert shokokai.annual_fee(kind="団体会員") == 20_000
    assert shokokai.entrance_fee(kind="special") == 0
    # 10億円ちょうどは「3億円超～10億円以下」48,000円、1円多いと 96,000円; 100人 × 300円 = 30,000円（限度ちょうど）
    assert shokokai.annual_fee(kind="corporation", capital=1_000_000_000, employees=100) == 12_000 + 48_000 + 30_000
    assert shokokai.annual_fee(kind="corporation", capital=1_000_000_001, employees=100) == 12_000 + 96_000 + 30_000
    # パートは従業員数を超えられない（前提）
    with pytest.raises(feedsl.FeeInputError):
        shokokai.annual_fee(kind="sole_proprietor", employees=3, part_time=4)


def test_page_shows_conditional_inputs_and_tables(tmp_path):
    r = run("docs", str(FEE), "-o", str(tmp_path))
    assert r.returncode == 0, r.stderr
    md = (tmp_path / "shokokai.md").read_text(encoding="utf-8")
    assert "必須（法人会員のみ）" in md
    assert "必須（減免を受ける会員のみ）" in md
    # 別表第1 as printed: 特別会員 has no 入会金 and no 従業員割
    assert "| 特別会員 | なし | 10,000円 | なし |" in md
    # 別表第3 rows as the regulation writes them
    for row in ("| 4月～6月 | 100% |", "| 7月～9月 | 75% |", "| 10月～12月 | 50% |", "| 1月～3月 | 25% |"):
        assert row in md
    html = (tmp_path / "shokokai.html").read_text(encoding="utf-8")
    assert "みなと市商工会 会費規程" in html
