"""The checker: names, types, units and exact money; AST → IR.

Every problem becomes a diagnostic; checking goes on after an error so that an
author sees every mistake of a file in one run. Bracket tables are checked by
:mod:`feedsl.brackets`.
"""

from __future__ import annotations

import datetime
import difflib

import attrs
import keyword
from fractions import Fraction

from . import ast, ir
from .codegen.names import RESERVED_PUBLIC
from .brackets import check_table
from .diagnostics import Diagnostics
from . import needed as _needed
from .ir import NODIM, BoolType, DateType, EnumType, ErrorType, ListType, QType, RecordType
from .runtime import FeeEnum, FeeRecord
from .source import Span

ERR = ErrorType()
BOOL = BoolType()
DATE = DateType()

# Type words an author may write after ``入力 name:``.
_TYPE_WORDS = {"真偽": BOOL, "日付": DATE}
RATE = QType(NODIM, integral=False, lo=Fraction(0))
MONTHS = ("月", 1)

_BUILTIN_ARITY = {
    "四捨五入": 2, "切り捨て": 2, "切り上げ": 2,
    "最小": None, "最大": None, "上限": 2, "下限": 2,
    "年度の月": 1, "年度末までの月数": 1, "上半期": 1, "下半期": 1,
}


# Names a generated enum member or record field must not take: they would
# shadow what the generated classes themselves provide.
_ENUM_RESERVED = ({n for n in dir(FeeEnum) if not n.startswith("_")}
                  | {n for n in dir(type(FeeEnum)) if not n.startswith("_")} | {"name", "value", "label"})
_RECORD_RESERVED = {n for n in dir(FeeRecord) if not n.startswith("_")}


def _suggest(name: str, candidates) -> str:
    m = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return m[0] if m else ""


def _pyname_problem(name: str) -> str:
    if keyword.iskeyword(name):
        return "Python の予約語"
    if name.startswith("_"):
        return "_ で始まる名前"
    return ""


class Checker:
    def __init__(self, reg: ast.Regulation, diags: Diagnostics, source_text: str = ""):
        self.reg = reg
        self.d = diags
        self.source_text = source_text
        self.enums: dict[str, ir.EnumIR] = {}
        self.member_of: dict[str, list[str]] = {}
        self.records: dict[str, ir.RecordIR] = {}
        self.inputs: dict[str, ir.InputIR] = {}
        self.rule_ast: dict[str, ast.RuleDef] = {}
        self.rules: dict[str, ir.RuleIR] = {}
        self.rule_types: dict[str, object] = {}
        self.in_progress: list[str] = []
        self.used_inputs: set[str] = set()
        # rule → {parameter → enum values it may take}: set when a table's
        # columns are selected by an enum parameter and cover only some values.
        self.restrict: dict[str, dict[str, frozenset]] = {}
        self.fy_start = 4
        self._inputs_of: tuple[int, dict[str, frozenset]] | None = None
        self._input_order: dict[str, int] = {}
        self._member_names: dict[str, dict[str, str]] = {}
        self._entry_inputs: dict[str, tuple] | None = None  # with 必要 conditions' inputs
        self._always: dict[str, tuple] = {}

    # --- helpers ------------------------------------------------------------
    def err(self, code, span, ja, en="", hint="", hint_en=""):
        self.d.error(code, span, ja, en, hint, hint_en)

    def warn(self, code, span, ja, en="", hint="", hint_en=""):
        self.d.warning(code, span, ja, en, hint, hint_en)

    def declare(self, name: str, span: Span, seen: dict) -> bool:
        prob = _pyname_problem(name)
        if prob:
            self.err("F102", span, f"名前「{name}」は使えません（{prob}）。別の名前にしてください",
                     f"the name {name!r} cannot be used (a Python keyword or starts with _)")
            return False
        if name in seen:
            first = seen[name]
            self.err("F103", span, f"名前「{name}」は {first.line}行目 で既に定義されています",
                     f"{name!r} is already defined at line {first.line}",
                     "名前はファイルの中で一つにしてください", "names must be unique in a file")
            return False
        seen[name] = span
        return True

    # --- entry --------------------------------------------------------------
    def run(self) -> ir.RegulationIR:
        reg = self.reg
        seen: dict[str, Span] = {}
        meta = []
        for m in reg.meta:
            if m.key == "年度":
                try:
                    self.fy_start = int(m.value.split("月")[0])
                    assert 1 <= self.fy_start <= 12
                except (ValueError, AssertionError):
                    self.err("F109", m.span, f"年度の始まりの月が読めません: {m.value}",
                             "cannot read the fiscal year's first month", "例: 年度 4月始まり")
            meta.append((m.key, m.value))

        for e in reg.enums:
            if not self.declare(e.name, e.span, seen):
                continue
            vals = []
            vseen: dict[str, Span] = {}
            for v in e.values:
                if v.name in _ENUM_RESERVED:
                    self.err("F102", v.span, f"区分の値「{v.name}」は使えません（Python の列挙型の属性と同じ名前）。別の名前にしてください",
                             f"enum value {v.name!r} clashes with an attribute of Python enums; rename it")
                    continue
                if self.declare(v.name, v.span, vseen):
                    vals.append((v.name, v.label))
                    self.member_of.setdefault(v.name, []).append(e.name)
            self.enums[e.name] = ir.EnumIR(e.name, e.label, tuple(vals), span=e.span)

        for r in reg.records:
            if not self.declare(r.name, r.span, seen):
                continue
            fseen: dict[str, Span] = {}
            for f in r.fields:
                if f.name in _RECORD_RESERVED:
                    self.err("F102", f.span, f"項目名「{f.name}」は使えません（記録の働きと同じ名前）。別の名前にしてください",
                             f"field name {f.name!r} clashes with a record method; rename it")
            fields = tuple(self.input_ir(f) for f in r.fields
                           if f.name not in _RECORD_RESERVED and self.declare(f.name, f.span, fseen))
            self.records[r.name] = ir.RecordIR(r.name, r.label, fields, span=r.span)
            asts = {f.name: f for f in r.fields}
            fields = self.conditions(fields, asts, record=r.label)
            self.records[r.name] = ir.RecordIR(r.name, r.label, fields, span=r.span)

        for i in reg.inputs:
            if self.declare(i.name, i.span, seen):
                self.inputs[i.name] = self.input_ir(i)
        if any(i.needed is not None for i in reg.inputs):
            for i in self.conditions(tuple(self.inputs.values()), {i.name: i for i in reg.inputs}):
                self.inputs[i.name] = i

        for r in reg.rules:
            if r.name in RESERVED_PUBLIC:
                # A rule becomes a module-level function: it must not replace explain() or REGULATION.
                self.err("F102", r.span, f"名前「{r.name}」は使えません（生成されるモジュールが使う名前）。別の名前にしてください",
                         f"the name {r.name!r} cannot be used (the compiled module defines it)")
                continue
            if self.declare(r.name, r.span, seen):
                self.rule_ast[r.name] = r

        for name in self.rule_ast:
            self.rule(name)
        self.needed_analysis()

        relations = tuple(self.relation(r) for r in reg.relations)
        examples = tuple(x for x in (self.example(e) for e in reg.examples) if x is not None)

        for name, inp in self.inputs.items():
            if name not in self.used_inputs:
                self.warn("F501", inp.span, f"入力「{name}」（{inp.label}）はどの規則にも使われていません",
                          f"input {name!r} is not used by any rule",
                          "不要なら削除してください", "remove it if it is not needed")

        summaries = []
        for s in reg.summaries:
            names = []
            for n, span in s.names:
                if n in self.rules:
                    names.append(n)
                elif n in self.rule_ast:
                    pass  # the rule itself has an error, already reported
                else:
                    sug = _suggest(n, self.rule_ast)
                    self.err("F101", span, f"一覧の規則「{n}」は定義されていません",
                             f"the summary names an unknown rule {n!r}",
                             f"「{sug}」のことですか？" if sug else "", f"did you mean {sug!r}?" if sug else "")
            summaries.append((s.label, tuple(names)))

        # A rule that no other rule uses and no example exercises is either a
        # fee nobody has checked or a leftover: say so.
        referenced: set[str] = {e.entry for e in reg.examples}

        def refs(x):
            if isinstance(x, ir.RuleRef):
                referenced.add(x.name)
            for c in _children(x):
                refs(c)

        for r in self.rules.values():
            refs(r.expr)
        for name, r in self.rules.items():
            if name not in referenced and not self.d.has_errors:
                self.warn("F502", r.span, f"規則「{name}」（{r.label}）はほかの規則にも例にも使われていません",
                          f"rule {name!r} is used by no other rule and has no example",
                          f"会費として使うなら 例 {name}(…) = … を書いてください。不要なら削除してください",
                          f"add an example for it (例 {name}(…) = …) or remove it")

        # Transitive inputs for every rule.
        rules = {}
        for name, r in self.rules.items():
            rules[name] = ir.RuleIR(r.name, r.label, r.clause, r.params, r.expr, r.type, r.notes,
                                    r.is_table, tuple(self.entry_inputs(name)), r.param_inputs,
                                    span=r.span, always=self._always.get(name, ()))
        # An entry takes its parameters and its inputs as keyword arguments:
        # a parameter named like an input the rule also needs cannot be both.
        for name, r in rules.items():
            for pin in r.param_inputs:
                if pin.name in r.inputs:
                    self.err("F110", pin.span,
                             f"引数「{pin.name}」は、この規則が使う入力「{pin.name}」（{self.inputs[pin.name].label}）と同じ名前です。引数の名前を変えてください",
                             f"parameter {pin.name!r} has the name of input {pin.name!r}, which rule {name!r} also needs; rename the parameter")
        return ir.RegulationIR(reg.name, reg.label, reg.path, tuple(meta), self.fy_start,
                               self.enums, self.records, self.inputs, rules, relations,
                               examples, source_text=self.source_text,
                               summaries=tuple(summaries))

    # --- inputs -------------------------------------------------------------
    def resolve_type(self, t) -> object:
        if isinstance(t, ast.UnitType):
            if t.word in _TYPE_WORDS:
                return _TYPE_WORDS[t.word]
            if t.word == "割合":
                return RATE
            return QType(ir.dim_of(t.word), integral=True, lo=Fraction(0))
        if isinstance(t, ast.NamedType):
            if t.name in self.enums:
                return EnumType(t.name)
            if t.name in self.records:
                return RecordType(t.name)
            sug = _suggest(t.name, list(self.enums) + list(self.records))
            self.err("F101", t.span, f"型「{t.name}」は定義されていません",
                     f"unknown type {t.name!r}",
                     f"「{sug}」のことですか？" if sug else "単位（円・人・世帯…）、真偽、日付、区分の名前が書けます",
                     f"did you mean {sug!r}?" if sug else "")
            return ERR
        if isinstance(t, ast.ListType):
            return ListType(self.resolve_type(t.element))
        raise TypeError(f"unknown type node {t!r}")  # pragma: no cover

    def input_ir(self, i: ast.InputDef) -> ir.InputIR:
        typ = self.resolve_type(i.type)
        minimum = None
        exclusive = False
        if isinstance(typ, QType):
            minimum = Fraction(0)
            if i.domain is not None:
                q, bound = i.domain
                if bound not in ("以上", "超"):
                    self.err("F105", q.span, "範囲には下限（以上・超）を書いてください",
                             "a domain gives a lower bound (以上 or 超)", "例: 範囲 1口以上")
                else:
                    self.check_unit_literal(q, typ, q.span)
                    if bound == "以上":
                        minimum = q.value
                    elif typ.integral:
                        minimum = Fraction(q.value.numerator // q.value.denominator + 1)
                    else:
                        minimum, exclusive = q.value, True
            typ = QType(typ.dim, typ.integral, minimum)
        default = None
        has_default = i.default is not None
        if has_default:
            default = self.literal_value(i.default, typ, f"入力「{i.name}」の既定値")
        unit_text = str(typ) if isinstance(typ, QType) else ""
        return ir.InputIR(i.name, typ, i.label, i.description, default, has_default, minimum,
                          unit_text, span=i.span, min_exclusive=exclusive)

    def check_unit_literal(self, q: ast.Quantity, typ: QType, span: Span) -> bool:
        d = self.qdim(q)
        if q.unit.num == "" and not q.unit.percent:
            return True  # a bare number takes the unit it is compared with
        if d != typ.dim:
            self.err("F201", span, f"単位が合いません: {q.text} は「{ir.dim_str(d)}」、ここでは「{typ}」が必要です",
                     f"unit mismatch: {q.text} is {ir.dim_str(d)}, expected {typ}")
            return False
        return True

    def qdim(self, q: ast.Quantity):
        if q.unit.percent:
            return NODIM
        return ir.dim_of(q.unit.num, q.unit.den)

    def literal_value(self, lit, typ, what: str):
        """A literal (default or example value) as the Python value a caller passes."""
        if isinstance(typ, ErrorType):
            return None
        if isinstance(lit, ast.Num):
            if not isinstance(typ, QType):
                self.err("F202", lit.span, f"{what}: {typ} に数量 {lit.q.text} は書けません",
                         f"{what}: a quantity cannot be a {typ}")
                return None
            self.check_unit_literal(lit.q, typ, lit.span)
            v = lit.q.value
            if typ.integral:
                if v.denominator != 1:
                    self.err("F202", lit.span, f"{what}: {lit.q.text} は整数ではありません",
                             f"{what}: {lit.q.text} is not a whole number")
                    return None
                return int(v)
            return v
        if isinstance(lit, ast.BoolLit):
            if typ != BOOL:
                self.err("F202", lit.span, f"{what}: {typ} に はい/いいえ は書けません",
                         f"{what}: a boolean cannot be a {typ}")
            return lit.value
        if isinstance(lit, ast.DateLit):
            try:
                d = datetime.date.fromisoformat(lit.text)
            except ValueError:
                self.err("F203", lit.span, f"日付 {lit.text} は存在しません", f"no such date {lit.text}")
                return None
            if typ != DATE:
                self.err("F202", lit.span, f"{what}: {typ} に日付は書けません", f"{what}: a date cannot be a {typ}")
            return d
        if isinstance(lit, (ast.Symbol, ast.Ref)):
            if isinstance(typ, EnumType):
                members = self.member_names(typ.name)
                if lit.name not in members:
                    sug = _suggest(lit.name, members)
                    self.err("F204", lit.span, f"{what}: 「{lit.name}」は区分 {typ.name} の値ではありません（{'、'.join(members)}）",
                             f"{what}: {lit.name!r} is not a value of {typ.name}",
                             f"「{sug}」のことですか？" if sug else "")
                    return None
                return lit.name
            self.err("F202", lit.span, f"{what}: {typ} に「{lit.name}」は書けません", f"{what}: {lit.name!r} is not a {typ}")
            return None
        if isinstance(lit, ast.RecordValue):
            if not isinstance(typ, RecordType):
                self.err("F202", lit.span, f"{what}: {typ} に記録は書けません", f"{what}: a record cannot be a {typ}")
                return None
            rec = self.records[typ.name]
            fields = {f.name: f for f in rec.fields}
            out = {}
            for n, v in lit.fields:
                if n not in fields:
                    self.err("F204", lit.span, f"{what}: 記録 {typ.name} に項目「{n}」はありません",
                             f"{what}: record {typ.name} has no field {n!r}")
                    continue
                out[n] = self.literal_value(v, fields[n].type, f"{what}.{n}")
            return out
        if isinstance(lit, ast.ListValue):
            if not isinstance(typ, ListType):
                self.err("F202", lit.span, f"{what}: {typ} に一覧は書けません", f"{what}: a list cannot be a {typ}")
                return None
            return [self.literal_value(v, typ.element, f"{what}[{k}]") for k, v in enumerate(lit.items)]
        raise TypeError(f"unknown literal {lit!r}")  # pragma: no cover

    # --- rules --------------------------------------------------------------
    def rule(self, name: str):
        if name in self.rules:
            return self.rules[name].type
        r = self.rule_ast[name]
        if name in self.in_progress:
            cycle = self.in_progress[self.in_progress.index(name):] + [name]
            self.err("F104", r.span, "規則が循環しています: " + " → ".join(cycle),
                     "rules depend on each other in a cycle: " + " -> ".join(cycle),
                     "どこかで循環を断ってください", "break the cycle")
            return ERR
        self.in_progress.append(name)
        scope = {}
        pseen: dict[str, Span] = {}
        params = []
        pinputs = []
        for p in r.params:
            if self.declare(p.name, p.span, pseen):
                pin = self.input_ir(ast.InputDef(p.name, p.type, None, p.label or p.name,
                                                 p.description, p.domain, span=p.span))
                scope[p.name] = pin.type
                params.append((p.name, pin.type))
                pinputs.append(pin)
        expr = self.expr(r.body, scope, rule=r)
        typ = expr.type
        # A parameter that selects a table's columns takes only those values.
        for k, (pn, pt) in enumerate(params):
            allowed = self.restrict.get(name, {}).get(pn)
            if allowed is not None and isinstance(pt, EnumType):
                nt = EnumType(pt.name, members=allowed)
                params[k] = (pn, nt)
                pinputs[k] = attrs.evolve(pinputs[k], type=nt)
        if isinstance(typ, QType) and typ.is_yen and not typ.integral:
            self.err("F301", r.span,
                     f"規則「{name}」（{r.label}）は1円未満の端数が出ることがあります。端数の処理を書いてください",
                     f"rule {name!r} can produce fractional yen; round it explicitly",
                     "四捨五入(式, 1円)・切り捨て(式, 1円)・切り上げ(式, 1円) のどれかで囲んでください",
                     "wrap it in 四捨五入(…, 1円), 切り捨て(…, 1円) or 切り上げ(…, 1円)")
            typ = QType(typ.dim, True, typ.lo)
        self.in_progress.pop()
        self.rules[name] = ir.RuleIR(name, r.label, r.clause, tuple(params), expr, typ,
                                     tuple((n.kind, n.text) for n in r.notes), r.is_table,
                                     param_inputs=tuple(pinputs), span=r.span)
        return typ

    def inputs_of(self, name: str) -> list[str]:
        """The inputs a rule needs, its callees' included, in declaration order.

        Computed for all rules at once and kept (per rule, re-walking every
        callee was quadratic in a chain), afresh if rules were added since.
        """
        if self._inputs_of is None or self._inputs_of[0] != len(self.rules):
            self._inputs_of = (len(self.rules), _transitive_inputs(self.rules))
        order = self._input_order
        if len(order) != len(self.inputs):
            order = self._input_order = {n: k for k, n in enumerate(self.inputs)}
        return sorted((n for n in self._inputs_of[1].get(name, ()) if n in order), key=order.__getitem__)

    # --- 必要: inputs and fields needed only when a condition holds ---------
    def conditions(self, items: tuple, asts: dict, record: str = "") -> tuple:
        """Check the 必要 conditions of inputs (or, with ``record``, of a
        record's fields, which may read only the record's other fields)."""
        scope = {f.name: f.type for f in items} if record else {}
        out = []
        for inp in items:
            a = asts.get(inp.name)
            if a is None or a.needed is None:
                out.append(inp)
                continue
            expr, label = a.needed
            what = f"項目「{inp.name}」" if record else f"入力「{inp.name}」"
            if inp.has_default:
                self.err("F700", a.default.span if getattr(a.default, "span", None) else a.span,
                         f"{what}は「必要 …」の条件付きなので、既定値は書けません",
                         f"{inp.name} is needed only when its condition holds, so it cannot have a default",
                         "条件が成り立たないときは与えなくてよくなります。既定値か「必要 …」のどちらかを消してください",
                         "remove the default or the 必要 condition")
            c = self.expr(expr, scope, None)
            if not isinstance(c.type, (BoolType, ErrorType)):
                self.err("F701", expr.span, f"「必要」の後には条件（はい/いいえになる式）を書いてください（これは {c.type}）",
                         f"必要 needs a condition, got {c.type}",
                         "例: 必要 category が nursery")
                out.append(inp)
                continue
            kind = ir.ParamRef if record else ir.InputRef
            if inp.name in _needed.reads(c, kind):
                self.err("F702", expr.span, f"{what}の「必要」の条件が{what}自身を読んでいます",
                         f"the condition of {inp.name} reads {inp.name} itself",
                         "条件はほかの入力（記録ではほかの項目）で書いてください",
                         "write the condition over other inputs (other fields of the record)")
                out.append(inp)
                continue
            words = _needed.words_of(c, self.inputs, self.enums, self.records,
                                     items if record else None)
            out.append(attrs.evolve(inp, has_default=False, default=None, needed=c,
                                    needed_words=words, needed_label=label))
        table = {i.name: i for i in out}
        names = [i.name for i in out if i.needed is not None]
        kind = ir.ParamRef if record else ir.InputRef
        cycle = _needed.find_cycle(names, table, kind)
        if cycle:
            self.err("F703", table[cycle[0]].span,
                     "「必要」の条件が循環しています: " + " → ".join(cycle),
                     "the 必要 conditions depend on each other in a cycle: " + " -> ".join(cycle),
                     "どれか一つの条件を、条件付きでない入力だけで書いてください",
                     "write one of the conditions over unconditional inputs only")
            return tuple(attrs.evolve(i, needed=None) if i.name in cycle else i for i in out)
        # A conditional input read in another's condition: only where proven by
        # the condition itself (… かつ …).
        if names:
            an = _needed.Analysis(self, {})
            fields = table if record else None
            saved = self.inputs
            if not record:
                self.inputs = table
            try:
                for n in names:
                    an.check_condition(n, table[n].needed, fields)
            finally:
                self.inputs = saved
        return tuple(out)

    def needed_analysis(self) -> None:
        """Every read of a conditional input or field proven; what entries require."""
        if not (any(i.needed is not None for i in self.inputs.values())
                or any(f.needed is not None for r in self.records.values() for f in r.fields)):
            return
        rules = {name: attrs.evolve(r, inputs=tuple(self.inputs_of(name))) for name, r in self.rules.items()}
        self._always = _needed.Analysis(self, rules).run()
        order = {n: k for k, n in enumerate(self.inputs)}
        self._entry_inputs = {name: _needed.entry_inputs(r.inputs, self._always[name], self.inputs, order)
                              for name, r in rules.items() if name in self._always}

    def entry_inputs(self, name: str) -> list[str]:
        """An entry's inputs: its rules' and its 必要 conditions' (see feedsl.needed)."""
        if self._entry_inputs is not None and name in self._entry_inputs:
            return list(self._entry_inputs[name])
        return self.inputs_of(name)

    # --- relations and examples ---------------------------------------------
    def relation(self, r: ast.Relation) -> ir.RelationIR:
        e = self.expr(r.expr, {})
        if not isinstance(e.type, (BoolType, ErrorType)):
            self.err("F202", r.span, "前提には条件（≤ など）を書いてください",
                     "a relation must be a condition")
        names: dict[str, None] = {}  # ordered, and a set for the test below

        def walk(x):
            if isinstance(x, ir.InputRef) and x.name not in names:
                names[x.name] = None
            elif isinstance(x, ir.RuleRef) and x.name in self.rules:
                # A 前提 that names a rule reads that rule's inputs too.
                for n in self.entry_inputs(x.name):
                    names.setdefault(n, None)
            for c in _children(x):
                walk(c)

        walk(e)
        lines = self.source_text.split("\n")
        text = ""
        sp = getattr(r.expr, "span", None)
        if sp and sp.line == sp.end_line and 1 <= sp.line <= len(lines):
            text = lines[sp.line - 1][sp.col - 1:sp.end_col - 1].strip()
        return ir.RelationIR(e, r.label, tuple(names), text, span=r.span)

    def example(self, e: ast.Example):
        if e.entry not in self.rules:
            sug = _suggest(e.entry, self.rules)
            self.err("F101", e.span, f"例の規則「{e.entry}」は定義されていません",
                     f"example names an unknown rule {e.entry!r}",
                     f"「{sug}」のことですか？" if sug else "")
            return None
        rule = self.rules[e.entry]
        needed = self.entry_inputs(e.entry)
        params, needs = dict(rule.params), set(needed)
        kw = []
        for name, value, span in e.kwargs:
            if name in params:
                typ = params[name]
            elif name in self.inputs and name in needs:
                typ = self.inputs[name].type
            else:
                self.err("F106", span, f"規則「{e.entry}」は入力「{name}」を使いません（使う入力: {', '.join(needed) or 'なし'}）",
                         f"{e.entry} does not take {name!r}")
                continue
            kw.append((name, self.literal_value(value, typ, f"例の入力「{name}」")))
        expected = None
        if e.expected is not None:
            q = e.expected
            rt = rule.type
            if isinstance(rt, QType):
                self.check_unit_literal(q, rt, q.span)
            rate = isinstance(rt, QType) and not rt.integral  # a rate is a Fraction even when whole (100%)
            expected = int(q.value) if q.value.denominator == 1 and not rate else q.value
        return ir.ExampleIR(e.entry, tuple(kw), expected, span=e.span)

    # --- expressions --------------------------------------------------------
    def expr(self, e, scope, rule=None):
        meth = getattr(self, "e_" + type(e).__name__, None)
        if meth is None:
            raise TypeError(f"no checker for {type(e).__name__}")  # fail loudly
        return meth(e, scope, rule)

    def e_Num(self, e: ast.Num, scope, rule):
        q = e.q
        integral = q.value.denominator == 1
        return ir.Const(q.value, QType(self.qdim(q), integral, q.value), q.text, span=e.span)

    def e_BoolLit(self, e, scope, rule):
        return ir.Const(e.value, BOOL, "はい" if e.value else "いいえ", span=e.span)

    def e_DateLit(self, e, scope, rule):
        try:
            d = datetime.date.fromisoformat(e.text)
        except ValueError:
            self.err("F203", e.span, f"日付 {e.text} は存在しません", f"no such date {e.text}")
            return ir.Const(None, ERR, span=e.span)
        return ir.Const(d, DATE, e.text, span=e.span)

    def e_Ref(self, e: ast.Ref, scope, rule):
        n = e.name
        narrowed = scope.get(("narrow", n))
        if n in scope:
            t = scope[n]
            if narrowed is not None and isinstance(t, EnumType):
                t = EnumType(t.name, members=narrowed)
            return ir.ParamRef(n, t, span=e.span)
        if n in self.inputs:
            self.used_inputs.add(n)
            t = self.inputs[n].type
            if narrowed is not None and isinstance(t, EnumType):
                t = EnumType(t.name, members=narrowed)
            return ir.InputRef(n, t, span=e.span)
        if n in self.rule_ast:
            if self.rule_ast[n].params:
                self.err("F107", e.span, f"規則「{n}」には引数が必要です: {n}(…)",
                         f"rule {n!r} takes arguments")
                return ir.Const(None, ERR, span=e.span)
            return ir.RuleRef(n, (), self.rule(n), span=e.span)
        if n in self.member_of:
            self.err("F108", e.span, f"「{n}」は区分の値です。「場合」の腕か「… が {n}」の形で使ってください",
                     f"{n!r} is an enum value; use it in a 場合 arm or as '… が {n}'")
            return ir.Const(None, ERR, span=e.span)
        sug = _suggest(n, [k for k in scope if isinstance(k, str)] + list(self.inputs) + list(self.rule_ast))
        self.err("F101", e.span, f"「{n}」は定義されていません",
                 f"{n!r} is not defined",
                 f"「{sug}」のことですか？" if sug else "入力・規則・表として定義してください",
                 f"did you mean {sug!r}?" if sug else "define it as an input, rule or table")
        return ir.Const(None, ERR, span=e.span)

    def e_Call(self, e: ast.Call, scope, rule):
        if e.name not in self.rule_ast:
            return self.e_Ref(ast.Ref(e.name, span=e.span), scope, rule)
        r = self.rule_ast[e.name]
        args = [self.expr(a, scope, rule) for a in e.args]
        if len(args) != len(r.params):
            self.err("F107", e.span, f"規則「{e.name}」の引数は {len(r.params)} 個です（{len(args)} 個あります）",
                     f"{e.name} takes {len(r.params)} arguments, got {len(args)}")
            return ir.Const(None, ERR, span=e.span)
        t = self.rule(e.name)
        if e.name in self.rules:
            for (pn, pt), a, ae in zip(self.rules[e.name].params, args, e.args):
                if self.same_type(a, pt, e.span, f"引数 {pn}"):
                    self.check_narrowed(e.name, pn, pt, a, ae.span)
                    if isinstance(pt, QType) and pt.integral and isinstance(a.type, QType) and not a.type.integral:
                        self.err("F302", ae.span,
                                 f"引数 {pn} は整数ですが、ここに渡す値には端数が出ることがあります。端数の処理を書いてください",
                                 f"parameter {pn} is a whole number, but this value can be fractional; round it",
                                 "切り捨て(式, 1人) などで囲んでください", "wrap it in 切り捨て(…, 1人) or the like")
        return ir.RuleRef(e.name, tuple(args), t, span=e.span)

    def member_names(self, enum: str) -> dict[str, str]:
        """An enum's values (name → label, in order), built once: a 場合 asks per arm."""
        if enum not in self._member_names:
            self._member_names[enum] = dict(self.enums[enum].values)
        return self._member_names[enum]

    def enum_values(self, t: EnumType) -> list[str]:
        """The values an enum-typed expression can take, in declaration order."""
        return [n for n, _ in self.enums[t.name].values if t.members is None or n in t.members]

    def check_narrowed(self, callee: str, pn: str, pt, a, span) -> None:
        """An argument for a parameter that takes only some enum values (a
        table's columns) must be narrowed to them, e.g. by a 場合 arm."""
        if not isinstance(pt, EnumType) or pt.members is None or not isinstance(a.type, EnumType):
            return
        en = self.enums[pt.name]
        extra = [m for m in self.enum_values(a.type) if m not in pt.members]
        if extra:
            labels = dict(en.values)
            self.err("F413", span,
                     f"規則「{callee}」の引数 {pn} は {'、'.join(m for m in self.enum_values(pt))} だけです。"
                     f"ここには {'、'.join(f'{m}（{labels[m]}）' for m in extra)} も渡ることがあります",
                     f"{callee}: parameter {pn} takes only {', '.join(self.enum_values(pt))}; "
                     f"{', '.join(extra)} may be passed here",
                     f"「場合 …」で {'、'.join(extra)} の腕を先に書いて除いてください",
                     f"handle {', '.join(extra)} in an earlier 場合 arm")

    def same_type(self, a, t, span, what) -> bool:
        at = a.type
        if isinstance(at, ErrorType) or isinstance(t, ErrorType):
            return True
        if at != t:
            self.err("F201", span, f"{what}: 「{at}」ではなく「{t}」が必要です", f"{what}: expected {t}, got {at}")
            return False
        return True

    def e_FieldRef(self, e: ast.FieldRef, scope, rule):
        obj = self.expr(e.obj, scope, rule)
        if isinstance(obj.type, ErrorType):
            return ir.Const(None, ERR, span=e.span)
        if not isinstance(obj.type, RecordType):
            self.err("F202", e.span, f"「.{e.name}」は記録にだけ使えます（これは {obj.type}）",
                     f".{e.name} needs a record, got {obj.type}")
            return ir.Const(None, ERR, span=e.span)
        rec = self.records[obj.type.name]
        for f in rec.fields:
            if f.name == e.name:
                return ir.FieldGet(obj, e.name, f.type, span=e.span)
        sug = _suggest(e.name, [f.name for f in rec.fields])
        self.err("F101", e.span, f"記録 {rec.name} に項目「{e.name}」はありません",
                 f"record {rec.name} has no field {e.name!r}", f"「{sug}」のことですか？" if sug else "")
        return ir.Const(None, ERR, span=e.span)

    def e_Aggregate(self, e: ast.Aggregate, scope, rule):
        src = self.expr(e.source, scope, rule)
        if isinstance(src.type, ErrorType):
            return ir.Const(None, ERR, span=e.span)
        if not isinstance(src.type, ListType):
            self.err("F202", e.source.span, f"{e.func} には一覧が必要です（これは {src.type}）",
                     f"{e.func} needs a list, got {src.type}")
            return ir.Const(None, ERR, span=e.span)
        inner = dict(scope)
        inner[e.var] = src.type.element
        inner.pop(("narrow", e.var), None)  # the bound name shadows any narrowing
        body = self.expr(e.body, inner, rule)
        if e.func == "件数":
            if not isinstance(body.type, (BoolType, ErrorType)):
                self.err("F202", e.body.span, "件数 には条件を書いてください", "件数 needs a condition")
            return ir.Aggregate(e.func, e.var, src, body, QType(ir.dim_of("件"), True, Fraction(0)), span=e.span)
        bt = body.type
        if not isinstance(bt, QType):
            if not isinstance(bt, ErrorType):
                self.err("F202", e.body.span, "合計 には数量を書いてください", "合計 needs a quantity")
            return ir.Const(None, ERR, span=e.span)
        lo = Fraction(0) if bt.lo is not None and bt.lo >= 0 else None
        return ir.Aggregate(e.func, e.var, src, body, QType(bt.dim, bt.integral, lo), span=e.span)

    def e_BinOp(self, e: ast.BinOp, scope, rule):
        a = self.expr(e.left, scope, rule)
        b = self.expr(e.right, scope, rule)
        at, bt = a.type, b.type
        if isinstance(at, ErrorType) or isinstance(bt, ErrorType):
            return ir.Arith(e.op, a, b, ERR, span=e.span)
        if not isinstance(at, QType) or not isinstance(bt, QType):
            bad = at if not isinstance(at, QType) else bt
            self.err("F202", e.span, f"「{e.op}」は数量にだけ使えます（{bad} があります）",
                     f"{e.op} needs quantities, got {bad}")
            return ir.Arith(e.op, a, b, ERR, span=e.span)
        if e.op in ("+", "-"):
            a, b = self.unify_bare(a, b)
            at, bt = a.type, b.type
            if at.dim != bt.dim:
                self.err("F201", e.span,
                         f"単位の違うものは{'足せ' if e.op == '+' else '引け'}ません: 「{at}」{e.op}「{bt}」",
                         f"cannot {'add' if e.op == '+' else 'subtract'} {bt} {'to' if e.op == '+' else 'from'} {at}",
                         "同じ単位にそろえてください（例: 世帯数 × 14円/世帯 で円にする）",
                         "convert to the same unit first")
                return ir.Arith(e.op, a, b, ERR, span=e.span)
            lo = None
            if e.op == "+" and at.lo is not None and bt.lo is not None:
                lo = at.lo + bt.lo
            return ir.Arith(e.op, a, b, QType(at.dim, at.integral and bt.integral, lo), span=e.span)
        if e.op == "×":
            lo = at.lo * bt.lo if (at.lo is not None and bt.lo is not None and at.lo >= 0 and bt.lo >= 0) else None
            return ir.Arith(e.op, a, b, QType(ir.dim_mul(at.dim, bt.dim), at.integral and bt.integral, lo), span=e.span)
        # ÷: always exact, never a float; the result is a rational.
        if isinstance(b, ir.Const) and b.value == 0:
            self.err("F203", e.span, "0 で割ることはできません", "division by zero")
        lo = Fraction(0) if (at.lo is not None and at.lo >= 0 and bt.lo is not None and bt.lo >= 0) else None
        return ir.Arith(e.op, a, b, QType(ir.dim_mul(at.dim, bt.dim, -1), False, lo), span=e.span)

    def unify_bare(self, a, b):
        """A bare number next to a quantity takes that quantity's unit (rows like 51～100人)."""
        def adopt(bare, other):
            if (isinstance(bare, ir.Const) and isinstance(bare.type, QType) and bare.type.dim == NODIM
                    and bare.type.integral and not bare.text.endswith("%")
                    and isinstance(other.type, QType) and other.type.dim != NODIM):
                return ir.Const(bare.value, QType(other.type.dim, True, bare.value), bare.text, span=bare.span)
            return bare

        return adopt(a, b), adopt(b, a)

    def e_Compare(self, e: ast.Compare, scope, rule):
        a = self.expr(e.left, scope, rule)
        b = self.expr(e.right, scope, rule)
        if isinstance(a.type, ErrorType) or isinstance(b.type, ErrorType):
            return ir.Cmp(e.op, a, b, span=e.span)
        if isinstance(a.type, QType) and isinstance(b.type, QType):
            a, b = self.unify_bare(a, b)
            if a.type.dim != b.type.dim:
                self.err("F201", e.span, f"単位の違うものは比べられません: 「{a.type}」と「{b.type}」",
                         f"cannot compare {a.type} with {b.type}")
            return ir.Cmp(e.op, a, b, span=e.span)
        if a.type == b.type and e.op in ("=", "≠"):
            return ir.Cmp(e.op, a, b, span=e.span)
        if a.type == DATE and b.type == DATE:
            return ir.Cmp(e.op, a, b, span=e.span)
        self.err("F202", e.span, f"「{a.type}」と「{b.type}」は比べられません", f"cannot compare {a.type} with {b.type}")
        return ir.Cmp(e.op, a, b, span=e.span)

    def enum_members(self, subject, conds, span):
        """Names in an arm or a ``が`` test, checked against the subject's enum."""
        et = subject.type
        if not isinstance(et, EnumType):
            if not isinstance(et, ErrorType):
                self.err("F202", span, f"「{et}」は区分ではありません", f"{et} is not an enumeration")
            return ()
        members = self.member_names(et.name)
        out = []
        for c in conds:
            if isinstance(c, ast.Ref) and c.name in members:
                out.append(c.name)
            else:
                name = getattr(c, "name", "?")
                sug = _suggest(name, members)
                self.err("F204", c.span, f"「{name}」は区分 {et.name}（{self.enums[et.name].label}）の値ではありません。値: {'、'.join(members)}",
                         f"{name!r} is not a value of {et.name}: {', '.join(members)}",
                         f"「{sug}」のことですか？" if sug else "")
        return tuple(out)

    def e_Is(self, e: ast.Is, scope, rule):
        a = self.expr(e.left, scope, rule)
        if isinstance(a.type, EnumType):
            return ir.EnumIs(a, self.enum_members(a, [e.right], e.span), span=e.span)
        return self.e_Compare(ast.Compare("=", e.left, e.right, span=e.span), scope, rule)

    def cond(self, e, scope, rule):
        c = self.expr(e, scope, rule)
        if not isinstance(c.type, (BoolType, ErrorType)):
            self.err("F202", e.span, f"ここには条件（はい/いいえになる式）が必要です（これは {c.type}）",
                     f"a condition is needed here, got {c.type}")
        return c

    def e_And(self, e, scope, rule):
        return ir.BoolOp("and", self.cond(e.left, scope, rule), self.cond(e.right, scope, rule), span=e.span)

    def e_Or(self, e, scope, rule):
        left = self.cond(e.left, scope, rule)
        r = e.right
        # The compact form of "one of several values": category が a または b
        # (b joins the test just before it: … または category が a または b).
        last = left.right if isinstance(left, ir.BoolOp) and left.op == "or" else left
        if (isinstance(last, ir.EnumIs) and isinstance(r, ast.Ref) and r.name not in scope
                and r.name not in self.inputs and r.name not in self.rule_ast
                and r.name in self.member_names(last.subject.type.name)):
            joined = ir.EnumIs(last.subject, last.members + (r.name,), span=e.span)
            return joined if last is left else ir.BoolOp("or", left.left, joined, span=e.span)
        return ir.BoolOp("or", left, self.cond(e.right, scope, rule), span=e.span)

    def e_Not(self, e, scope, rule):
        return ir.NotOp(self.cond(e.operand, scope, rule), span=e.span)

    def join(self, values, span):
        """The common type of the branches of 場合/もし/表."""
        types = [v.type for v in values if not isinstance(v.type, ErrorType)]
        if not types:
            return ERR
        first = types[0]
        for v in values:
            t = v.type
            if isinstance(t, ErrorType):
                continue
            if isinstance(first, QType) and isinstance(t, QType):
                if t.dim != first.dim:
                    self.err("F201", v.span or span, f"分岐の単位がそろっていません: 「{first}」と「{t}」",
                             f"branches have different units: {first} and {t}")
                    return ERR
            elif t != first:
                self.err("F202", v.span or span, f"分岐の型がそろっていません: 「{first}」と「{t}」",
                         f"branches have different types: {first} and {t}")
                return ERR
        if isinstance(first, QType):
            qs = [v.type for v in values if isinstance(v.type, QType)]
            los = [q.lo for q in qs]
            lo = min(los) if all(x is not None for x in los) else None
            return QType(first.dim, all(q.integral for q in qs), lo)
        return first

    def e_If(self, e: ast.If, scope, rule):
        c = self.cond(e.cond, scope, rule)
        a = self.expr(e.then, scope, rule)
        b = self.expr(e.else_, scope, rule)
        return ir.Cond(c, a, b, self.join([a, b], e.span), span=e.span)

    def e_Case(self, e: ast.Case, scope, rule):
        if e.subject is None:
            arms = []
            has_else = False
            for arm in e.arms:
                v = self.expr(arm.value, scope, rule)
                if not arm.conds:
                    if has_else:
                        self.err("F401", arm.span, "「それ以外」は一つだけ書けます", "only one それ以外")
                    has_else = True
                    arms.append((None, v))
                    continue
                if has_else:
                    self.err("F402", arm.span, "「それ以外」の後の腕には届きません", "arm after それ以外 is unreachable")
                c = self.cond(arm.conds[0], scope, rule)
                for extra in arm.conds[1:]:
                    c = ir.BoolOp("or", c, self.cond(extra, scope, rule), span=arm.span)
                arms.append((c, v))
            if not has_else:
                self.err("F403", e.span, "条件の「場合」には最後に「それ以外 → …」が必要です（どの条件にも当たらないとき）",
                         "a 場合 of conditions needs a final それ以外 arm",
                         "例: それ以外 → 0円")
            return ir.Branches(tuple(arms), self.join([v for _, v in arms], e.span), span=e.span)
        subject = self.expr(e.subject, scope, rule)
        arms = []
        covered: dict[str, Span] = {}
        has_else = False
        # 場合 kind narrows kind in each arm: to the arm's values, and in
        # それ以外 to the values no earlier arm took.
        narrowable = isinstance(e.subject, ast.Ref) and isinstance(subject.type, EnumType)
        for arm in e.arms:
            if not arm.conds:
                inner = scope
                if narrowable:
                    rest = frozenset(m for m in self.enum_values(subject.type) if m not in covered)
                    inner = {**scope, ("narrow", e.subject.name): rest}
                v = self.expr(arm.value, inner, rule)
                has_else = True
                arms.append(((), v))
                continue
            ms = self.enum_members(subject, arm.conds, arm.span)
            inner = scope
            if narrowable:
                inner = {**scope, ("narrow", e.subject.name): frozenset(ms)}
            v = self.expr(arm.value, inner, rule)
            for m in ms:
                if m in covered:
                    self.err("F404", arm.span, f"「{m}」は {covered[m].line}行目 の腕にも書かれています",
                             f"{m!r} is already handled at line {covered[m].line}")
                covered[m] = arm.span
            arms.append((ms, v))
        if isinstance(subject.type, EnumType) and not has_else:
            en = self.enums[subject.type.name]
            possible = self.enum_values(subject.type)
            possible_set = set(possible)
            missing = [f"{n}（{lab}）" for n, lab in en.values if n not in covered and n in possible_set]
            if missing:
                self.err("F405", e.span, f"「場合 {getattr(e.subject, 'name', '')}」に足りない値があります: {'、'.join(missing)}",
                         f"match does not handle: {', '.join(n for n in possible if n not in covered)}",
                         "足りない値の腕を書くか、「それ以外 → …」を書いてください",
                         "add arms for them or a それ以外 arm")
        return ir.Match(subject, tuple(arms), self.join([v for _, v in arms], e.span), span=e.span)

    def e_Builtin(self, e: ast.Builtin, scope, rule):
        f = e.func
        arity = _BUILTIN_ARITY[f]
        args = [self.expr(a, scope, rule) for a in e.args]
        if (arity is not None and len(args) != arity) or (arity is None and len(args) < 2):
            need = arity if arity is not None else "2つ以上の"
            self.err("F107", e.span, f"{f} の引数は {need} 個です（{len(args)} 個あります）",
                     f"{f} takes {need} arguments, got {len(args)}")
            return ir.Const(None, ERR, span=e.span)
        if any(isinstance(a.type, ErrorType) for a in args):
            return ir.Const(None, ERR, span=e.span)
        if f in ir.ROUND_MODES:
            value, unit = args
            if not (isinstance(unit, ir.Const) and isinstance(unit.type, QType) and unit.type.integral and unit.value > 0):
                self.err("F302", e.args[1].span, f"{f} の単位は正の整数の金額で書いてください（例: 1,000円）",
                         f"the rounding unit of {f} must be a positive whole amount, e.g. 1,000円")
                return ir.Const(None, ERR, span=e.span)
            if not isinstance(value.type, QType):
                self.err("F202", e.span, f"{f} は数量にだけ使えます", f"{f} needs a quantity")
                return ir.Const(None, ERR, span=e.span)
            value, unit = self.unify_bare(value, unit)
            if value.type.dim != unit.type.dim:
                extra = ir.dim_mul(value.type.dim, unit.type.dim, -1)
                hint = hint_en = ""
                if len(extra) == 1 and extra[0][1] == 1:
                    # 年会費 × 月数 ÷ 12 is 円・月: the divisor needs its unit.
                    w = extra[0][0]
                    hint = f"「{w}」が残っています。割る数にも単位を書くと消えます（例: ÷ 12{w}）"
                    hint_en = f"{w} is left over; give the divisor its unit (e.g. ÷ 12{w})"
                self.err("F201", e.span, f"端数処理の単位が合いません: 値は「{value.type}」、単位は「{unit.type}」",
                         f"rounding unit {unit.type} does not match the value's unit {value.type}",
                         hint, hint_en)
                return ir.Const(None, ERR, span=e.span)
            lo = None
            if value.type.lo is not None and value.type.lo >= 0:
                lo = Fraction(0)
            return ir.Round(f, value, int(unit.value), unit.text, QType(value.type.dim, True, lo), span=e.span)
        if f in ("最小", "最大", "上限", "下限"):
            if not all(isinstance(a.type, QType) for a in args):
                self.err("F202", e.span, f"{f} は数量にだけ使えます", f"{f} needs quantities")
                return ir.Const(None, ERR, span=e.span)
            base = args[0]
            out = [base]
            for a in args[1:]:
                base2, a = self.unify_bare(base, a)
                if a.type.dim != base.type.dim:
                    self.err("F201", e.span, f"{f} の引数の単位がそろっていません: 「{base.type}」と「{a.type}」",
                             f"{f}: units differ: {base.type} and {a.type}")
                    return ir.Const(None, ERR, span=e.span)
                out.append(a)
            los = [a.type.lo for a in out]
            if f in ("最小", "上限"):
                lo = min(los) if all(x is not None for x in los) else None
            else:
                known = [x for x in los if x is not None]
                lo = max(known) if known else None
            return ir.MinMax(f, tuple(out), QType(base.type.dim, all(a.type.integral for a in out), lo), span=e.span)
        # Fiscal-year functions on a date.
        (a,) = args
        if a.type != DATE:
            self.err("F202", e.span, f"{f} には日付が必要です（これは {a.type}）", f"{f} needs a date, got {a.type}")
            return ir.Const(None, ERR, span=e.span)
        if f in ("上半期", "下半期"):
            return ir.FyCall(f, a, BOOL, span=e.span)
        lo = Fraction(1) if f == "年度の月" else Fraction(0)
        return ir.FyCall(f, a, QType(ir.dim_of("月"), True, lo), span=e.span)

    def e_Table(self, e: ast.Table, scope, rule):
        key = self.expr(e.key, scope, rule)
        column = None
        colnames = ()
        if e.column is not None:
            column = self.expr(e.column, scope, rule)
            if isinstance(column.type, EnumType):
                en = self.enums[column.type.name]
                members = self.member_names(en.name)
                names = []
                for n, sp in e.column_names:
                    if n not in members:
                        sug = _suggest(n, members)
                        self.err("F204", sp, f"列「{n}」は区分 {en.name} の値ではありません",
                                 f"column {n!r} is not a value of {en.name}",
                                 f"「{sug}」のことですか？" if sug else "")
                    names.append(n)
                colnames = tuple(names)
                given = set(colnames)
                missing = [m for m in self.enum_values(column.type) if m not in given]
                if missing:
                    if isinstance(column, ir.ParamRef) and rule is not None and column.type.members is None:
                        # The parameter takes only the columns' values; every call is checked.
                        self.restrict.setdefault(rule.name, {})[column.name] = frozenset(colnames)
                    else:
                        labels = dict(en.values)
                        self.err("F413", e.column.span,
                                 f"表に列のない値があります: {'、'.join(f'{m}（{labels[m]}）' for m in missing)}",
                                 f"the table has no column for {', '.join(missing)}",
                                 "列を足すか、表を引数のある表にして、呼ぶ側の「場合」で除いてください",
                                 "add the columns, or make the column a parameter and handle the other values in a 場合")
            elif not isinstance(column.type, ErrorType):
                self.err("F202", e.column.span, "列を選ぶ式は区分でなければなりません", "columns are selected by an enumeration")
        return check_table(self, rule, e, key, column, colnames)


_children = ir.children
children = _children
_NONE: frozenset = frozenset()


def _transitive_inputs(rules: dict) -> dict[str, frozenset]:
    """Every rule's inputs with its callees' (transitively), in time linear in the
    rules' size: one walk per rule, then callees before callers by Tarjan's
    strongly connected components, so a cycle (already an F104) shares one set.
    Iterative: a chain of thousands of rules needs no deep Python recursion."""
    direct: dict[str, set] = {}
    calls: dict[str, list] = {}
    for name, r in rules.items():
        found, callees, todo = set(), [], [r.expr]
        while todo:
            e = todo.pop()
            if isinstance(e, ir.InputRef):
                found.add(e.name)
            elif isinstance(e, ir.RuleRef) and e.name in rules:
                callees.append(e.name)
            todo.extend(_children(e))
        direct[name], calls[name] = found, callees
    out: dict[str, frozenset] = {}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    for root in rules:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(calls[root]))]
        while work:
            v, edges = work[-1]
            for w in edges:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(calls[w])))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    members = []
                    while not members or members[-1] != v:
                        members.append(stack.pop())
                        on_stack.discard(members[-1])
                    acc = set()
                    for m in members:
                        acc |= direct[m]
                        for c in calls[m]:
                            acc |= out.get(c, _NONE)  # callees outside this component are done
                    shared = frozenset(acc)
                    for m in members:
                        out[m] = shared
    return out


def check(reg: ast.Regulation, diags: Diagnostics, source_text: str = "") -> ir.RegulationIR:
    """Check a parsed regulation and return its IR (diagnostics go to ``diags``)."""
    return Checker(reg, diags, source_text).run()
