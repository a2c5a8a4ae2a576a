"""Where an entry's amount differs between two regulations: the change regions
of ``feedsl compare``, found over the partition of the input space that both
IRs induce.

**The partition.** Both entries are walked symbolically (rules inlined, a
rule's parameters bound to its arguments). Every numeric value is kept as a
set of *pieces*: an affine part over the numeric inputs plus a constant drawn
from a known finite set (a table's amounts, the arms of a condition) or, for a
rounded amount, a constant that is fixed inside each cell but not listed. The
affine parts that are compared, looked up, rounded or bounded (上限/下限) are
the *directions* of the space (人口, 基準世帯数 = 世帯数 − 生活保護世帯数 − …);
each direction gets its *critical points*:

- a table's bounds and a condition's constants, shifted by the piece's constant;
- for every rounding of ``a·L + c``, the values of L where it crosses a rounding
  point (``(k+½)·unit`` for 四捨五入, ``k·unit`` for 切り捨て/切り上げ): exact,
  and infinitely many, repeating every *period* P (the least whole P with
  ``a·P`` a multiple of the unit);
- a comparison of rounded amounts adds none: they only change where the
  rounding does.

Inside a cell (between consecutive critical points of every direction, one
value of every 区分 and 真偽 input) every condition, table row and rounding is
fixed, so both amounts, and their difference, are affine: the smallest and
largest change over a cell are taken at its corners, and the whole numbers at
and beside each critical point are every cell's corners. When the directions
have no input in common and every input is a whole number, each corner is
reached by an input (one input of the direction is solved for, the others
keep their base value), and the grid of corners is searched in full.

**The tails.** Past the last critical point T of a direction (and before the
first, when the direction is unbounded below) the roundings repeat every P:
the difference moves by the same Δ from every point to the point P further.
The grid covers two periods there; Δ is read off it and checked to be the same
at every point of the period. Δ = 0 means the tail adds nothing new; Δ ≠ 0
means the change grows without bound that way, and the report says so. This
needs the tail to be *settled*: no condition or table may read a rounded
amount that keeps moving with the direction (上限(世帯割 + 均等割, 上限額)
does); for such a direction only the window is searched, and said.

**What is claimed.** ``how`` is ``exhaustive`` (全点) only when all of the above
holds and no grid point was an input error; ``representative`` (代表点) when the
grid was searched in full but something is not proven (the reasons are
listed); ``sampled`` (抽出) when the grid is too large (SAMPLES points drawn
with the seed SEED). Every witness is computed again by both compiled modules
and by the reference interpreter (:mod:`feedsl.interpret`).
"""
from __future__ import annotations

import bisect
import itertools
import math
import random
from fractions import Fraction

from . import ir, runtime
from .ir import QType

MAX_POINTS = 150_000  # a larger grid is sampled
MAX_AXIS = 4_000  # points of one direction's window
SAMPLES = 5_000
SEED = 13
MAX_PIECES = 64  # pieces of one value before their constants are forgotten
MAX_NODES = 50_000  # IR nodes walked (rules inlined) before giving up


class Unsupported(Exception):
    """The entry reads something the analysis does not model (dates, records, x × y)."""


# --- forms and pieces ------------------------------------------------------------

def _norm(lin: dict) -> tuple[tuple, Fraction]:
    """(direction, scale) with lin = scale × direction; the direction's
    coefficients are whole numbers without common factor, the first positive."""
    items = sorted((k, Fraction(v)) for k, v in lin.items() if v)
    den = math.lcm(*(v.denominator for _, v in items))
    nums = [int(v * den) for _, v in items]
    g = math.gcd(*nums)
    if nums[0] < 0:
        g = -g
    form = tuple((k, n // g) for (k, _), n in zip(items, nums))
    return form, Fraction(g, den)


class Piece:
    """``lin·x + c`` for c in ``consts`` (None: fixed in each cell, not listed).
    ``deps``: directions whose rounding the constant follows (it moves with them
    past every critical point). ``rnd`` = (direction, s, C, unit, mode, m): the
    piece is ``m × 端数処理(s·D + c) + e`` for c in C, e in ``consts`` (a rounded
    amount of one direction plus constants: a comparison with it steps only
    near known rounding points)."""

    __slots__ = ("lin", "consts", "deps", "rnd")

    def __init__(self, lin: dict, consts: frozenset | None, deps: frozenset = frozenset(), rnd=None):
        self.lin, self.consts, self.deps, self.rnd = lin, consts, deps, rnd

    def key(self):
        return tuple(sorted(self.lin.items())), self.consts, self.deps, self.rnd


def _const(v) -> list:
    return [Piece({}, frozenset({Fraction(v)}))]


def _merge(pieces: list) -> list:
    """The same pieces, merged by affine part when there are too many."""
    seen = {}
    for p in pieces:
        seen.setdefault(p.key(), p)
    out = list(seen.values())
    if len(out) <= MAX_PIECES:
        return out
    by = {}
    for p in out:
        k = tuple(sorted(p.lin.items())), p.rnd
        q = by.get(k)
        if q is None:
            by[k] = Piece(p.lin, p.consts, p.deps, p.rnd)
        else:
            consts = None if q.consts is None or p.consts is None else q.consts | p.consts
            if consts is not None and len(consts) > MAX_PIECES:
                consts = None
            by[k] = Piece(q.lin, consts, q.deps | p.deps, q.rnd)
    return list(by.values())


def _scaled(rnd, k):
    d, s, cs, unit, mode, m = rnd
    return d, s, cs, unit, mode, m * k


def _combine(a: list, b: list, sign: int) -> list:
    out = []
    for p in a:
        for q in b:
            lin = dict(p.lin)
            for k, v in q.lin.items():
                lin[k] = lin.get(k, 0) + sign * v
            lin = {k: v for k, v in lin.items() if v}
            consts = None if p.consts is None or q.consts is None else \
                frozenset(x + sign * y for x in p.consts for y in q.consts)
            if consts is not None and len(consts) > MAX_PIECES:
                consts = None
            rnd = None
            if p.rnd and q.rnd:
                consts = None  # two rounded amounts: fixed in each cell, not followed
            elif p.rnd or q.rnd:
                if lin:
                    consts = None
                else:
                    rnd = p.rnd or _scaled(q.rnd, sign)
            out.append(Piece(lin, consts, p.deps | q.deps, rnd))
    return _merge(out)


class Direction:
    """One affine combination of inputs that the entries test: its critical
    points, its rounding families (scale, constants, unit, mode) and whether its
    tail is settled."""

    def __init__(self, form: tuple):
        self.form = form
        self.points: set = set()
        self.families: list = []
        self.units: set = set()  # units of roundings of amounts that follow this direction
        self.unsettled = False
        self.lo = self.hi = None  # bounds from the inputs' minimums and 前提
        self.flat = False  # no amount is affine in it: one point of each cell will do
        self.whole = True  # every input of it is a whole number
        self.lo_open = False  # its least value is excluded (範囲 10%超)
        self.sorted_points: list = []

    @property
    def integral(self) -> bool:
        """Whole numbers only: whole inputs, whole coefficients."""
        return self.whole and all(isinstance(c, int) for _, c in self.form)

    def period(self) -> int:
        p = 1
        for s, _, unit, _ in self.families:
            for u in {unit} | self.units:
                q = Fraction(u) / s  # P with s·P a multiple of u: a multiple of q's numerator
                p = math.lcm(p, abs(q.numerator))
        return p

    def split(self, a, b) -> bool:
        """Whether a critical or rounding point lies in [a, b] (a, b whole numbers):
        then a and b are in different cells of the partition."""
        i = bisect.bisect_left(self.sorted_points, a)
        if i < len(self.sorted_points) and self.sorted_points[i] <= b:
            return True
        for s, consts, unit, mode in self.families:
            half = Fraction(unit, 2) if mode == "四捨五入" else Fraction(0)
            for c in consts:
                v1, v2 = sorted((s * a + c, s * b + c))
                if math.floor((v2 - half) / unit) >= math.ceil((v1 - half) / unit):
                    return True
        return False

    def cell_end(self, t: int):
        """The last whole number of the cell of ``t`` (None: the cell never ends).
        A critical or rounding point that is a whole number is a cell of its own."""
        if self.split(t, t):
            return t
        nxt = []
        i = bisect.bisect_right(self.sorted_points, t)
        if i < len(self.sorted_points):
            nxt.append(self.sorted_points[i])
        for s, consts, unit, mode in self.families:
            half = Fraction(unit, 2) if mode == "四捨五入" else Fraction(0)
            for c in consts:
                v = s * t + c
                k = math.floor((v - half) / unit) + 1 if s > 0 else math.ceil((v - half) / unit) - 1
                nxt.append((k * unit + half - c) / s)
        return math.ceil(min(nxt)) - 1 if nxt else None

    def crossings(self, a: Fraction, b: Fraction) -> set:
        """The family points (values of the direction) in [a, b]."""
        out = set()
        for s, consts, unit, mode in self.families:
            half = Fraction(unit, 2) if mode == "四捨五入" else Fraction(0)
            for c in consts:
                v1, v2 = sorted((s * a + c, s * b + c))
                k1 = math.floor((v1 - half) / unit)
                k2 = math.ceil((v2 - half) / unit)
                if k2 - k1 > MAX_AXIS * 4:
                    raise Unsupported("rounding points too dense")
                for k in range(k1, k2 + 1):
                    out.add((k * unit + half - c) / s)
        return {x for x in out if a <= x <= b}


class Analysis:
    """The directions of one entry in both regulations."""

    def __init__(self, regs):
        self.regs = regs
        self.dirs: dict[tuple, Direction] = {}
        self.discrete: dict[str, object] = {}  # 区分/真偽 input → its InputIR
        self.numeric: dict[str, object] = {}
        self.reasons: list[str] = []  # why the result is not exhaustive
        self.nodes = 0
        self.finals: list = []

    def reason(self, why: str) -> None:
        if why not in self.reasons:
            self.reasons.append(why)

    def direction(self, lin: dict) -> tuple[Direction, Fraction]:
        form, scale = _norm(lin)
        d = self.dirs.get(form)
        if d is None:
            d = self.dirs[form] = Direction(form)
        return d, scale

    # --- tests and roundings ---

    def test(self, pieces: list, at=Fraction(0)) -> None:
        """The cells change where some piece equals ``at``."""
        for p in pieces:
            if p.rnd and not p.lin and p.consts is not None:
                self.rounded_test(p, at)
                continue
            for f in p.deps:
                self.dirs[f].unsettled = True
            if not p.lin:
                continue
            d, s = self.direction(p.lin)
            if p.consts is None:
                self.reason("条件や表の区切りと比べる金額に、端数処理した額が入っていて、境目をすべては求めていない")
                continue
            d.points.update((at - c) / s for c in p.consts)

    def rounded_test(self, p: Piece, at) -> None:
        """``m × 端数処理(s·D + c) + e`` against ``at`` changes only where the rounding
        passes (at − e)/m: the rounding points within two units of it."""
        form, s, cs, unit, mode, m = p.rnd
        d = self.dirs[form]
        half = Fraction(unit, 2) if mode == "四捨五入" else Fraction(0)
        for e in p.consts:
            y = Fraction(at - e) / m
            k0 = math.floor(y / unit)
            for c in cs:
                d.points.update((k * unit + half - c) / s for k in range(k0 - 2, k0 + 3))

    def round(self, e: ir.Round, pieces: list) -> list:
        out_deps = set()
        for p in pieces:
            out_deps |= p.deps
            for f in p.deps:
                self.dirs[f].units.add(e.unit)
            if not p.lin:
                continue
            d, s = self.direction(p.lin)
            out_deps.add(d.form)
            if p.consts is None:
                self.reason("端数処理する額に、別に端数処理した額が足されていて、丸めの境目をすべては求めていない")
                continue
            if (s, p.consts, e.unit, e.mode) not in d.families:
                d.families.append((s, p.consts, e.unit, e.mode))
        if all(not p.lin and p.consts is not None and not p.rnd for p in pieces):
            consts = frozenset(Fraction(_rounded(e.mode, c, e.unit)) for p in pieces for c in p.consts)
            return [Piece({}, consts, frozenset(out_deps))]
        if all((p.lin and p.consts is not None and not p.deps) or (not p.lin and p.consts is not None and not p.rnd)
               for p in pieces):
            out = []
            for p in pieces:
                if p.lin:
                    d, s = self.direction(p.lin)
                    out.append(Piece({}, frozenset({Fraction(0)}), frozenset({d.form}),
                                     (d.form, s, p.consts, e.unit, e.mode, 1)))
                else:
                    out.append(Piece({}, frozenset(Fraction(_rounded(e.mode, c, e.unit)) for c in p.consts)))
            return _merge(out)
        return [Piece({}, None, frozenset(out_deps))]

    # --- the walk ---

    def walk(self, reg, e, env: dict):
        """Pieces of a numeric expression (None for a condition or a 区分 value)."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise Unsupported("too large")
        t = e.type
        if isinstance(e, ir.Const):
            return _const(e.value) if isinstance(t, QType) else None
        if isinstance(e, ir.InputRef):
            inp = reg.inputs[e.name]
            if isinstance(t, QType):
                self.numeric[e.name] = inp
                return [Piece({e.name: Fraction(1)}, frozenset({Fraction(0)}))]
            if isinstance(t, (ir.BoolType, ir.EnumType)):
                self.discrete[e.name] = inp
                return None
            raise Unsupported(f"input of type {t}")
        if isinstance(e, ir.ParamRef):
            if e.name not in env:
                raise Unsupported("parameter of an entry")
            return env[e.name]
        if isinstance(e, ir.RuleRef):
            rule = reg.rules[e.name]
            args = [self.walk(reg, a, env) for a in e.args]
            inner = {n: a for (n, _), a in zip(rule.params, args)}
            return self.walk(reg, rule.expr, inner)
        if isinstance(e, ir.Arith):
            a, b = self.walk(reg, e.left, env), self.walk(reg, e.right, env)
            if e.op in "+-−":
                return _combine(a, b, 1 if e.op == "+" else -1)
            return self.product(a, b, e.op)
        if isinstance(e, ir.Cmp):
            a, b = self.walk(reg, e.left, env), self.walk(reg, e.right, env)
            if a is not None and b is not None:
                self.test(_combine(a, b, -1))
            elif isinstance(e.left.type, ir.DateType):
                raise Unsupported("date")
            return None
        if isinstance(e, (ir.EnumIs, ir.BoolOp, ir.NotOp)):
            for c in ir.children(e):
                self.walk(reg, c, env)
            return None
        if isinstance(e, ir.Cond):
            self.walk(reg, e.cond, env)
            return self.union(t, [self.walk(reg, e.then, env), self.walk(reg, e.else_, env)])
        if isinstance(e, ir.Branches):
            vals = []
            for c, v in e.arms:
                if c is not None:
                    self.walk(reg, c, env)
                vals.append(self.walk(reg, v, env))
            return self.union(t, vals)
        if isinstance(e, ir.Match):
            self.walk(reg, e.subject, env)
            return self.union(t, [self.walk(reg, v, env) for _, v in e.arms])
        if isinstance(e, ir.Round):
            return self.round(e, self.walk(reg, e.value, env))
        if isinstance(e, ir.MinMax):
            args = [self.walk(reg, a, env) for a in e.args]
            for a, b in itertools.combinations(args, 2):
                self.test(_combine(a, b, -1))
            return _merge([p for a in args for p in a])
        if isinstance(e, ir.Lookup):
            key = self.walk(reg, e.key, env) if not isinstance(e.key, ir.FyCall) else None
            if key is None:
                raise Unsupported("table keyed by a date")
            if e.column is not None:
                self.walk(reg, e.column, env)
            for r in e.rows:
                if r.interval is not None:
                    for b in (r.interval.lo, r.interval.hi):
                        if b is not None:
                            self.test(key, b)
            vals = frozenset(v for r in e.rows for v in r.values if v is not None)
            return [Piece({}, vals)] if vals else _const(0)
        if isinstance(e, ir.CatLookup):
            self.walk(reg, e.key, env)
            out = [Piece({}, frozenset(v for _, v in e.cells if v is not None))]
            if e.fallback is not None:
                out += self.walk(reg, e.fallback, env)
            return _merge(out)
        raise Unsupported(type(e).__name__)

    def union(self, t, vals):
        if not isinstance(t, QType):
            return None
        return _merge([p for v in vals for p in v])

    def product(self, a: list, b: list, op: str) -> list:
        """× and ÷: exact when one side is a constant of each cell from a listed set."""
        if op == "÷":
            if any(p.lin or p.consts is None for p in b):
                raise Unsupported("division by an amount that varies")
            if any(0 in p.consts for p in b):
                self.reason("0 で割ることがある")
            b = [Piece({}, frozenset(1 / c for c in p.consts if c), p.deps) for p in b]
        elif any(p.lin for p in a):
            a, b = b, a
        if any(p.lin for p in a):
            raise Unsupported("product of two inputs")
        out = []
        for p in a:
            for q in b:
                if p.consts is None:
                    if q.lin:
                        raise Unsupported("rounded amount times an input")
                    if p.deps and not (q.consts is not None and all(c.denominator == 1 for c in q.consts)):
                        for f in p.deps:
                            self.dirs[f].unsettled = True
                    out.append(Piece({}, None, p.deps | q.deps))
                    continue
                for c in p.consts:
                    lin = {k: v * c for k, v in q.lin.items() if v * c}
                    consts = None if q.consts is None else frozenset(c * x for x in q.consts)
                    if q.deps and c.denominator != 1 and not q.rnd:
                        for f in q.deps:
                            self.dirs[f].unsettled = True
                    rnd = _scaled(q.rnd, c) if q.rnd and c else None
                    out.append(Piece(lin, consts if rnd or not q.rnd else None, p.deps | q.deps, rnd))
        return _merge(out)

    # --- one entry ---

    def entry(self, reg, name: str) -> list:
        pieces = self.walk(reg, reg.rules[name].expr, {})
        if pieces is None:
            raise Unsupported("not an amount")
        for p in pieces:  # the amount's own affine parts are directions too
            if p.lin:
                self.direction(p.lin)
        self.finals.append(pieces)
        return pieces

    def bound_by_relations(self) -> None:
        """Bounds of each direction: its inputs' minimums, and 前提 that compare
        one direction with a constant (世帯数 − 生活保護世帯数 − … ≥ 0)."""
        for d in self.dirs.values():
            ins = [self.numeric[n] for n, _ in d.form]
            if all(c > 0 for _, c in d.form):
                d.lo = sum(c * i.minimum for (_, c), i in zip(d.form, ins))
        for reg in self.regs:
            for rel in reg.relations:
                for cmp in _conjuncts(rel.expr):
                    self._bound(reg, cmp)

    def _bound(self, reg, e) -> None:
        if not isinstance(e, ir.Cmp) or e.op not in ("≤", "<", "≥", ">"):
            return
        if not all(n in self.numeric for n in _inputs(e)):
            return
        scratch = Analysis(self.regs)
        scratch.numeric = self.numeric
        try:
            a, b = scratch.walk(reg, e.left, {}), scratch.walk(reg, e.right, {})
        except Unsupported:
            return
        if a is None or b is None:
            return
        diff = _combine(b, a, -1) if e.op in ("≤", "<") else _combine(a, b, -1)  # diff ≥ 0 (or > 0)
        if len(diff) != 1 or not diff[0].lin or diff[0].consts is None or len(diff[0].consts) != 1:
            return
        form, s = _norm(diff[0].lin)
        d = self.dirs.get(form)
        if d is None or not d.integral:
            return
        (c,) = diff[0].consts
        strict = e.op in ("<", ">")
        x = -c / s  # s·D + c ≥ 0 ⟺ D ≥ x (s > 0) or D ≤ x (s < 0)
        if s > 0:
            lo = math.floor(x) + 1 if strict and x.denominator == 1 else math.ceil(x)
            d.lo = lo if d.lo is None else max(d.lo, lo)
        else:
            hi = math.ceil(x) - 1 if strict and x.denominator == 1 else math.floor(x)
            d.hi = hi if d.hi is None else min(d.hi, hi)


def _conjuncts(e):
    if isinstance(e, ir.BoolOp) and e.op == "and":
        yield from _conjuncts(e.left)
        yield from _conjuncts(e.right)
    else:
        yield e


def _inputs(e) -> set:
    if isinstance(e, ir.InputRef):
        return {e.name}
    if isinstance(e, ir.RuleRef):
        return {"\0rule"}  # a relation through rules: not used for bounds
    out = set()
    for c in ir.children(e):
        out |= _inputs(c)
    return out


# The runtime's own rounding, by the mode's name (as the columnar runtime maps it).
_ROUNDED = {"四捨五入": runtime.round_half_up, "切り捨て": runtime.round_down, "切り上げ": runtime.round_up}


def _rounded(mode: str, x: Fraction, unit: int) -> int:
    """x rounded as the compiled module rounds it (四捨五入 half away from zero)."""
    return _ROUNDED[mode](x, unit)


# --- the grid ---------------------------------------------------------------------

class Axis:
    """One direction's window: its points, its tails (T, P) and its words."""

    def __init__(self, d: Direction, label: str, unit):
        self.d, self.label, self.unit = d, label, unit
        self.points: list = []
        self.top = self.bottom = None  # (T, P) of a tail that is searched two periods deep
        self.deltas: set = set()  # the change from each point of the top tail to the point P further
        self.bounds: list = []  # a rate's critical points (the cells' ends)
        self.segments: list = []  # (x, y, P, kind): between x and y the change repeats every P, Δ further
        self.window = ""

    def build(self, reasons: list) -> None:
        """The window's points: the whole numbers at and beside every critical
        point and rounding point; a gap between critical points longer than three
        periods keeps its first two periods and its last (the ones between
        repeat, each Δ further: a *segment*, checked after the search); past the
        last critical point two periods (the tail, ``top``), and likewise below
        the first when the direction has no lower bound (``bottom``)."""
        d = self.d
        lo, hi = d.lo, d.hi
        crit = sorted({c for c in d.points if (lo is None or c >= lo) and (hi is None or c <= hi)})
        if not d.integral:
            self._rational(crit, reasons)
            return
        p = d.period()
        anchors = crit + ([Fraction(lo)] if lo is not None else [])
        top = math.floor(max(anchors, default=Fraction(0))) + 2
        bottom = math.ceil(min(anchors, default=Fraction(0))) - 2
        a = int(lo) if lo is not None else bottom - 2 * p
        b = int(hi) if hi is not None else top + 2 * p
        if b < a:
            return
        pts = {a, a + 1, b - 1, b, top, bottom}
        for c in crit:
            pts.update((int(c) - 1, int(c), int(c) + 1) if c.denominator == 1 else (math.floor(c), math.ceil(c)))
        pts = {x for x in pts if a <= x <= b}
        d.sorted_points = sorted(d.points)
        cuts = sorted(pts)
        self.segments = []
        dense = False
        for x, y in zip(cuts, cuts[1:]):
            if y - x <= 1 or not d.families:
                continue
            if y - x - 1 <= 3 * p or d.unsettled or (x, y) in ((top, b), (a, bottom)):
                if not self._cross(pts, x, y):
                    dense = True
                continue
            if self._cross(pts, x, x + 2 * p + 1) and self._cross(pts, y - p - 1, y):
                self.segments.append((x, y, p, "gap"))
            else:
                dense = True
        if hi is None and not d.unsettled:
            self.top = (top, p)
            self.segments.append((top - 1, b + 1, p, "top"))
        if lo is None and not d.unsettled:
            self.bottom = (bottom, p)
            self.segments.append((a - 1, bottom + 1, p, "bottom"))
        if dense:
            reasons.append(f"{self.label}の端数処理の境目が多すぎるので、表や条件の区切りとその前後だけを調べた")
            self.segments, self.top, self.bottom = [], None, None
        elif d.flat:
            pts = self._one_per_cell(sorted(pts))
        for x, y, q, kind in self.segments:  # every point's phase, and the point one period on
            for t in [t for t in pts if x < t < y]:
                if kind == "bottom":
                    base = y - 1 - (y - 1 - t) % q
                    pts.update(v for v in (base, base - q) if v > x)
                else:
                    base = x + 1 + (t - x - 1) % q
                    pts.update(v for v in (base, base + q) if v < y)
        self.points = sorted(x for x in pts if a <= x <= b)
        if d.unsettled:
            reasons.append(f"{self.label}が{self.fmt(b)}を超える入力は調べていない（端数処理した額を条件や表と比べるので、"
                           "増減が同じ周期でくり返すとは言えない）")
        self.window = f"{self.fmt(a)}～{self.fmt(b)}"

    def _one_per_cell(self, pts: list) -> set:
        """The least point of each cell (the amount is constant in a cell)."""
        keep = [pts[0]] if pts else []
        for t, u in zip(pts, pts[1:]):
            if self.d.split(t, u):
                keep.append(u)
        return set(keep)

    def cell_count(self) -> int:
        pts = self.points
        return (1 + sum(1 for t, u in zip(pts, pts[1:]) if self.d.split(t, u))) if pts else 0

    def _cross(self, pts: set, x, y) -> bool:
        """The whole numbers beside every rounding point strictly between x and y
        (False, and none, when they are too many)."""
        try:
            cs = self.d.crossings(Fraction(x), Fraction(y))
        except Unsupported:
            return False
        if len(cs) > MAX_AXIS:
            return False
        for c in cs:
            if x < c < y:
                pts.update((int(c) - 1, int(c), int(c) + 1) if c.denominator == 1 else (math.floor(c), math.ceil(c)))
        return True

    def _rational(self, crit: list, reasons: list) -> None:
        """A direction with fractions (a rate): every critical point, a point
        inside every gap and beyond the ends. Where the amount is constant in
        each cell and nothing is rounded along it, that is every cell: exact."""
        d = self.d
        lo = Fraction(d.lo) if d.lo is not None else None
        pts = set(crit)
        if lo is not None:
            pts.add(lo)
        try:
            pts.update(d.crossings(min(pts, default=Fraction(0)), max(pts, default=Fraction(0)) * 2 + 1))
        except Unsupported:
            reasons.append(f"{self.label}の端数処理の境目が多すぎるので、一部だけを調べた")
        s = sorted(pts) or [Fraction(0)]
        pts.update((x + y) / 2 for x, y in zip(s, s[1:]))
        pts.add(s[-1] + 1)
        if lo is None:
            pts.add(s[0] - 1)
        self.points = sorted(x for x in pts if (lo is None or x > lo or (x == lo and not d.lo_open))
                             and (d.hi is None or x <= d.hi))
        self.bounds = sorted(set(crit) | ({lo} if lo is not None else set()))
        if d.families:
            reasons.append(f"{self.label}は端数のある値をとり、端数処理の境目が続くので、{self.fmt(s[-1])}までを調べた")
        elif not d.flat:
            reasons.append(f"{self.label}は端数のある値をとるので、区切りとその間の代表点だけを調べた")

    def fmt(self, v) -> str:
        from .words import fmt_quantity

        return fmt_quantity(v, self.unit) if self.unit is not None else str(v)

    def solve(self, target, base: dict, inputs: dict) -> dict | None:
        """Inputs (the direction's own, others at base) where the direction is ``target``."""
        form = self.d.form
        ones = [n for n, c in form if abs(c) == 1] + [n for n, c in form if abs(c) != 1]
        for pivot in ones:
            c = dict(form)[pivot]
            rest = sum(k * base[n] for n, k in form if n != pivot)
            v = Fraction(target - rest) / c
            inp = inputs[pivot]
            if inp.type.integral:
                if v.denominator != 1:
                    continue
                v = int(v)
            if v < inp.minimum or (inp.min_exclusive and v == inp.minimum):
                continue
            out = {n: base[n] for n, _ in form}
            out[pivot] = v
            return out
        return None


def _base(inp):
    if inp.has_default:
        return inp.default
    t = inp.type
    if isinstance(t, QType):
        m = inp.minimum or Fraction(0)
        if inp.min_exclusive:
            m += 1
        return int(m) if t.integral else m
    if isinstance(t, ir.BoolType):
        return False
    return None


def reachable(reg, entry: str) -> list[str]:
    """The rules ``entry`` reads, itself first, transitively."""
    seen, todo = [], [entry]
    while todo:
        name = todo.pop()
        if name in seen or name not in reg.rules:
            continue
        seen.append(name)
        stack = [reg.rules[name].expr]
        while stack:
            e = stack.pop()
            if isinstance(e, ir.RuleRef):
                todo.append(e.name)
            stack.extend(ir.children(e))
    return seen


def _labels(regs, an: Analysis, entry: str) -> dict:
    """Direction → the label of a rule the entry reads that computes exactly it (基準世帯数)."""
    out = {}
    for reg in regs:
        for name in reachable(reg, entry):
            rule = reg.rules[name]
            if rule.params or not isinstance(rule.type, QType):
                continue
            scratch = Analysis(regs)
            try:
                ps = scratch.walk(reg, rule.expr, {})
            except Unsupported:
                continue
            if ps and len(ps) == 1 and ps[0].lin and ps[0].consts == frozenset({0}):
                form, s = _norm(ps[0].lin)
                if s == 1 and form in an.dirs:
                    out.setdefault(form, (rule.label, rule.type))
    return out


def _axis(d: Direction, an: Analysis, named: dict) -> Axis:
    inputs = an.numeric
    if d.form in named:
        label, t = named[d.form]
    elif len(d.form) == 1 and d.form[0][1] == 1:
        inp = inputs[d.form[0][0]]
        label, t = inp.label, inp.type
    else:
        words = []
        for k, (n, c) in enumerate(d.form):
            sign = "−" if c < 0 else "＋"
            term = inputs[n].label if abs(c) == 1 else f"{abs(c)} × {inputs[n].label}"
            words.append(term if k == 0 and c > 0 else f"{sign} {term}" if k else f"−{term}")
        label = " ".join(words)
        dims = {inputs[n].type.dim for n, _ in d.form}
        t = inputs[d.form[0][0]].type if len(dims) == 1 and all(abs(c) == 1 for _, c in d.form) else None
    unit = QType(t.dim, t.integral) if isinstance(t, QType) else None
    return Axis(d, label, unit)


def analyse(old, new, entry: str):
    """(Analysis, axes, discrete axes) of ``entry`` in both IRs; raises Unsupported."""
    regs = (old, new)
    an = Analysis(regs)
    for reg in regs:
        for n in reg.rules[entry].inputs:
            t = reg.inputs[n].type
            if not isinstance(t, (QType, ir.BoolType, ir.EnumType)):
                raise Unsupported(f"input of type {t}")
    for reg in regs:
        an.entry(reg, entry)
    seen: dict[str, int] = {}
    for form in an.dirs:
        for n, _ in form:
            seen[n] = seen.get(n, 0) + 1
    an.bound_by_relations()
    moving = {n for pieces in an.finals for p in pieces for n in p.lin}
    for d in an.dirs.values():
        d.flat = not any(n in moving for n, _ in d.form)
        d.whole = all(an.numeric[n].type.integral for n, _ in d.form)
        d.lo_open = any(an.numeric[n].min_exclusive for n, _ in d.form)
    named = _labels(regs, an, entry)
    axes = [_axis(d, an, named) for _, d in sorted(an.dirs.items())]
    for a in axes:
        a.build(an.reasons)
    if any(c > 1 for c in seen.values()):
        axes = _per_input(an, axes)
    return an, axes


def _per_input(an: Analysis, axes: list) -> list:
    """When two directions share an input (基準世帯数 and 世帯数), their cells are
    not a product: one axis per input instead, whose points are every
    direction's points with the other inputs at their base value. Not every
    cell is reached, and the report says so."""
    base = {n: _base(i) for n, i in an.numeric.items()}
    shared = sorted(n for n in an.numeric if sum(n in dict(d.form) for d in an.dirs.values()) > 1)
    an.reason("「" + "」「".join(an.numeric[n].label for n in shared) + "」を使う区切りが二つ以上あり、"
              "ほかの入力を基準の値に置いたときの境目だけを調べた")
    out = []
    for n in sorted(an.numeric):
        d = Direction(((n, 1),))
        for ax in axes:
            form = dict(ax.d.form)
            if n not in form:
                continue
            rest = sum(c * base[m] for m, c in form.items() if m != n)
            d.points.update(Fraction(t - rest, form[n]) for t in ax.points)
        inp = an.numeric[n]
        d.lo = inp.minimum if inp.type.integral else None
        if not inp.type.integral:
            d.form = ((n, Fraction(1)),)
        ax = Axis(d, inp.label, QType(inp.type.dim))
        ax.build([])
        ax.segments, ax.top, ax.bottom = [], None, None
        out.append(ax)
    return out


def _discrete_axes(old, new, entry: str, an: Analysis) -> list:
    """(name, InputIR, values) of the 区分 and 真偽 inputs the entry reads."""
    out = []
    names = list(dict.fromkeys(list(new.rules[entry].inputs) + list(old.rules[entry].inputs)))
    for n in names:
        inp = new.inputs.get(n) or old.inputs[n]
        t = inp.type
        if isinstance(t, ir.BoolType):
            out.append((n, inp, [False, True]))
        elif isinstance(t, ir.EnumType):
            vals = []
            for reg in (new, old):
                en = reg.enums.get(t.name)
                if en is not None:
                    vals += [v for v, _ in en.values if v not in vals]
            out.append((n, inp, vals))
    return out


def entry_regions(old_mod, new_mod, entry: str) -> dict | None:
    """Where ``entry`` differs between the two modules (see the module's
    docstring): the smallest and largest change with a witness, the regions,
    the points and cells searched and what is proven. None when the entry has
    parameters or reads inputs that are not counted (dates, records, lists)."""
    old, new = old_mod.__feedsl_ir__, new_mod.__feedsl_ir__
    if entry not in old.rules or entry not in new.rules:
        return None
    ro, rn = old.rules[entry], new.rules[entry]
    if ro.params or rn.params:
        return None
    if not (isinstance(rn.type, QType) and isinstance(ro.type, QType)):
        return None
    for reg in (old, new):
        for n in reg.rules[entry].inputs:
            if not isinstance(reg.inputs[n].type, (QType, ir.BoolType, ir.EnumType)):
                return None  # dates, records, lists: not counted
    try:
        an, axes = analyse(old, new, entry)
    except Unsupported:
        an, axes = coarse(old, new, entry)
    return Search(old_mod, new_mod, entry, an, axes).run()


def coarse(old, new, entry: str):
    """Axes for an entry the analysis does not model (入力 × 入力, ÷ by an input):
    every input on its own, at the constants it is compared with or looked up
    against directly, their neighbours and the middles of the gaps. Representative
    only, and said so."""
    an = Analysis((old, new))
    an.reason("入力どうしの掛け算・割り算などがあり、区切りを式から求めていないので、"
              "比べる定数とその前後・あいだの点だけを調べた")
    found: dict[str, set] = {}
    for reg in (old, new):
        for rule in reg.rules.values():
            stack = [rule.expr]
            while stack:
                e = stack.pop()
                stack.extend(ir.children(e))
                if isinstance(e, ir.Cmp):
                    for a, b in ((e.left, e.right), (e.right, e.left)):
                        if isinstance(a, ir.InputRef) and isinstance(b, ir.Const) and isinstance(b.value, Fraction):
                            found.setdefault(a.name, set()).add(b.value)
                elif isinstance(e, ir.Lookup) and isinstance(e.key, ir.InputRef):
                    found.setdefault(e.key.name, set()).update(
                        b for r in e.rows if r.interval is not None
                        for b in (r.interval.lo, r.interval.hi) if b is not None)
    axes = []
    names = dict.fromkeys(list(new.rules[entry].inputs) + list(old.rules[entry].inputs))
    for n in names:
        inp = new.inputs.get(n) or old.inputs[n]
        if not isinstance(inp.type, QType):
            continue
        an.numeric[n] = inp
        d = Direction(((n, 1 if inp.type.integral else Fraction(1)),))
        pts = sorted(found.get(n, set()))
        d.points = set(pts) | {(x + y) / 2 for x, y in zip(pts, pts[1:])}
        if pts:
            d.points |= {pts[-1] * 2 + 1, pts[-1] * 10 + 3}
        d.lo = inp.minimum
        ax = Axis(d, inp.label, QType(inp.type.dim))
        ax.build([])
        ax.segments, ax.top, ax.bottom = [], None, None
        axes.append(ax)
    return an, axes


class Search:
    def __init__(self, old_mod, new_mod, entry, an, axes):
        self.fo, self.fn = getattr(old_mod, entry), getattr(new_mod, entry)
        self.old, self.new = old_mod.__feedsl_ir__, new_mod.__feedsl_ir__
        self.entry, self.an, self.axes = entry, an, axes
        self.reasons = list(an.reasons)
        self.disc = _discrete_axes(self.old, self.new, entry, an)
        self.names = list(dict.fromkeys(list(self.new.rules[entry].inputs) + list(self.old.rules[entry].inputs)))
        self.inputs = {n: self.new.inputs.get(n) or self.old.inputs[n] for n in self.names}
        self.base = {n: _base(i) for n, i in self.inputs.items()}
        self.rising: set = set()  # 区分/真偽 combinations (indices) where the change grows without bound
        self.falling: set = set()
        self._bridges: dict = {}

    def point(self, combo: tuple, coords: tuple) -> dict | None:
        kw = dict(self.base)
        for (n, _, _), v in zip(self.disc, combo):
            kw[n] = v
        for ax, t in zip(self.axes, coords):
            got = ax.solve(t, self.base, self.an.numeric)
            if got is None:
                return None
            kw.update(got)
        return kw

    def call(self, kw: dict):
        """(old, new) amounts, or None for an input error of either."""
        from .runtime import FeeInputError

        ro, rn = self.old.rules[self.entry], self.new.rules[self.entry]
        try:
            a = self.fo(**{k: v for k, v in kw.items() if k in ro.inputs})
            b = self.fn(**{k: v for k, v in kw.items() if k in rn.inputs})
        except FeeInputError:
            return None
        return a, b

    def run(self) -> dict:
        lists = [vals for _, _, vals in self.disc] + [ax.points for ax in self.axes]
        total = math.prod(len(x) for x in lists)
        nd = len(self.disc)
        sampled = total > MAX_POINTS
        if sampled:
            rng = random.Random(SEED)
            grid = sorted({tuple(rng.randrange(len(x)) for x in lists) for _ in range(SAMPLES)})
        else:
            grid = itertools.product(*(range(len(x)) for x in lists))
        diffs, invalid, unreached = self.evaluate(grid, len(lists))
        count = len(diffs) + invalid + unreached
        if invalid:
            self.reasons.append(f"{invalid:,}点が入力エラー（前提などに合わない）で、その区間は調べきれていない")
        if unreached:
            self.reasons.append(f"{unreached:,}点はどの入力でもとれない値で、飛ばした")
        up, down = ([], []) if sampled else self.tails(lists, diffs)
        differ = [i for i, v in diffs.items() if v]
        lo = min(differ, key=lambda i: (diffs[i], i), default=None)
        hi = max(differ, key=lambda i: (diffs[i], [-x for x in i]), default=None)
        how = "sampled" if sampled else "representative" if self.reasons else "exhaustive"
        unit = self.new.rules[self.entry].type
        return {
            "entry": self.entry, "label": self.new.rules[self.entry].label, "clause": self.new.rules[self.entry].clause,
            "how": how, "points": count, "differ": len(differ), "same": len(diffs) - len(differ),
            "invalid": invalid + unreached, "cells": self.cells(), "grid": total,
            "samples": SAMPLES if sampled else None, "seed": SEED if sampled else None,
            "reasons": self.reasons,
            "windows": [f"{a.label} {a.window}" for a in self.axes if a.window],
            "smallest": self.witness(lists, lo, unit, down), "largest": self.witness(lists, hi, unit, up),
            "smallest_v": diffs[lo] if lo is not None else None, "largest_v": diffs[hi] if hi is not None else None,
            "unbounded_up": [a.label for a, _ in up], "unbounded_down": [a.label for a, _ in down],
            "growing_up": "、".join(w for _, w in up), "growing_down": "、".join(w for _, w in down),
            "regions": self.regions(lists, differ, diffs),
        }

    def evaluate(self, grid, n: int) -> tuple[dict, int, int]:
        """The change (new − old) at every grid point (a tuple of indices into
        the axes' values); the counts of input errors and unreachable points.
        The last axis varies fastest: the other inputs are put together once
        for each run of it."""
        from .runtime import FeeInputError

        parts = [[{n: v} for v in vals] for n, _, vals in self.disc]
        parts += [[ax.solve(t, self.base, self.an.numeric) for t in ax.points] for ax in self.axes]
        ro, rn = set(self.old.rules[self.entry].inputs), set(self.new.rules[self.entry].inputs)
        fo, fn = self.fo, self.fn
        last = [None if d is None else ({k: v for k, v in d.items() if k in ro}, {k: v for k, v in d.items() if k in rn})
                for d in parts[-1]] if parts else []
        own = set().union(*(d for d in parts[-1] if d is not None)) if parts else set()
        diffs: dict[tuple, object] = {}
        invalid = unreached = 0
        prefix, kwo, kwn = None, {}, {}
        for idx in grid:
            if idx[:-1] != prefix:
                prefix = idx[:-1]
                kw = {k: v for k, v in self.base.items() if k not in own}
                reach = True
                for k, i in enumerate(prefix):
                    got = parts[k][i]
                    if got is None:
                        reach = False
                        break
                    kw.update(got)
                kwo = {k: v for k, v in kw.items() if k in ro}
                kwn = {k: v for k, v in kw.items() if k in rn}
            tail = last[idx[-1]] if n else ({}, {})
            if not reach or tail is None:
                unreached += 1
                continue
            try:
                diffs[idx] = fn(**kwn, **tail[1]) - fo(**kwo, **tail[0])
            except FeeInputError:
                invalid += 1
        return diffs, invalid, unreached

    def tails(self, lists, diffs) -> tuple[list, list]:
        """Check every segment: from each point of its first period, the change
        moves by the same Δ per period (for every value of the other axes). The
        tails' Δ say along which directions the change grows (falls) without
        bound. A segment that does not repeat is a reason, not a claim."""
        nd = len(self.disc)
        up, down = [], []
        for j, ax in enumerate(self.axes):
            k = nd + j
            pos = {v: i for i, v in enumerate(ax.points)}
            for x, y, p, kind in ax.segments:
                deltas: dict[tuple, set] = {}
                broken = False
                inside = {i for i, t in enumerate(ax.points) if x < t < y}
                for idx, v in diffs.items():
                    if idx[k] not in inside:
                        continue
                    t = ax.points[idx[k]]
                    if kind == "bottom":
                        base = y - 1 - (y - 1 - t) % p
                        n = (base - t) // p
                    else:
                        base = x + 1 + (t - x - 1) % p
                        n = (t - base) // p
                    if n == 0:
                        continue
                    other = idx[:k] + (pos.get(base, -1),) + idx[k + 1:]
                    if other not in diffs:
                        broken = True
                        break
                    deltas.setdefault(idx[:k] + idx[k + 1:], set()).add(Fraction(v - diffs[other], n))
                if broken or any(len(s) > 1 for s in deltas.values()):
                    self.reasons.append(f"{ax.label}の{ax.fmt(x + 1)}から先で増減が同じ周期でくり返すことを確かめられず、"
                                        "調べた点の外は分からない")
                    continue
                grows = {d for s in deltas.values() for d in s}
                for others, ds in deltas.items():
                    combo = others[:nd]
                    for d in ds:
                        if d and kind != "gap":  # Δ is the change per period going out along the tail
                            (self.rising if d > 0 else self.falling).add(combo)
                if kind == "top":
                    ax.deltas = grows
                if kind != "gap":
                    words = f"{ax.label}が{'大きい' if kind == 'top' else '小さい'}ほど"
                    if any(d > 0 for d in grows):
                        up.append((ax, words))
                    if any(d < 0 for d in grows):
                        down.append((ax, words))
        return up, down

    def cells(self) -> int:
        """Cells of the partition holding a searched point (the ones a segment
        repeats are not counted)."""
        n = math.prod(len(v) for _, _, v in self.disc)
        for ax in self.axes:
            n *= max(ax.cell_count(), 1)
        return n

    def witness(self, lists, idx, unit, unbounded: list) -> dict | None:
        from .words import fmt_quantity

        if idx is None:
            return None
        nd = len(self.disc)
        kw = self.point(tuple(lists[k][i] for k, i in enumerate(idx[:nd])),
                        tuple(lists[nd + k][i] for k, i in enumerate(idx[nd:])))
        a, b = self.call(kw)
        self.verify(kw, a, b)
        from .compare import _label, _shown, _signed

        shown = [f"{_label(self.new, self.old, k)}={_shown(self.new, self.old, k, v)}" for k, v in kw.items()]
        nd = len(self.disc)
        for ax, i in zip(self.axes, idx[nd:]):
            if len(ax.d.form) > 1:
                shown.append(f"（{ax.label} {ax.fmt(ax.points[i])}）")
        return {"diff": _signed(b - a, unit), "old": fmt_quantity(a, self.old.rules[self.entry].type),
                "new": fmt_quantity(b, unit), "inputs": "、".join(shown), "kw": kw,
                "unbounded": "、".join(ax.label for ax, _ in unbounded)}

    def verify(self, kw, a, b) -> None:
        """The witness by the reference interpreter: the same amounts as the modules."""
        from . import interpret

        ro, rn = self.old.rules[self.entry], self.new.rules[self.entry]
        ia = interpret.evaluate(self.old, self.entry, {k: v for k, v in kw.items() if k in ro.inputs})
        ib = interpret.evaluate(self.new, self.entry, {k: v for k, v in kw.items() if k in rn.inputs})
        if (ia, ib) != (a, b):
            raise AssertionError(f"witness of {self.entry} does not recompute: {kw}")

    def regions(self, lists, differ, diffs) -> list[dict]:
        """The inputs where the amount changes: per combination of 区分/真偽
        values, the ranges of each direction (merged runs of grid points)."""
        nd = len(self.disc)
        by_combo: dict[tuple, list] = {}
        for idx in differ:
            by_combo.setdefault(idx[:nd], []).append(idx)
        seen: dict[tuple, list] = {}
        for idx in diffs:
            axes = seen.setdefault(idx[:nd], [set() for _ in self.axes])
            for j in range(len(self.axes)):
                axes[j].add(idx[nd + j])
        rows: dict[tuple, list] = {}
        for combo, idxs in sorted(by_combo.items()):
            values = tuple(lists[k][i] for k, i in enumerate(combo))
            ranges = []
            for j, ax in enumerate(self.axes):
                marked = sorted({i[nd + j] for i in idxs})
                valid = sorted(seen[combo][j])
                if marked == valid:
                    continue  # every value looked at changes
                text = self.runs(ax, nd + j, combo, marked, valid, diffs)
                more = f" ほか{len(text) - 6}区間" if len(text) > 6 else ""
                ranges.append(f"{ax.label} {'、'.join(text[:6])}{more}")
            vals = sorted({diffs[i] for i in idxs})
            rows.setdefault(tuple(ranges), []).append((values, vals, combo in self.falling, combo in self.rising))
        unit = self.new.rules[self.entry].type
        from .compare import _signed

        out = []
        for ranges, combos in rows.items():
            v = sorted({x for _, vs, _, _ in combos for x in vs})
            low = "下限なし" if any(c[2] for c in combos) else _signed(v[0], unit)
            high = "上限なし" if any(c[3] for c in combos) else _signed(v[-1], unit)
            out.append({"when": self.combos_text([c[0] for c in combos]), "ranges": list(ranges),
                        "change": low if low == high else f"{low}～{high}"})
        return out

    def runs(self, ax, k: int, combo: tuple, marked: list, valid: list, diffs: dict) -> list[str]:
        """The ranges of axis ``ax`` holding the changing points: a point stands
        for its cell (to the cell's end when the amount is constant in cells);
        neighbouring cells merge; across the middle of a segment only when the
        change cannot pass 0 there (it moves by Δ per period: linear in the
        number of periods, so nonzero of one sign at both ends is nonzero between)."""
        pts = ax.points
        if not ax.d.integral:
            return self.rate_runs(ax, marked, valid)
        ends = {m: (ax.d.cell_end(pts[m]) if ax.d.flat else pts[m]) for m in marked}
        at = {v: i for i, v in enumerate(valid)}  # marked points are valid ones, in order
        runs = []
        for m in marked:
            if runs:
                prev = runs[-1][1]
                e = ends[prev]
                # (no valid point lies between prev and m: they are neighbours in ``valid``)
                if e is not None and (pts[m] <= e + 1 or self.bridged(ax, k, combo, pts[prev], pts[m], diffs)) and \
                        at[m] == at[prev] + 1:
                    runs[-1][1] = m
                    continue
            runs.append([m, m])
        text = []
        for a, b in runs:
            e = ends[b]
            if e is None or (b == valid[-1] and ax.top is not None and self.open_ended(ax, k, combo, diffs)):
                text.append(f"{ax.fmt(pts[a])}以上")
            elif pts[a] == e:
                text.append(ax.fmt(pts[a]))
            else:
                text.append(f"{ax.fmt(pts[a])}～{ax.fmt(e)}")
        return text

    def rate_runs(self, ax, marked: list, valid: list) -> list[str]:
        """Runs of a rate's points, as ranges between its critical points
        (50%以上, 21%以上～51%未満); a point between two stands for the gap."""
        pts, bounds = ax.points, ax.bounds
        at, runs = {v: i for i, v in enumerate(valid)}, []
        for m in marked:
            if runs and at[m] == at[runs[-1][1]] + 1:  # neighbours in ``valid``
                runs[-1][1] = m
            else:
                runs.append([m, m])
        out = []
        for a, b in runs:
            x, y = pts[a], pts[b]
            if x in bounds:
                left = f"{ax.fmt(x)}以上"
            else:
                i = bisect.bisect_left(bounds, x)
                left = f"{ax.fmt(bounds[i - 1])}超" if i else ""
            if y in bounds:
                right = f"{ax.fmt(y)}以下"
            else:
                i = bisect.bisect_right(bounds, y)
                right = f"{ax.fmt(bounds[i])}未満" if i < len(bounds) else ""
            if x == y and x in bounds:
                out.append(ax.fmt(x))
            else:
                out.append("～".join(t for t in (left, right) if t) or "すべて")
        return out

    def bridged(self, ax, k: int, combo: tuple, u, w, diffs) -> bool:
        for seg in ax.segments:
            x, y, p, kind = seg
            if kind != "gap" or not (x < u < w < y):
                continue
            key = (k, combo, seg)
            if key not in self._bridges:
                near = {i for i, t in enumerate(ax.points) if x + p < t <= x + 2 * p + 1 or y - p - 1 <= t < y}
                ends = [v for i, v in diffs.items() if i[k] in near and i[:len(combo)] == combo]
                self._bridges[key] = bool(ends) and (all(v > 0 for v in ends) or all(v < 0 for v in ends))
            return self._bridges[key]
        return False

    def open_ended(self, ax, k: int, combo: tuple, diffs: dict) -> bool:
        """Whether the change goes on past the window's top: the tail is proven
        (its Δ), and every point of its last period changes with Δ's sign."""
        if ax.top is None or not ax.deltas:
            return False
        signs = {(x > 0) - (x < 0) for x in ax.deltas if x} or {0}
        if len(signs) != 1:
            return False
        (sign,) = signs  # where some Δ is 0 and others not, a group that changes has Δ ≠ 0 or changes alike
        t0, p = ax.top
        groups: dict[tuple, list] = {}  # the last period's changes, for each value of the other axes
        for i, v in diffs.items():
            if i[:len(combo)] == combo and ax.points[i[k]] >= t0 + p:
                groups.setdefault(i[:k] + i[k + 1:], []).append(v)
        changing = [vs for vs in groups.values() if any(vs)]
        return bool(changing) and all(v != 0 and (sign == 0 or (v > 0) == (sign > 0)) for vs in changing for v in vs)

    def combos_text(self, combos: list) -> str:
        """The combinations in words: 市町村の区分=市 (an input every value of which is
        in them is left out); several when they are not a product."""
        from .compare import _shown

        if not self.disc:
            return ""
        sets = [sorted({c[k] for c in combos}, key=lambda v: vals.index(v))
                for k, (_, _, vals) in enumerate(self.disc)]
        if math.prod(len(s) for s in sets) == len(combos):
            parts = [f"{inp.label}=" + "・".join(_shown(self.new, self.old, n, v) for v in s)
                     for (n, inp, vals), s in zip(self.disc, sets) if len(s) < len(vals)]
            return "、".join(parts) or "すべて"
        return "／".join("、".join(f"{inp.label}={_shown(self.new, self.old, n, v)}"
                                  for (n, inp, _), v in zip(self.disc, c)) for c in combos)


HOW = {"exhaustive": "全点", "representative": "代表点", "sampled": "抽出"}


def summary_rows(entries: list[dict]) -> list[list]:
    """The workbook's lines for the entries whose amount changes: how they were
    searched and the smallest and largest change with their witnesses."""
    rows = []
    for e in entries:
        rows += [[], [f"{e['label']}（{HOW[e['how']]}、{e['points']:,}点）"]]
        for head, w, bound, along in (("最小の増減", e["smallest"], "下限なし", e["unbounded_down"]),
                                      ("最大の増減", e["largest"], "上限なし", e["unbounded_up"])):
            diff = f"{bound}（調べた中では {w['diff']}）" if along else w["diff"]
            rows.append([head, diff, f"{w['old']} → {w['new']}", w["inputs"]])
        rows += [[r["when"] or "すべての入力", "、".join(r["ranges"]), r["change"]] for r in e["regions"]]
    return rows
