"""Issue 6: pages generated from the checked IR (feedsl docs)."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import feedsl
from feedsl import docs, ir
from feedsl.api import check_source, compile_source
from feedsl.cli import main
from feedsl.source import SourceFile

ROOT = Path(__file__).resolve().parent.parent
REGS = sorted((ROOT / "regulations").glob("*.fee"))
HOKKAIDO = ROOT / "regulations" / "hokkaido_shakyo.fee"
HYOGO = ROOT / "regulations" / "hyogo_roufuku.fee"
RINKO = ROOT / "regulations" / "rinko_renmei.fee"


def ctx_of(path):
    return docs.regulation_context(path)


def rule_of(ctx, name):
    return next(r for r in ctx["rules"] if r["name"] == name)


SMALL = """規程 small 「<script>alert(1)</script> 会費」
    出典 「テスト <b>太字</b>」

入力 n: 人 「<script>人数</script>」

表 fee 「人数割 <i>」 [第1条] n による
    10人以下       1,000円
    11～20人以下   2,000円
    21人以上       3,000円
    解釈 「<img src=x onerror=alert(1)> と読む」

例 fee(n=5人) = 1,000円
例 fee(n=15人) = 9,999円
"""


@pytest.fixture
def small(tmp_path):
    p = tmp_path / "small.fee"
    p.write_text(SMALL, "utf-8")
    return p


# --- the language feature -------------------------------------------------------

def test_summary_line_names_rules_and_unknown_names_are_errors():
    """An 一覧 header line reaches the IR in order; an unknown rule name in it is F101 at its column."""
    c = compile_source(SourceFile("t.fee", "規程 t 「t」\n    一覧 「表」 (a, missing)\n規則 a 「A」 = 1円\n"))
    errors = [d for d in c.diagnostics if d.is_error]
    assert [(d.code, d.span.line, d.span.col) for d in errors] == [("F101", 2, 16)]
    c = compile_source(SourceFile("t.fee", "規程 t 「t」\n    一覧 「表」 (b,\n        a)\n規則 a 「A」 = 1円\n規則 b 「B」 = 2円\n"))
    assert c.ok and c.ir.summaries == (("表", ("b", "a")),)


# --- words ------------------------------------------------------------------------

def test_formulas_read_in_japanese_notation():
    """Rules read as the regulation writes them: units, rounding, caps, enum labels, records."""
    h = ctx_of(HOKKAIDO)
    assert rule_of(h, "household_share")["formula"] == "基準世帯数 × 14円/世帯（1,000円未満四捨五入）"
    assert rule_of(h, "base_households")["formula"] == "世帯数 − 生活保護世帯数 − 自衛隊営内居住世帯数"
    assert rule_of(h, "levy_household_share")["formula"] == \
        "基準世帯数と10,000世帯のうち小さい方 × 10円/世帯（1,000円未満四捨五入）"
    cap = rule_of(h, "fee_cap")["cases"]
    assert [(c["when"], c["then"]) for c in cap] == [
        ("中核市", "1,700,000円"), ("人口が20万人以上", "1,500,000円"), ("それ以外", "1,000,000円")]
    fee = rule_of(h, "municipal_fee")
    assert fee["cases"][0] == {"when": "人口が10万人以上", "then": "（世帯割 ＋ 均等割）（上限 会費の上限）"}
    assert fee["rounding"] == "1,000円未満四捨五入"
    assert rule_of(h, "equal_share")["cases"][0]["when"] == "市町村の区分が町村"
    y = ctx_of(HYOGO)
    assert rule_of(y, "welfare_facility")["formula"] == "事業所の種別が居宅サービス事業所でない"
    assert rule_of(y, "capacity_fee")["cases"][1]["when"] == \
        "それ以外（特別養護老人ホーム・養護老人ホーム・軽費老人ホーム）"
    assert "特例賛助会員の事業所のうち「老人福祉施設である（各事業所）」に当たる数" in \
        rule_of(y, "group_welfare_count")["formula"]
    assert rule_of(y, "midyear_annual_fee")["formula"] == \
        "年会費 × 入会の承認日の翌月から年度末までの月数 ÷ 12か月（1円未満切り捨て）"


def test_every_expression_node_has_words_and_unknown_nodes_fail_loudly():
    """The visitor has a method for every IR expression class, and raises on anything else."""
    for cls in (ir.Const, ir.InputRef, ir.ParamRef, ir.RuleRef, ir.Arith, ir.Cmp, ir.EnumIs, ir.BoolOp,
                ir.NotOp, ir.Cond, ir.Match, ir.Branches, ir.Round, ir.MinMax, ir.FyCall, ir.FieldGet,
                ir.Aggregate, ir.Lookup):
        assert hasattr(docs.Words, "n_" + cls.__name__), cls
    reg = feedsl.load(HOKKAIDO).__feedsl_ir__
    with pytest.raises(TypeError, match="no words for IR node Interval"):
        docs.Words(reg)(ir.Interval(None, False, None, False))


def test_amount_filters():
    """Amounts carry thousands separators and 円; rates are exact percents."""
    from fractions import Fraction

    assert docs.fmt_yen(1234567) == "1,234,567円"
    assert docs.fmt_num(0) == "0"
    assert docs.fmt_percent(Fraction(2099, 10000)) == "20.99%"
    env = docs.environment()
    assert env.from_string("{{ 50000|yen }} {{ 1000|num }}").render() == "50,000円 1,000"


# --- tables and charts ------------------------------------------------------------

def test_bracket_tables_show_bounds_as_a_regulation_writes_them():
    """Bands read as the regulation prints them (50人以下 / 51～100人以下 / 401人以上); a row
    written in a shorthand shows its 表記 and the resolved range labelled 範囲, never the
    shorthand as the regulation's words; 表6 is one table with the enum labels as columns."""
    h = ctx_of(HOKKAIDO)
    res = rule_of(h, "residential_fee")["table"]
    assert [r["band"] for r in res["rows"]] == ["50人以下", "51～100人以下", "101～150人以下", "151～200人以下",
                                                "201～300人以下", "301～400人以下", "401人以上"]
    assert all(r["range"] == "" for r in res["rows"])  # as written, nothing to resolve
    assert [r["amounts"] for r in res["rows"]][-1] == ["78,000円"]
    city = rule_of(h, "city_equal_share")["table"]
    # The regulation prints 2～3万人以下; the file writes 3万人以下 after 2万人以下.
    assert city["rows"][1]["band"] == "2～3万人以下" and city["rows"][1]["range"] == "20,001～30,000人"
    assert city["rows"][-1]["band"] == "20万人以上" and city["rows"][-1]["range"] == "200,001人以上"
    assert "3万人以下" not in [r["band"] for r in city["rows"]]
    t6 = rule_of(ctx_of(HYOGO), "capacity_base")["table"]
    assert t6["columns"] == ["養護老人ホーム", "特別養護老人ホーム", "軽費老人ホーム"]
    assert len(t6["rows"]) == 20
    assert t6["rows"][0] == {"band": "1人～19人", "range": "", "amounts": ["10,000円", "20,000円", "5,000円"]}
    assert t6["rows"][1] == {"band": "20人", "range": "20～29人",
                             "amounts": ["20,000円", "30,000円", "10,000円"]}
    assert t6["rows"][-1]["band"] == "200人以上" and t6["rows"][-1]["range"] == ""
    rates = rule_of(ctx_of(RINKO), "group_fee")["table"]
    assert [r["band"] for r in rates["rows"]] == ["21%未満", "入会率21％以上", "入会率51％以上", "入会率81％以上"]
    # 入会率81％以上 says 81%以上 already: no range beside it.
    assert [r["range"] for r in rates["rows"]] == ["", "21%以上～51%未満", "51%以上～81%未満", ""]
    assert rates["rows"][0]["amounts"] == ["3,000円/人"]


def test_rate_tables_get_a_step_chart_and_other_tables_none():
    """A table keyed by a rate gets its step chart (stopping at 100%); bracket tables keyed by a count
    do not (charts where they help: tests/test_print.py)."""
    rate = rule_of(ctx_of(RINKO), "group_fee")["table"]["chart"]
    assert rate["panels"][0]["xticks"][-1]["label"] == "100%"
    assert rule_of(ctx_of(HYOGO), "capacity_base")["table"]["chart"] is None
    assert rule_of(ctx_of(HOKKAIDO), "residential_fee")["table"]["chart"] is None


# --- the 年会費一覧表 ---------------------------------------------------------------

def test_every_page_opens_with_its_overview_declared_by_the_file():
    """The 会費一覧 comes from the 一覧 block: a row per member type, the columns the file
    names (Hyogo's 事業所定額 and 定員割定額 beside the 年会費), each cell an amount or a
    rule in one line linked to its section, then the notes (納期限, 免除)."""
    y = ctx_of(HYOGO)["overview"]
    assert y["columns"] == ["年会費", "事業所定額", "定員割定額"]
    rows = {r["label"]: r for r in y["rows"]}
    no_fac = rows["事業所を有さない会員（賛助会員）"]["cells"]
    # 表2: 団体 10,000円, 個人 5,000円 — made from the rule's arms, not written in the 一覧.
    assert no_fac[0] == {"text": "団体 10,000円・個人 5,000円", "anchor": "rule-no_facility_fee"}
    assert [c["text"] for c in no_fac[1:]] == ["—", "—"]
    t5 = rows["居宅サービス事業所特例賛助会員制度を選択する正会員（第6条）"]["cells"][1]
    # 表5 spans 30,000円 (1～5) to 150,000円 (16以上).
    assert t5["text"].endswith("により 30,000円～150,000円") and t5["anchor"] == "rule-home_service_group_fee"
    mod = feedsl.load(HYOGO)
    assert docs.fmt_yen(mod.no_facility_fee(kind="group")) == "10,000円"
    h = ctx_of(HOKKAIDO)["overview"]
    assert h["columns"] == ["年会費", "負担金"]
    labels = [r["label"] for r in h["rows"]]
    assert any("第3種会員" in x for x in labels) and any("第4種会員" in x for x in labels)
    supporter = next(r for r in h["rows"] if r["label"] == "賛助会員")["cells"][0]
    assert supporter == {"text": "1口につき 10,000円", "anchor": "rule-supporter_fee"}  # 第9条2項: 年額1口10,000円
    notes = {n["kind"]: n["text"] for n in h["notes"]}
    assert "9月末日" in notes["納期限"] and "民生委員" in notes["免除"]
    r = ctx_of(RINKO)["overview"]
    group = next(x for x in r["rows"] if "団体入会プラン" in x["label"])["cells"][0]
    assert group["text"] == "連盟入会率により 500円/人～3,000円/人"
    assert ctx_of(HOKKAIDO)["summaries"] == []


def test_the_old_one_line_summary_still_renders(tmp_path):
    """一覧 「題」 (rule, …) keeps working: amounts by case, a table inline."""
    p = tmp_path / "old.fee"
    p.write_text("""規程 old 「旧い一覧」
    一覧 「年会費一覧表（参考）」 (fee, kinds)

区分 k 「区分」
    a 「甲」
    b 「乙」

入力 kind: k 「区分」
入力 n: 人 「人数」

表 fee 「人数割」 [第1条] n による
    10人以下    1,000円
    それ以上    2,000円

規則 kinds 「区分割」 [第2条] =
    場合 kind
        a → 100円
        b → 200円

例 fee(n=1人) = 1,000円
例 kinds(kind=a) = 100円
""", "utf-8")
    (s,) = ctx_of(p)["summaries"]
    rows = {r["label"]: r for r in s["rows"]}
    assert [(e["case"], e["text"]) for e in rows["区分割"]["entries"]] == [("甲", "100円"), ("乙", "200円")]
    assert [(b["band"], b["amount"]) for b in rows["人数割"]["entries"][0]["bands"]] == [
        ("10人以下", "1,000円"), ("それ以上", "2,000円")]


# --- examples ---------------------------------------------------------------------

def test_examples_are_computed_by_the_compiled_module(small):
    """Each example's amount is what the module returns now; a wrong 例 is shown, marked, not hidden."""
    c = ctx_of(small)
    assert [(e["result"], e["ok"]) for e in c["examples"]] == [("1,000円", True), ("2,000円", False)]
    assert c["examples"][1]["expected"] == "9,999円"
    h = ctx_of(HOKKAIDO)
    assert all(e["ok"] for e in h["examples"])
    err = [e for e in h["examples"] if e["is_error"]]
    assert err and err[0]["detail"].startswith("生活保護世帯数と自衛隊営内居住世帯数の合計は")
    assert h["examples"][1]["args"][0] == {"label": "市町村の区分", "value": "市"}
    y = ctx_of(HYOGO)
    assert "種別 特別養護老人ホーム、定員 30人" in y["examples"][3]["args"][0]["value"]


def test_published_examples_are_apart_with_their_breakdown():
    """公開 examples go to the members' 計算例 with explain()'s breakdown; the rest stay in
    the collapsed appendix; feedsl test runs both (the counts add up to every 例)."""
    for path in REGS:
        c = ctx_of(path)
        reg = feedsl.load(path).__feedsl_ir__
        assert len(c["published"]) + len(c["examples"]) == len(reg.examples)
        assert c["published"] and all(e["caption"] and e["ok"] and not e["is_error"] for e in c["published"])
        assert not any(e["caption"] for e in c["examples"])
    y = ctx_of(HYOGO)
    e = next(e for e in y["published"] if e["caption"].startswith("特別養護老人ホーム"))
    assert "種別 特別養護老人ホーム、定員 80人" in e["args"][0]["value"]
    # 事業所定額 20,000円 + 併設 10,000円 = 30,000円; 表6 特養 80 + 20 = 100人 → 150,000円; 計 180,000円
    b = e["breakdown"]
    assert b["value"] == "180,000円" and [c["value"] for c in b["children"]] == ["30,000円", "150,000円"]
    html = docs.build_pages([HYOGO])["hyogo_roufuku.html"]
    published, appendix = html.index('id="published"'), html.index('id="examples"')
    assert published < appendix and "<details>" in html[appendix:appendix + 200]


# --- pages ------------------------------------------------------------------------

def test_labels_are_escaped_in_html(small, tmp_path):
    """A label containing <script> shows as text: autoescaping is on for every page."""
    pages = docs.build_pages([small])
    html = pages["small.html"]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; 会費" in html
    assert "<img" not in html and "&lt;img src=x" in html
    assert "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;" in pages["small.md"]
    assert "<script>" not in pages["index.html"]


def test_pages_are_deterministic_and_self_contained():
    """Two builds are byte-identical; HTML is lang=ja, has a viewport, inline CSS with A4 print rules, no external assets."""
    a, b = docs.build_pages(REGS), docs.build_pages(REGS)
    assert a == b
    assert sorted(a) == ["hokkaido_shakyo.html", "hokkaido_shakyo.md", "hyogo_roufuku.html",
                         "hyogo_roufuku.md", "index.html", "rinko_renmei.html", "rinko_renmei.md"]
    for name, text in a.items():
        assert not re.search(r"20\d\d-\d\d-\d\dT|\d\d:\d\d:\d\d", text), name
        if name.endswith(".html"):
            assert text.startswith("<!DOCTYPE html>\n<html lang=\"ja\">")
            assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
            assert "@page { size: A4;" in text and "@media print" in text
            assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), name
            # Scripts only inline (the calculator, issue 14): nothing is loaded from a file or the network.
            assert not re.search(r"<script[^>]*\ssrc\s*=", text) and "<link" not in text
    index = a["index.html"]
    for p in REGS:
        assert f'href="{p.stem}.html"' in index and f'href="{p.stem}.md"' in index


def test_markdown_has_the_same_tables():
    """The Markdown page has a GitHub table per bracket table with one line per band, and no trailing spaces."""
    pages = docs.build_pages([HYOGO])
    md = pages["hyogo_roufuku.md"]
    assert "| 1事業所当たり定員数 | 養護老人ホーム | 特別養護老人ホーム | 軽費老人ホーム |\n|---|---:|---:|---:|\n" in md
    assert "| 20人（範囲: 20～29人） | 20,000円 | 30,000円 | 10,000円 |" in md
    assert "| 16以上 | 150,000円 |" in md
    assert "> **解釈** " in md
    assert not any(line.endswith(" ") for line in md.splitlines())


def test_user_templates_override_the_builtin_ones(tmp_path):
    """--templates DIR: a template found there is used before the package's."""
    (tmp_path / "index.html.j2").write_text(
        "<!DOCTYPE html><title>mine</title>{% for r in regulations %}[{{ r.title }}]{% endfor %}\n", "utf-8")
    out = tmp_path / "out"
    assert main(["docs", str(HOKKAIDO), "-o", str(out), "--templates", str(tmp_path)]) == 0
    assert (out / "index.html").read_text("utf-8").startswith("<!DOCTYPE html><title>mine</title>[北海道")
    assert (out / "hokkaido_shakyo.html").read_text("utf-8").startswith("<!DOCTYPE html>\n<html lang=\"ja\">")


def test_check_names_stale_pages(tmp_path, capsys):
    """docs --check exits 1 naming missing or changed pages, and 0 once they are rebuilt."""
    out = tmp_path / "d"
    assert main(["docs", str(RINKO), "-o", str(out), "--check"]) == 1
    assert "rinko_renmei.html" in capsys.readouterr().err
    assert main(["docs", str(RINKO), "-o", str(out)]) == 0
    assert main(["docs", str(RINKO), "-o", str(out), "--check"]) == 0
    (out / "rinko_renmei.md").write_text("edited by hand\n", "utf-8")
    capsys.readouterr()
    assert main(["docs", str(RINKO), "-o", str(out), "--check"]) == 1
    err = capsys.readouterr().err
    assert "rinko_renmei.md" in err and "rinko_renmei.html" not in err


def test_check_names_pages_no_regulation_produces(tmp_path, capsys):
    """A generated page left behind by a removed regulation is stale; hand-written files are not."""
    out = tmp_path / "d"
    assert main(["docs", str(RINKO), "-o", str(out)]) == 0
    (out / "rinko_renmei.html").rename(out / "old_name.html")
    (out / "rinko_renmei.md").rename(out / "old_name.md")
    (out / "guide.md").write_text("# 手書きの案内\n", "utf-8")
    assert main(["docs", str(RINKO), "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["docs", str(RINKO), "-o", str(out), "--check"]) == 1
    err = capsys.readouterr().err
    assert "old_name.html" in err and "old_name.md" in err and "guide.md" not in err


def test_docs_with_errors_exit_1(tmp_path, capsys):
    """A .fee file with errors makes docs exit 1 with the diagnostics."""
    bad = tmp_path / "bad.fee"
    bad.write_text("規程 bad 「b」\n規則 a 「A」 = 1円 + 1人\n", "utf-8")
    assert main(["docs", str(bad), "-o", str(tmp_path / "o")]) == 1
    assert "F201" in capsys.readouterr().err


def test_committed_docs_are_up_to_date():
    """docs/ in the repository is exactly what the regulations produce (what CI's docs --check enforces)."""
    assert docs.stale_files(docs.build_pages(REGS), ROOT / "docs") == []


# --- watching ---------------------------------------------------------------------

def _wait_for(pred, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return False


def _read_page(page: Path) -> str:
    try:
        return page.read_text("utf-8")
    except OSError:
        return ""


@contextlib.contextmanager
def _watching(folder, out):
    """docs.watch on ``folder`` in a thread, started and listening; yields its messages; stops it after."""
    stop = threading.Event()
    messages: list[str] = []
    t = threading.Thread(target=docs.watch, args=([str(folder)], out),
                         kwargs={"stop_event": stop, "report": messages.append, "poll_ms": 50}, daemon=True)
    t.start()
    try:
        assert _wait_for(lambda: any(m.startswith("監視中") for m in messages), 10), messages
        yield messages
        assert t.is_alive()
    finally:
        stop.set()
        t.join(timeout=5)
    assert not t.is_alive()


def test_watch_rebuilds_a_changed_file_and_survives_errors(small, tmp_path):
    """--watch rebuilds a saved file's page within a second, reports an error without stopping, and stops on request."""
    out = tmp_path / "out"
    stop = threading.Event()
    messages: list[str] = []
    built = threading.Event()

    def on_build(path, ok):
        built.set()

    t = threading.Thread(target=docs.watch, args=([str(small)], out),
                         kwargs={"stop_event": stop, "report": messages.append, "on_build": on_build},
                         daemon=True)
    t.start()
    try:
        deadline = time.monotonic() + 10
        while not any(m.startswith("監視中") for m in messages) and time.monotonic() < deadline:
            time.sleep(0.02)
        page = out / "small.html"
        assert page.exists() and "1,000円" in page.read_text("utf-8")
        time.sleep(0.2)

        n = len(messages)
        small.write_text(SMALL.replace("1,000円", "1,500円"), "utf-8")
        assert _wait_for(lambda: "1,500円" in page.read_text("utf-8"), 1.5), messages
        small.write_text(SMALL.replace("1,000円", "1,000人"), "utf-8")  # a unit error
        assert _wait_for(lambda: any("F201" in m for m in messages[n:]), 3), messages
        assert "1,500円" in page.read_text("utf-8")  # the last good page stays
        small.write_text(SMALL.replace("1,000円", "1,700円"), "utf-8")
        assert _wait_for(lambda: "1,700円" in page.read_text("utf-8"), 3), messages
        assert t.is_alive()
    finally:
        stop.set()
        t.join(timeout=5)
    assert not t.is_alive()


@pytest.mark.parametrize("pause", [0.6, 0.0], ids=["deleted-then-recreated", "replaced-at-once"])
def test_watch_survives_its_folder_being_deleted_and_recreated(pause, tmp_path):
    """--watch on a folder that is deleted says it is waiting; when the folder comes back (after a while, or
    at once as a checkout does) it says so, rebuilds what is there and keeps watching later edits."""
    import shutil

    regs = tmp_path / "regs"
    regs.mkdir()
    (regs / "small.fee").write_text(SMALL, "utf-8")
    out = tmp_path / "out"
    page = out / "small.html"
    with _watching(regs, out) as messages:
        shutil.rmtree(regs)
        if pause:
            assert _wait_for(lambda: any("が見つかりません。作り直されるのを待っています" in m for m in messages), 3), \
                messages
            time.sleep(pause)
        regs.mkdir()
        (regs / "small.fee").write_text(SMALL.replace("1,000円", "1,500円"), "utf-8")
        assert _wait_for(lambda: "1,500円" in _read_page(page), 3), messages
        assert _wait_for(lambda: sum(m.startswith("監視中") for m in messages) == 2, 3), messages
        gone = next(i for i, m in enumerate(messages) if f"フォルダ {regs} が見つかりません" in m)
        back = next(i for i, m in enumerate(messages) if f"フォルダ {regs} が戻りました" in m)
        assert gone < back
        time.sleep(0.2)
        (regs / "small.fee").write_text(SMALL.replace("1,000円", "1,700円"), "utf-8")
        assert _wait_for(lambda: "1,700円" in _read_page(page), 3), messages
    assert not any("Traceback" in m or "Error" in m for m in messages), messages


def test_watch_reports_a_name_clash_and_keeps_the_first_files_pages(tmp_path, monkeypatch):
    """Under --watch, a file saved with another watched file's 規程 name is F130 (its pages are not
    written over the other's), a file named index is F131; the index page lists each regulation once,
    also after an edit when the folder was given as a relative path (it used to list it twice)."""
    monkeypatch.chdir(tmp_path)
    regs = Path("regs")
    _regulation(regs / "a.fee", "dues", "1,000円")
    out = tmp_path / "out"
    with _watching("regs", out) as messages:
        time.sleep(0.2)
        _regulation(regs / "b.fee", "dues", "2,000円")
        assert _wait_for(lambda: any("F130" in m for m in messages), 3), messages
        _regulation(regs / "c.fee", "index", "3,000円")
        assert _wait_for(lambda: any("F131" in m for m in messages), 3), messages
        assert "1,000円" in _read_page(out / "dues.html")
        clash = next(m for m in messages if "F130" in m)
        assert f"{tmp_path / 'regs' / 'b.fee'}:1:4: エラー F130" in clash and f"{tmp_path / 'regs' / 'a.fee'}:1:4" in clash
        _regulation(regs / "a.fee", "dues", "1,100円")
        assert _wait_for(lambda: "1,100円" in _read_page(out / "dues.html"), 3), messages
        assert _read_page(out / "index.html").count('href="dues.html"') == 1


# --- in a browser -----------------------------------------------------------------

CHROMIUM = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
                 if Path(p).exists()), None)


def _chromium(*args, timeout=90):
    import tempfile

    with tempfile.TemporaryDirectory() as profile:
        cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--hide-scrollbars", f"--user-data-dir={profile}", *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


class _Dom:
    """Counts what the browser rendered, from --dump-dom."""

    def __init__(self, html: str):
        from html.parser import HTMLParser

        self.tables = []  # (classes, body rows)
        self.charts = []  # step lines and stacked areas per svg
        self.external = []
        dom = self

        class P(HTMLParser):
            stack: list = []

            def handle_starttag(self, tag, attrs):
                a = dict(attrs)
                for k in ("src", "href"):
                    v = a.get(k) or ""
                    if v.startswith(("http:", "https:", "//", "file:")):
                        dom.external.append(v)
                if tag == "link" or (tag == "script" and "src" in a):
                    dom.external.append(tag)
                if tag == "table":
                    dom.tables.append([a.get("class", ""), 0])
                    self.stack.append(len(dom.tables) - 1)
                elif tag == "tr" and self.stack and self.in_body:
                    dom.tables[self.stack[-1]][1] += 1
                elif tag == "tbody":
                    self.in_body = True
                elif tag == "svg":
                    dom.charts.append(0)
                elif tag == "path" and {"step", "area"} & set((a.get("class") or "").split()) and dom.charts:
                    dom.charts[-1] += 1

            in_body = False

            def handle_endtag(self, tag):
                if tag == "table" and self.stack:
                    self.stack.pop()
                elif tag == "tbody":
                    self.in_body = False

        P().feed(html)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (CI installs it with apt-get)")
def test_pages_render_in_a_browser_with_every_table_and_chart(tmp_path):
    """Headless Chromium renders each page: every bracket table and chart is in the DOM with the right
    rows and lines, nothing is loaded from outside; a screenshot of each page goes to build/screenshots/."""
    pages = docs.build_pages(REGS)
    docs.write_pages(pages, tmp_path)
    shots = ROOT / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    for name in sorted(n for n in pages if n.endswith(".html")):
        url = (tmp_path / name).as_uri()
        r = _chromium("--dump-dom", url)
        assert r.returncode == 0, r.stderr[-2000:]
        dom = _Dom(r.stdout)
        assert dom.external == [], name
        assert '<html lang="ja"' in r.stdout
        if name != "index.html":
            ctx = ctx_of(ROOT / "regulations" / name.replace(".html", ".fee"))
            bracket = [rows for cls, rows in dom.tables if cls == "bracket"]
            # Bracket tables and category tables (表 … ごと) alike, in the order of the file.
            assert bracket == [len(r["table"]["rows"]) for r in ctx["rules"] if r["table"]], name
            assert dom.charts == [len(p["lines"]) + len(p["areas"]) for r in ctx["rules"] for c in r["charts"]
                                  for p in c["panels"]], name
            examples = [rows for cls, rows in dom.tables if cls == "examples"]
            assert examples == [len(ctx["examples"])]
            summaries = [rows for cls, rows in dom.tables if cls == "summary"]
            assert len(summaries) == len(ctx["summaries"])
        else:
            assert [rows for cls, rows in dom.tables if cls == "index"] == [len(REGS)]
        stem = name[:-5]
        for label, size in (("", "1000,12000"), ("-phone", "390,3000")):
            png = shots / f"{stem}{label}.png"
            r = _chromium(f"--window-size={size}", f"--screenshot={png}", url)
            assert png.exists() and png.stat().st_size > 10_000, r.stderr[-2000:]


# --- Markdown display safety (issue 10) ---------------------------------------------------

LINKY = """規程 linky 「[公式サイト](https://evil.example) の会費」
    出典 「![](https://evil.example/track.png) 第1条」
    説明 「# 見出しではない」
    説明 「1. 番号付きではない」
    説明 「    字下げ  コードではない」
    一覧 「<https://evil.example> 一覧」 (total)

区分 kind 「*区分*」
    a 「<script>alert(1)</script>」
    b 「~~乙~~ `code` $x$」

入力 k: kind 「[種別](javascript:alert(1))」 説明 「www.evil.example を見よ」
入力 n: 人 「人数 https://evil.example/n」

表 fee 「会費 ![i](https://evil.example/i.png)」 [第2条] n による
    10人以下    1,000円
    それ以上    2,000円
    注 「[注記][ref] と _強調_」
    解釈 「<img src=x onerror=alert(1)>」

規則 total 「合計 | 縦棒」 [第3条] =
    場合 k
        a → fee
        b → fee + 100円

例 total(k=a, n=5人) = 1,000円
"""


@pytest.fixture
def linky(tmp_path):
    p = tmp_path / "linky.fee"
    p.write_text(LINKY, "utf-8")
    return p


@pytest.fixture
def linky_md(linky):
    return docs.build_pages([linky])["linky.md"]


def test_markdown_escapes_link_image_autolink_and_html_syntax_from_author_text(linky_md):
    """Labels, 出典, 説明, enum labels, notes and 一覧 titles are written so that their Markdown syntax is
    inert: brackets, backquotes, tildes, dollars, pipes and a line-starting # or 1. are backslash-escaped,
    https:// and www. are broken, < > become entities, runs of spaces become one."""
    md = linky_md
    assert "# \\[公式サイト\\](https\\://evil.example) の会費\n" in md
    assert "- 出典: !\\[\\](https\\://evil.example/track.png) 第1条\n" in md
    assert "\n\\# 見出しではない\n" in md and "\n1\\. 番号付きではない\n" in md
    assert "\n字下げ コードではない\n" in md  # the label's leading spaces are not kept; inner ones fold
    assert "## &lt;https\\://evil.example&gt; 一覧\n" in md
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md and "<script" not in md
    assert "\\~\\~乙\\~\\~ \\`code\\` \\$x\\$" in md
    assert "| \\[種別\\](javascript:alert(1)) |" in md and "www\\.evil.example を見よ" in md
    assert "注: \\[注記\\]\\[ref\\] と \\_強調\\_" in md
    assert "> **解釈** &lt;img src=x onerror=alert(1)&gt;" in md
    assert "### 合計 \\| 縦棒 [第3条]" in md


def test_markdown_author_text_renders_as_text_on_github(linky_md):
    """GitHub's own renderer (cmark-gfm) makes no link, image, raw HTML, emphasis, code span,
    strikethrough, list or code block out of author text; the text reads as the author wrote it."""
    import html

    import cmarkgfm

    out = cmarkgfm.github_flavored_markdown_to_html(linky_md)
    for tag in ("<a ", "<img", "<script", "<em>", "<code>", "<del>", "<ol>", "<pre>", "<h1>#"):
        assert tag not in out, tag
    assert out.count("<h1>") == 1 and "<strong>解釈</strong>" in out  # the page's own markup stays
    text = html.unescape(out)
    for written in ("[公式サイト](https://evil.example) の会費", "![](https://evil.example/track.png) 第1条",
                    "# 見出しではない", "1. 番号付きではない", "<https://evil.example> 一覧",
                    "<script>alert(1)</script>", "~~乙~~ `code` $x$", "[種別](javascript:alert(1))",
                    "www.evil.example を見よ", "人数 https://evil.example/n", "[注記][ref] と _強調_",
                    "<img src=x onerror=alert(1)>", "合計 | 縦棒"):
        assert written in text, written


def test_user_templates_are_escaped_like_the_builtin_ones(tmp_path, linky):
    """A page template from --templates gets the same protection: HTML autoescaping for .html.j2, the
    Markdown escaping for .md.j2, so a custom page cannot reintroduce live author markup."""
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "regulation.html.j2").write_text("<h1>{{ title }}</h1><p>{{ enums[0]['values'][0] }}</p>\n",
                                                          "utf-8")
    (tmp_path / "tpl" / "regulation.md.j2").write_text("# {{ title }} / {{ enums[0]['values'][0] }}\n", "utf-8")
    pages = docs.build_pages([linky], tmp_path / "tpl")
    assert pages["linky.html"] == \
        "<h1>[公式サイト](https://evil.example) の会費</h1><p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
    assert pages["linky.md"] == \
        "# \\[公式サイト\\](https\\://evil.example) の会費 / &lt;script&gt;alert(1)&lt;/script&gt;\n"
    env = docs.environment()
    assert env.autoescape is True
    assert env.from_string("{{ x }}").render(x="[a](b)") == "[a](b)"  # no template name: not Markdown


# --- hidden characters (issue 10) ------------------------------------------------------

HIDDEN = {
    "\u202e": "U+202E（右から左への上書き）", "\u202a": "U+202A（左から右への埋め込み）",
    "\u2066": "U+2066（左から右への分離）", "\u2069": "U+2069（書字方向の分離の終わり）",
    "\u200e": "U+200E（左から右へのマーク）", "\u200f": "U+200F（右から左へのマーク）",
    "\u061c": "U+061C（アラビア文字の書字方向マーク）", "\x00": "U+0000（ヌル文字）",
    "\x1b": "U+001B（制御文字）", "\x7f": "U+007F（削除文字）", "\x85": "U+0085（次行）",
    "\u2028": "U+2028（行区切り）", "\u2029": "U+2029（段落区切り）", "\u200b": "U+200B（ゼロ幅スペース）",
    "\ufeff": "U+FEFF（ゼロ幅ノーブレークスペース（BOM））", "\U000e0041": "U+E0041（書式制御文字）",
    "\u3164": "U+3164（見えない文字）",
}


@pytest.mark.parametrize("ch", list(HIDDEN), ids=[f"U+{ord(c):04X}" for c in HIDDEN])
def test_hidden_character_in_a_label_is_F007_at_its_position_and_reaches_no_page(ch, tmp_path, capsys):
    """A bidi control, control character, separator or invisible character inside a label is diagnostic
    F007 at its exact line:col naming the character; docs exits 1 and writes no page."""
    p = tmp_path / "h.fee"
    p.write_text(f"規程 h 「会費」\n規則 fee 「会費{ch}」 [第1条] = 1,000円\n例 fee() = 1,000円\n", "utf-8")
    (d,) = feedsl.check_file(p)
    assert (d.code, d.span.line, d.span.col) == ("F007", 2, 11)
    assert d.message.startswith(f"「{HIDDEN[ch]}」は見えない")
    with pytest.raises(feedsl.FeeCompileError):
        feedsl.load(p)
    out = tmp_path / "out"
    assert main(["docs", str(p), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{p}:2:11: エラー F007" in err and ch not in err
    assert not out.exists()


def test_tab_and_variation_selectors_are_allowed():
    """Tabs and ideographic variation selectors (葛 + U+E0100, used in Japanese names) are ordinary text."""
    from feedsl.source import hidden_characters

    assert hidden_characters("規程\tt 「葛\U000e0100飾区\ufe00」\r\n") == []


def test_hidden_characters_are_reported_anywhere_but_twenty_at_most(tmp_path):
    """A comment is scanned too; a file full of NULs (saved in the wrong encoding) gets 20 diagnostics,
    the last saying how many more there are."""
    p = tmp_path / "z.fee"
    p.write_text("規程 z 「z」\n# コメント\u202eの中\n" + "\x00" * 30 + "\n", "utf-8")
    diags = feedsl.check_file(p)
    assert [(d.span.line, d.span.col) for d in diags[:3]] == [(2, 7), (3, 1), (3, 2)]
    assert len(diags) == 20 and diags[-1].message.endswith("（ほかに 11 個）")
    assert diags[-1].text("en").endswith("(11 more)")


def test_a_rendered_diagnostic_never_echoes_a_hidden_character():
    """The source line under a diagnostic shows a hidden character as '?', with the caret right under it."""
    from feedsl.diagnostics import render

    text = "規程 t 「a\u202eb」\n"
    (d,) = check_source(SourceFile("t.fee", text))[1]
    lines = render(d, text).split("\n")
    assert lines[1] == "     1 | 規程 t 「a?b」"
    assert lines[2] == "       | " + " " * 10 + "^"  # 規程 t 「a is 10 columns wide (kanji and 「 take two)


# --- output clashes (issue 10) ----------------------------------------------------------

def _regulation(path: Path, name: str, amount: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"規程 {name} 「{name} の会費」\n規則 fee 「会費」 [第1条] = {amount}\n例 fee() = {amount}\n", "utf-8")
    return path


def test_docs_two_sources_with_one_name_fail_before_writing(tmp_path, capsys):
    """Two files with one 規程 name would overwrite each other's pages: docs (and docs --check) exit 1
    naming both headers, and no page is written."""
    a = _regulation(tmp_path / "one.fee", "dues", "1円")
    b = _regulation(tmp_path / "two.fee", "dues", "2円")
    out = tmp_path / "out"
    assert main(["docs", str(a), str(b), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{b}:1:4: エラー F130: 規程名「dues」は {a}:1:4 の規程名「dues」と同じです" in err
    assert "出力ファイル dues.html・dues.md を取り合う" in err and f"  {a}:1:4: 同じ規程名" in err
    assert not out.exists()
    assert main(["docs", str(a), str(b), "-o", str(out), "--check"]) == 1
    assert "F130" in capsys.readouterr().err
    with pytest.raises(feedsl.FeeCompileError, match="F130"):
        docs.build_pages([a, b])


@pytest.mark.parametrize("name", ["index", "Index", "INDEX"])
def test_a_regulation_named_index_cannot_replace_the_index_page(name, tmp_path, capsys):
    """index.html is the index page; a regulation named index (in any case: one file on macOS and Windows)
    is F131 at its name and nothing is written."""
    p = _regulation(tmp_path / "r.fee", name, "1円")
    out = tmp_path / "out"
    assert main(["docs", str(p), str(RINKO), "-o", str(out)]) == 1
    assert f"{p}:1:4: エラー F131: 規程名「{name}」は使えません。{name}.html は一覧ページ index.html と同じファイルです" \
        in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("name", ["language", "Language"])
def test_a_regulation_named_language_cannot_replace_the_language_reference(name, tmp_path, capsys):
    """docs/language.md is the language reference; `feedsl docs regulations -o docs` would write a
    regulation named language over it: F131, nothing written."""
    p = _regulation(tmp_path / "r.fee", name, "1円")
    out = tmp_path / "out"
    assert main(["docs", str(p), "-o", str(out)]) == 1
    assert f"{p}:1:4: エラー F131: 規程名「{name}」は使えません。{name}.md は言語リファレンス language.md と同じファイルです" \
        in capsys.readouterr().err
    assert not out.exists()


def test_a_table_of_rates_says_rate_not_amount(tmp_path):
    """A table whose cells are percentages (月割りの割合) heads its column 割合, not 金額."""
    p = tmp_path / "rate.fee"
    p.write_text("""規程 rate 「割合の表」
入力 people: 人 「人数」
表 share 「負担割合」 [第1条] people による
    10人以下   100%
    それ以上    75%
例 share(people=10人) = 100%
例 share(people=11人) = 75%
""", "utf-8")
    ctx = docs.regulation_context(p)
    (table,) = [r["table"] for r in ctx["rules"] if r.get("table")]
    assert table["columns"] == ["割合"]
