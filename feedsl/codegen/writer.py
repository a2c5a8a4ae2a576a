"""Source writers: lines with indentation, and function bodies whose nesting
never grows past a fixed depth however deeply a regulation nests its もし.

``SourceWriter`` collects module lines and records which ``.fee`` line each
generated line came from (like Jinja's debug info).

``Body`` writes one function's statements. Conditionals open blocks with
``open_if``/``else_``/``close``; up to ``REAL_DEPTH`` levels they are real
``if``/``else`` blocks, below that they are *predicated*: each block gets a
boolean guard local (``_g3 = _g2 and (cond)``) and its statements are written
``if _g3: stmt`` at a constant indentation. So 500 nested もし compile to
code no deeper than a dozen levels, and Python's indentation and parser
limits are never reached.
"""

from __future__ import annotations

# Real if/else nesting inside one function before guards take over.
REAL_DEPTH = 8


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

    def body(self, body: "Body") -> None:
        """Append a function body (already indented relative to its ``def``)."""
        for text in body.lines:
            self.lines.append(("    " * self.level + text) if text else "")

    def text(self) -> str:
        return "\n".join(self.lines).rstrip("\n") + "\n"


class _Block:
    __slots__ = ("real", "guard", "parent_guard", "cond_guard")

    def __init__(self, real: bool, guard: str | None, parent_guard: str | None, cond_guard: str | None):
        self.real = real
        self.guard = guard
        self.parent_guard = parent_guard
        self.cond_guard = cond_guard


class Body:
    """The statements of one generated function (indentation relative to it).

    ``fresh(kind)`` mints the function's local names (``_t1``, ``_g2`` …):
    lowercase kind letters and a number, a namespace no author name (never
    starting with ``_``) and no module-level minted name (``_<Upper>…``) shares.
    """

    def __init__(self, level: int = 1, counter: list | None = None):
        self.lines: list[str] = []
        self.level = level
        self.depth = 0  # real if/else levels opened in this body
        self.guard: str | None = None
        self.blocks: list[_Block] = []
        self.counter = counter if counter is not None else [0]

    def fresh(self, kind: str) -> str:
        assert kind.isalpha() and kind.islower(), kind
        self.counter[0] += 1
        return f"_{kind}{self.counter[0]}"

    def stmt(self, text: str) -> None:
        """A simple statement (assignment, call), guarded when predicated."""
        pad = "    " * self.level
        self.lines.append(f"{pad}if {self.guard}: {text}" if self.guard else pad + text)

    def raw(self, text: str) -> None:
        """A statement written unguarded (a definition, a guard's own assignment)."""
        self.lines.append("    " * self.level + text)

    def nested(self, lines: list[str]) -> None:
        """Insert lines (a nested ``def``) unguarded at the current indentation."""
        pad = "    " * self.level
        self.lines.extend(pad + ln if ln else "" for ln in lines)

    def open_if(self, cond: str) -> None:
        if self.guard is None and self.depth < REAL_DEPTH:
            self.raw(f"if {cond}:")
            self.level += 1
            self.depth += 1
            self.blocks.append(_Block(True, None, None, None))
            return
        g = self.fresh("g")
        parent = self.guard
        self.raw(f"{g} = {parent} and ({cond})" if parent else f"{g} = ({cond})")
        self.blocks.append(_Block(False, g, parent, g))
        self.guard = g

    def else_(self) -> None:
        b = self.blocks[-1]
        if b.real:
            self.level -= 1
            self.raw("else:")
            self.level += 1
            return
        g = self.fresh("g")
        self.raw(f"{g} = {b.parent_guard} and not {b.cond_guard}" if b.parent_guard
                 else f"{g} = not {b.cond_guard}")
        b.guard = g
        self.guard = g

    def close(self) -> None:
        b = self.blocks.pop()
        if b.real:
            self.level -= 1
            self.depth -= 1
        else:
            self.guard = b.parent_guard
