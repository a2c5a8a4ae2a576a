"""Charts on the regulation pages: which rules get one, and their geometry.

A chart is drawn where it helps a reader, not one per table:

* a table keyed by a rate (臨床工学技士連盟: the 個人年会費 by 入会率) gets its
  step chart, from the table's rows;
* the regulations in :data:`FEATURED` get the chart their readers ask for:
  Hyogo's 年会費 as 事業所定額 stacked under 定員割基準額, one panel per facility
  kind against 定員; Hokkaido's 第1種会員 fee against 人口 with its 上限 lines.

Featured charts are computed by the compiled module itself (every amount is the
module's exact integer at that point), so a chart cannot drift from billing.
Geometry is plain dicts of SVG coordinates for ``_chart.html.j2``; axis
labels are short (10万, 300万) so they stay apart when a phone shrinks the
drawing, and the legend is HTML under the drawing, so it wraps instead of
covering the lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from . import ir
from .ir import QType
from .words import P_ATOM, Words, fmt_num, fmt_percent, fmt_yen

# One panel's drawing box (SVG user units; the page scales it to its width).
PANEL_W, PANEL_H = 440, 250
SMALL_W, SMALL_H = 300, 200  # one of several panels side by side
PAD_L, PAD_R, PAD_T, PAD_B = 52, 16, 32, 44
TICK_SPACE = 62  # at least this many units between x tick labels

# Lines and areas: distinguishable in grey print too (dash patterns, lightness).
LINE_STYLES = [("#1f5fa8", ""), ("#c2410c", "7 4"), ("#15803d", "2 3"), ("#7c3aed", "10 3 2 3")]
AREA_FILLS = ["#a9c4e4", "#1f5fa8", "#e7b18f", "#c2410c"]


def _nice_step(span: Fraction, target: int) -> Fraction:
    """The smallest 1·2·5×10ⁿ step that cuts ``span`` into at most ``target`` parts."""
    raw = Fraction(span) / max(target, 1)
    if raw <= 0:
        return Fraction(1)
    mag = Fraction(1)
    while mag * 10 <= raw:
        mag *= 10
    while mag > raw:
        mag /= 10
    for m in (1, 2, 5, 10):
        if mag * m >= raw:
            return mag * m
    return mag * 10  # pragma: no cover


def _fmt_svg(x) -> str:
    return f"{float(x):.1f}"


def _tick(x) -> str:
    """An axis label, short: 億 and 万 for round amounts (5億, 300万, 2.5万), else the number."""
    x = Fraction(x)
    if x and x.denominator == 1:
        if abs(x) >= 100_000_000 and x % 10_000_000 == 0:
            return f"{fmt_num(x / 100_000_000)}億"
        if abs(x) >= 10_000 and x % 1_000 == 0:
            return f"{fmt_num(x / 10_000)}万"
    return fmt_num(x)


class _Frame:
    """Axes for x in [x0, x1] and y in [0, ytop] on a panel of w × h."""

    def __init__(self, x0, x1, ymax, w=PANEL_W, h=PANEL_H, *, x_is_rate=False):
        self.w, self.h = w, h
        self.x0, self.x1 = Fraction(x0), Fraction(x1) if x1 > x0 else Fraction(x0) + 1
        self.ystep = _nice_step(Fraction(ymax) or 1, 5)
        self.ytop = (Fraction(ymax) // self.ystep + 1) * self.ystep
        self.left, self.right, self.top, self.bottom = PAD_L, w - PAD_R, PAD_T, h - PAD_B
        self.x_is_rate = x_is_rate

    def X(self, v):
        return self.left + (Fraction(v) - self.x0) / (self.x1 - self.x0) * (self.right - self.left)

    def Y(self, v):
        return self.bottom - Fraction(v) / self.ytop * (self.bottom - self.top)

    def pt(self, x, y) -> str:
        return f"{_fmt_svg(self.X(x))},{_fmt_svg(self.Y(y))}"

    def geometry(self) -> dict:
        xstep = _nice_step(self.x1 - self.x0, max(2, int((self.right - self.left) // TICK_SPACE)))
        xt = -(-self.x0 // xstep) * xstep
        xticks = []
        while xt <= self.x1:
            at = self.X(xt)
            # the ends lean inwards: clear of the y labels at the origin and of the right edge
            anchor = "end" if at > self.right - 16 else ("start" if at < self.left + 8 else "middle")
            xticks.append({"x": _fmt_svg(at), "label": fmt_percent(xt) if self.x_is_rate else _tick(xt),
                           "anchor": anchor})
            xt += xstep
        yticks = []
        yt = Fraction(0)
        while yt <= self.ytop:
            yticks.append({"y": _fmt_svg(self.Y(yt)), "label": _tick(yt)})
            yt += self.ystep
        return {"width": self.w, "height": self.h, "left": self.left, "right": self.right,
                "top": self.top, "bottom": self.bottom, "xticks": xticks, "yticks": yticks}


def _runs(xs: list, values: list, step: int = 1) -> list[tuple]:
    """Consecutive equal values over sample points ``step`` apart, as (from, to,
    value): a value at n holds on [n, n+step), so a run n..m is drawn from n to m+step."""
    out = []
    for x, v in zip(xs, values):
        if out and out[-1][2] == v and out[-1][1] == x:
            out[-1] = (out[-1][0], x + step, v)
        else:
            out.append((x, x + step, v))
    return out


def _step_path(f: _Frame, runs) -> str:
    d = []
    for i, (a, b, v) in enumerate(runs):
        joined = i and runs[i - 1][1] == a
        d.append(f"{'L' if joined else 'M'}{f.pt(a, v)} H{_fmt_svg(f.X(b))}")
    return " ".join(d)


def _band_path(f: _Frame, upper, lower) -> str:
    """A filled band between two step functions on the same runs' x-range."""
    top = [f"{f.pt(a, v)} L{f.pt(b, v)}" for a, b, v in upper]
    bottom = [f"{f.pt(b, v)} L{f.pt(a, v)}" for a, b, v in reversed(lower)]
    return "M" + " L".join(top + bottom) + " Z"


def _line_path(f: _Frame, points, tolerance=0.3) -> str:
    """A polyline through exact points, dropping points that lie within
    ``tolerance`` units of the straight line between their neighbours kept."""
    pts = [(float(f.X(x)), float(f.Y(y))) for x, y in points]
    if not pts:
        return ""
    keep = {0, len(pts) - 1}
    todo = [(0, len(pts) - 1)]
    while todo:  # Douglas–Peucker: keep the farthest point of a span until every span is straight
        i, j = todo.pop()
        (ax, ay), (cx, cy) = pts[i], pts[j]
        dx, dy = cx - ax, cy - ay
        norm = (dx * dx + dy * dy) ** 0.5 or 1.0
        far, at = 0.0, None
        for k in range(i + 1, j):
            bx, by = pts[k]
            dist = abs(dy * (bx - ax) - dx * (by - ay)) / norm
            if dist > far:
                far, at = dist, k
        if at is not None and far > tolerance:
            keep.add(at)
            todo += [(i, at), (at, j)]
    return "M" + " L".join(f"{pts[k][0]:.1f},{pts[k][1]:.1f}" for k in sorted(keep))


def _figure(title, x_label, y_label, panels, legend, caption) -> dict:
    for item in legend:  # the legend's key drawn like the line: solid, dashed or dotted
        item["style"] = "solid" if not item["dash"] else ("dotted" if item["dash"].startswith("2 ") else "dashed")
    return {"title": title, "x_label": x_label, "y_label": y_label, "panels": panels,
            "legend": legend, "caption": caption, "several": len(panels) > 1}


def _unit(t) -> str:
    if isinstance(t, QType):
        return "%" if t.is_rate else (ir.dim_str(t.dim) if t.dim else "")
    return ""


# --- a table keyed by a rate ---------------------------------------------------

def rate_table_chart(lk: ir.Lookup, rule: ir.RuleIR, key_label: str, columns: list[str]) -> dict | None:
    """The step chart of a table keyed by a rate (0%–100%), from its rows: x is
    the rate, y the amount, one line per column."""
    kt = getattr(lk.key, "type", None)
    rows = [r for r in lk.rows if r.interval is not None]
    if not (isinstance(kt, QType) and kt.is_rate) or not rows or ir.is_month_table(lk):
        return None
    starts = [Fraction(r.interval.lo) if r.interval.lo is not None else Fraction(0) for r in rows]
    last = rows[-1].interval
    end = Fraction(last.hi) if last.hi is not None else max(Fraction(1), starts[-1] + Fraction(1, 10))
    values = [v for r in rows for v in r.values if v is not None]
    f = _Frame(starts[0], end, max(values) if values else 1, x_is_rate=True)
    lines, legend, line_runs = [], [], []
    for c, name in enumerate(columns):
        runs = [(starts[i], starts[i + 1] if i + 1 < len(rows) else end, r.values[c])
                for i, r in enumerate(rows) if c < len(r.values) and r.values[c] is not None]
        line_runs.append(runs)
        colour, dash = LINE_STYLES[c % len(LINE_STYLES)]
        lines.append({"d": _step_path(f, runs), "colour": colour, "dash": dash, "label": name})
        legend.append({"label": name, "colour": colour, "dash": dash, "area": False})
    unit = _unit(rule.type)
    amount = "割合" if isinstance(rule.type, QType) and rule.type.is_rate else "金額"
    data = {name: [(a, b, v) for a, b, v in (line_runs[c])] for c, name in enumerate(columns)}
    panel = dict(f.geometry(), subtitle="", areas=[], lines=lines, data=data)
    ends = {r.interval.hi_incl for r in rows if r.interval.hi is not None}
    edge = {frozenset({False}): "段の境目の値は、右側の段の額です。",
            frozenset({True}): "段の境目の値は、左側の段の額です。"}.get(frozenset(ends), "")
    caption = f"{rule.label}：横軸は{key_label}（%）、縦軸は{amount}（{unit}）。{edge}"
    return _figure(rule.label, f"{key_label}（%）", f"{amount}（{unit}）", [panel],
                   legend if len(columns) > 1 else [], caption)


# --- featured charts -------------------------------------------------------------

@dataclass(frozen=True)
class Stacked:
    """Rule ``total`` of a record ``arg`` is ``base`` plus a part that grows with
    the record's field ``x_field``: one panel per value of the record's enum
    field ``kind_field`` among ``table``'s columns, x over ``table``'s key."""
    attach: str
    total: str
    base: str
    arg: str
    base_arg: str
    kind_field: str
    x_field: str
    table: str
    base_label: str
    top_label: str


@dataclass(frozen=True)
class Capped:
    """Rule ``attach`` against input ``x``, with ``cap`` drawn where it binds.
    ``fixed`` inputs are held; ``per_x`` inputs are that fraction of x (stated
    in ``assumption``); ``variants`` are other values of the cap's inputs, each
    drawn as its own cap line."""
    attach: str
    x: str
    x_max: int
    sample: int
    cap: str
    assumption: str
    line_label: str
    fixed: dict = field(default_factory=dict)
    per_x: dict = field(default_factory=dict)
    variants: tuple = ()


FEATURED = {
    "hyogo_roufuku": (
        Stacked(attach="standard_fee", total="standard_fee", base="facility_fixed_fee", arg="facility",
                base_arg="f", kind_field="kind", x_field="capacity", table="capacity_base",
                base_label="事業所定額", top_label="定員割基準額"),
    ),
    "hokkaido_shakyo": (
        Capped(attach="municipal_fee", x="population", x_max=400_000, sample=100, cap="fee_cap",
               fixed={"kind": "city"}, per_x={"households": Fraction(1, 2)},
               variants=(("上限（中核市）", {"core_city": True}),), line_label="年会費（市、1世帯2人の場合）",
               assumption="市で、世帯数を人口の2分の1（1世帯2人）、生活保護世帯と自衛隊営内居住世帯を0とした場合"),
    ),
}


def _stacked(reg: ir.RegulationIR, module, s: Stacked) -> dict:
    lk: ir.Lookup = reg.rules[s.table].expr
    words = Words(reg, reg.rules[s.table])  # the table's own words: its parameters by their labels
    enum_name = words.enum_of(lk.column) or ""
    kinds = [n for n, _ in reg.enums[enum_name].values if n in lk.column_names]
    rows = [r for r in lk.rows if r.interval is not None]
    first = rows[0].interval.lo if rows[0].interval.lo is not None else 0
    x0 = int(first)
    starts = [int(r.interval.lo) for r in rows if r.interval.lo is not None]
    widths = [b - a for a, b in zip(starts, starts[1:])]
    x1 = starts[-1] + max(widths[-1] if widths else 1, (starts[-1] - x0) // 8)  # past the open last band
    xs = list(range(x0, x1))
    total = getattr(module, s.total)
    base = getattr(module, s.base)
    data = []
    for k in kinds:
        totals = [total(**{s.arg: {s.kind_field: k, s.x_field: n}}) for n in xs]
        bases = [base(**{s.base_arg: {s.kind_field: k, s.x_field: n}}) for n in xs]
        data.append((k, _runs(xs, totals), _runs(xs, bases), totals, bases))
    ymax = max(max(t) for _, _, _, t, _ in data)
    panels = []
    for k, total_runs, base_runs, totals, bases in data:
        f = _Frame(min(x0, 0), x1, ymax, SMALL_W, SMALL_H)
        zero = [(x0, x1, 0)]
        areas = [{"d": _band_path(f, base_runs, zero), "fill": AREA_FILLS[0], "label": s.base_label},
                 {"d": _band_path(f, total_runs, base_runs), "fill": AREA_FILLS[1], "label": s.top_label}]
        subtitle = words.enum_label(enum_name, k)
        # The exact amounts drawn, as (from, to, 円) runs of the key: for tests and readers' tools.
        panels.append(dict(f.geometry(), subtitle=subtitle, areas=areas, lines=[], kind=k,
                           data={"合計": total_runs, s.base_label: base_runs}))
    key_unit = _unit(lk.key.type)
    rule = reg.rules[s.total]
    x_label = f"{words.text(lk.key, P_ATOM)}（{key_unit}）"
    legend = [{"label": s.base_label, "colour": AREA_FILLS[0], "dash": "", "area": True},
              {"label": s.top_label, "colour": AREA_FILLS[1], "dash": "", "area": True}]
    caption = (f"{rule.label}：{s.base_label}（下）の上に{s.top_label}（上）を積み上げた額。"
               f"横軸は{x_label}、縦軸は金額（円）。{fmt_num(starts[-1])}{key_unit}以上は同じ額。")
    return _figure(f"{rule.label}の内訳", x_label, "金額（円）", panels, legend, caption)


def _capped(reg: ir.RegulationIR, module, s: Capped) -> dict:
    fee = getattr(module, s.attach)
    cap = getattr(module, s.cap)
    cap_inputs = set(reg.rules[s.cap].inputs)
    xs = list(range(0, s.x_max + 1, s.sample))

    def args(x, **extra):
        a = dict(s.fixed, **{s.x: x}, **extra)
        for name, share in s.per_x.items():
            a[name] = int(x * share)
        return a

    def cap_at(x, extra):
        """The cap at x where it binds: the fee with every other amount made huge equals it."""
        big = {name: 10 ** 12 for name in s.per_x}
        c = cap(**{k: v for k, v in dict(args(x), **extra).items() if k in cap_inputs})
        return c if fee(**dict(args(x), **big, **extra)) == c else None

    fees = [fee(**args(x)) for x in xs]
    caps = [(label, [cap_at(x, extra) for x in xs]) for label, extra in (("上限", {}), *s.variants)]
    ymax = max(fees + [c for _, cs in caps for c in cs if c is not None])
    f = _Frame(0, s.x_max, ymax)
    rule = reg.rules[s.attach]
    lines = [{"d": _line_path(f, list(zip(xs, fees))), "colour": LINE_STYLES[0][0], "dash": "",
              "label": rule.label}]
    legend = [{"label": s.line_label, "colour": LINE_STYLES[0][0],
               "dash": "", "area": False}]
    for i, (label, cs) in enumerate(caps, start=1):
        runs = [(a, min(b, s.x_max), v) for a, b, v in _runs(xs, cs, s.sample) if v is not None]
        colour, dash = LINE_STYLES[i % len(LINE_STYLES)]
        lines.append({"d": _step_path(f, runs), "colour": colour, "dash": dash, "label": label})
        amounts = "・".join(dict.fromkeys(fmt_yen(v) for _, _, v in runs))
        legend.append({"label": f"{label} {amounts}", "colour": colour, "dash": dash, "area": False})
    x_label = f"{reg.inputs[s.x].label}（{_unit(reg.inputs[s.x].type)}）"
    caption = (f"{rule.label}：{s.assumption}の額（{fmt_num(s.sample)}{_unit(reg.inputs[s.x].type)}ごとに計算）。"
               f"横軸は{x_label}、縦軸は金額（円）。上限の線は、上限がかかる人口の範囲にだけ引いています。")
    data = {s.line_label: list(zip(xs, fees)),
            **{label: [r for r in _runs(xs, cs, s.sample) if r[2] is not None] for label, cs in caps}}
    return _figure(f"{rule.label}と上限", x_label, "金額（円）",
                   [dict(f.geometry(), subtitle="", areas=[], lines=lines, data=data)], legend, caption)


def featured(reg: ir.RegulationIR, module) -> dict[str, list[dict]]:
    """Rule name → the featured charts shown with it (none without a module)."""
    out: dict[str, list[dict]] = {}
    if module is None:
        return out
    for spec in FEATURED.get(reg.name, ()):
        if spec.attach not in reg.rules:
            continue
        fig = _stacked(reg, module, spec) if isinstance(spec, Stacked) else _capped(reg, module, spec)
        out.setdefault(spec.attach, []).append(fig)
    return out
