"""A new process that loads a regulation vs one that imports its compiled module.

Run: python benchmarks/bench_load.py [--runs N]

Each run is a fresh ``python -c`` process (started from the repository root)
that computes one Hokkaido quote, municipal_fee(kind=city, population=25,000,
households=12,340, welfare_households=600, sdf_households=40) = 244,000円:

  (a) import   ``import hokkaido_shakyo`` -- the file ``feedsl compile`` writes
               (its ``__pycache__`` warmed by a first run that is not counted);
  (b) warm     ``feedsl.load("regulations/hokkaido_shakyo.fee")`` with the entry
               already in the cache;
  (c) cold     the same load with the cache cleared before each run.

Runs are interleaved (a, b, c, a, b, c, ...) so that all three see the same
machine load; the medians come from one run of this script. The machine is
shared and noisy: compare the ratios, not the absolute numbers. The cache is a
temporary ``XDG_CACHE_HOME``: your own ``~/.cache/feedsl`` is not touched.
Bar (issue 10): warm/import ≤ 2.0.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUOTE = ("m.municipal_fee(kind='city', population=25000, households=12340, "
         "welfare_households=600, sdf_households=40)")
EXPECTED = "244000"  # 11,700世帯 × 14円 = 163,800 → 164,000円; + 80,000円 (3万人以下) = 244,000円


def run(code: str, env: dict) -> float:
    """Seconds for one fresh process running ``code``; checks it printed the quote."""
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if r.returncode != 0 or r.stdout.strip() != EXPECTED:
        raise SystemExit(f"unexpected result from {code!r}:\n{r.stdout}{r.stderr}")
    return elapsed


def fingerprint_ms(n: int = 51) -> float:
    """Median cost of hashing the compiler's files, measured in this process."""
    sys.path.insert(0, str(ROOT))
    from feedsl.loader import compiler_fingerprint

    times = []
    for _ in range(n):
        t = time.perf_counter()
        compiler_fingerprint()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=21, help="runs of each kind (default 21)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="feedsl-bench-load-") as tmp:
        env = dict(os.environ, XDG_CACHE_HOME=os.path.join(tmp, "cache"))
        out = os.path.join(tmp, "compiled")
        r = subprocess.run([sys.executable, "-m", "feedsl", "compile", "regulations", "-o", out],
                           cwd=ROOT, env=env, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(r.stderr)
        codes = {
            "import": f"import sys; sys.path.insert(0, {out!r}); import hokkaido_shakyo as m; print({QUOTE})",
            "warm": f"import feedsl; m = feedsl.load('regulations/hokkaido_shakyo.fee'); print({QUOTE})",
            "cold": ("import feedsl.loader; feedsl.loader.clear_cache(); "
                     f"import feedsl; m = feedsl.load('regulations/hokkaido_shakyo.fee'); print({QUOTE})"),
        }
        # Not counted: the first import writes __pycache__, the first load writes the cache entry.
        run(codes["import"], env)
        run(codes["warm"], env)
        times: dict[str, list[float]] = {k: [] for k in codes}
        for _ in range(args.runs):
            for kind, code in codes.items():
                times[kind].append(run(code, env))
            run(codes["warm"], env)  # the cold run cleared the cache: refill it for the next warm run
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"{args.runs} runs of each, interleaved; medians of fresh processes:")
    for kind, label in (("import", "(a) import compiled module"), ("warm", "(b) feedsl.load, warm cache"),
                        ("cold", "(c) feedsl.load, cold cache")):
        print(f"  {label:<30} {med[kind] * 1000:7.1f} ms   ({kind}/import {med[kind] / med['import']:.2f}×)")
    fp = fingerprint_ms()
    print(f"compiler fingerprint (once per process, in the warm path): median {fp:.2f} ms")
    ratio = med["warm"] / med["import"]
    print(f"warm/import: {ratio:.2f}× (bar ≤ 2.0×) {'ok' if ratio <= 2.0 else 'OVER THE BAR'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
