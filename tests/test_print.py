"""Issue 14 (presentation): the pages printed on A4, read on a phone, and their charts.

Printing and layout checks run headless Chromium and poppler's pdfinfo/pdftotext
(CI installs both with apt-get); without them they skip. The chart checks need
neither: every amount a chart draws is compared with the regulation's own
tables, worked out by hand below.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

from feedsl import charts, docs
from test_docs import CHROMIUM, _chromium  # one way to start the browser for every page test

ROOT = Path(__file__).resolve().parent.parent
REGS = sorted((ROOT / "regulations").glob("*.fee"))
HOKKAIDO = ROOT / "regulations" / "hokkaido_shakyo.fee"
HYOGO = ROOT / "regulations" / "hyogo_roufuku.fee"
RINKO = ROOT / "regulations" / "rinko_renmei.fee"

POPPLER = shutil.which("pdfinfo") and shutil.which("pdftotext")
needs_browser = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (CI installs it)")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed (CI installs it)")

# A4 pages each page may print on. Before issue 14: Hyogo 13, Hokkaido 8, Rinko 7.
PAGE_BUDGET = {"hyogo_roufuku": 5, "hokkaido_shakyo": 4, "rinko_renmei": 3}


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("pages")
    built = docs.build_pages(REGS)
    docs.write_pages(built, out)
    titles = {name[:-5]: docs.regulation_context(ROOT / "regulations" / name.replace(".html", ".fee"))["title"]
              for name in built if name.endswith(".html") and name != "index.html"}
    return out, titles


def rule_of(ctx, name):
    return next(r for r in ctx["rules"] if r["name"] == name)


# --- print ----------------------------------------------------------------------

@needs_browser
@needs_poppler
@pytest.mark.parametrize("stem", sorted(PAGE_BUDGET))
def test_page_prints_on_its_a4_budget_with_title_and_page_numbers(pages, stem):
    """Each page prints within its budget of A4 pages; every printed page carries the
    regulation's title at the top and 「n / N」 at the bottom, numbered 1..N in order."""
    out, titles = pages
    pdf = out / f"{stem}.pdf"
    r = _chromium(f"--print-to-pdf={pdf}", "--no-pdf-header-footer", (out / f"{stem}.html").as_uri())
    assert pdf.exists(), r.stderr[-2000:]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert "A4" in info or re.search(r"Page size:\s+595(\.\d+)? x 841", info), info
    assert 1 <= count <= PAGE_BUDGET[stem], f"{stem} prints on {count} pages"
    title = titles[stem]
    for n in range(1, count + 1):
        text = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        assert lines[0] == title, (n, lines[:2])  # the running title is the first line of every page
        assert re.fullmatch(rf"{n}\s*/\s*{count}", lines[-1]), (n, lines[-1])


def test_running_title_is_a_css_string_author_text_cannot_end():
    """The title reaches the page's <style> as a CSS string: quotes, backslashes and </style> are escaped."""
    assert docs.css_string("会費") == '"会費"'
    hostile = 'a"b\\c</style><script>x</script>\n'
    s = str(docs.css_string(hostile))
    assert s.startswith('"') and s.endswith('"') and '"' not in s[1:-1]
    assert "<" not in s and ">" not in s and "\\\\" not in s and "\n" not in s
    # CSS reads the escapes back to the same text: \22 is ", \5c is \, \3c is <, \3e is >, \a is a line break.
    unescaped = re.sub(r"\\([0-9a-f]{1,6}) ", lambda m: chr(int(m.group(1), 16)), s[1:-1])
    assert unescaped == hostile


# --- phone ----------------------------------------------------------------------

PROBE = """<script>
addEventListener("load", () => {
  const lines = n => { const r = document.createRange(); r.selectNodeContents(n); return r.getClientRects().length; };
  const out = {stray: [], sticky: [], bands: [], nav: [], ticks: [], tickFont: []};
  for (const box of document.querySelectorAll(".scroll")) {
    if (box.closest("details:not([open])")) continue;      // a collapsed appendix is not on the screen
    if (box.scrollHeight <= box.clientHeight + 1) continue;  // not a scroll box: the header has nothing to stick to
    box.scrollTop = box.scrollHeight;                       // scroll the table to its end
    const th = box.querySelector("thead th");
    if (!th || !th.getClientRects().length) { out.stray.push([box.firstElementChild.className, box.scrollHeight, box.clientHeight]); continue; }
    out.sticky.push(Math.round(th.getBoundingClientRect().top - box.getBoundingClientRect().top));
  }
  for (const td of document.querySelectorAll("td.band")) {
    const label = td.firstChild;                            // the band as the regulation writes it
    if (label && label.nodeType === 3) out.bands.push([label.textContent, lines(label), td.getClientRects()[0].height]);
  }
  for (const a of document.querySelectorAll("nav.toc a")) out.nav.push([a.textContent, a.getClientRects().length]);
  for (const svg of document.querySelectorAll("figure.chart svg")) {
    const boxes = [...svg.querySelectorAll("text")].map(t => t.getBoundingClientRect());
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5)
        out.ticks.push([svg.getAttribute("aria-label"), svg.querySelectorAll("text")[i].textContent,
                        svg.querySelectorAll("text")[j].textContent]);
    }
    const t = svg.querySelector("text");
    out.tickFont.push(t.getBoundingClientRect().height);
  }
  const pre = document.createElement("pre"); pre.id = "probe"; pre.textContent = JSON.stringify(out);
  document.body.append(pre);
});
</script>"""


@needs_browser
@pytest.mark.parametrize("stem", sorted(PAGE_BUDGET))
def test_phone_layout_keeps_headers_bands_index_and_ticks_readable(pages, stem):
    """At 390 px: a long table's header stays at the top of its scroll box when the table is scrolled
    to its end, band labels stay on one line, index links do not break, chart labels do not overlap
    and are not shrunk below 8 px."""
    out, _ = pages
    probe = out / f"{stem}.probe.html"
    probe.write_text((out / f"{stem}.html").read_text("utf-8").replace("</body>", PROBE + "</body>"), "utf-8")
    r = _chromium("--window-size=390,844", "--virtual-time-budget=3000", "--dump-dom", probe.as_uri())
    m = re.search(r'<pre id="probe">(.*?)</pre>', r.stdout, re.S)
    assert m, r.stderr[-2000:]
    got = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
    if stem == "hyogo_roufuku":
        assert got["sticky"], "表6 (20 rows) scrolls in its own box on a phone"
    assert all(abs(d) <= 1 for d in got["sticky"]), got
    assert got["stray"] == []  # no box scrolls up and down unless it is a long table's
    assert got["bands"] and all(n == 1 for _, n, _ in got["bands"]), [b for b in got["bands"] if b[1] != 1]
    assert got["nav"] and all(n == 1 for _, n in got["nav"]), got["nav"]
    assert got["ticks"] == []
    assert got["tickFont"] and min(got["tickFont"]) >= 8, got["tickFont"]


# --- charts ---------------------------------------------------------------------

def _charts(path):
    ctx = docs.regulation_context(path)
    return ctx, {r["name"]: r["charts"] for r in ctx["rules"] if r["charts"]}


def test_charts_only_where_they_help():
    """Three charts in all, not one per table: Rinko's rate table, Hyogo's 年会費 (stacked), Hokkaido's
    第1種 fee with its cap."""
    shown = {p.stem: sorted(_charts(p)[1]) for p in REGS}
    assert shown == {"hokkaido_shakyo": ["municipal_fee"], "hyogo_roufuku": ["standard_fee"],
                     "rinko_renmei": ["group_fee"]}
    assert all(len(_charts(p)[1][name]) == 1 for p in REGS for name in _charts(p)[1])


def test_rinko_rate_chart_draws_the_table():
    """入会率 21%未満 3,000円, 21%以上 2,000円, 51%以上 1,000円, 81%以上 500円 (the slide), to 100%."""
    (fig,) = _charts(RINKO)[1]["group_fee"]
    (panel,) = fig["panels"]
    F = Fraction
    assert panel["data"] == {"金額": [(F(0), F(21, 100), 3000), (F(21, 100), F(51, 100), 2000),
                                      (F(51, 100), F(81, 100), 1000), (F(81, 100), F(1), 500)]}
    assert [t["label"] for t in panel["xticks"]][-1] == "100%"
    assert fig["x_label"] == "連盟入会率（%）" and fig["y_label"] == "金額（円/人）"
    assert "右側の段の額" in fig["caption"]  # 21% itself is 2,000円: bands end 未満


def test_hyogo_stacked_chart_is_fixed_fee_under_capacity_fee_per_kind():
    """表3: 老人福祉施設の事業所定額 20,000円. 表6 (特養 / 養護 / 軽費): 1～19人 20,000 / 10,000 / 5,000円,
    20人 30,000 / 20,000 / 10,000円, 200人以上 300,000 / 200,000 / 110,000円. 年会費 = 事業所定額 + 定員割."""
    (fig,) = _charts(HYOGO)[1]["standard_fee"]
    by_kind = {p["subtitle"]: p["data"] for p in fig["panels"]}
    assert list(by_kind) == ["特別養護老人ホーム", "養護老人ホーム", "軽費老人ホーム"]  # the 区分's order
    for kind, (first, second, last) in {"特別養護老人ホーム": (20_000, 30_000, 300_000),
                                        "養護老人ホーム": (10_000, 20_000, 200_000),
                                        "軽費老人ホーム": (5_000, 10_000, 110_000)}.items():
        data = by_kind[kind]
        base = data["事業所定額"]
        assert len(base) == 1 and base[0][2] == 20_000 and base[0][0] == 1
        total = data["合計"]
        assert total[0] == (1, 20, 20_000 + first)      # 1～19人
        assert total[1] == (20, 30, 20_000 + second)    # 20～29人
        assert total[-1][0] == 200 and total[-1][2] == 20_000 + last
        assert len(total) == 20                         # one step per row of 表6
    assert fig["x_label"] == "1事業所当たり定員数（人）" and fig["y_label"] == "金額（円）"
    assert "capacity" not in json.dumps(fig, ensure_ascii=False, default=str)  # no identifiers on the page


def test_hokkaido_fee_chart_with_its_cap():
    """A 市 with 世帯数 = 人口 ÷ 2. 世帯割 = 14円 × 世帯数 (1,000円未満四捨五入); 均等割 (市) by 人口;
    上限 from 人口10万人以上: 1,000,000円, 20万人以上 1,500,000円, 中核市 1,700,000円."""
    (fig,) = _charts(HOKKAIDO)[1]["municipal_fee"]
    (panel,) = fig["panels"]
    fee = dict(panel["data"]["年会費（市、1世帯2人の場合）"])
    # 50,000人, 25,000世帯: 14 × 25,000 = 350,000; 均等割 (5万人以下) 110,000 → 460,000円
    assert fee[50_000] == 460_000
    # 20,100人, 10,050世帯: 14 × 10,050 = 140,700 → 141,000; 均等割 (3万人以下) 80,000 → 221,000円
    assert fee[20_100] == 221_000
    # 100,000人, 50,000世帯: 700,000 + 均等割 (10万人以下) 170,000 = 870,000円 (not capped)
    assert fee[100_000] == 870_000
    # 150,000人, 75,000世帯: 1,050,000 + 230,000 = 1,280,000 → 上限 1,000,000円
    assert fee[150_000] == 1_000_000
    # 300,000人, 150,000世帯: 2,100,000 + 320,000 → 上限 1,500,000円
    assert fee[300_000] == 1_500_000
    assert all(isinstance(v, int) for v in fee.values())
    caps = panel["data"]["上限"]
    assert [(a, v) for a, _, v in caps] == [(100_000, 1_000_000), (200_000, 1_500_000)]
    assert [(a, v) for a, _, v in panel["data"]["上限（中核市）"]] == [(100_000, 1_700_000)]
    assert "1世帯2人" in fig["caption"] and fig["x_label"] == "人口（人）"


def test_tick_labels_are_short():
    assert [charts._tick(x) for x in (0, 500, 10_000, 25_000, 1_500_000, 300_000_000)] == \
        ["0", "500", "1万", "2.5万", "150万", "3億"]
