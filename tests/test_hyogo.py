"""Hand-computed tests for regulations/hyogo_roufuku.fee.

Source: 一般社団法人兵庫県老人福祉事業協会 会費規程 (/work/shared/seeds/001_fd1353270bd41196.txt).

Every expected figure was worked out by hand from the regulation text; the
comment on each case shows the arithmetic.  Notation:

    表6(kind, n)  the 定員割基準額 of 表6 for n persons (capacity + short_stay)
    standard_fee = 事業所定額 (表3: 老人福祉施設 20,000 [+10,000 併設]; 居宅 30,000)
                   + 表6(kind, capacity + short_stay)   (居宅サービス事業所: 0)
    special_supporter_fee = min(20,000 x 施設数, 50,000) + 10,000 x 併設数 + sum 表6
        施設数 = 老人福祉施設 among regular and supporters (+1 if regular is 居宅)
"""

import datetime
import inspect
from pathlib import Path

import pytest

import feedsl

ROOT = Path(__file__).resolve().parents[1]
REG = ROOT / "regulations" / "hyogo_roufuku.fee"

_EMPTY = inspect.Parameter.empty

SPECIAL = "special_nursing_home"  # 特別養護老人ホーム
NURSING = "nursing_home"  # 養護老人ホーム
LOW_COST = "low_cost_home"  # 軽費老人ホーム
HOME = "home_service"  # 居宅サービス事業所


@pytest.fixture(scope="module")
def mod():
    """Compile the Hyogo regulation once for the whole module."""
    return feedsl.load(REG)


def fac(kind, capacity=0, short_stay=0, attached=False):
    return dict(kind=kind, capacity=capacity, short_stay=short_stay,
                attached_home_service=attached)


# ---------------------------------------------------------------------------
# 表6, transcribed by hand from the regulation:
#   lower bound of the row -> (養護, 特養, 軽費)
# A bare "20人" row runs from 20 to 29 (up to the next row).
# ---------------------------------------------------------------------------
TABLE6 = [
    (1, 10_000, 20_000, 5_000),
    (20, 20_000, 30_000, 10_000),
    (30, 30_000, 40_000, 15_000),
    (40, 40_000, 50_000, 20_000),
    (50, 50_000, 75_000, 30_000),
    (60, 60_000, 90_000, 35_000),
    (70, 70_000, 105_000, 40_000),
    (80, 80_000, 120_000, 45_000),
    (90, 90_000, 135_000, 50_000),
    (100, 100_000, 150_000, 55_000),
    (110, 110_000, 165_000, 60_000),
    (120, 120_000, 180_000, 65_000),
    (130, 130_000, 195_000, 70_000),
    (140, 140_000, 210_000, 75_000),
    (150, 150_000, 225_000, 80_000),
    (160, 160_000, 240_000, 85_000),
    (170, 170_000, 255_000, 90_000),
    (180, 180_000, 270_000, 95_000),
    (190, 190_000, 285_000, 100_000),
    (200, 200_000, 300_000, 110_000),
]
_COLUMN = {NURSING: 1, SPECIAL: 2, LOW_COST: 3}


def _table6_edges():
    """Every band edge: the last value of a row (N-1) and the first of the next (N)."""
    cases = []
    for kind, col in _COLUMN.items():
        cases.append(pytest.param(kind, 1, TABLE6[0][col], id=f"{kind}-1"))
        for prev, row in zip(TABLE6, TABLE6[1:]):
            n = row[0]
            cases.append(pytest.param(kind, n - 1, prev[col], id=f"{kind}-{n - 1}"))
            cases.append(pytest.param(kind, n, row[col], id=f"{kind}-{n}"))
        # 200人以上 has no upper bound
        cases.append(pytest.param(kind, 1_000, TABLE6[-1][col], id=f"{kind}-1000"))
    return cases


@pytest.mark.parametrize("kind, capacity, expected", _table6_edges())
def test_capacity_fee_band_edges(mod, kind, capacity, expected):
    """capacity_fee gives 表6's amount on both sides of every band edge, for each column."""
    assert mod.capacity_fee(kind=kind, capacity=capacity) == expected


@pytest.mark.parametrize("kind, capacity, expected", _table6_edges())
def test_standard_fee_band_edges_without_attached(mod, kind, capacity, expected):
    """standard_fee = 20,000 (表3, 老人福祉施設) + 表6 at every band edge."""
    assert mod.standard_fee(facility=fac(kind, capacity)) == 20_000 + expected


@pytest.mark.parametrize("capacity", [0, 1, 19, 20, 200, 10_000])
def test_capacity_fee_home_service_is_zero(mod, capacity):
    """A 居宅サービス事業所 has no column in 表6: its 定員割基準額 is 0 for any capacity."""
    assert mod.capacity_fee(kind=HOME, capacity=capacity) == 0


@pytest.mark.parametrize("kind", [NURSING, SPECIAL, LOW_COST])
def test_capacity_fee_zero_persons_is_input_error(mod, kind):
    """表6 starts at 1人: a 老人福祉施設 with 0 persons is an input error naming capacity."""
    with pytest.raises(feedsl.FeeInputError) as ei:
        mod.capacity_fee(kind=kind, capacity=0)
    assert "capacity" in str(ei.value)


def test_capacity_base_rejects_home_service(mod):
    """The table function itself takes only the three 老人福祉施設 columns."""
    with pytest.raises(feedsl.FeeInputError) as ei:
        mod.capacity_base(kind=HOME, capacity=10)
    assert "kind" in str(ei.value) and "home_service" in str(ei.value)


# ---------------------------------------------------------------------------
# standard_fee (第9条第3項・第4項, 表3 + 表6)
# ---------------------------------------------------------------------------

STANDARD_CASES = [
    # 80+20=100 -> 特養 150,000; 20,000 + 10,000 (併設) + 150,000 = 180,000
    pytest.param(fac(SPECIAL, 80, 20, True), 180_000, id="issue-special-80+20-attached"),
    # 軽費 50 -> 30,000; 20,000 + 30,000 = 50,000
    pytest.param(fac(LOW_COST, 50), 50_000, id="issue-lowcost-50"),
    # 養護 15 -> 1~19人 10,000; 20,000 + 10,000 = 30,000
    pytest.param(fac(NURSING, 15), 30_000, id="issue-nursing-15"),
    # 居宅サービス事業所 -> 30,000, no 定員割
    pytest.param(fac(HOME), 30_000, id="issue-home-service"),
    # 特養 29 -> 20人 row 30,000; 20,000 + 30,000 = 50,000
    pytest.param(fac(SPECIAL, 29), 50_000, id="issue-special-29"),
    # 特養 30 -> 40,000; 20,000 + 40,000 = 60,000
    pytest.param(fac(SPECIAL, 30), 60_000, id="issue-special-30"),
    # 特養 250 -> 200人以上 300,000; 20,000 + 300,000 = 320,000
    pytest.param(fac(SPECIAL, 250), 320_000, id="issue-special-250"),
    # short stay is added (表6 ※): 19+1 = 20 -> 養護 20,000; 20,000 + 20,000 = 40,000
    pytest.param(fac(NURSING, 19, 1), 40_000, id="nursing-19+1-crosses-edge"),
    # 0+25 = 25 -> 軽費 10,000; 20,000 + 10,000 (併設) + 10,000 = 40,000
    pytest.param(fac(LOW_COST, 0, 25, True), 40_000, id="lowcost-shortstay-only-attached"),
    # 190+10 = 200 -> 特養 300,000; 20,000 + 10,000 + 300,000 = 330,000
    pytest.param(fac(SPECIAL, 190, 10, True), 330_000, id="special-190+10-attached"),
    # 居宅 with a capacity: still 30,000 (表3), no 表6
    pytest.param(fac(HOME, 40, 5), 30_000, id="home-service-with-capacity"),
    # 居宅 marked attached: 併設 is a 老人福祉施設's (第3条第4項) -> no +10,000
    pytest.param(fac(HOME, 0, 0, True), 30_000, id="home-service-attached-flag-ignored"),
]


@pytest.mark.parametrize("facility, expected", STANDARD_CASES)
def test_standard_fee(mod, facility, expected):
    """standard_fee: 表3 事業所定額 + 表6 on capacity + short_stay (hand-computed)."""
    assert mod.standard_fee(facility=facility) == expected


def test_standard_fee_accepts_record_class(mod):
    """The generated record class can be passed instead of a dict."""
    # same as the issue case: 20,000 + 10,000 + 150,000 = 180,000
    f = mod.Facility(kind=SPECIAL, capacity=80, short_stay=20, attached_home_service=True)
    assert mod.standard_fee(facility=f) == 180_000


def test_standard_fee_defaults(mod):
    """short_stay defaults to 0 and attached_home_service to False."""
    # 養護 15 -> 20,000 + 10,000 = 30,000 either way
    assert mod.standard_fee(facility={"kind": NURSING, "capacity": 15}) == 30_000
    assert mod.standard_fee(facility=fac(NURSING, 15, 0, False)) == 30_000


def test_standard_fee_returns_int(mod):
    """Amounts are plain ints."""
    assert type(mod.standard_fee(facility=fac(SPECIAL, 80, 20, True))) is int


# ---------------------------------------------------------------------------
# special_supporter_fee (第5条, 第9条第5項, 表4 + 表6)
# ---------------------------------------------------------------------------

SUPPORTER_CASES = [
    # 施設数 3 (特養100, 特養50, 軽費30) -> 60,000 -> cap 50,000;
    # 併設 2 x 10,000 = 20,000; 表6 150,000 + 75,000 + 15,000 = 240,000; total 310,000
    pytest.param(fac(SPECIAL, 100, 0, True),
                 [fac(SPECIAL, 50, 0, True), fac(LOW_COST, 30), fac(HOME)], 310_000,
                 id="issue-special-group"),
    # regular 居宅: 施設数 1 (養護40) + 1 = 2 -> 40,000; 表6 養護40 40,000; total 80,000
    pytest.param(fac(HOME), [fac(NURSING, 40)], 80_000, id="issue-home-regular"),
    # 施設数 2 (特養20, 養護20) -> 40,000 (below the cap); 表6 30,000 + 20,000; total 90,000
    pytest.param(fac(SPECIAL, 20), [fac(NURSING, 20)], 90_000, id="two-facilities-below-cap"),
    # regular 居宅 + 2 施設 -> (2+1) x 20,000 = 60,000 -> cap 50,000;
    # 表6 軽費10 5,000 + 軽費20 10,000; total 65,000
    pytest.param(fac(HOME), [fac(LOW_COST, 10), fac(LOW_COST, 20)], 65_000,
                 id="home-regular-plus-one-hits-cap"),
    # regular 居宅 + 1 居宅 supporter: (0+1) x 20,000 = 20,000; no 表6; total 20,000
    pytest.param(fac(HOME), [fac(HOME)], 20_000, id="home-regular-home-supporter"),
    # 3 x 特養20 all 併設: min(60,000, 50,000) + 3 x 10,000 (outside the cap)
    # + 3 x 30,000 = 50,000 + 30,000 + 90,000 = 170,000
    pytest.param(fac(SPECIAL, 20, 0, True), [fac(SPECIAL, 20, 0, True), fac(SPECIAL, 20, 0, True)],
                 170_000, id="attached-outside-cap"),
    # no supporters: 20,000 x 1 + 10,000 (併設) + 養護 10+5=15 -> 10,000; total 40,000
    pytest.param(fac(NURSING, 10, 5, True), [], 40_000, id="no-supporters"),
    # short stay of a supporter counts: 養護 19+1 = 20 -> 20,000;
    # regular 居宅: (1+1) x 20,000 = 40,000; total 60,000
    pytest.param(fac(HOME), [fac(NURSING, 19, 1)], 60_000, id="supporter-short-stay"),
]


@pytest.mark.parametrize("regular, supporters, expected", SUPPORTER_CASES)
def test_special_supporter_fee(mod, regular, supporters, expected):
    """special_supporter_fee: capped 事業所定額 + 併設 addition + 表6 of every 老人福祉施設."""
    assert mod.special_supporter_fee(regular=regular, supporters=supporters) == expected


def test_special_supporter_fee_accepts_tuple_and_records(mod):
    """supporters may be a tuple of record instances."""
    # 80,000 as in the issue case (居宅 regular, 養護40 supporter)
    sup = (mod.Facility(kind=NURSING, capacity=40),)
    assert mod.special_supporter_fee(regular=mod.Facility(kind=HOME), supporters=sup) == 80_000


# ---------------------------------------------------------------------------
# home_service_group_fee (第6条, 表5)
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("count, expected", [
    (1, 30_000), (5, 30_000),    # 1~5
    (6, 50_000), (10, 50_000),   # 6~10
    (11, 80_000), (15, 80_000),  # 11~15
    (16, 150_000), (100, 150_000),  # 16以上
])
def test_home_service_group_fee(mod, count, expected):
    """表5 at every band edge (the count includes the regular member)."""
    assert mod.home_service_group_fee(count=count) == expected


@pytest.mark.parametrize("count", [0, -1])
def test_home_service_group_fee_below_one(mod, count):
    """A count below 1 is an input error (the regular member is always counted)."""
    with pytest.raises(feedsl.FeeInputError) as ei:
        mod.home_service_group_fee(count=count)
    assert "count" in str(ei.value)


# ---------------------------------------------------------------------------
# Simple rules: 表1, 表2
# ---------------------------------------------------------------------------

def test_entrance_fee(mod):
    """表1: 正会員 50,000円."""
    assert mod.entrance_fee() == 50_000


@pytest.mark.parametrize("kind, expected", [("group", 10_000), ("individual", 5_000)])
def test_no_facility_fee(mod, kind, expected):
    """表2: 団体 10,000円, 個人 5,000円."""
    assert mod.no_facility_fee(kind=kind) == expected


# ---------------------------------------------------------------------------
# 第11条 midyear_join_fee, 第12条 withdrawal_fee (fiscal year starts in April)
# ---------------------------------------------------------------------------

MIDYEAR_CASES = [
    # Oct -> Nov..Mar = 5 months; 60,000 x 5 / 12 = 25,000; + 50,000 = 75,000
    pytest.param(60_000, "2024-10-15", 75_000, id="issue-oct"),
    # Mar -> 0 months; 50,000
    pytest.param(60_000, "2025-03-10", 50_000, id="issue-march"),
    # 50,000 x 5 / 12 = 20,833.33 -> 20,833; + 50,000 = 70,833
    pytest.param(50_000, "2024-10-15", 70_833, id="issue-oct-rounding"),
    # Mar 31 -> 0 months; 50,000
    pytest.param(60_000, "2025-03-31", 50_000, id="march-31"),
    # Apr 1 -> May..Mar = 11 months; 60,000 x 11 / 12 = 55,000; + 50,000 = 105,000
    pytest.param(60_000, "2025-04-01", 105_000, id="april-1"),
    # Sep 30 -> Oct..Mar = 6 months; 60,000 x 6 / 12 = 30,000; + 50,000 = 80,000
    pytest.param(60_000, "2024-09-30", 80_000, id="september-30"),
    # Oct 1 -> 5 months; 25,000 + 50,000 = 75,000
    pytest.param(60_000, "2024-10-01", 75_000, id="october-1"),
    # Dec -> Jan..Mar = 3 months; 30,000 x 3 / 12 = 7,500; + 50,000 = 57,500
    pytest.param(30_000, "2024-12-31", 57_500, id="december-31"),
    # Jan -> Feb, Mar = 2 months; 10,001 x 2 / 12 = 1,666.83 -> 1,666; + 50,000 = 51,666
    pytest.param(10_001, "2025-01-01", 51_666, id="january-rounds-down"),
    # Feb -> Mar = 1 month; 35,000 / 12 = 2,916.67 -> 2,916 (down, not 2,917); + 50,000 = 52,916
    pytest.param(35_000, "2025-02-28", 52_916, id="february-rounds-down-not-half-up"),
    # annual 0 (e.g. nothing owed): 0 + 50,000
    pytest.param(0, "2024-06-01", 50_000, id="annual-zero"),
]


@pytest.mark.parametrize("annual, approved_on, expected", MIDYEAR_CASES)
def test_midyear_join_fee(mod, annual, approved_on, expected):
    """第11条: 入会金 + annual x months (from the month after approval to March) / 12, rounded down."""
    assert mod.midyear_join_fee(annual=annual, approved_on=approved_on) == expected
    d = datetime.date.fromisoformat(approved_on)
    assert mod.midyear_join_fee(annual=annual, approved_on=d) == expected


WITHDRAWAL_CASES = [
    # Sep 30: 上半期 -> 45,000 / 2 = 22,500
    pytest.param(45_000, "2024-09-30", 22_500, id="issue-sep-30-half"),
    # Oct 1: 下半期 -> 45,000
    pytest.param(45_000, "2024-10-01", 45_000, id="issue-oct-1-full"),
    # Apr 1: first day of 上半期 -> 22,500
    pytest.param(45_000, "2024-04-01", 22_500, id="april-1-half"),
    # Mar 31: last day of 下半期 -> full
    pytest.param(45_000, "2025-03-31", 45_000, id="march-31-full"),
    # Jan: 下半期 -> full
    pytest.param(30_000, "2025-01-15", 30_000, id="january-full"),
    # odd annual: 45,001 / 2 = 22,500.5 -> 22,500 (down)
    pytest.param(45_001, "2024-06-15", 22_500, id="odd-annual-rounds-down"),
]


@pytest.mark.parametrize("annual, notified_on, expected", WITHDRAWAL_CASES)
def test_withdrawal_fee(mod, annual, notified_on, expected):
    """第12条: notice in April-September -> half (rounded down); October-March -> full."""
    assert mod.withdrawal_fee(annual=annual, notified_on=notified_on) == expected


def test_date_inputs_reject_datetime_and_bad_strings(mod):
    """Date inputs take datetime.date or a date as text (feedsl.values.read_date);
    a datetime, an ambiguous or nonexistent date is an input error."""
    for bad in (datetime.datetime(2024, 10, 15, 9, 0), "20241015", "2024-W42-1", "2024-02-30",
                "平成31年5月1日", "10/15/2024", 20241015):
        with pytest.raises(feedsl.FeeInputError) as ei:
            mod.midyear_join_fee(annual=60_000, approved_on=bad)
        assert "approved_on" in str(ei.value)


@pytest.mark.parametrize("approved_on", [
    "2024-10-15", "2024/10/15", "2024年10月15日", "令和6年10月15日", "R6.10.15", "Ｒ６．１０．１５",
    "２０２４年１０月１５日", " 令和 6年 10月 15日 "])
def test_date_inputs_take_wareki_and_slashes(mod, approved_on):
    """第11条 with the date as people type it: 10月15日承認 → 11月～3月の5か月;
    60,000×5÷12 = 25,000円; 入会金 50,000 + 25,000 = 75,000円."""
    assert mod.midyear_join_fee(annual=60_000, approved_on=approved_on) == 75_000
    assert mod.explain("midyear_join_fee", annual=60_000, approved_on=approved_on).amount == 75_000


def test_enum_inputs_take_labels(mod):
    """Python entries take an enum value by its label: 団体 10,000円, 個人 5,000円 (表2);
    in a record too: 軽費 50人 → 20,000 + 30,000 = 50,000円 (表3・表6)."""
    assert mod.no_facility_fee(kind="団体") == 10_000
    assert mod.no_facility_fee(kind="個 人") == 5_000
    assert mod.standard_fee(facility={"kind": "軽費老人ホーム", "capacity": 50}) == 50_000
    with pytest.raises(feedsl.FeeInputError, match="kind"):
        mod.no_facility_fee(kind="法人")


# ---------------------------------------------------------------------------
# Record and list validation
# ---------------------------------------------------------------------------

RECORD_ERRORS = [
    pytest.param("standard_fee", dict(facility={"capacity": 80}), "facility.kind",
                 id="missing-kind"),
    pytest.param("standard_fee", dict(facility=fac("hospital", 80)), "facility.kind",
                 id="unknown-kind"),
    pytest.param("standard_fee", dict(facility=fac(SPECIAL, -1)), "facility.capacity",
                 id="negative-capacity"),
    pytest.param("standard_fee", dict(facility=fac(SPECIAL, 10, -5)), "facility.short_stay",
                 id="negative-short-stay"),
    pytest.param("standard_fee", dict(facility=fac(SPECIAL, 10.0)), "facility.capacity",
                 id="float-capacity"),
    pytest.param("standard_fee", dict(facility={**fac(SPECIAL, 10), "attached_home_service": 1}),
                 "facility.attached_home_service", id="int-for-bool"),
    pytest.param("standard_fee", dict(facility={**fac(SPECIAL, 10), "beds": 3}),
                 "facility.beds", id="unknown-field"),
    pytest.param("standard_fee", dict(facility=[SPECIAL, 10]), "facility", id="not-a-record"),
    pytest.param("standard_fee", dict(), "facility", id="missing-facility"),
    pytest.param("special_supporter_fee", dict(regular=fac(HOME), supporters=[fac(NURSING, 10), 3]),
                 "supporters[1]", id="list-item-not-record"),
    pytest.param("special_supporter_fee",
                 dict(regular=fac(HOME), supporters=[fac(NURSING, 10), fac(NURSING, -3)]),
                 "supporters[1].capacity", id="list-item-negative-capacity"),
    pytest.param("special_supporter_fee",
                 dict(regular=fac(HOME), supporters=[{"capacity": 10}]),
                 "supporters[0].kind", id="list-item-missing-kind"),
    pytest.param("special_supporter_fee", dict(regular=fac(HOME), supporters=fac(NURSING, 10)),
                 "supporters", id="supporters-not-a-list"),
    pytest.param("special_supporter_fee", dict(regular={"kind": "school"}, supporters=[]),
                 "regular.kind", id="regular-unknown-kind"),
]


@pytest.mark.parametrize("func, kwargs, where", RECORD_ERRORS)
def test_record_and_list_errors(mod, func, kwargs, where):
    """Bad records/lists raise FeeInputError whose .input is the path to the field (with the list index)."""
    with pytest.raises(feedsl.FeeInputError) as ei:
        getattr(mod, func)(**kwargs)
    assert ei.value.input == where
    last = where.rsplit(".", 1)[-1].split("[")[0]
    assert last in str(ei.value)
    if "[" in where:
        assert where[where.index("["):where.index("]") + 1] in str(ei.value)


def test_zero_persons_in_group_is_input_error(mod):
    """A 老人福祉施設 supporter with no capacity at all is an input error (表6 starts at 1人)."""
    with pytest.raises(feedsl.FeeInputError) as ei:
        mod.special_supporter_fee(regular=fac(HOME), supporters=[fac(LOW_COST)])
    assert "capacity" in str(ei.value)


# ---------------------------------------------------------------------------
# Signatures, examples, the 参考 一覧表
# ---------------------------------------------------------------------------

SIGNATURES = [
    ("entrance_fee", []),
    ("no_facility_fee", [("kind", _EMPTY)]),
    ("capacity_fee", [("kind", _EMPTY), ("capacity", _EMPTY)]),
    ("standard_fee", [("facility", _EMPTY)]),
    ("special_supporter_fee", [("regular", _EMPTY), ("supporters", _EMPTY)]),
    ("home_service_group_fee", [("count", _EMPTY)]),
    ("midyear_join_fee", [("annual", _EMPTY), ("approved_on", _EMPTY)]),
    ("withdrawal_fee", [("annual", _EMPTY), ("notified_on", _EMPTY)]),
]


@pytest.mark.parametrize("name, expected", SIGNATURES)
def test_signature_keyword_only(mod, name, expected):
    """The public functions have exactly these keyword-only parameters."""
    params = list(inspect.signature(getattr(mod, name)).parameters.values())
    assert [(p.name, p.default) for p in params] == expected
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params)


def test_record_field_defaults(mod):
    """Facility: kind required; capacity needed only for 老人福祉施設 (no default);
    short_stay 0; attached_home_service False."""
    params = inspect.signature(mod.Facility).parameters
    assert [(n, p.default) for n, p in params.items()][1:] == [
        ("capacity", feedsl.runtime.REQUIRED), ("short_stay", 0), ("attached_home_service", False)]
    with pytest.raises(feedsl.FeeInputError):
        mod.Facility()


@pytest.mark.parametrize("path", sorted((ROOT / "regulations").glob("*.fee")), ids=lambda p: p.name)
def test_examples_in_file_hold(path):
    """Every 例 line of every regulation holds against its compiled module."""
    results = feedsl.run_examples(path)
    assert results, "no examples"
    assert [r.message for r in results if not r.ok] == []


def test_examples_convert_records_and_lists(mod):
    """例 values {…} and […] reach the compiled function as dicts and lists."""
    ex = next(e for e in mod.__feedsl_ir__.examples if e.entry == "special_supporter_fee")
    kw = dict(ex.kwargs)
    assert kw["regular"] == {"kind": SPECIAL, "capacity": 100, "attached_home_service": True}
    assert isinstance(kw["supporters"], list) and kw["supporters"][2] == {"kind": HOME}


def test_compiles_without_diagnostics():
    """The file compiles with no errors and no warnings."""
    c = feedsl.compile_file(REG)
    assert c.ok
    assert [d.message for d in c.diagnostics] == []


SUMMARY = [
    # the 参考 年会費一覧表, row by row: rule, words in its label, clause reference
    ("entrance_fee", "入会金", "表1"),
    ("no_facility_fee", "事業所を有さない", "表2"),
    ("facility_fixed_fee", "事業所定額", "表3"),
    ("standard_fee", "特例賛助会員制度を選択しない", "表3"),
    ("group_fixed_fee", "特例賛助会員制度を選択する", "表4"),
    ("home_service_group_fee", "居宅サービス事業所特例賛助会員", "表5"),
    ("capacity_base", "定員割基準額", "表6"),
    ("midyear_join_fee", "年度途中加入", "第11条"),
    ("withdrawal_fee", "年度途中退会", "第12条"),
]


@pytest.mark.parametrize("rule, label, clause", SUMMARY)
def test_reference_table_follows_from_file(mod, rule, label, clause):
    """Each row of the 参考 年会費一覧表 is a rule with a label and a clause reference."""
    r = mod.__feedsl_ir__.rules[rule]
    assert label in r.label and clause in r.clause


def test_error_inside_an_aggregate_names_the_list_item():
    """A facility whose 定員 is outside 表6 (0人 for a 養護老人ホーム) is reported with its index in the list."""
    mod = feedsl.load(Path(__file__).resolve().parents[1] / "regulations" / "hyogo_roufuku.fee")
    with pytest.raises(feedsl.FeeInputError) as e:
        mod.special_supporter_fee(regular={"kind": "home_service"},
                                  supporters=[{"kind": "nursing_home", "capacity": 40},
                                              {"kind": "nursing_home", "capacity": 0}])
    assert e.value.input.startswith("supporters[1]")
    assert "2件目" in str(e.value) and "capacity" in str(e.value)
