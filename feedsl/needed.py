"""Inputs and record fields needed only when a condition holds (``必要``).

``入力 capacity: 人 「定員」 必要 category が residential_or_day または nursery``
says a member gives ``capacity`` only where the condition holds. The checker
must then show that every read of ``capacity`` happens where the condition
holds; this module does that, and computes what each entry requires.

Facts. Walking a rule's body, the analysis keeps what is known at each place:
the values an enum-typed expression can still take (``場合 X`` arms,
``X が a`` tests, narrowed types) and the truth of other conditions (``もし c``,
``場合`` condition arms, ``かつ``/``または``/``でない``). A condition is proven
when it evaluates to true from the facts (three-valued: a fact may be unknown).

Across rules. A read of a conditional input ``x`` that the facts do not prove
is an *obligation* of the rule. A call passes the callee's obligations to the
call site, where the caller's facts may prove them. An obligation that is not
proven either

* is an error (F704) when the rule needs every input the condition reads: it
  could have tested the condition and did not (``場合 category: day_service →
  residential_fee``); or
* stays the rule's obligation: its callers must prove it, and the rule as an
  entry requires ``x`` whatever the condition (``residential_fee(capacity=…)``
  does not even take ``category``). Those are ``RuleIR.always``.

A record field's condition is over the same record's other fields, which the
rule reading the field has in hand, so a field read must be proven in the rule
itself (else F704).

At run time an entry requires a conditional input it reads when the input is
in ``always`` or when the condition holds (evaluated on the given inputs, which
is why an entry takes the inputs of those conditions too); otherwise the input
may be omitted, and a given one is validated and then unused. Since every read
of an omitted input is proven to be where the condition holds, and the
condition is false, no read of an omitted input ever happens.
"""

from __future__ import annotations

import attrs

from . import ir
from .ir import EnumType, children
from .words import P_ADD, P_CMP, Words

_UNKNOWN = None
_UNFOLD_DEPTH = 16  # calls of condition rules looked into, nested (a cycle is F104)


def _binds(e) -> bool:
    """Whether ``e`` binds a name (合計/件数), which substituting arguments could capture."""
    todo = [e]
    while todo:
        x = todo.pop()
        if isinstance(x, ir.Aggregate):
            return True
        todo.extend(children(x))
    return False


# --- wording ----------------------------------------------------------------

class NeedWords(Words):
    """Conditions in words for 「…のときのみ」: several values of an enum read
    「AまたはB」 (labels may contain ・)."""

    def n_EnumIs(self, e):
        subject = self.text(e.subject, P_ADD)
        enum = self.enum_of(e.subject) or ""
        return f"{subject}が{'または'.join(self.enum_label(enum, m) for m in e.members)}", P_CMP

    def n_BoolOp(self, b):
        # a が x または a が y reads 「aがxまたはy」.
        if (b.op == "or" and isinstance(b.left, ir.EnumIs) and isinstance(b.right, ir.EnumIs)
                and b.left.subject == b.right.subject):
            return self.n_EnumIs(ir.EnumIs(b.left.subject, b.left.members + b.right.members))
        return super().n_BoolOp(b)


@attrs.define
class _Names:
    """What :class:`Words` reads of a regulation, before the IR exists."""

    inputs: dict
    enums: dict
    records: dict
    rules: dict = attrs.field(factory=dict)


def words_of(cond, inputs, enums, records, fields=None) -> str:
    w = NeedWords(_Names(inputs, enums, records))
    if fields:
        w.params = {f.name: f.label for f in fields}
    return w(cond)


def when(words: str) -> str:
    """「施設の種類が保育所のとき」「種別が居宅サービス事業所でないとき」."""
    return words + ("とき" if words.endswith("でない") else "のとき")


def only_text(inp: ir.InputIR) -> str:
    """「（施設の種類が通所介護事業所でないときのみ）」 for pages and help."""
    if inp.needed is None:
        return ""
    return f"（{inp.needed_label or when(inp.needed_words) + 'のみ'}）"


# --- IR helpers ---------------------------------------------------------------

def reads(e, kind=ir.InputRef) -> list:
    """The names of ``kind`` nodes (InputRef / ParamRef) in ``e``, in order, once each."""
    out: list[str] = []
    todo = [e]
    while todo:
        x = todo.pop()
        if isinstance(x, kind) and x.name not in out:
            out.append(x.name)
        todo.extend(reversed(children(x)))
    return out


def substitute(e, fn):
    """``e`` with every node for which ``fn`` returns a node replaced by it."""
    r = fn(e)
    if r is not None:
        return r
    if not attrs.has(type(e)) or isinstance(e, (ir.QType, EnumType, ir.BoolType, ir.DateType)):
        return e
    changes = {}
    for a in attrs.fields(type(e)):
        if a.name in ("type", "span"):
            continue
        v = getattr(e, a.name)
        nv = _subst_value(v, fn)
        if nv is not v:
            changes[a.name] = nv
    return attrs.evolve(e, **changes) if changes else e


def _subst_value(v, fn):
    if isinstance(v, tuple):
        out = tuple(_subst_value(x, fn) for x in v)
        return v if all(a is b for a, b in zip(out, v)) else out
    if attrs.has(type(v)):
        return substitute(v, fn)
    return v


def field_condition(field: ir.InputIR, obj):
    """A field's condition about the record ``obj``: its fields read as ``obj.f``."""
    def fn(x):
        if isinstance(x, ir.ParamRef):
            return ir.FieldGet(obj, x.name, x.type, span=x.span)
        return None
    return substitute(field.needed, fn)


# --- facts --------------------------------------------------------------------

def bool_test(c):
    """A comparison of a true/false value with はい/いいえ as the value itself:
    ``exempted が はい`` is ``exempted``, ``exempted が いいえ`` (or ``≠ はい``) is
    ``exempted でない``, so a 必要 written one way is proven by a もし written the other."""
    if isinstance(c, ir.Cmp) and c.op in ("=", "≠"):
        for side, other in ((c.left, c.right), (c.right, c.left)):
            if (isinstance(other, ir.Const) and isinstance(other.value, bool)
                    and isinstance(side.type, ir.BoolType) and not isinstance(side, ir.Const)):
                positive = other.value == (c.op == "=")
                return side if positive else ir.NotOp(side, span=c.span)
    return c


class Facts:
    """What is known at a place: enum subjects' possible values, conditions' truth."""

    __slots__ = ("enums", "atoms", "values", "rules", "depth")

    def __init__(self, values, enums=None, atoms=None, rules=None):
        self.values = values  # enum name → its values in order
        self.enums = enums or {}
        self.atoms = atoms or {}
        self.rules = rules or {}  # for conditions that call a rule: 老人福祉施設である(f)
        self.depth = 0

    def copy(self) -> Facts:
        return Facts(self.values, dict(self.enums), dict(self.atoms), self.rules)

    def unfold(self, c):
        """A call of a condition rule as its body with the arguments in place
        (welfare_facility(f) → f.kind が home_service でない), or None."""
        if not isinstance(c, ir.RuleRef) or self.depth > _UNFOLD_DEPTH:
            return None
        r = self.rules.get(c.name)
        if r is None or not isinstance(r.type, ir.BoolType) or _binds(r.expr):
            return None
        args = {pn: a for (pn, _), a in zip(r.params, c.args)}
        return substitute(r.expr, lambda x: args.get(x.name) if isinstance(x, ir.ParamRef) else None)

    def possible(self, subject) -> frozenset:
        known = self.enums.get(subject)
        if known is not None:
            return known
        t = subject.type
        if t.members is not None:
            return frozenset(t.members)
        return frozenset(self.values[t.name])

    def eval(self, c):
        """True, False or None (unknown) for condition ``c``."""
        c = bool_test(c)
        if isinstance(c, ir.Const) and isinstance(c.value, bool):
            return c.value
        known = self.atoms.get(c, _UNKNOWN)
        if known is not None:
            return known
        one = self.enum_set(c)
        if one is not None:
            # 「kind が a または kind が b」, 「… でない」: one test of one subject.
            poss = self.possible(one[0])
            members = one[1]
            if poss <= members:
                return True
            if not (poss & members):
                return False
            return _UNKNOWN
        if isinstance(c, ir.NotOp):
            v = self.eval(c.operand)
            return None if v is None else not v
        if isinstance(c, ir.BoolOp):
            a, b = self.eval(c.left), self.eval(c.right)
            if c.op == "and":
                if a is False or b is False:
                    return False
                return True if a and b else _UNKNOWN
            if a or b:
                return True
            return False if a is False and b is False else _UNKNOWN
        body = self.unfold(c)
        if body is not None:
            self.depth += 1
            try:
                return self.eval(body)
            finally:
                self.depth -= 1
        return _UNKNOWN

    def enum_set(self, c):
        """(subject, the values for which ``c`` holds) when ``c`` tests only one
        enum-typed subject (with または/かつ/でない), else None."""
        if isinstance(c, ir.EnumIs) and isinstance(c.subject.type, EnumType):
            return c.subject, frozenset(c.members)
        if isinstance(c, ir.NotOp):
            inner = self.enum_set(c.operand)
            if inner is not None:
                return inner[0], frozenset(self.values[inner[0].type.name]) - inner[1]
        if isinstance(c, ir.BoolOp):
            a, b = self.enum_set(c.left), self.enum_set(c.right)
            if a is not None and b is not None and a[0] == b[0]:
                return a[0], (a[1] | b[1]) if c.op == "or" else (a[1] & b[1])
        return None

    def assume(self, c, value: bool) -> Facts:
        f = self.copy()
        f._assume(c, value)
        return f

    def _assume(self, c, value: bool) -> None:
        c = bool_test(c)
        if isinstance(c, ir.Const):
            return
        one = self.enum_set(c)
        if one is not None:
            poss = self.possible(one[0])
            self.enums[one[0]] = (poss & one[1]) if value else (poss - one[1])
        elif isinstance(c, ir.NotOp):
            self._assume(c.operand, not value)
        elif isinstance(c, ir.BoolOp):
            if (c.op == "and") == value:
                # a かつ b true, or a または b false: both parts are known.
                self._assume(c.left, value)
                self._assume(c.right, value)
            # a かつ b false with a true: b is false; a または b true with a false: b is true.
            elif self.eval(c.left) is (not value):
                self._assume(c.right, value)
            elif self.eval(c.right) is (not value):
                self._assume(c.left, value)
        else:
            body = self.unfold(c)
            if body is not None:
                self.depth += 1
                try:
                    self._assume(body, value)
                finally:
                    self.depth -= 1
        self.atoms[c] = value

    def forget(self, var: str) -> Facts:
        """Facts without those about a name a 合計/件数 binds anew."""
        def mentions(x):
            return var in reads(x, ir.ParamRef)
        return Facts(self.values, {k: v for k, v in self.enums.items() if not mentions(k)},
                     {k: v for k, v in self.atoms.items() if not mentions(k)}, self.rules)


# --- the analysis -------------------------------------------------------------

class Analysis:
    """Walks rules callee-first; reports F704/F705 through the checker."""

    def __init__(self, chk, rules: dict):
        self.chk = chk
        self.rules = rules
        self.values = {n: [m for m, _ in e.values] for n, e in chk.enums.items()}
        self.fields = {r.name: {f.name: f for f in r.fields} for r in chk.records.values()}
        self.always: dict[str, dict[str, object]] = {}  # rule → {input: span of a read}
        self.rule = None
        self.mine: dict[str, object] = {}

    def facts(self) -> Facts:
        return Facts(self.values, rules=self.rules)

    # Conditions themselves: a conditional input (field) read in another's
    # condition must be proven by the part of that condition before it.
    def check_condition(self, owner: str, cond, fields: dict | None = None) -> None:
        self.rule = None
        self.fields_here = fields
        self.owner = owner
        self.walk(cond, self.facts())

    def run(self) -> dict[str, tuple]:
        for name in self.order():
            self.rule = self.rules[name]
            self.mine = {}
            self.walk(self.rule.expr, self.facts())
            self.always[name] = self.mine
        return {n: tuple(a) for n, a in self.always.items()}

    def order(self) -> list[str]:
        """Rules with callees first (a cycle is already F104: cut anywhere)."""
        out, state = [], {}
        for root in self.rules:
            if root in state:
                continue
            stack = [(root, iter(self.callees(root)))]
            state[root] = 1
            while stack:
                v, it = stack[-1]
                for w in it:
                    if w not in state and w in self.rules:
                        state[w] = 1
                        stack.append((w, iter(self.callees(w))))
                        break
                else:
                    stack.pop()
                    state[v] = 2
                    out.append(v)
        return out

    def callees(self, name: str) -> list[str]:
        found, todo = [], [self.rules[name].expr]
        while todo:
            x = todo.pop()
            if isinstance(x, ir.RuleRef):
                found.append(x.name)
            todo.extend(children(x))
        return found

    # --- obligations ---
    def need_input(self, name: str, span, facts: Facts, via: str = "") -> None:
        inp = self.chk.inputs[name]
        if facts.eval(inp.needed) is True:
            return
        if self.rule is None:
            self.unproven(span, f"入力「{name}」（{inp.label}）", inp, via, condition=True)
            return
        cond_inputs = set(reads(inp.needed))
        if cond_inputs <= set(self.rule.inputs):
            self.unproven(span, f"入力「{name}」（{inp.label}）", inp, via)
        else:
            self.mine.setdefault(name, span)

    def need_field(self, field: ir.InputIR, obj, span, facts: Facts) -> None:
        cond = field_condition(field, obj)
        if facts.eval(cond) is True:
            return
        self.unproven(span, f"項目「{field.name}」（{field.label}）", field, "",
                      condition=self.rule is None, cond=cond)

    def unproven(self, span, what: str, inp: ir.InputIR, via: str, condition: bool = False, cond=None) -> None:
        words = inp.needed_words
        if condition:
            self.chk.err("F705", span,
                         f"「{self.owner}」の「必要」の条件が{what}を読んでいますが、{inp.name} は「{words}」のときだけ与えられます",
                         f"the condition of {self.owner} reads {inp.name}, which is given only when its own condition holds",
                         f"「{words} かつ …」のように、先にその条件を確かめてから読んでください",
                         "test its condition first, e.g. '<condition> かつ …'")
            return
        where = f"規則「{via}」を通して" if via else ""
        self.chk.err("F704", span,
                     f"{where}{what}を読んでいますが、ここでは「{words}」とは限りません。{inp.name} はそのときだけ与えられます",
                     f"{'through rule ' + repr(via) + ', ' if via else ''}{inp.name} is read where the condition "
                     f"under which it is given is not known to hold",
                     self.hint(inp, via, cond), "read it inside a 場合 arm or a もし … ならば that proves its condition")

    def hint(self, inp: ir.InputIR, via: str = "", cond=None) -> str:
        read, reading = (f" {via} を使う", "使って") if via else ("読む", "読んで")
        c, neg = (inp.needed if cond is None else cond), False
        if isinstance(c, ir.NotOp):
            c, neg = c.operand, True
        one = Facts(self.values).enum_set(c)
        if one is not None and isinstance(one[0], (ir.InputRef, ir.ParamRef, ir.FieldGet)):
            subject, members = one
            members = [m for m in self.values[subject.type.name] if (m in members) != neg]
            return (f"場合 {_subject_text(subject)} の {'・'.join(members)} の枝の中で{read}か、"
                    f"もし … ならば で確かめてから{reading}ください")
        return f"もし {inp.needed_words} ならば … の「ならば」の中で{reading}ください"

    # --- the walk ---
    def walk(self, e, facts: Facts) -> None:
        m = getattr(self, "w_" + type(e).__name__, None)
        if m is not None:
            m(e, facts)
            return
        for c in children(e):
            self.walk(c, facts)

    def w_InputRef(self, e, facts):
        inp = self.chk.inputs.get(e.name)
        if inp is not None and inp.needed is not None:
            self.need_input(e.name, e.span, facts)

    def w_ParamRef(self, e, facts):
        # In a field's condition, the record's other fields are ParamRefs.
        if self.rule is None and self.fields_here and e.name in self.fields_here:
            f = self.fields_here[e.name]
            if f.needed is not None and facts.eval(f.needed) is not True:
                self.unproven(e.span, f"項目「{f.name}」（{f.label}）", f, "", condition=True)

    def w_FieldGet(self, e, facts):
        self.walk(e.obj, facts)
        t = e.obj.type
        if isinstance(t, ir.RecordType):
            f = self.fields.get(t.name, {}).get(e.name)
            if f is not None and f.needed is not None:
                self.need_field(f, e.obj, e.span, facts)

    def w_RuleRef(self, e, facts):
        for a in e.args:
            self.walk(a, facts)
        for name in self.always.get(e.name, ()):
            self.need_input(name, e.span, facts, via=e.name)

    def w_Cond(self, e, facts):
        self.walk(e.cond, facts)
        self.walk(e.then, facts.assume(e.cond, True))
        self.walk(e.else_, facts.assume(e.cond, False))

    def w_BoolOp(self, e, facts):
        self.walk(e.left, facts)
        self.walk(e.right, facts.assume(e.left, e.op == "and"))

    def w_Branches(self, e, facts):
        for c, v in e.arms:
            if c is None:
                self.walk(v, facts)
                break
            self.walk(c, facts)
            self.walk(v, facts.assume(c, True))
            facts = facts.assume(c, False)

    def w_Match(self, e, facts):
        self.walk(e.subject, facts)
        taken: list[str] = []
        for members, v in e.arms:
            if members:
                self.walk(v, facts.assume(ir.EnumIs(e.subject, tuple(members)), True))
                taken.extend(members)
            else:
                self.walk(v, facts.assume(ir.EnumIs(e.subject, tuple(taken)), False))

    def w_Aggregate(self, e, facts):
        self.walk(e.source, facts)
        self.walk(e.body, facts.forget(e.var))


def _subject_text(s) -> str:
    if isinstance(s, ir.FieldGet):
        return f"{_subject_text(s.obj)}.{s.name}"
    return s.name


def entry_inputs(rule_inputs: tuple, always: tuple, inputs: dict, order: dict) -> tuple:
    """An entry's inputs: those its rules read and, for each conditional one it
    does not require always, the inputs its condition reads (to decide at run
    time whether it is needed), transitively."""
    have = list(rule_inputs)
    seen = set(have)
    k = 0
    while k < len(have):
        n = have[k]
        k += 1
        inp = inputs.get(n)
        if inp is None or inp.needed is None or n in always:
            continue
        for m in reads(inp.needed):
            if m not in seen:
                seen.add(m)
                have.append(m)
    return tuple(sorted(have, key=order.__getitem__))


def check_order(names, table: dict, kind=ir.InputRef) -> list:
    """Conditional inputs (``kind`` InputRef) or fields (ParamRef) in an order
    where those a condition reads come first (a cycle is F703, reported apart)."""
    out: list[str] = []
    state: dict[str, int] = {}
    wanted = set(names)

    def deps(n):
        return iter(reads(table[n].needed, kind))

    for n in names:
        if n in state:
            continue
        stack = [(n, deps(n))]
        state[n] = 1
        while stack:
            v, it = stack[-1]
            for w in it:
                if w in wanted and w not in state:
                    state[w] = 1
                    stack.append((w, deps(w)))
                    break
            else:
                stack.pop()
                out.append(v)
    return out


def find_cycle(names, table: dict, kind=ir.InputRef):
    """A cycle among conditional inputs' conditions, as a list of names, or None."""
    wanted = set(names)
    graph = {n: [m for m in reads(table[n].needed, kind) if m in wanted] for n in names}
    state: dict[str, int] = {}
    for root in names:
        if root in state:
            continue
        path = [root]
        stack = [iter(graph[root])]
        state[root] = 1
        while stack:
            for w in stack[-1]:
                if state.get(w) == 1:
                    return path[path.index(w):] + [w]
                if w not in state:
                    state[w] = 1
                    path.append(w)
                    stack.append(iter(graph[w]))
                    break
            else:
                stack.pop()
                state[path.pop()] = 2
    return None
