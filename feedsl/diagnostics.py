"""Diagnostics: every problem found in a ``.fee`` file, with a code and a span.

Every stage reports here; nothing else prints. Messages are in Japanese by
default (the regulation authors' language); each diagnostic also carries an
English message for ``--lang en``.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Iterable

import attrs

from .source import Span, visible

ERROR = "error"
WARNING = "warning"


@attrs.frozen
class Diagnostic:
    """One problem: a stable code (F101 …), a severity, where, and what to do."""

    code: str
    severity: str
    span: Span
    message: str
    message_en: str = ""
    hint: str = ""
    hint_en: str = ""
    notes: tuple[str, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def to_dict(self, lang: str = "ja") -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "path": self.span.path,
            "line": self.span.line,
            "column": self.span.col,
            "end_line": self.span.end_line,
            "end_column": self.span.end_col,
            "message": self.text(lang),
            "hint": self.hint_text(lang),
        }

    def text(self, lang: str = "ja") -> str:
        return self.message_en if lang == "en" and self.message_en else self.message

    def hint_text(self, lang: str = "ja") -> str:
        return self.hint_en if lang == "en" and self.hint_en else self.hint


class Diagnostics:
    """A collector: stages add diagnostics and carry on.

    ``has_errors`` is asked once per rule by the checker, so it must not
    rescan: errors are counted as they come. Diagnostics appended to
    ``items`` directly are counted the next time it is asked (each one once).
    """

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []
        self._errors = 0
        self._counted = 0  # items[:_counted] are in _errors

    def add(self, d: Diagnostic) -> None:
        self.items.append(d)

    def error(self, code: str, span: Span, message: str, message_en: str = "",
              hint: str = "", hint_en: str = "") -> None:
        self.add(Diagnostic(code, ERROR, span, message, message_en, hint, hint_en))

    def warning(self, code: str, span: Span, message: str, message_en: str = "",
                hint: str = "", hint_en: str = "") -> None:
        self.add(Diagnostic(code, WARNING, span, message, message_en, hint, hint_en))

    def extend(self, ds: Iterable[Diagnostic]) -> None:
        self.items.extend(ds)

    def _count_errors(self) -> int:
        if self._counted > len(self.items):  # items was cut or replaced: count afresh
            self._errors = self._counted = 0
        if self._counted < len(self.items):
            self._errors += sum(1 for d in self.items[self._counted:] if d.is_error)
            self._counted = len(self.items)
        return self._errors

    @property
    def has_errors(self) -> bool:
        return self._count_errors() > 0

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=lambda d: (d.span.path, d.span.line, d.span.col, d.code))


class FeeCompileError(Exception):
    """A ``.fee`` file has errors; ``str()`` renders them like the CLI does."""

    def __init__(self, diagnostics: list[Diagnostic], sources: dict[str, str] | None = None):
        self.diagnostics = diagnostics
        self.sources = sources or {}
        super().__init__(render_all(diagnostics, self.sources))


def _display_width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


_SEVERITY_JA = {ERROR: "エラー", WARNING: "警告"}


@functools.lru_cache(maxsize=4)
def _lines(source_text: str) -> list[str]:
    """The lines of a source, split once per text however many diagnostics it has."""
    return source_text.split("\n")


def render(d: Diagnostic, source_text: str | None, lang: str = "ja") -> str:
    """``file:line:col: error F201: message``, the source line, a caret, a hint."""
    sev = d.severity if lang == "en" else _SEVERITY_JA.get(d.severity, d.severity)
    out = [f"{d.span}: {sev} {d.code}: {d.text(lang)}"]
    if source_text is not None and d.span.line >= 1:
        lines = _lines(source_text)
        if d.span.line <= len(lines):
            line = visible(lines[d.span.line - 1].rstrip("\n")).replace("\t", " ")  # no hidden character echoed
            out.append(f"  {d.span.line:>4} | {line}")
            pad = _display_width(line[: max(d.span.col - 1, 0)])
            if d.span.end_line == d.span.line and d.span.end_col > d.span.col:
                width = max(1, _display_width(line[d.span.col - 1 : d.span.end_col - 1]))
            else:
                width = 1
            out.append("       | " + " " * pad + "^" * width)
    hint = d.hint_text(lang)
    if hint:
        out.append(("  hint: " if lang == "en" else "  ヒント: ") + hint)
    for n in d.notes:
        out.append("  " + n)
    return "\n".join(out)


def render_all(diags: Iterable[Diagnostic], sources: dict[str, str], lang: str = "ja") -> str:
    return "\n".join(render(d, sources.get(d.span.path), lang) for d in diags)
