"""The checked, typed IR that every back end (code, docs, explanations) reads.

Every expression node has a ``type``; every table is normalised to intervals
on its key's domain; every rule knows the inputs it needs.
"""

from __future__ import annotations

from fractions import Fraction

import attrs

from .source import Span


def _span():
    return attrs.field(eq=False, repr=False, kw_only=True, default=None)


# --- types -----------------------------------------------------------------

Dim = tuple  # sorted ((word, exponent), ...)

YEN = (("円", 1),)
NODIM: Dim = ()


def dim_of(num: str = "", den: str = "") -> Dim:
    d: dict[str, int] = {}
    if num:
        d[num] = d.get(num, 0) + 1
    if den:
        d[den] = d.get(den, 0) - 1
    return tuple(sorted((k, v) for k, v in d.items() if v))


def dim_mul(a: Dim, b: Dim, sign: int = 1) -> Dim:
    d = dict(a)
    for k, v in b:
        d[k] = d.get(k, 0) + sign * v
    return tuple(sorted((k, v) for k, v in d.items() if v))


def dim_str(d: Dim) -> str:
    """円, 人, 円/世帯; a dimensionless value shows as 無単位."""
    if not d:
        return "無単位"
    num = "・".join(k if v == 1 else f"{k}^{v}" for k, v in d if v > 0)
    den = "・".join(k if v == -1 else f"{k}^{-v}" for k, v in d if v < 0)
    if den:
        return f"{num or '1'}/{den}"
    return num


@attrs.frozen
class QType:
    """A quantity: its unit (``dim``), whether it is always a whole number, and
    a known lower bound (for bracket domains; not part of type identity)."""

    dim: Dim
    integral: bool = attrs.field(eq=False, default=True)
    lo: Fraction | None = attrs.field(eq=False, default=None)

    def __str__(self) -> str:
        return dim_str(self.dim)

    @property
    def is_yen(self) -> bool:
        return self.dim == YEN

    @property
    def is_rate(self) -> bool:
        return self.dim == NODIM and not self.integral


@attrs.frozen
class BoolType:
    def __str__(self) -> str:
        return "真偽"


@attrs.frozen
class EnumType:
    """An enumeration. ``members`` narrows it to some of its values: inside a
    ``場合 kind`` arm, or for a parameter that selects a table's columns.
    Narrowing is not part of type identity."""

    name: str
    members: frozenset | None = attrs.field(eq=False, default=None)

    def __str__(self) -> str:
        return f"区分 {self.name}"


@attrs.frozen
class DateType:
    def __str__(self) -> str:
        return "日付"


@attrs.frozen
class RecordType:
    name: str

    def __str__(self) -> str:
        return f"記録 {self.name}"


@attrs.frozen
class ListType:
    element: object

    def __str__(self) -> str:
        return f"{self.element}の一覧"


@attrs.frozen
class ErrorType:
    """The type of an expression that already has an error: never reported again."""

    def __str__(self) -> str:
        return "?"


# --- expressions -----------------------------------------------------------

@attrs.frozen
class Const:
    value: object  # Fraction | bool | str (enum member) | datetime.date
    type: object
    text: str = ""
    span: Span = _span()


@attrs.frozen
class InputRef:
    name: str
    type: object
    span: Span = _span()


@attrs.frozen
class ParamRef:
    name: str
    type: object
    span: Span = _span()


@attrs.frozen
class RuleRef:
    name: str
    args: tuple
    type: object
    span: Span = _span()


@attrs.frozen
class Arith:
    op: str  # + - × ÷
    left: object
    right: object
    type: object
    span: Span = _span()


@attrs.frozen
class Cmp:
    op: str  # ≤ ≥ < > = ≠
    left: object
    right: object
    type: object = BoolType()
    span: Span = _span()


@attrs.frozen
class EnumIs:
    subject: object
    members: tuple
    type: object = BoolType()
    span: Span = _span()


@attrs.frozen
class BoolOp:
    op: str  # and | or
    left: object
    right: object
    type: object = BoolType()
    span: Span = _span()


@attrs.frozen
class NotOp:
    operand: object
    type: object = BoolType()
    span: Span = _span()


@attrs.frozen
class Cond:
    cond: object
    then: object
    else_: object
    type: object
    span: Span = _span()


@attrs.frozen
class Match:
    """場合 on an enum: arms are (members, value); members () is それ以外."""

    subject: object
    arms: tuple
    type: object
    span: Span = _span()


@attrs.frozen
class Branches:
    """場合 without a subject: the first arm whose condition holds; None is それ以外."""

    arms: tuple  # (cond | None, value)
    type: object
    span: Span = _span()


ROUND_MODES = {"四捨五入": "half_up", "切り捨て": "down", "切り上げ": "up"}


@attrs.frozen
class Round:
    mode: str  # 四捨五入 | 切り捨て | 切り上げ
    value: object
    unit: int
    unit_text: str
    type: object
    span: Span = _span()


@attrs.frozen
class MinMax:
    func: str  # 最小 | 最大 | 上限 | 下限
    args: tuple
    type: object
    span: Span = _span()


# The month-count functions: from the month after the date, and from the
# month of the date itself, to the fiscal year's last month (か月).
MONTHS_AFTER = "翌月から年度末までの月数"
MONTHS_INCLUDING = "当月から年度末までの月数"
# 年度の月(d): the month's place in the fiscal year (its unit, 年度の第N月).
FISCAL_MONTH = "年度の月"
# The key of a 「d の月 による」 table: the month of d, by its place in the fiscal year.
MONTH_OF = "の月"


@attrs.frozen
class FyCall:
    """Fiscal-year date functions: 年度の月, the month counts (MONTHS_AFTER,
    MONTHS_INCLUDING), 上半期, 下半期, and MONTH_OF (a month table's key)."""

    func: str
    arg: object
    type: object
    span: Span = _span()


@attrs.frozen
class FieldGet:
    obj: object
    name: str
    type: object
    span: Span = _span()


@attrs.frozen
class Aggregate:
    func: str  # 合計 | 件数
    var: str
    source: object
    body: object
    type: object
    span: Span = _span()


@attrs.frozen
class Interval:
    """A table row's key range, exact: ``lo``/``hi`` None mean unbounded."""

    lo: Fraction | None
    lo_incl: bool
    hi: Fraction | None
    hi_incl: bool

    def contains(self, x: Fraction) -> bool:
        if self.lo is not None and (x < self.lo or (x == self.lo and not self.lo_incl)):
            return False
        if self.hi is not None and (x > self.hi or (x == self.hi and not self.hi_incl)):
            return False
        return True


@attrs.frozen
class TRow:
    interval: Interval | None  # None: それ以外
    values: tuple  # Fraction | None per column
    text: str  # the band as written (50人以下)
    display: str  # the band as a regulation writes it, resolved (51～100人以下)
    span: Span = _span()
    printed: str = attrs.field(default="", kw_only=True)  # 表記: as the regulation prints the row


@attrs.frozen
class Lookup:
    table: str
    key: object
    column: object | None
    column_names: tuple
    rows: tuple
    type: object
    span: Span = _span()


def is_month_table(lk: Lookup) -> bool:
    """A table keyed by the month of a date (rows 4月～6月 …)."""
    return isinstance(lk.key, FyCall) and lk.key.func == MONTH_OF


@attrs.frozen
class CatLookup:
    """A column of a category table read for a key: ``parts.fixed``, ``parts(k).per_head``.

    ``cells`` is (enum value, amount) for every value of the key's enum, in
    declaration order; an amount is None where the cell is なし and the table
    says なし は 該当なし (with なし は 0 it is 0). The checker proves the key
    never takes such a value unless ``fallback`` (… がなければ x) is given."""

    table: str
    column: str
    key: object
    cells: tuple
    fallback: object | None
    type: object
    span: Span = _span()


@attrs.frozen
class CatColumnIR:
    name: str
    label: str
    type: object  # QType: the column's unit; lo the least amount
    span: Span = _span()


@attrs.frozen
class CatRowIR:
    members: tuple  # the enum values of this row
    text: str  # the row heading as the regulation prints it
    cells: tuple  # Fraction | None (なし) per column
    cell_texts: tuple  # the なし cell as written (なし, —), "" for an amount
    span: Span = _span()


@attrs.frozen
class CatTableIR:
    """A checked category table (表 … ごと)."""

    name: str
    label: str
    clause: str
    enum: str
    key: str  # the input, or the table's parameter, whose value selects the row
    params: tuple  # (name, type); () when the key is an input
    heading: str  # the row heading's column title (区分)
    columns: tuple  # CatColumnIR
    rows: tuple  # CatRowIR
    none_zero: bool  # なし は 0 (else なし は 該当なし)
    notes: tuple  # (kind, text)
    span: Span = _span()
    key_label: str = attrs.field(default="", kw_only=True)  # the key input's or parameter's label

    def cell(self, member: str, column: str):
        """(row, amount or None) of ``member`` in ``column``."""
        k = [c.name for c in self.columns].index(column)
        for r in self.rows:
            if member in r.members:
                return r, r.cells[k]
        raise KeyError(member)


# --- declarations ----------------------------------------------------------

@attrs.frozen
class EnumIR:
    name: str
    label: str
    values: tuple  # (name, label)
    span: Span = _span()


@attrs.frozen
class InputIR:
    name: str
    type: object
    label: str
    description: str
    default: object  # python value or None when required
    has_default: bool
    minimum: Fraction | None
    unit_text: str
    span: Span = _span()
    # 範囲 10%超 on a quantity with fractions: the minimum itself is excluded.
    # (For whole numbers 10人超 is stored as minimum 11人.)
    min_exclusive: bool = attrs.field(default=False, kw_only=True)
    # 必要 <condition>: the input (or record field) is needed only where the
    # condition holds (an IR condition over inputs; for a field, ParamRefs
    # named like the record's other fields). ``needed_words`` is the
    # condition in words, ``needed_label`` the author's short wording.
    needed: object = attrs.field(default=None, kw_only=True)
    needed_words: str = attrs.field(default="", kw_only=True)
    needed_label: str = attrs.field(default="", kw_only=True)


@attrs.frozen
class RecordIR:
    name: str
    label: str
    fields: tuple  # InputIR
    span: Span = _span()


@attrs.frozen
class RuleIR:
    name: str
    label: str
    clause: str
    params: tuple  # (name, type)
    expr: object
    type: object
    notes: tuple  # (kind, text)
    is_table: bool
    inputs: tuple = ()  # names of inputs needed, transitively, in declaration order
    param_inputs: tuple = ()  # InputIR per parameter: label, domain (minimum)
    span: Span = _span()
    # Conditional inputs (必要) this rule reads where the checker cannot show
    # their condition holds: an entry requires them whatever the condition.
    always: tuple = attrs.field(default=(), kw_only=True)


@attrs.frozen
class RelationIR:
    expr: object
    label: str
    inputs: tuple
    text: str
    span: Span = _span()


@attrs.frozen
class ExampleIR:
    entry: str
    kwargs: tuple  # (name, python value)
    expected: int | Fraction | None  # None: an input error is expected
    span: Span = _span()
    caption: str = attrs.field(default="", kw_only=True)  # 公開 「…」: a published example's heading


@attrs.frozen
class SummaryIR:
    """The 一覧 block, checked: column titles, rows (member type, cells) and
    notes. A cell is ("rule", name), ("text", text), ("linked", text, name) or
    ("none", "—")."""

    title: str
    columns: tuple  # column titles
    rows: tuple  # (label, (cell, ...))
    notes: tuple  # (kind, text): 納期限, 免除, 問い合わせ, 注
    # Rules named but not in this text: in the text of an earlier version (版) a
    # rule of a later one; api reports them (F101) when the latest text lacks them.
    missing: tuple = ()  # (name, span)


@attrs.frozen
class RegulationIR:
    name: str
    label: str
    path: str
    meta: tuple  # (key, value)
    fy_start: int
    enums: dict
    records: dict
    inputs: dict
    rules: dict
    relations: tuple
    examples: tuple
    source_text: str = attrs.field(eq=False, repr=False, default="")
    summaries: tuple = ()  # (title, (rule name, ...)) from 一覧 lines, for the docs
    overview: "SummaryIR | None" = None  # the 一覧 block: the page's 会費一覧
    cat_tables: dict = attrs.Factory(dict)  # name → CatTableIR (表 … ごと)


# --- walks -----------------------------------------------------------------

def children(e):
    """The IR sub-expressions of a node, for walks."""
    if isinstance(e, (Const, InputRef, ParamRef)):
        return ()
    if isinstance(e, RuleRef):
        return e.args
    if isinstance(e, (Arith, Cmp, BoolOp)):
        return (e.left, e.right)
    if isinstance(e, NotOp):
        return (e.operand,)
    if isinstance(e, EnumIs):
        return (e.subject,)
    if isinstance(e, Cond):
        return (e.cond, e.then, e.else_)
    if isinstance(e, Match):
        return (e.subject,) + tuple(v for _, v in e.arms)
    if isinstance(e, Branches):
        return tuple(x for c, v in e.arms for x in ((c, v) if c is not None else (v,)))
    if isinstance(e, (Round,)):
        return (e.value,)
    if isinstance(e, MinMax):
        return e.args
    if isinstance(e, FyCall):
        return (e.arg,)
    if isinstance(e, FieldGet):
        return (e.obj,)
    if isinstance(e, Aggregate):
        return (e.source, e.body)
    if isinstance(e, Lookup):
        return (e.key,) + ((e.column,) if e.column is not None else ())
    if isinstance(e, CatLookup):
        return (e.key,) + ((e.fallback,) if e.fallback is not None else ())
    raise TypeError(f"unknown IR node {type(e).__name__}")
