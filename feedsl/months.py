"""Tables keyed by the month of a date: 「approved_on の月 による」.

Rows are written as the regulation writes them, in calendar months in the
order of the fiscal year (4月～6月, 7月～9月, 10月～12月, 1月～3月 for a year
that starts in April), single months (3月) or それ以外. Each row becomes an
interval of places in the fiscal year (1 = its first month), so the compiled
lookup, the interpreter and explain() treat it like any bracket table keyed by
the month's place; the rows keep their text, and every message names months as
calendar months (「2月 はどの行にも当たりません」).
"""

from __future__ import annotations

from fractions import Fraction

from . import ast, ir
from .brackets import amounts_type, check_amount_units
from .ir import DateType, ErrorType, QType
from .runtime import calendar_month

_BOUND_WORDS = ("以上", "以下", "未満", "超")


def fiscal_place(month: int, start: int) -> int:
    """The place (1-12) of calendar ``month`` in a fiscal year starting in ``start``."""
    return (month - start) % 12 + 1


def _month(ck, q: ast.Quantity, bare_ok: bool) -> int | None:
    """The calendar month a bound names (4月 → 4), or None after an error."""
    unit_ok = q.unit == ast.Unit("月") or (bare_ok and q.unit == ast.Unit())
    v = q.value
    if unit_ok and v.denominator == 1 and 1 <= v <= 12:
        return int(v)
    ck.err("F421", q.span, f"「{q.text}」は暦の月ではありません。月の表の行は 1月～12月 で書きます",
           f"{q.text!r} is not a calendar month (1月-12月)",
           "例: 4月～6月、3月、それ以外", "e.g. 4月～6月, 3月, それ以外")
    return None


def _row_months(ck, band: ast.Band, start: int):
    """(first place, last place) of a row in the fiscal year, or None after an error."""
    if band.kind == "else":
        return "else"
    if band.kind == "rest" or any(w in band.text for w in _BOUND_WORDS):
        ck.err("F421", band.span, f"月の表の行『{band.text}』には 以上・以下・未満・超・それ以上 は書けません",
               f"a month row cannot use bound words: {band.text!r}",
               "4月～6月（範囲）、3月（一つの月）、それ以外 のどれかで書いてください",
               "write a range (4月～6月), one month (3月) or それ以外")
        return None
    if band.kind == "range":
        lo, hi = _month(ck, band.lo, bare_ok=True), _month(ck, band.hi, bare_ok=False)
        if lo is None or hi is None:
            return None
        a, b = fiscal_place(lo, start), fiscal_place(hi, start)
        if b < a:
            last = calendar_month(12, start)
            ck.err("F422", band.span,
                   f"『{band.text}』は年度の終わり（{last}月）をまたいでいます（年度は{start}月始まり）",
                   f"row {band.text!r} runs past the fiscal year's last month ({last}月)",
                   f"行は年度の中の月で書いてください（例: {start}月～{last}月 を二つの行に分ける）",
                   "write rows within the fiscal year; split this row in two")
            return None
        return a, b
    m = _month(ck, band.lo, bare_ok=False)  # a single month: 3月
    if m is None:
        return None
    p = fiscal_place(m, start)
    return p, p


def check_month_table(ck, rule, table: ast.Table, key, column, colnames) -> ir.Lookup:
    """Check a month table's rows on the 12 months of the fiscal year; an :class:`ir.Lookup`
    keyed by the place of the date's month in the fiscal year."""
    name = rule.name if rule else "?"
    start = ck.fy_start
    if not isinstance(key.type, (DateType, ErrorType)):
        ck.err("F420", table.key.span, f"「の月 による」表は日付で引きます（これは {key.type}）",
               f"a month table is keyed by a date, got {key.type}",
               "例: 表 … approved_on の月 による（approved_on は 日付 の入力）",
               "e.g. 表 … approved_on の月 による, where approved_on is a 日付 input")
    ncols = max(1, len(colnames))
    rows, places, broken = [], [], False
    for row in table.rows:
        if len(row.amounts) != ncols:
            ck.err("F406", row.span, f"この行の金額は {len(row.amounts)} 個ですが、列は {ncols} 個です",
                   f"row has {len(row.amounts)} amounts but the table has {ncols} columns")
        span = _row_months(ck, row.band, start)
        if span is None:
            broken = True  # already reported; coverage would only add noise
            continue
        values = tuple(None if a is None else a.value for a in row.amounts)
        if span == "else":
            rows.append(ir.TRow(None, values, "それ以外", "それ以外", span=row.band.span))
            continue
        a, b = span
        rows.append(ir.TRow(ir.Interval(Fraction(a), True, Fraction(b), True), values,
                            row.band.text, row.band.text, span=row.band.span))
        places.append((a, b, rows[-1]))
    if not broken:
        _check_months(ck, table, rows, places, start)
    check_amount_units(ck, table)
    vtype = amounts_type(ck, table, rows)
    if isinstance(key.type, ErrorType) or not isinstance(key.type, DateType):
        return ir.Lookup(name, key, column, colnames, (), ErrorType(), span=table.span)
    month = ir.FyCall(ir.MONTH_OF, key, QType(ir.dim_of(ir.FISCAL_MONTH), True, Fraction(1)), span=key.span)
    return ir.Lookup(name, month, column, colnames, tuple(rows), vtype, span=table.span)


def _where(row: ir.TRow) -> str:
    return f"『{row.text}』({row.span.line}行目)"


def _check_months(ck, table, rows, places, start: int) -> None:
    """Order, overlaps and gaps on the 12 months of the fiscal year, named as calendar months."""
    else_rows = [r for r in rows if r.interval is None]
    if len(else_rows) > 1:
        ck.err("F401", else_rows[1].span, "「それ以外」の行は一つだけ書けます", "only one それ以外 row")
    for (a0, _, p), (a1, _, q) in zip(places, places[1:]):
        if a1 < a0:
            ck.err("F410", q.span, f"行の順番が逆です: {_where(q)} は{_where(p)} より年度の前の月の行です"
                   f"（年度は{start}月始まり）",
                   f"rows out of order: line {q.span.line} comes before line {p.span.line} in the fiscal year",
                   f"行は年度の順に（{start}月から）書いてください", f"write rows in fiscal order, from {start}月")
            return
    owner: dict[int, ir.TRow] = {}
    reported: set = set()
    for a, b, r in places:
        for place in range(a, b + 1):
            p = owner.get(place)
            if p is None:
                owner[place] = r
            elif (id(p), id(r)) not in reported:
                reported.add((id(p), id(r)))
                m = calendar_month(place, start)
                ck.err("F411", r.span, f"{m}月 は{_where(p)} と{_where(r)} の両方に当たります",
                       f"{m}月 falls in both row {p.text!r} (line {p.span.line}) and row {r.text!r} (line {r.span.line})",
                       "どちらの行に入るかを決めて、行を直してください", "decide which row the month belongs to")
    if else_rows:
        return
    place = 1
    while place <= 12:
        if place in owner:
            place += 1
            continue
        end = place
        while end + 1 <= 12 and end + 1 not in owner:
            end += 1
        before, after = owner.get(place - 1), owner.get(end + 1)
        if before is not None and after is not None:
            where = f"（{_where(before)} と{_where(after)} の間）"
        elif before is not None:
            where = f"（最後の行{_where(before)} の後。年度の終わりは{calendar_month(12, start)}月）"
        elif after is not None:
            where = f"（最初の行{_where(after)} の前。年度は{start}月始まり）"
        else:
            where = ""
        months = "、".join(f"{calendar_month(p, start)}月" for p in range(place, end + 1))
        m = calendar_month(place, start)
        ck.err("F412", (after or before).span if (after or before) else table.span,
               f"{months} はどの行にも当たりません{where}",
               f"{m}月 falls in no row",
               "行を足すか、月を直すか、「それ以外」の行を書いてください",
               "add a row, fix a month, or add a それ以外 row")
        place = end + 1
