"""Hand-computed tests for regulations/hokkaido_shakyo.fee.

Source: 北海道社会福祉協議会 会員規程 第9条・第10条, 会費算定基準, 負担金算定基準
(/work/shared/seeds/002_179f6739afa1d8af.txt).

Every expected figure below was worked out by hand from the regulation text;
the comment on each case shows the arithmetic.  Notation used in comments:

    基準 = households - welfare_households - sdf_households   (基準世帯数)
    r(x) = x rounded to the nearest 1,000 yen, half UP (四捨五入; 500 -> up)

会費 (municipal_fee)  = min(r(基準 x 14) + 均等割, cap)
負担金 (municipal_levy) = r(min(基準, 10,000) x 10) + 50,000 (+ 30,000 for a city
                         whose households as given are >= 50,000)

Note on rounding half-way points: 基準 x 14 is always even, so it can never end
in exactly 499; the closest "just below half" value is one ending in 498.  Cases
where the thousands digit before rounding is even (e.g. 10,500 -> 11,000) are
included on purpose: banker's rounding (Python's round()) would give 10,000.
"""

import inspect
from pathlib import Path

import pytest

import feedsl

REG = Path(__file__).resolve().parents[1] / "regulations" / "hokkaido_shakyo.fee"

_EMPTY = inspect.Parameter.empty


@pytest.fixture(scope="module")
def mod():
    """Compile the Hokkaido regulation once for the whole module."""
    return feedsl.load(REG)


# ---------------------------------------------------------------------------
# 第1種会員 会費 (municipal_fee)
# ---------------------------------------------------------------------------

MUNICIPAL_FEE_ISSUE_CASES = [
    # 基準 3,456-123=3,333; 3,333x14=46,662 -> 47,000; +35,000 (町村) = 82,000
    pytest.param(
        dict(kind="town_village", population=8_000, households=3_456, welfare_households=123),
        82_000,
        id="issue-town-3456h-123w",
    ),
    # 基準 12,340-600-40=11,700; x14=163,800 -> 164,000; +80,000 (2~3万人) = 244,000
    pytest.param(
        dict(kind="city", population=25_000, households=12_340, welfare_households=600,
             sdf_households=40),
        244_000,
        id="issue-city-25k-pop",
    ),
    # 基準 80,000-2,000=78,000; x14=1,092,000; +230,000=1,322,000; cap 10~20万 -> 1,000,000
    pytest.param(
        dict(kind="city", population=150_000, households=80_000, welfare_households=2_000),
        1_000_000,
        id="issue-city-150k-capped",
    ),
    # 基準 170,000-9,000=161,000; x14=2,254,000; +320,000=2,574,000; 中核市 cap -> 1,700,000
    pytest.param(
        dict(kind="city", population=330_000, households=170_000, welfare_households=9_000,
             core_city=True),
        1_700_000,
        id="issue-core-city-330k-capped",
    ),
    # same sums as above = 2,574,000; not core, pop >= 20万 -> cap 1,500,000
    pytest.param(
        dict(kind="city", population=330_000, households=170_000, welfare_households=9_000),
        1_500_000,
        id="issue-city-330k-not-core-capped",
    ),
]


@pytest.mark.parametrize("kwargs, expected", MUNICIPAL_FEE_ISSUE_CASES)
def test_municipal_fee_issue_figures(mod, kwargs, expected):
    """The worked figures quoted in the issue come out exactly."""
    assert mod.municipal_fee(**kwargs) == expected


# 世帯割 fixed at 1,000 households x 14 = 14,000 (already a whole thousand), so the
# result isolates the 均等割 population bracket.  No cap binds (all sums < 1,000,000).
CITY_POPULATION_BRACKET_CASES = [
    # 14,000 + 50,000 (2万人以下) = 64,000
    pytest.param(1, 64_000, id="pop-1"),
    # 14,000 + 50,000 (2万人以下, boundary included) = 64,000
    pytest.param(20_000, 64_000, id="pop-20000"),
    # 14,000 + 80,000 (2~3万人) = 94,000
    pytest.param(20_001, 94_000, id="pop-20001"),
    # 14,000 + 80,000 (3万人以下, boundary included) = 94,000
    pytest.param(30_000, 94_000, id="pop-30000"),
    # 14,000 + 110,000 (3~5万人) = 124,000
    pytest.param(30_001, 124_000, id="pop-30001"),
    # 14,000 + 110,000 (5万人以下, boundary included) = 124,000
    pytest.param(50_000, 124_000, id="pop-50000"),
    # 14,000 + 170,000 (5~10万人) = 184,000
    pytest.param(50_001, 184_000, id="pop-50001"),
    # 14,000 + 170,000 (10万人以下, boundary included) = 184,000 (cap 1,000,000 not binding)
    pytest.param(100_000, 184_000, id="pop-100000"),
    # 14,000 + 230,000 (10~20万人) = 244,000
    pytest.param(100_001, 244_000, id="pop-100001"),
    # 14,000 + 230,000 (20万人以下 row; documented reading) = 244,000
    pytest.param(200_000, 244_000, id="pop-200000"),
    # 14,000 + 320,000 (20万人超) = 334,000
    pytest.param(200_001, 334_000, id="pop-200001"),
    # 14,000 + 320,000 = 334,000 (cap 1,500,000 not binding)
    pytest.param(1_950_000, 334_000, id="pop-1950000"),
]


@pytest.mark.parametrize("population, expected", CITY_POPULATION_BRACKET_CASES)
def test_municipal_fee_city_population_brackets(mod, population, expected):
    """均等割 for a city follows the population table, both sides of every boundary."""
    assert mod.municipal_fee(kind="city", population=population, households=1_000) == expected


TOWN_VILLAGE_CASES = [
    # 1,000x14=14,000; +35,000 (町村, population irrelevant) = 49,000
    pytest.param(dict(population=1), 49_000, id="pop-1"),
    # 1,000x14=14,000; +35,000 = 49,000 (no city bracket applied to a town)
    pytest.param(dict(population=20_001), 49_000, id="pop-20001"),
    # 1,000x14=14,000; +35,000 = 49,000 (town with city-sized population: still 35,000)
    pytest.param(dict(population=60_000), 49_000, id="pop-60000"),
]


@pytest.mark.parametrize("kwargs, expected", TOWN_VILLAGE_CASES)
def test_municipal_fee_town_village_flat_kintouwari(mod, kwargs, expected):
    """町村 pay a flat 35,000円 均等割 regardless of population."""
    assert mod.municipal_fee(kind="town_village", households=1_000, **kwargs) == expected


ROUNDING_CASES = [
    # 基準 0; 0x14=0; +35,000 = 35,000
    pytest.param(dict(households=0), 35_000, id="kijun-0"),
    # 基準 100-60-40=0 (equal is allowed); 0 + 35,000 = 35,000
    pytest.param(dict(households=100, welfare_households=60, sdf_households=40), 35_000,
                 id="kijun-0-by-deduction"),
    # 基準 35; 35x14=490 -> 0; +35,000 = 35,000
    pytest.param(dict(households=35), 35_000, id="kijun-35-490-down"),
    # 基準 36; 36x14=504 -> 1,000; +35,000 = 36,000
    pytest.param(dict(households=36), 36_000, id="kijun-36-504-up"),
    # 基準 107; 107x14=1,498 -> 1,000; +35,000 = 36,000
    pytest.param(dict(households=107), 36_000, id="kijun-107-1498-down"),
    # 基準 250; 250x14=3,500 -> 4,000 (half up); +35,000 = 39,000
    pytest.param(dict(households=250), 39_000, id="kijun-250-3500-up"),
    # 基準 393; 393x14=5,502 -> 6,000; +35,000 = 41,000
    pytest.param(dict(households=393), 41_000, id="kijun-393-5502-up"),
    # 基準 607; 607x14=8,498 -> 8,000; +35,000 = 43,000
    pytest.param(dict(households=607), 43_000, id="kijun-607-8498-down"),
    # 基準 1,000-200-50=750; 750x14=10,500 -> 11,000 (half up, not banker's 10,000); +35,000 = 46,000
    pytest.param(dict(households=1_000, welfare_households=200, sdf_households=50), 46_000,
                 id="kijun-750-10500-up-not-even"),
    # 基準 2,000-250=1,750; 1,750x14=24,500 -> 25,000 (not banker's 24,000); +35,000 = 60,000
    pytest.param(dict(households=2_000, welfare_households=250), 60_000,
                 id="kijun-1750-24500-up-not-even"),
    # 基準 1,750-0-0; identical via sdf only: 2,100-350=1,750 -> 25,000; +35,000 = 60,000
    pytest.param(dict(households=2_100, sdf_households=350), 60_000,
                 id="kijun-1750-via-sdf"),
    # 基準 4,000-393-0=3,607; 3,607x14=50,498 -> 50,000; +35,000 = 85,000
    pytest.param(dict(households=4_000, welfare_households=393), 85_000,
                 id="kijun-3607-50498-down"),
    # 基準 4,000-250=3,750; 3,750x14=52,500 -> 53,000; +35,000 = 88,000
    pytest.param(dict(households=4_000, welfare_households=250), 88_000,
                 id="kijun-3750-52500-up"),
]


@pytest.mark.parametrize("kwargs, expected", ROUNDING_CASES)
def test_municipal_fee_setaiwari_rounding(mod, kwargs, expected):
    """世帯割 = 基準世帯数 x 14円 rounded to 1,000円 half up (四捨五入), for a town."""
    assert mod.municipal_fee(kind="town_village", population=8_000, **kwargs) == expected


CITY_ROUNDING_CASES = [
    # 基準 20,000-1,500-250=18,250; x14=255,500 -> 256,000; +110,000 (3~5万) = 366,000
    pytest.param(dict(population=45_000, households=20_000, welfare_households=1_500,
                      sdf_households=250), 366_000, id="city-45k-255500-up"),
    # 基準 33,000-2,100=30,900; x14=432,600 -> 433,000; +170,000 (5~10万) = 603,000
    pytest.param(dict(population=75_000, households=33_000, welfare_households=2_100),
                 603_000, id="city-75k-432600-up"),
    # 基準 10,000-250=9,750; x14=136,500 -> 137,000 (not banker's 136,000); +50,000 = 187,000
    pytest.param(dict(population=18_000, households=10_000, welfare_households=250),
                 187_000, id="city-18k-136500-up-not-even"),
    # 基準 10,000-393=9,607; x14=134,498 -> 134,000; +50,000 = 184,000
    pytest.param(dict(population=18_000, households=10_000, welfare_households=393),
                 184_000, id="city-18k-134498-down"),
]


@pytest.mark.parametrize("kwargs, expected", CITY_ROUNDING_CASES)
def test_municipal_fee_city_sums(mod, kwargs, expected):
    """City fee = rounded 世帯割 + bracket 均等割, with deductions applied."""
    assert mod.municipal_fee(kind="city", **kwargs) == expected


CAP_CASES = [
    # --- 10万人 threshold, cap binding (世帯割 90,000x14 = 1,260,000) ---
    # 1,260,000 + 170,000 = 1,430,000; pop < 10万 -> no cap
    pytest.param(dict(population=99_999, households=90_000), 1_430_000,
                 id="pop-99999-no-cap"),
    # 1,260,000 + 170,000 (10万人以下 row) = 1,430,000; pop >= 10万 -> cap 1,000,000
    pytest.param(dict(population=100_000, households=90_000), 1_000_000,
                 id="pop-100000-cap-1000000"),
    # 1,260,000 + 230,000 = 1,490,000 -> cap 1,000,000
    pytest.param(dict(population=100_001, households=90_000), 1_000_000,
                 id="pop-100001-cap-1000000"),
    # --- 20万人 threshold, cap binding (世帯割 150,000x14 = 2,100,000) ---
    # 2,100,000 + 230,000 = 2,330,000; 10万以上~20万未満 -> 1,000,000
    pytest.param(dict(population=199_999, households=150_000), 1_000_000,
                 id="pop-199999-cap-1000000"),
    # 2,100,000 + 230,000 (20万人以下 row) = 2,330,000; 20万人以上 -> 1,500,000
    pytest.param(dict(population=200_000, households=150_000), 1_500_000,
                 id="pop-200000-cap-1500000"),
    # 2,100,000 + 320,000 = 2,420,000 -> 1,500,000
    pytest.param(dict(population=200_001, households=150_000), 1_500_000,
                 id="pop-200001-cap-1500000"),
    # --- caps not binding / exactly at the cap ---
    # 50,000x14=700,000 + 230,000 = 930,000 < 1,000,000 -> 930,000
    pytest.param(dict(population=150_000, households=50_000), 930_000,
                 id="pop-150000-below-cap"),
    # 55,000x14=770,000 + 230,000 = 1,000,000 == cap -> 1,000,000
    pytest.param(dict(population=150_000, households=55_000), 1_000_000,
                 id="pop-150000-exactly-cap"),
    # 55,036x14=770,504 -> 771,000; +230,000 = 1,001,000 -> cap 1,000,000
    pytest.param(dict(population=150_000, households=55_036), 1_000_000,
                 id="pop-150000-just-over-cap"),
    # 80,000x14=1,120,000 + 320,000 = 1,440,000 < 1,500,000 -> 1,440,000
    pytest.param(dict(population=250_000, households=80_000), 1_440_000,
                 id="pop-250000-below-cap"),
    # 90,000x14=1,260,000 + 320,000 = 1,580,000 -> cap 1,500,000 (not core)
    pytest.param(dict(population=400_000, households=90_000), 1_500_000,
                 id="pop-400000-not-core-capped"),
    # --- 中核市 ---
    # 1,260,000 + 320,000 = 1,580,000 < 1,700,000 (core) -> 1,580,000
    pytest.param(dict(population=400_000, households=90_000, core_city=True), 1_580_000,
                 id="core-400000-below-cap"),
    # 100,000x14=1,400,000 + 320,000 = 1,720,000 -> core cap 1,700,000
    pytest.param(dict(population=400_000, households=100_000, core_city=True), 1_700_000,
                 id="core-400000-capped"),
    # 150,000x14=2,100,000 + 170,000 = 2,270,000; core & pop >= 10万 -> 1,700,000
    pytest.param(dict(population=100_000, households=150_000, core_city=True), 1_700_000,
                 id="core-pop-100000-capped"),
    # 2,100,000 + 230,000 = 2,330,000; core (overrides 1,000,000 tier) -> 1,700,000
    pytest.param(dict(population=150_000, households=150_000, core_city=True), 1_700_000,
                 id="core-pop-150000-capped"),
    # 2,100,000 + 170,000 = 2,270,000; core but pop < 10万 -> no cap (documented reading)
    pytest.param(dict(population=99_999, households=150_000, core_city=True), 2_270_000,
                 id="core-pop-99999-no-cap"),
]


@pytest.mark.parametrize("kwargs, expected", CAP_CASES)
def test_municipal_fee_city_caps(mod, kwargs, expected):
    """上限額 by population (10万/20万人) and 中核市, both sides of each threshold."""
    assert mod.municipal_fee(kind="city", **kwargs) == expected


TOWN_CAP_CASES = [
    # 90,000x14=1,260,000 + 35,000 = 1,295,000; pop < 10万 -> no cap
    pytest.param(99_999, 1_295_000, id="town-pop-99999-no-cap"),
    # 1,260,000 + 35,000 = 1,295,000; 市町村 with pop >= 10万 -> cap 1,000,000
    pytest.param(100_000, 1_000_000, id="town-pop-100000-cap"),
]


@pytest.mark.parametrize("population, expected", TOWN_CAP_CASES)
def test_municipal_fee_town_village_cap_by_population(mod, population, expected):
    """The 上限 applies to 市町村 by population, so also to a town_village (documented reading)."""
    assert mod.municipal_fee(kind="town_village", population=population,
                             households=90_000) == expected


# ---------------------------------------------------------------------------
# 負担金 (municipal_levy)
# ---------------------------------------------------------------------------

LEVY_CASES = [
    # 基準 3,456-123=3,333; x10=33,330 -> 33,000; +50,000 = 83,000
    pytest.param(dict(kind="town_village", households=3_456, welfare_households=123), 83_000,
                 id="issue-town-3456h-123w"),
    # 基準 57,000 -> capped 10,000; x10=100,000; +50,000 +30,000 (市, 60,000 >= 5万) = 180,000
    pytest.param(dict(kind="city", households=60_000, welfare_households=3_000), 180_000,
                 id="issue-city-60000h"),
    # 基準 0; 0 + 50,000 = 50,000
    pytest.param(dict(kind="town_village", households=0), 50_000, id="town-0h"),
    # --- rounding half-way points ---
    # 49x10=490 -> 0; +50,000 = 50,000
    pytest.param(dict(kind="town_village", households=49), 50_000, id="round-490-down"),
    # 50x10=500 -> 1,000 (half up, banker's would give 0); +50,000 = 51,000
    pytest.param(dict(kind="town_village", households=50), 51_000, id="round-500-up"),
    # 249x10=2,490 -> 2,000; +50,000 = 52,000
    pytest.param(dict(kind="town_village", households=249), 52_000, id="round-2490-down"),
    # 250x10=2,500 -> 3,000 (banker's would give 2,000); +50,000 = 53,000
    pytest.param(dict(kind="town_village", households=250), 53_000, id="round-2500-up"),
    # 基準 1,000-100-150=750; x10=7,500 -> 8,000; +50,000 = 58,000
    pytest.param(dict(kind="town_village", households=1_000, welfare_households=100,
                      sdf_households=150), 58_000, id="round-7500-up-with-deductions"),
    # 基準 3,000-120=2,880; x10=28,800 -> 29,000; +50,000 = 79,000
    pytest.param(dict(kind="city", households=3_000, welfare_households=120), 79_000,
                 id="city-small-28800"),
    # 基準 5,000-300-200=4,500; x10=45,000; +50,000 = 95,000
    pytest.param(dict(kind="city", households=5_000, welfare_households=300,
                      sdf_households=200), 95_000, id="city-4500-kijun"),
    # --- 1万世帯 cap ---
    # 9,949x10=99,490 -> 99,000; +50,000 = 149,000
    pytest.param(dict(kind="town_village", households=9_949), 149_000, id="kijun-9949"),
    # 9,950x10=99,500 -> 100,000; +50,000 = 150,000
    pytest.param(dict(kind="town_village", households=9_950), 150_000, id="kijun-9950"),
    # 9,999x10=99,990 -> 100,000; +50,000 = 150,000
    pytest.param(dict(kind="town_village", households=9_999), 150_000, id="kijun-9999"),
    # 10,000x10=100,000; +50,000 = 150,000
    pytest.param(dict(kind="town_village", households=10_000), 150_000, id="kijun-10000"),
    # min(10,001, 10,000)=10,000; x10=100,000; +50,000 = 150,000
    pytest.param(dict(kind="town_village", households=10_001), 150_000, id="kijun-10001"),
    # 基準 10,500-500=10,000; x10=100,000; +50,000 = 150,000
    pytest.param(dict(kind="town_village", households=10_500, welfare_households=500),
                 150_000, id="kijun-10000-by-deduction"),
    # 基準 10,500-550=9,950; x10=99,500 -> 100,000; +50,000 = 150,000
    pytest.param(dict(kind="town_village", households=10_500, welfare_households=550),
                 150_000, id="kijun-9950-by-deduction"),
    # 基準 10,500-600=9,900; x10=99,000; +50,000 = 149,000 (deduction applied before the cap)
    pytest.param(dict(kind="town_village", households=10_500, welfare_households=600),
                 149_000, id="kijun-9900-by-deduction"),
    # --- 5万世帯 city surcharge (households as given) ---
    # capped 10,000x10=100,000; +50,000; 49,999 < 5万 -> no surcharge = 150,000
    pytest.param(dict(kind="city", households=49_999), 150_000, id="city-49999h-no-surcharge"),
    # 100,000 + 50,000 + 30,000 (50,000 >= 5万) = 180,000
    pytest.param(dict(kind="city", households=50_000), 180_000, id="city-50000h-surcharge"),
    # 100,000 + 50,000 + 30,000 = 180,000
    pytest.param(dict(kind="city", households=50_001), 180_000, id="city-50001h-surcharge"),
    # 基準 48,000 -> capped 10,000 -> 100,000; +50,000; households as given 50,000 -> +30,000 = 180,000
    pytest.param(dict(kind="city", households=50_000, welfare_households=2_000), 180_000,
                 id="city-50000h-kijun-48000-still-surcharge"),
    # 基準 50,000-45,000=5,000; x10=50,000; +50,000 +30,000 (households 50,000 as given) = 130,000
    pytest.param(dict(kind="city", households=50_000, welfare_households=45_000), 130_000,
                 id="city-50000h-kijun-5000-surcharge"),
    # 基準 55,000-3,000-2,500=49,500 -> capped 10,000 -> 100,000; +50,000 +30,000 = 180,000
    pytest.param(dict(kind="city", households=55_000, welfare_households=3_000,
                      sdf_households=2_500), 180_000, id="city-55000h-kijun-49500-surcharge"),
    # 町村 never get the surcharge: 100,000 + 50,000 = 150,000
    pytest.param(dict(kind="town_village", households=60_000), 150_000,
                 id="town-60000h-no-surcharge"),
    # 100,000 + 50,000 = 150,000
    pytest.param(dict(kind="town_village", households=50_000), 150_000,
                 id="town-50000h-no-surcharge"),
]


@pytest.mark.parametrize("kwargs, expected", LEVY_CASES)
def test_municipal_levy(mod, kwargs, expected):
    """負担金 = r(min(基準世帯数, 1万) x 10円) + 5万円 (+3万円 for a city with >= 5万世帯)."""
    assert mod.municipal_levy(**kwargs) == expected


# ---------------------------------------------------------------------------
# 第2種会員 施設会費 (facility_fee)
# ---------------------------------------------------------------------------

RESIDENTIAL_CASES = [
    # 50人以下 -> 9,300
    pytest.param(0, 9_300, id="cap-0"),
    pytest.param(1, 9_300, id="cap-1"),
    pytest.param(50, 9_300, id="cap-50"),
    # 51~100人以下 -> 15,600
    pytest.param(51, 15_600, id="cap-51"),
    pytest.param(100, 15_600, id="cap-100"),
    # 101~150人以下 -> 23,400
    pytest.param(101, 23_400, id="cap-101"),
    pytest.param(150, 23_400, id="cap-150"),
    # 151~200人以下 -> 31,200
    pytest.param(151, 31_200, id="cap-151"),
    pytest.param(200, 31_200, id="cap-200"),
    # 201~300人以下 -> 46,800
    pytest.param(201, 46_800, id="cap-201"),
    pytest.param(300, 46_800, id="cap-300"),
    # 301~400人以下 -> 62,400
    pytest.param(301, 62_400, id="cap-301"),
    pytest.param(400, 62_400, id="cap-400"),
    # 401人以上 -> 78,000
    pytest.param(401, 78_000, id="cap-401"),
    pytest.param(5_000, 78_000, id="cap-5000"),
]


@pytest.mark.parametrize("capacity, expected", RESIDENTIAL_CASES)
def test_facility_fee_residential_or_day(mod, capacity, expected):
    """入所及び通所施設 table (会費算定基準 3(1)), both sides of every boundary."""
    assert mod.facility_fee(category="residential_or_day", capacity=capacity) == expected


NURSERY_CASES = [
    # 60人以下 -> 3,100
    pytest.param(0, 3_100, id="cap-0"),
    pytest.param(1, 3_100, id="cap-1"),
    pytest.param(60, 3_100, id="cap-60"),
    # 61~90人以下 -> 4,600
    pytest.param(61, 4_600, id="cap-61"),
    pytest.param(90, 4_600, id="cap-90"),
    # 91~120人以下 -> 6,200
    pytest.param(91, 6_200, id="cap-91"),
    pytest.param(120, 6_200, id="cap-120"),
    # 121~150人以下 -> 7,800
    pytest.param(121, 7_800, id="cap-121"),
    pytest.param(150, 7_800, id="cap-150"),
    # 151人以上 -> 9,300
    pytest.param(151, 9_300, id="cap-151"),
    pytest.param(1_000, 9_300, id="cap-1000"),
]


@pytest.mark.parametrize("capacity, expected", NURSERY_CASES)
def test_facility_fee_nursery(mod, capacity, expected):
    """認可保育所等 table (会費算定基準 3(2)), both sides of every boundary."""
    assert mod.facility_fee(category="nursery", capacity=capacity) == expected


@pytest.mark.parametrize("capacity", [0, 1, 50, 51, 401, 10_000],
                         ids=lambda c: f"cap-{c}")
def test_facility_fee_day_service_flat(mod, capacity):
    """通所介護事業所 pay a flat 9,300円 whatever the capacity (会費算定基準 3(3))."""
    assert mod.facility_fee(category="day_service", capacity=capacity) == 9_300


@pytest.mark.parametrize(
    "category, capacity",
    [
        pytest.param("residential_or_day", 0, id="residential-0"),
        pytest.param("residential_or_day", 401, id="residential-401"),
        pytest.param("nursery", 61, id="nursery-61"),
        pytest.param("nursery", 151, id="nursery-151"),
        pytest.param("day_service", 30, id="day-service-30"),
    ],
)
def test_facility_fee_returns_int(mod, category, capacity):
    """facility_fee returns a plain int (not float, Fraction, Decimal or bool)."""
    result = mod.facility_fee(category=category, capacity=capacity)
    assert type(result) is int


# ---------------------------------------------------------------------------
# Flat fees
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "units, expected",
    [
        # 1 x 10,000 = 10,000
        pytest.param(1, 10_000, id="1-unit"),
        # 2 x 10,000 = 20,000
        pytest.param(2, 20_000, id="2-units"),
        # 15 x 10,000 = 150,000
        pytest.param(15, 150_000, id="15-units"),
    ],
)
def test_supporter_fee(mod, units, expected):
    """賛助会費 = 1口 10,000円 x 口数."""
    assert mod.supporter_fee(units=units) == expected


def test_designated_city_fee(mod):
    """第5種会員 (政令指定都市社協) pay 2,300,000円 a year."""
    assert mod.designated_city_fee() == 2_300_000


def test_corporation_fee(mod):
    """社会福祉法人等 pay 5,000円 a year."""
    assert mod.corporation_fee() == 5_000


def test_group_fee(mod):
    """団体 pay 5,000円 a year."""
    assert mod.group_fee() == 5_000


# ---------------------------------------------------------------------------
# Signatures
# ---------------------------------------------------------------------------

SIGNATURES = [
    pytest.param(
        "municipal_fee",
        [("kind", _EMPTY), ("population", _EMPTY), ("households", _EMPTY),
         ("welfare_households", 0), ("sdf_households", 0), ("core_city", False)],
        id="municipal_fee",
    ),
    pytest.param(
        "municipal_levy",
        [("kind", _EMPTY), ("households", _EMPTY), ("welfare_households", 0),
         ("sdf_households", 0)],
        id="municipal_levy",
    ),
    pytest.param("facility_fee", [("category", _EMPTY), ("capacity", _EMPTY)],
                 id="facility_fee"),
    pytest.param("supporter_fee", [("units", _EMPTY)], id="supporter_fee"),
    pytest.param("designated_city_fee", [], id="designated_city_fee"),
    pytest.param("corporation_fee", [], id="corporation_fee"),
    pytest.param("group_fee", [], id="group_fee"),
]


@pytest.mark.parametrize("name, expected", SIGNATURES)
def test_signature_keyword_only(mod, name, expected):
    """Each function has exactly the listed parameters, all KEYWORD_ONLY, with these defaults."""
    sig = inspect.signature(getattr(mod, name))
    params = list(sig.parameters.values())
    assert [p.name for p in params] == [n for n, _ in expected]
    for param, (_, default) in zip(params, expected):
        assert param.kind is inspect.Parameter.KEYWORD_ONLY, param.name
        if default is _EMPTY:
            assert param.default is _EMPTY, param.name
        else:
            assert param.default == default, param.name
            # 0 must be an int default and False a bool default, not each other.
            assert type(param.default) is type(default), param.name


def test_positional_call_rejected(mod):
    """Calling with positional arguments is rejected (parameters are keyword-only)."""
    with pytest.raises((TypeError, feedsl.FeeInputError)):
        mod.facility_fee("nursery", 61)


def test_defaults_equal_explicit_zero(mod):
    """Omitting the deduction inputs is the same as passing 0 / False."""
    # 1,000x14=14,000 + 80,000 = 94,000 either way
    implicit = mod.municipal_fee(kind="city", population=25_000, households=1_000)
    explicit = mod.municipal_fee(kind="city", population=25_000, households=1_000,
                                 welfare_households=0, sdf_households=0, core_city=False)
    assert implicit == explicit == 94_000


# ---------------------------------------------------------------------------
# Input errors
# ---------------------------------------------------------------------------

def test_fee_input_error_is_value_error():
    """feedsl.FeeInputError is a subclass of ValueError."""
    assert issubclass(feedsl.FeeInputError, ValueError)


@pytest.mark.parametrize(
    "func, kwargs",
    [
        # 60 + 41 = 101 > 100
        pytest.param("municipal_fee",
                     dict(kind="town_village", population=8_000, households=100,
                          welfare_households=60, sdf_households=41),
                     id="fee-welfare+sdf-exceeds"),
        # 101 > 100 (welfare alone)
        pytest.param("municipal_fee",
                     dict(kind="city", population=25_000, households=100,
                          welfare_households=101),
                     id="fee-welfare-alone-exceeds"),
        # 1 > 0 (sdf alone)
        pytest.param("municipal_fee",
                     dict(kind="city", population=25_000, households=0, sdf_households=1),
                     id="fee-sdf-alone-exceeds"),
        # 3,000 + 2,001 = 5,001 > 5,000
        pytest.param("municipal_levy",
                     dict(kind="city", households=5_000, welfare_households=3_000,
                          sdf_households=2_001),
                     id="levy-welfare+sdf-exceeds"),
    ],
)
def test_deductions_exceeding_households(mod, func, kwargs):
    """welfare_households + sdf_households > households raises FeeInputError naming the inputs."""
    with pytest.raises(feedsl.FeeInputError) as excinfo:
        getattr(mod, func)(**kwargs)
    msg = str(excinfo.value)
    assert "welfare_households" in msg or "sdf_households" in msg


_GOOD_FEE = dict(kind="city", population=25_000, households=12_340)
_GOOD_LEVY = dict(kind="city", households=12_340)
_GOOD_FACILITY = dict(category="nursery", capacity=61)


def _without(d, key):
    return {k: v for k, v in d.items() if k != key}


BAD_INPUTS = [
    # missing required inputs
    pytest.param("municipal_fee", _without(_GOOD_FEE, "population"), "population",
                 id="fee-missing-population"),
    pytest.param("municipal_fee", _without(_GOOD_FEE, "kind"), "kind",
                 id="fee-missing-kind"),
    pytest.param("municipal_fee", _without(_GOOD_FEE, "households"), "households",
                 id="fee-missing-households"),
    pytest.param("municipal_levy", _without(_GOOD_LEVY, "households"), "households",
                 id="levy-missing-households"),
    pytest.param("facility_fee", _without(_GOOD_FACILITY, "capacity"), "capacity",
                 id="facility-missing-capacity"),
    # bool for a count
    pytest.param("municipal_fee", {**_GOOD_FEE, "population": True}, "population",
                 id="fee-population-bool"),
    pytest.param("municipal_fee", {**_GOOD_FEE, "households": False}, "households",
                 id="fee-households-bool"),
    pytest.param("facility_fee", {**_GOOD_FACILITY, "capacity": True}, "capacity",
                 id="facility-capacity-bool"),
    pytest.param("supporter_fee", {"units": True}, "units", id="supporter-units-bool"),
    # float for a count
    pytest.param("municipal_fee", {**_GOOD_FEE, "population": 1.5}, "population",
                 id="fee-population-float"),
    pytest.param("municipal_fee", {**_GOOD_FEE, "households": 12_340.0}, "households",
                 id="fee-households-integral-float"),
    pytest.param("municipal_levy", {**_GOOD_LEVY, "welfare_households": 2.5},
                 "welfare_households", id="levy-welfare-float"),
    pytest.param("facility_fee", {**_GOOD_FACILITY, "capacity": 60.5}, "capacity",
                 id="facility-capacity-float"),
    # str for a count
    pytest.param("municipal_fee", {**_GOOD_FEE, "population": "100"}, "population",
                 id="fee-population-str"),
    pytest.param("facility_fee", {**_GOOD_FACILITY, "capacity": "61"}, "capacity",
                 id="facility-capacity-str"),
    # negative counts
    pytest.param("municipal_fee", {**_GOOD_FEE, "households": -1}, "households",
                 id="fee-households-negative"),
    pytest.param("municipal_fee", {**_GOOD_FEE, "population": -1}, "population",
                 id="fee-population-negative"),
    pytest.param("municipal_fee", {**_GOOD_FEE, "welfare_households": -1},
                 "welfare_households", id="fee-welfare-negative"),
    pytest.param("municipal_fee", {**_GOOD_FEE, "sdf_households": -1},
                 "sdf_households", id="fee-sdf-negative"),
    pytest.param("municipal_levy", {**_GOOD_LEVY, "households": -5}, "households",
                 id="levy-households-negative"),
    pytest.param("facility_fee", {**_GOOD_FACILITY, "capacity": -1}, "capacity",
                 id="facility-capacity-negative"),
    pytest.param("supporter_fee", {"units": -1}, "units", id="supporter-units-negative"),
    # unknown enum values
    pytest.param("municipal_fee", {**_GOOD_FEE, "kind": "village"}, "kind",
                 id="fee-kind-village"),
    pytest.param("municipal_levy", {**_GOOD_LEVY, "kind": "village"}, "kind",
                 id="levy-kind-village"),
    pytest.param("facility_fee", {**_GOOD_FACILITY, "category": "hospital"}, "category",
                 id="facility-category-unknown"),
]


@pytest.mark.parametrize("func, kwargs, input_name", BAD_INPUTS)
def test_bad_input_raises(mod, func, kwargs, input_name):
    """Bad inputs (missing, bool/float/str count, negative, unknown enum) raise FeeInputError naming the input."""
    with pytest.raises(feedsl.FeeInputError) as excinfo:
        getattr(mod, func)(**kwargs)
    assert input_name in str(excinfo.value)
