"""Issue 14: the calculator in each page — the form spec from the IR, and the page in a browser.

The browser tests open the generated pages from files (no server) in headless
Chromium with a URL fragment and read what the scripts put in the DOM. Every
expected amount is worked out by hand from the regulation text (arithmetic in
the comments).
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

import feedsl
from feedsl import calculator, docs

ROOT = Path(__file__).resolve().parent.parent
REGS = sorted((ROOT / "regulations").glob("*.fee"))


def reg_of(stem):
    return feedsl.load(ROOT / "regulations" / f"{stem}.fee").__feedsl_ir__


# --- the form spec (no browser) -------------------------------------------------------

def test_entry_order_puts_fees_first_and_their_parts_after():
    main, parts = calculator.entry_order(reg_of("hokkaido_shakyo"))
    assert main[0] == "municipal_fee"  # the fee of the issue's URL is the first choice
    assert "base_households" in parts and "household_share" in parts and "municipal_fee" not in parts
    main, parts = calculator.entry_order(reg_of("hyogo_roufuku"))
    # The 一覧 block's rows in its order (first cell of each: 賛助会員, 老人福祉施設 and
    # 居宅サービス事業所 (both standard_fee), 特例賛助会員, 居宅サービス特例賛助会員),
    # then the fees no rule uses (入会時・退会時); the parts of a fee after them.
    assert main == ["no_facility_fee", "standard_fee", "special_supporter_fee", "home_service_group_fee",
                    "midyear_join_fee", "withdrawal_fee"]
    assert "facility_fixed_fee" in parts and "welfare_facility" in parts


def test_spec_fields_for_records_lists_conditions_and_defaults():
    spec = calculator.form_spec(reg_of("hyogo_roufuku"))
    sup = spec["entries"]["special_supporter_fee"]["fields"]
    assert [(f["key"], f["kind"], f["label"]) for f in sup] == [
        ("regular", "record", "正会員の事業所"), ("supporters", "list", "特例賛助会員の事業所")]
    fields = {f["key"]: f for f in spec["records"]["facility"]["fields"]}
    # 定員 is needed only when 種別 is not 居宅サービス事業所: shown and required then.
    assert fields["capacity"]["when"] == {"not": {"is": "kind", "in": ["home_service"]}}
    assert fields["capacity"]["only"] == "種別が居宅サービス事業所でないときのみ"
    assert fields["short_stay"]["default"] == "0" and fields["attached_home_service"]["default"] == "いいえ"
    assert fields["kind"]["options"][0] == ["special_nursing_home", "特別養護老人ホーム"]
    # A record parameter without a label of its own is labelled by its record, never by its name (f).
    assert spec["entries"]["facility_fixed_fee"]["fields"][0]["label"] == "事業所"
    # A parameter narrowed to some values offers only those.
    kinds = spec["entries"]["capacity_base"]["fields"][0]["options"]
    assert [n for n, _ in kinds] == ["special_nursing_home", "nursing_home", "low_cost_home"]
    rinko = calculator.form_spec(reg_of("rinko_renmei"))["entries"]["member_fee"]["fields"]
    assert rinko[1]["when"] == {"is": "plan", "in": ["group"]} and not rinko[1]["required"]
    assert calculator.form_spec(reg_of("rinko_renmei"))["entries"]["donation"]["fields"][0]["range"] == "1口以上"


def test_an_input_the_entry_needs_whatever_the_condition_is_required_and_unconditional():
    # residential_fee reads capacity without taking category: it is required there (RuleIR.always).
    f = calculator.form_spec(reg_of("hokkaido_shakyo"))["entries"]["residential_fee"]["fields"]
    assert [(x["key"], x["required"], "when" in x) for x in f] == [("capacity", True, False)]


def test_spec_json_cannot_end_its_script_element():
    text = str(calculator.script_json({"a": "</script><!-- \u2028 & >"}))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- \u2028 & >"}


def test_an_engine_that_would_end_its_script_element_is_refused():
    with pytest.raises(ValueError):
        calculator._inline_script("var a = '</SCRIPT>';", "x")


def test_a_regulation_the_javascript_backend_cannot_compile_gets_its_page_without_a_calculator(monkeypatch):
    from feedsl.codegen import javascript

    def refuse(*a, **k):
        raise javascript.UnsupportedForJS("IR node Example")

    monkeypatch.setattr(javascript, "generate", refuse)
    page = docs.build_pages([ROOT / "regulations" / "rinko_renmei.fee"])["rinko_renmei.html"]
    assert 'id="calculator"' not in page and "<script" not in page
    assert "連盟入会率" in page  # the rest of the page is there


# --- in a browser -------------------------------------------------------------------

CHROMIUM = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
                 if Path(p).exists()), None)
browser = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (CI installs it with apt-get)")


def _chromium(*args, timeout=90):
    with tempfile.TemporaryDirectory() as profile:
        cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--hide-scrollbars", "--enable-logging=stderr", "--v=0", f"--user-data-dir={profile}", *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self):
        if self.tag in ("script", "style", "noscript"):
            return ""
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def shown_text(self):
        """Text a reader sees: hidden elements, scripts, styles and select options left out."""
        if "hidden" in self.attrs or self.tag in ("script", "style", "noscript", "select", "option"):
            return ""
        return "".join(c if isinstance(c, str) else c.shown_text() for c in self.children)

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def find(self, pred):
        return [n for n in self.iter() if pred(n)]

    def by_id(self, id_):
        return next((n for n in self.iter() if n.attrs.get("id") == id_), None)

    def shown(self):
        n = self
        while n is not None:
            if "hidden" in n.attrs:
                return False
            n = n.parent
        return True


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def parse(html: str) -> Node:
    root = Node("#root", {}, None)

    class P(HTMLParser):
        cur = root

        def handle_starttag(self, tag, attrs):
            n = Node(tag, attrs, self.cur)
            self.cur.children.append(n)
            if tag not in VOID:
                self.cur = n

        def handle_endtag(self, tag):
            n = self.cur
            while n is not None and n.tag != tag:
                n = n.parent
            if n is not None and n.parent is not None:
                self.cur = n.parent

        def handle_data(self, data):
            self.cur.children.append(data)

    P(convert_charrefs=True).feed(html)
    return root


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("pages")
    docs.write_pages(docs.build_pages(REGS), out)
    return out


class _Page:
    """A page opened at a fragment, as the browser left its DOM after the scripts ran."""

    def __init__(self, pages: Path, stem: str, fragment: str):
        url = (pages / f"{stem}.html").as_uri() + "#" + fragment
        r = _chromium("--dump-dom", url)
        assert r.returncode == 0, r.stderr[-2000:]
        errors = [line for line in r.stderr.splitlines() if "Uncaught" in line or "CONSOLE(" in line and "rror" in line]
        assert errors == [], errors
        self.dom = parse(r.stdout)
        self.calc = self.dom.by_id("calculator")
        assert self.calc is not None

    def text(self, id_):
        return self.dom.by_id(id_).text().strip()

    @property
    def amount(self):
        return self.text("calc-amount")

    def field(self, key):
        return next((n for n in self.calc.iter() if n.attrs.get("data-key") == key), None)

    def errors(self):
        return {n.parent.attrs.get("data-key"): n.text() for n in self.calc.iter()
                if "calc-err" in n.attrs.get("class", "").split() and n.shown()}


_opened: dict = {}


def Page(pages: Path, stem: str, fragment: str) -> _Page:  # noqa: N802 - reads like the class it returns
    """A page at a fragment, opened once per test session (each opening is a browser start)."""
    key = (pages, stem, fragment)
    if key not in _opened:
        _opened[key] = _Page(pages, stem, fragment)
    return _opened[key]


def frag(entry, **kw):
    return entry + "?" + "&".join(f"{k.replace('__', '.')}={quote(str(v))}" for k, v in kw.items())


ISSUE_URL = "municipal_fee?kind=city&population=25000&households=54321&welfare_households=1234&sdf_households=0"


HYOGO_TWO = frag("special_supporter_fee", regular__kind="nursing_home", regular__capacity=60, regular__short_stay=10,
                 regular__attached_home_service="いいえ", supporters=2, supporters__0__kind="low_cost_home",
                 supporters__0__capacity=45, supporters__1__kind="home_service",
                 supporters__1__attached_home_service="はい")


@browser
def test_the_issue_url_opens_filled_with_its_amount(pages):
    # Base households 54,321 − 1,234 − 0 = 53,087; ×14円 = 743,218 → 743,000 (1,000円未満四捨五入);
    # 市 25,000人 is in 「3万人以下」 → 均等割 80,000; 743,000 + 80,000 = 823,000円 (under 10万人: no cap).
    p = Page(pages, "hokkaido_shakyo", ISSUE_URL)
    assert p.amount == "823,000円"
    sel = p.dom.by_id("calc-entry")
    assert sel.find(lambda n: n.tag == "option")[0].text() == "第1種会員 年会費"
    # The entry is chosen by its label; the form shows labels and units, no names.
    shown = p.calc.shown_text()
    assert "人口" in shown and "世帯数" in shown and "生活保護世帯数" in shown and "世帯" in shown
    assert p.field("population") is not None and p.errors() == {}
    # For print, the inputs the amount was computed from.
    assert "市町村の区分市人口25000人世帯数54321世帯" in p.text("calc-printed")


@browser
def test_visible_text_of_the_calculator_is_japanese_without_identifiers(pages):
    for stem, fragment in (("hokkaido_shakyo", ISSUE_URL),
                           ("hyogo_roufuku", HYOGO_TWO),
                           ("rinko_renmei", "member_fee?plan=group&members=60&association_members=100")):
        p = Page(pages, stem, fragment)
        shown = p.calc.shown_text()
        reg = reg_of(stem)
        names = set(reg.inputs) | set(reg.rules) | set(reg.enums) | set(reg.records)
        names |= {n for e in reg.enums.values() for n, _ in e.values}
        words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]+", shown))
        assert words == set(), (stem, words)
        assert not names & words
        # Every option a member sees is a label.
        for opt in p.calc.find(lambda n: n.tag == "option"):
            assert not re.search(r"[A-Za-z_]{2,}", opt.text()), opt.text()


@browser
def test_hyogo_two_facility_records_in_a_list(pages):
    # 特例賛助会員制度: 正会員 養護老人ホーム 定員60人+短期入所10人, 併設なし; 特例賛助会員
    # [軽費老人ホーム 45人, 居宅サービス事業所 (併設の印あり)].
    # 表4: 老人福祉施設は 養護 + 軽費 = 2 → 20,000円×2 = 40,000円 (上限50,000円に届かない);
    # 併設居宅サービス事業所: 正会員は併設なし、居宅サービス事業所そのものの印は数えない → 0円.
    # 表6: 養護 70人 → 70,000円; 軽費 45人 → 「40人」の行 20,000円; 居宅サービス事業所 0円 → 90,000円.
    # 40,000 + 90,000 = 130,000円.
    p = Page(pages, "hyogo_roufuku", HYOGO_TWO)
    assert p.amount == "130,000円"
    rows = p.calc.find(lambda n: "calc-row" in n.attrs.get("class", "").split())
    assert [r.attrs["data-key"] for r in rows] == ["supporters.0", "supporters.1"]
    for r in rows:  # each row can be removed; the list can grow
        assert [b.text() for b in r.find(lambda n: n.tag == "button")] == ["削除"]
    assert p.field("supporters").find(lambda n: n.tag == "button")[-1].text() == "追加"
    # 定員 is not asked of a 居宅サービス事業所 (必要 … でないときのみ): hidden in its row, shown in the other.
    assert not p.field("supporters.1.capacity").shown() and p.field("supporters.0.capacity").shown()


@browser
def test_what_is_missing_is_named_by_its_row_and_waits_for_its_condition(pages):
    # Row 1 has no 種別 yet: its 定員 (needed unless 居宅サービス事業所) is not asked until 種別 is chosen.
    p = Page(pages, "hyogo_roufuku", "special_supporter_fee?regular.kind=home_service&supporters=2"
                                     "&supporters.1.kind=nursing_home")
    assert p.amount == "—"
    assert p.text("calc-problem") == ("あと 特例賛助会員の事業所 1件目 種別・特例賛助会員の事業所 2件目 定員 "
                                      "を入力すると、金額を計算します。")
    assert not p.field("supporters.0.capacity").shown() and p.field("supporters.1.capacity").shown()
    assert p.errors() == {}


@browser
def test_rinko_group_plan_payment(pages):
    # 45 ÷ 200 = 22.5%: 21%以上 51%未満 → 2,000円/人; 納入する人数 45 − 5 = 40人; 2,000 × 40 = 80,000円.
    p = Page(pages, "rinko_renmei", "chapter_payment?members=45&association_members=200&new_members=5")
    assert p.amount == "80,000円"


@browser
def test_dates_are_read_as_typed_in_wareki(pages):
    # 令和6年6月20日 承認 → 翌月(7月)から3月まで 9か月; 48,000 × 9 ÷ 12 = 36,000円; 入会金 50,000 + 36,000 = 86,000円.
    p = Page(pages, "hyogo_roufuku", frag("midyear_join_fee", annual="48,000", approved_on="令和6年6月20日"))
    assert p.amount == "86,000円"
    # A date that does not exist is an error at the date's field.
    p = Page(pages, "hyogo_roufuku", frag("midyear_join_fee", annual="48000", approved_on="2024-13-01"))
    assert p.amount == "—"
    assert p.errors() == {"approved_on": "入会の承認日 の日付 2024-13-01: 2024年13月1日という日はありません"}


@browser
def test_conditional_inputs_follow_their_condition(pages):
    # 個人会員プラン: 3,000円, and the group plan's counts are not asked.
    p = Page(pages, "rinko_renmei", "member_fee?plan=individual")
    assert p.amount == "3,000円"
    assert not p.field("members").shown() and not p.field("association_members").shown()
    # 団体入会プラン: 60 ÷ 100 = 60% (51%以上81%未満) → 1,000円/人 × 1人 = 1,000円.
    p = Page(pages, "rinko_renmei", "member_fee?plan=group&members=60&association_members=100")
    assert p.amount == "1,000円"
    assert p.field("members").shown() and "団体入会プランのみ" in p.field("members").shown_text()
    # The group plan without its counts: no amount, and the page says what to fill in.
    p = Page(pages, "rinko_renmei", "member_fee?plan=group")
    assert p.amount == "—"
    assert "名簿の連盟会員数・技士会の会員数" in p.text("calc-problem")


@browser
def test_bad_input_shows_a_japanese_error_at_its_field(pages):
    p = Page(pages, "hokkaido_shakyo", ISSUE_URL.replace("population=25000", "population=abc"))
    assert p.amount == "—"
    assert p.errors() == {"population": "abc は数として読めません"}
    assert "入力を確かめてください" in p.text("calc-problem")
    # A 前提 broken: 1,234 + 0 > 1,000 households; the regulation's own sentence, no input names.
    p = Page(pages, "hokkaido_shakyo", ISSUE_URL.replace("households=54321", "households=1000"))
    assert p.amount == "—"
    (key, message), = p.errors().items()
    assert message.startswith("生活保護世帯数と自衛隊営内居住世帯数の合計は、世帯数を超えられません")
    assert not re.search(r"[A-Za-z_]{2,}", message), message
    # Out of 範囲: a 0-person 養護老人ホーム is not in 表6 (1人以上), named by its label.
    p = Page(pages, "hyogo_roufuku", "capacity_fee?kind=nursing_home&capacity=0")
    assert p.errors() == {"capacity": "1事業所当たり定員数 は 1人以上です（0 が渡されました）"}


@browser
def test_unknown_entry_or_inputs_in_the_fragment_are_said_in_japanese(pages):
    p = Page(pages, "hokkaido_shakyo", "no_such_fee?x=1")
    assert "このリンクが指す計算は、このページにはありません" in p.text("calc-notice")
    p = Page(pages, "hokkaido_shakyo", ISSUE_URL + "&colour=blue&units=3")
    assert p.amount == "823,000円"
    assert "2 件は、この計算では使わないので無視しました" in p.text("calc-notice")
    # A hand-edited link with odd keys and names of the page's own objects: said, never a crash.
    p = Page(pages, "hokkaido_shakyo", 'constructor?a"]=1')
    assert "このリンクが指す計算は、このページにはありません" in p.text("calc-notice")
    p = Page(pages, "hokkaido_shakyo", ISSUE_URL + '&a"]\\=1&%ZZ=2&supporters.0.x=3')
    assert p.amount == "823,000円"
    assert "リンクの項目のうち 2 件は" in p.text("calc-notice") and "値のうち 1 件は読めなかった" in p.text("calc-notice")
    # The page's own links (#rules) are not calculator state: no message, the first entry shown.
    p = Page(pages, "hokkaido_shakyo", "rules")
    assert p.dom.by_id("calc-notice").attrs.get("hidden") is not None


@browser
def test_screenshots_phone_and_desktop(pages):
    """Screenshots of the calculator (the rest of the page hidden) at phone and desktop width,
    in build/screenshots/ to look at."""
    shots = ROOT / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    style = "<style>header,nav,footer,main>section:not(#calculator){display:none!important}</style></head>"
    cases = {"hokkaido_shakyo": ISSUE_URL,
             "hyogo_roufuku": frag("special_supporter_fee", regular__kind="nursing_home", regular__capacity=60,
                                   supporters=1, supporters__0__kind="home_service"),
             "rinko_renmei": "member_fee?plan=group&members=60&association_members=100"}
    for stem, fragment in cases.items():
        page = pages / f"shot-{stem}.html"
        page.write_text((pages / f"{stem}.html").read_text("utf-8").replace("</head>", style, 1), "utf-8")
        for label, size in (("phone", "390,2000"), ("desktop", "1100,1600")):
            png = shots / f"calculator-{stem}-{label}.png"
            r = _chromium(f"--window-size={size}", f"--screenshot={png}", page.as_uri() + "#" + fragment)
            assert png.exists() and png.stat().st_size > 10_000, r.stderr[-2000:]


HARNESS = """<script>
(function () {
  // Acts as a member would: choose, type, add rows, remove one, click はい; records what the page shows.
  var out = {};
  function box(key) { return document.querySelector('[data-key="' + key + '"]'); }
  function set(key, v) {
    var c = box(key).querySelector("select, input");
    c.value = v;
    c.dispatchEvent(new Event("input", { bubbles: true }));
  }
  function amount() { return document.getElementById("calc-amount").textContent; }
  var sel = document.getElementById("calc-entry");
  sel.value = "special_supporter_fee";
  sel.dispatchEvent(new Event("change"));
  set("regular.kind", "special_nursing_home");
  set("regular.capacity", "100");
  var add = box("supporters").querySelector(":scope > .calc-add");
  add.click();
  add.click();
  set("supporters.0.kind", "low_cost_home");
  set("supporters.0.capacity", "30");
  set("supporters.1.kind", "nursing_home");
  set("supporters.1.capacity", "50");
  out.three = amount();
  box("supporters.0").querySelector(":scope > .calc-del").click();
  out.two = amount();
  out.rows = Array.prototype.map.call(document.querySelectorAll(".calc-row"), function (r) { return r.dataset.key; });
  out.kept = box("supporters.0.kind").querySelector("select").value;
  box("regular.attached_home_service").querySelector('input[value="はい"]').click();
  out.attached = amount();
  out.hash = location.hash;
  document.body.setAttribute("data-harness", JSON.stringify(out));
})();
</script>
</body>"""


@browser
def test_editing_computes_live_and_writes_the_fragment_that_reopens_the_same_result(pages):
    page = pages / "harness-hyogo.html"
    page.write_text((pages / "hyogo_roufuku.html").read_text("utf-8").replace("</body>", HARNESS, 1), "utf-8")
    r = _chromium("--dump-dom", page.as_uri())
    assert r.returncode == 0, r.stderr[-2000:]
    body = next(n for n in parse(r.stdout).iter() if n.tag == "body")
    out = json.loads(body.attrs["data-harness"])
    # 正会員 特養100人 + 特例賛助会員 [軽費30人, 養護50人]: 老人福祉施設 3 → 20,000×3 = 60,000 → 上限 50,000円;
    # 表6 特養100人 150,000 + 軽費「30人」15,000 + 養護「50人」50,000 = 215,000; 50,000 + 215,000 = 265,000円.
    assert out["three"] == "265,000円"
    # 軽費 removed: 2 施設 → 40,000円; 150,000 + 50,000 = 200,000; 240,000円. The 養護 row is now the first.
    assert out["two"] == "240,000円"
    assert out["rows"] == ["supporters.0"] and out["kept"] == "nursing_home"
    # 正会員 併設 はい: 併設居宅サービス事業所 1 × 10,000円 → 50,000 + 200,000 = 250,000円.
    assert out["attached"] == "250,000円"
    h = out["hash"]
    assert h.startswith("#special_supporter_fee?regular.kind=special_nursing_home&regular.capacity=100&")
    assert "&supporters=1&supporters.0.kind=nursing_home&supporters.0.capacity=50" in h
    assert "regular.attached_home_service=" + quote("はい") in h
    # The written fragment opens the same state and amount in a fresh page.
    p = Page(pages, "hyogo_roufuku", h[1:])
    assert p.amount == "250,000円"
