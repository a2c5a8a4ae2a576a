"""The checker: names, types, units and exact money; AST → IR.

Every problem becomes a diagnostic; checking goes on after an error so that an
author sees every mistake of a file in one run. Bracket tables are checked by
:mod:`feedsl.brackets`.
"""

from __future__ import annotations

import datetime

import attrs
import keyword
from fractions import Fraction

from . import ast, ir
from .codegen.names import RESERVED_PUBLIC
from .brackets import check_table
from .months import check_month_table
from .diagnostics import Diagnostics
from .reach import dead_arms
from . import needed as _needed
from .ir import NODIM, BoolType, DateType, EnumType, ErrorType, ListType, QType, RecordType
from .runtime import FeeEnum, FeeRecord
from .source import Span
from .values import ValueReadError, label_clashes, label_key, read_date, read_enum
from .spelling import did_you_mean, did_you_mean_en, glued_bound, near_names

ERR = ErrorType()
BOOL = BoolType()
DATE = DateType()

# Type words an author may write after ``入力 name:``.
_TYPE_WORDS = {"真偽": BOOL, "日付": DATE}
RATE = QType(NODIM, integral=False, lo=Fraction(0))
MONTH_COUNT = ir.dim_of("か月")
FISCAL_MONTH = ir.dim_of(ir.FISCAL_MONTH)

_BUILTIN_ARITY = {
    "四捨五入": 2, "切り捨て": 2, "切り上げ": 2,
    "最小": None, "最大": None, "上限": 2, "下限": 2,
    "年度の月": 1, "年度末までの月数": 1, "上半期": 1, "下半期": 1,
    ir.MONTHS_AFTER: 1, ir.MONTHS_INCLUDING: 1,
}


# Names a generated enum member or record field must not take: they would
# shadow what the generated classes themselves provide.
_ENUM_RESERVED = ({n for n in dir(FeeEnum) if not n.startswith("_")}
                  | {n for n in dir(type(FeeEnum)) if not n.startswith("_")} | {"name", "value", "label"})
_RECORD_RESERVED = {n for n in dir(FeeRecord) if not n.startswith("_")}


def _suggest(name: str, candidates) -> str:
    m = near_names(name, candidates)
    return m[0] if m else ""


def _pyname_problem(name: str) -> str:
    if keyword.iskeyword(name):
        return "Python の予約語"
    if name.startswith("_"):
        return "_ で始まる名前"
    return ""


def leftover_unit(a, b) -> tuple[str, str]:
    """The hint for two units that differ by one unit word multiplied in (人・円 against 円):
    an amount per person written without its /人 (300円 for 300円/人), then multiplied by 人."""
    for x, y in ((a, b), (b, a)):
        if not (isinstance(x, QType) and isinstance(y, QType)):
            continue
        extra = ir.dim_mul(x.dim, y.dim, -1)
        if len(extra) == 1 and extra[0][1] == 1:
            w = extra[0][0]
            return (f"一方に「{w}」が余分に掛かっています。1{w}当たりの額は 300円/{w} のように「/{w}」を付けて書きます"
                    f"（300円/{w} × {w} = 円）",
                    f"one side has an extra {w}: write an amount per {w} as 300円/{w}")
    return "", ""


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
        self._calendar_units: set = set()  # spans already told that 月 is not a count
        # 表 … ごと: name → CatTableIR, or None when the table has an error.
        self.cat_tables: dict[str, ir.CatTableIR | None] = {}
        self.cat_ast: dict[str, ast.CategoryTable] = {}
        self.cat_read_names: set[str] = set()  # tables some rule reads
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
            if m.key == "施行":
                d = self.date_literal(m.value, m.span)
                if d is None:
                    continue
                meta.append((m.key, d.isoformat()))  # pages read it back as a date
                continue
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
            spans = {v.name: v.span for v in e.values}
            for first, second, text in label_clashes(vals):
                self.err("F115", spans[second],
                         f"区分「{e.name}」の値「{second}」のラベル「{text}」は、値「{first}」も指すので、入力で「{text}」と書くとどちらか分かりません",
                         f"label {text!r} of {e.name}.{second} also names {first!r}: an input written {text!r} would be ambiguous",
                         "ラベルを書き分けてください（入力では値の名前とラベルのどちらでも書けます）",
                         "give the values distinct labels (inputs may name a value by its name or its label)")
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

        for t in reg.cat_tables:
            if self.declare(t.name, t.span, seen):
                self.cat_ast[t.name] = t
                self.cat_tables[t.name] = self.cat_table(t)

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
        overview = None
        for s in reg.summaries:
            if isinstance(s, ast.SummaryBlock):
                if overview is not None:
                    self.err("F120", s.span, "一覧のブロックは一つの規程に一つだけ書けます",
                             "a regulation has at most one 一覧 block",
                             "会員の種別をすべて一つの 一覧 の 行 に並べてください",
                             "list every member type as a 行 of one 一覧 block")
                    continue
                overview = self.summary_block(s)
                continue
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
        listed = {n for _, names in summaries for n in names}
        if overview is not None:
            listed |= {c[-1] for _, cells in overview.rows for c in cells if c[0] in ("rule", "linked")}
        for name, r in self.rules.items():
            if name in listed and name not in referenced and not self.d.has_errors:
                # Shown to members in the 一覧, yet no example checks its amount.
                self.warn("F502", r.span, f"規則「{name}」（{r.label}）は一覧に載っていますが、例がありません",
                          f"rule {name!r} is shown in the summary but has no example",
                          f"一覧に載せる額は 例 {name}(…) = … で確かめてください",
                          f"check the amount the summary shows with an example (例 {name}(…) = …)")
            elif name not in referenced and not self.d.has_errors:
                self.warn("F502", r.span, f"規則「{name}」（{r.label}）はほかの規則にも例にも使われていません",
                          f"rule {name!r} is used by no other rule and has no example",
                          f"会費として使うなら 例 {name}(…) = … を書いてください。不要なら削除してください",
                          f"add an example for it (例 {name}(…) = …) or remove it")

        for name, t in self.cat_tables.items():
            if t is not None and name not in self.cat_read_names and not self.d.has_errors:
                self.warn("F442", t.span, f"表「{name}」（{t.label}）はどの規則にも使われていません",
                          f"category table {name!r} is read by no rule",
                          f"規則の中で {name}{'(…)' if t.params else ''}.{t.columns[0].name} のように列を読んでください。不要なら削除してください",
                          "read one of its columns in a rule, or remove it")

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
                               summaries=tuple(summaries), overview=overview,
                               cat_tables={n: t for n, t in self.cat_tables.items() if t is not None})

    # --- the 一覧 block ------------------------------------------------------
    def summary_block(self, s) -> ir.SummaryIR:
        """Check a 一覧 block: one 列 line before the rows, every row with a cell
        per column, no member type twice, every rule named defined and an amount."""
        columns: tuple = ("金額",)
        if s.columns:
            columns = s.columns[0][0]
            for _, span in s.columns[1:]:
                self.err("F122", span, "一覧の 列 は一度だけ書けます",
                         "a 一覧 block has one 列 line", "列の見出しを一つの 列 の行にまとめてください",
                         "put every column title on one 列 line")
            first_row = min((sp.line for _, _, sp in s.rows), default=None)
            if first_row is not None and s.columns[0][1].line > first_row:
                self.err("F122", s.columns[0][1], "一覧の 列 は最初の 行 より前に書きます",
                         "the 列 line comes before the first 行", "列 の行を 一覧 のすぐ下に移してください",
                         "move the 列 line right under 一覧")
        rows = []
        seen: dict[str, object] = {}
        for label, cells, span in s.rows:
            if label in seen:
                self.err("F123", span, f"一覧の行「{label}」が二度あります（{seen[label].line}行目にもあります）",
                         f"the 一覧 row {label!r} appears twice (also on line {seen[label].line})",
                         "同じ会員の種別は一つの行にまとめてください", "one row per member type")
            seen.setdefault(label, span)
            if len(cells) != len(columns):
                cols = "・".join(f"「{c}」" for c in columns)
                self.err("F121", span,
                         f"一覧の行「{label}」の欄は {len(cells)} 個ですが、列は {len(columns)} 個（{cols}）です",
                         f"the 一覧 row {label!r} has {len(cells)} cells for {len(columns)} columns",
                         "当たらない欄は — と書いてください", "write — for a column that does not apply")
            out = []
            for c in cells:
                if c.kind in ("rule", "linked"):
                    if c.rule not in self.rules:
                        # (In the text of an earlier version (版), feedsl.versions.select
                        # has already blanked the cells of rules only later versions define.)
                        if c.rule not in self.rule_ast:
                            sug = _suggest(c.rule, self.rule_ast)
                            self.err("F101", c.span, f"一覧の規則「{c.rule}」は定義されていません",
                                     f"the summary names an unknown rule {c.rule!r}",
                                     f"「{sug}」のことですか？" if sug else "",
                                     f"did you mean {sug!r}?" if sug else "")
                        continue
                    t = self.rules[c.rule].type
                    if c.kind == "rule" and not (isinstance(t, QType) and t.is_yen or _per_unit_yen(t)):
                        self.err("F124", c.span,
                                 f"一覧の欄に額として載せられるのは金額の規則です（「{c.rule}」は {t}）",
                                 f"a 一覧 cell shows an amount; rule {c.rule!r} is {t}",
                                 f"文で書き、規則へつないでください（「…」 → {c.rule}）",
                                 f"write a text linked to the rule (「…」 → {c.rule})")
                    out.append((c.kind, c.text, c.rule) if c.kind == "linked" else ("rule", c.rule))
                else:
                    out.append((c.kind, c.text))
            rows.append((label, tuple(out)))
        notes = tuple((k, text) for k, text, _ in s.notes)
        return ir.SummaryIR(s.label, tuple(columns), tuple(rows), notes)

    # --- inputs -------------------------------------------------------------
    def resolve_type(self, t) -> object:
        if isinstance(t, ast.UnitType):
            if t.word in _TYPE_WORDS:
                return _TYPE_WORDS[t.word]
            if t.word == "割合":
                return RATE
            if t.word == "月":
                self.calendar_month_unit(t.span, "月")
                return QType(MONTH_COUNT, integral=True, lo=Fraction(0))
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
            element = self.resolve_type(t.element)
            if not isinstance(element, (RecordType, ErrorType)):
                # Compiled modules validate lists of records only (list_arg).
                self.err("F202", t.span, f"一覧にできるのは記録だけです（「{element}」の一覧は書けません）",
                         f"only records can be listed, not {element}",
                         "記録を定義して、その一覧にしてください（例: 記録 office 「事業所」 … と office の一覧）",
                         "define a record and list it")
                return ERR
            return ListType(element)
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
            meant = [m] if (m := glued_bound(q.text, q.unit.num, ir.dim_str(typ.dim))) else []
            self.err("F201", span, f"単位が合いません: {q.text} は「{ir.dim_str(d)}」、ここでは「{typ}」が必要です",
                     f"unit mismatch: {q.text} is {ir.dim_str(d)}, expected {typ}",
                     did_you_mean(meant), did_you_mean_en(meant))
            return False
        return True

    def qdim(self, q: ast.Quantity):
        if q.unit.percent:
            return NODIM
        if "月" in (q.unit.num, q.unit.den):
            # 12月 is a calendar month, not a count: say so once, then read it as 12か月.
            self.calendar_month_unit(q.span, q.text)
            return ir.dim_of(*("か月" if w == "月" else w for w in (q.unit.num, q.unit.den)))
        return ir.dim_of(q.unit.num, q.unit.den)

    def calendar_month_unit(self, span: Span, text: str) -> None:
        if span in self._calendar_units:
            return
        self._calendar_units.add(span)
        fixed = text.replace("月", "か月")
        self.err("F221", span, f"「{text}」は暦の月（何月）です。月の数は「{fixed}」と書きます",
                 f"{text!r} is a calendar month; a number of months is written {fixed!r}",
                 f"「{fixed}」と書いてください（ヶ月・カ月も使えます）。暦の月で表を引くなら「日付 の月 による」",
                 f"write {fixed!r}; to key a table by the month of a date write 「date の月 による」")

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
            d = self.date_literal(lit.text, lit.span)
            if d is None:
                return None
            if typ != DATE:
                self.err("F202", lit.span, f"{what}: {typ} に日付は書けません", f"{what}: a date cannot be a {typ}")
            return d
        if isinstance(lit, ast.LabelLit):
            values = self.enums[typ.name].values if isinstance(typ, EnumType) and typ.name in self.enums else ()
            if not values:
                self.err("F202", lit.span, f"{what}: {typ} に「{lit.text}」は書けません（「」で書けるのは区分の値のラベルです）",
                         f"{what}: 「{lit.text}」 is not a {typ} (「」 names an enum value by its label)")
                return None
            try:
                return read_enum(lit.text, values)
            except ValueReadError:
                self.err("F204", lit.span, f"{what}: 「{lit.text}」は区分 {typ.name} の値のラベルではありません（"
                         + "、".join(f"「{label}」" for _, label in values) + "）",
                         f"{what}: 「{lit.text}」 is not a label of {typ.name}")
                return None
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
                    sug = near_names(n, fields)
                    self.err("F204", lit.span, f"{what}: 記録 {typ.name} に項目「{n}」はありません（項目: {'、'.join(fields)}）",
                             f"{what}: record {typ.name} has no field {n!r}",
                             did_you_mean(sug, "のことですか？"), did_you_mean_en(sug))
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
            if isinstance(c.type, ErrorType):
                out.append(inp)  # reported; reads of it are not errors on top
                continue
            if not isinstance(c.type, BoolType):
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
        text = self.span_text(getattr(r.expr, "span", None))
        return ir.RelationIR(e, r.label, tuple(names), text, span=r.span)

    def example(self, e: ast.Example):
        if e.entry in self.cat_tables:
            self.cat_needs_column(e.entry, e.span)
            return None
        if e.entry not in self.rules:
            sug = _suggest(e.entry, self.rules)
            self.err("F101", e.span, f"例の規則「{e.entry}」は定義されていません",
                     f"example names an unknown rule {e.entry!r}",
                     f"「{sug}」のことですか？" if sug else "")
            return None
        if e.caption and e.expected is None:
            self.err("F125", e.span, f"入力エラーの例は公開できません（「{e.caption}」）",
                     "an example expecting an input error cannot be published",
                     "公開 「…」 を外して検査用の例にしてください。公開する例は会員が払う額を示します",
                     "drop 公開 「…」: a published example shows an amount a member pays")
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
                self.example_input_error(e.entry, name, span, [*params, *needed])
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
        return ir.ExampleIR(e.entry, tuple(kw), expected, span=e.span, caption=e.caption)

    def example_input_error(self, entry: str, name: str, span: Span, takes: list) -> None:
        """An example gives an input its rule does not take: F106 when the
        regulation has that input (the rule just does not read it), F111 when
        nothing of that name exists (a misspelling: say which name was meant)."""
        listed = ', '.join(takes) or 'なし'
        if name in self.inputs and self.has_error(entry):
            return  # the rule's inputs are not known until its error is mended: no "leave it out"
        if name in self.inputs:
            self.err("F106", span, f"規則「{entry}」は入力「{name}」を使いません（使う入力: {listed}）",
                     f"{entry} does not use the input {name!r} (it takes: {listed})",
                     "この入力は金額に影響しません。例から外してください",
                     "the input does not affect this amount; leave it out of the example")
            return
        sug = near_names(name, takes) or near_names(name, self.inputs)
        self.err("F111", span, f"入力「{name}」はありません（規則「{entry}」の入力: {listed}）",
                 f"there is no input {name!r} (the inputs of {entry}: {listed})",
                 did_you_mean(sug, "のことですか？") or "入力の名前を確かめてください",
                 did_you_mean_en(sug) or "check the input's name")

    def has_error(self, name: str) -> bool:
        """Whether rule ``name`` or a rule it calls has an error (its inputs are then a guess)."""
        seen: set[str] = set()
        todo = [name]
        while todo:
            r = self.rules.get(todo.pop())
            if r is None:
                return True
            stack = [r.expr]
            while stack:
                x = stack.pop()
                if isinstance(getattr(x, "type", None), ErrorType):
                    return True
                if isinstance(x, ir.RuleRef) and x.name not in seen:
                    seen.add(x.name)
                    todo.append(x.name)
                stack.extend(_children(x))
        return False

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

    def date_literal(self, text: str, span) -> datetime.date | None:
        """A date as the source writes it (2024-10-01, 令和6年10月1日, R6.10.1), read
        by feedsl.values as every input surface reads it; F203 if there is no such day."""
        try:
            return read_date(text)
        except ValueReadError as e:
            self.err("F203", span, f"日付 {e.ja}", f"date {e.en}",
                     "和暦は元号の期間の中で書いてください（令和は2019年5月1日から）" if e.kind == "era" else "",
                     "a 和暦 date must lie within its era" if e.kind == "era" else "")
            return None

    def e_DateLit(self, e, scope, rule):
        d = self.date_literal(e.text, e.span)
        if d is None:
            return ir.Const(None, ERR, span=e.span)
        return ir.Const(d, DATE, e.text, span=e.span)

    def e_Ref(self, e: ast.Ref, scope, rule):
        n = e.name
        narrowed = scope.get(("narrow", n))
        if n in self.cat_tables and n not in scope:
            self.cat_needs_column(n, e.span)
            return ir.Const(None, ERR, span=e.span)
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

    def e_FieldRef(self, e: ast.FieldRef, scope, rule, fallback=None):
        read = self.cat_read(e, scope, rule, fallback)
        if read is not None:
            return read
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
        if FISCAL_MONTH in (at.dim, bt.dim):
            self.err("F223", e.span, "年度の月 は年度の中の順番（年度の第何月か）で、計算には使えません",
                     "年度の月 is a place in the fiscal year, not a number to compute with",
                     f"月の数なら {ir.MONTHS_AFTER}(日付) か {ir.MONTHS_INCLUDING}(日付) を使ってください",
                     f"for a number of months use {ir.MONTHS_AFTER}(date) or {ir.MONTHS_INCLUDING}(date)")
            return ir.Arith(e.op, a, b, ERR, span=e.span)
        if e.op in ("+", "-"):
            a, b = self.unify_bare(a, b)
            at, bt = a.type, b.type
            if at.dim != bt.dim:
                hint, hint_en = leftover_unit(at, bt)
                self.err("F201", e.span,
                         f"単位の違うものは{'足せ' if e.op == '+' else '引け'}ません: 「{at}」{e.op}「{bt}」",
                         f"cannot {'add' if e.op == '+' else 'subtract'} {bt} {'to' if e.op == '+' else 'from'} {at}",
                         hint or "同じ単位にそろえてください（例: 世帯数 × 14円/世帯 で円にする）",
                         hint_en or "convert to the same unit first")
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
                meant = [m for c, o in ((b, a), (a, b)) if isinstance(c, ir.Const)
                         and (m := glued_bound(c.text, ir.dim_str(c.type.dim), ir.dim_str(o.type.dim)))]
                self.err("F201", e.span, f"単位の違うものは比べられません: 「{a.type}」と「{b.type}」",
                         f"cannot compare {a.type} with {b.type}", did_you_mean(meant[:1]), did_you_mean_en(meant[:1]))
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
        if (isinstance(last, ir.EnumIs) and isinstance(r, ast.Ref)
                and r.name in self.member_names(last.subject.type.name)
                and (r.name in scope or r.name in self.inputs or r.name in self.rule_ast)):
            # 「kind が town または city」 with an input (or rule) named city: the
            # value or the input? Never guess: either reading gives other yen.
            what = "引数" if r.name in scope else "入力" if r.name in self.inputs else "規則"
            enum = last.subject.type.name
            if what == "入力":
                self.used_inputs.add(r.name)  # no F501 on top: the author did write it here
            self.err("F706", r.span,
                     f"「{r.name}」は区分 {enum} の値とも、{what}「{r.name}」とも読めます",
                     f"{r.name!r} is both a value of {enum} and a {'parameter' if what == '引数' else 'input' if what == '入力' else 'rule'}",
                     f"値なら「… が {r.name}」と条件を書き直し、{what}なら「または」の左に書いてください"
                     f"（{r.name} または …）",
                     f"for the value write the test in full (… が {r.name}); for the {what} put it first ({r.name} または …)")
            return ir.Const(None, ERR, span=e.span)
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
                             f"branches have different units: {first} and {t}", *leftover_unit(first, t))
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
            self.warn_dead_arms(e.arms, [c for c, _ in arms])
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

    def span_text(self, sp: Span | None) -> str:
        """The source text of a one-line span ('' for a longer one)."""
        lines = self.source_text.split("\n")
        if sp and sp.line == sp.end_line and 1 <= sp.line <= len(lines):
            return lines[sp.line - 1][sp.col - 1:sp.end_col - 1].strip()
        return ""

    def warn_dead_arms(self, arms: tuple, conds: list) -> None:
        """F504: an arm of a 場合 of conditions that no case reaches (first match)."""
        def head(arm):
            first, last = arm.conds[0].span, arm.conds[-1].span
            sp = Span(first.path, first.line, first.col, last.end_line, last.end_col)
            return sp, self.span_text(sp) or f"{first.line}行目の条件"

        for k, takers in dead_arms(conds, lambda name: [n for n, _ in self.enums[name].values]):
            sp, text = head(arms[k])
            if not takers:
                self.warn("F504", sp, f"この腕には届きません: 「{text}」はどんな入力でも成り立ちません",
                          f"this arm is never reached: {text} never holds",
                          "条件を見直すか、不要なら腕を削除してください", "fix the condition or remove the arm")
                continue
            earlier = "、".join(f"{head(arms[j])[0].line}行目「{head(arms[j])[1]}」" for j in takers)
            lines_en = ", ".join(str(head(arms[j])[0].line) for j in takers)
            self.warn("F504", sp,
                      f"この腕には届きません: 「{text}」に当たるときは必ず先の腕 {earlier}"
                      + ("にも当たります" if len(takers) == 1 else "のどれかに当たります")
                      + "（場合は上から順に、最初に当たった腕を使います）",
                      f"this arm is never reached: whenever {text} holds, an earlier arm (line {lines_en})"
                      " holds too (場合 takes the first arm that holds)",
                      "狭い条件の腕を先に書くか（例: 10万人以上 の腕を 5万人以上 の腕より上に）、不要なら腕を削除してください",
                      "put the narrower condition first, or remove the arm")

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
                             f"{f}: units differ: {base.type} and {a.type}", *leftover_unit(base.type, a.type))
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
        if f == "年度の月":
            return ir.FyCall(f, a, QType(FISCAL_MONTH, True, Fraction(1)), span=e.span)
        if f == "年度末までの月数":
            # The old name: it counts from the month after; say so and name both.
            self.warn("F220", e.span,
                      f"年度末までの月数 は {ir.MONTHS_AFTER} のことです（翌月から数えます。"
                      "4月始まりの年度で10月15日なら 11月～3月 の5か月）",
                      f"年度末までの月数 means {ir.MONTHS_AFTER} (it counts from the month after the date)",
                      f"{ir.MONTHS_AFTER}(…) と書いてください。入会月を含めて数えるなら {ir.MONTHS_INCLUDING}(…)"
                      "（10月15日なら 10月～3月 の6か月）",
                      f"write {ir.MONTHS_AFTER}(…); to count the month of the date too, {ir.MONTHS_INCLUDING}(…)")
            f = ir.MONTHS_AFTER
        lo = Fraction(1) if f == ir.MONTHS_INCLUDING else Fraction(0)
        return ir.FyCall(f, a, QType(MONTH_COUNT, True, lo), span=e.span)

    def e_Table(self, e: ast.Table, scope, rule):
        key = self.expr(e.key, scope, rule)
        if not e.by_month and isinstance(key.type, QType) and key.type.dim == FISCAL_MONTH:
            self.err("F222", e.key.span, "年度の月 で表は引けません（行が暦の月か年度の順番か紛れます）",
                     "a table cannot be keyed by 年度の月",
                     "暦の月で行を書く表にしてください: 表 … 日付 の月 による（行は 4月～6月 など）",
                     "key the table by the month of the date: 表 … date の月 による, rows like 4月～6月")
            return ir.Lookup(rule.name if rule else "?", key, None, (), (), ERR, span=e.span)
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
        if e.by_month:
            return check_month_table(self, rule, e, key, column, colnames)
        return check_table(self, rule, e, key, column, colnames)

    # --- category tables (表 … ごと) -------------------------------------------
    def cat_table(self, t: ast.CategoryTable) -> ir.CatTableIR | None:
        """Check a category table: its key, every enum value in exactly one row,
        one unit per column, and what its なし cells mean."""
        ok = True
        params = []
        if t.params:
            pseen: dict[str, Span] = {}
            for p in t.params:
                if self.declare(p.name, p.span, pseen):
                    params.append((p.name, self.resolve_type(p.type), p.span))
        if t.params and (len(params) != 1 or params[0][0] != t.key):
            self.err("F430", t.key_span,
                     f"引数のある表「{t.name}」の引数は、行を選ぶ「{t.key}」ひとつだけにしてください",
                     f"a parameterised category table takes exactly one parameter, its key {t.key!r}",
                     f"例: 表 {t.name}({t.key}: 区分の名前) 「…」 {t.key} ごと")
            return None
        if params:
            key_type = params[0][1]
        elif t.key in self.inputs:
            self.used_inputs.add(t.key)  # read through the table
            key_type = self.inputs[t.key].type
        elif any(i.name == t.key for i in self.reg.inputs):
            return None  # the input itself has an error, already reported
        else:
            sug = _suggest(t.key, self.inputs)
            self.err("F430", t.key_span, f"「{t.key}」ごと: 「{t.key}」は入力ではありません。行を選ぶのは区分の入力か、表の引数です",
                     f"{t.key!r} is not an input; a category table is keyed by an enum input or its parameter",
                     f"「{sug}」のことですか？" if sug else f"例: 表 {t.name}(k: 区分の名前) 「…」 k ごと",
                     f"did you mean {sug!r}?" if sug else "")
            return None
        if isinstance(key_type, ErrorType):
            return None
        if not isinstance(key_type, EnumType):
            self.err("F430", t.key_span, f"「{t.key}」ごと: 行を選ぶものは区分でなければなりません（これは {key_type}）",
                     f"a category table is keyed by an enumeration, not {key_type}")
            return None
        enum = key_type.name
        members = self.member_names(enum)
        # Rows name values by label as inputs do: compared after NFKC, ignoring
        # white space and case (「ＡＢ」 is 「AB」).
        by_label: dict[str, list[str]] = {}
        for n, lab in members.items():
            by_label.setdefault(label_key(lab), []).append(n)

        cols = []
        cseen: dict[str, Span] = {}
        for c in t.columns:
            if c.name in cseen:
                self.err("F440", c.span, f"列「{c.name}」は二度書かれています（{cseen[c.name].line}行目）",
                         f"column {c.name!r} is written twice", "列の名前は表の中で一つにしてください")
                ok = False
            cseen.setdefault(c.name, c.span)
            cols.append(c)

        def resolve(rn: ast.RowName) -> str | None:
            if rn.kind == "name":
                if rn.text in members:
                    return rn.text
                if len(by_label.get(label_key(rn.text), ())) == 1:
                    return by_label[label_key(rn.text)][0]
            else:
                found = by_label.get(label_key(rn.text), [])
                if len(found) == 1:
                    return found[0]
                if len(found) > 1:
                    self.err("F441", rn.span, f"「{rn.text}」という名前の値が区分 {enum} に複数あります（{'、'.join(found)}）。値の名前で書いてください",
                             f"{rn.text!r} is the label of several values of {enum}: {', '.join(found)}; use the value's name")
                    return None
                if rn.text in members:
                    return rn.text
            sug = _suggest(rn.text, list(members) + list(members.values()))
            self.err("F431", rn.span, f"行「{rn.text}」は区分 {enum}（{self.enums[enum].label}）の値ではありません。値: "
                     + "、".join(f"{n}（{lab}）" for n, lab in members.items()),
                     f"row {rn.text!r} is not a value of {enum}",
                     f"「{sug}」のことですか？" if sug else "値の名前か、そのラベルを書いてください",
                     f"did you mean {sug!r}?" if sug else "write a value's name or its label")
            return None

        none_zero = False
        declared: Span | None = None
        for (text, value), span in t.none_meaning:
            if declared is not None:
                self.err("F439", span, f"「なし は …」は一度だけ書けます（{declared.line}行目）",
                         "なし's meaning is declared twice")
                ok = False
                continue
            declared = span
            if value == "該当なし":
                none_zero = False
            elif value.value == 0:
                none_zero = True
            else:
                self.err("F439", span, f"「なし」の意味は 0 か 該当なし です（{value.text} は書けません）",
                         "なし means 0 or 該当なし", "例: なし は 0　／　なし は 該当なし")
                ok = False

        rows = []
        where: dict[str, Span] = {}
        resolved = True  # False once a row names something that is no value
        for row in t.rows:
            ms = []
            for rn in row.names:
                m = resolve(rn)
                if m is None:
                    ok = resolved = False
                    continue
                if m in where:
                    self.err("F432", rn.span, f"区分の値「{m}」（{members[m]}）の行は {where[m].line}行目 にもあります",
                             f"{m!r} already has a row at line {where[m].line}", "一つの値に行は一つです")
                    ok = False
                    continue
                where[m] = rn.span
                ms.append(m)
            if len(row.cells) != len(cols):
                self.err("F434", row.span, f"この行の欄は {len(row.cells)} 個ですが、列は {len(cols)} 個です",
                         f"the row has {len(row.cells)} cells for {len(cols)} columns",
                         "列ごとに金額か「なし」を一つずつ書いてください")
                ok = False
                continue
            text = row.group or (members[ms[0]] if ms else "")
            rows.append((row, tuple(ms), text))
        missing = [m for m in members if m not in where]
        if missing and resolved:  # after a row that names no value, which is missing is a guess
            self.err("F433", t.span, f"表「{t.name}」に行のない値があります: {'、'.join(f'{m}（{members[m]}）' for m in missing)}",
                     f"category table {t.name!r} has no row for {', '.join(missing)}",
                     "区分のどの値にも行を一つ書いてください（当てはまらない欄は「なし」）",
                     "give every value a row (なし where a part does not apply)")
            ok = False

        col_irs = []
        for k, c in enumerate(cols):
            dim = None
            if c.unit is not None:
                if any(ch in c.unit.num for ch in "×*"):
                    self.err("F435", c.span, f"列「{c.name}」の単位 {c.unit.num} が読めません。円/人 の形で書いてください",
                             f"cannot read the unit of column {c.name!r}; write it like 円/人")
                    ok = False
                    continue
                dim = ir.dim_of(c.unit.num, c.unit.den)
            cells = [(row, row.cells[k]) for row, _, _ in rows]
            for row, q in cells:
                if isinstance(q, ast.NoneCell) or (q.unit.num == "" and not q.unit.percent):
                    continue
                d = self.qdim(q)
                if dim is None:
                    dim = d
                elif d != dim:
                    self.err("F435", q.span, f"列「{c.label}」の単位は「{ir.dim_str(dim)}」ですが、{q.text} は「{ir.dim_str(d)}」です",
                             f"column {c.name!r} is in {ir.dim_str(dim)}, but {q.text} is {ir.dim_str(d)}",
                             "一つの列の金額は同じ単位で書いてください", "write one column in one unit")
                    ok = False
            if dim is None:
                if all(isinstance(q, ast.NoneCell) for _, q in cells):
                    self.err("F435", c.span, f"列「{c.label}」の単位が分かりません。列の見出しのあとに単位を書いてください（例: {c.name} 「{c.label}」 円）",
                             f"the unit of column {c.name!r} is unknown; declare it after its label")
                    ok = False
                    continue
                dim = NODIM
            values = [q.value for _, q in cells if not isinstance(q, ast.NoneCell)]
            if none_zero and len(values) < len(cells):
                values.append(Fraction(0))
            rate = dim == NODIM and any(getattr(q, "unit", None) is not None and q.unit.percent for _, q in cells)
            integral = all(v.denominator == 1 for v in values) and not rate
            lo = min(values) if values else None
            col_irs.append(ir.CatColumnIR(c.name, c.label, QType(dim, integral, lo), span=c.span))
        has_none = any(isinstance(q, ast.NoneCell) for row, _, _ in rows for q in row.cells)
        if not ok:
            return None
        row_irs = tuple(
            ir.CatRowIR(ms, text,
                        tuple(None if isinstance(q, ast.NoneCell) else q.value for q in row.cells),
                        tuple(q.text if isinstance(q, ast.NoneCell) else "" for q in row.cells),
                        span=row.span)
            for row, ms, text in rows)
        return ir.CatTableIR(t.name, t.label, t.clause, enum, t.key,
                             tuple((n, ty) for n, ty, _ in params), t.heading, tuple(col_irs), row_irs,
                             none_zero and has_none, tuple((n.kind, n.text) for n in t.notes), span=t.span,
                             key_label=(t.params[0].label or t.key) if t.params else self.inputs[t.key].label)

    def cat_needs_column(self, name: str, span: Span) -> None:
        t = self.cat_tables.get(name)
        cols = "、".join(f"{name}.{c.name}（{c.label}）" for c in t.columns) if t else ""
        self.err("F437", span, f"表「{name}」は列を選んで使います" + (f": {cols}" if cols else ""),
                 f"category table {name!r} is used by one of its columns: {name}.<column>",
                 "例: 金額の規則の中で 表の名前.列の名前 と書いてください", "write table.column inside a rule")

    def cat_read(self, e: ast.FieldRef, scope, rule, fallback=None):
        """``table.column`` / ``table(key).column``, or None when ``e`` reads a record field."""
        obj = e.obj
        if isinstance(obj, ast.Ref) and obj.name in self.cat_tables and obj.name not in scope:
            args = None
        elif isinstance(obj, ast.Call) and obj.name in self.cat_tables and obj.name not in self.rule_ast:
            args = obj.args
        else:
            return None
        self.cat_read_names.add(obj.name)
        t = self.cat_tables[obj.name]
        if t is None:
            # The table has an error (reported): still read its key, so that the
            # rule's inputs are what they will be once the table is mended.
            key_name = self.cat_ast[obj.name].key
            if args is None and key_name in self.inputs:
                key = ir.InputRef(key_name, self.inputs[key_name].type, span=obj.span)
                self.used_inputs.add(key_name)
            elif args is not None and len(args) == 1:
                key = self.expr(args[0], scope, rule)
            else:
                return ir.Const(None, ERR, span=e.span)
            return ir.CatLookup(obj.name, e.name, key, (), None, ERR, span=e.span)
        if t.params:
            if args is None or len(args) != 1:
                self.err("F107", obj.span, f"表「{t.name}」には行を選ぶ引数が一つ必要です: {t.name}(…).{e.name}",
                         f"table {t.name!r} takes one argument: {t.name}(…).{e.name}")
                return ir.Const(None, ERR, span=e.span)
            key = self.expr(args[0], scope, rule)
            if not self.same_type(key, EnumType(t.enum), args[0].span, f"表「{t.name}」の引数"):
                return ir.Const(None, ERR, span=e.span)
        else:
            if args is not None:
                self.err("F107", obj.span, f"表「{t.name}」は入力「{t.key}」で行を選ぶので、引数は書けません: {t.name}.{e.name}",
                         f"table {t.name!r} is keyed by input {t.key!r} and takes no arguments")
                return ir.Const(None, ERR, span=e.span)
            if t.key in scope:
                # A parameter or 合計 variable of that name hides the input here; the
                # table still reads the input (unnarrowed: the 場合 was on the other name).
                self.used_inputs.add(t.key)
                key = ir.InputRef(t.key, self.inputs[t.key].type, span=obj.span)
            else:
                key = self.expr(ast.Ref(t.key, span=obj.span), scope, rule)
        if isinstance(key.type, ErrorType):
            return ir.Const(None, ERR, span=e.span)
        col = next((c for c in t.columns if c.name == e.name), None)
        if col is None:
            sug = _suggest(e.name, [c.name for c in t.columns])
            self.err("F437", e.span, f"表「{t.name}」に列「{e.name}」はありません。列: "
                     + "、".join(f"{c.name}（{c.label}）" for c in t.columns),
                     f"table {t.name!r} has no column {e.name!r}",
                     f"「{sug}」のことですか？" if sug else "", f"did you mean {sug!r}?" if sug else "")
            return ir.Const(None, ERR, span=e.span)
        cells = []
        for m in self.member_names(t.enum):
            _, v = t.cell(m, col.name)
            cells.append((m, Fraction(0) if v is None and t.none_zero else v))
        possible = set(self.enum_values(key.type))
        labels = self.member_names(t.enum)
        open_rows = [m for m, v in cells if v is None and m in possible]
        typ = col.type
        default = None
        if fallback is not None:
            default = self.expr(fallback.default, scope, rule)
            if not any(v is None for _, v in cells):
                why = "「なし は 0」の表なので、なしの欄は 0 です" if t.none_zero else "この列に「なし」の欄はありません"
                self.err("F438", fallback.span, f"「がなければ」は要りません: 表「{t.name}」の列「{col.label}」は、{why}",
                         f"nothing to fall back from: column {col.name!r} of {t.name!r} has no なし that does not apply",
                         "「がなければ …」を消してください", "remove がなければ")
                return ir.Const(None, ERR, span=e.span)
            if isinstance(default.type, ErrorType):
                return ir.Const(None, ERR, span=e.span)
            here = ir.Const(None, typ, span=e.span)
            _, default = self.unify_bare(here, default)
            if not isinstance(default.type, QType) or default.type.dim != typ.dim:
                self.err("F201", fallback.default.span, f"なしのときの値の単位が列と合いません: 列は「{typ}」、値は「{default.type}」",
                         f"the fallback is {default.type}, the column is {typ}")
                return ir.Const(None, ERR, span=e.span)
            dt = default.type
            lo = min(typ.lo, dt.lo) if typ.lo is not None and dt.lo is not None else None
            typ = QType(typ.dim, typ.integral and dt.integral, lo)
        elif open_rows:
            shown = "、".join(f"{t.cell(m, col.name)[0].text}" for m in dict.fromkeys(open_rows))
            key_text = t.key if not t.params else "引数"
            self.err("F436", e.span,
                     f"表「{t.name}」の列「{col.label}」は {shown} で「なし」（該当なし）です。ここにはその区分も来ることがあります",
                     f"column {col.name!r} of {t.name!r} does not apply to {', '.join(open_rows)}, which may reach here",
                     f"「場合 {key_text}」の腕でその区分を除くか、なしのときの値を書いてください（例: {t.name}{'' if not t.params else '(…)'}.{col.name} がなければ 0{ir.dim_str(typ.dim) if typ.dim else ''}）",
                     f"exclude {', '.join(open_rows)} in an earlier 場合 arm, or give a value: … がなければ 0")
            return ir.Const(None, ERR, span=e.span)
        return ir.CatLookup(t.name, col.name, key, tuple(cells), default, typ, span=e.span)

    def e_Fallback(self, e: ast.Fallback, scope, rule):
        if isinstance(e.value, ast.FieldRef):
            read = self.cat_read(e.value, scope, rule, fallback=e)
            if read is not None:
                return read
        self.expr(e.value, scope, rule)
        self.err("F438", e.span, "「がなければ」は、分類表の列（表の名前.列の名前）のあとにだけ書けます",
                 "がなければ follows a category table's column (table.column)",
                 "例: facility_parts.per_head がなければ 0円")
        return ir.Const(None, ERR, span=e.span)


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


def _per_unit_yen(t) -> bool:
    """円/人, 円/口: an amount per person or unit, as a 一覧 shows a per-head fee."""
    if not isinstance(t, QType):
        return False
    dim = dict(t.dim)
    return dim.get("円") == 1 and all(v == -1 for k, v in dim.items() if k != "円") and len(dim) == 2
