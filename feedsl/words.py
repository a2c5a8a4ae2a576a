"""Numbers and IR expressions in Japanese notation, for pages and explanations.

``基準世帯数 × 14円/世帯（1,000円未満四捨五入）``: what a member reads. Shared by
the docs (feedsl.docs) and the explanation generator; no Jinja here.
"""

from __future__ import annotations

import datetime
from fractions import Fraction

from . import ir
from .ir import EnumType, ListType, QType, RecordType
from .runtime import format_number, format_percent
from .values import format_date


# --- numbers ----------------------------------------------------------------

# Pages show 6 decimals exactly (約 and 4 past that), like the checker's bounds.
# runtime.format_number never raises: a computed example amount past 4,300
# digits is shown shortened, 10,000,000,000…（全14,849桁）…000,000,000.

def fmt_num(x) -> str:
    """1234567 → 1,234,567; an exact fraction in decimals (約 when it does not end)."""
    if isinstance(x, bool):
        raise TypeError("a bool is not a number")
    return format_number(x if isinstance(x, int) else Fraction(x), 6, 4)


def fmt_yen(x) -> str:
    """50000 → 50,000円."""
    return fmt_num(x) + "円"


def fmt_percent(x) -> str:
    """Fraction(2099, 10000) → 20.99%, exactly."""
    return format_percent(Fraction(x), 6, 4)


def fmt_quantity(x, t) -> str:
    """A value of type ``t`` with its unit: 9,300円, 80人, 2,000円/人, 20.99%."""
    if isinstance(t, QType):
        if t.is_rate:
            return fmt_percent(x)
        unit = ir.dim_str(t.dim) if t.dim else ""
        return fmt_num(x) + unit
    return str(x)


def fmt_date(d: datetime.date) -> str:
    """和暦 with the 西暦 year, as pages show a date: 令和6年10月1日（2024年）."""
    return format_date(d)


FILTERS = {"num": fmt_num, "yen": fmt_yen, "percent": fmt_percent}


# --- expressions in words ---------------------------------------------------

# Binding strength: a part is put in （） when it binds more loosely than its place.
P_COND, P_OR, P_AND, P_NOT, P_CMP, P_ADD, P_MUL, P_ATOM = range(8)
_CMP_WORDS = {"≥": "以上", "≤": "以下", ">": "超", "<": "未満"}
_ROUND_WORDS = {"四捨五入": "四捨五入", "切り捨て": "切り捨て", "切り上げ": "切り上げ"}


def paren(text: str) -> str:
    return f"（{text}）"


class Words:
    """Renders IR expressions in Japanese notation, one method per node class.

    ``基準世帯数 × 14円/世帯（1,000円未満四捨五入）``. An unknown node is a
    bug in this module, never in a regulation: it raises ``TypeError``.
    """

    def __init__(self, reg: ir.RegulationIR, rule: ir.RuleIR | None = None):
        self.reg = reg
        self.params: dict[str, str] = {}
        self.vars: dict[str, str] = {}
        if rule is not None:
            self.params = {p.name: self.param_label(p) for p in rule.param_inputs}

    def param_label(self, p: ir.InputIR) -> str:
        if p.label == p.name and isinstance(p.type, RecordType) and p.type.name in self.reg.records:
            return self.reg.records[p.type.name].label
        return p.label

    # --- entry points ---
    def text(self, node, place: int = P_COND) -> str:
        method = getattr(self, "n_" + type(node).__name__, None)
        if method is None:
            raise TypeError(f"feedsl.docs: no words for IR node {type(node).__name__}")
        text, prec = method(node)
        return paren(text) if prec < place else text

    def __call__(self, node) -> str:
        return self.text(node)

    # --- helpers ---
    def enum_label(self, enum_name: str, member: str) -> str:
        e = self.reg.enums.get(enum_name)
        if e is not None:
            return _labels(e.values).get(member, member)
        return member

    def enum_of(self, node) -> str | None:
        t = getattr(node, "type", None)
        return t.name if isinstance(t, EnumType) else None

    def members_text(self, enum_name, members) -> str:
        return "・".join(self.enum_label(enum_name, m) for m in members)

    def rest_members(self, enum_name, arms) -> tuple:
        """The values a それ以外 arm stands for."""
        named = {m for members, _ in arms for m in members}
        e = self.reg.enums.get(enum_name)
        return tuple(n for n, _ in e.values if n not in named) if e else ()

    def passes_through(self, args) -> bool:
        """A call handing on exactly this rule's parameters reads as the bare label."""
        return (len(args) == len(self.params)
                and all(isinstance(a, ir.ParamRef) and a.name in self.params and a.name not in self.vars
                        for a in args))

    # --- nodes ---
    def n_Const(self, c):
        v = c.value
        if isinstance(v, bool):
            return ("はい" if v else "いいえ"), P_ATOM
        if isinstance(v, str):
            return self.enum_label(self.enum_of(c) or "", v), P_ATOM
        if isinstance(v, datetime.date):
            return fmt_date(v), P_ATOM
        if c.text:
            return c.text, P_ATOM
        return fmt_quantity(v, c.type), P_ATOM

    def n_InputRef(self, r):
        i = self.reg.inputs.get(r.name)
        return (i.label if i else r.name), P_ATOM

    def n_ParamRef(self, r):
        if r.name in self.vars:
            return self.vars[r.name], P_ATOM
        return self.params.get(r.name, r.name), P_ATOM

    def n_RuleRef(self, r):
        rule = self.reg.rules.get(r.name)
        label = rule.label if rule else r.name
        if not r.args or self.passes_through(r.args):
            return label, P_ATOM
        return label + paren("、".join(self.text(a) for a in r.args)), P_ATOM

    def n_Arith(self, a):
        prec = P_ADD if a.op in "+-" else P_MUL
        op = {"+": "＋", "-": "−", "×": "×", "÷": "÷"}[a.op]
        left = self.text(a.left, prec)
        right = self.text(a.right, prec + 1)
        return f"{left} {op} {right}", prec

    def n_Cmp(self, c):
        left = self.text(c.left, P_ADD)
        right = self.text(c.right, P_ADD)
        if c.op in _CMP_WORDS:
            return f"{left}が{right}{_CMP_WORDS[c.op]}", P_CMP
        if c.op == "=":
            return f"{left}が{right}", P_CMP
        return f"{left}が{right}でない", P_CMP

    def n_EnumIs(self, e):
        subject = self.text(e.subject, P_ADD)
        return f"{subject}が{self.members_text(self.enum_of(e.subject) or '', e.members)}", P_CMP

    def n_BoolOp(self, b):
        prec = P_AND if b.op == "and" else P_OR
        word = "かつ" if b.op == "and" else "または"
        return f"{self.text(b.left, prec)} {word} {self.text(b.right, prec + 1)}", prec

    def n_NotOp(self, n):
        return f"{self.text(n.operand, P_CMP)}でない", P_NOT

    def n_Cond(self, c):
        # One word for "otherwise" on every page: それ以外 (as in 場合 and the cases tables).
        return (f"{self.text(c.cond, P_OR)}のとき {self.text(c.then, P_ADD)}、"
                f"それ以外は {self.text(c.else_, P_ADD)}"), P_COND

    def n_Match(self, m):
        return "、".join(f"{case}のとき {value}" for case, value in self.match_cases(m)), P_COND

    def n_Branches(self, b):
        return "、".join(f"{case}のとき {value}" if case != "それ以外" else f"それ以外は {value}"
                        for case, value in self.branch_cases(b)), P_COND

    def match_cases(self, m) -> list[tuple[str, str]]:
        enum_name = self.enum_of(m.subject) or ""
        subject = self.text(m.subject, P_ADD)
        cases = []
        for members, value in m.arms:
            if members:
                case = f"{subject}が{self.members_text(enum_name, members)}"
            else:
                rest = self.rest_members(enum_name, m.arms)
                case = "それ以外" + (paren(self.members_text(enum_name, rest)) if rest else "")
            cases.append((case, self.text(value, P_ADD)))
        return cases

    def branch_cases(self, b) -> list[tuple[str, str]]:
        return [("それ以外" if cond is None else self.text(cond, P_OR), self.text(value, P_ADD))
                for cond, value in b.arms]

    def n_Round(self, r):
        return f"{self.text(r.value, P_MUL)}{paren(rounding_text(r))}", P_ATOM

    def n_MinMax(self, m):
        args = [self.text(a, P_ADD) for a in m.args]
        if m.func in ("上限", "下限"):
            return f"{self.text(m.args[0], P_ATOM)}{paren(m.func + ' ' + args[1])}", P_ATOM
        which = "小さい方" if m.func == "最小" else "大きい方"
        if len(args) > 2:
            which = "最も小さい額" if m.func == "最小" else "最も大きい額"
        return f"{('と' if len(args) == 2 else '・').join(args)}のうち{which}", P_ATOM

    def n_FyCall(self, f):
        arg = self.text(f.arg, P_ATOM)
        if f.func == ir.MONTHS_AFTER:
            return f"{arg}の翌月から年度末までの月数", P_ATOM
        if f.func == ir.MONTHS_INCLUDING:
            return f"{arg}の月（当月）から年度末までの月数", P_ATOM
        if f.func == ir.FISCAL_MONTH:
            return f"{arg}が年度の第何月か", P_ATOM
        if f.func == ir.MONTH_OF:
            return f"{arg}の月", P_ATOM
        return f"{arg}が{f.func}", P_CMP

    def n_FieldGet(self, g):
        obj = self.text(g.obj, P_ATOM)
        label = g.name
        t = getattr(g.obj, "type", None)
        if isinstance(t, RecordType) and t.name in self.reg.records:
            for f in self.reg.records[t.name].fields:
                if f.name == g.name:
                    label = f.label
        return f"{obj}の{label}", P_ATOM

    def n_Aggregate(self, a):
        source = self.text(a.source, P_ATOM)
        elem = getattr(a.source, "type", None)
        elem = elem.element if isinstance(elem, ListType) else None
        each = self.reg.records[elem.name].label if isinstance(elem, RecordType) and elem.name in self.reg.records else a.var
        saved = self.vars.get(a.var)
        self.vars[a.var] = f"各{each}"
        try:
            body = self.text(a.body, P_ADD)
        finally:
            if saved is None:
                self.vars.pop(a.var)
            else:
                self.vars[a.var] = saved
        if a.func == "件数":
            return f"{source}のうち「{body}」に当たる数", P_ATOM
        return f"{source}それぞれの{body}の合計", P_ATOM

    def n_Lookup(self, lk):
        key = self.text(lk.key, P_ATOM)
        col = f"、{self.text(lk.column, P_ATOM)}別" if lk.column is not None else ""
        return f"{key}による表{col}", P_ATOM

    def n_CatLookup(self, c):
        """表「社会福祉施設の会費」の①施設割; a fallback adds （なしのときは 0円）."""
        t = self.reg.cat_tables[c.table]
        label = next(col.label for col in t.columns if col.name == c.column)
        key = f"（{self.text(c.key, P_ATOM)}）" if t.params else ""
        text = f"表「{t.label}」{key}の{label}"
        if c.fallback is not None:
            text += f"（なしのときは {self.text(c.fallback, P_ADD)}）"
        return text, P_ATOM


# An enum's values as name → label, made once per enum rather than scanned per
# label (a 場合 with an arm per municipality asks for every label). Keyed by the
# identity of the values tuple, which the entry keeps alive, so an id is never
# mistaken for another; cleared when it grows (pages of many files in one run).
_LABELS: dict[int, tuple[tuple, dict[str, str]]] = {}


def _labels(values: tuple) -> dict[str, str]:
    hit = _LABELS.get(id(values))
    if hit is None or hit[0] is not values:
        if len(_LABELS) >= 256:
            _LABELS.clear()
        hit = _LABELS[id(values)] = (values, dict(values))
    return hit[1]


def rounding_text(r: ir.Round) -> str:
    return f"{r.unit_text}未満{_ROUND_WORDS[r.mode]}"


