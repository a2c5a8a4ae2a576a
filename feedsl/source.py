"""Source files and spans: where in a ``.fee`` file a thing was written."""

from __future__ import annotations

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
