"""Issue 14 (content): pages members read — the 会費一覧 first, the regulation's own
words beside each rule, dates right, published examples, no identifiers."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import feedsl
from feedsl import docs
from feedsl.api import check_source
from feedsl.source import SourceFile

ROOT = Path(__file__).resolve().parent.parent
REGS = sorted((ROOT / "regulations").glob("*.fee"))
HOKKAIDO = ROOT / "regulations" / "hokkaido_shakyo.fee"
HYOGO = ROOT / "regulations" / "hyogo_roufuku.fee"
RINKO = ROOT / "regulations" / "rinko_renmei.fee"


class _Visible(HTMLParser):
    """The text a member sees: text nodes, without <style>/<script>, without the
    collapsed 技術情報 section and without the calculator's form (its values are
    what the reader types)."""

    SKIP_TAGS = {"style", "script", "template", "form", "code"}
    VOID = {"br", "meta", "link", "img", "input", "hr", "wbr", "col", "area", "base", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: does it hide its text?
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        a = dict(attrs)
        hidden = (tag in self.SKIP_TAGS or a.get("id") == "technical"
                  or "calculator" in (a.get("class") or "").split() or a.get("id") == "calculator")
        self.stack.append(hidden or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible_text(html: str) -> str:
    p = _Visible()
    p.feed(html)
    return " ".join(p.parts)


def _ir_names(reg) -> set[str]:
    names = set(reg.inputs) | set(reg.rules) | set(reg.enums) | set(reg.records) | set(reg.cat_tables)
    for e in reg.enums.values():
        names |= {n for n, _ in e.values}
    for r in reg.records.values():
        names |= {f.name for f in r.fields}
    for rule in reg.rules.values():
        names |= {p.name for p in rule.param_inputs}
    for t in reg.cat_tables.values():
        names |= {c.name for c in t.columns}
    return names


@pytest.fixture(scope="module")
def pages():
    return docs.build_pages(REGS)


@pytest.mark.parametrize("path", REGS, ids=lambda p: p.stem)
def test_no_identifier_file_name_hash_or_english_outside_the_technical_section(pages, path):
    """Outside 技術情報: no IR name, no .fee file name, no sha256, no ASCII word."""
    html = pages[f"{path.stem}.html"]
    text = visible_text(html)
    reg = feedsl.load(path).__feedsl_ir__
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    assert words == set(), sorted(words)  # no ASCII word at all (covers every IR name)
    assert not (_ir_names(reg) & words)
    assert path.name not in text and ".fee" not in text
    digest = docs._load(path)[1]["source_digest"]
    assert digest not in text and not re.search(r"[0-9a-f]{12}", text)
    # …and the technical section does hold them, for the secretariat.
    tech = html[html.index('id="technical"'):]
    assert path.name in tech and digest in tech and "municipal_fee" in pages["hokkaido_shakyo.html"]


def test_the_visible_text_extractor_sees_what_a_reader_sees():
    """The extractor is not vacuous: text in the body counts, text in 技術情報 and <style> does not."""
    html = ('<html><head><style>.a{color:red}</style></head><body><p>会費 municipal_fee</p>'
            '<section id="technical"><details><summary>技術情報</summary>capacity_fee</details></section>'
            '<form class="calculator"><input value="x"><option>kind</option></form><p>後</p></body></html>')
    text = visible_text(html)
    assert "municipal_fee" in text and "会費" in text and "後" in text
    assert "capacity_fee" not in text and "color" not in text and "kind" not in text


@pytest.mark.parametrize("path", REGS, ids=lambda p: p.stem)
def test_every_page_opens_with_its_overview(pages, path):
    """The first section of <main> is the 会費一覧; the Markdown page too."""
    html = pages[f"{path.stem}.html"]
    main = html.index("<main>")
    assert html.index('<section id="overview">') == html.index("<section", main)
    assert "<h2>会費一覧" in html[main:main + 200]
    md = pages[f"{path.stem}.md"]
    assert md.index("## 会費一覧") < md.index("## 規定と計算のしかた")


def test_hokkaido_names_every_member_type_its_deadline_and_exemption(pages):
    """会員規程 第1条 names 第1種…第5種 and 第2条 賛助会員; 第9条 sets the deadline (9月末日)
    and leaves out 民生委員・ボランティア代表 (第3種) and 第4種."""
    text = visible_text(pages["hokkaido_shakyo.html"])
    overview = text[:text.index("この規程について")]
    for kind in ("第1種会員", "第2種会員", "第3種会員", "第4種会員", "第5種会員", "賛助会員"):
        assert kind in overview, kind
    assert "毎年9月末日まで" in overview and "民生委員" in overview


def test_dates_distinguish_enforcement_from_application_in_wareki_with_seireki(pages):
    """Hokkaido: 平成30年9月21日施行、平成30年4月1日から適用 (附則); 改正履歴 lists both versions."""
    text = visible_text(pages["hokkaido_shakyo.html"])
    assert "平成30年9月21日（2018年）施行、平成30年4月1日（2018年）から適用" in text
    history = text[text.index("改正履歴"):]
    assert "平成13年4月1日（2001年）" in history and "平成30年9月21日（2018年）" in history
    hyogo = visible_text(pages["hyogo_roufuku.html"])
    assert "令和3年4月1日（2021年）施行" in hyogo


def test_the_regulations_own_words_sit_beside_the_rule(pages):
    """A rule with 原文 shows the clause text and the computation side by side (two columns,
    one on a phone); the 原文 lines are not mixed into the 注."""
    ctx = docs.regulation_context(HOKKAIDO)
    sup = next(r for r in ctx["rules"] if r["name"] == "supporter_fee")
    assert sup["original"] == ["2 賛助会費は年額1口10,000円とする。"]
    assert all(n["kind"] != "原文" for r in ctx["rules"] for n in r["notes"])
    html = pages["hokkaido_shakyo.html"]
    art = html[html.index('id="rule-supporter_fee"'):]
    art = art[:art.index("</article>")]
    assert '<div class="pair">' in art and art.index('class="original"') < art.index('class="encoded"')
    assert "2 賛助会費は年額1口10,000円とする。" in art
    assert "grid-template-columns: minmax(0, 1fr);" in html  # stacked on a phone
    for path in REGS:  # every fee rule of the three regulations carries its words
        c = docs.regulation_context(path)
        listed = {cell["anchor"] for row in c["overview"]["rows"] for cell in row["cells"] if cell["anchor"]}
        for r in c["rules"]:
            if r["anchor"] in listed:
                assert r["original"], (path.name, r["name"])


def test_an_overview_may_name_rules_of_a_later_version_only():
    """In a file with 版, the 一覧 describes the latest text: a rule only a later version
    defines is no error in the earlier version's check, a misspelt one still is (F101)."""
    text = """規程 club 「会費規程」
    版 r2 「制定」 施行 令和2年4月1日
    版 r3 「令和3年改正」 施行 令和3年4月1日
    一覧 「会費一覧」
        行 「正会員」 fee
        行 「家族会員」 {family}

規則 fee 「年会費」 [第3条] = 1,000円
例 fee() = 1,000円

版 r3

規則 family_fee 「家族会員 年会費」 [第4条] = 500円
例 family_fee() = 500円
"""
    reg, diags = check_source(SourceFile("club.fee", text.format(family="family_fee")))
    assert [d.code for d in diags if d.is_error] == [] and reg.overview.rows[1][1] == (("rule", "family_fee"),)
    _, diags = check_source(SourceFile("club.fee", text.format(family="famly_fee")))
    assert [(d.code, d.span.line) for d in diags if d.is_error] == [("F101", 6)]


def test_input_errors_in_the_appendix_name_inputs_by_their_labels():
    """The appendix shows why a test example is an input error in a member's words."""
    assert docs._member_words("入力 supporters（特例賛助会員の事業所）[1] の入力 capacity（定員）がありません"
                              ) == "「特例賛助会員の事業所」の2件目の「定員」がありません"
    assert docs._member_words("入力 units（寄付の口数） は 1口以上です") == "「寄付の口数」は 1口以上です"
    details = [e["detail"] for p in REGS for e in docs.regulation_context(p)["examples"] if e["detail"]]
    assert details and not any(re.search(r"[A-Za-z]", d) for d in details)


def test_the_index_speaks_to_members_too(pages):
    """The index lists each regulation with its dates (施行 and 適用 apart), no file names."""
    html = pages["index.html"]
    text = visible_text(html)
    assert not re.search(r"[A-Za-z]", text), text
    assert "平成30年9月21日（2018年）施行、平成30年4月1日（2018年）から適用" in text
    for p in REGS:
        assert f'href="{p.stem}.html"' in html and f'href="{p.stem}.md"' in html


@pytest.mark.parametrize("path", REGS, ids=lambda p: p.stem)
def test_markdown_pages_keep_pace_without_identifiers(pages, path):
    """The Markdown page: no ASCII word before its 技術情報 (after the generator comment)."""
    md = pages[f"{path.stem}.md"]
    body = md.split("\n", 1)[1]
    body = body[:body.index("<details><summary>技術情報")]
    text = re.sub(r"</?(details|summary|br)>", " ", body)
    assert not re.findall(r"[A-Za-z_]{2,}", text), re.findall(r"[A-Za-z_]{2,}", text)[:10]
