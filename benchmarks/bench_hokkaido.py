"""Compiled entries vs the same rules written by hand in Python.

Run: python benchmarks/bench_hokkaido.py

Both sides validate their inputs the way a careful developer would (types,
negative counts, enum values, the households relation), so the ratio measures
what feedsl's generated code costs over hand-written code of the same rules.
All timings come from one run, interleaved, best of several repeats: the
machine is shared and noisy, so compare the ratios, not the absolute numbers.

The last column is ``M.explain(entry, **inputs)``: the breakdown traced to its
clauses. It is a separate generated code path, so it costs the plain
functions nothing; its own cost is shown for scale (it is not on any hot path).
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import feedsl  # noqa: E402

M = feedsl.load(ROOT / "regulations" / "hokkaido_shakyo.fee")

_KINDS = ("city", "town_village")
_CATEGORIES = ("residential_or_day", "nursery", "day_service")


def _count(v, name):
    if type(v) is not int or v < 0:
        raise feedsl.FeeInputError(f"bad {name}: {v!r}", name)
    return v


def hand_municipal_fee(*, kind, population, households, welfare_households=0, sdf_households=0,
                       core_city=False):
    if kind not in _KINDS:
        raise feedsl.FeeInputError(f"bad kind {kind!r}", "kind")
    _count(population, "population")
    _count(households, "households")
    _count(welfare_households, "welfare_households")
    _count(sdf_households, "sdf_households")
    if type(core_city) is not bool:
        raise feedsl.FeeInputError("bad core_city", "core_city")
    base = households - welfare_households - sdf_households
    if base < 0:
        raise feedsl.FeeInputError("welfare_households + sdf_households > households", "welfare_households")
    share = (2 * base * 14 + 1000) // 2000 * 1000
    if kind == "town_village":
        equal = 35_000
    elif population <= 20_000:
        equal = 50_000
    elif population <= 30_000:
        equal = 80_000
    elif population <= 50_000:
        equal = 110_000
    elif population <= 100_000:
        equal = 170_000
    elif population <= 200_000:
        equal = 230_000
    else:
        equal = 320_000
    total = share + equal
    if population >= 100_000:
        cap = 1_700_000 if core_city else 1_500_000 if population >= 200_000 else 1_000_000
        total = min(total, cap)
    return (2 * total + 1000) // 2000 * 1000


def hand_municipal_levy(*, kind, households, welfare_households=0, sdf_households=0):
    if kind not in _KINDS:
        raise feedsl.FeeInputError(f"bad kind {kind!r}", "kind")
    _count(households, "households")
    _count(welfare_households, "welfare_households")
    _count(sdf_households, "sdf_households")
    base = households - welfare_households - sdf_households
    if base < 0:
        raise feedsl.FeeInputError("welfare_households + sdf_households > households", "welfare_households")
    share = (2 * min(base, 10_000) * 10 + 1000) // 2000 * 1000
    equal = 80_000 if kind == "city" and households >= 50_000 else 50_000
    return share + equal


_RES = ((50, 9_300), (100, 15_600), (150, 23_400), (200, 31_200), (300, 46_800), (400, 62_400))
_NUR = ((60, 3_100), (90, 4_600), (120, 6_200), (150, 7_800))


def hand_facility_fee(*, category, capacity):
    if category not in _CATEGORIES:
        raise feedsl.FeeInputError(f"bad category {category!r}", "category")
    _count(capacity, "capacity")
    if category == "day_service":
        return 9_300
    table, top = (_RES, 78_000) if category == "residential_or_day" else (_NUR, 9_300)
    for bound, fee in table:
        if capacity <= bound:
            return fee
    return top


CASES = {
    "municipal_fee": (M.municipal_fee, hand_municipal_fee, [
        dict(kind="city", population=25_000, households=12_340, welfare_households=600, sdf_households=40),
        dict(kind="town_village", population=8_000, households=3_456, welfare_households=123),
        dict(kind="city", population=330_000, households=170_000, welfare_households=9_000, core_city=True),
        dict(kind="city", population=150_000, households=80_000, welfare_households=2_000),
    ]),
    "municipal_levy": (M.municipal_levy, hand_municipal_levy, [
        dict(kind="town_village", households=3_456, welfare_households=123),
        dict(kind="city", households=60_000, welfare_households=3_000),
    ]),
    "facility_fee": (M.facility_fee, hand_facility_fee, [
        dict(category="residential_or_day", capacity=250),
        dict(category="nursery", capacity=61),
        dict(category="day_service", capacity=30),
    ]),
}


def measure(fn, cases, number=20_000, repeat=7) -> float:
    def run():
        for kw in cases:
            fn(**kw)
    return min(timeit.repeat(run, number=number, repeat=repeat)) / (number * len(cases))


def explainer(name):
    def run(**kw):
        return M.explain(name, **kw)
    return run


def main() -> int:
    worst = 0.0
    print(f"{'entry':<16} {'compiled':>10} {'by hand':>10} {'ratio':>7} {'explain':>10} {'explain/compiled':>17}")
    for name, (compiled, hand, cases) in CASES.items():
        explain = explainer(name)
        for kw in cases:  # same answers, or the comparison means nothing
            assert compiled(**kw) == hand(**kw), (name, kw)
            assert explain(**kw).amount == compiled(**kw), (name, kw)
        # Interleave the two sides so that both see the same machine load.
        c_times, h_times = [], []
        for _ in range(3):
            c_times.append(measure(compiled, cases))
            h_times.append(measure(hand, cases))
        c, h = min(c_times), min(h_times)
        x = measure(explain, cases, number=2_000, repeat=5)
        worst = max(worst, c / h)
        print(f"{name:<16} {c * 1e9:>8.0f}ns {h * 1e9:>8.0f}ns {c / h:>6.2f}× {x * 1e9:>8.0f}ns {x / c:>16.0f}×")
    print(f"worst ratio compiled/by-hand: {worst:.2f}× (target ≤ 1.5×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
