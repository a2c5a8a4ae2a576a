"""The library entry points: check, compile and load ``.fee`` files."""

from __future__ import annotations

import contextlib
import gc
import linecache
import types
from pathlib import Path

import attrs

from .build import build
from .check import check
from .depth import rule_chains, run_deep, tree_depth
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


def _pipeline(src: SourceFile) -> tuple[RegulationIR | None, str | None, list[Diagnostic]]:
    """The pipeline on a file; a file with versions (版) is checked as the text
    in force from each version's date, and its result is the latest version."""
    from .versions import scan

    versioned = scan(src.text) if "版" in src.text else None
    if versioned is None:
        return _pipeline_one(src)
    diags = [Diagnostic(p.code, p.severity, Span(src.path, p.line, p.col, p.line, p.col + p.length), p.ja, p.en)
             for p in versioned.problems]
    if any(d.is_error for d in diags):
        return None, None, sorted(diags, key=lambda d: (d.span.line, d.span.col, d.code))
    dates = [v.in_force for v in versioned.versions[:-1]] + [None]
    result, python, before = None, None, {}
    unused_everywhere = None  # F501/F502 (unused input or rule) only when so in every version
    for as_of in dates:
        sel = versioned.selection(as_of)
        result, python, found = _pipeline_one(SourceFile(src.path, sel.text))
        unused = {(d.code, d.span.line, d.span.col) for d in found if d.code in ("F501", "F502")}
        unused_everywhere = unused if unused_everywhere is None else unused_everywhere & unused
        # Earlier versions: their errors; the warnings are the latest text's
        diags.extend(d for d in found if d.is_error or (as_of is None and (
            d.code not in ("F501", "F502") or (d.code, d.span.line, d.span.col) in unused_everywhere)))
        if result is not None and as_of is None and result.overview is not None:
            diags.extend(Diagnostic("F101", "error", span, f"一覧の規則「{name}」は定義されていません",
                                    f"the summary names an unknown rule {name!r}")
                         for name, span in result.overview.missing)
        if result is not None:
            diags.extend(_signature_changes(before, result, sel.version))
            before = {n: (r.inputs, r.span) for n, r in result.rules.items() if n not in sel.unavailable}
    unique = {}
    for d in diags:
        unique.setdefault((d.code, d.span.line, d.span.col, d.message), d)
    diags = sorted(unique.values(), key=lambda d: (d.span.line, d.span.col, d.code))
    if any(d.is_error for d in diags):
        return None, None, diags
    return result, python, diags


def _signature_changes(before: dict, reg: RegulationIR, version) -> list[Diagnostic]:
    """F237 (warning): an entry whose inputs differ from the previous version's."""
    out = []
    for name, rule in reg.rules.items():
        if name not in before or set(before[name][0]) == set(rule.inputs):
            continue
        old = before[name][0]
        added = [i for i in rule.inputs if i not in old]
        removed = [i for i in old if i not in rule.inputs]
        ja = "、".join([f"追加 {', '.join(added)}"] * bool(added) + [f"削除 {', '.join(removed)}"] * bool(removed))
        en = "; ".join([f"added {', '.join(added)}"] * bool(added) + [f"removed {', '.join(removed)}"] * bool(removed))
        out.append(Diagnostic("F237", "warning", rule.span,
                              f"規則「{name}」の入力が版「{version.name}」で変わります（{ja}）。呼び出し側と名簿の列を確かめてください",
                              f"the inputs of {name} change in version {version.name} ({en})"))
    return out


def _pipeline_one(src: SourceFile) -> tuple[RegulationIR | None, str | None, list[Diagnostic]]:
    """Parse, check and generate: the IR and Python source, or diagnostics.

    Generation (and byte-compiling its result) is part of checking, so a
    file ``feedsl check`` calls clean always compiles and loads.
    """
    from .codegen.python import generate

    diags = Diagnostics()
    if src.report_hidden_characters(diags):  # invisible, bidi or control characters: read no further
        return None, None, diags.sorted()
    tree = parse(src, diags)
    if tree is None or not tree_depth(tree, src.path, diags):
        return None, None, diags.sorted()
    reg = build(tree, src.path, diags)
    if not rule_chains(reg, diags):
        return None, None, diags.sorted()
    result = check(reg, diags, src.text)
    if diags.has_errors:
        return None, None, diags.sorted()
    return result, generate(result), diags.sorted()


def _guarded(src: SourceFile) -> tuple[RegulationIR | None, str | None, list[Diagnostic]]:
    """The pipeline on a deep stack; a failure of feedsl itself is a diagnostic
    (F900, asking for a report), never a traceback."""
    try:
        with _gc_paused():
            return run_deep(_pipeline, src)
    except Exception as e:  # a bug in feedsl: say so, with the file's location
        d = Diagnostic("F900", "error", Span(src.path, 1, 1, 1, 2),
                       f"feedsl の内部エラーです（{type(e).__name__}）。このファイルを添えて開発者に報告してください",
                       f"internal error in feedsl ({type(e).__name__}: {e}); please report it with this file")
        return None, None, [d]


def check_source(src: SourceFile) -> tuple[RegulationIR | None, list[Diagnostic]]:
    """Parse, check and generate; never raises for anything in the text."""
    reg, _python, diags = _guarded(src)
    return reg, diags


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
    reg, python, diags = _guarded(src)
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
    compiled = compile_source(src)
    diags = list(compiled.diagnostics)
    if compiled.ok and run_examples and compiled.ir.examples:
        diags.extend(_example_diagnostics(src, compiled.ir, compiled.python))
    if compiled.ok and run_examples and "版" in src.text:
        diags.extend(_older_version_examples(src))
    return sorted(diags, key=lambda d: (d.span.line, d.span.col, d.code))


def _older_version_examples(src: SourceFile) -> list[Diagnostic]:
    """F601 for the examples pinned to a version before the latest (例@NAME,
    or 例 in that version's section), run on the text in force on its date."""
    from .versions import scan

    versioned = scan(src.text)
    out = []
    for v in versioned.versions[:-1] if versioned else ():
        sel = versioned.selection(v.in_force)
        ir, python, _ = _guarded(SourceFile(src.path, sel.text))
        if ir is not None and ir.examples:
            out.extend(_example_diagnostics(src, ir, python))
    return out


def _example_diagnostics(src: SourceFile, reg: RegulationIR, python: str) -> list[Diagnostic]:
    from .examples import run_examples as _run

    mod = module_from_source(python, f"feedsl_check.{reg.name}", f"<feedsl check {src.path}>")
    mod.__feedsl_ir__ = reg
    out = []
    for r, ex in zip(_run(mod), reg.examples):
        if r.ok:
            continue
        unit = str(reg.rules[ex.entry].type)
        exp = "入力エラー" if r.expected is None else _amount_text(r.expected, unit)
        got = f"入力エラー（{r.got}）" if isinstance(r.got, Exception) else _amount_text(r.got, unit)
        exp_en = "an input error" if r.expected is None else _amount_text(r.expected, unit, en=True)
        got_en = f"an input error ({r.got})" if isinstance(r.got, Exception) else _amount_text(r.got, unit, en=True)
        out.append(Diagnostic("F601", "error", ex.span,
                              f"例の金額が合いません: 期待 {exp}、計算 {got}",
                              f"example is wrong: expected {exp_en}, computed {got_en}",
                              "規程の本文と照らして、例か規則のどちらかを直してください",
                              "check the regulation text and fix the example or the rule"))
    return out


def _amount_text(v, unit: str, en: bool = False) -> str:
    """An example's amount for F601: any size (shortened past 60 digits), a
    fractional one as its exact fraction when that is short (1/3円)."""
    from .runtime import exact_text, format_number

    u = "" if unit == "無単位" else unit
    if v.denominator != 1 and v.numerator.bit_length() + v.denominator.bit_length() < 200:
        return f"{exact_text(v)}{u}"
    return f"{format_number(v, en=en)}{u}"


def module_from_source(python: str, name: str, filename: str) -> types.ModuleType:
    """Execute generated source as a module (registered with linecache for tracebacks)."""
    mod = types.ModuleType(name)
    mod.__file__ = filename
    linecache.cache[filename] = (len(python), None, python.splitlines(True), filename)
    code = compile(python, filename, "exec")
    exec(code, mod.__dict__)  # the generated source, never author text
    return mod


# ``load`` lives in feedsl.loader, which keeps the warm path free of the compiler.
from .loader import load  # noqa: E402,F401
