"""IR → a plain Python module of pure functions.

Safety: text from a ``.fee`` file reaches the generated source only through
``repr()`` of a str or int; every name is an author identifier used where
users see it (entries, their keyword inputs, record fields, enum members) or
minted in :mod:`feedsl.codegen.names`. Generated code refers to everything
module-level — other rules, classes, builtins, constants — through minted
names only, so no author name can shadow what it means.

Size: every rule's body is written once, in its entry or in a step function
(``_S<n>_<rule>``) when other rules call it; a small parameterless rule
(at most ``INLINE_MAX`` IR nodes) is inlined where it is used. So a module
grows linearly with its file, not with the square of its rule count.

Depth: small expressions (``PURE_MAX`` nodes) are written as one Python
expression; larger ones as statements with temporaries, conditionals as
blocks whose nesting :class:`~feedsl.codegen.writer.Body` keeps flat. A
sum of 1,000 terms or 500 nested もし compile to flat code.
"""

from __future__ import annotations

import datetime
from fractions import Fraction

from .. import __version__, ir
from ..brackets import _Int
from ..ir import BoolType, DateType, EnumType, ListType, QType, RecordType, children
from .. import needed as _needed
from . import columnar, explain, names
from .writer import Body, SourceWriter

RUNTIME = [
    "FeeEnum", "REQUIRED", "InputInfo", "round_half_up", "round_down", "round_up", "divide",
    "bad_count", "bad_bool", "bad_rate", "enum_arg", "date_arg", "relation_failed", "entry",
    "fy_month", "months_to_fy_end", "months_to_fy_end_including", "FeeInputError", "bad_call", "FeeRecord",
    "sum_over", "count_over", "record_arg", "list_arg", "no_row", "lookup_rows",
    "enum_excluded", "deep_call", "needed_missing", "columns_module", "versioned",
]
BUILTINS = ["bool", "int", "max", "min", "str", "len", "enumerate", "sum", "globals"]

rt = names.runtime
bi = names.builtin
_MONTH_COUNTS = explain.MONTH_COUNTS

# A parameterless rule of at most this many IR nodes is inlined where used.
INLINE_MAX = 24
# An expression of at most this many nodes (inlined rules counted) is one Python expression.
PURE_MAX = 40
# A table of at most this many rows is a chain of comparisons; longer ones bisect.
CHAIN_ROWS = 6
# Entries whose rules call each other deeper than this run through runtime.deep_call.
CALL_DEPTH_SAFE = 120


def _is_simple(code: str) -> bool:
    return code.isidentifier() or code.replace(".", "").replace("_", "a").isalnum()


class _Gen:
    def __init__(self, reg: ir.RegulationIR):
        self.reg = reg
        self.w = SourceWriter()
        self.namer = names.Namer(set(reg.rules))
        self.enum_class = {n: self.namer.public_class(n) for n in reg.enums}
        self.record_class = {n: self.namer.public_class(n) for n in reg.records}
        self.const_lines: list[str] = []
        self.table_lines: list[str] = []
        self.sizes: dict[int, int] = {}
        self.rule_sizes: dict[str, int] = {}
        self.body: Body | None = None
        self.pure = False
        self.lazy = 0  # inside a part of a one-expression value that only some paths evaluate
        self.locals: dict[str, str] = {}  # parameter / loop variable → local name
        self.known: list[dict[str, str]] = [{}]  # rule → local holding its value, per block
        self.called = self.step_rules()
        self.depths: dict[str, int] = {}

    # --- names --------------------------------------------------------------
    def cls(self, kind: str, name: str) -> str:
        """The minted alias of a public enum (``E``) or record (``R``) class."""
        return self.namer.mint("C", (kind, name), name)

    def member(self, enum: str, m: str) -> str:
        """A module constant bound to the enum member (a global load is the fastest test)."""
        return self.namer.mint("E", (enum, m), f"{enum}_{m}")

    def enum_table(self, enum: str) -> str:
        return self.namer.mint("T", enum, enum)

    def info(self, *key) -> str:
        """The InputInfo constant of an input, a record field or a rule's parameter."""
        return self.namer.mint("I", key, "_".join(key[1:]))

    def step(self, rule: str) -> str:
        return self.namer.mint("S", rule, rule)

    def entry_alias(self, rule: str) -> str:
        return self.namer.mint("A", rule, rule)

    def value(self, v) -> str:
        """A Python literal for a constant: ints and strs via repr, Fractions and dates as constants."""
        if isinstance(v, bool):
            return repr(v)
        if isinstance(v, Fraction):
            return repr(int(v)) if v.denominator == 1 else self.fraction(v)
        if isinstance(v, int):
            return repr(v)
        if isinstance(v, datetime.date):
            key = ("D", v.toordinal())
            if not self.namer.has("K", key):
                name = self.namer.mint("K", key)
                self.const_lines.append(f"{name} = {bi('date')}({v.year!r}, {v.month!r}, {v.day!r})")
            return self.namer.mint("K", key)
        raise TypeError(f"no literal for {v!r}")  # pragma: no cover

    # --- analysis -----------------------------------------------------------
    def size(self, e) -> int:
        """IR nodes of ``e``, counting inlined rules' bodies where they are used."""
        k = id(e)
        s = self.sizes.get(k)
        if s is None:
            s = 1 + sum(self.size(c) for c in children(e))
            if isinstance(e, ir.RuleRef) and self.inlined(e.name):
                s += self.rule_size(e.name)
            self.sizes[k] = s
        return s

    def rule_size(self, name: str) -> int:
        s = self.rule_sizes.get(name)
        if s is None:
            s = self.rule_sizes[name] = self.size(self.reg.rules[name].expr)
        return s

    def repeats_call(self, e) -> bool:
        """Whether a rule that is called (not inlined) occurs twice in ``e``: then
        ``e`` is written as statements, so each path computes it once."""
        seen: set[str] = set()
        stack = [e]
        while stack:
            x = stack.pop()
            if isinstance(x, ir.RuleRef):
                if self.reg.rules[x.name].params or not self.inlined(x.name):
                    if x.name in seen:
                        return True
                    seen.add(x.name)
                else:
                    stack.append(self.reg.rules[x.name].expr)
            stack.extend(children(x))
        return False

    def inlined(self, name: str) -> bool:
        r = self.reg.rules[name]
        return not r.params and self.rule_size(name) <= INLINE_MAX

    def step_rules(self) -> set[str]:
        """Rules other code calls (not inlined): they get a step function."""
        called: set[str] = set()
        for expr in [r.expr for r in self.reg.rules.values()] + [rel.expr for rel in self.reg.relations]:
            stack = [expr]
            while stack:
                e = stack.pop()
                if isinstance(e, ir.RuleRef) and (self.reg.rules[e.name].params or not self.inlined(e.name)):
                    called.add(e.name)
                stack.extend(children(e))
        return called

    def call_depth(self, name: str, inline: bool = True) -> int:
        """How deep generated functions call each other when ``name`` is
        computed: step functions (``inline``), or explain's one function per rule."""
        d = self.depths.get((name, inline))
        if d is None:
            deepest = 0
            stack = [self.reg.rules[name].expr]
            while stack:
                e = stack.pop()
                if isinstance(e, ir.RuleRef):
                    if not inline or self.reg.rules[e.name].params or not self.inlined(e.name):
                        deepest = max(deepest, 1 + self.call_depth(e.name, inline))
                    else:
                        stack.append(self.reg.rules[e.name].expr)
                stack.extend(children(e))
            d = self.depths[(name, inline)] = deepest
        return d

    def deep(self, name: str, fn: str, args: list[str], inline: bool = True) -> str:
        """A call of ``fn``, through runtime.deep_call when the rules it computes
        call each other more deeply than Python's default stack allows."""
        depth = self.call_depth(name, inline)
        if depth <= CALL_DEPTH_SAFE:
            return f"{fn}({', '.join(args)})"
        return f"{rt('deep_call')}({depth + 1!r}, {fn}, {', '.join(args)})"

    # --- module -------------------------------------------------------------
    def module(self) -> str:
        reg = self.reg
        w = self.w
        w.line(f"# Generated from {reg.path!r} by feedsl {__version__} -- do not edit.")
        w.line("# Edit the .fee file and compile again.")
        w.line(repr(f"{reg.label}\n\nGenerated by feedsl from {reg.path}. Do not edit."))
        w.line()
        w.line("from __future__ import annotations")
        w.line()
        w.line(f"from bisect import bisect_left as {bi('bisect_left')}")
        w.line("from builtins import (")
        for n in BUILTINS:
            w.line(f"    {n} as {bi(n)},")
        w.line(")")
        w.line(f"from datetime import date as {bi('date')}")
        w.line(f"from fractions import Fraction as {bi('Fraction')}")
        w.line()
        w.line("from feedsl.runtime import (")
        for n in RUNTIME:
            w.line(f"    {n} as {rt(n)},")
        w.line(")")
        w.line("from feedsl.explanation import (")
        for n in explain.RUNTIME:
            w.line(f"    {n} as {names.explain_helper(n)},")
        w.line(")")
        w.line()
        public = list(reg.rules) + list(self.enum_class.values()) + list(self.record_class.values()) + ["explain"]
        w.line(f"__all__ = {sorted(public)!r}")
        w.line()
        w.line(f"REGULATION = {reg.name!r}")
        w.line(f"TITLE = {reg.label!r}")
        w.line(f"FISCAL_YEAR_START = {reg.fy_start!r}")
        w.line(f"ENTRIES = {tuple(reg.rules)!r}")
        w.blank()
        for en in reg.enums.values():
            self.enum(en)
        body = SourceWriter()
        saved, self.w = self.w, body
        for rec in reg.records.values():
            self.record(rec)
        for name, inp in reg.inputs.items():
            self.w.line(f"{self.info('input', name)} = {self.input_info(name, inp)}")
        self.w.blank()
        for name, rule in reg.rules.items():
            if name in self.called or rule.params or self.call_depth(name) > CALL_DEPTH_SAFE:
                self.step_fn(rule)
        for rule in reg.rules.values():
            self.entry(rule)
        # The explain path: separate functions, never called by the ones above.
        explain.ExplainGen(self).module()
        self.w = saved
        for line in self.const_lines + self.table_lines:
            w.line(line)
        if self.const_lines or self.table_lines:
            w.blank()
        base = len(w.lines)
        w.lines.extend(body.lines)
        for k, v in body.origins.items():
            w.origins[base + k] = v
        return w.text()

    @staticmethod
    def input_info(name: str, inp) -> str:
        unit = inp.unit_text if inp.unit_text != "無単位" else ""
        minimum = int(inp.minimum) if inp.minimum is not None else 0
        return f"{rt('InputInfo')}({name!r}, {inp.label!r}, {unit!r}, {minimum!r})"

    def enum(self, en: ir.EnumIR):
        w = self.w
        public = self.enum_class[en.name]
        cls = self.cls("E", en.name)
        w.line(f"class {public}({rt('FeeEnum')}):", en.span.line if en.span else None)
        w.indent()
        w.line(repr(en.label))
        w.line()
        for n, _ in en.values:
            w.line(f"{n} = {n!r}")
        w.outdent()
        w.blank()
        w.line(f"{cls} = {public}")
        w.line(f"{cls}._labels = {dict(en.values)!r}")
        for n, _ in en.values:
            w.line(f"{self.member(en.name, n)} = {cls}({n!r})")
        # Members are str subclasses, so this one dict maps a member or its value to the member.
        w.line(f"{self.enum_table(en.name)} = {{{', '.join(f'{n!r}: {self.member(en.name, n)}' for n, _ in en.values)}}}")
        w.blank()

    # --- records ------------------------------------------------------------
    def record(self, rec: ir.RecordIR):
        w = self.w
        public = self.record_class[rec.name]
        cls = self.cls("R", rec.name)
        fields = [f.name for f in rec.fields]
        for f in rec.fields:
            w.line(f"{self.info('field', rec.name, f.name)} = {self.input_info(f.name, f)}")
        w.blank()
        w.line(f"class {public}({rt('FeeRecord')}):", rec.span.line if rec.span else None)
        w.indent()
        w.line(repr(f"{rec.label}: " + "、".join(f"{f.name}（{f.label}）" for f in rec.fields)))
        w.line()
        w.line(f"__slots__ = {tuple(fields)!r}")
        w.line(f"_label = {rec.label!r}")
        w.line()
        params = ", ".join(f"{f.name}={self.default_code(f)}" for f in rec.fields)
        this = "_s"  # never an author name: those do not start with _
        w.line(f"def __init__({this}, *, {params}):" if params else f"def __init__({this}):")
        w.indent()
        body = Body(0)
        table = {f.name: f for f in rec.fields}
        later = _needed.check_order([f.name for f in rec.fields if f.needed is not None], table, ir.ParamRef)
        for f in [f for f in rec.fields if f.needed is None] + [table[n] for n in later]:
            info = self.info("field", rec.name, f.name)
            if f.needed is None:
                self.validate(body, f.name, f.type, info, f.minimum, f.min_exclusive)
            else:
                # Needed only when its condition (over the other fields) holds;
                # an omitted one is kept as None, which no rule reads.
                self.needed_check(body, f, info, {g.name: g.name for g in rec.fields})
                body.stmt(f"if {f.name} is {rt('REQUIRED')}: {f.name} = None")
            body.stmt(f"{rt('FeeRecord')}._set({this}, {f.name!r}, {f.name})")
        if not rec.fields:
            body.stmt("pass")
        w.body(body)
        w.outdent()
        w.outdent()
        w.blank()
        w.line(f"{cls} = {public}")
        w.blank()

    def default_code(self, inp) -> str:
        if not inp.has_default:
            return rt("REQUIRED")
        v = inp.default
        if isinstance(inp.type, EnumType):
            return self.member(inp.type.name, v)
        return self.value(v)

    # --- validation ---------------------------------------------------------
    def validate(self, b: Body, name: str, t, info: str, minimum, exclusive: bool = False) -> None:
        if isinstance(t, QType):
            if t.integral:
                lo = int(minimum) if minimum is not None else 0
                b.stmt(f"if {name}.__class__ is not {bi('int')} or {name} < {lo!r}: "
                       f"{name} = {rt('bad_count')}({name}, {info})")
            else:
                low = self.value(Fraction(minimum or 0))
                below = f"{name} <= {low}" if exclusive else f"{name} < {low}"
                b.stmt(f"if {name}.__class__ is not {bi('Fraction')} or {below}: "
                       f"{name} = {rt('bad_rate')}({name}, {info}, {low}, {exclusive!r})")
        elif isinstance(t, BoolType):
            b.stmt(f"if {name}.__class__ is not {bi('bool')}: {rt('bad_bool')}({name}, {info})")
        elif isinstance(t, EnumType):
            cls = self.cls("E", t.name)
            table = self.enum_table(t.name)
            b.stmt(f"if {name}.__class__ is not {cls}: {name} = {table}[{name}] if {name}.__class__ is "
                   f"{bi('str')} and {name} in {table} else {rt('enum_arg')}({cls}, {name}, {info})")
            if t.members is not None:
                # A parameter that selects a table's columns takes only those values.
                allowed = [m for m, _ in self.reg.enums[t.name].values if m in t.members]
                members = ", ".join(self.member(t.name, m) for m in allowed)
                b.stmt(f"if {name} not in ({members},): {rt('enum_excluded')}({name}, ({members},), {info})")
        elif isinstance(t, DateType):
            b.stmt(f"{name} = {rt('date_arg')}({name}, {info})")
        elif isinstance(t, RecordType):
            cls = self.cls("R", t.name)
            b.stmt(f"if {name}.__class__ is not {cls}: {name} = {rt('record_arg')}({cls}, {name}, {info})")
        elif isinstance(t, ListType) and isinstance(t.element, RecordType):
            b.stmt(f"{name} = {rt('list_arg')}({self.cls('R', t.element.name)}, {name}, {info})")
        else:  # pragma: no cover - the checker rejects other input types
            raise TypeError(f"cannot validate {t}")

    def annotation(self, t) -> str:
        if isinstance(t, QType):
            return "int" if t.integral else "Fraction"
        if isinstance(t, BoolType):
            return "bool"
        if isinstance(t, EnumType):
            return f"{self.enum_class[t.name]} | str"
        if isinstance(t, DateType):
            return "date | str"
        if isinstance(t, RecordType):
            return f"{self.record_class[t.name]} | dict"
        if isinstance(t, ListType):
            return f"list[{self.annotation(t.element)}]"
        return "object"

    # --- rules --------------------------------------------------------------
    def docstring(self, rule: ir.RuleIR) -> str:
        head = rule.label + (f" [{rule.clause}]" if rule.clause else "")
        lines = [head, ""]
        for k, (pn, pt) in enumerate(rule.params):
            pin = rule.param_inputs[k] if k < len(rule.param_inputs) else None
            if pin is not None and pin.label != pn:
                extra = f"（{pin.description}）" if pin.description else ""
                lines.append(f"{pn}: {pin.label} [{pt}]{extra}")
            else:
                lines.append(f"{pn}: {pt}")
        for n in rule.inputs:
            inp = self.reg.inputs[n]
            extra = f"（{inp.description}）" if inp.description else ""
            if n not in rule.always:
                extra += _needed.only_text(inp)
            lines.append(f"{n}: {inp.label} [{inp.type}]{extra}")
        for kind, text in rule.notes:
            lines.append(f"{kind}: {text}")
        return repr("\n".join(lines).rstrip() + "\n")

    def signature(self, rule: ir.RuleIR) -> tuple[str, list[str]]:
        """An entry's keyword-only parameters (with defaults) and the required ones."""
        params = []
        required = []
        for pn, pt in rule.params:
            params.append(f"{pn}: {self.annotation(pt)} = {rt('REQUIRED')}")
            required.append(pn)
        for n in rule.inputs:
            inp = self.reg.inputs[n]
            params.append(f"{n}: {self.annotation(inp.type)} = {self.default_code(inp)}")
            if not inp.has_default:
                required.append(n)
        return ", ".join(params), required

    @staticmethod
    def full_signature(sig: str) -> str:
        """*_args / **_extra catch positional and unknown inputs so that every bad
        call is a FeeInputError; the signature shown to users omits them."""
        return ", ".join(["*_args"] + ([sig] if sig else []) + ["**_extra"])

    def checks(self, b: Body, rule: ir.RuleIR) -> None:
        """Stray arguments, every input's validation and the 前提 (the entry's and explain's)."""
        allowed = tuple(pn for pn, _ in rule.params) + tuple(rule.inputs)
        b.stmt(f"if _args or _extra: {rt('bad_call')}({rule.name!r}, _args, _extra, {allowed!r})")
        for k, (pn, pt) in enumerate(rule.params):
            pin = rule.param_inputs[k] if k < len(rule.param_inputs) else None
            self.validate(b, pn, pt, self.param_info(rule, pn, pt), pin.minimum if pin else None,
                          pin.min_exclusive if pin else False)
        inputs = self.reg.inputs
        later = _needed.check_order([n for n in rule.inputs if inputs[n].needed is not None
                                     and n not in rule.always], inputs)
        for n in [n for n in rule.inputs if n not in later] + later:
            inp = inputs[n]
            if n in later:
                # 必要: required where its condition holds (see feedsl.needed).
                self.needed_check(b, inp, self.info("input", n), {})
            else:
                self.validate(b, n, inp.type, self.info("input", n), inp.minimum, inp.min_exclusive)
        self.relations(b, rule.inputs)

    def needed_check(self, b: Body, inp, info: str, local_names: dict) -> None:
        """A conditional input or field: missing → an error when its condition
        holds; given → validated (and then unused where it is not needed)."""
        b.open_if(f"{inp.name} is {rt('REQUIRED')}")
        cond = self.in_body(b, local_names, lambda: self.emit(inp.needed))
        b.stmt(f"if {cond}: {rt('needed_missing')}({info}, {_needed.when(inp.needed_words)!r})")
        b.else_()
        self.validate(b, inp.name, inp.type, info, inp.minimum, inp.min_exclusive)
        b.close()

    def relations(self, b: Body, inputs):
        have = set(inputs)
        for rel in self.reg.relations:
            if rel.inputs and set(rel.inputs) <= have:
                # A 前提 on conditional inputs is checked when they are all given.
                given = [n for n in rel.inputs if self.reg.inputs[n].needed is not None]
                if given:
                    b.open_if(" and ".join(f"{n} is not {rt('REQUIRED')}" for n in given))
                cond = self.in_body(b, {}, lambda: self.emit(rel.expr))
                infos = ", ".join(self.info("input", n) for n in rel.inputs) + ","
                values = ", ".join(f"{n!r}: {n}" for n in rel.inputs)
                label = rel.label or "入力の前提に反します"
                b.open_if(f"not {cond}")
                b.stmt(f"{rt('relation_failed')}({label!r}, {rel.text!r}, {{{values}}}, ({infos}))")
                b.close()
                if given:
                    b.close()

    def in_body(self, b: Body, local_names: dict, fn):
        """Run ``fn`` emitting into ``b`` with the given parameters in scope."""
        saved = self.body, self.locals, self.known, self.pure, self.lazy
        self.body, self.locals, self.known, self.pure, self.lazy = b, local_names, [{}], False, 0
        try:
            return fn()
        finally:
            self.body, self.locals, self.known, self.pure, self.lazy = saved

    def entry(self, rule: ir.RuleIR):
        w = self.w
        sig, required = self.signature(rule)
        ret = self.annotation(rule.type)
        w.line(f"def {rule.name}({self.full_signature(sig)}) -> {ret}:", rule.span.line if rule.span else None)
        w.indent()
        w.line(self.docstring(rule))
        w.outdent()
        b = Body(1)
        self.checks(b, rule)
        args = [pn for pn, _ in rule.params] + list(rule.inputs)
        if rule.name in self.called or rule.params or self.call_depth(rule.name) > CALL_DEPTH_SAFE:
            code = self.deep(rule.name, self.step(rule.name), args)
        else:
            code = self.in_body(b, {}, lambda: self.emit(rule.expr))
        b.stmt(f"return {code}")
        w.body(b)
        w.blank()
        w.line(f"{rt('entry')}({rule.name}, {tuple(required)!r})")
        w.line(f"{self.entry_alias(rule.name)} = {rule.name}")
        w.blank()

    def param_info(self, rule, pn, pt) -> str:
        key = ("param", rule.name, pn)
        if not self.namer.has("I", key):
            pin = next((p for p in rule.param_inputs if p.name == pn), None)
            label = pin.label if pin is not None and pin.label != pn else pn
            unit, minimum = "", 0
            if pin is not None:
                unit = pin.unit_text if pin.unit_text != "無単位" else ""
                minimum = int(pin.minimum) if pin.minimum is not None else 0
            if label == pn and isinstance(pt, RecordType):
                label = self.reg.records[pt.name].label
            elif label == pn and isinstance(pt, ListType) and isinstance(pt.element, RecordType):
                label = self.reg.records[pt.element.name].label + "の一覧"
            self.const_lines.append(f"{self.info(*key)} = {rt('InputInfo')}({pn!r}, {label!r}, {unit!r}, {minimum!r})")
        return self.info(*key)

    def step_fn(self, rule: ir.RuleIR):
        """``_S<n>_<rule>(<parameters>, <inputs>)``: the rule's value, inputs already validated."""
        w = self.w
        b = Body(1)
        params = {pn: b.fresh("p") for pn, _ in rule.params}
        args = list(params.values()) + list(rule.inputs)
        w.line(f"def {self.step(rule.name)}({', '.join(args)}):", rule.span.line if rule.span else None)
        code = self.in_body(b, params, lambda: self.emit(rule.expr))
        b.stmt(f"return {code}")
        w.body(b)
        w.blank()

    # --- expressions --------------------------------------------------------
    def emit(self, e) -> str:
        """Code for ``e``'s value: one expression when small, else statements into the body."""
        if self.pure or (self.size(e) <= PURE_MAX and not self.repeats_call(e)):
            saved, self.pure = self.pure, True
            try:
                code = self.x(e)
            finally:
                self.pure = saved
            # Among statements, a value that binds a local (:=) is computed now,
            # before any later statement can read that local.
            return self.spill(code) if not saved and ":=" in code else code
        code = self.x(e)
        return code if _is_simple(code) else self.spill(code)

    def x(self, e) -> str:
        meth = getattr(self, "x_" + type(e).__name__, None)
        if meth is None:
            raise TypeError(f"no generator for {type(e).__name__}")  # fail loudly
        return meth(e)

    def spill(self, code: str) -> str:
        t = self.body.fresh("t")
        self.body.stmt(f"{t} = {code}")
        return t

    def bind(self, code: str) -> tuple[str, str]:
        """(first use, later uses) of a value that must be computed once."""
        if _is_simple(code):
            return code, code
        if not self.pure:
            t = self.spill(code)
            return t, t
        t = self.body.fresh("t")
        return f"({t} := {code})", t

    # Blocks keep track of which rule values their statements computed.
    def open_if(self, cond: str) -> None:
        self.body.open_if(cond)
        self.known.append({})

    def else_(self) -> None:
        self.body.else_()
        self.known[-1] = {}

    def close(self) -> None:
        self.body.close()
        self.known.pop()

    def x_Const(self, e: ir.Const) -> str:
        if isinstance(e.type, EnumType):
            return self.member(e.type.name, e.value)
        if isinstance(e.type, QType) and not e.type.integral and isinstance(e.value, Fraction):
            return self.fraction(e.value)  # a rate is always a Fraction, 100% too
        return self.value(e.value)

    def fraction(self, v: Fraction) -> str:
        key = ("F", v.numerator, v.denominator)
        if not self.namer.has("K", key):
            self.const_lines.append(f"{self.namer.mint('K', key)} = {bi('Fraction')}({v.numerator!r}, {v.denominator!r})")
        return self.namer.mint("K", key)

    def x_InputRef(self, e):
        return e.name

    def x_ParamRef(self, e):
        return self.locals[e.name]

    def x_RuleRef(self, e: ir.RuleRef):
        r = self.reg.rules[e.name]
        if r.params:
            args = [self.arg(r, k, a) for k, a in enumerate(e.args)]
            key = (e.name, *args) if all(_is_simple(a) for a in args) else None
            return self.called_value(key, f"{self.step(e.name)}({', '.join(args + list(r.inputs))})")
        if self.inlined(e.name):
            # Capture-free: a parameterless rule reads only inputs (author
            # names) and rules, and every local the generator binds is minted.
            saved, self.locals = self.locals, {}
            try:
                return self.emit(r.expr)
            finally:
                self.locals = saved
        return self.called_value((e.name,), f"{self.step(e.name)}({', '.join(r.inputs)})")

    def called_value(self, key, call: str) -> str:
        """A rule's value computed by calling its step function, once per path:
        the first call whose evaluation is certain binds a local that later
        uses in the same block (or blocks inside it) read. Without this, a
        chain of rules each using the one before twice calls 2**n functions."""
        if key is None:
            return call
        for scope in reversed(self.known):
            if key in scope:
                return scope[key]
        if self.pure and self.lazy:
            return call  # evaluated only on some paths: nothing later may rely on it
        v = self.body.fresh("v")
        if self.pure:
            self.known[-1][key] = v
            return f"({v} := {call})"
        self.body.stmt(f"{v} = {call}")
        self.known[-1][key] = v
        return v

    def lazily(self, fn):
        """Generate code that runs only on some paths (a branch, the right of
        かつ/または, a 合計 body) within one expression."""
        self.lazy += 1
        try:
            return fn()
        finally:
            self.lazy -= 1

    def arg(self, callee: ir.RuleIR, k: int, a) -> str:
        """An argument of a call; checked at run time when the checker cannot
        prove it lies in the parameter's domain (``範囲 1人以上``)."""
        code = self.emit(a)
        pin = callee.param_inputs[k] if k < len(callee.param_inputs) else None
        if pin is None or not isinstance(pin.type, QType):
            return code
        minimum = pin.minimum or 0  # a count or rate is never negative, 範囲 or not
        lo = a.type.lo if isinstance(a.type, QType) else None
        if lo is not None and lo >= minimum:
            return code
        first, again = self.bind(code)
        info = self.param_info(callee, pin.name, pin.type)
        if not pin.type.integral:
            # A rate argument below the parameter's 範囲 (1%以上) is the caller's input error too.
            low = self.value(Fraction(minimum))
            return f"({again} if {first} >= {low} else {rt('bad_rate')}({again}, {info}, {low}))"
        return f"({again} if {first} >= {int(minimum)!r} else {rt('bad_count')}({again}, {info}))"

    _PY_OPS = {"+": "+", "-": "-", "×": "*", "≤": "<=", "≥": ">=", "<": "<", ">": ">", "=": "==", "≠": "!="}

    def divisor_inputs(self, e) -> list[str]:
        """The inputs a divisor is made of (through parameterless rules), for the error message."""
        found: list[str] = []
        stack = [e]
        while stack:
            x = stack.pop()
            if isinstance(x, ir.InputRef) and x.name not in found:
                found.append(x.name)
            elif isinstance(x, ir.RuleRef) and not x.args and x.name in self.reg.rules:
                stack.append(self.reg.rules[x.name].expr)
            stack.extend(reversed(children(x)))
        return found

    def divisor(self, e) -> tuple[str, list]:
        """The divisor in an error message (its inputs, or 割る数) and the inputs it is made of."""
        ins = [self.reg.inputs[n] for n in self.divisor_inputs(e)]
        what = "、".join(f"{i.name}（{i.label}）" for i in ins) or "割る数"
        if len(ins) > 1:
            what = f"割る数（{', '.join(i.name for i in ins)} から計算）"
        return what, ins

    def x_Arith(self, e: ir.Arith):
        a, b = self.emit(e.left), self.emit(e.right)
        if e.op == "÷":
            # A zero divisor is the caller's input error: name the inputs it is made of.
            what, ins = self.divisor(e.right)
            infos = "".join(f"{self.info('input', i.name)}, " for i in ins)
            return f"{rt('divide')}({a}, {b}, {what!r}, ({infos}))"
        return f"({a} {self._PY_OPS[e.op]} {b})"

    def x_Cmp(self, e: ir.Cmp):
        return f"({self.emit(e.left)} {self._PY_OPS[e.op]} {self.emit(e.right)})"

    def x_EnumIs(self, e: ir.EnumIs):
        if not e.members:
            s = self.emit(e.subject)
            return "False" if _is_simple(s) else f"({s}, False)[1]"
        first, again = self.bind(self.emit(e.subject))
        tests = [f"{first if k == 0 else again} is {self.member(e.subject.type.name, m)}"
                 for k, m in enumerate(e.members)]
        return "(" + " or ".join(tests) + ")"

    def x_BoolOp(self, e: ir.BoolOp):
        if self.pure:
            left = self.emit(e.left)
            return f"({left} {e.op} {self.lazily(lambda: self.emit(e.right))})"
        t = self.spill(self.emit(e.left))
        self.open_if(t if e.op == "and" else f"not {t}")
        self.body.stmt(f"{t} = {self.emit(e.right)}")
        self.close()
        return t

    def x_NotOp(self, e: ir.NotOp):
        return f"(not {self.emit(e.operand)})"

    def x_Cond(self, e: ir.Cond):
        return self.x_Branches(ir.Branches(((e.cond, e.then), (None, e.else_)), e.type))

    def x_Branches(self, e: ir.Branches):
        if self.pure:
            parts = []
            for k, (c, v) in enumerate(e.arms):
                if c is None:
                    parts.append(self.lazily(lambda: self.emit(v)))
                    break
                # The first condition is always evaluated; the rest only on some paths.
                cond = self.emit(c) if k == 0 else self.lazily(lambda: self.emit(c))
                parts.append(f"{self.lazily(lambda: self.emit(v))} if {cond} else")
            return "(" + " ".join(parts) + ")"
        t = self.body.fresh("t")
        opened = 0
        for c, v in e.arms:
            if c is None:
                self.body.stmt(f"{t} = {self.emit(v)}")
                break
            self.open_if(self.emit(c))
            self.body.stmt(f"{t} = {self.emit(v)}")
            self.else_()
            opened += 1
        else:  # pragma: no cover - the checker requires それ以外
            self.body.stmt(f"{t} = {rt('no_row')}('場合', None)")
        for _ in range(opened):
            self.close()
        return t

    def x_Match(self, e: ir.Match):
        first, again = self.bind(self.emit(e.subject))
        enum = e.subject.type.name
        arms = []
        for k, (members, v) in enumerate(e.arms):
            if not members or k == len(e.arms) - 1:
                arms.append((None, v))
                break
            arms.append((members, v))
        if len(arms) == 1:
            # A single arm: no test, but the subject is still evaluated once.
            value = self.emit(arms[0][1])  # always evaluated: not lazy
            return value if first == again else f"({first}, {value})[1]"
        use = [first]

        def test(members):
            code = " or ".join(f"{use[0] if j == 0 else again} is {self.member(enum, m)}"
                               for j, m in enumerate(members))
            use[0] = again
            return f"({code})"

        if self.pure:
            parts = []
            for members, v in arms:
                if members is None:
                    parts.append(self.lazily(lambda: self.emit(v)))
                else:
                    cond = test(members)
                    parts.append(f"{self.lazily(lambda: self.emit(v))} if {cond} else")
            return "(" + " ".join(parts) + ")"
        t = self.body.fresh("t")
        opened = 0
        for members, v in arms:
            if members is None:
                self.body.stmt(f"{t} = {self.emit(v)}")
                break
            self.open_if(test(members))
            self.body.stmt(f"{t} = {self.emit(v)}")
            self.else_()
            opened += 1
        for _ in range(opened):
            self.close()
        return t

    def x_Round(self, e: ir.Round):
        v = self.emit(e.value)
        u = e.unit
        t = e.value.type
        if t.integral and t.lo is not None and t.lo >= 0:
            if u == 1:
                return v
            if e.mode == "四捨五入":
                return f"((2 * {v} + {u!r}) // {2 * u!r} * {u!r})"
            if e.mode == "切り捨て":
                return f"({v} // {u!r} * {u!r})"
            return f"(-(-{v} // {u!r}) * {u!r})"
        if t.integral and e.mode == "四捨五入":
            # Whole yen of unknown sign: half away from zero, inline (no call on the hot path).
            first, again = self.bind(v)
            return (f"((2 * {again} + {u!r}) // {2 * u!r} * {u!r} if {first} >= 0 "
                    f"else -((-2 * {again} + {u!r}) // {2 * u!r}) * {u!r})")
        fn = {"四捨五入": "round_half_up", "切り捨て": "round_down", "切り上げ": "round_up"}[e.mode]
        return f"{rt(fn)}({v}, {u!r})"

    def x_MinMax(self, e: ir.MinMax):
        fn = bi("min") if e.func in ("最小", "上限") else bi("max")
        return f"{fn}({', '.join(self.emit(a) for a in e.args)})"

    def x_FyCall(self, e: ir.FyCall):
        d = self.emit(e.arg)
        fy = self.reg.fy_start
        if e.func in (ir.FISCAL_MONTH, ir.MONTH_OF):
            return f"{rt('fy_month')}({d}, {fy!r})"
        if e.func in _MONTH_COUNTS:
            return f"{rt(_MONTH_COUNTS[e.func])}({d}, {fy!r})"
        if e.func == "上半期":
            return f"({rt('fy_month')}({d}, {fy!r}) <= 6)"
        return f"({rt('fy_month')}({d}, {fy!r}) > 6)"

    def x_FieldGet(self, e: ir.FieldGet):
        return f"{self.emit(e.obj)}.{e.name}"

    def x_Aggregate(self, e: ir.Aggregate):
        src = self.emit(e.source)
        # The body runs per record through a runtime loop, so that an input
        # error found inside it (a facility whose 定員 is outside a table's
        # range) names the record's index in the list.
        where = e.source.name if isinstance(e.source, (ir.InputRef, ir.ParamRef)) else "一覧"
        fn = rt("count_over") if e.func == "件数" else rt("sum_over")
        var = self.body.fresh("l")
        inner = dict(self.locals)
        inner[e.var] = var
        if self.pure or self.size(e.body) <= PURE_MAX:
            saved, self.locals = self.locals, inner
            try:
                body = self.lazily(lambda: self.emit(e.body))
            finally:
                self.locals = saved
            return f"{fn}(lambda {var}: {body}, {src}, {where!r})"
        # A large body: a nested function (a closure over the inputs), flat inside.
        nested = Body(1, self.body.counter)
        helper = self.body.fresh("f")
        code = self.in_body(nested, inner, lambda: self.emit(e.body))
        nested.stmt(f"return {code}")
        self.body.nested([f"def {helper}({var}):"] + nested.lines)
        return f"{fn}({helper}, {src}, {where!r})"

    def x_Lookup(self, e: ir.Lookup):
        rows = [r for r in e.rows if r.interval is not None]
        else_row = next((r for r in e.rows if r.interval is None), None)
        key_t = e.key.type
        first, again = self.bind(self.emit(e.key))
        col = None
        if e.column is not None:
            col = self.bind(self.emit(e.column))[1] if not self.pure else self.emit(e.column)
        enum = e.column.type.name if e.column is not None else None

        def value(r):
            """The row's amount (or the amount of the column the enum selects)."""
            if col is None:
                return self.value(r.values[0])
            cells = ", ".join(f"{self.member(enum, c)}: {self.value(r.values[j])}"
                              for j, c in enumerate(e.column_names))
            return f"{{{cells}}}[{col}]"

        if else_row is None and key_t.integral and len(rows) <= CHAIN_ROWS and col is None:
            # The checker proved the rows ordered, disjoint and covering the
            # key's whole domain, so each row needs only its whole upper bound.
            highs = [None if r.interval.hi is None else _Int.span(r.interval, None)[1] for r in rows]
            return self.upper_chain(rows, [None if h is None else f"<= {h!r}" for h in highs],
                                    value, first, again)
        if else_row is None and col is None and len(rows) <= CHAIN_ROWS:
            # Rational keys: the same chain, compared exactly (Fraction, never float).
            tests = [None if r.interval.hi is None
                     else f"{'<=' if r.interval.hi_incl else '<'} {self.value(r.interval.hi)}" for r in rows]
            return self.upper_chain(rows, tests, value, first, again)
        if else_row is None and key_t.integral:
            # Long or multi-column whole-number tables: one bisect over constant bounds.
            highs = [None if r.interval.hi is None else _Int.span(r.interval, None)[1] for r in rows]
            bname, vname = self.table_constants(e, rows, highs)
            index = f"{bi('bisect_left')}({bname}, {first})"
            return f"{vname}[{index}]" if col is None else f"{vname}[{col}][{index}]"
        # Rational keys, tables with それ以外: find the row by its lower bound, then test it.
        rname, vname = self.row_constants(e, rows, else_row)
        values = vname if col is None else f"{vname}[{col}]"
        return f"{rt('lookup_rows')}({first}, {rname}, {values}, {e.table!r})"

    def x_CatLookup(self, e: ir.CatLookup):
        """A category table's column: one dict per column, member → amount;
        a なし that does not apply has no entry (the checker proved it is not
        reached, or the fallback is taken)."""
        key = (e.table, "column", e.column)
        if not self.namer.has("V", key):
            enum = e.key.type.name
            rate = not e.type.integral

            def lit(v):
                return self.fraction(Fraction(v)) if rate else self.value(v)

            cells = "".join(f"{self.member(enum, m)}: {lit(v)}, " for m, v in e.cells if v is not None)
            self.table_lines.append(f"{self.namer.mint('V', key, e.table + '_' + e.column)} = {{{cells}}}")
        table = self.namer.mint("V", key)
        first, again = self.bind(self.emit(e.key))
        if e.fallback is None:
            return f"{table}[{first}]"
        if self.pure:
            default = self.lazily(lambda: self.emit(e.fallback))
            return f"({table}[{again}] if {first} in {table} else {default})"
        t = self.body.fresh("t")
        self.open_if(f"{first} in {table}")
        self.body.stmt(f"{t} = {table}[{again}]")
        self.else_()
        self.body.stmt(f"{t} = {self.emit(e.fallback)}")
        self.close()
        return t

    @staticmethod
    def upper_chain(rows, tests, value, first, again) -> str:
        """``v0 if k <= b0 else v1 if k <= b1 else … vN``: the last row needs no test."""
        parts = []
        use = first
        for r, test in zip(rows, tests):
            if test is None or r is rows[-1]:
                parts.append(value(r))
                break
            parts.append(f"{value(r)} if {use} {test} else")
            use = again
        return "(" + " ".join(parts) + ")"

    def column_values(self, e: ir.Lookup, rows, tail: str = "") -> str:
        """The rows' amounts: a tuple, or a dict of tuples by column; ``tail`` is one more entry."""
        def values(k):
            return "(" + "".join(self.value(r.values[k]) + ", " for r in rows) + (tail + ", " if tail else "") + ")"

        if e.column is None:
            return values(0)
        return "{" + ", ".join(f"{self.member(e.column.type.name, c)}: {values(k)}"
                               for k, c in enumerate(e.column_names)) + "}"

    def table_constants(self, e: ir.Lookup, rows, highs) -> tuple[str, str]:
        key = (e.table, "bisect")
        if not self.namer.has("B", key):
            self.table_lines.append(f"{self.namer.mint('B', key, e.table)} = {tuple(h for h in highs if h is not None)!r}")
            self.table_lines.append(f"{self.namer.mint('V', key, e.table)} = {self.column_values(e, rows)}")
        return self.namer.mint("B", key), self.namer.mint("V", key)

    def row_constants(self, e: ir.Lookup, rows, else_row) -> tuple[str, str]:
        """Rows as (lower, lower included, upper, upper included) sorted by lower
        bound; the values have one more entry, the それ以外 row's (or None)."""
        key = (e.table, "rows")
        if not self.namer.has("B", key):
            def lit(v):
                return "None" if v is None else self.value(v)

            bounds = "".join(f"({lit(r.interval.lo)}, {r.interval.lo_incl!r}, {lit(r.interval.hi)}, "
                             f"{r.interval.hi_incl!r}), " for r in rows)
            self.table_lines.append(f"{self.namer.mint('B', key, e.table)} = ({bounds})")
            if else_row is not None:
                vals = self.column_values(e, rows + [else_row])
            else:
                vals = self.column_values(e, rows, tail="None")
            self.table_lines.append(f"{self.namer.mint('V', key, e.table)} = {vals}")
        return self.namer.mint("B", key), self.namer.mint("V", key)


def generate(reg: ir.RegulationIR, version: tuple | None = None) -> str:
    """Python source of the module for a checked regulation. It is compiled
    here once (``compile()``) so a generator bug can never be written to disk.

    ``version``: for one version (版) of a file, (VERSION, the unavailable
    rules' messages by name); its values are str, int, None, lists and dicts of
    them, written with repr() (feedsl.runtime.versioned installs them)."""
    src = _Gen(reg).module() + columnar.embedding(reg)
    if version is None:
        src += "\nVERSION = None\n"
    else:
        src += f"\n{rt('versioned')}({bi('globals')}(), {version[0]!r}, {version[1]!r})\n"
    compile(src, f"<feedsl:{reg.name}>", "exec")
    return src
