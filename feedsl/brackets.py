"""Bracket tables: rows as written → exact intervals on the key's domain.

The domain is what the key can really be: whole numbers for counts and yen
(so ``50人以下`` then ``51～100人以下`` leaves no gap), exact rationals for
rates (so ``20%以下`` then ``21%以上`` leaves 20.5% uncovered), bounded below
by what the inputs allow (counts are never negative; ``範囲 1口以上``).
Gaps, overlaps, rows out of order and unreachable rows are reported with a
witness value.
"""

from __future__ import annotations

import math
from fractions import Fraction

import attrs

from . import ast, ir
from .ir import ErrorType, QType
from .runtime import format_decimal
from .spelling import did_you_mean, did_you_mean_en, glued_bound

def _exact(x: Fraction, grouping: bool) -> str:
    """A value in decimals, exactly when it terminates within 6 places
    (20.5, 33.3333 otherwise, marked 約). Never through a float."""
    for digits in range(7):
        if (x * 10 ** digits).denominator == 1:
            text = format_decimal(x, digits)
            break
    else:
        text = "約" + format_decimal(x, 4)
    if grouping:
        head, dot, tail = text.partition(".")
        sign = "-" if head.startswith("-") else ""
        pre = "約" if head.startswith("約") else ""
        digits_only = head.lstrip("約-")
        text = pre + sign + f"{int(digits_only):,}" + dot + tail
    return text


def fmt_value(x: Fraction, t: QType) -> str:
    """A key value as an author writes it: 200,000人, 20.5%, exact."""
    if t.dim == ir.NODIM and not t.integral:
        return _exact(Fraction(x) * 100, grouping=False) + "%"
    unit = ir.dim_str(t.dim) if t.dim else ""
    return _exact(Fraction(x), grouping=True) + unit


def _lo_key(iv: ir.Interval) -> tuple:
    """Where an interval starts, as a sort key: -inf first, 以上 before 超."""
    if iv.lo is None:
        return (-math.inf, 0)
    return (iv.lo, 0 if iv.lo_incl else 1)


def _floor(x) -> int:
    """math.floor of a Fraction or int, without the dispatch (a sweep makes many)."""
    return x.numerator // x.denominator


def _ceil(x) -> int:
    return -(-x.numerator // x.denominator)


class _Int:
    """Integer domain: an interval becomes [a, b] of whole numbers."""

    @staticmethod
    def span(iv: ir.Interval, dmin):
        a = -math.inf if iv.lo is None else (_ceil(iv.lo) if iv.lo_incl else _floor(iv.lo) + 1)
        b = math.inf if iv.hi is None else (_floor(iv.hi) if iv.hi_incl else _ceil(iv.hi) - 1)
        if dmin is not None:
            a = max(a, _ceil(dmin))
        return a, b

    @staticmethod
    def witness(s: tuple, t: tuple):
        """The smallest whole number in both spans (the largest if they reach down forever), or None."""
        a, b = max(s[0], t[0]), min(s[1], t[1])
        if a <= b:
            return Fraction(a) if a != -math.inf else Fraction(b)
        return None


def _is_empty(iv: ir.Interval, dmin, integral: bool) -> bool:
    """No value of the key's domain falls in ``iv``."""
    if integral:
        a, b = _Int.span(iv, dmin)
        return a > b
    if iv.lo is not None and iv.hi is not None:
        if iv.lo > iv.hi or (iv.lo == iv.hi and not (iv.lo_incl and iv.hi_incl)):
            return True
    return iv.hi is not None and dmin is not None and (iv.hi < dmin or (iv.hi == dmin and not iv.hi_incl))


def _display(lo, lo_incl, hi, hi_incl, t: QType) -> str:
    """The band as a regulation writes it."""
    if lo is None and hi is None:
        return "すべて"
    if lo is None:
        return f"{fmt_value(hi, t)}{'以下' if hi_incl else '未満'}"
    if hi is None:
        return f"{fmt_value(lo, t)}{'以上' if lo_incl else '超'}"
    if t.integral and lo_incl and hi_incl and lo.denominator == 1:
        return f"{int(lo):,}～{fmt_value(hi, t)}以下"
    return f"{fmt_value(lo, t)}{'以上' if lo_incl else '超'}～{fmt_value(hi, t)}{'以下' if hi_incl else '未満'}"


def check_table(ck, rule, table: ast.Table, key, column, colnames):
    """Normalise and check a table; returns an :class:`ir.Lookup`."""
    name = rule.name if rule else "?"
    kt = key.type
    ncols = max(1, len(colnames))
    if isinstance(kt, ErrorType):
        return ir.Lookup(name, key, column, colnames, (), ErrorType(), span=table.span)
    if not isinstance(kt, QType):
        ck.err("F202", table.key.span, f"表は数量（人数・世帯数・割合など）で引きます。「{kt}」では引けません",
               f"a table is keyed by a quantity, not {kt}")
        return ir.Lookup(name, key, column, colnames, (), ErrorType(), span=table.span)

    def bound_value(q: ast.Quantity):
        d = ck.qdim(q)
        if q.unit.num == "" and not q.unit.percent:
            d = kt.dim  # 51～100人: the bare 51 takes the row's unit
        if d != kt.dim:
            meant = [m] if (m := glued_bound(q.text, q.unit.num, ir.dim_str(kt.dim))) else []
            ck.err("F201", q.span, f"境界 {q.text} の単位「{ir.dim_str(d)}」が表のキー「{kt}」と合いません",
                   f"bound {q.text} is in {ir.dim_str(d)} but the key is {kt}",
                   did_you_mean(meant), did_you_mean_en(meant))
        return q.value

    # 1. Each row's explicit bounds.
    raw = []
    for row in table.rows:
        b = row.band
        if len(row.amounts) != ncols:
            ck.err("F406", row.span, f"この行の金額は {len(row.amounts)} 個ですが、列は {ncols} 個です",
                   f"row has {len(row.amounts)} amounts but the table has {ncols} columns")
        lo = lo_incl = hi = hi_incl = None
        if b.kind == "else":
            raw.append([row, None, None, None, None, "else"])
            continue
        if b.lo is not None:
            lo, lo_incl = bound_value(b.lo), b.lo_bound == "以上"
        if b.hi is not None:
            hi, hi_incl = bound_value(b.hi), b.hi_bound == "以下"
        if b.kind == "one" and b.lo is not None and b.lo_bound in ("以下", "未満"):
            hi, hi_incl, lo, lo_incl = lo, b.lo_bound == "以下", None, None
        raw.append([row, lo, lo_incl, hi, hi_incl, b.kind])

    # 2. Chained bounds: 「3万人以下」 starts where the previous row ended;
    #    「それ以上」 runs from there on; 「20人」 runs up to the next row.
    ordered = [r for r in raw if r[5] != "else"]
    for k, r in enumerate(ordered):
        row, lo, lo_incl, hi, hi_incl, kind = r
        if lo is None and kind in ("one", "rest"):
            prev = ordered[k - 1] if k > 0 else None
            if prev is not None and prev[3] is not None:
                r[1], r[2] = prev[3], not prev[4]
        if kind == "rest" and k == 0:
            ck.err("F407", row.span, "「それ以上」は前の行の続きです。最初の行には書けません",
                   "それ以上 continues the previous row; it cannot be the first row")
    # 「20人」 runs up to the next row; so does 「21%以上」 when another row
    # follows with a higher start (入会率21%以上 2,000円 / 51%以上 1,000円 is a
    # ladder of steps, as regulations write it). A following row that starts
    # lower or at the same value is left alone, so order and overlap errors
    # still show.
    for k, r in enumerate(ordered):
        open_above = r[5] == "one" and r[1] is not None and r[3] is None
        if r[5] == "step" or open_above:
            nxt = ordered[k + 1] if k + 1 < len(ordered) else None
            if nxt is None or nxt[1] is None:
                continue
            if open_above and not (nxt[1] > r[1]):
                continue
            r[3], r[4] = nxt[1], not nxt[2]

    dmin = kt.lo
    integral = kt.integral
    rows = []
    for row, lo, lo_incl, hi, hi_incl, kind in raw:
        values = tuple(None if a is None else a.value for a in row.amounts)
        if kind == "else":
            rows.append(ir.TRow(None, values, "それ以外", "それ以外", span=row.band.span, printed=row.printed))
            continue
        iv = ir.Interval(lo, bool(lo_incl), hi, bool(hi_incl))
        dlo, dlo_incl = lo, bool(lo_incl)
        if integral and dlo is not None and not dlo_incl and dlo.denominator == 1:
            dlo, dlo_incl = dlo + 1, True  # 2万人超 on whole numbers is 20,001人以上
        disp = _display(dlo, dlo_incl, hi, bool(hi_incl), kt)
        rows.append(ir.TRow(iv, values, row.band.text, disp, span=row.band.span, printed=row.printed))

    _check_coverage(ck, table, rows, kt, dmin, integral)
    check_amount_units(ck, table)
    _check_domain(ck, rows, kt, dmin)
    vt = amounts_type(ck, table, rows)
    if not any(n.kind == "非単調" for n in (rule.notes if rule else ())):
        _check_monotone(ck, rows, kt, colnames, dmin, vt)
    return ir.Lookup(name, key, column, colnames, tuple(rows), vt, span=table.span)


def check_amount_units(ck, table: ast.Table) -> None:
    amount_dims = {ck.qdim(a) for row in table.rows for a in row.amounts if a is not None}
    if len(amount_dims) > 1:
        ck.err("F201", table.span, "表の金額の単位がそろっていません: " + "、".join(ir.dim_str(u) for u in amount_dims),
               "table amounts have different units")


def amounts_type(ck, table: ast.Table, rows) -> QType:
    """The type of a table's amounts (checked: one unit, no なし cell)."""
    vals = [v for r in rows for v in r.values if v is not None]
    lo = min(vals) if vals else None
    if any(v is None for r in rows for v in r.values):
        ck.err("F408", table.span, "「なし」の欄は、この表を金額として使う限り書けません",
               "a なし cell cannot be used as an amount",
               "区分ごとの表なら「表 名前 「…」 区分の入力 ごと」の形で書くと「なし」が書けます",
               "for a table by category write 表 name 「…」 key ごと, where なし is allowed")
    first = next((a for row in table.rows for a in row.amounts if a is not None), None)
    dim = ck.qdim(first) if first is not None else ir.YEN
    return QType(dim, all(v.denominator == 1 for v in vals), lo)


def _check_domain(ck, rows, kt: QType, dmin):
    """A bound below what the key can ever be is a typo (範囲 1施設以上 and a row from 0施設)."""
    if dmin is None:
        return
    for r in rows:
        iv = r.interval
        if iv is None:
            continue
        for b in (iv.lo, iv.hi):
            if b is not None and b < dmin:
                ck.err("F414", r.span,
                       f"境界 {fmt_value(b, kt)} はキーの範囲（{fmt_value(dmin, kt)}以上）の外です: 『{r.text}』({r.span.line}行目)",
                       f"bound {fmt_value(b, kt)} lies outside the key's domain (>= {fmt_value(dmin, kt)})",
                       "境界を直すか、入力の「範囲」を確かめてください", "fix the bound or the input's 範囲")
                break


def _check_monotone(ck, rows, kt: QType, colnames, dmin, vt: QType):
    """Fees that fall as a count grows (or rise as a rate grows) are almost always typos.
    ``vt`` is the type of the amounts: the message shows them in their own unit."""
    banded = sorted((r for r in rows if r.interval is not None
                     and not _is_empty(r.interval, dmin, kt.integral)), key=lambda r: _lo_key(r.interval))
    rate = kt.dim == ir.NODIM and not kt.integral
    for k in range(max(1, len(colnames))):
        prev = None
        for r in banded:
            v = r.values[k] if k < len(r.values) else None
            if v is None:
                continue
            if prev is not None:
                pv, pr = prev
                wrong = v > pv if rate else v < pv
                if wrong:
                    col = f"（列 {colnames[k]}）" if colnames else ""
                    trend = "上がっています（割合が上がると会費が上がる）" if rate else "下がっています（キーが大きくなると会費が下がる）"
                    ck.warn("F503", r.span,
                            f"『{r.text}』({r.span.line}行目) の {fmt_value(v, vt)} は前の行『{pr.text}』の {fmt_value(pv, vt)} より{trend}{col}",
                            f"row {r.text!r} (line {r.span.line}) goes against the table's direction: {fmt_value(v, vt)} after {fmt_value(pv, vt)}",
                            "写し間違いでなければ、表に 非単調 「理由」 の行を書いてください",
                            "if intended, add a 非単調 「reason」 line to the table")
                    break
            prev = (v, r)


def _where(row: ir.TRow) -> str:
    return f"『{row.text}』({row.span.line}行目)"


def _check_coverage(ck, table, rows, kt: QType, dmin, integral: bool):
    band_rows = [r for r in rows if r.interval is not None]
    else_rows = [r for r in rows if r.interval is None]
    has_else = bool(else_rows)
    if len(else_rows) > 1:
        ck.err("F401", else_rows[1].span, "「それ以外」の行は一つだけ書けます", "only one それ以外 row")
    fv = lambda x: fmt_value(Fraction(x), kt)  # noqa: E731

    # Rows no value can reach.
    reachable = []
    for r in band_rows:
        if _is_empty(r.interval, dmin, integral):
            ck.err("F409", r.span, f"『{r.text}』({r.span.line}行目) に当たる値はありません（キーは{'0' if dmin == 0 else fv(dmin) if dmin is not None else ''}以上の{'整数' if integral else '値'}）",
                   f"no value of the key reaches row {r.text!r} (line {r.span.line})",
                   "境界の数字や 以上/以下/未満/超 を確かめてください")
        else:
            reachable.append(r)
    band_rows = reachable
    found = sweep([r.interval for r in band_rows], dmin, integral)

    # Rows out of order: reported once, and nothing else (the rest would be noise).
    if found.out_of_order is not None:
        p, q = (band_rows[k] for k in found.out_of_order)
        ck.err("F410", q.span, f"行の順番が逆です: {_where(q)} は {_where(p)} より小さい値の行です",
               f"rows out of order: line {q.span.line} comes before line {p.span.line} in value",
               "表は小さい値から順に書いてください", "write rows in increasing order")
        return

    # Overlaps: a value two rows both cover.
    for i, j, w in found.overlaps:
        p, q = band_rows[i], band_rows[j]
        ck.err("F411", q.span,
               f"{fv(w)} は{_where(p)} と{_where(q)} の両方に当たります",
               f"{fv(w)} falls in both row {p.text!r} (line {p.span.line}) and row {q.text!r} (line {q.span.line})",
               "どちらの行に入るかを 以下/未満/超 で決め、注か解釈にその読み方を書いてください",
               "decide which row it belongs to with 以下/未満/超 and note the reading")

    if has_else:
        return
    # Gaps: the smallest value no row covers.
    for w, i, j in found.gaps:
        before = None if i is None else band_rows[i]
        after = None if j is None else band_rows[j]
        if before is not None and after is not None:
            where = f"（『{before.text}』{before.span.line}行目 と『{after.text}』{after.span.line}行目 の間）"
            where_en = f" (between line {before.span.line} and line {after.span.line})"
        elif before is not None:
            where = f"（最後の行『{before.text}』{before.span.line}行目 より上）"
            where_en = f" (above the last row, line {before.span.line})"
        elif after is not None:
            where = f"（最初の行『{after.text}』{after.span.line}行目 より下）"
            where_en = f" (below the first row, line {after.span.line})"
        else:
            where, where_en = "", ""
        ck.err("F412", (after or before).span if (after or before) else table.span,
               f"{fv(w)} はどの行にも当たりません{where}",
               f"{fv(w)} falls in no row{where_en}",
               "行を足すか、境界を直すか、「それ以上」「それ以外」の行を書いてください",
               "add a row, fix a bound, or add a それ以上 / それ以外 row")


@attrs.frozen
class Sweep:
    """What one pass over a table's rows found, by row index.

    ``out_of_order``: the first (earlier, later) pair whose later row starts
    lower; when set, nothing else is computed. ``overlaps``: (earlier, later,
    witness) for every pair of rows that share a value, ordered by the later
    row, then the earlier. ``gaps``: (witness, row before, row after) for each
    uncovered stretch, in value order (None: no row on that side).
    """

    out_of_order: tuple[int, int] | None = None
    overlaps: list = attrs.Factory(list)
    gaps: list = attrs.Factory(list)


def sweep(intervals, dmin, integral: bool) -> Sweep:
    """Order, overlaps and gaps of non-empty intervals in written order, in linear time.

    One pass checks the order; then one walk over the rows finds overlaps and
    another the gaps. Rows must come in order of their lower bound (F410), so when a row starts,
    an earlier row either reaches it, and then they overlap, or ends before it
    and then ends before every later row too. The rows still open are kept in
    ``active``; each pass over it either reports an overlap or drops a row for
    good, so the work is linear in the rows plus the overlaps reported.
    Witnesses are those of :func:`_intersection_witness` and of the gap walk:
    the smallest shared value, the smallest uncovered value (on rationals, the
    midpoint of an open gap).
    """
    keys = [_lo_key(iv) for iv in intervals]
    for k in range(1, len(keys)):
        if keys[k] < keys[k - 1]:
            return Sweep(out_of_order=(k - 1, k))
    found = Sweep()
    if not intervals:
        found.gaps.append((dmin if dmin is not None else Fraction(0), None, None))
        return found
    if integral:
        start = None if dmin is None else _ceil(dmin)  # once, not per row
        spans = [_Int.span(iv, start) for iv in intervals]
        gaps = _int_gaps(spans, dmin)
    else:
        gaps = _rational_gaps(intervals, dmin)
    active: list[int] = []
    for q, iv in enumerate(intervals):
        if active:
            if integral:
                s = spans[q]
                active = [p for p in active if spans[p][1] >= s[0]]
                hits = ((p, _Int.witness(spans[p], s)) for p in active)
            else:
                active = [p for p in active if not _ends_before(intervals[p], iv)]
                hits = ((p, _intersection_witness(intervals[p], iv, dmin, False)) for p in active)
            found.overlaps.extend((p, q, w) for p, w in hits if w is not None)
        active.append(q)
    found.gaps.extend(gaps)
    return found


def _ends_before(p: ir.Interval, q: ir.Interval) -> bool:
    """On rationals: every value of ``p`` lies below every value of ``q``."""
    if p.hi is None or q.lo is None:
        return False
    return p.hi < q.lo or (p.hi == q.lo and not (p.hi_incl and q.lo_incl))


def _intersection_witness(p: ir.Interval, q: ir.Interval, dmin, integral):
    if integral:
        return _Int.witness(_Int.span(p, dmin), _Int.span(q, dmin))
    lo, lo_incl = p.lo, p.lo_incl
    if q.lo is not None and (lo is None or q.lo > lo or (q.lo == lo and not q.lo_incl)):
        lo, lo_incl = q.lo, q.lo_incl
    hi, hi_incl = p.hi, p.hi_incl
    if q.hi is not None and (hi is None or q.hi < hi or (q.hi == hi and not q.hi_incl)):
        hi, hi_incl = q.hi, q.hi_incl
    if dmin is not None and (lo is None or lo < dmin):
        lo, lo_incl = dmin, True
    if lo is None:
        return hi - 1 if hi is not None else Fraction(0)
    if hi is None:
        return lo if lo_incl else lo + 1
    if lo < hi:
        return lo if lo_incl else (lo + hi) / 2
    if lo == hi and lo_incl and hi_incl:
        return lo
    return None


def _int_gaps(spans, dmin):
    """Gaps on whole numbers: (witness, index before, index after), from the
    rows' [a, b] spans in order of a."""
    start = _ceil(dmin) if dmin is not None else -math.inf
    a0, b0 = spans[0]
    if start != -math.inf and a0 > start:
        yield (Fraction(start), None, 0)
    reach, last = b0, 0
    for k in range(1, len(spans)):
        a, b = spans[k]
        if a > reach + 1:
            yield (Fraction(reach + 1), last, k)
        if b >= reach:
            reach, last = b, k
    if reach != math.inf:
        yield (Fraction(reach + 1), last, None)


def _rational_gaps(intervals, dmin):
    """Gaps on exact rationals: (witness, index before, index after), from
    intervals in order of their lower bound."""
    first = intervals[0]
    if first.lo is not None and (dmin is None or first.lo > dmin or (first.lo == dmin and not first.lo_incl)):
        w = dmin if dmin is not None and dmin < first.lo else (first.lo - 1 if dmin is None else first.lo)
        yield (w, None, 0)
    reach, reach_incl, last = first.hi, first.hi_incl, 0
    for k in range(1, len(intervals)):
        iv = intervals[k]
        if reach is None:
            break
        lo = iv.lo
        if lo is None:
            pass  # a row from below everything leaves nothing uncovered before it
        elif lo > reach:
            yield ((reach + lo) / 2 if reach_incl else reach, last, k)
        elif lo == reach and not reach_incl and not iv.lo_incl:
            yield (reach, last, k)
        if iv.hi is None or iv.hi > reach or (iv.hi == reach and iv.hi_incl):
            reach, reach_incl, last = iv.hi, iv.hi_incl, k
    if reach is not None:
        yield (reach if not reach_incl else reach + Fraction(1, 100), last, None)
