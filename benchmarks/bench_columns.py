"""Columnar entries at 1M rows: Hokkaido ``municipal_fee`` with the category as integer codes.

Run: python benchmarks/bench_columns.py [rows]   (needs numpy: pip install -e '.[columns]')

Compared, in one run, on the same 1M rows:

* ``M.columns.municipal_fee`` — the generated columnar entry (validation included);
* a hand-written numpy function doing the same validation (kind codes in range,
  counts whole and non-negative, the households 前提, int64 headroom) and the
  same arithmetic — the goal is at most 1.3× its time;
* a plain Python loop over the scalar entry ``M.municipal_fee``;
* OpenFisca's vectorised simulation of the same formula, when ``openfisca_core``
  is importable (install it in the benchmark's own environment, never in the
  project's: ``python -m venv /tmp/of && /tmp/of/bin/pip install openfisca-core
  -e .[columns]`` and run this file with /tmp/of/bin/python).

Timings are the best of several repeats (the machine is shared); peak memory
is measured with tracemalloc around one columnar call (numpy reports its
buffers to tracemalloc) and as the process's maximum RSS.
"""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import feedsl  # noqa: E402

M = feedsl.load(ROOT / "regulations" / "hokkaido_shakyo.fee")
KINDS = ("city", "town_village")  # the 区分's declaration order: the codes 0 and 1


def make_rows(n: int, seed: int = 12):
    rng = np.random.default_rng(seed)
    households = rng.integers(0, 200_000, n)
    welfare = (households * rng.random(n) * 0.05).astype(np.int64)
    sdf = (households * rng.random(n) * 0.01).astype(np.int64)
    return dict(
        kind=rng.integers(0, 2, n).astype(np.int8),
        population=(households * (2 + rng.random(n))).astype(np.int64),
        households=households,
        welfare_households=welfare,
        sdf_households=sdf,
        core_city=rng.random(n) < 0.02,
    )


_CITY_UPPER = np.array([20_000, 30_000, 50_000, 100_000, 200_000], dtype=np.int64)
_CITY_SHARE = np.array([50_000, 80_000, 110_000, 170_000, 230_000, 320_000], dtype=np.int64)
_HEADROOM = 2**62 // 28  # 2 × 14 × households stays inside int64


def hand_municipal_fee(kind, population, households, welfare_households, sdf_households, core_city):
    """The same rules and checks, written by hand with numpy."""
    kind = np.asarray(kind)
    if kind.dtype.kind not in "iu" or kind.min() < 0 or kind.max() > 1:
        raise feedsl.FeeInputError("bad kind", "kind")
    for name, a in (("population", population), ("households", households),
                    ("welfare_households", welfare_households), ("sdf_households", sdf_households)):
        if a.dtype.kind not in "iu" or a.min() < 0 or a.max() > _HEADROOM:
            raise feedsl.FeeInputError(f"bad {name}", name)
    if core_city.dtype != bool:
        raise feedsl.FeeInputError("bad core_city", "core_city")
    base = households - welfare_households - sdf_households
    if base.min() < 0:
        raise feedsl.FeeInputError("welfare_households + sdf_households > households", "welfare_households")
    share = (28 * base + 1000) // 2000 * 1000
    city = _CITY_SHARE[np.searchsorted(_CITY_UPPER, population, side="left")]
    equal = np.where(kind == 1, 35_000, city)
    cap = np.where(core_city, 1_700_000, np.where(population >= 200_000, 1_500_000, 1_000_000))
    fee = share + equal
    fee = np.where(population >= 100_000, np.minimum(fee, cap), fee)
    return (2 * fee + 1000) // 2000 * 1000


def best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def openfisca_runner(rows):
    """A callable running OpenFisca's vectorised simulation of municipal_fee, or None."""
    try:
        from openfisca_core import periods
        from openfisca_core.entities import build_entity
        from openfisca_core.indexed_enums import Enum
        from openfisca_core.simulation_builder import SimulationBuilder
        from openfisca_core.taxbenefitsystems import TaxBenefitSystem
        from openfisca_core.variables import Variable
    except ImportError:
        return None

    council = build_entity(key="council", plural="councils", label="council", is_person=True)

    class MunicipalityKind(Enum):
        city = "市"
        town_village = "町村"

    def var(name, dtype, formula=None, **kw):
        attrs = dict(value_type=dtype, entity=council, definition_period=periods.YEAR, label=name, **kw)
        if formula is not None:
            attrs["formula"] = formula
        return type(name, (Variable,), attrs)

    def base_households(c, period):
        return c("households", period) - c("welfare_households", period) - c("sdf_households", period)

    def household_share(c, period):
        b = c("base_households", period)
        return (28 * b + 1000) // 2000 * 1000

    def equal_share(c, period):
        kind = c("kind", period)
        pop = c("population", period)
        city = _CITY_SHARE[np.searchsorted(_CITY_UPPER, pop, side="left")]
        return np.where(kind == MunicipalityKind.town_village, 35_000, city)

    def fee_cap(c, period):
        pop = c("population", period)
        return np.where(c("core_city", period), 1_700_000, np.where(pop >= 200_000, 1_500_000, 1_000_000))

    def municipal_fee(c, period):
        pop = c("population", period)
        fee = c("household_share", period) + c("equal_share", period)
        fee = np.where(pop >= 100_000, np.minimum(fee, c("fee_cap", period)), fee)
        return (2 * fee + 1000) // 2000 * 1000

    tbs = TaxBenefitSystem([council])
    for v in (var("population", int), var("households", int), var("welfare_households", int),
              var("sdf_households", int), var("core_city", bool),
              var("kind", Enum, possible_values=MunicipalityKind, default_value=MunicipalityKind.city),
              var("base_households", int, base_households), var("household_share", int, household_share),
              var("equal_share", int, equal_share), var("fee_cap", int, fee_cap),
              var("municipal_fee", int, municipal_fee)):
        tbs.add_variable(v)
    n = len(rows["kind"])
    kind_enum = np.where(rows["kind"] == 0, "city", "town_village")

    def run():
        sim = SimulationBuilder().build_default_simulation(tbs, n)
        for name in ("population", "households", "welfare_households", "sdf_households", "core_city"):
            sim.set_input(name, "2024", rows[name])
        sim.set_input("kind", "2024", kind_enum)
        return sim.calculate("municipal_fee", "2024")

    return run


def main(n: int = 1_000_000) -> None:
    rows = make_rows(n)
    col = M.columns.municipal_fee  # builds m.columns once, outside the timings
    want = hand_municipal_fee(**rows)
    got = col(**rows)
    assert got.dtype == np.int64 and np.array_equal(got, want), "columnar and hand-written results differ"

    t_col = best(lambda: col(**rows))
    t_hand = best(lambda: hand_municipal_fee(**rows))

    tracemalloc.start()
    col(**rows)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the Python loop's lists

    print(f"rows: {n:,}")
    print(f"columnar m.columns.municipal_fee : {t_col * 1000:8.1f} ms")
    print(f"hand-written numpy              : {t_hand * 1000:8.1f} ms   columnar / hand = {t_col / t_hand:.2f}×")

    lists = {k: v.tolist() for k, v in rows.items()}
    lists["kind"] = [KINDS[k] for k in lists["kind"]]
    fn = M.municipal_fee

    def loop():
        keys = list(lists)
        return [fn(**dict(zip(keys, vals))) for vals in zip(*lists.values())]

    t_loop = best(loop, repeat=1)
    assert loop()[:1000] == got[:1000].tolist()
    print(f"Python loop over M.municipal_fee : {t_loop * 1000:8.1f} ms   loop / columnar = {t_loop / t_col:.1f}×")

    of = openfisca_runner(rows)
    if of is None:
        print("OpenFisca                       :   (openfisca_core not installed in this environment)")
    else:
        assert np.array_equal(np.asarray(of(), dtype=np.int64), want), "OpenFisca's result differs"
        t_of = best(of, repeat=3)
        print(f"OpenFisca vectorised simulation : {t_of * 1000:8.1f} ms   OpenFisca / columnar = {t_of / t_col:.1f}×")
    print(f"peak memory of one columnar call (tracemalloc): {peak / 2**20:.0f} MB; process max RSS "
          f"with the 1M-row input columns: {rss:.0f} MB (goal < 500 MB)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
