"""AST of a ``.fee`` file: what the author wrote, before any checking.

Nodes are frozen attrs classes. Every node keeps its ``span``; spans never take
part in equality, so two files that say the same thing compare equal.
"""

from __future__ import annotations

from fractions import Fraction

import attrs

from .source import Span


def _span():
    return attrs.field(eq=False, repr=False, kw_only=True)


@attrs.frozen
class Unit:
    """A unit as written: 円, 人, 円/世帯 (numerator and denominator words), % or none."""

    num: str = ""
    den: str = ""
    percent: bool = False

    def __str__(self) -> str:
        if self.percent:
            return "%"
        return self.num + (f"/{self.den}" if self.den else "")


@attrs.frozen
class Quantity:
    """A number literal with its unit: ``9,300円`` → value 9300, unit 円."""

    value: Fraction
    unit: Unit
    text: str
    span: Span = _span()


# --- types -----------------------------------------------------------------

@attrs.frozen
class UnitType:
    word: str
    span: Span = _span()


@attrs.frozen
class NamedType:
    name: str
    span: Span = _span()


@attrs.frozen
class ListType:
    element: object
    span: Span = _span()


# --- expressions -----------------------------------------------------------

@attrs.frozen
class Num:
    q: Quantity
    span: Span = _span()


@attrs.frozen
class DateLit:
    text: str
    span: Span = _span()


@attrs.frozen
class BoolLit:
    value: bool
    span: Span = _span()


@attrs.frozen
class Ref:
    name: str
    span: Span = _span()


@attrs.frozen
class Call:
    name: str
    args: tuple
    span: Span = _span()


@attrs.frozen
class Builtin:
    func: str
    args: tuple
    span: Span = _span()


@attrs.frozen
class Aggregate:
    func: str  # 合計 | 件数
    var: str
    source: object
    body: object
    span: Span = _span()


@attrs.frozen
class FieldRef:
    obj: object
    name: str
    span: Span = _span()


@attrs.frozen
class BinOp:
    op: str  # + - × ÷
    left: object
    right: object
    span: Span = _span()


@attrs.frozen
class Compare:
    op: str  # ≤ ≥ < > = ≠
    left: object
    right: object
    span: Span = _span()


@attrs.frozen
class Is:
    """``kind が city``: an enum test (or equality)."""

    left: object
    right: object
    span: Span = _span()


@attrs.frozen
class And:
    left: object
    right: object
    span: Span = _span()


@attrs.frozen
class Or:
    left: object
    right: object
    span: Span = _span()


@attrs.frozen
class Not:
    operand: object
    span: Span = _span()


@attrs.frozen
class If:
    cond: object
    then: object
    else_: object
    span: Span = _span()


@attrs.frozen
class Arm:
    """One arm of 場合: ``conds`` empty means それ以外."""

    conds: tuple
    value: object
    span: Span = _span()


@attrs.frozen
class Case:
    subject: object | None
    arms: tuple
    span: Span = _span()


@attrs.frozen
class Band:
    """A table row's key range as written.

    kind: ``one`` (50人以下, 401人以上, 20人), ``range`` (51～100人以下),
    ``rest`` (それ以上), ``else`` (それ以外).
    """

    kind: str
    lo: Quantity | None = None
    lo_bound: str | None = None
    hi: Quantity | None = None
    hi_bound: str | None = None
    text: str = ""
    span: Span = _span()


@attrs.frozen
class Row:
    band: Band
    amounts: tuple  # Quantity | None (なし)
    span: Span = _span()
    printed: str = attrs.field(default="", kw_only=True)  # 表記 「…」: the row as the regulation prints it


@attrs.frozen
class Table:
    key: object
    column: object | None
    column_names: tuple
    rows: tuple
    span: Span = _span()
    # 「d の月 による」: the key is a date and the rows are calendar months.
    by_month: bool = attrs.field(default=False, kw_only=True)


@attrs.frozen
class NoneCell:
    """A なし (or —) cell of a category table, as written."""

    text: str
    span: Span = _span()


@attrs.frozen
class CatColumn:
    """A column of a category table: its name, printed label and declared unit (or None)."""

    name: str
    label: str
    unit: Unit | None
    span: Span = _span()


@attrs.frozen
class RowName:
    """How a category-table row names an enum value: ``kind`` is name (its
    identifier) or label (its label, bare or in 「」)."""

    kind: str
    text: str
    span: Span = _span()


@attrs.frozen
class CatRow:
    names: tuple  # RowName
    group: str  # the printed label of a row for several values, or ""
    cells: tuple  # Quantity | NoneCell
    span: Span = _span()


@attrs.frozen
class CategoryTable:
    """表 … key ごと: rows are the values of an enum, columns named amounts."""

    name: str
    params: tuple
    label: str
    clause: str
    key: str
    key_span: Span
    heading: str
    columns: tuple  # CatColumn
    rows: tuple  # CatRow
    none_meaning: tuple  # ((text, value), span) per なし は … line: value "0" or "該当なし"
    notes: tuple
    span: Span = _span()


@attrs.frozen
class Fallback:
    """``x.column がなければ value``: the value where the column's cell is なし."""

    value: object
    default: object
    span: Span = _span()


# --- declarations ----------------------------------------------------------

@attrs.frozen
class Note:
    kind: str  # 注 | 解釈
    text: str
    span: Span = _span()


@attrs.frozen
class Meta:
    key: str
    value: str
    span: Span = _span()


@attrs.frozen
class Summary:
    """一覧 「title」 (rule, …): the rules a docs summary table shows."""

    label: str
    names: tuple  # (name, span)
    span: Span = _span()


@attrs.frozen
class SummaryCell:
    """One cell of a 一覧 row: kind rule (NAME), text (「…」), linked (「…」 → NAME) or none (—)."""

    kind: str
    text: str = ""
    rule: str = ""
    span: Span = _span()


@attrs.frozen
class SummaryBlock:
    """一覧 「title」 as a block: 列 (column titles), 行 (a member type and its
    cells), notes (納期限, 免除, 問い合わせ, 注), each with its span."""

    label: str
    columns: tuple  # ((title, ...), span) per 列 line
    rows: tuple  # (label, (SummaryCell, ...), span)
    notes: tuple  # (kind, text, span)
    span: Span = _span()


@attrs.frozen
class EnumValue:
    name: str
    label: str
    span: Span = _span()


@attrs.frozen
class EnumDef:
    name: str
    label: str
    values: tuple
    span: Span = _span()


@attrs.frozen
class InputDef:
    name: str
    type: object
    default: object | None
    label: str
    description: str = ""
    domain: tuple | None = None  # (Quantity, bound)
    span: Span = _span()
    # 必要 <condition> [「short wording」]: needed only when the condition holds.
    needed: tuple | None = attrs.field(default=None, kw_only=True)  # (expr, label)


@attrs.frozen
class RecordDef:
    name: str
    label: str
    fields: tuple
    span: Span = _span()


@attrs.frozen
class Param:
    name: str
    type: object
    label: str = ""
    description: str = ""
    domain: tuple | None = None  # (Quantity, bound), as for an input
    span: Span = _span()


@attrs.frozen
class RuleDef:
    name: str
    params: tuple
    label: str
    clause: str
    body: object
    notes: tuple
    is_table: bool = False
    span: Span = _span()


@attrs.frozen
class Relation:
    expr: object
    label: str
    span: Span = _span()


@attrs.frozen
class RecordValue:
    fields: tuple  # (name, value) pairs
    span: Span = _span()


@attrs.frozen
class ListValue:
    items: tuple
    span: Span = _span()


@attrs.frozen
class Symbol:
    name: str
    span: Span = _span()


@attrs.frozen
class LabelLit:
    """An enumeration value named by its label in an example or default: kind=「市」."""

    text: str
    span: Span = _span()


@attrs.frozen
class Example:
    entry: str
    kwargs: tuple  # (name, value, span)
    expected: Quantity | None  # None: 入力エラー
    span: Span = _span()
    pin: str | None = None  # 例@NAME: checked on the text of version NAME
    pin_span: Span | None = None
    caption: str = attrs.field(default="", kw_only=True)  # 公開 「…」: shown to members under this heading


@attrs.frozen
class VersionDecl:
    """版 NAME 「label」 施行 DATE [適用 DATE] in the header; ``dates`` are
    (keyword or None, date text, span) as written (feedsl.versions reads them)."""

    name: str
    label: str
    dates: tuple
    name_span: Span
    span: Span = _span()  # the word 版


@attrs.frozen
class Transitional:
    """経過措置 「label」 期間 DATE～DATE and the 規則・表・例 after it."""

    label: str
    start: str
    end: str
    start_span: Span
    end_span: Span
    items: tuple = ()
    span: Span = _span()  # the word 経過措置


@attrs.frozen
class Section:
    """A column-0 ``版 NAME`` line, the items after it and its 経過措置."""

    name: str
    items: tuple = ()
    transitionals: tuple = ()
    span: Span = _span()  # the version's name on the line


@attrs.frozen
class Regulation:
    name: str
    label: str
    meta: tuple
    enums: tuple
    records: tuple
    inputs: tuple
    rules: tuple
    relations: tuple
    examples: tuple
    summaries: tuple = ()
    cat_tables: tuple = ()  # CategoryTable
    # 版: the declared versions and the sections (feedsl.versions selects a text
    # of the other fields and these; the checker never sees a file with them).
    versions: tuple = ()  # VersionDecl
    sections: tuple = ()  # Section
    path: str = attrs.field(eq=False, default="")
    span: Span = _span()
