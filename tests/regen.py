"""Hypothesis strategies of well-typed random regulations, as ``.fee`` text.

``regulations(mode)`` draws a whole file: a header (with a random fiscal-year
start), 区分 enums with labels, 記録 records (nested records and lists among
their fields), 入力 inputs of every kind (units, 割合, 真偽, enums, dates,
records, lists of records) with defaults, 範囲 and 説明, 前提 relations, 規則
rules with and without parameters (inline expressions, multi-line もし, 場合 on
an enum and 場合 on conditions, nested), 表 tables with random valid bounds (the
chained 以下/未満/それ以上 form, explicit ～ ranges, steps, それ以外 rows, count
and percent keys, enum columns) and optional 例 lines.

Expressions are built by type, so that most files check clean: units are
tracked (円 = 人 × 円/人, 割合 = 人 ÷ 人, a 円 value after ÷ is always rounded),
and each expression's known lower bound is tracked the way the checker does,
so that table bounds stay inside their key's domain.

**Names are the point.** Every identifier is drawn from a pool that mixes
ordinary names with Python keywords, builtins (len, enumerate, sum, …), names
of the generated module (REGULATION, explain, self, cls), names shaped like
generated ones (``f__cap``, ``b__c``), CamelCase names of the file's own
enums and records (``Kind`` next to ``kind``), parameters named like their
rule or like an input, record fields named self/label/value/to_dict, and
loop variables named like an input that a rule used inside the loop reads.
``mode`` weights the draw: ``"mixed"``, ``"enums"`` (enum pairs whose mangled
names coincide: enum ``a`` value ``b__c`` and enum ``a__b`` value ``c``),
``"records"`` (records, lists, 合計/件数 and captured loop variables),
``"names"`` (hostile names everywhere), ``"tables"`` and ``"conditional"``
(inputs and record fields needed only when a condition holds, 必要).

``deep_regulations()`` draws the long and deep constructs the issue requires
to work: chains of 200–1,000 rules, sums of 300–1,000 terms, もし nested
100–200 deep, 場合 with 100–500 arms, tables of 1,000 rows, enums of 300
values.
"""

from __future__ import annotations

import keyword
import random
from dataclasses import dataclass
from fractions import Fraction

from hypothesis import strategies as st

from feedsl.check import _ENUM_RESERVED
from feedsl.values import label_clashes

# --- names --------------------------------------------------------------------

PLAIN = ["a", "b", "c", "d", "n", "m", "k", "x", "y", "s", "t", "v", "w", "p", "q",
         "fee", "kind", "size", "base", "total", "rate", "members", "items", "item", "units",
         "area", "group", "cap", "share", "amount", "facility", "category", "flag", "day"]
BUILTINS = ["len", "enumerate"] * 6 + ["sum", "min", "max", "int", "str", "bool", "type", "object",
            "print", "id", "dict", "list", "range", "isinstance", "tuple", "set", "abs",
            "round", "any", "all", "hash", "iter", "next", "map", "zip", "filter", "sorted",
            "super", "repr", "vars", "getattr", "callable", "divmod", "pow", "open", "exec",
            "eval", "compile", "globals", "locals", "Fraction", "date", "bisect", "enum",
            "inspect", "float", "frozenset", "property", "staticmethod", "classmethod", "ValueError"]
GENERATED = ["REGULATION", "TITLE", "ENTRIES", "FISCAL_YEAR_START", "explain", "annotations",
             "self", "cls", "fn", "inputs", "entry", "value", "label", "node"]
MANGLED = ["a__b", "b__c", "f__cap", "x__x", "fee__x", "n__", "k__v__w", "I_n", "E_a__b",
           "T_a", "v_fee", "r_fee", "x_fee", "xe_fee", "K0", "t1", "xt1", "xn1", "xa1",
           "B_fee", "V_fee", "XT_fee", "XR_item", "EXPLAIN", "Xterm", "R"]
KEYWORDS = [k for k in keyword.kwlist if k.isidentifier() and not k.startswith("_")]
FIELD_HOSTILE = ["self", "label", "value", "to_dict", "name", "mro", "cls"]

# Words an enum value must not be (the checker's F102 list) are kept out of
# value names, so that enum-heavy files stay mostly clean.
ENUM_RESERVED = set(_ENUM_RESERVED)

LABELS = ["会費", "人数", "世帯数", "基本額", "加算", "区分", "定員", "割合", "申込日", "事業所",
          "種別", "上限", "均等割", "世帯割", "口数", "補助", "減額", "合計額"]
HOSTILE_LABELS = ["'''\"\"\"\\ {x}", "{__import__('os')}", "\\n\\'; #", "ラベル 「入れ子", "a\\tb"]

UNITS = ["人", "世帯", "口", "件", "室"]
RATE = ""  # the dimension of 割合 and of bare numbers

_CHOICES = st.binary(min_size=3_000, max_size=3_000)


def class_name(ident: str) -> str:
    """The CamelCase name the compiler gives an enum or record (for look-alike names)."""
    return "".join(p[:1].upper() + p[1:] for p in ident.split("_") if p) or "Enum"


# --- types --------------------------------------------------------------------

@dataclass(frozen=True)
class Q:
    """A quantity: its unit ('円', '人', '円/人'; '' for 割合 and bare numbers),
    whether it is always whole, and its lower bound as the checker knows it."""

    dim: str
    integral: bool = True
    lo: Fraction | None = Fraction(0)


@dataclass(frozen=True)
class T:
    """Every other type: bool, date, enum NAME, rec NAME, list NAME (of records)."""

    kind: str
    name: str = ""


BOOL = T("bool")
DATE = T("date")


def _add_lo(a, b):
    return a + b if a is not None and b is not None else None


def _mul_lo(a, b):
    return a * b if a is not None and b is not None and a >= 0 and b >= 0 else None


def _min_lo(los):
    return min(los) if all(x is not None for x in los) else None


@dataclass(frozen=True)
class X:
    """A generated expression: its text, type, and whether it needs no parentheses."""

    text: str
    type: object
    atom: bool = True

    def par(self) -> str:
        return self.text if self.atom else f"({self.text})"


@dataclass
class Rule:
    name: str
    params: list  # (name, type, minimum)
    type: object
    inputs: set
    table: bool = False


# --- literals -----------------------------------------------------------------

def yen_text(n: int, style: int = 0) -> str:
    """An integer written as a regulation would: 1,000 / 1000 / 2万."""
    if style == 2 and n and n % 10_000 == 0:
        return f"{n // 10_000}万"
    if style == 1:
        return str(n)
    return f"{n:,}"


def pct_text(r: Fraction) -> str:
    """A rate as a percent literal (exact decimals only)."""
    p = r * 100
    if p.denominator == 1:
        return f"{p.numerator}%"
    for digits in range(1, 5):
        if (p * 10 ** digits).denominator == 1:
            whole, frac = divmod(int(p * 10 ** digits), 10 ** digits)
            return f"{whole}.{str(frac).rjust(digits, '0')}%"
    raise ValueError(r)


# --- the generator ------------------------------------------------------------

# Per mode: weights of name categories (plain, builtin, generated, mangled,
# keyword, camel), and how often each known kind of clash is drawn. "mixed"
# draws everything; each other mode concentrates on one family of clashes and
# keeps the rest plain, so that its test reports that family first.
_QUIET = dict(mangle=0, own=0, shadow=0, lookalike=0, capture=0, keyword=0, field=0, premise=False,
              negative_arg=0, fraction_arg=0, rate_domain=0, conditional=0.25)
_LOUD = dict(mangle=0.15, own=0.12, shadow=0.18, lookalike=0.5, capture=0.5, keyword=0.02, field=0.04,
             premise=True, negative_arg=0.1, fraction_arg=0.03, rate_domain=0.2, conditional=0.35)
MODES = {
    "mixed": dict(_LOUD, names=(70, 10, 3, 8, 0, 6)),
    "enums": dict(_QUIET, names=(85, 0, 0, 15, 0, 0), mangle=1.0),
    "records": dict(_QUIET, names=(90, 0, 0, 10, 0, 0), capture=0.6, keyword=0.08, field=0.12),
    "names": dict(_LOUD, names=(30, 25, 15, 15, 3, 11), own=0.15, shadow=0.25, lookalike=0.6,
                  capture=0.3, keyword=0.06, field=0.12),
    "tables": dict(_QUIET, names=(95, 0, 0, 5, 0, 0), negative_arg=0.25, fraction_arg=0.1, rate_domain=0.4),
    "conditional": dict(_QUIET, names=(80, 5, 0, 10, 0, 5), conditional=1.0),
}
_CATEGORIES = ("plain", "builtin", "generated", "mangled", "keyword", "camel")


class Gen:
    def __init__(self, draw, mode: str = "mixed", avoid=frozenset()):
        self.draw = draw
        self.avoid = avoid
        self.cfg = dict(MODES[mode])
        for k in avoid:
            if k in self.cfg:
                self.cfg[k] = 0
        self.buf = draw(_CHOICES)
        self.pos = 0
        self.rng = random.Random(self.buf)
        self.mode = mode
        self.fy_start = 4
        self.used: set[str] = set()
        self.enums: dict[str, list[str]] = {}
        self.records: dict[str, list[tuple]] = {}
        self.inputs: dict[str, object] = {}
        self.rules: dict[str, Rule] = {}
        self.scope: dict[str, tuple] = {}  # name -> (type, "input" | "param" | "var")
        self.reads: set[str] = set()  # inputs the expression being built reads
        # category tables (表 … ごと): name -> (enum, key input or None when keyed by
        # its parameter, {column: (unit, amounts by value (None: なし))}, なし は 0)
        self.cats: dict[str, tuple] = {}
        self.hidden: dict[str, object] = {}  # conditional inputs: only their own rules read them

    # --- drawing helpers -------------------------------------------------------
    # Every choice comes from one block of bytes drawn at the start (a draw per
    # choice costs more than all the rest of the generation); past its end, a
    # generator seeded with it goes on. Bytes shrink toward zero, and a zero
    # choice is the first element: plain names, small numbers, no options.
    def r(self) -> int:
        if self.pos + 2 <= len(self.buf):
            self.pos += 2
            return int.from_bytes(self.buf[self.pos - 2:self.pos], "big")
        return self.rng.getrandbits(16)

    def pick(self, seq):
        seq = list(seq)
        return seq[self.r() % len(seq)]

    def chance(self, p: float) -> bool:
        return self.r() % 1000 >= 1000 - p * 1000

    def int_(self, lo: int, hi: int) -> int:
        return lo + self.r() % (hi - lo + 1)

    def shuffled(self, seq) -> list:
        rest, out = list(seq), []
        while rest:
            out.append(rest.pop(self.r() % len(rest)))
        return out

    def label(self) -> str:
        if self.chance(0.05):
            return f"「{self.pick(HOSTILE_LABELS)}」"
        return f"「{self.pick(LABELS)}{self.int_(1, 99) if self.chance(0.3) else ''}」"

    def name(self, taken=(), camel=True) -> str:
        """A fresh identifier (not in ``taken``) drawn from the hostile pool."""
        cats = [c for c, w in zip(_CATEGORIES, self.cfg["names"]) for _ in range(w)
                if c not in self.avoid] or ["plain"]
        for _ in range(4):
            cat = self.pick(cats) if self.chance(0.99) else "plain"
            pool = {"plain": PLAIN, "builtin": BUILTINS, "generated": GENERATED,
                    "mangled": MANGLED, "keyword": KEYWORDS,
                    "camel": [class_name(n) for n in list(self.enums) + list(self.records)] or PLAIN}[cat]
            if not camel and cat == "camel":
                pool = PLAIN
            n = self.pick(pool)
            if n not in taken:
                return n
        base = self.pick(PLAIN)
        k = 2
        while f"{base}{k}" in taken:
            k += 1
        return f"{base}{k}"

    def top_name(self, camel=True) -> str:
        n = self.name(self.used, camel)
        self.used.add(n)
        return n

    # --- the file --------------------------------------------------------------
    def regulation(self) -> str:
        out = [self.header()]
        n_enums = self.int_(0, 3) if self.mode != "enums" else self.int_(1, 3)
        if self.chance(self.cfg["mangle"]):
            out += self.mangle_pair()
        for _ in range(n_enums):
            out.append(self.enum())
        n_rec = self.int_(1, 2) if self.mode == "records" else (self.int_(0, 2) if self.chance(0.5) else 0)
        for _ in range(n_rec):
            out.append(self.record())
        n_in = self.int_(1, 6)
        for _ in range(n_in):
            out.append(self.input())
        out += self.needed_inputs()
        out += self.readers()
        for _ in range(self.int_(0, 2) if self.chance(0.4) else 0):
            out.append(self.cat_table())
        if self.chance(self.cfg["conditional"]):
            out += self.conditional()
        n_rules = self.int_(1, 7) if self.mode != "tables" else self.int_(2, 7)
        for _ in range(n_rules):
            out.append(self.rule())
        out += self.info_lookalikes()
        for _ in range(self.int_(0, 2)):
            rel = self.relation()
            if rel:
                out.append(rel)
        for _ in range(self.int_(0, 3)):
            ex = self.example()
            if ex:
                out.append(ex)
        return "\n".join(out) + "\n"

    def header(self) -> str:
        name = self.name()
        lines = [f"規程 {name} {self.label()}"]
        if self.chance(0.3):
            lines.append(f"    出典 {self.label()}")
        if self.chance(0.6):
            self.fy_start = self.int_(1, 12)
            lines.append(f"    年度 {self.fy_start}月始まり")
        if self.chance(0.2):
            lines.append("    施行 2024-04-01")
        return "\n".join(lines) + "\n"

    def enum_values(self, k: int, forced=()) -> list[str]:
        vals = list(forced)
        while len(vals) < k:
            v = self.name(set(vals) | ENUM_RESERVED, camel=False)
            vals.append(v)
        return vals

    def enum_text(self, name: str, values: list[str]) -> str:
        self.enums[name] = values
        labels: list[tuple[str, str]] = []
        for v in values:  # one text names one value: labels differ (else F115)
            text = self.label()
            while label_clashes(labels + [(v, text[1:-1].strip())]):
                text = f"「{text[1:-1]}{len(labels) + 1}」"
            labels.append((v, text[1:-1].strip()))
        body = "".join(f"    {v} 「{t}」\n" for v, t in labels)
        return f"区分 {name} {self.label()}\n{body}"

    def enum(self) -> str:
        name = self.top_name()
        return self.enum_text(name, self.enum_values(self.int_(1, 4)))

    def mangle_pair(self) -> list[str]:
        """Enum p with value q__r and enum p__q with value r: one mangled name, two values."""
        p, q, r = (self.pick(["a", "k", "kind", "size", "grade"]), self.pick(["b", "big", "x", "c"]),
                   self.pick(["c", "d", "small", "y"]))
        if p in self.used or f"{p}__{q}" in self.used:
            return []
        self.used |= {p, f"{p}__{q}"}
        first = self.enum_values(self.int_(2, 3), [f"{q}__{r}"])
        second = self.enum_values(self.int_(2, 3), [r])
        first = self.shuffled(first)
        second = self.shuffled(second)
        out = [self.enum_text(p, list(first)), self.enum_text(f"{p}__{q}", list(second))]
        # An input of each, so that rules match on them.
        for e in (p, f"{p}__{q}"):
            n = self.top_name(camel=False)
            self.inputs[n] = T("enum", e)
            out.append(f"入力 {n}: {e} {self.label()}\n")
        return out

    def field_type(self):
        kinds = ["count", "count", "yen", "bool"]
        if self.enums:
            kinds.append("enum")
        if self.records and self.chance(0.2):
            kinds += ["rec", "list"]
        if self.chance(0.1):
            kinds.append("date")
        return self.pick(kinds)

    def type_text(self, kind: str):
        """(type text, type, default text or None, minimum) for a field or an input."""
        if kind in ("count", "yen"):
            unit = "円" if kind == "yen" else self.pick(UNITS)
            default = f"{self.pick([0, 0, 1, 10])}{unit}" if self.chance(0.3) else None
            return unit, Q(unit), default
        if kind == "rate":
            return "割合", Q(RATE, False), ("0%" if self.chance(0.3) else None)
        if kind == "bool":
            return "真偽", BOOL, (self.pick(["はい", "いいえ"]) if self.chance(0.4) else None)
        if kind == "date":
            return "日付", DATE, ("2024-04-01" if self.chance(0.2) else None)
        if kind == "enum":
            e = self.pick(self.enums)
            return e, T("enum", e), (self.pick(self.enums[e]) if self.chance(0.3) else None)
        rec = self.pick(self.records)
        if kind == "rec":
            return rec, T("rec", rec), None
        return f"{rec} の一覧", T("list", rec), None

    def domain(self, t) -> tuple[str, Fraction]:
        """An optional 範囲 (text, minimum): a count's lower bound, or a rate's."""
        if isinstance(t, Q) and t.dim != RATE and self.chance(0.25):
            m = self.pick([1, 1, 2, 5])
            if self.chance(0.3):
                return f" 範囲 {m - 1}{t.dim}超", Fraction(m)
            return f" 範囲 {m}{t.dim}以上", Fraction(m)
        if isinstance(t, Q) and t.dim == RATE and self.chance(self.cfg["rate_domain"]):
            m = Fraction(self.pick([1, 10, 50]), 100)
            return f" 範囲 {pct_text(m)}以上", m
        return "", Fraction(0)

    def record(self) -> str:
        name = self.top_name()
        fields = []
        lines = []
        taken: set[str] = set()
        for _ in range(self.int_(1, 4)):
            if self.chance(self.cfg["field"]):
                fname = self.pick([f for f in FIELD_HOSTILE if f not in taken] or ["z"])
            else:
                fname = self.name(taken, camel=False)
            if fname in taken:
                continue
            taken.add(fname)
            text, t, default = self.type_text(self.field_type())
            dom, minimum = self.domain(t)
            if isinstance(t, Q):
                t = Q(t.dim, t.integral, minimum)
            d = f" = {default}" if default is not None else ""
            lines.append(f"    {fname}: {text}{d} {self.label()}{dom}\n")
            fields.append((fname, t))
        self.records[name] = fields
        return f"記録 {name} {self.label()}\n" + "".join(lines)

    def input(self, kind=None, name=None) -> str:
        if kind is None:
            kinds = ["count"] * 4 + ["yen"] * 2 + ["bool", "rate"] + ["rate"] * 3 * (self.mode == "tables")
            if self.enums:
                kinds += ["enum"] * 2
            if self.records:
                kinds += ["rec", "list", "list"] if self.mode == "records" else ["rec", "list"]
            if self.chance(0.3):
                kinds.append("date")
            kind = self.pick(kinds)
        if name is None:
            name = self.top_name()
        text, t, default = self.type_text(kind)
        dom, minimum = self.domain(t)
        if isinstance(t, Q):
            t = Q(t.dim, t.integral, minimum)
        self.inputs[name] = t
        d = f" = {default}" if default is not None else ""
        desc = f" 説明 {self.label()}" if self.chance(0.15) else ""
        return f"入力 {name}: {text}{d} {self.label()}{desc}{dom}\n"

    def needed_inputs(self) -> list[str]:
        """Make sure there is a count to compute with, and lists of the records."""
        out = []
        if not any(isinstance(t, Q) and t.dim != RATE for t in self.inputs.values()):
            out.append(self.input("count"))
        for rec in self.records:
            if self.mode == "records" or self.chance(0.5):
                if not any(t == T("list", rec) for t in self.inputs.values()):
                    out.append(self.input_of(T("list", rec)))
                if self.chance(0.5) and not any(t == T("rec", rec) for t in self.inputs.values()):
                    out.append(self.input_of(T("rec", rec)))
        return out

    def conditional(self) -> list[str]:
        """Inputs and a record field needed only when a condition holds (必要),
        read where the condition is proven (もし, 場合 arms, condition arms, a
        call from a guarded place) and, now and then, where it is not (F704,
        or an obligation the entry then requires always)."""
        out = []
        e = self.top_name()
        v1, v2, v3 = vals = self.enum_values(3)
        out.append(self.enum_text(e, vals))
        g, flag = self.top_name(), self.top_name()
        self.inputs[g], self.inputs[flag] = T("enum", e), BOOL
        out.append(f"入力 {g}: {e} {self.label()}\n")
        out.append(f"入力 {flag}: 真偽 = いいえ {self.label()}\n")
        cond, members = self.pick([
            (f"{g} が {v1}", {v1}), (f"{g} が {v1} または {v2}", {v1, v2}),
            (f"{g} が {v3} でない", {v1, v2}), (f"{g} が {v1} または {g} が {v2}", {v1, v2}),
            (flag, None), (f"{g} が {v1} かつ {flag}", None), (f"{flag} または {g} が {v2}", None)])
        reads = {g, flag} if members is None else {g}
        if cond == flag:
            reads = {flag}
        c = self.top_name()
        self.hidden[c] = Q("人")
        out.append(f"入力 {c}: 人 {self.label()} 必要 {cond}\n")
        un = self.top_name(camel=False)
        out.append(f"規則 {un} {self.label()} =\n    {c} × 100円/人 + 1円\n")
        # Not offered to other rules: most of them would read the condition's
        # inputs and call it unguarded (F704); its own guarded callers follow.
        body = self.pick([un, f"{c} × 3円/人"])
        r_if = self.top_name(camel=False)
        out.append(f"規則 {r_if} {self.label()} =\n    もし {cond} ならば {body} そうでなければ 2円\n")
        self.rules[r_if] = Rule(r_if, [], Q("円", True, Fraction(0)), {c} | reads)
        r_and, twice, pn = self.top_name(camel=False), self.top_name(camel=False), self.name(camel=False)
        out.append(f"規則 {twice}({pn}: 人) {self.label()} =\n    {pn} × 2円/人\n")
        test = self.pick([f"{un} が 50円以上", f"{c} が 3人以上", f"{twice}({c}) が 6円以上"])
        out.append(f"規則 {r_and} {self.label()} =\n    もし ({cond}) かつ {test} ならば 7円 そうでなければ 3円\n")
        self.rules[r_and] = Rule(r_and, [], Q("円", True, Fraction(3)), {c} | reads)
        r_arms = self.top_name(camel=False)
        out.append(f"規則 {r_arms} {self.label()} =\n    場合\n        ({cond}) でない → 0円\n"
                   f"        それ以外 → {self.pick([un, f'{c} × 1円/人'])}\n")
        self.rules[r_arms] = Rule(r_arms, [], Q("円", True, Fraction(0)), {c} | reads)
        if members is not None:
            arms = self.shuffled(sorted(members))[:self.int_(1, len(members))]
            r_match = self.top_name(camel=False)
            out.append(f"規則 {r_match} {self.label()} =\n    場合 {g}\n        {', '.join(arms)} → {self.pick([un, f'{c} × 5円/人'])}\n"
                       f"        それ以外 → 5円\n")
            self.rules[r_match] = Rule(r_match, [], Q("円", True, Fraction(0)), {c, g})
            if v1 in members and self.chance(0.5):
                # A condition that reads a conditional input where its own part proves it.
                c2 = self.top_name()
                self.hidden[c2] = Q("人")
                out.append(f"入力 {c2}: 人 {self.label()} 必要 {g} が {v1} かつ {c} が 3人以上\n")
                r2 = self.top_name(camel=False)
                out.append(f"規則 {r2} {self.label()} =\n    もし {g} が {v1} かつ {c} が 3人以上 ならば {c2} × 2円/人 "
                           f"そうでなければ 0円\n")
                self.rules[r2] = Rule(r2, [], Q("円", True, Fraction(0)), {c, c2, g})
        if self.chance(0.15):
            # Unproven: an error when the rule reads all the condition reads, else an obligation.
            bad = self.top_name(camel=False)
            out.append(f"規則 {bad} {self.label()} =\n    もし {g} が {self.pick(vals)} ならば {un} そうでなければ 0円\n")
        if self.chance(0.6):
            rec, k, cap = self.top_name(), self.name(camel=False), self.name(camel=False)
            if cap == k:
                cap = k + "2"
            ri, rl, rf, rs = (self.top_name(camel=False) for _ in range(4))
            fmembers = self.shuffled(vals)[:self.int_(1, 2)]
            fcond = " または ".join(f"{k} が {v}" for v in fmembers)
            out.append(f"記録 {rec} {self.label()}\n    {k}: {e} {self.label()}\n"
                       f"    {cap}: 人 {self.label()} 必要 {fcond}\n")
            out.append(f"入力 {ri}: {rec} {self.label()}\n入力 {rl}: {rec} の一覧 {self.label()}\n")
            arms = self.shuffled(fmembers)[:self.int_(1, len(fmembers))]
            if self.chance(0.15):
                arms = [self.pick(vals)]  # may be unproven: F704
            if self.chance(0.5):
                out.append(f"規則 {rf}(x: {rec}) {self.label()} =\n    場合 x.{k}\n        {', '.join(arms)} → x.{cap} × 3円/人\n"
                           f"        それ以外 → 1円\n")
            else:
                test = self.pick([f"x.{cap} が 2人以上", f"{twice}(x.{cap}) が 4円以上"])
                out.append(f"規則 {rf}(x: {rec}) {self.label()} =\n    もし ({' または '.join(f'x.{k} が {v}' for v in arms)}) "
                           f"かつ {test} ならば 3円 そうでなければ 1円\n")
            out.append(f"規則 {rs} {self.label()} =\n    合計(y ∈ {rl}: {rf}(y)) + {rf}({ri})\n")
        return out

    def input_of(self, t: T) -> str:
        name = self.top_name()
        self.inputs[name] = t
        text = t.name if t.kind == "rec" else f"{t.name} の一覧"
        return f"入力 {name}: {text} {self.label()}\n"

    def readers(self) -> list[str]:
        """Rules that read a field of a record input: a loop variable named like
        that input must not change what they read when they are used in the loop."""
        out = []
        for x, t in list(self.inputs.items()):
            if not (isinstance(t, T) and t.kind == "rec" and self.chance(self.cfg["capture"])):
                continue
            fields = [(f, ft) for f, ft in self.records[t.name] if isinstance(ft, Q) and ft.dim != RATE]
            if not fields:
                continue
            f, ft = self.pick(fields)
            name = self.top_name(camel=False)
            if ft.dim == "円":
                body, typ = f"{x}.{f} + 3円", Q("円", True, None)
            else:
                body, typ = f"{x}.{f} × 1,000円/{ft.dim} + 3円", Q("円", True, None)
            self.rules[name] = Rule(name, [], typ, {x})
            out.append(f"規則 {name} {self.label()} =\n    {body}\n")
        return out

    def info_lookalikes(self) -> list[str]:
        """Inputs named like a rule's parameter mangled (f__cap next to f(cap))."""
        out = []
        for r in list(self.rules.values()):
            for pn, pt, _ in r.params:
                n = f"{r.name}__{pn}"
                if isinstance(pt, Q) and n not in self.used and self.chance(self.cfg["lookalike"]):
                    self.used.add(n)
                    out.append(self.input("count", name=n))
        return out

    # --- scope -----------------------------------------------------------------
    def with_scope(self, extra: dict):
        """A context manager that shows ``extra`` names (params, loop variables)."""
        gen = self

        class _S:
            def __enter__(self):
                self.saved = dict(gen.scope)
                gen.scope.update(extra)

            def __exit__(self, *exc):
                gen.scope = self.saved

        return _S()

    def visible(self):
        """(name, type, kind) of every value an expression may name here."""
        out = {n: (t, "input") for n, t in self.inputs.items()}
        out.update(self.scope)
        return [(n, t, k) for n, (t, k) in out.items()]

    def use(self, name: str, kind: str) -> None:
        if kind == "input":
            self.reads.add(name)

    def refs_of(self, pred):
        return [(n, t, k) for n, t, k in self.visible() if pred(t)]

    def fields_of(self, pred):
        """``r.f`` for every visible record r with a field of the wanted type."""
        out = []
        for n, t, k in self.visible():
            if isinstance(t, T) and t.kind == "rec":
                for f, ft in self.records[t.name]:
                    if pred(ft):
                        out.append((n, k, f, ft))
        return out

    def rules_of(self, pred, params: bool):
        shadow = {n for n, (_, k) in self.scope.items()}
        return [r for r in self.rules.values()
                if pred(r.type) and bool(r.params) == params and (params or r.name not in shadow)]

    # --- expressions -----------------------------------------------------------
    def val(self, t, d: int) -> X:
        if isinstance(t, Q):
            return self.q(t.dim, d, integral=t.integral or None)
        if t == BOOL:
            return self.b(d)
        raise ValueError(t)

    def lit(self, dim: str, nonzero=False) -> X:
        if dim == RATE:
            r = Fraction(self.pick([1, 5, 10, 20, 25, 50, 75, 100, 125, 150, 205, 2099]),
                         self.pick([100, 100, 1000, 10000]))
            return X(pct_text(r), Q(RATE, r.denominator == 1, r))
        n = self.pick([1, 2, 3, 5, 10, 14, 100, 500, 1_000, 1_500, 3_000, 10_000, 20_000, 250_000])
        if not nonzero and self.chance(0.1):
            n = 0
        return X(f"{yen_text(n, self.int_(0, 2))}{dim}", Q(dim, True, Fraction(n)))

    def q(self, dim: str, d: int, integral=None, nonneg=False, nonzero=False) -> X:
        """A quantity of unit ``dim``; whole when ``integral`` (rounded if need be)."""
        x = self.lit(dim, nonzero=True) if nonzero and self.chance(0.5) else self._q(dim, d, nonneg, nonzero)
        if integral and not x.type.integral:
            return self.round(x, dim)
        return x

    def round(self, x: X, dim: str) -> X:
        mode = self.pick(["四捨五入", "切り捨て", "切り上げ", "切捨て", "切捨", "切上げ", "切上"])  # every spelling
        if dim == RATE:
            unit = "1"
        else:
            unit = f"{yen_text(self.pick([1, 1, 10, 100, 1_000]), self.int_(0, 1))}{dim}"
        lo = Fraction(0) if x.type.lo is not None and x.type.lo >= 0 else None
        return X(f"{mode}({x.text}, {unit})", Q(dim, True, lo))

    def _q(self, dim: str, d: int, nonneg: bool, nonzero: bool = False) -> X:
        opts = ["lit"]
        refs = self.refs_of(lambda t: isinstance(t, Q) and t.dim == dim)
        fields = self.fields_of(lambda t: isinstance(t, Q) and t.dim == dim)
        plain_rules = self.rules_of(lambda t: isinstance(t, Q) and t.dim == dim, params=False)
        calls = [r for r in self.rules_of(lambda t: isinstance(t, Q) and t.dim == dim, params=True)
                 if self.can_call(r)]
        lists = self.refs_of(lambda t: isinstance(t, T) and t.kind == "list")
        opts += ["ref"] * 4 * bool(refs) + ["field"] * 2 * bool(fields) + ["rule"] * 3 * bool(plain_rules) \
            + ["call"] * 8 * bool(calls and d > 0)
        if d > 0:
            opts += ["add"] * 3 + ["minmax", "cond", "round"]
            if not nonneg:
                opts += ["sub"]
            if dim == "円":
                opts += ["per"] * 3 + ["scale", "rate_of", "part"]
                if self.refs_of(lambda t: t == DATE):
                    opts.append("months")
                if self.rules_of(lambda t: isinstance(t, Q) and t.dim.startswith("円/"), params=False):
                    opts.append("table_per")
            elif dim == RATE:
                opts += ["ratio"] * 3
            else:
                opts += ["scale", "part"]
            if self.cat_reads(dim):
                opts += ["cat"] * 3
            if lists:
                opts += ["sum"] * (3 if self.mode == "records" else 1)
            if dim == "件" and lists:
                opts += ["count"] * 2
            if dim == "か月" and self.refs_of(lambda t: t == DATE):
                opts += ["fy"] * 2
        how = self.pick(opts)
        if how == "lit":
            return self.lit(dim, nonzero=nonzero)
        if how in ("ref", "field", "rule"):
            return self.named(how, {"ref": refs, "field": fields, "rule": plain_rules}[how])
        if how == "call":
            return self.call(self.pick(calls), d)
        if how in ("add", "sub"):
            a, b = self.q(dim, d - 1, nonneg=nonneg), self.q(dim, d - 1, nonneg=nonneg)
            op = "+" if how == "add" else self.pick(["-", "−"])
            lo = _add_lo(a.type.lo, b.type.lo) if how == "add" else None
            return X(f"{a.par()} {op} {b.par()}",
                     Q(dim, a.type.integral and b.type.integral, lo), atom=False)
        if how == "minmax":
            f = self.pick(["最小", "最大", "上限", "下限"])
            k = 2 if f in ("上限", "下限") else self.int_(2, 3)
            args = [self.q(dim, d - 1, nonneg=nonneg) for _ in range(k)]
            los = [a.type.lo for a in args]
            if f in ("最小", "上限"):
                lo = _min_lo(los)
            else:
                known = [x for x in los if x is not None]
                lo = max(known) if known else None
            return X(f"{f}({', '.join(a.text for a in args)})",
                     Q(dim, all(a.type.integral for a in args), lo))
        if how == "cond":
            c = self.b(d - 1)
            a, b = self.q(dim, d - 1, nonneg=nonneg), self.q(dim, d - 1, nonneg=nonneg)
            return X(f"もし {c.text} ならば {a.par()} そうでなければ {b.text}",
                     Q(dim, a.type.integral and b.type.integral, _min_lo([a.type.lo, b.type.lo])),
                     atom=False)
        if how == "round":
            return self.round(self.q(dim, d - 1, nonneg=nonneg), dim)
        if how == "per":
            unit = self.pick(UNITS)
            c = self.q(unit, d - 1, nonneg=nonneg)
            price = self.pick([1, 10, 14, 100, 500, 1_000, 3_000])
            return X(f"{c.par()} × {yen_text(price)}円/{unit}",
                     Q("円", c.type.integral, _mul_lo(c.type.lo, Fraction(price))), atom=False)
        if how == "table_per":
            r = self.pick(self.rules_of(lambda t: isinstance(t, Q) and t.dim.startswith("円/"), params=False))
            self.reads |= r.inputs
            unit = r.type.dim.split("/")[1]
            c = self.q(unit, d - 1, nonneg=nonneg)
            return X(f"{r.name} × {c.par()}", Q("円", c.type.integral and r.type.integral,
                                                 _mul_lo(r.type.lo, c.type.lo)), atom=False)
        if how == "scale":
            a = self.q(dim, d - 1, nonneg=nonneg)
            k = self.pick([1, 2, 3, 12])
            return X(f"{a.par()} × {k}", Q(dim, a.type.integral, _mul_lo(a.type.lo, Fraction(k))), atom=False)
        if how == "part":
            a = self.q(dim, d - 1, nonneg=nonneg)
            k = self.pick([2, 3, 4, 10, 12])
            lo = Fraction(0) if a.type.lo is not None and a.type.lo >= 0 else None
            return X(f"{a.par()} ÷ {k}", Q(dim, False, lo), atom=False)
        if how == "rate_of":
            a = self.q(dim, d - 1, nonneg=nonneg)
            r = self.q(RATE, d - 1, nonneg=True)
            return X(f"{a.par()} × {r.par()}", Q(dim, False, _mul_lo(a.type.lo, r.type.lo)), atom=False)
        if how == "ratio":
            return self.ratio(d, nonneg)
        if how == "months":
            a = self.q("円", d - 1, nonneg=nonneg)
            dt = self.date_expr()
            lo = Fraction(0) if a.type.lo is not None and a.type.lo >= 0 else None
            f = self.pick(["翌月から年度末までの月数", "当月から年度末までの月数"])
            return X(f"{a.par()} × {f}({dt}) ÷ {self.pick(['12か月', '12ヶ月', '12カ月'])}", Q("円", False, lo), atom=False)
        if how == "fy":
            f = self.pick(["翌月から年度末までの月数", "当月から年度末までの月数"])
            return X(f"{f}({self.date_expr()})", Q("か月", True, Fraction(1 if f.startswith("当月") else 0)))
        if how in ("sum", "count"):
            return self.aggregate(how, dim, d)
        if how == "cat":
            return self.cat_read(dim, d)
        raise AssertionError(how)

    def named(self, how: str, choices) -> X:
        """A value by name: an input or parameter, a record's field, or a rule."""
        if how == "ref":
            n, t, k = self.pick(choices)
            self.use(n, k)
            return X(n, t)
        if how == "field":
            n, k, f, ft = self.pick(choices)
            self.use(n, k)
            return X(f"{n}.{f}", ft)
        r = self.pick(choices)
        self.reads |= r.inputs
        return X(r.name, r.type)

    def ratio(self, d: int, nonneg: bool = False) -> X:
        """A rate: one count divided by another of the same unit."""
        unit = self.pick(UNITS)
        a, b = self.q(unit, d - 1, nonneg=nonneg), self.q(unit, d - 1, nonneg=nonneg, nonzero=True)
        lo = Fraction(0) if a.type.lo is not None and a.type.lo >= 0 and b.type.lo is not None and b.type.lo >= 0 else None
        return X(f"{a.par()} ÷ {b.par()}", Q(RATE, False, lo), atom=False)

    def date_expr(self) -> str:
        refs = self.refs_of(lambda t: t == DATE)
        if refs and self.chance(0.8):
            n, _, k = self.pick(refs)
            self.use(n, k)
            return n
        # 西暦 and 和暦, as regulations write dates (feedsl.values.read_date)
        return self.pick(["2024-04-01", "令和6年9月30日", "R7.1.15", "2024/12/31"])

    def loop_var(self, rec: str) -> str:
        """A loop variable: often named like an input (ideally a record of the same
        type, the captured-variable bug), sometimes a keyword or a builtin."""
        same = [n for n, t in self.inputs.items() if t == T("rec", rec)]
        others = list(self.inputs)
        if self.chance(self.cfg["capture"]) and (same or others):
            return self.pick(same) if same and self.chance(0.7) else self.pick(others)
        if self.chance(self.cfg["keyword"]):
            return self.pick(KEYWORDS + BUILTINS)
        return self.name(set(self.inputs), camel=True)

    def aggregate(self, how: str, dim: str, d: int) -> X:
        lists = self.refs_of(lambda t: isinstance(t, T) and t.kind == "list")
        n, t, k = self.pick(lists)
        self.use(n, k)
        src = n
        var = self.loop_var(t.name)
        with self.with_scope({var: (T("rec", t.name), "var")}):
            if how == "count":
                body = self.b(d - 1)
            else:
                body = self.q(dim, d - 1)
                # A rule that reads an input named like the loop variable.
                readers = [r for r in self.rules_of(lambda rt: isinstance(rt, Q) and rt.dim == dim, params=False)
                           if var in r.inputs]
                if readers and self.chance(0.8):
                    r = self.pick(readers)
                    self.reads |= r.inputs
                    body = X(f"{body.text} + {r.name}", Q(dim, body.type.integral and r.type.integral,
                                                           _add_lo(body.type.lo, r.type.lo)), atom=False)
        if how == "count":
            return X(f"件数({var} ∈ {src}: {body.text})", Q("件", True, Fraction(0)))
        lo = Fraction(0) if body.type.lo is not None and body.type.lo >= 0 else None
        return X(f"合計({var} ∈ {src}: {body.text})", Q(dim, body.type.integral, lo))

    def can_call(self, r: Rule) -> bool:
        for _, pt, _ in r.params:
            if isinstance(pt, T) and pt.kind in ("enum", "rec", "list") and not self.refs_of(lambda t, pt=pt: t == pt):
                return False
        return True

    def call(self, r: Rule, d: int) -> X:
        args = []
        for _, pt, minimum in r.params:
            if isinstance(pt, Q):
                if self.chance(self.cfg["fraction_arg"]):
                    a = self.q(pt.dim, d - 1)  # may be fractional: the parameter says whole
                elif self.chance(self.cfg["negative_arg"]):
                    x, y = self.q(pt.dim, d - 1, integral=pt.integral or None), self.q(pt.dim, d - 1, integral=pt.integral or None)
                    a = X(f"{x.par()} - {y.par()}", Q(pt.dim, pt.integral, None), atom=False)  # may be negative
                else:
                    a = self.q(pt.dim, d - 1, integral=pt.integral or None, nonneg=True)
                if minimum and self.chance(0.8):
                    low = pct_text(minimum) if pt.dim == RATE else f"{minimum}{pt.dim}"
                    a = X(f"最大({a.text}, {low})", a.type)
                args.append(a.text)
            elif pt == BOOL:
                args.append(self.b(d - 1).text)
            elif pt == DATE:
                args.append(self.date_expr())
            else:
                n, _, k = self.pick(self.refs_of(lambda t, pt=pt: t == pt))
                self.use(n, k)
                args.append(n)
        self.reads |= r.inputs
        return X(f"{r.name}({', '.join(args)})", r.type)

    def b(self, d: int) -> X:
        opts = ["cmp"] * 3
        enums = self.refs_of(lambda t: isinstance(t, T) and t.kind == "enum") + \
            [(f"{n}.{f}", ft, k) for n, k, f, ft in self.fields_of(lambda t: isinstance(t, T) and t.kind == "enum")]
        bools = self.refs_of(lambda t: t == BOOL)
        bfields = self.fields_of(lambda t: t == BOOL)
        brules = self.rules_of(lambda t: t == BOOL, params=False)
        dates = self.refs_of(lambda t: t == DATE)
        opts += ["enum"] * 3 * bool(enums) + ["bool"] * 2 * bool(bools) + ["bfield"] * bool(bfields) \
            + ["brule"] * bool(brules) + ["half", "date"] * bool(dates)
        if d > 0:
            opts += ["and", "or", "not"]
        how = self.pick(opts)
        if how == "cmp":
            dims = {t.dim for _, t, _ in self.refs_of(lambda t: isinstance(t, Q))} or {"円"}
            dim = self.pick(sorted(dims))
            a, b = self.q(dim, max(d - 1, 0)), self.q(dim, max(d - 1, 0))
            if self.chance(0.5):
                op = self.pick(["≤", "≥", "<", ">", "==", "≠", "<=", ">=", "!="])
                return X(f"{a.par()} {op} {b.par()}", BOOL, atom=False)
            bound = self.pick(["以上", "以下", "未満", "超", ""])
            return X(f"{a.par()} が {b.par()}{(' ' + bound) if bound else ''}", BOOL, atom=False)
        if how == "enum":
            n, t, k = self.pick(enums)
            self.use(n.split(".")[0], k)
            v = self.pick(self.enums[t.name])
            return X(f"{n} が {v}", BOOL, atom=False)
        if how in ("bool", "bfield", "brule"):
            return self.named({"bool": "ref", "bfield": "field", "brule": "rule"}[how],
                              {"bool": bools, "bfield": bfields, "brule": brules}[how])
        if how == "half":
            return X(f"{self.pick(['上半期', '下半期'])}({self.date_expr()})", BOOL)
        if how == "date":
            return X(f"{self.date_expr()} {self.pick(['≤', '≥', '<', '>'])} {self.pick(['2024-09-30', '2025-03-31'])}",
                     BOOL, atom=False)
        if how == "not":
            return X(f"{self.b(d - 1).par()} でない", BOOL, atom=False)
        a, b = self.b(d - 1), self.b(d - 1)
        return X(f"{a.par()} {'かつ' if how == 'and' else 'または'} {b.par()}", BOOL, atom=False)

    # --- rules -----------------------------------------------------------------
    def params(self, rule_name: str) -> list:
        out = []
        if not self.chance(0.35):
            return out
        taken: set[str] = set()
        for _ in range(self.int_(1, 2)):
            if self.chance(self.cfg["own"]) and rule_name not in taken:
                pn = rule_name  # named like its own rule
            elif self.chance(self.cfg["shadow"]) and self.inputs:
                pn = self.pick(self.inputs)  # named like an input
            else:
                pn = self.name(taken | ({rule_name} if not self.cfg["own"] else set())
                               | (set(self.inputs) if not self.cfg["shadow"] else set()))
            if pn in taken:
                continue
            taken.add(pn)
            kinds = ["count", "count", "yen", "bool"] + ["rate"] * (self.cfg["rate_domain"] > 0)
            if self.enums:
                kinds.append("enum")
            if self.records:
                kinds += ["rec", "list"]
            text, t, _ = self.type_text(self.pick(kinds))
            dom, minimum = self.domain(t)
            if isinstance(t, Q):
                t = Q(t.dim, t.integral, minimum)
            lab = f" {self.label()}" if self.chance(0.7) else ""
            out.append((pn, t, minimum, f"{pn}: {text}{lab}{dom}"))
        return out

    def rule(self) -> str:
        name = self.top_name()
        ps = self.params(name)
        self.reads = set()
        scope = {pn: (t, "param") for pn, t, _, _ in ps}
        head = f"({', '.join(p[3] for p in ps)})" if ps else ""
        clause = f" [第{self.int_(1, 20)}条]" if self.chance(0.5) else ""
        with self.with_scope(scope):
            if self.chance(0.35 if self.mode == "tables" else 0.12):
                text, typ = self.table(name, head, clause)
                if text:
                    self.rules[name] = Rule(name, [(p[0], p[1], p[2]) for p in ps], typ, set(self.reads), True)
                    return text
                self.reads = set()
            kind = self.pick(["円"] * 8 + ["count", "rate", "bool"])
            if kind == "円":
                t = Q("円")
            elif kind == "count":
                t = Q(self.pick(UNITS), self.chance(0.7))
            elif kind == "rate":
                t = Q(RATE, False)
            else:
                t = BOOL
            depth = self.int_(1, 3)
            if self.chance(0.4):
                lines = self.block(t, depth, "    ")
                body = "\n" + "\n".join(lines)
            else:
                body = "\n    " + self.val(t, depth).text
            result = t if not isinstance(t, Q) else Q(t.dim, t.integral or t.dim == "円", None)
        notes = "\n    注 「メモ」" if self.chance(0.1) else ""
        self.rules[name] = Rule(name, [(p[0], p[1], p[2]) for p in ps], result, set(self.reads))
        return f"規則 {name}{head} {self.label()}{clause} ={body}{notes}\n"

    def block(self, t, d: int, ind: str) -> list[str]:
        kinds = ["expr"]
        if d > 0:
            kinds += ["if", "branches"]
            if self.refs_of(lambda x: isinstance(x, T) and x.kind == "enum"):
                kinds += ["match"] * 2
        how = self.pick(kinds)
        if how == "expr":
            return [ind + self.val(t, d).text]
        if how == "if":
            c = self.b(d - 1)
            a = self.val(t, d - 1)
            rest = self.block(t, d - 1, ind)
            return [f"{ind}もし {c.text}", f"{ind}ならば {a.text}", f"{ind}そうでなければ {rest[0].lstrip()}"] + rest[1:]
        arm_ind = ind + "    "
        if how == "branches":
            lines = [f"{ind}場合"]
            for _ in range(self.int_(1, 3)):
                conds = ", ".join(self.b(d - 1).text for _ in range(self.int_(1, 2)))
                lines += self.arm(conds, t, d - 1, arm_ind)
            return lines + self.arm("それ以外", t, d - 1, arm_ind)
        subj_n, subj_t, k = self.pick(self.refs_of(lambda x: isinstance(x, T) and x.kind == "enum"))
        self.use(subj_n, k)
        values = self.shuffled(self.enums[subj_t.name])
        lines = [f"{ind}場合 {subj_n}"]
        cut = self.int_(1, len(values))
        groups, rest = values[:cut], values[cut:]
        i = 0
        while i < len(groups):
            j = i + self.int_(1, 2)
            lines += self.arm(", ".join(groups[i:j]), t, d - 1, arm_ind)
            i = j
        if rest or self.chance(0.2):
            lines += self.arm("それ以外", t, d - 1, arm_ind)
        return lines

    def arm(self, head: str, t, d: int, ind: str) -> list[str]:
        if d > 0 and self.chance(0.3):
            return [f"{ind}{head} →"] + self.block(t, d, ind + "    ")
        return [f"{ind}{head} → {self.val(t, d).text}"]

    # --- tables ----------------------------------------------------------------
    def table(self, name: str, head: str, clause: str):
        keys = self.refs_of(lambda t: isinstance(t, Q) and t.dim in UNITS + [RATE] and t.lo is not None)
        rate_rules = self.rules_of(lambda t: isinstance(t, Q) and t.dim == RATE, params=False)
        dates = self.refs_of(lambda t: t == DATE)
        opts = ["ref"] * 3 * bool(keys) + ["ratio"] * 2 + ["rule"] * bool(rate_rules) + ["month"] * 2 * bool(dates)
        how = self.pick(opts)
        if how == "month":
            return self.month_table(name, head, clause, dates)
        if how == "ref":
            key, kt, k = self.pick(keys)
            self.use(key, k)
            lo = kt.lo
        elif how == "rule":
            r = self.pick(rate_rules)
            self.reads |= r.inputs
            key, kt, lo = r.name, r.type, None
        else:
            x = self.ratio(1)
            key, kt, lo = x.par(), x.type, x.type.lo
        rate = kt.dim == RATE
        enums = self.refs_of(lambda t: isinstance(t, T) and t.kind == "enum")
        columns = ""
        ncols = 1
        if enums and self.chance(0.3):
            cn, ct, ck = self.pick(enums)
            self.use(cn, ck)
            cols = self.shuffled(self.enums[ct.name])
            columns = f"、{cn} 別 ({' '.join(cols)})"
            ncols = len(cols)
        per = "" if self.chance(0.8) else f"/{self.pick(UNITS)}"
        unit = "" if rate or self.chance(0.3) else kt.dim
        rows = self.rows(rate, lo, self.int_(1, 6), ncols, "円" + per, unit)
        text = f"表 {name}{head} {self.label()}{clause} {key} による{columns}\n" + "".join(f"    {r}\n" for r in rows)
        if self.chance(0.1):
            text += "    非単調 「順不同」\n"
        return text, Q("円" + per, True, Fraction(0))

    def month_table(self, name: str, head: str, clause: str, dates):
        """A table keyed by the month of a date: the fiscal year's 12 months cut
        into consecutive rows written as calendar months (1月～3月 may come
        last in an April year), the last row sometimes それ以外."""
        key, _, k = self.pick(dates)
        self.use(key, k)
        cuts = sorted(self.rng.sample(range(1, 12), self.int_(0, 5)))
        bounds = list(zip([0] + cuts, cuts + [12]))  # fiscal places [a, b), 0-based
        month = lambda place: (self.fy_start + place - 1) % 12 + 1  # noqa: E731
        out = [f"{month(a)}月" if b - a == 1 else f"{month(a)}{self.pick(['', '月'])}～{month(b - 1)}月"
               for a, b in bounds]
        if len(out) > 1 and self.chance(0.3):
            out[-1] = "それ以外"
        amounts = self.amounts(len(out), 1, "円")
        rows = [f"{r}    {'  '.join(a)}" for r, a in zip(out, amounts)]
        text = f"表 {name}{head} {self.label()}{clause} {key} の月 による\n" + "".join(f"    {r}\n" for r in rows)
        return text, Q("円", True, Fraction(0))

    def rows(self, rate: bool, lo, k: int, ncols: int, unit: str, key_unit: str = "", style=None) -> list[str]:
        """Rows that cover the key's domain exactly (or end in それ以外): bounds
        strictly above ``lo`` (the key's lower bound; None: rows open below)."""
        if rate:
            base = Fraction(lo) if lo is not None else None
            steps = [Fraction(self.pick([1, 5, 10, 20, 25, 205, 50]), self.pick([100, 100, 1000]))
                     for _ in range(k)]
        else:
            base = Fraction(int(lo)) if lo is not None else None
            steps = [Fraction(self.pick([1, 1, 2, 9, 10, 50, 100, 10_000])) for _ in range(k)]
        bounds = []
        acc = base if base is not None else Fraction(0)
        for s in steps:
            acc += s
            bounds.append(acc)

        def q(v: Fraction, man: bool = True) -> str:
            if rate:
                return pct_text(v)
            return f"{yen_text(int(v), self.pick([0, 1, 2] if man else [0, 1]))}{key_unit}"

        style = style or self.pick(["le", "lt", "range", "range_lt", "step", "else"])
        if base is None and style in ("range", "range_lt", "step"):
            style = "le"
        if rate and style in ("range", "step"):
            style = "range_lt"
        out = []
        if style in ("le", "lt"):
            word = "以下" if style == "le" else "未満"
            out += [f"{q(b)}{word}" for b in bounds]
            out.append("それ以上")
        elif style == "range":
            prev = base
            for b in bounds:
                # never 万 on the upper bound: 「2～3万人」 multiplies the lower one too
                out.append(f"{yen_text(int(prev))}～{q(b, man=False)}" + ("以下" if self.chance(0.5) else ""))
                prev = b + 1
            out.append(f"{q(prev)}以上")
        elif style == "range_lt":
            prev = base
            for b in bounds:
                out.append(f"{q(prev)}以上～{q(b)}未満")
                prev = b
            out.append(f"{q(prev)}以上")
        elif style == "step":
            out.append(f"{q(base)}～{q(bounds[0] - 1, man=False)}" if bounds[0] - 1 > base else q(base))
            out += [q(b) for b in bounds]
            if self.chance(0.5):
                out[-1] += "以上"
        else:  # disjoint rows with gaps, and それ以外
            out.append(f"{q(bounds[0])}未満")
            for a, b in zip(bounds[1::2], bounds[2::2]):
                out.append(f"{q(a)}以上～{q(b)}未満")
            if self.chance(0.5):
                out.append(f"{q(bounds[-1])}超")
            out.insert(self.int_(0, len(out)), "それ以外")
        amounts = self.amounts(len(out), ncols, unit)
        return [f"{r}    {'  '.join(a)}" for r, a in zip(out, amounts)]

    def amounts(self, n: int, ncols: int, unit: str) -> list[list[str]]:
        rows = []
        v = [self.pick([0, 100, 1_000, 3_000]) for _ in range(ncols)]
        for _ in range(n):
            v = [x + self.pick([0, 100, 500, 1_000, 10_000]) for x in v]
            rows.append([f"{yen_text(x)}{unit}" for x in v])
        return rows

    # --- category tables (表 … ごと) ---------------------------------------------
    def cat_table(self) -> str:
        """A category table keyed by an enum input (or by its own parameter):
        rows by value name in any order, one to three columns in 円 or 円/unit,
        なし or — cells meaning 0 or 該当なし."""
        enums = [(n, t) for n, t in self.inputs.items() if isinstance(t, T) and t.kind == "enum"]
        if not enums:
            return ""
        key, kt = self.pick(enums)
        values = self.enums[kt.name]
        name = self.top_name(camel=False)
        param = self.name(camel=False) if self.chance(0.4) else None
        zero = self.chance(0.4)
        cols: dict[str, tuple] = {}
        for _ in range(self.int_(1, 3)):
            cn = self.name(set(cols) | {"_"}, camel=False)
            unit = "円" if self.chance(0.7) else f"円/{self.pick(UNITS)}"
            cells = {v: (None if self.chance(0.3) else self.pick([0, 100, 1_000, 9_300, 20_000])) for v in values}
            if all(c is None for c in cells.values()):
                cells[values[0]] = 500
            cols[cn] = (unit, cells)
        self.cats[name] = (kt.name, None if param else key, cols, zero)
        head = f"表 {name}({param}: {kt.name}) {self.label()} {param} ごと" if param else f"表 {name} {self.label()} {key} ごと"
        lines = [head, "    区分 " + "  ".join(f"{cn} {self.label()}" + (f" {u}" if self.chance(0.2) else "")
                                            for cn, (u, _) in cols.items())]
        for v in self.shuffled(values):
            cells = [(f"{yen_text(c[1][v])}{c[0]}" if c[1][v] is not None else self.pick(["なし", "—"]))
                     for c in cols.values()]
            lines.append(f"    {v}  " + "  ".join(cells))
        if zero:
            lines.append("    なし は 0")
        elif self.chance(0.5):
            lines.append("    なし は 該当なし")
        return "\n".join(lines) + "\n"

    def cat_reads(self, dim: str) -> list:
        """(table, column) whose column is in ``dim`` (円) or in 円/unit (for × unit)."""
        out = []
        for name, (enum, key, cols, _) in self.cats.items():
            if key is None and not self.refs_of(lambda t, e=enum: t == T("enum", e)):
                continue
            for cn, (unit, _) in cols.items():
                if unit == dim or (dim == "円" and unit.startswith("円/")):
                    out.append((name, cn))
        return out

    def cat_read(self, dim: str, d: int) -> X:
        """``t.col`` or ``t(k).col``, with ``がなければ`` wherever a なし does not apply."""
        name, cn = self.pick(self.cat_reads(dim))
        enum, key, cols, zero = self.cats[name]
        unit, cells = cols[cn]
        if key is None:
            n, _, k = self.pick(self.refs_of(lambda t: t == T("enum", enum)))
            self.use(n, k)
            text = f"{name}({n}).{cn}"
        else:
            self.reads.add(key)
            text = f"{name}.{cn}"
        amounts = [Fraction(c) for c in cells.values() if c is not None]
        if any(c is None for c in cells.values()):
            if zero:
                amounts.append(Fraction(0))
            else:
                fb = self.pick([0, 1, 300, 5_000])
                text += f" がなければ {yen_text(fb)}{unit}"
                amounts.append(Fraction(fb))
        x = X(text, Q(unit, True, min(amounts)), atom=False)
        if unit == dim:
            return x
        c = self.q(unit.split("/")[1], d - 1, nonneg=True)
        return X(f"{x.par()} × {c.par()}", Q("円", c.type.integral, _mul_lo(x.type.lo, c.type.lo)), atom=False)

    # --- relations and examples ------------------------------------------------
    def relation(self):
        counts = [(n, t) for n, t in self.inputs.items() if isinstance(t, Q) and t.dim != RATE]
        enums = [(n, t) for n, t in self.inputs.items() if isinstance(t, T) and t.kind == "enum"]
        dates = [n for n, t in self.inputs.items() if t == DATE]
        rates = [n for n, t in self.inputs.items() if isinstance(t, Q) and t.dim == RATE]
        opts = []
        pairs = [(a, b) for a, ta in counts for b, tb in counts if a != b and ta.dim == tb.dim]
        opts += ["pair"] * 3 * bool(pairs) + ["enum"] * 2 * bool(enums and counts) + ["date"] * bool(dates) \
            + ["rate"] * bool(rates)
        if not self.cfg["premise"]:
            opts = [o for o in opts if o == "pair"]
        # A 前提 may name a rule: it holds for the inputs the rule reads.
        rules = [r for r in self.rules.values() if not r.params and isinstance(r.type, Q) and r.type.dim == "円"]
        if rules and self.cfg["premise"]:
            opts += ["rule"]
        if not opts:
            return None
        how = self.pick(opts)
        if how == "rule":
            r = self.pick(rules)
            yens = [n for n, t in self.inputs.items() if isinstance(t, Q) and t.dim == "円"]
            other = self.pick(yens) if yens and self.chance(0.5) else f"{self.pick([100, 10_000, 1_000_000]):,}円"
            text = f"{r.name} ≤ {other}" if self.chance(0.5) else f"{other} ≤ {r.name}"
        elif how == "pair":
            a, b = self.pick(pairs)
            text = f"{a} ≤ {b}"
        elif how == "enum":
            (e, et), (c, ct) = self.pick(enums), self.pick(counts)
            text = f"{e} が {self.pick(self.enums[et.name])} または {c} ≤ {self.pick([10, 100, 1_000])}{ct.dim}"
        elif how == "date":
            text = f"{self.pick(dates)} ≤ 2025-03-31"
        else:
            text = f"{self.pick(rates)} ≤ 1"
        return f"前提 {text} {self.label()}\n"

    def literal(self, t, depth: int = 0) -> str:
        """A 例 value of type ``t`` (well typed, not always valid)."""
        if isinstance(t, Q):
            if t.dim == RATE:
                return pct_text(Fraction(self.pick([0, 1, 20, 50, 100, 150]), 100))
            n = self.pick([0, 1, 2, 3, 10, 100, 1_000, -1])
            return f"{'-' if n < 0 else ''}{yen_text(abs(n))}{t.dim}"
        if t == BOOL:
            return self.pick(["はい", "いいえ"])
        if t == DATE:
            return self.pick(["2024-04-01", "2024-10-15", "2025-03-31"])
        if t.kind == "enum":
            return self.pick(self.enums[t.name])
        if t.kind == "rec":
            fields = self.records[t.name]
            parts = [f"{f}={self.literal(ft, depth + 1)}" for f, ft in fields
                     if depth < 2 and self.chance(0.9)]
            return "{" + ", ".join(parts) + "}"
        items = [self.literal(T("rec", t.name), depth + 1) for _ in range(self.int_(0, 2))] if depth < 2 else []
        return "[" + ", ".join(items) + "]"

    def example(self):
        if not self.rules:
            return None
        r = self.rules[self.pick(self.rules)]
        kw = [(pn, self.literal(pt)) for pn, pt, _ in r.params]
        for n in sorted(r.inputs):
            if n not in {k for k, _ in kw} and self.chance(0.8):
                kw.append((n, self.literal(self.inputs.get(n) or self.hidden[n])))
        if isinstance(r.type, Q) and self.chance(0.8):
            exp = self.literal(Q(r.type.dim, True)).lstrip("-")
            if r.type.dim == RATE:
                exp = pct_text(Fraction(self.pick([0, 20, 50, 100]), 100))
        else:
            exp = "入力エラー"
        return f"例 {r.name}({', '.join(f'{k}={v}' for k, v in kw)}) = {exp}\n"


@st.composite
def regulations(draw, mode: str = "mixed", avoid=frozenset()) -> str:
    """A random, mostly well-typed regulation as .fee source text (``mode``: a
    key of MODES). ``avoid`` leaves out kinds of names, to look past a known
    failure while exploring: name categories ("builtin", "generated",
    "mangled", "keyword", "camel") and the keys of a mode ("mangle": the enum
    pair; "own"/"shadow": parameters named like their rule or an input;
    "lookalike": f__cap next to f(cap); "capture"/"keyword": loop variables
    named like an input or a keyword; "field": hostile field names;
    "premise": 前提 on enums, dates and rates)."""
    return Gen(draw, mode, avoid).regulation()


# --- deep constructs -------------------------------------------------------------

@st.composite
def deep_regulations(draw) -> str:
    """One long or deep construct (or two) in an otherwise small regulation."""
    g = Gen(draw, "mixed")
    kinds = draw(st.lists(st.sampled_from(["chain", "sum", "if", "if_block", "arms", "table", "enum"]),
                          min_size=1, max_size=2, unique=True))
    out = ["規程 deep 「深い規則」\n    年度 4月始まり\n", "入力 n: 人 「人数」\n", "入力 m: 世帯 = 0世帯 「世帯数」\n"]
    g.inputs.update({"n": Q("人"), "m": Q("世帯")})
    g.used |= {"n", "m"}

    def leaf() -> str:
        return draw(st.sampled_from(["n × 2円/人", "m × 3円/世帯", "1円", "n × 1円/人", "10円"]))

    def cond() -> str:
        return f"n が {draw(st.integers(0, 600))}人{draw(st.sampled_from(['', '以上', '以下', '未満', '超']))}"

    if "chain" in kinds:
        k = draw(st.integers(200, 1_000))
        out.append(f"規則 c0 「c0」 =\n    {leaf()}\n")
        for i in range(1, k):
            op = draw(st.sampled_from(["{c} + 1円", "{c} × 1 + 0円", "最大({c}, 5円)", "{c} + m × 1円/世帯 − m × 1円/世帯"]))
            out.append(f"規則 c{i} 「c{i}」 =\n    {op.format(c=f'c{i - 1}')}\n")
    if "sum" in kinds:
        k = draw(st.integers(300, 1_000))
        out.append("規則 s 「s」 =\n    " + " + ".join(leaf() for _ in range(k)) + "\n")
    if "if" in kinds:
        k = draw(st.integers(100, 200))
        e = "7円"
        for i in range(k):
            e = f"もし {cond()} ならば {i}円 そうでなければ {e}"
        out.append(f"規則 i 「i」 =\n    {e}\n")
    if "if_block" in kinds:
        k = draw(st.integers(100, 200))
        body = "".join(f"    もし {cond()}\n    ならば {leaf()}\n    そうでなければ " for _ in range(k))
        out.append(f"規則 ib 「ib」 =\n{body}{leaf()}\n")
    if "arms" in kinds:
        k = draw(st.integers(100, 500))
        arms = "".join(f"        {cond()} → {leaf()}\n" for _ in range(k))
        out.append(f"規則 a 「a」 =\n    場合\n{arms}        それ以外 → 0円\n")
    if "table" in kinds:
        rows = g.rows(False, Fraction(0), 1_000, 1, "円", "人", style=draw(st.sampled_from(["le", "lt", "range", "range_lt", "step"])))
        out.append("表 t 「t」 n による\n" + "".join(f"    {r}\n" for r in rows) + "    非単調 「長い表」\n")
    if "enum" in kinds:
        k = draw(st.integers(100, 300))
        values = [f"v{i}" for i in range(k)]
        out.append("区分 e 「e」\n" + "".join(f"    {v} 「値{v}」\n" for v in values))
        out.append("入力 kind: e 「種別」\n")
        groups = "".join(f"        {v} → {i}円\n" for i, v in enumerate(values[:-1]))
        out.append(f"規則 em 「em」 =\n    場合 kind\n{groups}        それ以外 → 1円\n")
    return "\n".join(out)
