"""How checking and compiling grow with the size of a file.

Run: python benchmarks/bench_scale.py [--quick] [--only SHAPE] [--sizes N,N] [--cli] [--check-only]
     [--profile SHAPE SIZE]

Generates, in a temporary directory, files of the shapes that grow in real
regulations, each at three sizes (``--quick``: a tenth or less):

- ``rows_chained``, ``rows_explicit``, ``rows_rate``: one bracket table of
  1k/4k/10k rows keyed by a count, written chained (``10人以下`` … ``それ以上``)
  or with both bounds (``11～20人以下``), and one keyed by a rate (``0.01%未満``
  … on the exact ratio of two counts);
- ``rules_chains``: 1k/10k/20k rules in chains ``c_j_i = c_j_(i-1) + 1円`` of
  depth 50 (not deeper: very deep chains are a matter of recursion, not of
  size); ``rules_independent``: 1k/10k/20k rules ``x × k円/人`` on one input;
- ``inputs_enums``: 1k/10k/20k inputs, an enum for every ten and a rule per
  enum, a 場合 on it summing its ten inputs;
- ``enum_arms``: one enum of 500/2k/5k values (every municipality) and a 場合
  with an arm per value, with one 例.

Columns, in this process: ``parse``; ``build+check`` (AST, names, types,
brackets; both without the cyclic GC, as ``check_source`` runs them);
``generate`` and ``py-compile`` (the code generator and byte-compiling its
output); ``compile_source``, the whole of ``feedsl.api.compile_source`` again;
with ``--cli``, ``feedsl check FILE`` as a new process (it generates code only
for a file with 例). A stage that fails shows its exception. Below the sizes,
the growth factor of each step and of 10× the size: a linear stage grows
about as the size, a quadratic one as its square. All timings come from one
run on a shared machine, best of up to three for small files: compare the
ratios, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from feedsl.api import _gc_paused, check_source, compile_source  # noqa: E402
from feedsl.build import build  # noqa: E402
from feedsl.check import check  # noqa: E402
from feedsl.diagnostics import Diagnostics  # noqa: E402
from feedsl.parse import parse  # noqa: E402
from feedsl.source import SourceFile  # noqa: E402

CHAIN_DEPTH = 50


def _head(name: str) -> str:
    return f"規程 {name} 「規模の試験 {name}」\n    年度 4月始まり\n\n"


def _table_file(name: str, key_lines: str, key: str, rows: list[str]) -> str:
    return (_head(name) + key_lines
            + f"表 fee 「会費」 [1] {key} による\n" + "".join(f"    {r}\n" for r in rows))


def rows_count_chained(n: int) -> str:
    """``10人以下`` … ``それ以上``: each row starts where the previous ended."""
    rows = [f"{10 * (k + 1):,}人以下    {1000 + 10 * k:,}円" for k in range(n - 1)]
    rows.append(f"それ以上    {1000 + 10 * (n - 1):,}円")
    return _table_file("rows_chained", "入力 population: 人 「人口」\n\n", "population", rows)


def rows_count_explicit(n: int) -> str:
    """``10人以下``, ``11～20人以下`` … ``N人以上``: both bounds written."""
    rows = ["10人以下    1,000円"]
    rows += [f"{10 * k + 1:,}～{10 * (k + 1):,}人以下    {1000 + 10 * k:,}円" for k in range(1, n - 1)]
    rows.append(f"{10 * (n - 1) + 1:,}人以上    {1000 + 10 * (n - 1):,}円")
    return _table_file("rows_explicit", "入力 population: 人 「人口」\n\n", "population", rows)


def _percent(k: int, n: int) -> str:
    """k/n of 100%, exactly, as a decimal percent (n divides 100·10^4)."""
    hundredths = k * 1_000_000 // n  # in 1/10,000 of a percent
    whole, frac = divmod(hundredths, 10_000)
    return f"{whole}.{frac:04d}%".replace(".0000%", "%")


def rows_rate(n: int) -> str:
    """A rate-keyed table: ``0.1%未満`` … chained, fees falling as the rate rises."""
    keys = ("入力 members: 人 「会員数」\n入力 all_members: 人 「全会員数」\n\n"
            "規則 rate 「入会率」 =\n    members ÷ all_members\n\n")
    rows = [f"{_percent(k + 1, n)}未満    {10 * (n - k):,}円" for k in range(n - 1)]
    rows.append("それ以上    10円")
    return _table_file("rows_rate", keys, "rate", rows)


def rules_chains(n: int) -> str:
    """n rules in chains ``c_j_i = c_j_(i-1) + 1円`` of depth 50 on one input."""
    out = [_head("rules_chains"), "入力 x: 人 「人数」\n\n"]
    for j in range(max(1, n // CHAIN_DEPTH)):
        out.append(f"規則 c{j}_0 「連鎖{j}の0」 =\n    x × 10円/人\n")
        for i in range(1, CHAIN_DEPTH):
            out.append(f"規則 c{j}_{i} 「連鎖{j}の{i}」 =\n    c{j}_{i - 1} + 1円\n")
    return "".join(out)


def rules_independent(n: int) -> str:
    """n rules, each ``x × k円/人`` on one shared input."""
    out = [_head("rules_independent"), "入力 x: 人 「人数」\n\n"]
    out += [f"規則 r{i} 「規則{i}」 =\n    x × {i + 1:,}円/人\n" for i in range(n)]
    return "".join(out)


def rules_inputs_enums(n: int) -> str:
    """n inputs and n/10 enums; n/10 rules, each a 場合 on an enum summing ten inputs."""
    out = [_head("inputs_enums")]
    groups = max(1, n // 10)
    for j in range(groups):
        out.append(f"区分 k{j} 「区分{j}」\n    city 「市」\n    town 「町」\n    village 「村」\n")
        out.append(f"入力 kind{j}: k{j} 「区分{j}の値」\n")
        out += [f"入力 x{10 * j + i}: 人 「人数{10 * j + i}」\n" for i in range(10)]
    out.append("\n")
    for j in range(groups):
        total = " + ".join(f"x{10 * j + i}" for i in range(10))
        out.append(f"規則 f{j} 「規則{j}」 =\n    場合 kind{j}\n"
                   f"        city → ({total}) × 2円/人\n"
                   f"        town → ({total}) × 1円/人\n"
                   f"        village → 0円\n")
    return "".join(out)


def enum_arms(n: int) -> str:
    """One enum of n values (every municipality) and a 場合 with an arm per value, plus an example."""
    out = [_head("enum_arms"), "区分 town 「市町村」\n"]
    out += [f"    t{k} 「市町村{k}」\n" for k in range(n)]
    out.append("\n入力 where: town 「所在地」\n\n規則 fee 「会費」 =\n    場合 where\n")
    out += [f"        t{k} → {1000 + k:,}円\n" for k in range(n)]
    out.append(f"\n例 fee(where=t{n - 1}) = {1000 + n - 1:,}円\n")
    return "".join(out)


SHAPES = {
    "rows_chained": (rows_count_chained, "rows"),
    "rows_explicit": (rows_count_explicit, "rows"),
    "rows_rate": (rows_rate, "rows"),
    "rules_chains": (rules_chains, "rules"),
    "rules_independent": (rules_independent, "rules"),
    "inputs_enums": (rules_inputs_enums, "inputs"),
    "enum_arms": (enum_arms, "values"),
}
SIZES = {"rows": (1_000, 4_000, 10_000), "rules": (1_000, 10_000, 20_000), "inputs": (1_000, 10_000, 20_000),
         "values": (500, 2_000, 5_000)}
QUICK = {"rows": (100, 400, 1_000), "rules": (100, 1_000, 2_000), "inputs": (100, 1_000, 2_000),
         "values": (50, 200, 500)}


def _clock(f):
    t = time.perf_counter()
    result = f()
    return time.perf_counter() - t, result


def _stage(out: dict, column: str, f):
    """Time ``f`` into ``out[column]``; a failure is recorded by its name, not raised."""
    try:
        out[column], result = _clock(f)
        return result
    except Exception as e:  # noqa: BLE001 - the benchmark reports what broke and goes on
        out[column] = type(e).__name__
        return None


def measure(path: Path, cli: bool, codegen: bool = True) -> dict:
    """Seconds for each stage of one file (one run each)."""
    from feedsl.codegen.python import generate

    src = SourceFile(str(path), path.read_text("utf-8"))
    diags = Diagnostics()
    out: dict = {}
    # As check_source runs them: without the cyclic GC (see feedsl.api._gc_paused).
    with _gc_paused():
        tree = _stage(out, "parse", lambda: parse(src, diags))
        assert tree is not None, "the generated file does not parse"
        reg_ir = _stage(out, "build+check", lambda: check(build(tree, src.path, diags), diags, src.text))
    errors = [d for d in diags.items if d.is_error]
    assert not errors, errors[:3]
    out["warnings"] = len(diags.items)
    if codegen:
        python = _stage(out, "generate", lambda: generate(reg_ir))
        if python is not None:
            _stage(out, "py-compile", lambda: compile(python, str(path), "exec"))
        _stage(out, "compile_source", lambda: compile_source(src))
    if cli:
        exe = Path(sys.executable).with_name("feedsl")
        cmd = [str(exe), "check", str(path)] if exe.exists() else [sys.executable, "-m", "feedsl", "check", str(path)]
        proc = _stage(out, "feedsl check", lambda: subprocess.run(cmd, capture_output=True, text=True))
        if proc is not None and proc.returncode != 0:
            out["feedsl check"] = f"exit {proc.returncode}"
    return out


def best_of(path: Path, cli: bool, codegen: bool, budget: float = 2.0, most: int = 3) -> dict:
    """The fastest of a few runs of :func:`measure` for a small file (one run of a big one)."""
    runs = [measure(path, cli, codegen)]
    while len(runs) < most and sum(v for v in runs[0].values() if isinstance(v, float)) * len(runs) < budget:
        runs.append(measure(path, cli, codegen))
    best = dict(runs[0])
    for r in runs[1:]:
        for c, v in r.items():
            if isinstance(v, float) and isinstance(best.get(c), float):
                best[c] = min(best[c], v)
    return best


COLUMNS = ("parse", "build+check", "generate", "py-compile", "compile_source", "feedsl check")


def _size(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def _cell(v) -> str:
    return f"{v:>14.3f}s" if isinstance(v, float) else f"{v:>15}"


def _growth(a, b) -> str:
    if isinstance(a, float) and isinstance(b, float) and a > 0:
        return f"{b / a:>14.1f}x"
    return f"{'-':>15}"


def report(shape: str, sizes, results: list[dict]) -> None:
    """One line per size, then the growth factor of each step and of 10x n."""
    cols = [c for c in COLUMNS if c in results[0]]
    kind = SHAPES[shape][1]
    print(f"\n{shape} ({kind}; warnings: {', '.join(str(r['warnings']) for r in results)})")
    print(f"  {'size':>10} " + " ".join(f"{c:>15}" for c in cols))
    for n, r in zip(sizes, results):
        print(f"  {n:>10,} " + " ".join(_cell(r.get(c, '-')) for c in cols))
    steps = [(i, i + 1) for i in range(len(sizes) - 1)]
    steps += [(i, j) for i in range(len(sizes)) for j in range(i + 2, len(sizes)) if sizes[j] == 10 * sizes[i]]
    for i, j in steps:
        label = f"{_size(sizes[j])}/{_size(sizes[i])}"
        print(f"  {label:>10} " + " ".join(_growth(results[i].get(c), results[j].get(c)) for c in cols))


def profile(shape: str, n: int, tmp: Path) -> None:
    """cProfile of check_source (parse + build + check) on one generated file."""
    text = SHAPES[shape][0](n)
    src = SourceFile(str(tmp / f"{shape}_{n}.fee"), text)
    prof = cProfile.Profile()
    prof.runcall(check_source, src)
    pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    pstats.Stats(prof).sort_stats("tottime").print_stats(20)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (a few seconds in all)")
    ap.add_argument("--only", action="append", choices=sorted(SHAPES), help="only these shapes")
    ap.add_argument("--sizes", help="comma-separated sizes instead of the shape's own (e.g. 1000,4000)")
    ap.add_argument("--cli", action="store_true", help="also time `feedsl check FILE` as a new process")
    ap.add_argument("--check-only", action="store_true", help="only parse and build+check (no code generation)")
    ap.add_argument("--profile", nargs=2, metavar=("SHAPE", "SIZE"), help="print a cProfile of check_source")
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="feedsl-bench-") as d:
        tmp = Path(d)
        if a.profile:
            profile(a.profile[0], int(a.profile[1]), tmp)
            return
        # The first parse builds the parser (once per process): not part of any size.
        parse(SourceFile("warm.fee", _head("warm")), Diagnostics())
        sizes_of = QUICK if a.quick else SIZES
        for shape in a.only or SHAPES:
            make, kind = SHAPES[shape]
            sizes = tuple(int(x) for x in a.sizes.split(",")) if a.sizes else sizes_of[kind]
            results = []
            for n in sizes:
                path = tmp / f"{shape}_{n}.fee"
                path.write_text(make(n), "utf-8")
                results.append(best_of(path, a.cli, not a.check_only))
            report(shape, sizes, results)


if __name__ == "__main__":
    main()
