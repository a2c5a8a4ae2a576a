"""Lark tree → AST. Literals such as ``9,300円``, ``2万人`` and ``21%`` become
exact values here (``Fraction``), never floats."""

from __future__ import annotations

import re
from fractions import Fraction

import attrs

from lark import Token, Transformer, v_args

from . import ast
from .diagnostics import Diagnostics
from .source import Span
from .values import MONTH_WORDS, MULTIPLIERS, NUMERAL, normalize, numeral
from .spelling import ROUNDING_SPELLINGS

# Full-width digits, commas, periods and ％ are read as their ASCII forms
# (feedsl.values.normalize, the reader of every input surface).
# A numeral may be compound (1億5,000万円): feedsl.values.numeral reads it.
_QTY = re.compile(rf"^(?P<num>{NUMERAL})(?P<unit>%|[^/]+)?(?:/(?P<den>.+))?$")
_SIMPLE = re.compile(r"^[0-9,]+(?:\.[0-9]+)?(?P<mult>[千万億兆])$")


MAX_LITERAL_DIGITS = 30
"""The most digits (whole and decimal, commas not counted) a number written in
a .fee file may have. Generous: 1兆円 has 13 digits and all the money on earth
fewer than 20, so 30 leaves any fee, count or rate room to spare; a longer
number is a slip of the keyboard (or a pasted blob). Far below Python's limit
on turning text into an int (4,300 digits, where int() raises), so nothing
downstream -- checker, generated code, pages -- ever meets a number it cannot
write out."""


class _Printed:
    """A label that belongs to the item before it (表記 of a row, 公開 of an example)."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


class NumeralError(ValueError):
    """A numeral the grammar lets through but that is written wrong (5万1億)."""

    def __init__(self, ja: str, en: str):
        super().__init__(ja)
        self.ja, self.en = ja, en


def literal_digits(text: str) -> int:
    """How many digits a quantity literal is written with (commas not counted)."""
    m = _QTY.match(normalize(text))
    return sum(c.isdigit() for c in m["num"])


def parse_quantity(text: str, span: Span) -> ast.Quantity:
    """``2万人`` → Quantity(20000, 人). Exact: decimals become Fractions.

    The caller has checked the length (MAX_LITERAL_DIGITS); a longer literal is
    read as if cut to the limit (a whole part too long stands for 10**limit, so
    it still sorts after every number allowed), which keeps int() within its
    range and the rest of the check meaningful."""
    m = _QTY.match(normalize(text))
    assert m, text  # the grammar only lets well-formed quantities through
    got = numeral(m["num"], MAX_LITERAL_DIGITS)
    if isinstance(got[0], str):
        raise NumeralError(*got)
    value = got[0]
    unit_text = m["unit"] or ""
    if unit_text == "%":
        return ast.Quantity(value / 100, ast.Unit(percent=True), text, span=span)
    num, den = unit_word(unit_text), unit_word(m["den"] or "")
    if (num, den) != (unit_text, m["den"] or ""):
        text = text[:m.start("unit")] + num + (f"/{den}" if den else "")  # 12ヶ月 → 12か月
    return ast.Quantity(value, ast.Unit(num, den), text, span=span)


# A count of months is written many ways; all are the one unit か月.
MONTH_COUNT = "か月"
_MONTH_COUNT_SPELLINGS = frozenset(MONTH_WORDS)


def unit_word(word: str) -> str:
    """A unit word as the checker knows it: ヶ月, カ月 … are か月."""
    return MONTH_COUNT if word in _MONTH_COUNT_SPELLINGS else word


def _label(tok) -> str:
    return str(tok)[1:-1].strip()


class _Builder(Transformer):
    def __init__(self, path: str, diags: Diagnostics, line_offset: int = 0):
        super().__init__()
        self.path = path
        self.diags = diags
        self.off = line_offset

    def span(self, meta) -> Span:
        if getattr(meta, "empty", True) and not hasattr(meta, "line"):
            return Span(self.path, 0, 0, 0, 0)
        return Span(self.path, meta.line + self.off, meta.column,
                    meta.end_line + self.off, meta.end_column)

    def tspan(self, tok: Token) -> Span:
        return Span(self.path, tok.line + self.off, tok.column,
                    (tok.end_line or tok.line) + self.off, tok.end_column or tok.column + 1)

    def qty(self, tok: Token) -> ast.Quantity:
        # Lark wraps an exception raised here in VisitError: report, never raise.
        span = self.tspan(tok)
        n = literal_digits(str(tok))
        if n > MAX_LITERAL_DIGITS:
            self.diags.error(
                "F006", span,
                f"数が長すぎます（{n:,}桁）。数は{MAX_LITERAL_DIGITS}桁までです",
                f"number too long ({n:,} digits); numbers have at most {MAX_LITERAL_DIGITS} digits",
                "桁を確かめてください（1兆円は13桁です）", "check the digits (1兆円 has 13)")
        try:
            return parse_quantity(str(tok), span)
        except NumeralError as e:
            self.diags.error("F116", span, f"数の書き方が違います: {e.ja}", e.en,
                             "大きい位から順に、1億5,000万円・1千万円・1.5億円 のように書いてください",
                             "write the larger unit first: 1億5,000万円, 1千万円, 1.5億円")
            return ast.Quantity(Fraction(0), ast.Unit(), str(tok), span=span)

    # --- file ---------------------------------------------------------------
    @v_args(meta=True)
    def start(self, meta, children):
        header, *items = children
        name, label, heads, hspan = header
        metas = [m for m in heads if isinstance(m, ast.Meta)]
        summaries = tuple(m for m in heads if isinstance(m, (ast.Summary, ast.SummaryBlock)))
        decls = tuple(m for m in heads if isinstance(m, ast.VersionDecl))
        common, sections = _sections(items)
        by = {k: [] for k in ("enum", "record", "input", "rule", "relation", "example", "cat")}
        for it in common:
            by[ITEM_KINDS[type(it)]].append(it)
        return ast.Regulation(name, label, tuple(metas), tuple(by["enum"]), tuple(by["record"]),
                              tuple(by["input"]), tuple(by["rule"]), tuple(by["relation"]),
                              tuple(by["example"]), summaries, tuple(by["cat"]), decls, sections,
                              path=self.path, span=hspan)

    @v_args(meta=True)
    def header(self, meta, children):
        name, label, *metas = children
        return (str(name), _label(label), metas, self.tspan(name))

    @v_args(meta=True, inline=True)
    def meta(self, meta, key, value):
        v = str(value)
        if value.type == "LABEL":
            v = _label(value)
        return ast.Meta(str(key), v, span=self.span(meta))

    @v_args(meta=True)
    def version_decl(self, meta, children):
        name, label, *dates = children
        return ast.VersionDecl(str(name), _label(label), tuple(dates), self.tspan(name),
                               span=Span(self.path, meta.line, meta.column, meta.line, meta.column + 1))

    @v_args(meta=True)
    def version_date(self, meta, children):
        key, date = children
        return (None if key is None else str(key), str(date), self.tspan(date))

    @v_args(meta=True)
    def version_section(self, meta, children):
        (name,) = children
        return ast.Section(str(name), span=self.tspan(name))

    @v_args(meta=True)
    def transitional(self, meta, children):
        label, start, end = children
        return ast.Transitional(_label(label), str(start), str(end), self.tspan(start), self.tspan(end),
                                span=Span(self.path, meta.line, meta.column, meta.line, meta.column + 4))

    @v_args(meta=True)
    def summary(self, meta, children):
        label, *names = children
        return ast.Summary(_label(label), tuple((str(n), self.tspan(n)) for n in names),
                           span=self.span(meta))

    @v_args(meta=True)
    def summary_block(self, meta, children):
        label, *lines = children
        columns = tuple(x[1:] for x in lines if x[0] == "columns")
        rows = tuple(x[1:] for x in lines if x[0] == "row")
        notes = tuple(x[1:] for x in lines if x[0] == "note")
        return ast.SummaryBlock(_label(label), columns, rows, notes, span=self.span(meta))

    @v_args(meta=True)
    def summary_columns(self, meta, children):
        return ("columns", tuple(_label(c) for c in children), self.span(meta))

    @v_args(meta=True)
    def summary_row(self, meta, children):
        label, *cells = children
        return ("row", _label(label), tuple(cells), self.tspan(label))

    @v_args(meta=True, inline=True)
    def summary_note(self, meta, key, text):
        return ("note", str(key), _label(text), self.span(meta))

    @v_args(inline=True)
    def cell_rule(self, name):
        return ast.SummaryCell("rule", rule=str(name), span=self.tspan(name))

    @v_args(inline=True)
    def cell_text(self, text):
        return ast.SummaryCell("text", _label(text), span=self.tspan(text))

    @v_args(inline=True)
    def cell_linked(self, text, name):
        return ast.SummaryCell("linked", _label(text), str(name), span=self.tspan(name))

    @v_args(inline=True)
    def cell_none(self, tok):
        return ast.SummaryCell("none", str(tok), span=self.tspan(tok))

    # --- enums, records, inputs ---------------------------------------------
    @v_args(meta=True)
    def enum_def(self, meta, children):
        name, label, *values = children
        return ast.EnumDef(str(name), _label(label), tuple(values), span=self.tspan(name))

    @v_args(meta=True, inline=True)
    def enum_value(self, meta, name, label):
        return ast.EnumValue(str(name), _label(label), span=self.tspan(name))

    @v_args(meta=True)
    def record_def(self, meta, children):
        name, label, *fields = children
        return ast.RecordDef(str(name), _label(label), tuple(fields), span=self.tspan(name))

    def _input(self, children):
        name, typ, default, label, *opts = children
        desc = ""
        domain = None
        needed = None
        for kind, val in opts:
            if kind == "description":
                desc = val
            elif kind == "needed":
                needed = val
            else:
                domain = val
        return ast.InputDef(str(name), typ, default, _label(label), desc, domain, span=self.tspan(name),
                            needed=needed)

    def input_def(self, children):
        return self._input(children)

    def field(self, children):
        return self._input(children)

    @v_args(inline=True)
    def default(self, lit):
        return lit

    @v_args(inline=True)
    def description(self, label):
        return ("description", _label(label))

    @v_args(inline=True)
    def needed(self, cond, label=None):
        return ("needed", (cond, _label(label) if label else ""))

    @v_args(inline=True)
    def domain(self, q, bound):
        return ("domain", (self.qty(q), str(bound)))

    @v_args(inline=True)
    def unit_type(self, word):
        return ast.UnitType(unit_word(str(word)), span=self.tspan(word))

    @v_args(inline=True)
    def named_type(self, name):
        return ast.NamedType(str(name), span=self.tspan(name))

    @v_args(meta=True, inline=True)
    def list_type(self, meta, elem):
        return ast.ListType(elem, span=self.span(meta))

    @v_args(meta=True, inline=True)
    def relation(self, meta, expr, label=None):
        return ast.Relation(expr, _label(label) if label else "", span=self.span(meta))

    # --- rules and tables ---------------------------------------------------
    def params(self, children):
        return tuple(children)

    def param(self, children):
        name, typ, label, *opts = children
        desc = ""
        domain = None
        for kind, val in opts:
            if kind == "description":
                desc = val
            else:
                domain = val
        return ast.Param(str(name), typ, _label(label) if label else "", desc, domain,
                         span=self.tspan(name))

    @v_args(meta=True)
    def rule_def(self, meta, children):
        name, params, label, clause, (body, notes) = children
        params = params or ()
        clause = str(clause)[1:-1].strip() if clause else ""
        return ast.RuleDef(str(name), params, _label(label), clause, body, notes,
                           span=self.tspan(name))

    def rule_body(self, children):
        expr, *rest = children
        notes = ()
        for r in rest:
            if isinstance(r, tuple):
                notes = r
        return (expr, notes)

    def notes(self, children):
        return tuple(children)

    def notes_inline(self, children):
        return tuple(children)

    @v_args(meta=True, inline=True)
    def note(self, meta, key, text):
        return ast.Note(str(key), _label(text), span=self.span(meta))

    @v_args(meta=True)
    def table_def(self, meta, children):
        name, params, label, clause, (key, column, colnames, by_month), *lines = children
        params = params or ()
        clause = str(clause)[1:-1].strip() if clause else ""
        rows = tuple(x for x in lines if isinstance(x, ast.Row))
        notes = tuple(x for x in lines if isinstance(x, ast.Note))
        table = ast.Table(key, column, colnames, rows, span=self.tspan(name), by_month=by_month)
        return ast.RuleDef(str(name), params, _label(label), clause, table, notes,
                           is_table=True, span=self.tspan(name))

    @v_args(inline=True)
    def table_head(self, key, month_of=None, columns=None):
        if columns is None:
            return (key, None, (), month_of is not None)
        return (key, columns[0], columns[1], month_of is not None)

    def month_of(self, _):
        return True

    def columns(self, children):
        expr, *names = children
        return (expr, tuple((str(n), self.tspan(n)) for n in names))

    @v_args(meta=True)
    def row(self, meta, children):
        band, *amounts = children
        printed = ""
        if amounts and isinstance(amounts[-1], _Printed):
            printed = amounts.pop().text
        # A bracket table's なし is None (reported by the bracket checker).
        amounts = tuple(None if isinstance(a, ast.NoneCell) else a for a in amounts)
        return ast.Row(band, amounts, span=self.span(meta), printed=printed)

    @v_args(inline=True)
    def printed(self, text):
        return _Printed(_label(text))

    @v_args(inline=True)
    def amount(self, q):
        return self.qty(q)

    @v_args(inline=True)
    def no_amount(self, tok):
        return ast.NoneCell(str(tok), span=self.tspan(tok))

    # --- category tables ------------------------------------------------------
    @v_args(meta=True)
    def cat_table_def(self, meta, children):
        name, params, label, clause, key, (heading, columns), *lines = children
        clause = str(clause)[1:-1].strip() if clause else ""
        rows = tuple(x for x in lines if isinstance(x, ast.CatRow))
        notes = tuple(x for x in lines if isinstance(x, ast.Note))
        nones = tuple(x for x in lines if isinstance(x, tuple))
        return ast.CategoryTable(str(name), params or (), _label(label), clause, str(key), self.tspan(key),
                                 heading, columns, rows, nones, notes, span=self.tspan(name))

    def cat_heading(self, children):
        heading, *columns = children
        return (_label(heading) if heading is not None else "区分", tuple(columns))

    @v_args(meta=True)
    def cat_column(self, meta, children):
        name, label, num, op, den = children
        unit = None
        if num is not None:
            unit = ast.Unit(str(num), str(den) if den is not None else "")
            if op is not None and str(op) not in ("/", "÷"):
                unit = ast.Unit(str(num) + str(op) + str(den))  # reported by the checker
        return ast.CatColumn(str(name), _label(label), unit, span=self.tspan(name))

    @v_args(meta=True)
    def cat_row(self, meta, children):
        (names, group), *cells = children
        return ast.CatRow(names, group, tuple(cells), span=self.span(meta))

    def cat_key_one(self, children):
        return ((children[0],), "")

    def cat_key_group(self, children):
        label, *names = children
        return (tuple(names), _label(label))

    @v_args(inline=True)
    def row_name(self, tok):
        if tok.type == "NAME":
            return ast.RowName("name", str(tok), span=self.tspan(tok))
        text = _label(tok) if tok.type == "LABEL" else str(tok)
        return ast.RowName("label", text, span=self.tspan(tok))

    row_head = row_name

    @v_args(meta=True, inline=True)
    def none_meaning(self, meta, cell, value):
        v = "該当なし" if value.type == "NOT_APPLICABLE" else self.qty(value)
        return ((str(cell), v), self.span(meta))

    @v_args(meta=True, inline=True)
    def fallback(self, meta, obj, name, default):
        end = self.tspan(name)
        span = Span(self.path, obj.span.line, obj.span.col, end.end_line, end.end_col)
        return ast.Fallback(ast.FieldRef(obj, str(name), span=span), default, span=self.span(meta))

    @v_args(meta=True)
    def band_one(self, meta, children):
        q, bound = children
        b = str(bound) if bound is not None else None
        text = str(q) + (b or "")
        if b in ("以上", "超"):
            return ast.Band("one", lo=self.qty(q), lo_bound=b, text=text, span=self.span(meta))
        if b in ("以下", "未満"):
            return ast.Band("one", hi=self.qty(q), hi_bound=b, text=text, span=self.span(meta))
        return ast.Band("step", lo=self.qty(q), lo_bound="以上", text=text, span=self.span(meta))

    @v_args(meta=True)
    def band_over(self, meta, children):
        """「1,000万円を超え5,000万円以下」: above the first, up to the second (以下 unless written)."""
        lo, hi, hib = children
        text = f"{lo}を超え{hi}{hib or ''}"
        return ast.Band("range", lo=self.qty(lo), lo_bound="超", hi=self.qty(hi),
                        hi_bound=str(hib) if hib else "以下", text=text, span=self.span(meta))

    @v_args(meta=True)
    def band_over_rest(self, meta, children):
        """「10億円を超えるもの」: everything above."""
        (q,) = children
        return ast.Band("one", lo=self.qty(q), lo_bound="超", text=f"{q}を超えるもの", span=self.span(meta))

    @v_args(meta=True)
    def band_range(self, meta, children):
        lo, lob, hi, hib = children
        text = str(lo) + (str(lob) if lob else "") + "～" + str(hi) + (str(hib) if hib else "")
        lob = str(lob) if lob else "以上"
        hib = str(hib) if hib else "以下"
        qlo, qhi = self.qty(lo), self.qty(hi)
        simple = _SIMPLE.match(_QTY.match(normalize(str(hi)))["num"])
        mult = simple["mult"] if simple else None
        if mult and not any(c in str(lo) for c in MULTIPLIERS) and qlo.unit == ast.Unit():
            # 「2～3万人以下」: the 万 of the upper bound applies to the bare lower one.
            qlo = ast.Quantity(qlo.value * MULTIPLIERS[mult], qlo.unit, qlo.text + mult, span=qlo.span)
        return ast.Band("range", lo=qlo, lo_bound=lob, hi=qhi, hi_bound=hib,
                        text=text, span=self.span(meta))

    @v_args(meta=True)
    def band_rest(self, meta, children):
        return ast.Band("rest", text="それ以上", span=self.span(meta))

    @v_args(meta=True)
    def band_else(self, meta, children):
        return ast.Band("else", text="それ以外", span=self.span(meta))

    # --- 場合 ----------------------------------------------------------------
    @v_args(meta=True)
    def case_block(self, meta, children):
        subject, *arms = children
        return ast.Case(subject, tuple(arms), span=self.span(meta))

    @v_args(meta=True, inline=True)
    def arm(self, meta, head, body):
        return ast.Arm(head, body, span=self.span(meta))

    def arm_when(self, children):
        return tuple(children)

    def arm_else(self, children):
        return ()

    @v_args(meta=True, inline=True)
    def if_block(self, meta, cond, then, else_):
        return ast.If(cond, then, else_, span=self.span(meta))

    # --- examples -----------------------------------------------------------
    @v_args(meta=True)
    def example(self, meta, children):
        pin, name, *rest = children
        caption = ""
        if rest and isinstance(rest[-1], _Printed):
            caption = rest.pop().text
        expected = rest.pop()
        kwargs = tuple(k for k in rest if k is not None)
        return ast.Example(str(name), kwargs, expected, span=self.tspan(name), caption=caption,
                           pin=None if pin is None else str(pin), pin_span=None if pin is None else self.tspan(pin))

    published = printed  # 公開 「見出し」: the same wrapped label as 表記 「…」

    @v_args(inline=True)
    def kwarg(self, name, value):
        return (str(name), value, self.tspan(name))

    kvalue = kwarg

    @v_args(inline=True)
    def expected_amount(self, q):
        return self.qty(q)

    def expected_error(self, _):
        return None

    @v_args(meta=True)
    def record_value(self, meta, children):
        return ast.RecordValue(tuple((n, v) for n, v, _ in (c for c in children if c is not None)),
                               span=self.span(meta))

    @v_args(meta=True)
    def list_value(self, meta, children):
        return ast.ListValue(tuple(c for c in children if c is not None), span=self.span(meta))

    @v_args(inline=True)
    def symbol(self, name):
        return ast.Symbol(str(name), span=self.tspan(name))

    @v_args(inline=True)
    def label_literal(self, tok):
        return ast.LabelLit(_label(tok), span=self.tspan(tok))

    # --- expressions --------------------------------------------------------
    @v_args(inline=True)
    def number(self, q):
        qq = self.qty(q)
        return ast.Num(qq, span=qq.span)

    @v_args(meta=True, inline=True)
    def negative_number(self, meta, q):
        qq = self.qty(q)
        neg = ast.Quantity(-qq.value, qq.unit, "-" + qq.text, span=self.span(meta))
        return ast.Num(neg, span=neg.span)

    @v_args(inline=True)
    def date(self, tok):
        return ast.DateLit(str(tok), span=self.tspan(tok))

    @v_args(meta=True)
    def true(self, meta, _):
        return ast.BoolLit(True, span=self.span(meta))

    @v_args(meta=True)
    def false(self, meta, _):
        return ast.BoolLit(False, span=self.span(meta))

    @v_args(inline=True)
    def ref(self, name):
        return ast.Ref(str(name), span=self.tspan(name))

    @v_args(meta=True)
    def call(self, meta, children):
        name, *args = children
        return ast.Call(str(name), tuple(a for a in args if a is not None), span=self.span(meta))

    @v_args(meta=True)
    def builtin(self, meta, children):
        name, *args = children
        func = ROUNDING_SPELLINGS.get(str(name), str(name))  # 切捨て → 切り捨て: one word downstream
        return ast.Builtin(func, tuple(a for a in args if a is not None), span=self.span(meta))

    @v_args(meta=True, inline=True)
    def aggregate(self, meta, func, var, _in, source, body):
        return ast.Aggregate(str(func), str(var), source, body, span=self.span(meta))

    @v_args(meta=True, inline=True)
    def field_ref(self, meta, obj, name):
        return ast.FieldRef(obj, str(name), span=self.span(meta))

    _OPS = {"*": "×", "/": "÷", "＋": "+", "−": "-", "<=": "≤", ">=": "≥",
            "==": "=", "!=": "≠"}

    @v_args(meta=True, inline=True)
    def binop(self, meta, left, op, right):
        o = self._OPS.get(str(op), str(op))
        return ast.BinOp(o, left, right, span=self.span(meta))

    @v_args(meta=True, inline=True)
    def compare(self, meta, left, op, right):
        return ast.Compare(self._OPS.get(str(op), str(op)), left, right, span=self.span(meta))

    _BOUND_OP = {"以上": "≥", "以下": "≤", "未満": "<", "超": ">"}

    @v_args(meta=True, inline=True)
    def compare_ja(self, meta, left, right, bound):
        return ast.Compare(self._BOUND_OP[str(bound)], left, right, span=self.span(meta))

    @v_args(meta=True, inline=True)
    def is_(self, meta, left, right):
        return ast.Is(left, right, span=self.span(meta))

    @v_args(meta=True, inline=True)
    def and_(self, meta, left, right):
        return ast.And(left, right, span=self.span(meta))

    @v_args(meta=True, inline=True)
    def or_(self, meta, left, right):
        return ast.Or(left, right, span=self.span(meta))

    @v_args(meta=True, inline=True)
    def not_(self, meta, operand):
        return ast.Not(operand, span=self.span(meta))

    @v_args(meta=True, inline=True)
    def if_expr(self, meta, cond, then, else_):
        return ast.If(cond, then, else_, span=self.span(meta))


ITEM_KINDS = {ast.EnumDef: "enum", ast.RecordDef: "record", ast.InputDef: "input", ast.RuleDef: "rule",
              ast.Relation: "relation", ast.Example: "example", ast.CategoryTable: "cat"}


def _sections(items: list) -> tuple[list, tuple]:
    """The items before the first ``版 NAME`` line (common to every version),
    and each section with its items and its 経過措置 (each with its items)."""
    common, sections = [], []
    for it in items:
        if isinstance(it, ast.Section):
            sections.append([it, [], []])
        elif isinstance(it, ast.Transitional):
            if sections:
                sections[-1][2].append([it, []])
            else:  # before every section: feedsl.versions reports it (F238)
                sections.append([ast.Section("", span=it.span), [], [[it, []]]])
        elif sections and sections[-1][2]:
            sections[-1][2][-1][1].append(it)
        elif sections:
            sections[-1][1].append(it)
        else:
            common.append(it)
    return common, tuple(
        attrs.evolve(sec, items=tuple(its),
                     transitionals=tuple(attrs.evolve(t, items=tuple(titems)) for t, titems in trs))
        for sec, its, trs in sections)


def build(tree, path: str, diags: Diagnostics) -> ast.Regulation:
    """Turn a parse tree into an :class:`ast.Regulation`."""
    return _Builder(path, diags).transform(tree)
