"""How deep a file nests, measured without recursion, and the compiler's limits.

The passes (build, check, the generators, the docs) walk trees recursively:
that keeps each of them short and obviously right. So that no file can make
them fail with ``RecursionError``, :func:`feedsl.api.check_source` first
measures, here and iteratively, how deeply the file nests expressions and how
long its chains of rules using rules are. Within the limits below, the
pipeline runs on a thread with a large stack and a recursion limit sized for
them (:func:`run_deep`); beyond them, the author gets a diagnostic at the
construct that names the limit.

The limits are far above anything a regulation needs (the three shipped
regulations nest at most 10 levels and chain at most 6 rules) and above what
issue 10 asks to work: 1,000-term sums, 200 nested もし, 500-arm 場合,
1,000 chained rules.
"""

from __future__ import annotations

import threading

import attrs
from lark import Tree

from .diagnostics import Diagnostics
from .runtime import recursion_headroom, recursion_headroom_end
from .source import Span

NESTING_LIMIT = 3_000
"""Levels of nesting in one item (a sum of N terms nests N levels)."""

CHAIN_LIMIT = 5_000
"""Rules in the longest chain of rules that use rules."""

# Frames the passes may need: a few per nesting level and per chained rule.
_RECURSION = 40 * (NESTING_LIMIT + CHAIN_LIMIT) + 10_000
_STACK = 1024 * 1024 * 1024  # virtual; pages are touched only as deep as needed


def tree_depth(tree: Tree, path: str, diags: Diagnostics) -> bool:
    """Report an item nesting deeper than NESTING_LIMIT; True when within it."""
    stack = [(tree, 1)]
    deepest, where = 0, None
    while stack:
        t, d = stack.pop()
        if d > deepest:
            deepest, where = d, t
        for c in t.children:
            if isinstance(c, Tree):
                stack.append((c, d + 1))
    if deepest <= NESTING_LIMIT:
        return True
    meta = getattr(where, "meta", None)
    line = getattr(meta, "line", 1) if meta is not None and not meta.empty else 1
    col = getattr(meta, "column", 1) if meta is not None and not meta.empty else 1
    diags.error("F008", Span(path, line, col, line, col + 1),
                f"式の入れ子が深すぎます（{deepest:,}段。{NESTING_LIMIT:,}段まで）",
                f"expressions nest too deeply ({deepest:,} levels; the limit is {NESTING_LIMIT:,})",
                "途中の値を別の規則に分けてください", "split the expression into several rules")
    return False


def _names_in(body) -> set[str]:
    """Every name a rule body refers to (Ref and Call), without recursion."""
    found: set[str] = set()
    stack = [body]
    while stack:
        x = stack.pop()
        if isinstance(x, (tuple, list)):
            stack.extend(x)
        elif attrs.has(type(x)):
            name = type(x).__name__
            if name in ("Ref", "Call"):
                found.add(x.name)
            for f in attrs.fields(type(x)):
                if f.name != "span":
                    stack.append(getattr(x, f.name))
    return found


def rule_chains(reg, diags: Diagnostics) -> bool:
    """Report a chain of rules longer than CHAIN_LIMIT; True when within it.

    Cycles are left to the checker (F104): a back edge ends a chain here.
    """
    rules = {r.name: r for r in reg.rules}
    uses = {n: sorted(_names_in(r.body) & rules.keys()) for n, r in rules.items()}
    longest: dict[str, int] = {}
    state: dict[str, int] = {}  # 1 on the path, 2 done
    for root in rules:
        if root in state:
            continue
        stack = [(root, 0)]
        state[root] = 1
        while stack:
            n, i = stack[-1]
            if i < len(uses[n]):
                stack[-1] = (n, i + 1)
                m = uses[n][i]
                if m not in state:
                    state[m] = 1
                    stack.append((m, 0))
                continue
            stack.pop()
            state[n] = 2
            longest[n] = 1 + max((longest.get(m, 0) for m in uses[n] if state.get(m) == 2), default=0)
    worst = max(longest, key=longest.get, default=None)
    if worst is None or longest[worst] <= CHAIN_LIMIT:
        return True
    diags.error("F009", rules[worst].span,
                f"規則が規則を使う連なりが長すぎます（{longest[worst]:,}段。{CHAIN_LIMIT:,}段まで）",
                f"rules use rules in a chain that is too long ({longest[worst]:,}; the limit is {CHAIN_LIMIT:,})",
                "途中の規則をまとめてください", "merge some of the intermediate rules")
    return False


def run_deep(fn, *args, frames: int = _RECURSION):
    """``fn(*args)`` on a thread with a large stack and a recursion limit of
    ``frames`` (sized for the limits above); exceptions propagate to the caller.

    The recursion limit is the interpreter's, so it is raised only while a
    deep run is in progress (:func:`feedsl.runtime.recursion_headroom`).
    """
    out: list = []

    def target():
        try:
            out.append((True, fn(*args)))
        except BaseException as e:  # handed to the caller's thread
            out.append((False, e))

    recursion_headroom(frames)
    try:
        with _STACK_LOCK:  # threading.stack_size is process-wide: set it for this thread only
            old = threading.stack_size()
            try:
                threading.stack_size(_STACK)
                t = threading.Thread(target=target, name="feedsl-deep", daemon=True)
                t.start()
            finally:
                threading.stack_size(old)
        t.join()
    finally:
        recursion_headroom_end()
    ok, value = out[0]
    if not ok:
        raise value
    return value


_STACK_LOCK = threading.Lock()
