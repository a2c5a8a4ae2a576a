"""Arms of a 場合 that can never be reached (warning F504).

A 場合 without a subject takes the first arm whose condition holds, so an arm
is dead when every case that satisfies it satisfies an earlier arm, e.g.
``population が 10万人以上`` after ``population が 5万人以上``.

Conditions are read as unions of *boxes*: a box bounds each *key* (an
expression such as ``population``, ``kind``, or any condition taken whole) to
a set of values — an interval set for a quantity or a date compared with
constants, a set of values for an enum, {はい, いいえ} for anything else
(a flag, a comparison of two inputs …). An arm is dead when its box union lies
inside the union of the earlier arms' boxes. The reading is conservative: keys
are treated as independent and a quantity's domain (範囲) is ignored, so the
cases considered are a superset of the real ones and a warning is only given
when the arm is certainly dead; whatever cannot be read (too many boxes, too
much work) gives no warning.
"""

from __future__ import annotations

import math
from fractions import Fraction

from . import ir
from .ir import BoolType, EnumType, QType

_MAX_BOXES = 64      # per condition, after distributing かつ over または
_MAX_STEPS = 50_000  # box comparisons per 場合 (about 0.5 s at worst)
_MAX_DEPTH = 100      # earlier arms a box is split by


class NumSet:
    """A union of intervals of a quantity (or dates); ``None`` is unbounded.
    ``integral``: the key only takes whole values, so 3 < x < 4 is empty."""

    __slots__ = ("parts", "integral")

    def __init__(self, parts, integral: bool):
        self.integral = integral
        self.parts = tuple(p for p in parts if not self._empty(p))

    def _empty(self, p) -> bool:
        lo, lo_in, hi, hi_in = p
        if lo is None or hi is None:
            return False
        if self.integral and isinstance(lo, (int, Fraction)) and isinstance(hi, (int, Fraction)):
            first = math.ceil(lo) if lo_in else math.floor(lo) + 1
            last = math.floor(hi) if hi_in else math.ceil(hi) - 1
            return first > last
        return lo > hi or (lo == hi and not (lo_in and hi_in))

    @classmethod
    def everything(cls, integral: bool) -> "NumSet":
        return cls([(None, False, None, False)], integral)

    def is_empty(self) -> bool:
        return not self.parts

    def __and__(self, other: "NumSet") -> "NumSet":
        out = []
        for a in self.parts:
            for b in other.parts:
                lo, lo_in = _max_lo(a[0], a[1], b[0], b[1])
                hi, hi_in = _min_hi(a[2], a[3], b[2], b[3])
                out.append((lo, lo_in, hi, hi_in))
        return NumSet(out, self.integral)

    def complement(self) -> "NumSet":
        out, lo, lo_in = [], None, False
        for p_lo, p_lo_in, p_hi, p_hi_in in sorted(self.parts, key=_lo_key):
            if p_lo is not None:
                out.append((lo, lo_in, p_lo, not p_lo_in))
            if p_hi is None:
                return NumSet(out, self.integral)
            lo, lo_in = p_hi, not p_hi_in
        out.append((lo, lo_in, None, False))
        return NumSet(out, self.integral)

    def __sub__(self, other: "NumSet") -> "NumSet":
        return self & other.complement()


def _lo_key(p):
    return (p[0] is not None, p[0] if p[0] is not None else 0, not p[1])


def _max_lo(a, a_in, b, b_in):
    if a is None:
        return b, b_in
    if b is None or a > b:
        return a, a_in
    if b > a:
        return b, b_in
    return a, a_in and b_in


def _min_hi(a, a_in, b, b_in):
    if a is None:
        return b, b_in
    if b is None or a < b:
        return a, a_in
    if b < a:
        return b, b_in
    return a, a_in and b_in


class FinSet:
    """A set of values out of a finite universe (an enum's values, はい/いいえ)."""

    __slots__ = ("values", "universe")

    def __init__(self, values, universe: frozenset):
        self.universe = universe
        self.values = frozenset(values) & universe

    def is_empty(self) -> bool:
        return not self.values

    def __and__(self, other: "FinSet") -> "FinSet":
        return FinSet(self.values & other.values, self.universe)

    def complement(self) -> "FinSet":
        return FinSet(self.universe - self.values, self.universe)

    def __sub__(self, other: "FinSet") -> "FinSet":
        return FinSet(self.values - other.values, self.universe)


_FLIP = {"<": ">", ">": "<", "≤": "≥", "≥": "≤", "=": "=", "≠": "≠"}
_BOOLS = frozenset((True, False))


class _TooHard(Exception):
    pass


class Reader:
    """Reads IR conditions into box unions, remembering each key's universe."""

    def __init__(self, enum_values):
        self.enum_values = enum_values  # an enum's name → all its values
        self.universe: dict[int, object] = {}
        self.ids: dict = {}

    def full(self, key):
        return self.universe[key]

    def key(self, key, universe) -> int:
        """A small number for a key (an IR node: hashing one on every step is slow)."""
        n = self.ids.setdefault(key, len(self.ids))
        self.universe.setdefault(n, universe)
        return n

    def atom(self, key: int, values) -> list[dict]:
        return [{key: values}] if not values.is_empty() else []

    def boxes(self, e, positive: bool = True) -> list[dict]:
        if isinstance(e, ir.NotOp):
            return self.boxes(e.operand, not positive)
        if isinstance(e, ir.BoolOp):
            left, right = self.boxes(e.left, positive), self.boxes(e.right, positive)
            if (e.op == "and") == positive:  # かつ, or the negation of または
                out = [b for x in left for y in right if (b := _meet(x, y)) is not None]
            else:
                out = left + right
            if len(out) > _MAX_BOXES:
                raise _TooHard
            return out
        if isinstance(e, ir.Const) and isinstance(e.value, bool):
            return [{}] if e.value == positive else []
        if isinstance(e, ir.EnumIs) and isinstance(e.subject.type, EnumType):
            t = e.subject.type  # narrowed by an enclosing 場合: only the values it left
            universe = frozenset(t.members if t.members is not None else self.enum_values(t.name))
            key = self.key(("enum", e.subject), FinSet(universe, universe))
            s = FinSet(e.members, self.universe[key].universe)
            return self.atom(key, s if positive else s.complement())
        if isinstance(e, ir.Cmp):
            got = self._compare(e)
            if got is not None:
                key, s = got
                return self.atom(key, s if positive else s.complement())
        key = self.key(("cond", e), FinSet(_BOOLS, _BOOLS))  # anything else: a condition taken whole
        return self.atom(key, FinSet({positive}, _BOOLS))

    def _compare(self, e: ir.Cmp):
        """``key op constant`` (either way round) as (key, NumSet); None otherwise."""
        a, b, op = e.left, e.right, e.op
        if isinstance(a, ir.Const) and not isinstance(b, ir.Const):
            a, b, op = b, a, _FLIP.get(op)
        if not isinstance(b, ir.Const) or isinstance(a, ir.Const) or op is None or b.value is None:
            return None
        if not isinstance(a.type, QType) and not (isinstance(a.type, ir.DateType) and isinstance(b.type, ir.DateType)):
            return None
        integral = isinstance(a.type, QType) and a.type.integral
        key = self.key(("num", a), NumSet.everything(integral))
        c = b.value
        parts = {
            "<": [(None, False, c, False)], "≤": [(None, False, c, True)],
            ">": [(c, False, None, False)], "≥": [(c, True, None, False)],
            "=": [(c, True, c, True)],
            "≠": [(None, False, c, False), (c, False, None, False)],
        }.get(op)
        if parts is None:
            return None
        return key, NumSet(parts, self.universe[key].integral)


def _meet(x: dict, y: dict):
    """The intersection of two boxes, or None when it is empty."""
    out = dict(x)
    for k, s in y.items():
        if k in out:
            s = out[k] & s
            if s.is_empty():
                return None
        out[k] = s
    return out


class _Budget:
    """Work left for one 場合: a 500-arm 場合 must not make checking slow. When
    it runs out, the arms not yet judged get no warning."""

    def __init__(self, steps: int):
        self.left = steps

    def spend(self, n: int = 1) -> None:
        self.left -= n
        if self.left < 0:
            raise _TooHard


def _covered(box: dict, others: list[dict], reader: Reader, budget: _Budget, depth: int = 0) -> bool:
    """Whether every case in ``box`` is in some box of ``others``."""
    budget.spend(len(others) + 1)
    others = [o for o in others if _meet(box, o) is not None]
    if not others:
        return False
    if depth > _MAX_DEPTH:
        raise _TooHard
    first, rest = others[0], others[1:]
    # box − first, as disjoint pieces: outside first on one key, inside on the keys before.
    inside = dict(box)
    for k, s in first.items():
        here = inside.get(k, reader.full(k))
        outside = here - s
        if not outside.is_empty():
            piece = dict(inside)
            piece[k] = outside
            if not _covered(piece, rest, reader, budget, depth + 1):
                return False
        inside[k] = here & s
    return True


def dead_arms(conds: list, enum_values) -> list[tuple[int, list[int]]]:
    """For the conditions of a 場合's arms, in order (None for それ以外, which
    ends the reading), the arms that cannot be reached: (index, the indexes of
    the earlier arms that take its cases — empty when its condition never holds).
    An earlier arm that cannot be read is left out, which only ever hides a warning."""
    reader = Reader(enum_values)
    budget = _Budget(_MAX_STEPS)
    read: list = []
    out = []
    for k, c in enumerate(conds):
        if c is None:
            break
        try:
            boxes = reader.boxes(c)
        except (_TooHard, TypeError):  # TypeError: an unhashable part, not a key
            boxes = None
        if boxes is not None:
            try:
                earlier = [(j, b) for j, bs in enumerate(read) if bs is not None for b in bs]
                budget.spend(len(earlier) * len(boxes))

                def covered_by(arms: set) -> bool:
                    return all(_covered(b, [e for j, e in earlier if j in arms], reader, budget) for b in boxes)

                takers = {j for j, e in earlier if any(_meet(b, e) is not None for b in boxes)}
                if covered_by(takers):
                    # Name only the arms needed: one alone if one covers it (the first such),
                    # else drop the last ones while the rest still cover (the first take the cases).
                    alone = next((j for j in sorted(takers) if covered_by({j})), None)
                    if alone is not None:
                        takers = {alone}
                    for j in sorted(takers, reverse=True):
                        if len(takers) > 1 and covered_by(takers - {j}):
                            takers.discard(j)
                    out.append((k, sorted(takers)))
            except _TooHard:
                if budget.left < 0:
                    return out
        read.append(boxes)
    return out
