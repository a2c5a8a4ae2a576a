"""The files feedsl writes into an output folder, and the names that may not share one.

``feedsl compile`` writes ``<規程名>.py`` and ``feedsl docs`` writes
``<規程名>.html``, ``<規程名>.md`` and ``index.html``. Two regulations whose
names differ only in case are one file on the file systems of macOS and
Windows (and in a clone of a repository there), so names are compared
case-insensitively everywhere, whatever the file system at hand. The checks
here run before anything is written: a clash writes nothing.

* F130: two sources with one 規程 name (case-insensitively).
* F131: a regulation named ``index`` or ``language`` (any case) would replace the
  index page or the language reference (docs/language.md).
* F132: a module named like a standard-library module, feedsl itself or a
  package feedsl imports (``json.py``, ``feedsl.py``, ``lark.py``), or a Python
  keyword. Once the output folder is on ``sys.path`` -- the way compiled
  modules are meant to be imported -- such a file shadows the real module for
  every import in the process (feedsl's own included) or cannot be imported
  at all. It is an error, not a warning: a rename costs nothing (the name is
  an identifier; the title is the label) and a shadowed ``json`` fails far
  from its cause. Only ``compile`` knows the name becomes a module, so
  ``check`` and ``feedsl.load`` (which names modules by content) accept it.
"""

from __future__ import annotations

import keyword
import re
import sys
from typing import Callable, Iterable

from .diagnostics import ERROR, Diagnostic, render
from .ir import RegulationIR
from .source import Span

INDEX_STEM = "index"
INDEX_PAGE = INDEX_STEM + ".html"
# docs/language.md, the language reference, lives beside the generated pages.
REFERENCE_STEM = "language"
REFERENCE_PAGE = REFERENCE_STEM + ".md"
PAGE_SUFFIXES = (".html", ".md")

#: Modules a compiled module must not be named after, besides the standard library's.
FEEDSL_IMPORTS = frozenset({"feedsl", "lark", "attr", "attrs", "jinja2", "markupsafe", "watchfiles"})

_NAME = re.compile(r"^[\t \u3000]*規程[\t \u3000]+([A-Za-z][A-Za-z0-9_]*)", re.M)


def header_span(reg: RegulationIR) -> Span:
    """Where the regulation's name is written in its ``規程`` line."""
    for m in _NAME.finditer(reg.source_text):
        if m.group(1) == reg.name:
            line = reg.source_text.count("\n", 0, m.start(1)) + 1
            col = m.start(1) - (reg.source_text.rfind("\n", 0, m.start(1)) + 1) + 1
            return Span(reg.path, line, col, line, col + len(reg.name))
    return Span(reg.path, 1, 1, 1, 2)


def page_clashes(regs: Iterable[RegulationIR]) -> list[Diagnostic]:
    """F130/F131 for the pages ``feedsl docs`` would write for ``regs``."""
    def reserved(name: str) -> tuple[str, str, str] | None:
        if name.lower() == INDEX_STEM:
            return ("F131", f"規程名「{name}」は使えません。{name}.html は一覧ページ {INDEX_PAGE} と同じファイルです"
                            "（大文字・小文字は区別しません）",
                    f"regulation name {name!r} is not available: {name}.html is the index page {INDEX_PAGE} "
                    "(case is not significant)")
        if name.lower() == REFERENCE_STEM:
            return ("F131", f"規程名「{name}」は使えません。{name}.md は言語リファレンス {REFERENCE_PAGE} と同じファイルです"
                            "（大文字・小文字は区別しません）",
                    f"regulation name {name!r} is not available: {name}.md is the language reference "
                    f"{REFERENCE_PAGE} (case is not significant)")
        return None

    return _clashes(regs, lambda n: [n + s for s in PAGE_SUFFIXES], reserved)


def module_clashes(regs: Iterable[RegulationIR]) -> list[Diagnostic]:
    """F130/F132 for the modules ``feedsl compile`` would write for ``regs``."""
    def reserved(name: str) -> tuple[str, str, str] | None:
        if keyword.iskeyword(name):
            return ("F132", f"規程名「{name}」は Python の予約語なので、{name}.py は import {name} と書いて読めません",
                    f"regulation name {name!r} is a Python keyword: {name}.py cannot be imported")
        if name in FEEDSL_IMPORTS:
            owner_ja, owner_en = ("feedsl 自身", "feedsl itself") if name == "feedsl" else \
                (f"feedsl が使うパッケージ {name}", f"the package {name} that feedsl uses")
        elif name in sys.stdlib_module_names:
            owner_ja, owner_en = f"Python の標準ライブラリ {name}", f"the standard library's {name}"
        else:
            return None
        return ("F132", f"規程名「{name}」から作る {name}.py は{owner_ja}と同じ名前です。"
                        f"出力先を sys.path に入れると、import {name} がどこでもこのファイルを読んでしまいます",
                f"{name}.py, the module of regulation {name!r}, has the name of {owner_en}: with the output "
                f"folder on sys.path, every import {name} would load it instead")

    return _clashes(regs, lambda n: [n + ".py"], reserved)


def _clashes(regs: Iterable[RegulationIR], files: Callable[[str], list[str]],
             reserved: Callable[[str], tuple[str, str, str] | None]) -> list[Diagnostic]:
    out = []
    first: dict[str, RegulationIR] = {}
    for reg in regs:
        span = header_span(reg)
        problem = reserved(reg.name)
        if problem is not None:
            code, ja, en = problem
            out.append(Diagnostic(code, ERROR, span, ja, en, "規程名を変えてください（表題はそのままで構いません）",
                                  "rename the regulation (its title can stay)"))
            continue
        key = reg.name.lower()
        if key not in first:
            first[key] = reg
            continue
        other = first[key]
        where = header_span(other)
        written = "・".join(files(other.name))
        out.append(Diagnostic(
            "F130", ERROR, span,
            f"規程名「{reg.name}」は {where} の規程名「{other.name}」と同じです（大文字・小文字は区別しません）。"
            f"出力ファイル {written} を取り合うので、何も書き出しません",
            f"regulation name {reg.name!r} is also used at {where} ({other.name!r}; case is not significant): "
            f"both would be written to {', '.join(files(other.name))}, so nothing is written",
            "どちらかの規程名を変えてください", "rename one of them",
            notes=_excerpt(where, other.source_text)))
    return out


def _excerpt(span: Span, text: str) -> tuple[str, ...]:
    """The other location, rendered like a diagnostic's own: file:line:col, the line, a caret."""
    lines = render(Diagnostic("", ERROR, span, ""), text).split("\n")[1:]
    return (f"{span}: 同じ規程名 / the same name", *lines)
