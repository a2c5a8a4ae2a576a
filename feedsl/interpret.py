"""A reference interpreter of the checked IR: the fee a regulation's rules say.

This is a second, deliberately plain implementation of the language's
semantics, used by the property tests to judge the compiled modules and their
``explain()``. It shares no code with the code generators, with
:mod:`feedsl.runtime` (only the :class:`FeeInputError` class is imported) or
with :mod:`feedsl.explanation`: a tree walk over :mod:`feedsl.ir`, exact
arithmetic in :class:`~fractions.Fraction`, nothing clever.

The semantics, as README.md and the checker define them:

* An entry takes, by keyword, exactly its parameters and the inputs its rules
  need (``RuleIR.inputs``). Anything else -- a positional argument, an
  unknown name, a missing required input, a value of the wrong kind -- is a
  :class:`FeeInputError`. Counts and amounts are ``int`` (never ``bool`` or
  ``float``) at or above their ``範囲`` minimum (0 when none is written);
  rates are ``int`` or ``Fraction`` at or above their minimum; an enum takes a
  value's name (the compiled module's members are ``str`` subclasses, so they
  are names too); a date is a ``datetime.date`` or an ISO string; a record is
  a dict of its fields (or an object with ``to_dict()``, such as a compiled
  module's record); a list of records is a list or tuple of them.
* A ``前提`` is checked for an entry when every input it mentions, directly or
  through the rules it reads, is among the entry's inputs and every
  conditional one among them was given; when it does not hold, the call is a
  :class:`FeeInputError`.
* A conditional input or record field (``必要 c``, ``InputIR.needed``) that is
  not given is an error when the entry requires it always
  (``RuleIR.always``) or when ``c`` holds for the other values given (for a
  field, the record's other fields); otherwise it is absent. A given one is
  checked like any input. Reading an absent value is a bug of the checker
  (never an input error): it raises ``AssertionError``.
* A rule called with arguments checks them as an entry checks its
  parameters: an argument outside the parameter's domain (a negative count,
  a fraction of a whole-number unit, below ``範囲``) is a
  :class:`FeeInputError`, whether the rule is called by a caller or by
  another rule.
* ``÷`` is exact; dividing by zero is a :class:`FeeInputError`. ``もし``,
  ``場合`` and ``かつ``/``または`` evaluate only what they need: an error in a
  branch not taken never happens.
* Rounding works on the magnitude, as a regulation's text means it for an
  amount of either sign: ``四捨五入`` rounds halves away from zero (never to
  even), ``切り捨て`` drops the fraction (toward zero), ``切り上げ`` raises any
  fraction to the next unit (away from zero); all to a multiple of the unit.
* A table row matches when its interval contains the key (rows are scanned in
  order, ``Interval.contains``); ``それ以外`` takes what no row does; a key in
  no row is a :class:`FeeInputError`. Enum columns are selected by value.
* A category table's column (``t.col``, ``t(k).col``) is the cell of the row
  whose values include the key; a なし cell is 0 when the table says
  ``なし は 0``, else the ``がなければ`` value, computed only then (the checker
  makes sure one of them applies).
* ``合計`` adds its body over a list (0 for an empty list), ``件数`` counts the
  items whose condition holds; the bound name is visible only in the body and
  hides a parameter of that name (never an input: inputs are another
  namespace in the IR).
* Fiscal-year functions: a date's place in the fiscal year starting in month
  ``fy_start`` (1 = the first month; also the key of a month table), the
  months after it to the year's end, the months from it (itself counted) to
  the year's end, 上半期 = places 1-6, 下半期 = places 7-12.

Results are ``int`` for whole numbers, ``Fraction`` otherwise, ``bool``, a
value's name (``str``) for enums, ``datetime.date``, dicts for records and
tuples for lists. Depth is not limited by Python's recursion limit: the walk
runs in a thread with a large stack.
"""

from __future__ import annotations

import datetime
from fractions import Fraction

from . import ir
from .runtime import FeeInputError
from .values import ValueReadError, read_date, read_enum

__all__ = ["evaluate"]


def evaluate(reg: ir.RegulationIR, entry: str, inputs: dict, args: tuple = ()):
    """The value of rule ``entry`` for ``inputs`` (keyword inputs) and ``args``
    (positional ones, always an error), or :class:`FeeInputError`."""
    return _deep(lambda: _Interp(reg).entry(entry, dict(inputs), tuple(args)))


# --- depth -------------------------------------------------------------------

_LIMIT = 1_000_000  # frames: thousands of chained rules, each a few frames deep


def _deep(fn):
    """Run ``fn`` where deep regulations (thousands of chained rules) fit."""
    from .depth import run_deep

    return run_deep(fn, frames=_LIMIT)


# --- values ------------------------------------------------------------------

def _out(v):
    """A value as the interpreter returns it: whole Fractions become ints."""
    if isinstance(v, Fraction) and v.denominator == 1:
        return int(v)
    if isinstance(v, dict):
        return {k: _out(x) for k, x in v.items()}
    if isinstance(v, tuple):
        return tuple(_out(x) for x in v)
    return v


class _Absent:
    """A conditional input or field that was not given (and is not needed)."""

    def __repr__(self):
        return "<absent>"


ABSENT = _Absent()


def _read(v, what):
    if v is ABSENT:
        raise AssertionError(f"unsound: {what} is read, but it was not given and is not needed")
    return v


def _bad(what: str, why: str) -> FeeInputError:
    return FeeInputError(f"{what}: {why}", what.split(".")[0].split("[")[0])


class _Interp:
    def __init__(self, reg: ir.RegulationIR):
        self.reg = reg
        self.memo: dict[str, object] = {}
        self.inputs: dict[str, object] = {}

    # --- calls and inputs ------------------------------------------------------
    def entry(self, name: str, given: dict, args: tuple):
        values = self.bind(name, given, args)  # also sets self.inputs
        rule = self.reg.rules[name]
        return _out(self.apply(rule, {pn: values[pn] for pn, _ in rule.params}))

    def bind(self, name: str, given: dict, args: tuple) -> dict:
        rule = self.reg.rules[name]  # an unknown entry is a KeyError, not an input error
        if args:
            raise FeeInputError(f"{name}: positional arguments are not accepted", "(位置引数)")
        allowed = [pn for pn, _ in rule.params] + list(rule.inputs)
        for k in given:
            if k not in allowed:
                raise _bad(k, f"{name} has no input {k!r}")
        values = {}
        for k, (pn, pt) in enumerate(rule.params):
            if pn not in given:
                raise _bad(pn, "missing")
            pin = rule.param_inputs[k] if k < len(rule.param_inputs) else None
            values[pn] = self.accept(given[pn], pt, self.minimum_of(rule, k), pn,
                                     pin is not None and pin.min_exclusive)
        todo = list(rule.inputs)
        self.inputs = {}
        while todo:
            # A conditional input is decided once the inputs its condition reads are.
            n = next(n for n in todo if self.ready(self.reg.inputs[n].needed, self.inputs, ir.InputRef, rule.inputs))
            todo.remove(n)
            inp = self.reg.inputs[n]
            if n in given:
                v = given[n]
            elif inp.has_default:
                v = inp.default
            elif inp.needed is not None and n not in rule.always and not self.value(inp.needed, {}):
                values[n] = self.inputs[n] = ABSENT
                continue
            else:
                raise _bad(n, "missing")
            values[n] = self.inputs[n] = self.accept(v, inp.type, inp.minimum, n, inp.min_exclusive)
        self.inputs = {n: values[n] for n in rule.inputs}
        for rel in self.reg.relations:
            needed = self.relation_inputs(rel)
            if (needed and needed <= set(rule.inputs) and all(self.inputs[n] is not ABSENT for n in needed)
                    and not self.value(rel.expr, {})):
                raise FeeInputError(f"前提 {rel.text}", sorted(needed)[0], "", tuple(sorted(needed)))
        return values

    @staticmethod
    def ready(cond, done: dict, kind, names) -> bool:
        """Whether every value of ``names`` that ``cond`` reads is decided."""
        if cond is None:
            return True
        todo = [cond]
        while todo:
            e = todo.pop()
            if isinstance(e, kind) and e.name in names and e.name not in done:
                return False
            todo.extend(_kids(e))
        return True

    @staticmethod
    def minimum_of(rule: ir.RuleIR, k: int):
        pin = rule.param_inputs[k] if k < len(rule.param_inputs) else None
        return pin.minimum if pin is not None else None

    def relation_inputs(self, rel: ir.RelationIR) -> set:
        """Every input a 前提 reads, directly or through the rules it mentions."""
        found: set[str] = set()
        seen: set[str] = set()
        todo = [rel.expr]
        while todo:
            e = todo.pop()
            if isinstance(e, ir.InputRef):
                found.add(e.name)
            elif isinstance(e, ir.RuleRef) and e.name not in seen:
                seen.add(e.name)
                found |= set(self.reg.rules[e.name].inputs)
            todo.extend(_kids(e))
        return found

    def accept(self, v, t, minimum, what: str, exclusive: bool = False):
        """A caller's value of type ``t`` in the interpreter's form, or FeeInputError."""
        if isinstance(t, ir.QType):
            if t.integral:
                if not isinstance(v, int) or isinstance(v, bool):
                    raise _bad(what, f"a whole number is needed, not {type(v).__name__}")
            elif not isinstance(v, (int, Fraction)) or isinstance(v, bool):
                raise _bad(what, f"an int or Fraction is needed, not {type(v).__name__}")
            v = Fraction(v)
            low = minimum if minimum is not None else Fraction(0)
            if v < low or (exclusive and v == low):
                raise _bad(what, f"must be {'above' if exclusive else 'at least'} {low}")
            return v
        if isinstance(t, ir.BoolType):
            if not isinstance(v, bool):
                raise _bad(what, "True or False is needed")
            return v
        if isinstance(t, ir.EnumType):
            names = [n for n, _ in self.reg.enums[t.name].values]
            if t.members is not None:
                names = [n for n in names if n in t.members]
            name = str.__str__(v) if isinstance(v, str) else None
            if name is not None and name not in names:
                try:  # a label (市) names its value, as at every input surface
                    name = read_enum(name, self.reg.enums[t.name].values)
                except ValueReadError:
                    pass
            if name not in names:
                raise _bad(what, f"{v!r} is not one of {names}")
            return name
        if isinstance(t, ir.DateType):
            if type(v) is datetime.date:
                return v
            if isinstance(v, str):
                try:
                    return read_date(v)
                except ValueReadError:
                    pass
            raise _bad(what, "a date is needed")
        if isinstance(t, ir.RecordType):
            if not isinstance(v, dict) and callable(getattr(v, "to_dict", None)):
                v = v.to_dict()
            if not isinstance(v, dict):
                raise _bad(what, f"a record {t.name} is needed")
            rec = self.reg.records[t.name]
            known = {f.name for f in rec.fields}
            for k in v:
                if k not in known:
                    raise _bad(f"{what}.{k}", "no such field")
            out = {}
            todo = list(rec.fields)
            names = [f.name for f in rec.fields]
            while todo:
                f = next(f for f in todo if self.ready(f.needed, out, ir.ParamRef, names))
                todo.remove(f)
                if f.name in v:
                    fv = v[f.name]
                elif f.has_default:
                    fv = f.default
                elif f.needed is not None and not self.value(f.needed, dict(out)):
                    out[f.name] = ABSENT
                    continue
                else:
                    raise _bad(f"{what}.{f.name}", "missing")
                out[f.name] = self.accept(fv, f.type, f.minimum, f"{what}.{f.name}", f.min_exclusive)
            return {f.name: out[f.name] for f in rec.fields}
        if isinstance(t, ir.ListType):
            if not isinstance(v, (list, tuple)):
                raise _bad(what, "a list is needed")
            return tuple(self.accept(x, t.element, None, f"{what}[{i}]") for i, x in enumerate(v))
        raise TypeError(f"no input of type {t}")

    def apply(self, rule: ir.RuleIR, params: dict):
        """A rule's value; parameterless rules are computed once per call."""
        if not rule.params:
            if rule.name not in self.memo:
                self.memo[rule.name] = self.value(rule.expr, {})
            return self.memo[rule.name]
        return self.value(rule.expr, params)

    # --- expressions -------------------------------------------------------------
    def value(self, e, env: dict):
        return getattr(self, "v_" + type(e).__name__)(e, env)

    def v_Const(self, e: ir.Const, env):
        return e.value

    def v_InputRef(self, e: ir.InputRef, env):
        return _read(self.inputs[e.name], e.name)

    def v_ParamRef(self, e: ir.ParamRef, env):
        return _read(env[e.name], e.name)

    def v_RuleRef(self, e: ir.RuleRef, env):
        rule = self.reg.rules[e.name]
        params = {}
        for k, ((pn, pt), a) in enumerate(zip(rule.params, e.args)):
            params[pn] = self.argument(self.value(a, env), pt, self.minimum_of(rule, k), f"{e.name}.{pn}")
        return self.apply(rule, params)

    def argument(self, v, t, minimum, what):
        """An argument passed by a rule: checked against the parameter's domain."""
        if isinstance(t, ir.QType):
            if t.integral and v.denominator != 1:
                raise _bad(what, f"{v} is not a whole number")
            low = minimum if minimum is not None else Fraction(0)
            if v < low:
                raise _bad(what, f"must be at least {low}")
        if isinstance(t, ir.EnumType) and t.members is not None and v not in t.members:
            raise _bad(what, f"{v!r} is not one of {sorted(t.members)}")
        return v

    def v_Arith(self, e: ir.Arith, env):
        a = self.value(e.left, env)
        b = self.value(e.right, env)
        if e.op == "+":
            return a + b
        if e.op == "-":
            return a - b
        if e.op == "×":
            return a * b
        if b == 0:
            raise FeeInputError("割る数が 0 です / division by zero", "")
        return Fraction(a) / Fraction(b)

    def v_Cmp(self, e: ir.Cmp, env):
        a = self.value(e.left, env)
        b = self.value(e.right, env)
        if e.op == "=":
            return a == b
        if e.op == "≠":
            return a != b
        if e.op == "≤":
            return a <= b
        if e.op == "≥":
            return a >= b
        if e.op == "<":
            return a < b
        return a > b

    def v_EnumIs(self, e: ir.EnumIs, env):
        return self.value(e.subject, env) in e.members

    def v_BoolOp(self, e: ir.BoolOp, env):
        a = self.value(e.left, env)
        if e.op == "and":
            return self.value(e.right, env) if a else False
        return True if a else self.value(e.right, env)

    def v_NotOp(self, e: ir.NotOp, env):
        return not self.value(e.operand, env)

    def v_Cond(self, e: ir.Cond, env):
        return self.value(e.then if self.value(e.cond, env) else e.else_, env)

    def v_Match(self, e: ir.Match, env):
        s = self.value(e.subject, env)
        for members, v in e.arms:
            if not members or s in members:
                return self.value(v, env)
        raise AssertionError(f"no arm of 場合 takes {s!r}")  # the checker makes arms exhaustive

    def v_Branches(self, e: ir.Branches, env):
        for c, v in e.arms:
            if c is None or self.value(c, env):
                return self.value(v, env)
        raise AssertionError("no arm of 場合 applies")  # the checker requires それ以外

    def v_Round(self, e: ir.Round, env):
        x = Fraction(self.value(e.value, env)) / e.unit
        sign = -1 if x < 0 else 1
        m = abs(x)
        whole, rest = divmod(m.numerator, m.denominator)
        if e.mode == "四捨五入":
            n = whole + (1 if 2 * rest >= m.denominator else 0)
        elif e.mode == "切り捨て":
            n = whole
        else:
            n = whole + (1 if rest else 0)
        return Fraction(sign * n * e.unit)

    def v_MinMax(self, e: ir.MinMax, env):
        vals = [self.value(a, env) for a in e.args]
        return min(vals) if e.func in ("最小", "上限") else max(vals)

    def v_FyCall(self, e: ir.FyCall, env):
        d = self.value(e.arg, env)
        place = 1
        month = self.reg.fy_start
        while month != d.month:  # count months from the fiscal year's first month
            month = month % 12 + 1
            place += 1
        if e.func in (ir.FISCAL_MONTH, ir.MONTH_OF):
            return Fraction(place)
        if e.func == ir.MONTHS_AFTER:  # 10月15日 → 11月～3月
            return Fraction(12 - place)
        if e.func == ir.MONTHS_INCLUDING:  # 10月15日 → 10月～3月
            return Fraction(12 - place + 1)
        if e.func == "上半期":
            return place <= 6
        return place > 6

    def v_FieldGet(self, e: ir.FieldGet, env):
        return _read(self.value(e.obj, env)[e.name], e.name)

    def v_Aggregate(self, e: ir.Aggregate, env):
        items = self.value(e.source, env)
        total = Fraction(0)
        for item in items:
            v = self.value(e.body, {**env, e.var: item})
            if e.func == "件数":
                total += 1 if v else 0
            else:
                total += v
        return total

    def v_Lookup(self, e: ir.Lookup, env):
        key = self.value(e.key, env)
        col = 0
        if e.column is not None:
            col = list(e.column_names).index(self.value(e.column, env))
        for row in e.rows:
            if row.interval is not None and row.interval.contains(key):
                return row.values[col]
        for row in e.rows:
            if row.interval is None:
                return row.values[col]
        raise FeeInputError(f"表「{e.table}」に {key} の行がありません / no row for {key}", "")

    def v_CatLookup(self, e: ir.CatLookup, env):
        table = self.reg.cat_tables[e.table]
        key = self.value(e.key, env)
        k = [c.name for c in table.columns].index(e.column)
        row = next(r for r in table.rows if key in r.members)
        if row.cells[k] is not None:
            return row.cells[k]
        if table.none_zero:
            return Fraction(0)
        if e.fallback is None:
            raise AssertionError(f"{e.table}.{e.column}: なし reached for {key!r}")  # the checker forbids it
        return self.value(e.fallback, env)


def _kids(e) -> list:
    """The sub-expressions of an IR node (for finding what a 前提 reads)."""
    out = []
    for name in ("args", "left", "right", "operand", "subject", "cond", "then", "else_",
                 "value", "arg", "obj", "source", "body", "key", "column", "fallback"):
        x = getattr(e, name, None)
        if isinstance(x, tuple):
            out.extend(x)
        elif x is not None and hasattr(x, "type"):
            out.append(x)
    for arm in getattr(e, "arms", ()):
        out.extend(x for x in arm if x is not None and hasattr(x, "type"))
    return out
