"""IR → the source of a compiled module's ``columns``: one numpy function per entry.

The columnar source is generated at compile time with the scalar module and
embedded in it as a string constant (``python.generate`` appends it), so the
loader's cache keeps it and ``feedsl compile`` writes it without any change to
the warm path: the first access to ``m.columns`` executes it
(:func:`feedsl.runtime.columns_module`), importing numpy only then.

Every rule becomes a function of the call (``c``, a :class:`feedsl.columnar.Call`)
and its parameters' columns, whose body is straight-line code over
:mod:`feedsl.columnar` helpers: every sub-expression is computed for all rows
and carries the rows where it failed, so ``もし``/``場合``/``かつ`` keep the
scalar path's laziness for errors (see feedsl.columnar). Entries with record
or list inputs, or whose rules aggregate over records, call the scalar entry
once per row (``per_row``): exact by construction, documented in the README.

Safety: author text reaches the source only through ``repr()`` of a str or an
int; every Python name is minted here (``_r<n>``, ``_K<n>``, ``_T<n>``, ``_A<n>``);
entries are published by name from the ``_ENTRIES`` dict, never as identifiers.
"""

from __future__ import annotations

import datetime
from fractions import Fraction

from .. import ir
from .. import needed as _needed
from ..ir import BoolType, DateType, EnumType, ListType, QType, RecordType, children

_ROW_ONLY_NODES = (ir.Aggregate, ir.FieldGet)
# An entry reading more parameterless rules than this computes them bottom-up first.
DEEP_CHAIN = 40


def _lit(v) -> str:
    """A Python literal for a constant: via repr of ints, bools and strs only."""
    if isinstance(v, bool):
        return repr(v)
    if isinstance(v, Fraction):
        if v.denominator == 1:
            return repr(int(v))
        return f"_F({int(v.numerator)!r}, {int(v.denominator)!r})"
    if isinstance(v, int):
        return repr(int(v))
    if isinstance(v, datetime.date):
        return f"_dt({v.year!r}, {v.month!r}, {v.day!r})"
    if v is None:
        return "None"
    raise TypeError(f"no literal for {v!r}")  # pragma: no cover


class _Gen:
    def __init__(self, reg: ir.RegulationIR):
        self.reg = reg
        self.head: list[str] = []
        self.consts: dict = {}
        self.rule_fn = {n: f"_r{i}" for i, n in enumerate(reg.rules)}
        self.row_only = self.row_only_rules()
        self.lines: list[str] = []
        self.tmp = 0
        self.env: dict[str, str] = {}
        self.seen: dict = {}
        self.deep = False
        self.direct: dict[str, list[str]] = {}

    # --- analysis -------------------------------------------------------------
    def row_only_rules(self) -> set[str]:
        """Rules that read records or lists (or call such rules): computed per row."""
        direct = set()
        calls: dict[str, set[str]] = {}
        for name, r in self.reg.rules.items():
            if any(isinstance(t, (RecordType, ListType)) for _, t in r.params):
                direct.add(name)
            if any(isinstance(self.reg.inputs[i].type, (RecordType, ListType)) for i in r.inputs):
                direct.add(name)
            stack, called = [r.expr], set()
            while stack:
                e = stack.pop()
                if isinstance(e, _ROW_ONLY_NODES):
                    direct.add(name)
                if isinstance(e, ir.RuleRef):
                    called.add(e.name)
                stack.extend(children(e))
            calls[name] = called
        out = set(direct)
        changed = True
        while changed:
            changed = False
            for name, called in calls.items():
                if name not in out and called & out:
                    out.add(name)
                    changed = True
        return out

    def enum_codes(self, t: EnumType, members) -> tuple:
        names = [n for n, _ in self.reg.enums[t.name].values]
        return tuple(names.index(m) for m in members)

    # --- constants ------------------------------------------------------------
    def const(self, key, code: str) -> str:
        name = self.consts.get(key)
        if name is None:
            name = self.consts[key] = f"_K{len(self.consts)}"
            self.head.append(f"{name} = {code}")
        return name

    # --- expressions ----------------------------------------------------------
    def t(self, code: str) -> str:
        self.tmp += 1
        name = f"_t{self.tmp}"
        self.lines.append(f"    {name} = {code}")
        return name

    def emit(self, e) -> str:
        """The temporary holding ``e``'s column. Every sub-expression is computed
        for all rows (errors travel with the values), so an expression that
        occurs twice in one function is computed once."""
        key = e
        try:
            hit = self.seen.get(key)
        except TypeError:  # pragma: no cover - an unhashable constant
            return getattr(self, "e_" + type(e).__name__)(e)
        if hit is None:
            hit = self.seen[key] = getattr(self, "e_" + type(e).__name__)(e)
        return hit

    def e_Const(self, e: ir.Const) -> str:
        if isinstance(e.type, EnumType):
            code = self.enum_codes(e.type, (e.value,))[0]
            return self.const(("E", code), f"_cr.enum_const({code!r})")
        v = e.value
        key = ("C", type(v).__name__, v)
        return self.const(key, f"_cr.const({_lit(v)})")

    def e_InputRef(self, e: ir.InputRef) -> str:
        return self.t(f"c.inp[{e.name!r}]")

    def e_ParamRef(self, e: ir.ParamRef) -> str:
        return self.env[e.name]

    def e_RuleRef(self, e: ir.RuleRef) -> str:
        rule = self.reg.rules[e.name]
        args = []
        for k, ((pn, pt), a) in enumerate(zip(rule.params, e.args)):
            v = self.emit(a)
            pin = rule.param_inputs[k] if k < len(rule.param_inputs) else None
            minimum = pin.minimum if pin is not None else None
            if isinstance(pt, QType):
                v = self.t(f"_cr.check_arg(c, {v}, {pt.integral!r}, {_lit(minimum)}, {(e.name + '.' + pn)!r})")
            elif isinstance(pt, EnumType) and pt.members is not None:
                codes = self.enum_codes(pt, sorted(pt.members))
                v = self.t(f"_cr.check_arg(c, {v}, False, None, {(e.name + '.' + pn)!r}, {codes!r})")
            args.append(v)
        out = self.t(f"{self.rule_fn[e.name]}(c{''.join(', ' + a for a in args)})")
        if args:  # the arguments are computed (and checked) before the call, whatever it reads
            out = self.t(f"_cr.with_errors({out}, {', '.join(args)})")
        return out

    def e_Arith(self, e: ir.Arith) -> str:
        a, b = self.emit(e.left), self.emit(e.right)
        if e.op == "÷":
            return self.t(f"_cr.divide(c, {a}, {b})")
        return self.t(f"_cr.arith({e.op!r}, {a}, {b})")

    def e_Cmp(self, e: ir.Cmp) -> str:
        a, b = self.emit(e.left), self.emit(e.right)
        return self.t(f"_cr.cmp({e.op!r}, {a}, {b})")

    def e_EnumIs(self, e: ir.EnumIs) -> str:
        s = self.emit(e.subject)
        return self.t(f"_cr.is_member({s}, {self.enum_codes(e.subject.type, e.members)!r})")

    def e_BoolOp(self, e: ir.BoolOp) -> str:
        a, b = self.emit(e.left), self.emit(e.right)
        return self.t(f"_cr.{'and_' if e.op == 'and' else 'or_'}({a}, {b})")

    def e_NotOp(self, e: ir.NotOp) -> str:
        return self.t(f"_cr.not_({self.emit(e.operand)})")

    def e_Cond(self, e: ir.Cond) -> str:
        c, a, b = self.emit(e.cond), self.emit(e.then), self.emit(e.else_)
        return self.t(f"_cr.where({c}, {a}, {b})")

    def e_Match(self, e: ir.Match) -> str:
        s = self.emit(e.subject)
        arms, default = [], None
        for members, v in e.arms:
            if not members:
                default = self.emit(v)
                break
            cond = self.t(f"_cr.is_member({s}, {self.enum_codes(e.subject.type, members)!r})")
            arms.append(f"({cond}, {self.emit(v)})")
        if default is None:  # exhaustive arms: the last one takes what is left
            last = arms.pop()
            default = last[last.index(", ") + 2:-1]
        if not arms:
            return self.t(f"_cr.with_errors({default}, {s})")
        return self.t(f"_cr.select([{', '.join(arms)}], {default})")

    def e_Branches(self, e: ir.Branches) -> str:
        arms, default = [], None
        for c, v in e.arms:
            if c is None:
                default = self.emit(v)
                break
            arms.append(f"({self.emit(c)}, {self.emit(v)})")
        assert default is not None, "場合 without それ以外"  # the checker requires it
        return self.t(f"_cr.select([{', '.join(arms)}], {default})")

    def e_Round(self, e: ir.Round) -> str:
        return self.t(f"_cr.round_({e.mode!r}, {self.emit(e.value)}, {int(e.unit)!r})")

    def e_MinMax(self, e: ir.MinMax) -> str:
        args = [self.emit(a) for a in e.args]
        return self.t(f"_cr.minmax({e.func!r}, {', '.join(args)})")

    def e_FyCall(self, e: ir.FyCall) -> str:
        return self.t(f"_cr.fiscal({e.func!r}, {self.emit(e.arg)}, {int(self.reg.fy_start)!r})")

    def e_Lookup(self, e: ir.Lookup) -> str:
        key = ("T", e.table)
        if key not in self.consts:
            rows = [r for r in e.rows if r.interval is not None]
            other = next((r for r in e.rows if r.interval is None), None)
            bounds = "".join(f"({_lit(r.interval.lo)}, {r.interval.lo_incl!r}, {_lit(r.interval.hi)}, "
                             f"{r.interval.hi_incl!r}), " for r in rows)
            vals = "".join("(" + "".join(_lit(v) + ", " for v in r.values) + "), " for r in rows)
            oth = "None" if other is None else "(" + "".join(_lit(v) + ", " for v in other.values) + ")"
            colmap = "None"
            if e.column is not None:
                names = [n for n, _ in self.reg.enums[e.column.type.name].values]
                colmap = repr(tuple(list(e.column_names).index(n) if n in e.column_names else -1 for n in names))
            self.const(key, f"_cr.Table({e.table!r}, ({bounds}), ({vals}), {oth}, {colmap})")
        k = self.emit(e.key)
        col = self.emit(e.column) if e.column is not None else "None"
        return self.t(f"_cr.lookup(c, {self.consts[key]}, {k}, {col})")

    def e_CatLookup(self, e: ir.CatLookup) -> str:
        table = self.reg.cat_tables[e.table]
        cells = "(" + "".join(_lit(v) + ", " for _, v in e.cells) + ")"
        cname = self.const(("CL", e.table, e.column), cells)
        k = self.emit(e.key)
        fb = self.emit(e.fallback) if e.fallback is not None else "None"
        return self.t(f"_cr.cat_lookup({cname}, {k}, {table.none_zero!r}, {fb})")

    # --- rules and entries ----------------------------------------------------
    def rule(self, name: str) -> list[str]:
        r = self.reg.rules[name]
        self.lines, self.tmp, self.seen = [], 0, {}
        self.env = {pn: f"_p{k}" for k, (pn, _) in enumerate(r.params)}
        out = self.emit(r.expr)
        fn = self.rule_fn[name]
        params = "".join(f", _p{k}" for k in range(len(r.params)))
        if r.params:
            return [f"def {fn}(c{params}):", *self.lines, f"    return {out}", ""]
        return [f"def {fn}(c):",
                f"    _v = c.memo.get({name!r})",
                "    if _v is not None:",
                "        return _v",
                *self.lines,
                f"    c.memo[{name!r}] = {out}",
                f"    return {out}", ""]

    def input_call(self, n: str, inp: ir.InputIR, t, minimum, exclusive, default, needed: str, always: bool) -> str:
        extra = f", {needed}, {always!r}" if needed != "None" else ""
        label = inp.label if inp is not None else n
        if isinstance(t, QType):
            unit = inp.unit_text if inp is not None else ""
            fn = "count" if t.integral else "rate"
            return f"c.{fn}({n!r}, {label!r}, {unit!r}, {_lit(minimum)}, {exclusive!r}, {default}{extra})"
        if isinstance(t, BoolType):
            return f"c.boolean({n!r}, {label!r}, {default}{extra})"
        if isinstance(t, EnumType):
            values = self.const(("EV", t.name), repr(tuple((str(a), str(b)) for a, b in self.reg.enums[t.name].values)))
            members = "None" if t.members is None else repr(self.enum_codes(t, sorted(t.members)))
            return f"c.enum({n!r}, {label!r}, {values}, {members}, {default}{extra})"
        if isinstance(t, DateType):
            return f"c.date({n!r}, {label!r}, {default}{extra})"
        raise TypeError(f"no column input of type {t}")  # pragma: no cover

    def default(self, inp: ir.InputIR) -> str:
        if not inp.has_default:
            return "_R"
        v = inp.default
        if isinstance(inp.type, EnumType):
            return repr(str.__str__(v) if isinstance(v, str) else str(v))
        return _lit(v)

    def decided_order(self, r: ir.RuleIR) -> list[str]:
        """Inputs in the order the scalar entry checks them: the conditional
        ones last, each after the inputs its condition reads."""
        later = _needed.check_order([n for n in r.inputs if self.reg.inputs[n].needed is not None
                                     and n not in r.always], self.reg.inputs)
        return [n for n in r.inputs if n not in later] + later

    def entry(self, k: int, name: str) -> list[str]:
        r = self.reg.rules[name]
        allowed = tuple(pn for pn, _ in r.params) + tuple(r.inputs)
        fn = f"_A{k}"
        head = [f"def {fn}(*_args, _rows=None, _errors='raise', **_kw):",
                f"    {(r.label + ' [columns]')!r}",
                f"    if _args: raise _cr.FeeInputError({(name + ': 位置引数は使えません / positional arguments are not accepted')!r}, '(位置引数)')",
                f"    c = _cr.Call({name!r}, _kw, {allowed!r}, _rows, _cr.collect_mode(_errors))"]
        if name in self.row_only:
            return head + [f"    return _cr.per_row(c, _scalar[{name!r}], {allowed!r})", ""]
        self.lines, self.tmp, self.seen = [], 0, {}
        self.env = {}
        pnames = []
        for j, (pn, pt) in enumerate(r.params):
            pin = r.param_inputs[j] if j < len(r.param_inputs) else None
            minimum = pin.minimum if pin is not None else None
            exclusive = pin is not None and pin.min_exclusive
            self.lines.append("    " + self.input_call(pn, pin, pt, minimum, exclusive, "_R", "None", False))
            self.env[pn] = self.t(f"c.inp[{pn!r}]")
            pnames.append(self.env[pn])
        for n in self.decided_order(r):
            inp = self.reg.inputs[n]
            needed = "None"
            if inp.needed is not None and not inp.has_default and n not in r.always:
                needed = self.emit(inp.needed)
            self.lines.append("    " + self.input_call(n, inp, inp.type, inp.minimum, inp.min_exclusive,
                                                      self.default(inp), needed, n in r.always))
        for rel in self.reg.relations:
            if rel.inputs and set(rel.inputs) <= set(r.inputs):  # as the scalar entry decides
                ordered = tuple(rel.inputs)
                cond = self.emit(rel.expr)
                self.lines.append(f"    c.relation({cond}, {rel.text!r}, {ordered!r}, c.present({ordered!r}))")
        if self.reads_many(name):
            # a long chain of rules: computed from the bottom up, each call finds the
            # rules below it in the memo, so no chain is deeper than Python's stack
            self.lines.append(f"    _cr.bottom_up(c, {self.rule_fn[name]}, _DEPS)")
            self.deep = True
        out = self.t(f"{self.rule_fn[name]}(c{''.join(', ' + p for p in pnames)})")
        names = ""
        if isinstance(r.type, EnumType):
            names = ", " + self.const(("EV", r.type.name), repr(tuple((str(a), str(b)) for a, b in self.reg.enums[r.type.name].values)))
        return head + self.lines + [f"    return c.finish({out}{names})", ""]

    def direct_deps(self, name: str) -> list[str]:
        """The parameterless rules ``name`` reads, directly or through rules with parameters."""
        if name in self.direct:
            return self.direct[name]
        out, seen = [], {name}
        self.direct[name] = out
        walk = [self.reg.rules[name].expr]
        while walk:
            e = walk.pop()
            if isinstance(e, ir.RuleRef) and e.name not in seen:
                seen.add(e.name)
                if self.reg.rules[e.name].params:
                    walk.append(self.reg.rules[e.name].expr)
                else:
                    out.append(e.name)
            walk.extend(children(e))
        return out

    def reads_many(self, name: str) -> bool:
        """Whether ``name`` reads more than DEEP_CHAIN parameterless rules (stops counting there)."""
        done, stack = set(), [name]
        while stack and len(done) <= DEEP_CHAIN:
            n = stack.pop()
            for d in self.direct_deps(n):
                if d not in done:
                    done.add(d)
                    stack.append(d)
        return len(done) > DEEP_CHAIN

    def deps_table(self) -> list[str]:
        if not self.deep:
            return []
        lines = ["_DEPS = {"]
        for name in self.reg.rules:
            if name not in self.row_only and not self.reg.rules[name].params:
                deps = [d for d in self.direct_deps(name) if d not in self.row_only]
                if deps:
                    lines.append(f"    {self.rule_fn[name]}: ({''.join(self.rule_fn[d] + ', ' for d in deps)}),")
        return lines + ["}"]

    def module(self) -> str:
        reg = self.reg
        body: list[str] = []
        for name in reg.rules:
            if name not in self.row_only:
                body += self.rule(name)
        entries = []
        for k, name in enumerate(reg.rules):
            body += self.entry(k, name)
            entries.append(f"    {name!r}: _A{k},")
        src = [f"# Columnar entries of {reg.name!r}, generated by feedsl -- do not edit.",
               "from datetime import date as _dt",
               "from fractions import Fraction as _F",
               "from feedsl import columnar as _cr",
               "from feedsl.runtime import REQUIRED as _R",
               "",
               *self.head,
               "",
               *body,
               *self.deps_table(),
               "_ENTRIES = {",
               *entries,
               "}",
               ""]
        return "\n".join(src)


def generate(reg: ir.RegulationIR) -> str:
    """The source of the ``columns`` module of a checked regulation (compiled
    here once, so a generator bug can never reach a cache or a file)."""
    src = _Gen(reg).module()
    compile(src, f"<feedsl columns:{reg.name}>", "exec")
    return src


def embedding(reg: ir.RegulationIR) -> str:
    """What the scalar module gets: the columnar source as a constant and a
    module ``__getattr__`` that builds ``columns`` on first access."""
    src = generate(reg)
    return ("\n\n_COLUMNS_SOURCE = " + repr(src) + "\n\n"
            "def __getattr__(_name):\n"
            "    if _name == 'columns':\n"
            "        return _rt_columns_module(_bi_globals(), _COLUMNS_SOURCE)\n"
            "    raise AttributeError(f'module {__name__!r} has no attribute {_name!r}')\n")
