"""Source files and spans: where in a ``.fee`` file a thing was written."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import attrs


@attrs.frozen
class Span:
    """A region of a source file: 1-based line and column, end exclusive.

    >>> Span("a.fee", 3, 5, 3, 9).start
    (3, 5)
    """

    path: str
    line: int
    col: int
    end_line: int
    end_col: int

    @property
    def start(self) -> tuple[int, int]:
        return (self.line, self.col)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


NO_SPAN = Span("<feedsl>", 0, 0, 0, 0)

HIDDEN_CHARACTER_CODE = "F007"  # a character the file must not contain (see hidden_characters)
MAX_HIDDEN_REPORTED = 20


@attrs.frozen
class SourceFile:
    """The text of one ``.fee`` file and the name it is reported under."""

    path: str
    text: str

    @classmethod
    def read(cls, path: str | Path) -> "SourceFile":
        """Read a file as UTF-8 (a BOM is allowed). Raises OSError/UnicodeDecodeError."""
        data = Path(path).read_bytes()
        text = data.decode("utf-8-sig")
        return cls(str(path), text.replace("\r\n", "\n").replace("\r", "\n"))

    def line_text(self, line: int) -> str:
        lines = self.text.split("\n")
        if 1 <= line <= len(lines):
            return lines[line - 1]
        return ""

    def report_hidden_characters(self, diags) -> int:
        """Add a diagnostic (F007) at each hidden character of the file to ``diags``
        (a :class:`~feedsl.diagnostics.Diagnostics`); return how many there are.

        At most :data:`MAX_HIDDEN_REPORTED` are reported one by one (a file saved in
        the wrong encoding can hold thousands); the last of them says how many more.
        """
        found = hidden_characters(self.text)
        for n, (line, col, ch) in enumerate(found[:MAX_HIDDEN_REPORTED], 1):
            more = len(found) - n if n == MAX_HIDDEN_REPORTED else 0
            diags.error(
                HIDDEN_CHARACTER_CODE, Span(self.path, line, col, line, col + 1),
                f"「{character_name(ch)}」は見えない、または表示を変える文字なので、規程ファイルには書けません"
                + (f"（ほかに {more} 個）" if more else ""),
                f"{character_name(ch, 'en')} is invisible or changes how text is displayed; "
                "it is not allowed in a .fee file" + (f" ({more} more)" if more else ""),
                "この文字を削除してください（文書や Web ページからの貼り付けで紛れ込みます）",
                "delete it (it comes along when text is pasted from documents or web pages)")
        return len(found)


# --- characters a .fee file must not contain -----------------------------------
#
# A regulation's text reaches pages, generated modules and explanations. Some
# characters are invisible or change how the text around them is displayed, so
# what a reviewer reads is not what the file says ("Trojan Source"): a label can
# look like another, a comment can hide code, a page can show a clause reversed.
# They are refused anywhere in the file, comments included:
#
# * control characters (Unicode category Cc: C0, DEL and C1, NUL among them)
#   except tab, line feed and carriage return, which are ordinary text;
# * format characters (Cf): the bidirectional embeddings, overrides, isolates
#   and marks (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C), zero-width
#   spaces and joiners, word joiner, a byte order mark inside the file, soft
#   hyphen, invisible operators, interlinear annotations and tag characters;
# * the line and paragraph separators U+2028/U+2029 (Zl, Zp), which some
#   programs treat as a line break and others as nothing;
# * the Hangul fillers (U+115F, U+1160, U+3164, U+FFA0): letters that draw nothing.
#
# Variation selectors (U+FE00–U+FE0F, U+E0100–U+E01EF) are allowed: Japanese
# names are written with them (異体字セレクタ), and they only pick a glyph.

_ALLOWED_CONTROLS = frozenset("\t\n\r")
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")

# Japanese names for the characters an author is most likely to meet.
_CHAR_NAMES_JA = {
    "\x00": "ヌル文字",
    "\x7f": "削除文字",
    "\x85": "次行",
    "\xad": "ソフトハイフン",
    "\u061c": "アラビア文字の書字方向マーク",
    "\u200b": "ゼロ幅スペース",
    "\u200c": "ゼロ幅非接合子",
    "\u200d": "ゼロ幅接合子",
    "\u200e": "左から右へのマーク",
    "\u200f": "右から左へのマーク",
    "\u202a": "左から右への埋め込み",
    "\u202b": "右から左への埋め込み",
    "\u202c": "書字方向の埋め込み・上書きの終わり",
    "\u202d": "左から右への上書き",
    "\u202e": "右から左への上書き",
    "\u2028": "行区切り",
    "\u2029": "段落区切り",
    "\u2060": "単語結合子",
    "\u2066": "左から右への分離",
    "\u2067": "右から左への分離",
    "\u2068": "最初の文字に従う分離",
    "\u2069": "書字方向の分離の終わり",
    "\ufeff": "ゼロ幅ノーブレークスペース（BOM）",
}


def is_hidden_character(ch: str) -> bool:
    """True for a character a .fee file must not contain (see the list above)."""
    if ch in _ALLOWED_CONTROLS:
        return False
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") or ch in _INVISIBLE_LETTERS


def hidden_characters(text: str) -> list[tuple[int, int, str]]:
    """Every character of ``text`` a .fee file must not contain, as
    ``(line, column, character)``, 1-based, columns counted in characters like
    every other span.

    >>> hidden_characters("規程 a 「x\\u202ey」\\n# \\x00")
    [(1, 8, '\\u202e'), (2, 3, '\\x00')]
    """
    bad = {ch for ch in set(text) if is_hidden_character(ch)}
    if not bad:
        return []
    out = []
    line, line_start = 1, 0
    for i, ch in enumerate(text):
        if ch == "\n":
            line, line_start = line + 1, i + 1
        elif ch in bad:
            out.append((line, i - line_start + 1, ch))
    return out


def character_name(ch: str, lang: str = "ja") -> str:
    """``U+202E（右から左への上書き）`` / ``U+202E (RIGHT-TO-LEFT OVERRIDE)``."""
    code = f"U+{ord(ch):04X}"
    if lang == "en":
        return f"{code} ({unicodedata.name(ch, 'control character')})"
    cat = unicodedata.category(ch)
    name = _CHAR_NAMES_JA.get(ch) or ("制御文字" if cat == "Cc" else "見えない文字" if ch in _INVISIBLE_LETTERS
                                      else "書式制御文字")
    return f"{code}（{name}）"


def visible(text: str) -> str:
    """``text`` with each hidden character replaced by ``?``: safe to echo to a
    terminal or a page, and as wide as before (a caret under it still lines up)."""
    if not any(is_hidden_character(ch) for ch in set(text)):
        return text
    return "".join("?" if is_hidden_character(ch) else ch for ch in text)
