"""Running the 例 lines of ``.fee`` files against their compiled functions."""

from __future__ import annotations

import types
from fractions import Fraction
from pathlib import Path

import attrs

from .runtime import FeeInputError, format_number, shown_input


@attrs.frozen
class ExampleResult:
    path: str
    line: int
    entry: str
    inputs: tuple
    expected: int | Fraction | None  # None: an input error was expected
    got: object  # the amount, or the FeeInputError raised
    ok: bool

    @property
    def message(self) -> str:
        """Why the example failed ("" when it holds)."""
        return "" if self.ok else self.describe()

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def describe(self, unit: str = "円") -> str:
        def amount(v):  # of any size (f"{v:,}" raises past 4,300 digits); a non-int with its type
            return format_number(v) + unit if v.__class__ is int else shown_input(v)

        args = ", ".join(f"{k}={v!r}" for k, v in self.inputs)
        exp = "入力エラー" if self.expected is None else amount(self.expected)
        got = f"入力エラー（{self.got}）" if isinstance(self.got, Exception) else amount(self.got)
        return f"{self.where}: 例 {self.entry}({args}) 期待 {exp} / 計算 {got}"


def fee_files(paths) -> list[Path]:
    """Every .fee file named, or found under a named directory, sorted."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(p.rglob("*.fee")))
        else:
            out.append(p)
    return out


def run_examples(target) -> list[ExampleResult]:
    """Run every ``例`` of a regulation (a path, or a module from ``feedsl.load``).

    Example values are already plain Python (checked by ``check.example``):
    amounts as int, enum values as str, dates as ``datetime.date``, records as
    dicts and lists as lists -- what a caller of the module passes. An amount
    must match in value and type (2,000 is not Fraction(2000)).
    """
    if isinstance(target, types.ModuleType):
        module = target
    else:
        from .api import load

        module = load(target)
    reg = module.__feedsl_ir__
    results = []
    for ex in reg.examples:
        fn = getattr(module, ex.entry)
        kwargs = dict(ex.kwargs)
        try:
            got = fn(**kwargs)
            ok = ex.expected is not None and got == ex.expected and type(got) is type(ex.expected)
        except FeeInputError as e:
            got = e
            ok = ex.expected is None
        results.append(ExampleResult(reg.path, ex.span.line if ex.span else 0, ex.entry,
                                     tuple(kwargs.items()), ex.expected, got, ok))
    return results
