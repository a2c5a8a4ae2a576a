"""Exact change regions of entries (feedsl.regions): expected changes worked out
by hand from the regulation texts (arithmetic in comments), and a property over
generated regulations: what brute force finds in a small box, the search
finds too, with a smallest and largest change no less extreme."""
import itertools
import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedsl import ir, regions
from feedsl.api import check_source, compile_source, load, module_from_source
from feedsl.runtime import FeeInputError
from feedsl.source import SourceFile
from regen import regulations

ROOT = Path(__file__).resolve().parents[1]
OLD = ROOT / "regulations" / "hokkaido_shakyo.fee"
NEW = ROOT / "examples" / "drafts" / "hokkaido_draft.fee"


@pytest.fixture(scope="module")
def hokkaido():
    return load(OLD), load(NEW)


def test_household_share_rounding_points_are_derived(hokkaido):
    r = regions.entry_regions(*hokkaido, "household_share")
    # 世帯割 = 四捨五入(基準世帯数 × 14円, 1,000円) → × 15円. Both are multiples of 1,000円 and
    # 15B ≥ 14B, so every change is a positive multiple of 1,000円: the smallest is +1,000円,
    # e.g. 500世帯: 7,000円 → 7,000円 vs 7,500円 → 8,000円 (half-up), or 34世帯: 476 → 0, 510 → 1,000.
    assert r["how"] == "exhaustive" and not r["reasons"]
    assert r["smallest_v"] == 1_000 and r["smallest"]["diff"] == "+1,000円"
    # 1,000世帯 more adds 14,000円 and 15,000円 exactly (multiples of the unit): the change
    # grows by 1,000円 every 1,000世帯 without end.
    assert r["unbounded_up"] == ["基準世帯数"] and r["unbounded_down"] == []
    # The cells where it changes start at 34世帯 (14 × 34 = 476 < 500 ≤ 510 = 15 × 34) and
    # end at 35 (14 × 36 = 504 rounds up too); the next at 100 (1,400 | 1,500) to 107
    # (14 × 107 = 1,498 < 1,500; 14 × 108 = 1,512).
    [region] = r["regions"]
    assert region["ranges"][0].startswith("基準世帯数 34世帯～35世帯、100世帯～107世帯、")
    assert region["change"] == "+1,000円～上限なし"


def test_household_share_witnesses_are_real(hokkaido):
    old, new = hokkaido
    r = regions.entry_regions(old, new, "household_share")
    kw = r["smallest"]["kw"]
    base = kw["households"] - kw["welfare_households"] - kw["sdf_households"]
    # The witness is where 14 × B rounds down and 15 × B rounds up.
    assert (14 * base) % 1000 < 500 <= (15 * base) % 1000 or (15 * base) // 1000 > (14 * base) // 1000
    assert new.household_share(**kw) - old.household_share(**kw) == 1_000


def test_municipal_fee_is_searched_in_full(hokkaido):
    r = regions.entry_regions(*hokkaido, "municipal_fee")
    # The draft raises 世帯割 (14 → 15円/世帯) and 均等割（市）3万人以下 (80,000 → 90,000円),
    # never lowers anything, and the caps (1,000,000 / 1,500,000 / 1,700,000円) are the same:
    # min(a', cap) − min(a, cap) ≥ 0, a multiple of 1,000円. The smallest change is +1,000円
    # (a 町村 of 500世帯 and 人口 5,000人: 7,000 + 35,000 = 42,000 → 8,000 + 35,000 = 43,000).
    assert r["how"] == "exhaustive", r["reasons"]
    assert r["smallest_v"] == 1_000
    assert new_minus_old(hokkaido, kind="town_village", population=5_000, households=500) == 1_000
    # Below 人口10万 nothing caps the fee: the 世帯割 change grows without end.
    assert r["unbounded_up"] == ["基準世帯数"] and r["largest"]["unbounded"] == "基準世帯数"
    # The cap: 人口 150,000 (上限 1,000,000円), 基準世帯数 60,000: 60,000 × 14 = 840,000 + 170,000
    # = 1,010,000 → 1,000,000; × 15 = 900,000 + 170,000 → 1,000,000: no change.
    assert new_minus_old(hokkaido, kind="city", population=150_000, households=60_000) == 0
    whens = [x["when"] for x in r["regions"]]
    assert "市町村の区分=市" in whens


def test_a_large_grid_is_sampled_and_says_so(hokkaido, monkeypatch):
    monkeypatch.setattr(regions, "MAX_POINTS", 1_000)
    r = regions.entry_regions(*hokkaido, "municipal_fee")
    again = regions.entry_regions(*hokkaido, "municipal_fee")
    assert (r["how"], r["samples"], r["seed"]) == ("sampled", regions.SAMPLES, regions.SEED)
    assert r["grid"] > 1_000 and r["points"] <= regions.SAMPLES
    # No claim past the sample: no growth is asserted, and what it found cannot be below
    # the true smallest change (+1,000円, test_municipal_fee_is_searched_in_full).
    assert r["unbounded_up"] == [] and r["smallest_v"] >= 1_000
    assert (r["points"], r["smallest_v"], r["largest_v"]) == (again["points"], again["smallest_v"], again["largest_v"])


def new_minus_old(hokkaido, **kw):
    old, new = hokkaido
    return new.municipal_fee(**kw) - old.municipal_fee(**kw)


def test_equal_share_region_is_the_changed_band(hokkaido):
    r = regions.entry_regions(*hokkaido, "equal_share")
    # 均等割: 町村 35,000円 in both; 市 by the table, only 20,001～30,000人 changes, +10,000円.
    assert r["how"] == "exhaustive"
    assert r["regions"] == [{"when": "市町村の区分=市", "ranges": ["人口 20,001人～30,000人"], "change": "+10,000円"}]
    assert r["smallest_v"] == r["largest_v"] == 10_000
    assert r["unbounded_up"] == r["unbounded_down"] == []


PAIR = """規程 pair 「端数の規程」
    施行 2024-04-01
    年度 4月始まり

区分 kind 「種別」
    a 「一般」
    b 「特別」

入力 people: 人 「人数」
入力 k: kind 「種別」

規則 fee 「会費」 [第1条] =
    上限(四捨五入(people × 10円/人{extra}, 1,000円), 1,000円)

規則 by_kind 「種別の会費」 [第2条] =
    場合 k
        a → 四捨五入(people × 15円/人, 100円)
        b → {b_amount}
"""


def pair_modules(tmp_path, old: dict, new: dict, template: str = PAIR):
    """The old and the new module of ``template`` filled in two ways."""
    mods = []
    for name, fill in (("old", old), ("new", new)):
        p = tmp_path / f"{name}.fee"
        p.write_text(template.format(**fill), encoding="utf-8")
        mods.append(load(p))
    return mods


def test_change_only_between_two_rounding_points(tmp_path):
    old, new = pair_modules(tmp_path, {"extra": "", "b_amount": "5,000円"},
                            {"extra": " + 100円", "b_amount": "5,000円"})
    r = regions.entry_regions(old, new, "fee")
    # old: 10x rounded to 1,000, capped at 1,000: 0 for x ≤ 49 (490 < 500), 1,000 from 50.
    # new: 10x + 100: 1,000 from x = 40 (500). They differ only for 40～49人, by +1,000円;
    # no table bound or condition constant lies there: only the rounding points 40 and 50.
    assert r["how"] == "exhaustive"
    assert r["regions"] == [{"when": "", "ranges": ["人数 40人～49人"], "change": "+1,000円"}]
    assert (r["smallest_v"], r["largest_v"]) == (1_000, 1_000)
    assert r["smallest"]["kw"]["people"] in range(40, 50)
    assert r["unbounded_up"] == []


def test_change_in_one_enum_arm_only(tmp_path):
    old, new = pair_modules(tmp_path, {"extra": "", "b_amount": "5,000円"},
                            {"extra": "", "b_amount": "6,000円"})
    r = regions.entry_regions(old, new, "by_kind")
    # 特別 (b): 5,000円 → 6,000円 whatever the 人数; 一般 (a): the same rounding in both.
    assert r["how"] == "exhaustive"
    assert r["regions"] == [{"when": "種別=特別", "ranges": [], "change": "+1,000円"}]
    assert r["smallest"]["kw"]["k"] == r["largest"]["kw"]["k"] == "b"
    assert regions.entry_regions(old, new, "fee")["differ"] == 0


RATE = """規程 r 「率」
    施行 2024-04-01
    年度 4月始まり

入力 rate: 割合 「割合」
入力 n: 人 「人数」

規則 fee 「会費」 [第1条] =
    もし rate が 50%以上 ならば 四捨五入(n × {a}円/人, 100円) そうでなければ 1,000円
"""


def test_rate_condition_and_rounding(tmp_path):
    r = regions.entry_regions(*pair_modules(tmp_path, {"a": "130"}, {"a": "140"}, RATE), "fee")
    # Below 50% both are 1,000円. From 50%: 四捨五入(140n, 100) − 四捨五入(130n, 100):
    # n = 4: 560 → 600 vs 520 → 500: +100; n = 5: 700 vs 650 → 700: 0; n = 6: 800 vs 780 → 800: 0;
    # n = 7: 980 → 1,000 vs 910 → 900: +100; from there 10n more less at most 100 of rounding:
    # never 0 again, and +100 more every 10人 (1,400 and 1,300 are multiples of 100).
    assert r["how"] == "exhaustive" and r["smallest_v"] == 100
    assert r["smallest"]["kw"]["rate"] >= Fraction(1, 2)
    assert r["unbounded_up"] == ["人数"]
    assert r["regions"] == [{"when": "", "ranges": ["人数 4人、7人以上", "割合 50%以上"], "change": "+100円～上限なし"}]


DIFF = """規程 r 「差」
    施行 2024-04-01
    年度 4月始まり

入力 a: 人 「会員数」
入力 b: 人 「退会者数」

規則 fee 「会費」 [第1条] =
    四捨五入((a - b) × {k}円/人 + 1,000,000円, 1,000円)
"""


def test_a_direction_without_lower_bound_has_two_tails(tmp_path):
    r = regions.entry_regions(*pair_modules(tmp_path, {"k": "100"}, {"k": "110"}, DIFF), "fee")
    # x = a − b takes every whole value (nothing bounds b by a). x = 100k: 110x = 11,000k and
    # 100x = 10,000k, both multiples of 1,000 added to 1,000,000: the change is exactly 1,000k,
    # so it grows without bound both ways (+ for many 会員, − for many 退会者).
    assert r["how"] == "exhaustive"
    assert r["unbounded_up"] == r["unbounded_down"] == ["会員数 − 退会者数"]
    assert (r["growing_up"], r["growing_down"]) == ("会員数 − 退会者数が大きいほど", "会員数 − 退会者数が小さいほど")
    assert r["regions"][0]["change"] == "下限なし～上限なし"


# --- the property: brute force over a small box never finds more ---------------------

_NUMBER = re.compile(r"(?<![0-9,.])([1-9][0-9]{0,2}(?:,[0-9]{3})*)(円)")
FOUND: list = []


def _compile(text: str, name: str):
    src = SourceFile(f"{name}.fee", text)
    reg, _ = check_source(src)
    if reg is None:
        return None
    compiled = compile_source(src)
    mod = module_from_source(compiled.python, f"feedsl_regions_test_{name}_{len(FOUND)}", "<generated>")
    mod.__feedsl_ir__ = reg
    return mod


def _box(reg_old, reg_new, entry: str):
    """Every combination of small values of the entry's inputs (at most ~2,000)."""
    names = list(dict.fromkeys(list(reg_new.rules[entry].inputs) + list(reg_old.rules[entry].inputs)))
    axes = []
    for n in names:
        inp = reg_new.inputs.get(n) or reg_old.inputs[n]
        t = inp.type
        if isinstance(t, ir.BoolType):
            axes.append([False, True])
        elif isinstance(t, ir.EnumType):
            axes.append([v for v, _ in (reg_new.enums.get(t.name) or reg_old.enums[t.name]).values])
        elif isinstance(t, ir.QType) and t.integral:
            axes.append(None)
        else:
            return None
    free = sum(1 for a in axes if a is None)
    fixed = 1
    for a in axes:
        fixed *= len(a) if a else 1
    if fixed > 200:
        return None
    span = max(2, int((2_000 / fixed) ** (1 / free))) if free else 0
    for k, n in enumerate(names):
        if axes[k] is None:
            inp = reg_new.inputs.get(n) or reg_old.inputs[n]
            lo = int(inp.minimum or 0) + (1 if inp.min_exclusive else 0)
            axes[k] = list(range(lo, lo + min(span, 60)))
    return names, axes


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(text=regulations("tables"), pick=st.integers(0, 10_000), delta=st.sampled_from([1, 100, 1_000, -1]))
def test_search_finds_what_brute_force_finds(text, pick, delta):
    numbers = list(_NUMBER.finditer(text))
    if not numbers:
        return
    m = numbers[pick % len(numbers)]
    value = int(m.group(1).replace(",", "")) + delta
    if value < 0:
        return
    changed = text[:m.start(1)] + f"{value:,}" + text[m.end(1):]
    old, new = _compile(text, "old"), _compile(changed, "new")
    if old is None or new is None:
        return
    ro, rn = old.__feedsl_ir__, new.__feedsl_ir__
    for entry, rule in rn.rules.items():
        if entry not in ro.rules or rule.params or not isinstance(rule.type, ir.QType) or not rule.inputs:
            continue
        got = regions.entry_regions(old, new, entry)
        if got is None or got["how"] != "exhaustive":
            continue  # no claim to hold it to
        box = _box(ro, rn, entry)
        if box is None:
            continue
        names, axes = box
        diffs = []
        for values in itertools.product(*axes):
            kw = dict(zip(names, values))
            try:
                a = getattr(old, entry)(**{k: v for k, v in kw.items() if k in ro.rules[entry].inputs})
                b = getattr(new, entry)(**{k: v for k, v in kw.items() if k in rn.rules[entry].inputs})
            except FeeInputError:
                continue
            if a != b:
                diffs.append(b - a)
        if not diffs:
            continue
        FOUND.append(entry)
        assert got["differ"] > 0, (entry, min(diffs), max(diffs))
        assert got["unbounded_down"] or got["smallest_v"] <= min(diffs), (entry, got["smallest"], min(diffs))
        assert got["unbounded_up"] or got["largest_v"] >= max(diffs), (entry, got["largest"], max(diffs))


def test_the_property_was_not_vacuous():
    # Run after the property (file order): some generated pairs differed in the box
    # and were claimed exhaustive, so the comparison above did happen.
    assert len(FOUND) >= 5, FOUND
