"""Help for a board weighing a draft: which single amount keeps revenue where it
is today (``--target-revenue ±N円``), and which members' increase passes a
phase-in limit (激変緩和, ``--phase-in-limit 10%`` or ``5,000円``).

**Goal seek.** The amounts a draft changes (a constant such as 15円/世帯, a
table's band amount) are the candidates. For each, every other amount stays as
the draft has it and the one amount runs over the whole numbers: the roster's
revenue R(v) is computed by the reference interpreter (:mod:`feedsl.interpret`)
on the draft's IR with that amount set to v. Where the amount enters the fee
additively or as a rate on counts, under 上限 and rounding, R is monotone in v;
the search finds by bisection the least v with R(v) ≥ today − N and the
greatest with R(v) ≤ today + N, checks R at every value it computed is
monotone (else it says so and gives no answer), and computes the two ends
again with compiled modules. When no whole amount lands inside ±N (rounding
makes R jump), the nearest amounts below and above are given with their
revenue.

**Phase-in.** A member whose increase (new − old) is more than the limit (a
rate of the old fee, or an amount) is flagged, with what it would pay if the
increase were capped at the limit (old × (1 + rate), 1円未満切り捨て) and what the
cap costs in revenue.
"""
from __future__ import annotations

import math
from fractions import Fraction

import attrs

from . import ir
from .regions import reachable

MAX_VALUE = 10 ** 12  # the largest amount the search tries


class SeekError(Exception):
    pass


# --- the amounts a draft changes ------------------------------------------------

def _pairs(a, b, out: list) -> bool:
    """Collect (old node, new node, column) of constants and table cells that
    differ between two expressions of the same shape; False when the shapes differ."""
    if type(a) is not type(b):
        return False
    if isinstance(a, ir.Const):
        if a.value != b.value:
            if not (isinstance(a.value, Fraction) and isinstance(b.value, Fraction)):
                return False
            out.append((a, b, None))
        return True
    if isinstance(a, ir.Lookup):
        if len(a.rows) != len(b.rows) or a.column_names != b.column_names:
            return False
        for ra, rb in zip(a.rows, b.rows):
            if ra.interval != rb.interval:
                return False
            for k, (va, vb) in enumerate(zip(ra.values, rb.values)):
                if va != vb and va is not None and vb is not None:
                    out.append((ra, rb, k))
    if isinstance(a, ir.Match) and [m for m, _ in a.arms] != [m for m, _ in b.arms]:
        return False
    if any(getattr(a, f, None) != getattr(b, f, None) for f in ("op", "func", "name")):
        return False
    ka, kb = ir.children(a), ir.children(b)
    return len(ka) == len(kb) and all(_pairs(x, y, out) for x, y in zip(ka, kb))


def changed_amounts(old, new, entry: str) -> list[dict]:
    """The amounts (constants, table cells) the draft changes in the rules
    ``entry`` reads, in the draft's clause order."""
    from .brackets import fmt_value
    from .words import fmt_quantity

    out = []
    for name in sorted(reachable(new, entry), key=list(new.rules).index):
        if name not in old.rules:
            continue
        found: list = []
        if not _pairs(old.rules[name].expr, new.rules[name].expr, found):
            continue
        rule = new.rules[name]
        for a, b, col in found:
            if col is None:
                t = b.type
                what = rule.label
                value = b.value
            else:
                t = rule.type
                key_type = getattr(rule.expr.key, "type", None)
                band = b.display or fmt_value(b.interval.lo, key_type)
                what = f"{rule.label} {band}"
                if rule.expr.column_names:
                    what += f"（{rule.expr.column_names[col]}）"
                value = b.values[col]
            if not (isinstance(t, ir.QType) and value.denominator == 1):
                continue
            out.append({"rule": name, "node": b, "col": col, "label": what, "type": t,
                        "old_v": a.value if col is None else a.values[col], "new_v": value,
                        "old": fmt_quantity(a.value if col is None else a.values[col], t),
                        "new": fmt_quantity(value, t)})
    return out


def _replace(e, target, new):
    """``e`` with the node ``target`` (by identity) replaced by ``new``."""
    if e is target:
        return new
    if isinstance(e, tuple):
        items = tuple(_replace(x, target, new) for x in e)
        return e if all(x is y for x, y in zip(items, e)) else items
    if not attrs.has(type(e)):
        return e
    changes = {}
    for f in attrs.fields(type(e)):
        v = getattr(e, f.name)
        if f.name == "span" or not (isinstance(v, tuple) or attrs.has(type(v))):
            continue
        w = _replace(v, target, new)
        if w is not v:
            changes[f.name] = w
    return attrs.evolve(e, **changes) if changes else e


def with_amount(reg, amount: dict, value: int):
    """The draft's IR with one amount set to ``value``."""
    node, col = amount["node"], amount["col"]
    if col is None:
        repl = attrs.evolve(node, value=Fraction(value))
    else:
        vals = list(node.values)
        vals[col] = Fraction(value)
        repl = attrs.evolve(node, values=tuple(vals))
    rules = dict(reg.rules)
    for name, rule in reg.rules.items():
        expr = _replace(rule.expr, node, repl)
        if expr is not rule.expr:
            rules[name] = attrs.evolve(rule, expr=expr)
    return attrs.evolve(reg, rules=rules)


# --- the search --------------------------------------------------------------------

def seek(old_mod, new_mod, entry: str, members: list, tolerance: int) -> dict:
    """For every amount the draft changes: the whole values that keep the
    roster's revenue within ±tolerance of today (``members`` from
    :func:`feedsl.compare.impact`)."""
    from . import interpret
    from .words import fmt_quantity, fmt_yen

    old, new = old_mod.__feedsl_ir__, new_mod.__feedsl_ir__
    today = sum(m["old_v"] for m in members)
    rows = []
    for amount in changed_amounts(old, new, entry):
        memo: dict[int, int] = {}

        def revenue(v: int) -> int:
            if v not in memo:
                reg = with_amount(new, amount, v)
                # On this stack (the caller runs seek under run_deep), not a new deep one per call.
                memo[v] = sum(interpret._Interp(reg).entry(entry, dict(m["kw_new"]), ()) for m in members)
            return memo[v]

        row = {"label": amount["label"], "old": amount["old"], "new": amount["new"],
               "draft_revenue": fmt_yen(revenue(int(amount["new_v"]))), "error": None,
               "low": None, "high": None, "below": None, "above": None}
        try:
            lo, hi, below, above = _window(revenue, int(amount["new_v"]), today, tolerance)
            if not _monotone(memo):
                raise SeekError("この金額について収入が単調でないので、求めていません")
            if lo is not None:
                _verify(new, amount, entry, members, (lo, revenue(lo)), (hi, revenue(hi)))
        except SeekError as e:
            row["error"] = str(e)
            rows.append(row)
            continue
        t = amount["type"]

        def at(v):
            return None if v is None else {"value": fmt_quantity(v, t), "revenue": fmt_yen(revenue(v)),
                                           "diff": _signed_yen(revenue(v) - today), "v": v}

        row.update(low=at(lo), high=at(hi), below=at(below), above=at(above))
        rows.append(row)
    return {"today": fmt_yen(today), "tolerance": fmt_yen(tolerance), "rows": rows}


def _signed_yen(x: int) -> str:
    from .words import fmt_yen

    return ("+" if x > 0 else "") + fmt_yen(x)


def _window(revenue, start: int, today: int, n: int):
    """(least, greatest) whole v ≥ 0 with |R(v) − today| ≤ n, or (None, None)
    and the nearest v below and above the window."""
    r0, r1 = revenue(0), revenue(max(start, 1))
    if r0 == r1 and revenue(max(start, 1) * 2) == r0:
        raise SeekError("名簿の会員の会費はこの金額で変わりません")
    rising = r1 >= r0
    lo_goal, hi_goal = today - n, today + n

    def first(pred):
        """The least v ≥ 0 where pred(R(v)) holds (pred false, then true, as v grows)."""
        if pred(revenue(0)):
            return 0
        hi = max(start, 1)
        while not pred(revenue(hi)):
            hi *= 2
            if hi > MAX_VALUE:
                return None
        lo = hi // 2 if hi > 1 else 0
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if pred(revenue(mid)):
                hi = mid
            else:
                lo = mid
        return hi

    if rising:
        a = first(lambda r: r >= lo_goal)  # least v inside from below
        b = first(lambda r: r > hi_goal)  # least v past the window
        lo, hi = a, (b - 1 if b is not None else None)
    else:
        a = first(lambda r: r <= hi_goal)
        b = first(lambda r: r < lo_goal)
        lo, hi = a, (b - 1 if b is not None else None)
    if lo is None:
        raise SeekError("どの金額でも今の収入に届きません")
    if hi is None:
        raise SeekError(f"{MAX_VALUE:,}までの金額では収入が上限に達しません")
    if lo <= hi:
        return lo, hi, None, None
    below = lo - 1 if lo > 0 else None
    return None, None, below, lo


def _monotone(memo: dict) -> bool:
    vs = sorted(memo)
    rs = [memo[v] for v in vs]
    return all(x <= y for x, y in zip(rs, rs[1:])) or all(x >= y for x, y in zip(rs, rs[1:]))


def _verify(new, amount, entry, members, *points) -> None:
    """The window's ends by compiled modules: the same revenue as the interpreter."""
    from .api import module_from_source
    from .codegen.python import generate

    for v, r in points:
        reg = with_amount(new, amount, v)
        mod = module_from_source(generate(reg), f"feedsl_seek_{v}", "<goal seek>")
        got = sum(getattr(mod, entry)(**m["kw_new"]) for m in members)
        if got != r:
            raise AssertionError(f"goal seek: compiled revenue {got} != interpreted {r} at {v}")


# --- phase-in ----------------------------------------------------------------------

def phase_in(members: list, limit) -> dict:
    """Members whose increase is more than ``limit`` (a Fraction rate of the old
    fee, or an int amount in 円), what each would pay with the increase capped,
    and the revenue the cap costs."""
    from .words import fmt_percent, fmt_yen

    flagged = []
    for m in members:
        allowed = math.floor(m["old_v"] * limit) if isinstance(limit, Fraction) else limit
        if m["diff_v"] > allowed:
            capped = m["old_v"] + allowed
            flagged.append({"who": m["who"], "old": fmt_yen(m["old_v"]), "new": fmt_yen(m["new_v"]),
                            "diff": _signed_yen(m["diff_v"]), "rate": m["rate"], "capped": fmt_yen(capped),
                            "cost": fmt_yen(m["new_v"] - capped), "cost_v": m["new_v"] - capped})
    cost = sum(f["cost_v"] for f in flagged)
    total_new = sum(m["new_v"] for m in members)
    return {"limit": fmt_percent(limit) if isinstance(limit, Fraction) else fmt_yen(limit),
            "members": flagged, "cost": fmt_yen(cost), "cost_v": cost,
            "revenue": fmt_yen(total_new - cost), "revenue_diff": _signed_yen(total_new - cost - sum(m["old_v"] for m in members))}


def summary_rows(seek: dict | None, phase: dict | None) -> list[list]:
    """The workbook's 集計 lines for the goal seek and the phase-in."""
    rows = []
    if seek:
        rows += [[], [f"収入を今（{seek['today']}）の ±{seek['tolerance']} に保つ金額"],
                 ["金額", "改正前", "改正案", "収まる値", "収入"]]
        for r in seek["rows"]:
            if r["error"]:
                found, revenue = r["error"], ""
            elif r["low"]:
                found = r["low"]["value"] + ("" if r["low"]["v"] == r["high"]["v"] else f"～{r['high']['value']}")
                revenue = r["low"]["revenue"] + ("" if r["low"]["v"] == r["high"]["v"] else f"～{r['high']['revenue']}")
            else:
                found = f"なし（{r['below']['value']} / {r['above']['value']}）"
                revenue = f"{r['below']['revenue']} / {r['above']['revenue']}"
            rows.append([r["label"], r["old"], r["new"], found, revenue])
    if phase:
        rows += [[], [f"激変緩和（増額が {phase['limit']} を超える会員）"],
                 ["会員", "改正前", "改正後", "増減", "緩和後"]]
        rows += [[m["who"], m["old"], m["new"], m["diff"], m["capped"]] for m in phase["members"]]
        rows.append(["緩和した場合の収入", phase["revenue"], f"緩和で減る額 {phase['cost']}"])
    return rows


def summary_lines(seek: dict | None, phase: dict | None) -> list[str]:
    """The lines `feedsl compare` prints for them."""
    lines = []
    for r in (seek or {"rows": []})["rows"]:
        if r["error"]:
            lines.append(f"  {r['label']}: {r['error']}")
        elif r["low"]:
            span = r["low"]["value"] + ("" if r["low"]["v"] == r["high"]["v"] else f"～{r['high']['value']}")
            lines.append(f"  {r['label']}: {span} で収入が今の ±{seek['tolerance']} 以内")
        else:
            lines.append(f"  {r['label']}: ±{seek['tolerance']} に収まる値なし（{r['below']['value']} {r['below']['diff']}、"
                         f"{r['above']['value']} {r['above']['diff']}）")
    if phase:
        lines.append(f"激変緩和 {phase['limit']}: 超える会員 {len(phase['members'])}、緩和で減る収入 {phase['cost']}")
    return lines
