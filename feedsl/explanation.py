"""Explanations of compiled fees: why an amount is what it is, clause by clause.

Standard library only, like :mod:`feedsl.runtime`: compiled modules import it
for their ``explain()``. The plain fee functions never touch it; a module's
generated ``_x_<rule>`` functions build the tree out of these classes.

An :class:`Explanation` is a tree of :class:`Node` objects, one per rule that
contributed to the amount (and one per record of a 合計/件数). Each node carries
the rule's name, label and clause, its value, and :class:`Step` objects saying
what happened there: the table row that matched, a rounding, a cap, the branch
of a condition, an aggregation.
"""

from __future__ import annotations

import datetime
import enum
import unicodedata
from fractions import Fraction

from .runtime import REQUIRED, exact_text, format_percent, format_value, json_int, no_row

__all__ = [
    "Explanation",
    "Node",
    "Step",
    "format_percent",
    "format_value",
    "text_width",
]


# --- values ------------------------------------------------------------------
# format_value and format_percent live in feedsl.runtime (one safe formatter for
# every number feedsl shows, of any size); they are re-exported here, where
# generated explain code imports format_value from.


def jsonable(value):
    """ints, strings, lists and dicts only: rates as exact fraction strings, never
    floats; an int too long for JSON readers as the string of its exact digits."""
    if value is None or value.__class__ in (bool, str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Fraction):
        return exact_text(value)
    if isinstance(value, int):
        return json_int(int(value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if hasattr(value, "__slots__") and hasattr(value, "_label"):
        # A conditional field (必要 …) that was not given (None) is left out.
        return {n: jsonable(getattr(value, n)) for n in value.__slots__ if getattr(value, n) is not None}
    return str(value)


def text_width(text: str) -> int:
    """Columns on a terminal: East-Asian wide and fullwidth characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# --- the tree ----------------------------------------------------------------

class Step:
    """One thing that happened in a rule: ``kind`` (formula, rounding, cap, row,
    branch, match, condition, aggregate, record), a readable ``text`` and the
    same facts as data."""

    __slots__ = ("kind", "text", "data")

    def __init__(self, kind: str, text: str, data: dict):
        self.kind = kind
        self.text = text
        self.data = data

    def to_dict(self) -> dict:
        d = {"kind": self.kind, "text": self.text}
        d.update(jsonable(self.data))
        return d

    def __repr__(self) -> str:
        return f"Step({self.kind!r}, {self.text!r})"


class Node:
    """A rule that contributed to the amount (or one record of an aggregation)."""

    __slots__ = ("name", "label", "clause", "unit", "value", "steps", "children", "index")

    def __init__(self, name: str, label: str, clause: str, unit: str, index: int | None = None):
        self.name = name
        self.label = label
        self.clause = clause
        self.unit = unit
        self.value = None
        self.steps: list[Step] = []
        self.children: list[Node] = []
        self.index = index

    def add(self, child: "Node") -> "Node":
        self.children.append(child)
        return child

    @property
    def value_text(self) -> str:
        return format_value(self.value, self.unit)

    @property
    def title(self) -> str:
        return self.label + (f" [{self.clause}]" if self.clause else "")

    def walk(self):
        """This node and every node below it, depth first (without recursion:
        a chain of a thousand rules is a thousand levels deep)."""
        stack, seen = [self], set()
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue  # a rule used twice is one node, walked once
            seen.add(id(node))
            yield node
            stack.extend(reversed(node.children))

    def to_dict(self) -> dict:
        out: dict = {}
        stack, seen = [(self, out)], set()
        while stack:
            node, d = stack.pop()
            d.update({"name": node.name, "label": node.label, "clause": node.clause,
                      "value": jsonable(node.value), "unit": node.unit, "text": node.value_text})
            if id(node) in seen:  # a rule used twice: its breakdown is given once, above
                d["same_as_above"] = True
                continue
            seen.add(id(node))
            if node.index is not None:
                d["index"] = node.index
            d["steps"] = [s.to_dict() for s in node.steps]
            d["children"] = [{} for _ in node.children]
            stack.extend(zip(node.children, d["children"]))
        return out

    def __repr__(self) -> str:
        return f"Node({self.name!r}, {self.value_text!r}, {len(self.children)} children)"


class Explanation:
    """Why ``entry(**inputs)`` is ``amount``: the tree of rules under ``root``.

    ``str()`` is a readable Japanese breakdown; ``to_dict()`` is JSON-ready.
    """

    __slots__ = ("regulation", "title", "entry", "inputs", "root", "amount", "version")

    def __init__(self, regulation: str, title: str, entry: str, inputs: dict, root: Node, amount):
        self.regulation = regulation
        self.title = title
        self.entry = entry
        self.inputs = inputs
        self.root = root
        self.amount = amount
        self.version = None  # the 版 that computed it (feedsl.versions.attach), as VERSION

    # The root's fields, for convenience.
    name = property(lambda self: self.root.name)
    label = property(lambda self: self.root.label)
    clause = property(lambda self: self.root.clause)
    unit = property(lambda self: self.root.unit)
    steps = property(lambda self: self.root.steps)
    children = property(lambda self: self.root.children)

    def walk(self):
        return self.root.walk()

    def to_dict(self) -> dict:
        return {"regulation": self.regulation, "title": self.title, "entry": self.entry,
                "inputs": jsonable(self.inputs), "amount": jsonable(self.amount),
                "unit": self.root.unit, "text": self.root.value_text, "tree": self.root.to_dict(),
                **({"version": self.version} if self.version else {})}

    def lines(self) -> list[str]:
        rows: list[tuple[str, str | None]] = []

        stack, seen = [(self.root, "", "")], set()
        while stack:
            node, head, body = stack.pop()
            if id(node) in seen:  # a rule used twice: its breakdown is shown once, above
                rows.append((head + node.title + "（内訳は上記）", node.value_text))
                continue
            seen.add(id(node))
            rows.append((head + node.title, node.value_text))
            inner = body + ("│   " if node.children else "    ")
            for s in node.steps:
                rows.append((inner + s.text, None))
            n = len(node.children)
            for k in reversed(range(n)):
                last = k == n - 1
                stack.append((node.children[k], body + ("└ " if last else "├ "), body + ("  " if last else "│ ")))
        left = max(text_width(t) for t, v in rows if v is not None)
        right = max(text_width(v) for t, v in rows if v is not None)
        out = []
        for t, v in rows:
            if v is None:
                out.append(t)
            else:
                out.append(t + " " * (left - text_width(t) + 4 + right - text_width(v)) + v)
        return out

    def __str__(self) -> str:
        tail = []
        # Last, so that the first line stays the entry and its amount; only for a
        # file with several versions (a single version is in to_dict() and .version).
        if self.version and len(self.version.get("versions", ())) > 1:
            v = self.version
            tail = [f"（版: {v['name']} 「{v['label']}」、{v['in_force_from']}から）"]
        return "\n".join(self.lines() + tail)

    def __repr__(self) -> str:
        return f"<Explanation {self.entry} = {self.root.value_text}>"


# --- what generated _x_ functions call ---------------------------------------

def term(label: str, value, unit: str) -> str:
    """人口 25,000人; a conditional input (必要 …) that was not given: 定員 入力なし"""
    if value is REQUIRED:
        return f"{label} 入力なし"
    return f"{label} {format_value(value, unit)}"


def try_term(label: str, thunk, unit: str) -> str:
    """A value shown beside a condition; a value that cannot be computed (its
    part of the condition was never reached, or it reads a conditional input
    that was not given: ``thunk`` is None) shows as —."""
    if thunk is None:
        return f"{label} —"
    try:
        return term(label, thunk(), unit)
    except (ValueError, ArithmeticError):
        return f"{label} —"


def formula(node: Node, expression: str, value, unit: str) -> None:
    node.steps.append(Step("formula", f"{expression} = {format_value(value, unit)}",
                           {"expression": expression, "value": value}))


def rounding(node: Node, described: str, before, after, unit: str, mode: str, step: int, step_text: str) -> None:
    named = f"{step_text}未満{mode}"
    node.steps.append(Step("rounding", f"{described} → {format_value(after, unit)}（{named}）",
                           {"expression": described, "before": before, "after": after,
                            "rounding": named, "mode": mode, "step": step}))


def cap(node: Node, func: str, described: tuple, values: tuple, result, unit: str) -> None:
    applied = result != values[0]
    if applied:
        note = f"{func}を適用: {format_value(values[0], unit)} → {format_value(result, unit)}"
    else:
        note = f"{func}は適用されない"
    node.steps.append(Step("cap", f"{func}({'、'.join(described)}) = {format_value(result, unit)}（{note}）",
                           {"function": func, "arguments": list(described), "values": list(values),
                            "uncapped": values[0], "value": result, "applied": applied}))


def lookup(node: Node, table: tuple, described: str, key, column):
    """Find the row of ``table`` for ``key`` (and ``column``), note it, return its amount.

    ``table`` is (name, unit, columns, rows); a row is (is_else, lo, lo_incl,
    hi, hi_incl, text, display, amounts). The rows are the checked intervals the
    plain function's comparison chain or bisect was made from.
    """
    name, unit, columns, rows = table
    found = None
    for r in rows:
        if r[0]:
            continue
        lo, lo_incl, hi, hi_incl = r[1:5]
        if lo is not None and (key < lo or (key == lo and not lo_incl)):
            continue
        if hi is not None and (key > hi or (key == hi and not hi_incl)):
            continue
        found = r
        break
    if found is None:
        found = next((r for r in rows if r[0]), None)
    if found is None:
        no_row(name, key)
    k = columns.index(column) if columns else 0
    value = found[7][k]
    text, display = found[5], found[6]
    shown = f"「{text}」" + (f"（{display}）" if display != text else "")
    col = f"、{format_value(column)}の列" if columns else ""
    node.steps.append(Step("row", f"{described}: {shown}{col} → {format_value(value, unit)}",
                           {"table": name, "key": described, "key_value": key, "row": text,
                            "display": display, "column": column, "value": value}))
    return value


def category(node: Node, table: tuple, key, unit: str):
    """A category table's cell for ``key``: noted as 表: 列（行）金額; returns the
    amount, or None where the cell is なし (the caller then uses its fallback)."""
    name, column, cells = table
    row, value, written = cells[key]
    if value is None:
        text = f"{name}: {column}（{row}）{written or 'なし'} → 該当しない"
    else:
        text = f"{name}: {column}（{row}）{format_value(value, unit)}"
    node.steps.append(Step("category", text, {"table": name, "column": column, "row": row,
                                              "key": str(key), "value": value}))
    return value


def _shown(values: tuple) -> str:
    return f"（{'、'.join(values)}）" if values else ""


def branch(node: Node, condition: str, values: tuple, result: bool, taken: str) -> None:
    """もし … ならば … そうでなければ …: which branch was taken."""
    word = "ならば" if result else "そうでなければ"
    shown = "ならば" if result else "それ以外は"  # the pages' one word for "otherwise" (words.py)
    node.steps.append(Step("branch", f"もし {condition}{_shown(values)}: {format_value(result)} → {shown} {taken}",
                           {"condition": condition, "values": list(values), "result": result,
                            "branch": word, "taken": taken}))


def case(node: Node, condition: str, values: tuple, taken: str) -> None:
    """場合 without a subject: the arm whose condition held first (or それ以外)."""
    text = f"場合 {condition}{_shown(values)} → {taken}"
    node.steps.append(Step("branch", text, {"condition": condition, "values": list(values),
                                            "result": True, "branch": condition, "taken": taken}))


def match(node: Node, described: str, arm: str, taken: str) -> None:
    """場合 on an enumeration: the subject's value and the arm it selected."""
    shown = f"それ以外: {taken}" if arm == "それ以外" else taken
    node.steps.append(Step("match", f"場合 {described} → {shown}",
                           {"subject": described, "arm": arm, "taken": taken}))


def condition(node: Node, text: str, values: tuple, result: bool) -> None:
    node.steps.append(Step("condition", f"{text}{_shown(values)}: {format_value(result)}",
                           {"condition": text, "values": list(values), "result": result}))


def aggregate(node: Node, func: str, label: str, count: int, result, unit: str) -> None:
    if func == "件数":
        text = f"件数（{label} {count:,}件のうち）= {format_value(result, unit)}"
    else:
        text = f"合計（{label} {count:,}件）= {format_value(result, unit)}"
    node.steps.append(Step("aggregate", text, {"function": func, "list": label, "count": count,
                                               "value": result}))


def record(node: Node, label: str, rec, fields: tuple, at: int | None = None) -> None:
    """A record's fields, labelled: 種別 特別養護老人ホーム、定員 50人 (an
    entry's record inputs go first, ``at`` their place)."""
    # A conditional field (必要 …) that was not given is None: not shown.
    fields = tuple(f for f in fields if getattr(rec, f[0]) is not None)
    shown = "、".join(f"{flabel} {format_value(getattr(rec, fname), funit)}" for fname, flabel, funit in fields)
    step = Step("record", f"{label}: {shown}",
                {"record": label, "fields": {f: getattr(rec, f) for f, _, _ in fields}})
    node.steps.insert(len(node.steps) if at is None else at, step)


def not_given(node: Node, name: str, text: str) -> None:
    """A conditional input (必要 …) that was left out because it is not needed."""
    node.steps.append(Step("not_given", text, {"input": name}))


def records(node: Node, label: str, recs: tuple, at: int | None = None) -> None:
    """A list input: how many records it has (each is shown where it is used)."""
    step = Step("record", f"{label}: {len(recs):,}件", {"record": label, "count": len(recs)})
    node.steps.insert(len(node.steps) if at is None else at, step)


def item(node: Node, list_name: str, label: str, index: int, rec, fields: tuple, unit: str) -> Node:
    """One record of a 合計/件数, as a child node with the record's fields."""
    child = Node(f"{list_name}[{index}]", f"{label} {index + 1}件目", "", unit, index)
    record(child, label, rec, fields)
    return node.add(child)


def explain_call(table: dict, regulation: str, title: str, entry, inputs: dict) -> Explanation:
    """The body of every compiled module's ``explain(entry, /, **inputs)``."""
    name = getattr(entry, "__name__", entry)
    fn = table.get(name) if isinstance(name, str) else None
    if fn is None:
        raise ValueError(f"規則「{entry}」はありません。規則: {', '.join(table)} / unknown entry {entry!r}")
    amount, root, validated = fn(**inputs)
    # A conditional input (必要 …) that was not given is not among the inputs.
    validated = {k: v for k, v in validated.items() if v is not REQUIRED}
    if root.value != amount or root.value.__class__ is not amount.__class__:
        raise AssertionError(f"explanation of {name} gives {root.value!r}, the fee is {amount!r}")
    return Explanation(regulation, title, name, validated, root, amount)
