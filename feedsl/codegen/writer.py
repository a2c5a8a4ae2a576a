"""A small source writer: lines, indentation, and where each line came from."""

from __future__ import annotations


class SourceWriter:
    """Collects Python source lines with indentation.

    ``origins`` maps a generated line number to the ``.fee`` line it came from,
    like Jinja's debug info, so a traceback can be mapped back to the rule.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.level = 0
        self.origins: dict[int, int] = {}

    def line(self, text: str = "", origin: int | None = None) -> None:
        self.lines.append(("    " * self.level + text) if text else "")
        if origin:
            self.origins[len(self.lines)] = origin

    def indent(self) -> None:
        self.level += 1

    def outdent(self) -> None:
        self.level -= 1

    def blank(self, n: int = 1) -> None:
        for _ in range(n):
            self.line()

    def text(self) -> str:
        return "\n".join(self.lines).rstrip("\n") + "\n"
