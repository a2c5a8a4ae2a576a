"""IR → the explain path of a compiled module.

Next to each plain function the generator writes ``_x_<rule>``: the same
computation, as statements, building a :class:`feedsl.explanation.Node` that
says what happened (the row that matched, the rounding, the cap, the branch
taken, one child per record of an aggregation). The plain functions never
call these: explanation costs nothing on the hot path.

``explain(entry, /, **inputs)`` validates the inputs with the entry's own
checks, computes the fee with the plain entry (so errors and the amount are
exactly the plain call's), then builds the tree and checks that it agrees.

Same safety rule as :mod:`feedsl.codegen.python`: text from the ``.fee`` file
(labels, clauses, row texts, the source of a condition) reaches the generated
source only through ``repr()`` of a str; names come from :mod:`.names`.
"""

from __future__ import annotations

from .. import ir
from ..ir import BoolType, ListType, QType, RecordType, children
from ..needed import only_text
from ..words import Words
from . import names
from .writer import Body

RUNTIME = [
    "Node", "term", "try_term", "formula", "rounding", "cap", "lookup", "branch", "case", "match",
    "condition", "aggregate", "record", "records", "item", "explain_call", "format_value",
    "category",
    "not_given",
]


imported = names.explain_helper

# The month-count functions and the runtime function each compiles to.
MONTH_COUNTS = {ir.MONTHS_AFTER: "months_to_fy_end", ir.MONTHS_INCLUDING: "months_to_fy_end_including"}
bi = names.builtin
rt = names.runtime


_fmt = imported("format_value")
_term = imported("term")

_PREC = {"+": 1, "-": 1, "×": 2, "÷": 2}
_SHOW = {"+": " + ", "-": " − ", "×": " × ", "÷": " ÷ "}
_PY = {"+": "+", "-": "-", "×": "*"}
_ROUND = {"四捨五入": rt("round_half_up"), "切り捨て": rt("round_down"), "切り上げ": rt("round_up")}
# A description longer than this is computed into a local (so no expression grows without bound).
_TERM_MAX = 300


def unit_of(t, fy_start: int | None = None) -> str:
    """The unit a value is shown with: 円, 世帯, 円/人; '%' for a rate; for
    年度の月 with the year's first month, when given (年度の月（4月始まり）: 年度の第10月（1月）)."""
    if isinstance(t, QType):
        if t.is_rate:
            return "%"
        if fy_start is not None and t.dim == ir.dim_of(ir.FISCAL_MONTH):
            return f"{ir.FISCAL_MONTH}（{fy_start}月始まり）"
        return "" if t.dim == ir.NODIM else ir.dim_str(t.dim)
    return ""


class XV:
    """A lowered expression: ``code`` (a Python expression for the value, cheap
    to repeat), ``term`` (a Python expression for its description), whether
    it is arithmetic (then described as ``term = value``) and its precedence."""

    __slots__ = ("code", "term", "arith", "prec", "unit")

    def __init__(self, code: str, term: str, unit: str, arith: bool = False, prec: int = 3):
        self.code = code
        self.term = term
        self.unit = unit
        self.arith = arith
        self.prec = prec


class ExplainGen:
    def __init__(self, g):
        self.g = g
        self.reg = g.reg
        self.lines = (self.reg.source_text or "").split("\n")
        self.node = ""
        self.b: Body | None = None
        self.labels: dict[str, str] = {}
        self.locals: dict[str, str] = {}  # parameter / loop variable → local name
        self.words: Words | None = None
        for rec in self.reg.records.values():
            fields = tuple((f.name, f.label, unit_of(f.type)) for f in rec.fields)
            g.const_lines.append(f"{self.record_fields(rec.name)} = {fields!r}")

    @property
    def w(self):
        return self.g.w

    def record_fields(self, rec: str) -> str:
        return self.g.namer.mint("Xr", rec, rec)

    def rule_fn_name(self, rule: str) -> str:
        return self.g.namer.mint("X", rule, rule)

    def entry_fn_name(self, rule: str) -> str:
        return self.g.namer.mint("Xe", rule, rule)

    def tmp(self) -> str:
        return self.b.fresh("x")

    def new_node(self) -> str:
        return self.b.fresh("n")

    def stmt(self, text: str) -> None:
        self.b.stmt(text)

    def pcode(self, e) -> str:
        """The plain generator's one-expression code for ``e``, in this function's scope."""
        g = self.g
        saved = g.body, g.locals, g.known, g.pure
        g.body, g.locals, g.known, g.pure = self.b, self.locals, [{}], True
        try:
            return g.x(e)
        finally:
            g.body, g.locals, g.known, g.pure = saved

    def src(self, e) -> str:
        """The expression in the regulation's words: labels, not identifiers
        (世帯割 ＋ 均等割, 人口が10万人以上), as the docs write it."""
        if self.words is not None:
            try:
                return self.words.text(e)
            except TypeError:
                pass
        return self.written(e)

    def written(self, e) -> str:
        """The expression as the author wrote it (whitespace collapsed)."""
        s = e.span
        if s is None or s.line < 1 or s.line > len(self.lines):
            return ""
        if s.line == s.end_line:
            text = self.lines[s.line - 1][s.col - 1:s.end_col - 1]
        else:
            parts = [self.lines[s.line - 1][s.col - 1:]] + self.lines[s.line:s.end_line - 1]
            parts.append(self.lines[s.end_line - 1][:s.end_col - 1])
            text = " ".join(parts)
        return " ".join(text.split())

    def param_label(self, rule: ir.RuleIR, pn: str, pt) -> str:
        pin = next((p for p in rule.param_inputs if p.name == pn), None)
        label = pin.label if pin is not None and pin.label != pn else pn
        if label == pn and isinstance(pt, RecordType):
            label = self.reg.records[pt.name].label
        elif label == pn and isinstance(pt, ListType) and isinstance(pt.element, RecordType):
            label = self.reg.records[pt.element.name].label + "の一覧"
        return label

    # --- module -------------------------------------------------------------
    def module(self) -> None:
        for rule in self.reg.rules.values():
            self.rule_fn(rule)
        for rule in self.reg.rules.values():
            self.entry_fn(rule)
        w = self.w
        dispatch = self.g.namer.mint("D", "explain", "explain")
        table = ", ".join(f"{r!r}: {self.entry_fn_name(r)}" for r in self.reg.rules)
        w.line(f"{dispatch} = {{{table}}}")
        w.blank()
        w.line("def explain(entry, /, **inputs):")
        w.indent()
        w.line(repr("Why entry(**inputs) is what it is: a tree of the rules that contributed, "
                    "each with its clause.\n\nTakes the entry's name and the same inputs (validated the "
                    "same way); .amount equals the plain call; str() is a Japanese breakdown, "
                    ".to_dict() JSON-ready data.\n"))
        w.line(f"return {imported('explain_call')}({dispatch}, {self.reg.name!r}, {self.reg.label!r}, entry, inputs)")
        w.outdent()
        w.blank()

    def rule_fn(self, rule: ir.RuleIR) -> None:
        w = self.w
        self.b = b = Body(1)
        self.locals = {pn: b.fresh("p") for pn, _ in rule.params}
        self.nodes: dict[tuple, str] = {}  # rule call → the local holding its node
        args = list(self.locals.values()) + list(rule.inputs)
        w.line(f"def {self.rule_fn_name(rule.name)}({', '.join(args)}):", rule.span.line if rule.span else None)
        self.labels = {pn: self.param_label(rule, pn, pt) for pn, pt in rule.params}
        self.words = Words(self.reg, rule)
        node = self.new_node()
        self.stmt(f"{node} = {imported('Node')}({rule.name!r}, {rule.label!r}, {rule.clause!r}, {unit_of(rule.type, self.reg.fy_start)!r})")
        self.node = node
        x = self.top(rule.expr)
        self.stmt(f"{node}.value = {x.code}")
        self.stmt(f"return {node}")
        w.body(b)
        w.blank()

    def entry_fn(self, rule: ir.RuleIR) -> None:
        g, w = self.g, self.w
        sig, _ = g.signature(rule)
        w.line(f"def {self.entry_fn_name(rule.name)}({g.full_signature(sig)}):")
        self.b = b = Body(1)
        g.checks(b, rule)
        args = [pn for pn, _ in rule.params] + list(rule.inputs)
        value, node = b.fresh("x"), b.fresh("n")
        b.stmt(f"{value} = {g.entry_alias(rule.name)}({', '.join(f'{a}={a}' for a in args)})")
        b.stmt(f"{node} = {g.deep(rule.name, self.rule_fn_name(rule.name), args, inline=False)}")
        # Record inputs are shown first, field by field, under the root.
        at = 0
        for pn, pt in rule.params:
            label = self.param_label(rule, pn, pt)
            if isinstance(pt, RecordType):
                b.stmt(f"{imported('record')}({node}, {label!r}, {pn}, {self.record_fields(pt.name)}, {at!r})")
                at += 1
            elif isinstance(pt, ListType):
                b.stmt(f"{imported('records')}({node}, {label!r}, {pn}, {at!r})")
                at += 1
        # A conditional input (必要 …) left out where it is not needed: say so.
        for n in rule.inputs:
            inp = self.reg.inputs[n]
            if inp.needed is not None and n not in rule.always:
                text = f"{inp.label}{only_text(inp)}: 入力なし（この場合は不要）"
                b.stmt(f"if {n} is {rt('REQUIRED')}: {imported('not_given')}({node}, {n!r}, {text!r})")
        b.stmt(f"return {value}, {node}, {{{', '.join(f'{a!r}: {a}' for a in args)}}}")
        w.body(b)
        w.blank()

    # --- expressions --------------------------------------------------------
    def lower(self, e) -> XV:
        if isinstance(e, (ir.Cmp, ir.EnumIs, ir.BoolOp, ir.NotOp)) or (
                isinstance(e, ir.FyCall) and isinstance(e.type, BoolType)):
            return self.boolean(e)
        meth = getattr(self, "l_" + type(e).__name__, None)
        if meth is None:
            raise TypeError(f"no explain generator for {type(e).__name__}")  # fail loudly
        return meth(e)

    def top(self, e) -> XV:
        """A value that stands alone (a rule's value, a branch, an argument):
        arithmetic is noted as a formula step."""
        x = self.lower(e)
        if x.arith:
            self.stmt(f"{imported('formula')}({self.node}, {x.term}, {x.code}, {x.unit!r})")
        return x

    def desc(self, x: XV) -> str:
        if x.arith:
            return f"{x.term} + ' = ' + {_fmt}({x.code}, {x.unit!r})"
        return x.term

    def shown(self, code: str, unit: str) -> XV:
        return XV(code, f"{_fmt}({code}, {unit!r})", unit)

    def short(self, term: str) -> str:
        """A description expression, computed into a local when it grows long."""
        if len(term) <= _TERM_MAX:
            return term
        t = self.tmp()
        self.stmt(f"{t} = {term}")
        return t

    def l_Const(self, e: ir.Const) -> XV:
        code = self.g.x_Const(e)
        text = e.text
        if isinstance(e.type, ir.EnumType):
            text = dict(self.reg.enums[e.type.name].values).get(e.value, str(e.value))
        if not text:
            return self.shown(code, unit_of(e.type))
        return XV(code, repr(text), unit_of(e.type))

    def l_InputRef(self, e: ir.InputRef) -> XV:
        u = unit_of(e.type)
        return XV(e.name, f"{_term}({self.reg.inputs[e.name].label!r}, {e.name}, {u!r})", u)

    def l_ParamRef(self, e: ir.ParamRef) -> XV:
        label = self.labels.get(e.name, e.name)
        code = self.locals[e.name]
        if isinstance(e.type, (RecordType, ListType)):
            return XV(code, repr(label), "")
        u = unit_of(e.type)
        return XV(code, f"{_term}({label!r}, {code}, {u!r})", u)

    def field_label(self, e: ir.FieldGet) -> str:
        rt_ = e.obj.type
        if isinstance(rt_, RecordType):
            for f in self.reg.records[rt_.name].fields:
                if f.name == e.name:
                    return f.label
        return e.name

    def l_FieldGet(self, e: ir.FieldGet) -> XV:
        obj = self.lower(e.obj)
        code = f"{obj.code}.{e.name}"
        u = unit_of(e.type)
        return XV(code, f"{_term}({self.field_label(e)!r}, {code}, {u!r})", u)

    def l_RuleRef(self, e: ir.RuleRef) -> XV:
        r = self.reg.rules[e.name]
        args = [self.top(a).code for a in e.args] + list(r.inputs)
        key = (e.name, *args)
        t = self.nodes.get(key)
        if t is not None:
            # Computed already on every path to here: the same node, not a second subtree
            # (a chain of rules each using the one before twice would double at every step).
            self.stmt(f"{self.node}.add({t})")
        else:
            t = self.tmp()
            self.stmt(f"{t} = {self.node}.add({self.rule_fn_name(e.name)}({', '.join(args)}))")
            if not self.b.blocks:
                self.nodes[key] = t
        code = f"{t}.value"
        u = unit_of(e.type, self.reg.fy_start)
        return XV(code, f"{_term}({r.label!r}, {code}, {u!r})", u)

    def l_Arith(self, e: ir.Arith) -> XV:
        a, b = self.lower(e.left), self.lower(e.right)
        p = _PREC[e.op]

        def wrap(x: XV, right: bool) -> str:
            if x.arith and (x.prec < p or (right and x.prec == p and e.op in ("-", "÷"))):
                return f"'(' + {x.term} + ')'"
            return x.term

        if e.op == "÷":
            value = f"{rt('divide')}({a.code}, {b.code}, '割る数', ())"
        else:
            value = f"({a.code} {_PY[e.op]} {b.code})"
        t = self.tmp()
        self.stmt(f"{t} = {value}")
        term = self.short(f"{wrap(a, False)} + {_SHOW[e.op]!r} + {wrap(b, True)}")
        return XV(t, term, unit_of(e.type), True, p)

    # Conditions are computed by the plain generator's code and described by
    # their source text and the values they read.
    def cond_text(self, e) -> str:
        if isinstance(e, ir.InputRef):
            return self.reg.inputs[e.name].label
        if isinstance(e, ir.ParamRef):
            return self.labels.get(e.name, e.name)
        if isinstance(e, ir.FieldGet):
            return self.field_label(e)
        if isinstance(e, ir.RuleRef):
            label = self.reg.rules[e.name].label
            if e.args:
                shown = [self.labels.get(a.name, a.name) if isinstance(a, ir.ParamRef) else self.src(a) for a in e.args]
                label += f"（{'、'.join(shown)}）"
            return label
        return self.src(e)

    def involved(self, e) -> str:
        """A tuple expression of the values a condition reads, labelled."""
        found: dict[str, str] = {}
        if isinstance(e, (ir.RuleRef, ir.InputRef, ir.ParamRef, ir.FieldGet)):
            return "()"  # its value is the condition's value
        stack = [e]
        while stack:
            x = stack.pop()
            if isinstance(x, ir.InputRef):
                u = unit_of(x.type)
                found.setdefault(x.name, f"{_term}({self.reg.inputs[x.name].label!r}, {x.name}, {u!r})")
            elif isinstance(x, ir.ParamRef):
                if not isinstance(x.type, (RecordType, ListType)):
                    u = unit_of(x.type)
                    code = self.locals[x.name]
                    found.setdefault(code, f"{_term}({self.labels.get(x.name, x.name)!r}, {code}, {u!r})")
            elif isinstance(x, ir.FieldGet):
                code = self.pcode(x)
                u = unit_of(x.type)
                absent = self.absent(x.obj)
                if absent:
                    found.setdefault(code, f"{imported('try_term')}({self.field_label(x)!r}, "
                                           f"None if {absent} else lambda: {code}, {u!r})")
                else:
                    found.setdefault(code, f"{_term}({self.field_label(x)!r}, {code}, {u!r})")
            elif isinstance(x, ir.RuleRef):
                code = self.pcode(x)
                u = unit_of(x.type)
                absent = self.absent(x)
                thunk = f"None if {absent} else lambda: {code}" if absent else f"lambda: {code}"
                found.setdefault(code, f"{imported('try_term')}({self.cond_text(x)!r}, {thunk}, {u!r})")
            elif isinstance(x, ir.Aggregate):
                stack.append(x.source)  # its body reads each record, not a value of this scope
            else:
                stack.extend(reversed(children(x)))
        t = self.tmp()
        self.stmt(f"{t} = (" + "".join(v + ", " for v in found.values()) + ")")
        return t

    def absent(self, e) -> str:
        """A test that is true when computing ``e`` beside a condition would read
        a conditional input (必要) or field that was not given: such a value is
        shown as —, never computed (the condition's own order proves it is not
        read on the path taken, but a value beside it is computed regardless)."""
        inputs: list[str] = []
        fields: list[str] = []
        stack = [e]
        while stack:
            x = stack.pop()
            if isinstance(x, ir.InputRef) and self.reg.inputs[x.name].needed is not None:
                inputs.append(f"{x.name} is {rt('REQUIRED')}")
            elif isinstance(x, ir.RuleRef):
                inputs.extend(f"{n} is {rt('REQUIRED')}" for n in self.reg.rules[x.name].always)
            elif isinstance(x, ir.FieldGet) and isinstance(x.obj.type, RecordType):
                f = next((f for f in self.reg.records[x.obj.type.name].fields if f.name == x.name), None)
                if f is not None and f.needed is not None:
                    fields.append(f"{self.pcode(x)} is None")
            if isinstance(x, ir.Aggregate):
                stack.append(x.source)  # its body reads each record, checked where it is read
            else:
                stack.extend(children(x))
        return " or ".join(dict.fromkeys(inputs + fields))

    # Conditions are computed as statements too, short-circuiting like the
    # plain code, so that a rule they read (老人福祉施設である) is a child node.
    def lower_bool(self, e) -> XV:
        b = self.b
        if isinstance(e, ir.BoolOp):
            x = self.lower_bool(e.left)
            t = self.tmp()
            self.stmt(f"{t} = {x.code}")
            b.open_if(t if e.op == "and" else f"not {t}")
            y = self.lower_bool(e.right)
            self.stmt(f"{t} = {y.code}")
            b.close()
            return self.shown(t, "")
        if isinstance(e, ir.NotOp):
            x = self.lower_bool(e.operand)
            return self.shown(f"(not {x.code})", "")
        if isinstance(e, ir.Cmp):
            a, c = self.operand(e.left), self.operand(e.right)
            t = self.tmp()
            self.stmt(f"{t} = ({a.code} {self.g._PY_OPS[e.op]} {c.code})")
            return self.shown(t, "")
        if isinstance(e, ir.EnumIs):
            x = self.lower(e.subject)
            if not e.members:
                return self.shown("False", "")
            enum = e.subject.type.name
            t = self.tmp()
            self.stmt(f"{t} = {x.code}")
            test = " or ".join(f"{t} is {self.g.member(enum, m)}" for m in e.members)
            self.stmt(f"{t} = ({test})")
            return self.shown(t, "")
        if isinstance(e, ir.FyCall) and isinstance(e.type, BoolType):
            x = self.lower(e.arg)
            cmp = "<=" if e.func == "上半期" else ">"
            t = self.tmp()
            self.stmt(f"{t} = ({rt('fy_month')}({x.code}, {self.reg.fy_start!r}) {cmp} 6)")
            return self.shown(t, "")
        return self.lower(e)

    def operand(self, e) -> XV:
        return self.lower_bool(e) if isinstance(e.type, BoolType) else self.lower(e)

    def boolean(self, e) -> XV:
        """A condition standing as a value (a rule that is a condition): noted with what it read."""
        x = self.lower_bool(e)
        self.stmt(f"{imported('condition')}({self.node}, {self.cond_text(e)!r}, {self.involved(e)}, {x.code})")
        return x

    def l_Cond(self, e: ir.Cond) -> XV:
        b = self.b
        c = self.lower_bool(e.cond).code
        t = self.tmp()
        text, vals = self.cond_text(e.cond), self.involved(e.cond)
        b.open_if(c)
        for k, (arm, result) in enumerate(((e.then, True), (e.else_, False))):
            if k:
                b.else_()
            self.stmt(f"{imported('branch')}({self.node}, {text!r}, {vals}, {result!r}, {self.src(arm)!r})")
            x = self.top(arm)
            self.stmt(f"{t} = {x.code}")
        b.close()
        return self.shown(t, unit_of(e.type))

    def l_Match(self, e: ir.Match) -> XV:
        b = self.b
        s = self.lower(e.subject)
        enum = e.subject.type.name
        labels = dict(self.reg.enums[enum].values)
        subject = self.tmp()
        self.stmt(f"{subject} = {s.code}")
        t = self.tmp()
        n = len(e.arms)
        opened = 0
        for k, (members, v) in enumerate(e.arms):
            last = k == n - 1 or not members
            if not last:
                test = " or ".join(f"{subject} is {self.g.member(enum, m)}" for m in members)
                b.open_if(f"({test})")
                opened += 1
            arm = "・".join(labels[m] for m in members) if members else "それ以外"
            self.stmt(f"{imported('match')}({self.node}, {s.term}, {arm!r}, {self.src(v)!r})")
            x = self.top(v)
            self.stmt(f"{t} = {x.code}")
            if last:
                break
            b.else_()
        for _ in range(opened):
            b.close()
        return self.shown(t, unit_of(e.type))

    def l_Branches(self, e: ir.Branches) -> XV:
        b = self.b
        t = self.tmp()
        opened = 0
        for c, v in e.arms:
            if c is None:
                self.stmt(f"{imported('case')}({self.node}, 'それ以外', (), {self.src(v)!r})")
                x = self.top(v)
                self.stmt(f"{t} = {x.code}")
                break
            cond = self.lower_bool(c).code
            b.open_if(cond)
            opened += 1
            self.stmt(f"{imported('case')}({self.node}, {self.cond_text(c)!r}, {self.involved(c)}, {self.src(v)!r})")
            x = self.top(v)
            self.stmt(f"{t} = {x.code}")
            b.else_()
        else:  # the checker requires それ以外; never reached
            self.stmt(f"{t} = {rt('no_row')}('場合', None)")
        for _ in range(opened):
            b.close()
        return self.shown(t, unit_of(e.type))

    def l_Round(self, e: ir.Round) -> XV:
        x = self.lower(e.value)
        t = self.tmp()
        u = unit_of(e.type)
        self.stmt(f"{t} = {_ROUND[e.mode]}({x.code}, {e.unit!r})")
        self.stmt(f"{imported('rounding')}({self.node}, {self.desc(x)}, {x.code}, {t}, {u!r}, "
                  f"{e.mode!r}, {e.unit!r}, {e.unit_text!r})")
        return self.shown(t, u)

    def l_MinMax(self, e: ir.MinMax) -> XV:
        xs = [self.lower(a) for a in e.args]
        fn = bi("min") if e.func in ("最小", "上限") else bi("max")
        t = self.tmp()
        u = unit_of(e.type)
        self.stmt(f"{t} = {fn}({', '.join(x.code for x in xs)})")
        descs = "".join(self.short(self.desc(x)) + ", " for x in xs)
        codes = "".join(x.code + ", " for x in xs)
        self.stmt(f"{imported('cap')}({self.node}, {e.func!r}, ({descs}), ({codes}), {t}, {u!r})")
        return self.shown(t, u)

    def l_FyCall(self, e: ir.FyCall) -> XV:
        x = self.lower(e.arg)
        fy = self.reg.fy_start
        fn = rt(MONTH_COUNTS.get(e.func, "fy_month"))
        t = self.tmp()
        u = unit_of(e.type, fy)  # 年度の月 shown as 年度の第10月（1月）
        self.stmt(f"{t} = {fn}({x.code}, {fy!r})")
        if e.func == ir.MONTH_OF:  # a month table's key: 入会の承認日 2024年10月15日の月
            return XV(t, f"{x.term} + 'の月'", u)
        return XV(t, f"{_term}({e.func!r}, {t}, {u!r}) + '（' + {x.term} + '）'", u)

    def l_Aggregate(self, e: ir.Aggregate) -> XV:
        src = self.lower(e.source)
        if isinstance(e.source, ir.ParamRef):
            list_name = e.source.name
            label = self.labels.get(list_name, list_name)
        else:
            list_name = self.src(e.source) or "items"
            label = self.reg.records[e.source.type.element.name].label + "の一覧"
        rec = e.source.type.element.name
        body_unit = unit_of(e.body.type)
        # The body runs in a function of its own (a closure) so that the bound
        # name is local to it, as in the plain code.
        outer = self.b
        fn = outer.fresh("f")
        inner = Body(1, outer.counter)
        var, index = inner.fresh("l"), inner.fresh("i")
        saved = self.b, self.node, dict(self.labels), self.locals, self.nodes
        self.b = inner
        self.nodes = {}
        self.locals = dict(self.locals)
        self.locals[e.var] = var
        item = self.new_node()
        self.stmt(f"{item} = {imported('item')}({self.node}, {list_name!r}, {label!r}, {index}, {var}, "
                  f"{self.record_fields(rec)}, {body_unit!r})")
        self.node = item
        self.labels[e.var] = self.reg.records[rec].label
        x = self.top(e.body)
        self.stmt(f"{item}.value = {x.code}")
        self.stmt(f"return {x.code}")
        self.b, self.node, self.labels, self.locals, self.nodes = saved
        outer.nested([f"def {fn}({var}, {index}):"] + inner.lines)
        items, acc, each, one = self.tmp(), self.tmp(), self.tmp(), self.tmp()
        self.stmt(f"{items} = {src.code}")
        if e.func == "件数":
            self.stmt(f"{acc} = {bi('sum')}(1 for {each}, {one} in {bi('enumerate')}({items}) if {fn}({one}, {each}))")
        else:
            self.stmt(f"{acc} = {bi('sum')}({fn}({one}, {each}) for {each}, {one} in {bi('enumerate')}({items}))")
        u = unit_of(e.type)
        self.stmt(f"{imported('aggregate')}({self.node}, {e.func!r}, {label!r}, {bi('len')}({items}), {acc}, {u!r})")
        return XV(acc, f"{_term}({e.func + '（' + label + '）'!r}, {acc}, {u!r})", u)

    def l_Lookup(self, e: ir.Lookup) -> XV:
        key = self.lower(e.key)
        col = self.lower(e.column).code if e.column is not None else "None"
        t = self.tmp()
        self.stmt(f"{t} = {imported('lookup')}({self.node}, {self.table(e)}, {self.short(self.desc(key))}, {key.code}, {col})")
        return self.shown(t, unit_of(e.type))

    def l_CatLookup(self, e: ir.CatLookup) -> XV:
        key = self.lower(e.key)
        k, t = self.tmp(), self.tmp()
        u = unit_of(e.type)
        self.stmt(f"{k} = {key.code}")
        self.stmt(f"{t} = {imported('category')}({self.node}, {self.cat_table(e)}, {k}, {u!r})")
        if e.fallback is not None:
            self.b.open_if(f"{t} is None")
            x = self.top(e.fallback)
            self.stmt(f"{t} = {x.code}")
            self.b.close()
        label = self.reg.cat_tables[e.table].columns[[c.name for c in self.reg.cat_tables[e.table].columns].index(e.column)].label
        return XV(t, f"{_term}({label!r}, {t}, {u!r})", u)

    def cat_table(self, e: ir.CatLookup) -> str:
        """A module constant: (table label, column label, {member: (row text, amount or None, なし text)})."""
        g = self.g
        key = (e.table, e.column)
        if g.namer.has("Xc", key):
            return g.namer.mint("Xc", key)
        name = g.namer.mint("Xc", key, e.table + "_" + e.column)
        t = self.reg.cat_tables[e.table]
        k = [c.name for c in t.columns].index(e.column)
        rate = not e.type.integral
        entries = []
        for m, v in e.cells:
            row = next(r for r in t.rows if m in r.members)
            lit = "None" if v is None else (g.fraction(v) if rate else g.value(v))
            written = row.cell_texts[k] if row.cells[k] is None else ""
            entries.append(f"{g.member(t.enum, m)}: ({row.text!r}, {lit}, {written!r})")
        g.table_lines.append(f"{name} = ({t.label!r}, {t.columns[k].label!r}, {{{', '.join(entries)}}})")
        return name

    def table(self, e: ir.Lookup) -> str:
        """A module constant holding the table's checked rows, as written and resolved."""
        g = self.g
        if g.namer.has("Xt", e.table):
            return g.namer.mint("Xt", e.table)
        name = g.namer.mint("Xt", e.table, e.table)

        def lit(v):
            return "None" if v is None else g.value(v)

        rows = []
        for r in e.rows:
            iv = r.interval
            values = "(" + "".join(lit(v) + ", " for v in r.values) + ")"
            if iv is None:
                head = "True, None, False, None, False"
            else:
                head = f"False, {lit(iv.lo)}, {iv.lo_incl!r}, {lit(iv.hi)}, {iv.hi_incl!r}"
            # The row as the regulation prints it (表記) where the file uses a shorthand.
            rows.append(f"({head}, {(r.printed or r.text)!r}, {r.display!r}, {values})")
        if e.column_names:
            enum = e.column.type.name
            columns = "(" + "".join(g.member(enum, c) + ", " for c in e.column_names) + ")"
        else:
            columns = "()"
        g.table_lines.append(f"{name} = ({e.table!r}, {unit_of(e.type)!r}, {columns}, ("
                             + "".join(row + ", " for row in rows) + "))")
        return name
