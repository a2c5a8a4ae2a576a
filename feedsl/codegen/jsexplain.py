"""IR → the explain path of the JavaScript script: the breakdown tree.

A port of :mod:`feedsl.codegen.explain` (the Python ``_x_<rule>`` functions)
to JavaScript: for each rule a function ``x<k>(C, params…)`` that computes
the rule's value as statements and builds a ``rt.Node`` (feedsl/runtime.js)
with the same steps (row, rounding, cap, branch, match, condition,
aggregate, record, not_given) and the same texts, so that a page shows the
breakdown ``explain()`` gives in Python. Tests compare the two trees.

Descriptions of conditions and branches (the regulation's words) are made
here, at generation time, by the same :class:`feedsl.words.Words`; they reach
the script as JSON string literals only.
"""

from __future__ import annotations

from .. import ir
from ..ir import BoolType, DateType, EnumType, ListType, QType, RecordType, children
from ..needed import only_text
from ..words import Words
from .explain import ExplainGen, unit_of
from .writer import Body

_PREC = {"+": 1, "-": 1, "×": 2, "÷": 2}
_SHOW = {"+": " + ", "-": " − ", "×": " × ", "÷": " ÷ "}
_FN = {"+": "add", "-": "sub", "×": "mul"}
_TERM_MAX = 300


class XV:
    """A lowered expression: ``code`` (a JS expression for the value, cheap to
    repeat), ``term`` (a JS expression for its description), its unit, whether
    it is arithmetic (then described as ``term = value``) and its precedence."""

    __slots__ = ("code", "term", "unit", "type", "arith", "prec")

    def __init__(self, code, term, unit, type_, arith=False, prec=3):
        self.code, self.term, self.unit, self.type = code, term, unit, type_
        self.arith, self.prec = arith, prec


class _Fn:
    """A JS function body being written: statements, block depth, its temporaries."""

    def __init__(self):
        self.lines: list[str] = []
        self.temps: list[str] = []
        self.depth = 0
        self.py_body = Body(1)  # fresh names for the Python code that keys shown values (XJS.same)


class XJS:
    def __init__(self, g):
        self.g = g  # the plain generator (javascript._JS): constants, names, plain code
        self.reg = g.reg
        self.lines = (self.reg.source_text or "").split("\n")
        self.fn: _Fn | None = None
        self.node = ""
        self.labels: dict[str, str] = {}
        self.locals: dict[str, str] = {}
        self.nodes: dict = {}
        self.words: Words | None = None

    # The regulation's words for expressions, labels of parameters and fields:
    # the Python explain generator's own (they read reg, labels, words, lines).
    src = ExplainGen.src
    written = ExplainGen.written
    param_label = ExplainGen.param_label
    field_label = ExplainGen.field_label
    cond_text = ExplainGen.cond_text

    # --- helpers ----------------------------------------------------------------
    def js_str(self, s):
        from .javascript import js_str

        return js_str(s)

    def fd(self, t, unit: str | None = None) -> str:
        """A format descriptor constant [unit, kind, enum labels] for values of type ``t``."""
        from .javascript import js_json, kind_of

        u = unit_of(t) if unit is None else unit
        kind = kind_of(t) if isinstance(t, (QType, BoolType, EnumType, DateType, RecordType, ListType)) else "count"
        labels = dict(self.reg.enums[t.name].values) if isinstance(t, EnumType) else None
        return self.g.const(("fd", u, kind, t.name if isinstance(t, EnumType) else None),
                            lambda: js_json([u, kind, labels]))

    def tmp(self) -> str:
        t = self.g.fresh("x")
        self.fn.temps.append(t)
        return t

    def stmt(self, s: str) -> None:
        self.fn.lines.append(s)

    def open_if(self, cond: str) -> None:
        self.stmt(f"if ({cond}) {{")
        self.fn.depth += 1

    def else_(self) -> None:
        self.stmt("} else {")

    def close(self) -> None:
        self.stmt("}")
        self.fn.depth -= 1

    def plain(self, e) -> str:
        return self.g.emit(e, self.locals)

    def record_fields(self, rec: str) -> str:
        from .javascript import js_json

        fields = self.reg.records[rec].fields
        return self.g.const(("xfields", rec), lambda: "[" + ", ".join(
            f"[{js_json(f.name)}, {js_json(f.label)}, {self.fd(f.type)}]" for f in fields) + "]")

    def term(self, label: str, code: str, t, unit=None, is_input=False) -> str:
        return f"rt.term({self.js_str(label)}, {code}, {self.fd(t, unit)}{', true' if is_input else ''})"

    # --- functions ----------------------------------------------------------------
    def rule_fn(self, rule: ir.RuleIR) -> str:
        k = self.g.rule_index[rule.name]
        self.fn = _Fn()
        self.locals = {pn: self.g.fresh("p") for pn, _ in rule.params}
        self.nodes = {}
        self.labels = {pn: self.param_label(rule, pn, pt) for pn, pt in rule.params}
        self.words = Words(self.reg, rule)
        node = self.g.fresh("n")
        self.stmt(f"const {node} = new rt.Node({self.js_str(rule.name)}, {self.js_str(rule.label)}, "
                  f"{self.js_str(rule.clause)}, {self.fd(rule.type, unit_of(rule.type, self.reg.fy_start))});")
        self.node = node
        x = self.top(rule.expr)
        self.stmt(f"{node}.value = {x.code};")
        self.stmt(f"return {node};")
        head = f"function x{k}(C{''.join(', ' + p for p in self.locals.values())}) {{"
        temps = [f"let {', '.join(self.fn.temps)};"] if self.fn.temps else []
        return "\n".join([head, *temps, *self.fn.lines, "}"])

    def entry_extras(self, rule: ir.RuleIR, node: str, params: list[str]) -> list[str]:
        """Statements after the root node is built: record inputs first, then
        conditional inputs left out where not needed (as explain() does)."""
        out = []
        at = 0
        for (pn, pt), p in zip(rule.params, params):
            label = self.js_str(self.param_label(rule, pn, pt))
            if isinstance(pt, RecordType):
                out.append(f"rt.record({node}, {label}, {p}, {self.record_fields(pt.name)}, {at});")
                at += 1
            elif isinstance(pt, ListType):
                out.append(f"rt.records({node}, {label}, {p}, {at});")
                at += 1
        for n in rule.inputs:
            inp = self.reg.inputs[n]
            if inp.needed is not None and n not in rule.always:
                text = f"{inp.label}{only_text(inp)}: 入力なし（この場合は不要）"
                out.append(f"if (C.i[{self.g.input_index[n]}] === null) "
                           f"rt.notGiven({node}, {self.js_str(n)}, {self.js_str(text)});")
        return out

    # --- expressions -----------------------------------------------------------------
    def lower(self, e) -> XV:
        if isinstance(e, (ir.Cmp, ir.EnumIs, ir.BoolOp, ir.NotOp)) or (
                isinstance(e, ir.FyCall) and isinstance(e.type, BoolType)):
            return self.boolean(e)
        meth = getattr(self, "l_" + type(e).__name__, None)
        if meth is None:
            from .javascript import UnsupportedForJS

            raise UnsupportedForJS(f"no explain generator for {type(e).__name__}")
        return meth(e)

    def top(self, e) -> XV:
        x = self.lower(e)
        if x.arith:
            self.stmt(f"rt.formula({self.node}, {x.term}, {x.code}, {self.fd(x.type, x.unit)});")
        return x

    def desc(self, x: XV) -> str:
        if x.arith:
            return f"{x.term} + ' = ' + rt.fmt({x.code}, {self.fd(x.type, x.unit)})"
        return x.term

    def shown(self, code, t, unit=None) -> XV:
        u = unit_of(t) if unit is None else unit
        return XV(code, f"rt.fmt({code}, {self.fd(t, u)})", u, t)

    def short(self, term: str) -> str:
        if len(term) <= _TERM_MAX:
            return term
        t = self.tmp()
        self.stmt(f"{t} = {term};")
        return t

    def l_Const(self, e: ir.Const) -> XV:
        code = self.g.x_Const(e, {})
        text = e.text
        if isinstance(e.type, EnumType):
            text = dict(self.reg.enums[e.type.name].values).get(e.value, str(e.value))
        if not text:
            return self.shown(code, e.type)
        return XV(code, self.js_str(text), unit_of(e.type), e.type)

    def l_InputRef(self, e: ir.InputRef) -> XV:
        code = f"C.i[{self.g.input_index[e.name]}]"
        return XV(code, self.term(self.reg.inputs[e.name].label, code, e.type, is_input=True), unit_of(e.type), e.type)

    def l_ParamRef(self, e: ir.ParamRef) -> XV:
        label = self.labels.get(e.name, e.name)
        code = self.locals[e.name]
        if isinstance(e.type, (RecordType, ListType)):
            return XV(code, self.js_str(label), "", e.type)
        return XV(code, self.term(label, code, e.type), unit_of(e.type), e.type)

    def l_FieldGet(self, e: ir.FieldGet) -> XV:
        obj = self.lower(e.obj)
        code = f"{obj.code}[{self.js_str(e.name)}]"
        return XV(code, self.term(self.field_label(e), code, e.type), unit_of(e.type), e.type)

    def l_RuleRef(self, e: ir.RuleRef) -> XV:
        r = self.reg.rules[e.name]
        args = [self.top(a).code for a in e.args]
        key = (e.name, *args)
        t = self.nodes.get(key)
        if t is not None:
            self.stmt(f"{self.node}.add({t});")
        else:
            t = self.tmp()
            k = self.g.rule_index[e.name]
            self.stmt(f"{t} = {self.node}.add(x{k}(C{''.join(', ' + a for a in args)}));")
            if not self.fn.depth:
                self.nodes[key] = t
        code = f"{t}.value"
        u = unit_of(e.type, self.reg.fy_start)
        return XV(code, self.term(r.label, code, e.type, u), u, e.type)

    def l_Arith(self, e: ir.Arith) -> XV:
        a, b = self.lower(e.left), self.lower(e.right)
        p = _PREC[e.op]

        def wrap(x: XV, right: bool) -> str:
            if x.arith and (x.prec < p or (right and x.prec == p and e.op in ("-", "÷"))):
                return f"'(' + {x.term} + ')'"
            return x.term

        if e.op == "÷":
            value = f"rt.divide({a.code}, {b.code}, '割る数', [])"
        else:
            value = f"{_FN[e.op]}({a.code}, {b.code})"
        t = self.tmp()
        self.stmt(f"{t} = {value};")
        term = self.short(f"{wrap(a, False)} + {self.js_str(_SHOW[e.op])} + {wrap(b, True)}")
        return XV(t, term, unit_of(e.type), e.type, True, p)

    def involved(self, e) -> str:
        """A temporary holding the labelled values a condition reads."""
        found: dict[object, str] = {}
        if isinstance(e, (ir.RuleRef, ir.InputRef, ir.ParamRef, ir.FieldGet)):
            return "[]"
        stack = [e]
        while stack:
            x = stack.pop()
            if isinstance(x, ir.InputRef):
                code = f"C.i[{self.g.input_index[x.name]}]"
                found.setdefault(self.same(x), self.term(self.reg.inputs[x.name].label, code, x.type, is_input=True))
            elif isinstance(x, ir.ParamRef):
                if not isinstance(x.type, (RecordType, ListType)):
                    code = self.locals[x.name]
                    found.setdefault(code, self.term(self.labels.get(x.name, x.name), code, x.type))
            elif isinstance(x, ir.FieldGet):
                code = self.plain(x)
                absent = self.absent(x.obj)
                label = self.js_str(self.field_label(x))
                if absent:
                    found.setdefault(self.same(x), f"rt.tryTerm({label}, ({absent}) ? null : () => {code}, {self.fd(x.type)})")
                else:
                    found.setdefault(self.same(x), self.term(self.field_label(x), code, x.type))
            elif isinstance(x, ir.RuleRef):
                code = self.plain(x)
                absent = self.absent(x)
                thunk = f"({absent}) ? null : () => {code}" if absent else f"() => {code}"
                found.setdefault(self.same(x), f"rt.tryTerm({self.js_str(self.cond_text(x))}, {thunk}, {self.fd(x.type)})")
            elif isinstance(x, ir.Aggregate):
                stack.append(x.source)
            else:
                stack.extend(reversed(children(x)))
        t = self.tmp()
        self.stmt(f"{t} = [{', '.join(found.values())}];")
        return t

    def same(self, e) -> str:
        """Which values beside a condition are shown once: Python's explain keeps
        the first of those whose generated Python code is the same text (an
        inlined rule reads as its body; a call bound to a fresh local never
        repeats), so the key is that code, from the Python generator itself."""
        g = self.g.py
        saved = g.body, g.locals, g.known, g.pure, g.lazy
        g.body, g.locals, g.known, g.pure, g.lazy = self.fn.py_body, dict(self.locals), [{}], True, 0
        try:
            return g.x(e)
        finally:
            g.body, g.locals, g.known, g.pure, g.lazy = saved

    def absent(self, e) -> str:
        tests: list[str] = []
        stack = [e]
        while stack:
            x = stack.pop()
            if isinstance(x, ir.InputRef) and self.reg.inputs[x.name].needed is not None:
                tests.append(f"C.i[{self.g.input_index[x.name]}] === null")
            elif isinstance(x, ir.RuleRef):
                tests.extend(f"C.i[{self.g.input_index[n]}] === null" for n in self.reg.rules[x.name].always)
            elif isinstance(x, ir.FieldGet) and isinstance(x.obj.type, RecordType):
                f = next((f for f in self.reg.records[x.obj.type.name].fields if f.name == x.name), None)
                if f is not None and f.needed is not None:
                    tests.append(f"{self.plain(x)} === null")
            if isinstance(x, ir.Aggregate):
                stack.append(x.source)
            else:
                stack.extend(children(x))
        return " || ".join(dict.fromkeys(tests))

    def lower_bool(self, e) -> XV:
        bt = BoolType()
        if isinstance(e, ir.BoolOp):
            x = self.lower_bool(e.left)
            t = self.tmp()
            self.stmt(f"{t} = {x.code};")
            self.open_if(t if e.op == "and" else f"!{t}")
            y = self.lower_bool(e.right)
            self.stmt(f"{t} = {y.code};")
            self.close()
            return self.shown(t, bt, "")
        if isinstance(e, ir.NotOp):
            x = self.lower_bool(e.operand)
            return self.shown(f"(!{x.code})", bt, "")
        if isinstance(e, ir.Cmp):
            a, c = self.operand(e.left), self.operand(e.right)
            t = self.tmp()
            if e.op in ("=", "≠"):
                self.stmt(f"{t} = {'!' if e.op == '≠' else ''}rt.eq({a.code}, {c.code});")
            else:
                from .javascript import _CMP

                self.stmt(f"{t} = (rt.cmp({a.code}, {c.code}) {_CMP[e.op]});")
            return self.shown(t, bt, "")
        if isinstance(e, ir.EnumIs):
            x = self.lower(e.subject)
            if not e.members:
                return self.shown("false", bt, "")
            from .javascript import js_json

            t = self.tmp()
            self.stmt(f"{t} = {js_json(list(e.members))}.includes({x.code});")
            return self.shown(t, bt, "")
        if isinstance(e, ir.FyCall) and isinstance(e.type, BoolType):
            x = self.lower(e.arg)
            t = self.tmp()
            cmp = "<=" if e.func == "上半期" else ">"
            self.stmt(f"{t} = (rt.fyMonth({x.code}, {int(self.reg.fy_start)}) {cmp} 6);")
            return self.shown(t, bt, "")
        return self.lower(e)

    def operand(self, e) -> XV:
        return self.lower_bool(e) if isinstance(e.type, BoolType) else self.lower(e)

    def boolean(self, e) -> XV:
        x = self.lower_bool(e)
        self.stmt(f"rt.condition({self.node}, {self.js_str(self.cond_text(e))}, {self.involved(e)}, {x.code});")
        return x

    def l_Cond(self, e: ir.Cond) -> XV:
        c = self.lower_bool(e.cond).code
        t = self.tmp()
        text, vals = self.js_str(self.cond_text(e.cond)), self.involved(e.cond)
        self.open_if(c)
        for k, (arm, result) in enumerate(((e.then, True), (e.else_, False))):
            if k:
                self.else_()
            self.stmt(f"rt.branch({self.node}, {text}, {vals}, {'true' if result else 'false'}, {self.js_str(self.src(arm))});")
            x = self.top(arm)
            self.stmt(f"{t} = {x.code};")
        self.close()
        return self.shown(t, e.type)

    def l_Match(self, e: ir.Match) -> XV:
        from .javascript import js_json

        s = self.lower(e.subject)
        labels = dict(self.reg.enums[e.subject.type.name].values)
        subject = self.tmp()
        self.stmt(f"{subject} = {s.code};")
        t = self.tmp()
        n = len(e.arms)
        opened = 0
        for k, (members, v) in enumerate(e.arms):
            last = k == n - 1 or not members
            if not last:
                self.open_if(f"{js_json(list(members))}.includes({subject})")
                opened += 1
            arm = "・".join(labels[m] for m in members) if members else "それ以外"
            self.stmt(f"rt.match({self.node}, {s.term}, {self.js_str(arm)}, {self.js_str(self.src(v))});")
            x = self.top(v)
            self.stmt(f"{t} = {x.code};")
            if last:
                break
            self.else_()
        for _ in range(opened):
            self.close()
        return self.shown(t, e.type)

    def l_Branches(self, e: ir.Branches) -> XV:
        t = self.tmp()
        opened = 0
        for c, v in e.arms:
            if c is None:
                self.stmt(f"rt.caseStep({self.node}, 'それ以外', [], {self.js_str(self.src(v))});")
                x = self.top(v)
                self.stmt(f"{t} = {x.code};")
                break
            cond = self.lower_bool(c).code
            self.open_if(cond)
            opened += 1
            self.stmt(f"rt.caseStep({self.node}, {self.js_str(self.cond_text(c))}, {self.involved(c)}, {self.js_str(self.src(v))});")
            x = self.top(v)
            self.stmt(f"{t} = {x.code};")
            self.else_()
        else:
            self.stmt(f"{t} = rt.noRow('場合', null);")
        for _ in range(opened):
            self.close()
        return self.shown(t, e.type)

    def l_Round(self, e: ir.Round) -> XV:
        from .javascript import _ROUND

        x = self.lower(e.value)
        t = self.tmp()
        self.stmt(f"{t} = rt.round({self.js_str(_ROUND[e.mode])}, {x.code}, {int(e.unit)}n);")
        self.stmt(f"rt.rounding({self.node}, {self.desc(x)}, {x.code}, {t}, {self.fd(e.type)}, "
                  f"{self.js_str(e.mode)}, {self.js_str(e.unit_text)});")
        return self.shown(t, e.type)

    def l_MinMax(self, e: ir.MinMax) -> XV:
        xs = [self.lower(a) for a in e.args]
        fn = "minOf" if e.func in ("最小", "上限") else "maxOf"
        t = self.tmp()
        self.stmt(f"{t} = rt.{fn}([{', '.join(x.code for x in xs)}]);")
        descs = ", ".join(self.short(self.desc(x)) for x in xs)
        self.stmt(f"rt.cap({self.node}, {self.js_str(e.func)}, [{descs}], [{', '.join(x.code for x in xs)}], "
                  f"{t}, {self.fd(e.type)});")
        return self.shown(t, e.type)

    def l_FyCall(self, e: ir.FyCall) -> XV:
        x = self.lower(e.arg)
        fy = int(self.reg.fy_start)
        t = self.tmp()
        u = unit_of(e.type, fy)
        place = f"rt.fyMonth({x.code}, {fy})"
        value = {ir.MONTHS_AFTER: f"BigInt(12 - {place})", ir.MONTHS_INCLUDING: f"BigInt(13 - {place})"}.get(
            e.func, f"BigInt({place})")
        self.stmt(f"{t} = {value};")
        if e.func == ir.MONTH_OF:
            return XV(t, f"{x.term} + 'の月'", u, e.type)
        return XV(t, f"{self.term(e.func, t, e.type, u)} + '（' + {x.term} + '）'", u, e.type)

    def l_Aggregate(self, e: ir.Aggregate) -> XV:
        src = self.lower(e.source)
        if isinstance(e.source, ir.ParamRef):
            list_name = e.source.name
            label = self.labels.get(list_name, list_name)
        else:
            list_name = self.src(e.source) or "items"
            label = self.reg.records[e.source.type.element.name].label + "の一覧"
        rec = e.source.type.element.name
        f = self.tmp()
        var, index = self.g.fresh("l"), self.g.fresh("i")
        saved = self.fn, self.node, dict(self.labels), self.locals, self.nodes
        self.fn = _Fn()
        self.nodes = {}
        self.locals = {**self.locals, e.var: var}
        item = self.g.fresh("n")
        self.stmt(f"const {item} = rt.item({self.node}, {self.js_str(list_name)}, {self.js_str(label)}, {index}, {var}, "
                  f"{self.record_fields(rec)}, {self.fd(e.body.type)});")
        self.node = item
        self.labels[e.var] = self.reg.records[rec].label
        x = self.top(e.body)
        self.stmt(f"{item}.value = {x.code};")
        self.stmt(f"return {x.code};")
        inner = self.fn
        self.fn, self.node, self.labels, self.locals, self.nodes = saved
        temps = [f"let {', '.join(inner.temps)};"] if inner.temps else []
        self.stmt(f"{f} = ({var}, {index}) => {{")
        self.fn.lines.extend(temps + inner.lines)
        self.stmt("};")
        items, acc = self.tmp(), self.tmp()
        self.stmt(f"{items} = {src.code};")
        fn = "countItems" if e.func == "件数" else "sumItems"
        self.stmt(f"{acc} = rt.{fn}({f}, {items});")
        self.stmt(f"rt.aggregate({self.node}, {self.js_str(e.func)}, {self.js_str(label)}, {items}.length, {acc}, {self.fd(e.type)});")
        return XV(acc, self.term(e.func + "（" + label + "）", acc, e.type), unit_of(e.type), e.type)

    def l_Lookup(self, e: ir.Lookup) -> XV:
        key = self.lower(e.key)
        col = self.lower(e.column).code if e.column is not None else "null"
        t = self.tmp()
        self.stmt(f"{t} = rt.rowOf({self.node}, {self.table(e)}, {self.short(self.desc(key))}, {key.code}, {col});")
        return self.shown(t, e.type)

    def l_CatLookup(self, e: ir.CatLookup) -> XV:
        key = self.lower(e.key)
        k, t = self.tmp(), self.tmp()
        self.stmt(f"{k} = {key.code};")
        self.stmt(f"{t} = rt.category({self.node}, {self.cat_table(e)}, {k}, {self.fd(e.type)});")
        if e.fallback is not None:
            self.open_if(f"{t} === null")
            x = self.top(e.fallback)
            self.stmt(f"{t} = {x.code};")
            self.close()
        table = self.reg.cat_tables[e.table]
        label = next(c.label for c in table.columns if c.name == e.column)
        return XV(t, self.term(label, t, e.type), unit_of(e.type), e.type)

    def cat_table(self, e: ir.CatLookup) -> str:
        t = self.reg.cat_tables[e.table]
        k = [c.name for c in t.columns].index(e.column)

        def code():
            cells = []
            for m, v in e.cells:
                row = next(r for r in t.rows if m in r.members)
                lit = "null" if v is None else self.g.num(v)
                written = row.cell_texts[k] if row.cells[k] is None else ""
                cells.append(f"{self.js_str(m)}: [{self.js_str(row.text)}, {lit}, {self.js_str(written)}]")
            return f"[{self.js_str(t.label)}, {self.js_str(t.columns[k].label)}, {{{', '.join(cells)}}}]"

        return self.g.const(("xcat", e.table, e.column), code)

    def table(self, e: ir.Lookup) -> str:
        from .javascript import js_json

        def lit(v):
            return "null" if v is None else self.g.num(v)

        def code():
            rows = []
            for r in e.rows:
                iv = r.interval
                values = "[" + ", ".join(lit(v) for v in r.values) + "]"
                if iv is None:
                    head = "true, null, false, null, false"
                else:
                    head = (f"false, {lit(iv.lo)}, {'true' if iv.lo_incl else 'false'}, {lit(iv.hi)}, "
                            f"{'true' if iv.hi_incl else 'false'}")
                # The row as the regulation prints it (表記), as explain.py shows it.
                rows.append(f"[{head}, {self.js_str(r.printed or r.text)}, {self.js_str(r.display)}, {values}]")
            columns = js_json(list(e.column_names))
            col_labels = (js_json(dict(self.reg.enums[e.column.type.name].values)) if e.column is not None else "null")
            return (f"[{self.js_str(e.table)}, {self.fd(e.type)}, {columns}, {col_labels}, "
                    f"[{', '.join(rows)}]]")

        return self.g.const(("xtable", e.table), code)
