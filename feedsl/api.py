"""The library entry points: check, compile and load ``.fee`` files."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import linecache
import types
from pathlib import Path

import attrs

from . import __version__
from .build import build
from .check import check
from .diagnostics import Diagnostic, Diagnostics, FeeCompileError
from .ir import RegulationIR
from .parse import parse
from .source import SourceFile, Span


@attrs.frozen
class Compiled:
    """The result of compiling one file: its IR, the Python source, diagnostics."""

    source: SourceFile
    ir: RegulationIR | None
    python: str | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return self.python is not None


@contextlib.contextmanager
def _gc_paused():
    """No cyclic garbage collection while a file is parsed and checked.

    Every object made there (tokens, trees, AST, IR) stays alive to the end, so
    each collection re-traverses all of them for nothing: about half the time
    of a 20,000-rule file. Collection resumes afterwards unless it was off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def check_source(src: SourceFile) -> tuple[RegulationIR | None, list[Diagnostic]]:
    """Parse and check; never raises for anything in the text."""
    diags = Diagnostics()
    with _gc_paused():
        tree = parse(src, diags)
        if tree is None:
            return None, diags.sorted()
        reg = build(tree, src.path, diags)
        result = check(reg, diags, src.text)
    return (None if diags.has_errors else result), diags.sorted()


def read_source(path: str | Path) -> SourceFile:
    """Read a file, turning OS and encoding problems into a FeeCompileError."""
    p = str(path)
    try:
        return SourceFile.read(path)
    except UnicodeDecodeError as e:
        d = Diagnostic("F003", "error", Span(p, 1, 1, 1, 2),
                       f"ファイルが UTF-8 ではありません（{e.start} バイト目）。UTF-8 で保存し直してください",
                       f"the file is not UTF-8 (byte {e.start}); save it as UTF-8")
        raise FeeCompileError([d]) from None
    except OSError as e:
        d = Diagnostic("F004", "error", Span(p, 0, 0, 0, 0),
                       f"ファイルを読めません: {e.strerror or e}", f"cannot read the file: {e.strerror or e}")
        raise FeeCompileError([d]) from None


def compile_source(src: SourceFile) -> Compiled:
    """Compile a source file to Python; diagnostics instead of exceptions."""
    from .codegen.python import generate

    reg, diags = check_source(src)
    python = generate(reg) if reg is not None else None
    return Compiled(src, reg, python, tuple(diags))


def compile_file(path: str | Path) -> Compiled:
    return compile_source(read_source(path))


def check_file(path: str | Path, run_examples: bool = True) -> list[Diagnostic]:
    """All diagnostics of a file (errors and warnings), including 例 whose
    expected amount is not what the compiled rule computes (F601)."""
    try:
        src = read_source(path)
    except FeeCompileError as e:
        return list(e.diagnostics)
    reg, diags = check_source(src)
    diags = list(diags)
    if reg is not None and run_examples and reg.examples:
        diags.extend(_example_diagnostics(src, reg))
    return sorted(diags, key=lambda d: (d.span.line, d.span.col, d.code))


def _example_diagnostics(src: SourceFile, reg: RegulationIR) -> list[Diagnostic]:
    from .codegen.python import generate
    from .examples import run_examples as _run

    mod = module_from_source(generate(reg), f"feedsl_check.{reg.name}", f"<feedsl check {src.path}>")
    mod.__feedsl_ir__ = reg
    out = []
    for r, ex in zip(_run(mod), reg.examples):
        if r.ok:
            continue
        unit = str(reg.rules[ex.entry].type)
        exp = "入力エラー" if r.expected is None else _amount_text(r.expected, unit)
        got = f"入力エラー（{r.got}）" if isinstance(r.got, Exception) else _amount_text(r.got, unit)
        exp_en = "an input error" if r.expected is None else _amount_text(r.expected, unit)
        got_en = f"an input error ({r.got})" if isinstance(r.got, Exception) else _amount_text(r.got, unit)
        out.append(Diagnostic("F601", "error", ex.span,
                              f"例の金額が合いません: 期待 {exp}、計算 {got}",
                              f"example is wrong: expected {exp_en}, computed {got_en}",
                              "規程の本文と照らして、例か規則のどちらかを直してください",
                              "check the regulation text and fix the example or the rule"))
    return out


def _amount_text(v, unit: str) -> str:
    from fractions import Fraction

    u = "" if unit == "無単位" else unit
    if isinstance(v, Fraction) and v.denominator != 1:
        return f"{v}{u}"
    return f"{int(v):,}{u}"


_CACHE: dict[tuple[str, str], types.ModuleType] = {}


def module_from_source(python: str, name: str, filename: str) -> types.ModuleType:
    """Execute generated source as a module (registered with linecache for tracebacks)."""
    mod = types.ModuleType(name)
    mod.__file__ = filename
    linecache.cache[filename] = (len(python), None, python.splitlines(True), filename)
    code = compile(python, filename, "exec")
    exec(code, mod.__dict__)  # the generated source, never author text
    return mod


def load(path: str | Path) -> types.ModuleType:
    """Compile a ``.fee`` file and return the module of its fee functions.

    Cached by the file's content: loading an unchanged file again returns the
    same module; editing the file makes the next ``load`` recompile it.
    Raises :class:`FeeCompileError` (with rendered diagnostics) on errors.
    """
    src = read_source(path)
    digest = hashlib.sha256((__version__ + "\0" + src.text).encode()).hexdigest()
    key = (str(Path(path).resolve()), digest)
    if key in _CACHE:
        return _CACHE[key]
    compiled = compile_source(src)
    if not compiled.ok:
        errors = [d for d in compiled.diagnostics if d.is_error]
        raise FeeCompileError(errors, {src.path: src.text})
    name = f"feedsl_generated.{compiled.ir.name}_{digest[:12]}"
    mod = module_from_source(compiled.python, name, f"<feedsl {src.path}>")
    mod.__feedsl_ir__ = compiled.ir
    mod.__feedsl_source__ = compiled.python
    _CACHE[key] = mod
    return mod
