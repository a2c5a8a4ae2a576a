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
    """The result of compiling one file: its IR, the Python source, diagnostics.

    For a file with versions (版), ``ir``/``python`` are the selection asked
    for (default: the latest version's own text), ``timeline`` its dates
    (:class:`feedsl.versions.Timeline`) and ``selections`` every selection the
    check compiled, as (key, IR, Python source), the one asked for included.
    """

    source: SourceFile
    ir: RegulationIR | None
    python: str | None
    diagnostics: tuple[Diagnostic, ...]
    timeline: object = None
    selections: tuple = ()

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


def _pipeline(src: SourceFile, pick: str | None = None) -> Compiled:
    """The pipeline on a file. A file with versions (版) is checked as the text
    of each version and of each span of days its 経過措置 make (feedsl.versions
    selects them on the AST); its result is the selection ``pick`` (a key of
    the timeline; None: the latest version's own text)."""
    from . import versions

    diags = Diagnostics()
    reg = _front(src, diags)
    tl = None if reg is None else versions.timeline(reg, diags)
    if reg is None or diags.has_errors:
        return Compiled(src, None, None, tuple(diags.sorted()))
    if tl is None:
        result, python = _back(reg, diags, src.text)
        return Compiled(src, result, python, tuple(diags.sorted()))
    found_all, unused_everywhere, plain, done = [], None, {}, []
    latest = tl.latest_index
    for vidx, active in versions.keys_to_check(tl):
        sel = versions.select(reg, tl, vidx, active)
        found = Diagnostics()
        result, python = _back(sel.reg, found, src.text, _version_of(tl, sel))
        unused = {(d.code, d.span.line, d.span.col) for d in found.items if d.code in _UNUSED}
        unused_everywhere = unused if unused_everywhere is None else unused_everywhere & unused
        found_all.append(found.items)
        if result is not None:
            done.append((sel.key, result, python))
            if not active:
                plain[vidx] = (result, sel)
    for found in found_all:  # every selection's errors and warnings; "unused" only if so in all
        diags.extend(d for d in found if d.code not in _UNUSED or (d.code, d.span.line, d.span.col) in unused_everywhere)
    for k in range(1, len(tl.versions)):
        if k in plain and k - 1 in plain:
            old, old_sel = plain[k - 1]
            before = {n: (r.inputs, r.span) for n, r in old.rules.items() if n not in old_sel.unavailable}
            diags.extend(_signature_changes(before, plain[k][0], tl.versions[k]))
    unique = {}
    for d in diags.items:
        unique.setdefault((d.code, d.span.line, d.span.col, d.message), d)
    out = sorted(unique.values(), key=lambda d: (d.span.line, d.span.col, d.code))
    if any(d.is_error for d in out):
        return Compiled(src, None, None, tuple(out), tl)
    want = pick or tl.key(latest)
    chosen = next((c for c in done if c[0] == want), None)
    if chosen is None:  # the loader asks only for keys of this file's timeline
        raise LookupError(f"no selection {want!r} in {src.path}")
    return Compiled(src, chosen[1], chosen[2], tuple(out), tl, tuple(done))


# Warnings that something is not used: given only when so in every selection.
_UNUSED = ("F442", "F501", "F502")


def _version_of(tl, sel) -> tuple:
    """(VERSION, unavailable rules' messages) of a selection, for its module."""
    from . import versions

    chosen = tl.versions[sel.vidx]
    messages = {n: versions.unavailable_message(n, v, chosen) for n, v in sorted(sel.unavailable.items())}
    return tl.version_dict(sel.vidx, sel.active, sel.replaced), messages


def _front(src: SourceFile, diags: Diagnostics):
    """Parse and build: the AST, or None with diagnostics."""
    if src.report_hidden_characters(diags):  # invisible, bidi or control characters: read no further
        return None
    tree = parse(src, diags)
    if tree is None or not tree_depth(tree, src.path, diags):
        return None
    return build(tree, src.path, diags)


def _back(reg, diags: Diagnostics, text: str, version: tuple | None = None):
    """Check and generate a regulation without versions (or one selection of a
    file's): the IR and Python source, or (None, None) with diagnostics.

    Generation (and byte-compiling its result) is part of checking, so a
    file ``feedsl check`` calls clean always compiles and loads.
    """
    from .codegen.python import generate

    if diags.has_errors or not rule_chains(reg, diags):
        return None, None
    result = check(reg, diags, text)
    if diags.has_errors:
        return None, None
    return result, generate(result, version)


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


def _guarded(src: SourceFile, pick: str | None = None) -> Compiled:
    """The pipeline on a deep stack; a failure of feedsl itself is a diagnostic
    (F900, asking for a report), never a traceback."""
    try:
        with _gc_paused():
            return run_deep(_pipeline, src, pick)
    except Exception as e:  # a bug in feedsl: say so, with the file's location
        d = Diagnostic("F900", "error", Span(src.path, 1, 1, 1, 2),
                       f"feedsl の内部エラーです（{type(e).__name__}）。このファイルを添えて開発者に報告してください",
                       f"internal error in feedsl ({type(e).__name__}: {e}); please report it with this file")
        return Compiled(src, None, None, (d,))


def check_source(src: SourceFile) -> tuple[RegulationIR | None, list[Diagnostic]]:
    """Parse, check and generate; never raises for anything in the text."""
    compiled = _guarded(src)
    return compiled.ir, list(compiled.diagnostics)


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


def compile_source(src: SourceFile, pick: str | None = None) -> Compiled:
    """Compile a source file to Python; diagnostics instead of exceptions.
    ``pick``: for a file with versions, the selection (a key of its timeline)."""
    return _guarded(src, pick)


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
    if compiled.ok and run_examples:  # every selection's 例 (a file with versions has several)
        for _key, ir, python in compiled.selections or ((None, compiled.ir, compiled.python),):
            if ir.examples:
                diags.extend(_example_diagnostics(src, ir, python))
    return sorted(diags, key=lambda d: (d.span.line, d.span.col, d.code))


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
