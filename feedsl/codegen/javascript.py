"""IR → a self-contained JavaScript script: the entries, for a calculator in the page.

``generate(reg)`` returns an ES2020 *script* (no import/export, no eval, no
``new Function``) that registers ``globalThis.feedsl[<regulation name>]``
(see README, "JavaScript"). It runs in a browser ``<script>`` and in Node.

Semantics are the Python module's (:mod:`feedsl.codegen.python`), checked by
tests/test_javascript.py against it on the same inputs: exact arithmetic
(whole numbers BigInt, fractions BigInt/BigInt: never a float), half-up
rounding on the magnitude, the same input checks in the same order with the
same Japanese messages (feedsl/runtime.js ports feedsl.runtime and
feedsl.values).

Safety: text from the ``.fee`` file (labels, clauses, names, row texts)
reaches the script only as JSON string literals (:func:`js_str`, which also
escapes ``<``, ``>``, ``&`` and U+2028/2029, so the script can sit inside an
HTML ``<script>`` element); every code name is minted here (``r<n>``,
``K<n>``, ``l<n>``), never an author name.
"""

from __future__ import annotations

import datetime
import json
from fractions import Fraction
from importlib import resources

from .. import __version__, ir
from .. import needed as _needed
from ..ir import BoolType, DateType, EnumType, ListType, QType, RecordType
from . import names
from .explain import unit_of
from .jsexplain import XJS
from .python import _Gen as _PyGen

__all__ = ["generate", "from_module", "runtime_source", "js_str", "UnsupportedForJS"]


class UnsupportedForJS(Exception):
    """A construct the JavaScript back end does not compile (never emitted as wrong code)."""


def runtime_source() -> str:
    """feedsl/runtime.js: include it once per page before any generated script
    (``generate(..., runtime=True)`` inlines it; a second copy is a no-op)."""
    return resources.files("feedsl").joinpath("runtime.js").read_text(encoding="utf-8")


_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def js_str(s: str) -> str:
    """A JS string literal for any text: JSON, with the characters that could end
    a ``<script>`` element or a JS line escaped."""
    out = json.dumps(str(s), ensure_ascii=False)
    return "".join(_ESCAPES.get(c, c) for c in out)


def js_json(v) -> str:
    """A JS literal for JSON-ready data (dicts, lists, str, int, bool, None), safely escaped."""
    out = json.dumps(v, ensure_ascii=False)
    return "".join(_ESCAPES.get(c, c) for c in out)


def _bigint(n: int) -> str:
    return f"{int(n)}n"


_CMP = {"≤": "<= 0", "≥": ">= 0", "<": "< 0", ">": "> 0"}
_ROUND = {"四捨五入": "half_up", "切り捨て": "down", "切り上げ": "up"}


def kind_of(t) -> str:
    """What a value is, for formatting and for forms: count, rate, bool, enum, date, record, list."""
    if isinstance(t, QType):
        return "count" if t.integral else "rate"
    if isinstance(t, BoolType):
        return "bool"
    if isinstance(t, EnumType):
        return "enum"
    if isinstance(t, DateType):
        return "date"
    if isinstance(t, RecordType):
        return "record"
    if isinstance(t, ListType):
        return "list"
    raise UnsupportedForJS(f"type {t}")


def _exact(v) -> str | None:
    """A number as exact text for metadata ('3/4', '1000'), None for None."""
    if v is None:
        return None
    v = Fraction(v)
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


class _JS:
    def __init__(self, reg: ir.RegulationIR):
        self.reg = reg
        self.consts: list[str] = []
        self.minted: dict = {}
        self.n = 0
        self.input_index = {n: k for k, n in enumerate(reg.inputs)}
        self.rule_index = {n: k for k, n in enumerate(reg.rules)}
        # The public class names the Python module gives records (messages name them).
        namer = names.Namer(set(reg.rules))
        for n in reg.enums:
            namer.public_class(n)
        self.record_class = {n: namer.public_class(n) for n in reg.records}
        self.py = _PyGen(reg)  # which rules the Python module inlines (explain shows values as it does)
        self.x = XJS(self)

    # --- names and constants -------------------------------------------------
    def fresh(self, kind: str) -> str:
        self.n += 1
        return f"{kind}{self.n}"

    def const(self, key, code_fn) -> str:
        """A module-level constant, minted once per ``key``."""
        name = self.minted.get(key)
        if name is None:
            name = self.minted[key] = self.fresh("K")
            self.consts.append(f"const {name} = {code_fn()};")
        return name

    def num(self, v) -> str:
        v = Fraction(v)
        if v.denominator == 1:
            return _bigint(v.numerator)
        return self.const(("Q", v.numerator, v.denominator),
                          lambda: f"Q({_bigint(v.numerator)}, {_bigint(v.denominator)})")

    def literal(self, v, t) -> str:
        if v is None:
            return "null"
        if isinstance(t, BoolType) or isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(t, EnumType):
            return js_str(str(v))
        if isinstance(v, datetime.date):
            return js_str(v.isoformat())
        if isinstance(v, (int, Fraction)):
            return self.num(v)
        raise UnsupportedForJS(f"constant {v!r}")

    def enum_values(self, name: str) -> str:
        en = self.reg.enums[name]
        return self.const(("enum", name), lambda: js_json([[n, lab] for n, lab in en.values]))

    def enum_labels(self, name: str) -> str:
        en = self.reg.enums[name]
        return self.const(("labels", name), lambda: js_json(dict(en.values)))

    def info(self, key, name: str, label: str, unit: str, minimum: int) -> str:
        return self.const(("info",) + key, lambda: js_json([name, label, unit, minimum]))

    def input_info(self, name: str) -> str:
        inp = self.reg.inputs[name]
        return self.info(("input", name), name, inp.label, *self._unit_min(inp))

    @staticmethod
    def _unit_min(inp) -> tuple[str, int]:
        unit = inp.unit_text if inp.unit_text != "無単位" else ""
        return unit, int(inp.minimum) if inp.minimum is not None else 0

    def param_info(self, rule: ir.RuleIR, pn: str, pt) -> str:
        pin = next((p for p in rule.param_inputs if p.name == pn), None)
        unit, minimum = ("", 0) if pin is None else self._unit_min(pin)
        label = self.x.param_label(rule, pn, pt)  # as explain() labels it
        return self.info(("param", rule.name, pn), pn, label, unit, minimum)

    # --- checking values -------------------------------------------------------
    def check(self, code: str, t, info: str, minimum, exclusive: bool = False) -> str:
        """JS for ``code`` (a caller's value) checked as a value of type ``t``."""
        if isinstance(t, QType):
            if t.integral:
                return f"rt.count({code}, {info})"
            low = self.num(Fraction(minimum or 0))
            return f"rt.rate({code}, {info}, {low}, {'true' if exclusive else 'false'})"
        if isinstance(t, BoolType):
            return f"rt.bool({code}, {info})"
        if isinstance(t, EnumType):
            allowed = "null"
            if t.members is not None:
                allowed = js_json([m for m, _ in self.reg.enums[t.name].values if m in t.members])
            return f"rt.enumArg({code}, {info}, {self.enum_values(t.name)}, {allowed})"
        if isinstance(t, DateType):
            return f"rt.dateArg({code}, {info})"
        if isinstance(t, RecordType):
            return f"rt.recordArg({code}, {info}, {self.record(t.name)})"
        if isinstance(t, ListType) and isinstance(t.element, RecordType):
            return f"rt.listArg({code}, {info}, {self.record(t.element.name)})"
        raise UnsupportedForJS(f"input of type {t}")

    def default(self, inp) -> str:
        return self.literal(inp.default, inp.type)

    def given(self, src: str, key: str, inp) -> str:
        """The caller's value of ``key`` in object ``src``, or the input's default."""
        code = f"{src}[{js_str(key)}]"
        if inp.has_default:
            return f"({code} === undefined ? {self.default(inp)} : {code})"
        return code

    def record(self, name: str) -> str:
        """The record's descriptor: its fields, label, class name and ``make`` (checks the fields)."""
        key = ("record", name)
        if key in self.minted:
            return self.minted[key]
        rec = self.reg.records[name]
        cname = self.minted[key] = self.fresh("K")
        table = {f.name: f for f in rec.fields}
        later = _needed.check_order([f.name for f in rec.fields if f.needed is not None], table, ir.ParamRef)
        env = {f.name: f"o[{js_str(f.name)}]" for f in rec.fields}
        lines = []
        for f in [f for f in rec.fields if f.needed is None] + [table[n] for n in later]:
            info = self.info(("field", name, f.name), f.name, f.label, *self._unit_min(f))
            got = self.given("v", f.name, f)
            slot = f"o[{js_str(f.name)}]"
            if f.needed is None:
                lines.append(f"{slot} = {self.check(got, f.type, info, f.minimum, f.min_exclusive)};")
            else:
                cond = self.emit(f.needed, env)
                when = js_str(_needed.when(f.needed_words))
                lines.append(f"if ({got} === undefined) {{ if ({cond}) rt.neededMissing({info}, {when}); {slot} = null; }}"
                             f" else {slot} = {self.check(got, f.type, info, f.minimum, f.min_exclusive)};")
        fields = js_json([f.name for f in rec.fields])
        body = " ".join(lines)
        self.consts.append(
            f"const {cname} = {{fields: {fields}, label: {js_str(rec.label)}, cls: {js_str(self.record_class[name])}, "
            f"make(v) {{ const o = {{}}; {body} const out = {{}}; for (const k of {fields}) out[k] = o[k]; return out; }}}};")
        return cname

    # --- rules ---------------------------------------------------------------
    def rule_fn(self, rule: ir.RuleIR) -> str:
        k = self.rule_index[rule.name]
        env = {pn: self.fresh("p") for pn, _ in rule.params}
        body = self.emit(rule.expr, env)
        if rule.params:
            return f"function r{k}(C, {', '.join(env.values())}) {{ return {body}; }}"
        return f"function r{k}(C) {{ const m = C.m[{k}]; return m !== undefined ? m : (C.m[{k}] = {body}); }}"

    def entry_fn(self, rule: ir.RuleIR) -> str:
        k = self.rule_index[rule.name]
        allowed = [pn for pn, _ in rule.params] + list(rule.inputs)
        lines = [f"function e{k}(args, explain) {{",
                 f"  args = rt.argsOf({js_str(rule.name)}, args, {js_json(allowed)});",
                 "  const C = {i: [], m: []};"]
        params = []
        for j, (pn, pt) in enumerate(rule.params):
            pin = rule.param_inputs[j] if j < len(rule.param_inputs) else None
            v = self.fresh("p")
            params.append(v)
            check = self.check(f"args[{js_str(pn)}]", pt, self.param_info(rule, pn, pt),
                               pin.minimum if pin else None, pin.min_exclusive if pin else False)
            lines.append(f"  const {v} = {check};")
        inputs = self.reg.inputs
        later = _needed.check_order([n for n in rule.inputs if inputs[n].needed is not None
                                     and n not in rule.always], inputs)
        for n in [n for n in rule.inputs if n not in later] + later:
            inp = inputs[n]
            slot = f"C.i[{self.input_index[n]}]"
            check = self.check(self.given("args", n, inp), inp.type, self.input_info(n), inp.minimum, inp.min_exclusive)
            if n in later:
                cond = self.emit(inp.needed, {})
                when = js_str(_needed.when(inp.needed_words))
                lines.append(f"  if ({self.given('args', n, inp)} === undefined) {{ if ({cond}) "
                             f"rt.neededMissing({self.input_info(n)}, {when}); {slot} = null; }} else {slot} = {check};")
            else:
                lines.append(f"  {slot} = {check};")
        have = set(rule.inputs)
        for rel in self.reg.relations:
            if not rel.inputs or not set(rel.inputs) <= have:
                continue
            given = [n for n in rel.inputs if inputs[n].needed is not None]
            guard = " && ".join(f"C.i[{self.input_index[n]}] !== null" for n in given)
            cond = self.emit(rel.expr, {})
            shown = ", ".join(self.shown_input(n) for n in rel.inputs)
            label = rel.label or "入力の前提に反します"
            test = f"!({cond})" if not guard else f"{guard} && !({cond})"
            lines.append(f"  if ({test}) rt.relationFailed({js_str(label)}, {js_str(rel.text)}, [{shown}]);")
        args = "".join(", " + p for p in params)
        lines.append(f"  const value = r{k}(C{args});")
        lines.append("  if (!explain) return [value, null];")
        lines.append(f"  const node = x{k}(C{args});")
        lines.extend("  " + s for s in self.x.entry_extras(rule, "node", params))
        lines.append("  if (!rt.eq(node.value, value)) throw new Error('feedsl: the breakdown disagrees with the amount');")
        lines.append("  return [value, node];")
        lines.append("}")
        return "\n".join(lines)

    def shown_input(self, n: str) -> str:
        inp = self.reg.inputs[n]
        labels = self.enum_labels(inp.type.name) if isinstance(inp.type, EnumType) else "null"
        return f"[{self.input_info(n)}, C.i[{self.input_index[n]}], {js_str(kind_of(inp.type))}, {labels}]"

    # --- expressions -------------------------------------------------------------
    def emit(self, e, env: dict) -> str:
        meth = getattr(self, "x_" + type(e).__name__, None)
        if meth is None:
            raise UnsupportedForJS(f"IR node {type(e).__name__}")
        return meth(e, env)

    def x_Const(self, e: ir.Const, env):
        return self.literal(e.value, e.type)

    def x_InputRef(self, e, env):
        return f"C.i[{self.input_index[e.name]}]"

    def x_ParamRef(self, e, env):
        return env[e.name]

    def x_RuleRef(self, e: ir.RuleRef, env):
        r = self.reg.rules[e.name]
        args = [self.arg(r, k, a, env) for k, a in enumerate(e.args)]
        return f"r{self.rule_index[e.name]}(C{''.join(', ' + a for a in args)})"

    def arg(self, callee: ir.RuleIR, k: int, a, env) -> str:
        """An argument, checked against the parameter's 範囲 where the checker cannot prove it."""
        code = self.emit(a, env)
        pin = callee.param_inputs[k] if k < len(callee.param_inputs) else None
        if pin is None or not isinstance(pin.type, QType):
            return code
        minimum = pin.minimum or 0
        lo = a.type.lo if isinstance(a.type, QType) else None
        if lo is not None and lo >= minimum:
            return code
        info = self.param_info(callee, pin.name, pin.type)
        low = self.num(Fraction(minimum))
        v = self.fresh("a")
        fail = f"rt.count({v}, {info})" if pin.type.integral else f"rt.rate({v}, {info}, {low}, false)"
        return f"(({v}) => rt.cmp({v}, {low}) >= 0 ? {v} : {fail})({code})"

    def x_Arith(self, e: ir.Arith, env):
        a, b = self.emit(e.left, env), self.emit(e.right, env)
        if e.op == "÷":
            what, ins = self.py.divisor(e.right)  # the Python module's message
            infos = ", ".join(self.input_info(i.name) for i in ins)
            return f"rt.divide({a}, {b}, {js_str(what)}, [{infos}])"
        fn = {"+": "add", "-": "sub", "×": "mul"}[e.op]
        return f"{fn}({a}, {b})"

    def x_Cmp(self, e: ir.Cmp, env):
        a, b = self.emit(e.left, env), self.emit(e.right, env)
        if e.op == "=":
            return f"rt.eq({a}, {b})"
        if e.op == "≠":
            return f"!rt.eq({a}, {b})"
        return f"(rt.cmp({a}, {b}) {_CMP[e.op]})"

    def x_EnumIs(self, e: ir.EnumIs, env):
        return f"{js_json(list(e.members))}.includes({self.emit(e.subject, env)})"

    def x_BoolOp(self, e: ir.BoolOp, env):
        op = "&&" if e.op == "and" else "||"
        return f"({self.emit(e.left, env)} {op} {self.emit(e.right, env)})"

    def x_NotOp(self, e: ir.NotOp, env):
        return f"(!{self.emit(e.operand, env)})"

    def x_Cond(self, e: ir.Cond, env):
        return f"({self.emit(e.cond, env)} ? {self.emit(e.then, env)} : {self.emit(e.else_, env)})"

    def x_Branches(self, e: ir.Branches, env):
        parts = []
        for c, v in e.arms:
            if c is None:
                parts.append(self.emit(v, env))
                break
            parts.append(f"{self.emit(c, env)} ? {self.emit(v, env)} :")
        else:  # pragma: no cover - the checker requires それ以外
            parts.append("rt.noRow('場合', null)")
        return "(" + " ".join(parts) + ")"

    def x_Match(self, e: ir.Match, env):
        s = self.fresh("s")
        parts = []
        for k, (members, v) in enumerate(e.arms):
            if not members or k == len(e.arms) - 1:
                parts.append(self.emit(v, env))
                break
            parts.append(f"{js_json(list(members))}.includes({s}) ? {self.emit(v, env)} :")
        return f"(({s}) => {' '.join(parts)})({self.emit(e.subject, env)})"

    def x_Round(self, e: ir.Round, env):
        return f"rt.round({js_str(_ROUND[e.mode])}, {self.emit(e.value, env)}, {_bigint(e.unit)})"

    def x_MinMax(self, e: ir.MinMax, env):
        fn = "minOf" if e.func in ("最小", "上限") else "maxOf"
        return f"rt.{fn}([{', '.join(self.emit(a, env) for a in e.args)}])"

    def x_FyCall(self, e: ir.FyCall, env):
        d = self.emit(e.arg, env)
        place = f"rt.fyMonth({d}, {int(self.reg.fy_start)})"
        if e.func in (ir.FISCAL_MONTH, ir.MONTH_OF):
            return f"BigInt({place})"
        if e.func == ir.MONTHS_AFTER:
            return f"BigInt(12 - {place})"
        if e.func == ir.MONTHS_INCLUDING:
            return f"BigInt(13 - {place})"
        if e.func == "上半期":
            return f"({place} <= 6)"
        if e.func == "下半期":
            return f"({place} > 6)"
        raise UnsupportedForJS(f"date function {e.func}")

    def x_FieldGet(self, e: ir.FieldGet, env):
        return f"{self.emit(e.obj, env)}[{js_str(e.name)}]"

    def x_Aggregate(self, e: ir.Aggregate, env):
        src = self.emit(e.source, env)
        where = e.source.name if isinstance(e.source, (ir.InputRef, ir.ParamRef)) else "一覧"
        var = self.fresh("l")
        body = self.emit(e.body, {**env, e.var: var})
        fn = "rt.countOver" if e.func == "件数" else "rt.sumOver"
        return f"{fn}(({var}) => {body}, {src}, {js_str(where)})"

    def x_Lookup(self, e: ir.Lookup, env):
        rows = [r for r in e.rows if r.interval is not None]
        else_row = next((r for r in e.rows if r.interval is None), None)

        def lit(v):
            return "null" if v is None else self.num(v)

        def bounds():
            return "[" + ", ".join(
                f"[{lit(r.interval.lo)}, {'true' if r.interval.lo_incl else 'false'}, "
                f"{lit(r.interval.hi)}, {'true' if r.interval.hi_incl else 'false'}]" for r in rows) + "]"

        def column(k):
            return "[" + ", ".join(lit(r.values[k]) for r in rows) + "]"

        rname = self.const(("rows", e.table), bounds)
        key = self.emit(e.key, env)
        if e.column is None:
            vname = self.const(("values", e.table), lambda: column(0))
            other = lit(else_row.values[0]) if else_row is not None else "undefined"
            return f"rt.lookup({key}, {rname}, {vname}, {other}, {js_str(e.table)})"
        names_ = list(e.column_names)
        vname = self.const(("values", e.table), lambda: "{" + ", ".join(
            f"{js_str(c)}: {column(k)}" for k, c in enumerate(names_)) + "}")
        if else_row is not None:
            oname = self.const(("else", e.table), lambda: "{" + ", ".join(
                f"{js_str(c)}: {lit(else_row.values[k])}" for k, c in enumerate(names_)) + "}")
        col = self.fresh("c")
        other = f"{oname}[{col}]" if else_row is not None else "undefined"
        return (f"(({col}) => rt.lookup({key}, {rname}, {vname}[{col}], {other}, {js_str(e.table)}))"
                f"({self.emit(e.column, env)})")

    def x_CatLookup(self, e: ir.CatLookup, env):
        def cells():
            return "{" + ", ".join(f"{js_str(m)}: {self.num(v)}" for m, v in e.cells if v is not None) + "}"

        table = self.const(("cat", e.table, e.column), cells)
        k = self.fresh("k")
        fallback = self.emit(e.fallback, env) if e.fallback is not None else "undefined"
        return f"(({k}) => Object.prototype.hasOwnProperty.call({table}, {k}) ? {table}[{k}] : {fallback})({self.emit(e.key, env)})"

    # --- metadata -------------------------------------------------------------------
    def type_info(self, t) -> dict:
        d = {"kind": kind_of(t)}
        if isinstance(t, QType):
            d["unit"] = "" if t.dim == ir.NODIM else ir.dim_str(t.dim)
        if isinstance(t, EnumType):
            en = self.reg.enums[t.name]
            d["enum"] = t.name
            d["options"] = [[n, lab] for n, lab in en.values if t.members is None or n in t.members]
        if isinstance(t, (RecordType, ListType)):
            rec = self.reg.records[t.name if isinstance(t, RecordType) else t.element.name]
            d["record"] = rec.name
            d["record_label"] = rec.label
            d["fields"] = [self.input_meta(f) for f in rec.fields]
        return d

    def input_meta(self, inp, *, always: bool = False, param: bool = False) -> dict:
        d = {"name": inp.name, "label": inp.label, "description": inp.description}
        d.update(self.type_info(inp.type))
        if isinstance(inp.type, QType):
            d["unit_text"] = inp.unit_text if inp.unit_text != "無単位" else ""
        d["has_default"] = bool(inp.has_default)
        default = inp.default if inp.has_default else None
        if isinstance(default, (int, Fraction)) and not isinstance(default, bool):
            default = _exact(default)
        elif isinstance(default, datetime.date):
            default = default.isoformat()
        d["default"] = default
        d["minimum"] = _exact(inp.minimum)
        d["min_exclusive"] = bool(inp.min_exclusive)
        conditional = inp.needed is not None and not always and not param
        d["required"] = not inp.has_default and not conditional
        d["needed"] = _needed.only_text(inp) if conditional else ""
        d["parameter"] = param
        return d

    def entries_info(self) -> dict:
        out = {}
        for name, rule in self.reg.rules.items():
            params = []
            for k, (pn, pt) in enumerate(rule.params):
                pin = rule.param_inputs[k] if k < len(rule.param_inputs) else None
                if pin is not None:
                    params.append(self.input_meta(pin, param=True))
                else:
                    params.append({"name": pn, "label": pn, "description": "", **self.type_info(pt),
                                   "has_default": False, "default": None, "minimum": None,
                                   "min_exclusive": False, "required": True, "needed": "", "parameter": True})
            out[name] = {
                "name": name, "label": rule.label, "clause": rule.clause, "is_table": rule.is_table,
                **self.type_info(rule.type), "shown_unit": unit_of(rule.type, self.reg.fy_start),
                "notes": [[k, t] for k, t in rule.notes],
                "inputs": params + [self.input_meta(self.reg.inputs[n], always=n in rule.always)
                                    for n in rule.inputs],
            }
        return out

    # --- the script -----------------------------------------------------------------
    def script(self, version: dict | None, unavailable: dict | None) -> str:
        reg = self.reg
        rules = [self.rule_fn(r) for r in reg.rules.values()]
        rules += [self.x.rule_fn(r) for r in reg.rules.values()]
        entries = [self.entry_fn(r) for r in reg.rules.values()]
        table = []
        unavailable = unavailable or {}
        for name in unavailable:
            if name not in reg.rules:  # an entry of a later version: its message says from when
                table.append(f"  {js_str(name)}: unavailable({js_str(unavailable[name])}),")
        for name, rule in reg.rules.items():
            k = self.rule_index[name]
            labels = self.enum_labels(rule.type.name) if isinstance(rule.type, EnumType) else "null"
            if name in unavailable:
                table.append(f"  {js_str(name)}: unavailable({js_str(unavailable[name])}),")
            else:
                table.append(f"  {js_str(name)}: entry(e{k}, {js_str(kind_of(rule.type))}, "
                             f"{js_str(unit_of(rule.type, reg.fy_start))}, {labels}),")
        read_types = {n: self.type_info(inp.type) for n, inp in reg.inputs.items()}
        out = [
            f"// Generated from {js_str(reg.path)} by feedsl {__version__} -- do not edit.",
            "(function () {",
            '"use strict";',
            "const rt = globalThis.feedsl.runtime;",
            "const { Q, add, sub, mul } = rt;",
            *self.consts,
            *rules,
            *entries,
            "function entry(fn, kind, unit, labels) {",
            "  return function (args, options) {",
            "    const explain = !(options && options.breakdown === false);",
            "    let [value, node] = fn(args, explain);",
            '    if (kind === "rate" && typeof value === "bigint") value = new rt.Frac(value, 1n);',
            "    return { value, text: rt.formatValue(value, unit, kind, labels), breakdown: node && node.toDict() };",
            "  };",
            "}",
            "function unavailable(message) {",
            '  return function () { throw new rt.FeeInputError(message, "as_of", "基準日"); };',
            "}",
            "const R = {",
            f"  name: {js_str(reg.name)},",
            f"  title: {js_str(reg.label)},",
            f"  fiscal_year_start: {int(reg.fy_start)},",
            f"  version: {js_json(version) if version else 'null'},",
            "  FeeInputError: rt.FeeInputError,",
            f"  entries_info: {js_json(self.entries_info())},",
            "  entries: {",
            *table,
            "  },",
            "};",
            f"const READ = {js_json(read_types)};",
            "R.read = function (name, text, entryName) {",
            "  let t = Object.prototype.hasOwnProperty.call(READ, name) ? READ[name] : null;",
            "  if (entryName !== undefined && Object.prototype.hasOwnProperty.call(R.entries_info, entryName)) {",
            "    const p = R.entries_info[entryName].inputs.find((i) => i.name === name);",
            "    if (p) t = p;",
            "  }",
            '  if (t === null) throw new TypeError("no input " + name);',
            "  return rt.readInput(name, text, t);",
            "};",
            "globalThis.feedsl[R.name] = R;",
            "})();",
        ]
        return "\n".join(out) + "\n"


def generate(reg: ir.RegulationIR, *, version: dict | None = None, unavailable: dict | None = None,
             runtime: bool = True) -> str:
    """The JavaScript script of a checked regulation (see the module docstring).

    ``version`` is the module's ``VERSION`` (a file with 版) and ``unavailable``
    maps an entry the version lacks to its message (``feedsl.versions.attach``).
    With ``runtime`` the shared runtime (feedsl/runtime.js) is inlined first.
    Raises :class:`UnsupportedForJS` rather than emit code for what it does not compile."""
    from ..depth import run_deep

    # The generators recurse over the IR: on a deep stack, as every pass does (feedsl.depth).
    body = run_deep(lambda: _JS(reg).script(version, unavailable))
    return (runtime_source() + body) if runtime else body


def from_module(mod, *, runtime: bool = True) -> str:
    """The script for a module :func:`feedsl.load` gave: its IR, and for a file
    with 版 the version it was loaded for (``VERSION``, and the entries that
    version lacks, which throw FeeInputError naming the version)."""
    return generate(mod.__feedsl_ir__, version=getattr(mod, "VERSION", None),
                    unavailable=getattr(mod, "__feedsl_unavailable__", None), runtime=runtime)
