"""Differential testing of the JavaScript back end against the Python modules.

Calls are batched: one Node process runs every call of a regulation
(tests/js_runner.js), since starting Node costs more than a thousand calls.
The same arguments go to the Python entry; results are compared exactly
(amounts as exact text, never through a float), errors on (input, message).
"""

from __future__ import annotations

import datetime
import json
import random
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

from feedsl import ir
from feedsl.codegen.explain import unit_of
from feedsl.runtime import FeeInputError, exact_text, format_value

NODE = shutil.which("node")
RUNNER = Path(__file__).with_name("js_runner.js")


class Text(str):
    """A rate typed as text for JS ('75%', '3/4'); Python gets ``value``."""

    def __new__(cls, text: str, value):
        s = super().__new__(cls, text)
        s.value = value
        return s


def to_js(v):
    """An argument in the runner's tagged JSON."""
    if isinstance(v, Text):
        return {"$text": str(v)}
    if isinstance(v, bool) or v is None or isinstance(v, (str, float)):
        return v
    if isinstance(v, int):
        return {"$int": str(v)}
    if isinstance(v, Fraction):
        return {"$frac": [str(v.numerator), str(v.denominator)]}
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return [to_js(x) for x in v]
    if isinstance(v, dict):
        return {k: to_js(x) for k, x in v.items()}
    raise TypeError(v)


def to_py(v):
    if isinstance(v, Text):
        return v.value
    if isinstance(v, list):
        return [to_py(x) for x in v]
    if isinstance(v, dict):
        return {k: to_py(x) for k, x in v.items()}
    return v


def run_node(scripts: list[str], calls: list[dict]) -> list[dict]:
    proc = subprocess.run([NODE, str(RUNNER)], input=json.dumps({"scripts": scripts, "calls": calls}),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def plain(v):
    """A Python result as the runner encodes JS results."""
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, str):
        return str.__str__(v)
    if isinstance(v, int):
        return {"$int": str(v)}
    if isinstance(v, Fraction):
        return {"$frac": exact_text(v)}
    if isinstance(v, datetime.date):
        return v.isoformat()
    raise TypeError(v)


def tree(d: dict) -> dict:
    """An explanation tree (Node.to_dict) with what the JS breakdown carries."""
    out = {k: d[k] for k in ("name", "label", "clause", "unit", "text", "index", "same_as_above") if k in d}
    if "steps" in d:
        out["steps"] = [{"kind": s["kind"], "text": s["text"]} for s in d["steps"]]
        out["children"] = [tree(c) for c in d["children"]]
    return out


def py_call(mod, reg: ir.RegulationIR, entry: str, args: dict) -> dict:
    try:
        v = getattr(mod, entry)(**to_py(args))
    except FeeInputError as e:
        return {"error": [e.input, str(e)]}
    return {"value": plain(v), "text": format_value(v, unit_of(reg.rules[entry].type, reg.fy_start)),
            "breakdown": tree(mod.explain(entry, **to_py(args)).to_dict()["tree"])}


# --- inputs --------------------------------------------------------------------------

def specials(reg: ir.RegulationIR) -> tuple[list[int], list[Fraction]]:
    """Whole numbers and rates worth trying (table bounds ±1, rounding units and
    their halves, literals, 範囲 minimums ±1): test_generated's."""
    from test_generated import _special_numbers

    return _special_numbers(reg)


WRONG = [None, True, False, 1.5, 1e-05, "3", "abc", Fraction(1, 2), -1, [], {}, "", 10 ** 30, -(10 ** 70),
         "x" * 100, [1, 2, 3, 4, 5, 6, 7, 8], {"b": 1, "a": "x'y", "c": [1], "d": None, "e": 2.5}]


def _rate_text(r: Fraction, rnd: random.Random):
    """A rate as a form would give it: '3/4', '75%' (when exact in percent), '0.75'."""
    forms = [Text(f"{r.numerator}/{r.denominator}", r)]
    p = r * 100
    if (p * 10_000).denominator == 1:
        forms.append(Text(f"{exact_decimal(p)}%", r))
    return rnd.choice(forms)


def exact_decimal(x: Fraction) -> str:
    sign = "-" if x < 0 else ""
    x = abs(x)
    whole, rest = divmod(x.numerator, x.denominator)
    digits = ""
    while rest:
        rest *= 10
        digits += str(rest // x.denominator)
        rest %= x.denominator
    return sign + str(whole) + ("." + digits if digits else "")


def wrong_for(t, w):
    """A wrong value as each side sees it: JS reads a string given for a rate as
    typed text ('3' is 300%), so Python gets what that text reads as (or the
    string itself when it does not read, and both reject it)."""
    if isinstance(t, ir.QType) and not t.integral and isinstance(w, str):
        from feedsl.values import ValueReadError, read_quantity

        try:
            return Text(w, read_quantity(w.strip(), "", False))
        except ValueReadError:
            return w
    return w


def value(rnd: random.Random, reg, t, sp, wrong: float = 0.04, depth: int = 0):
    """A value for type ``t``: mostly valid, now and then not (``wrong``)."""
    ints, rates = sp
    if rnd.random() < wrong:
        return wrong_for(t, rnd.choice(WRONG))
    if isinstance(t, ir.QType):
        if t.integral:
            k = rnd.randrange(4)
            return rnd.choice(ints) if k < 2 else rnd.randint(0, 50) if k == 2 else rnd.randint(0, 10 ** 7)
        k = rnd.randrange(4)
        r = rnd.choice(rates) if k < 2 else Fraction(rnd.randint(0, 300), rnd.randint(1, 200)) if k == 2 else rnd.randint(0, 2)
        if isinstance(r, Fraction) and r >= 0 and rnd.random() < 0.3:
            return _rate_text(r, rnd)
        return r
    if isinstance(t, ir.BoolType):
        return rnd.random() < 0.5
    if isinstance(t, ir.EnumType):
        values = reg.enums[t.name].values
        n, label = rnd.choice(values)
        return rnd.choice([n, n, label, "nope"] if rnd.random() < 0.2 else [n, n, label])
    if isinstance(t, ir.DateType):
        d = datetime.date(2023, 1, 1) + datetime.timedelta(days=rnd.randrange(4 * 365))
        return rnd.choice([d.isoformat(), d.isoformat(), f"{d.year}年{d.month}月{d.day}日", f"R{d.year - 2018}.{d.month}.{d.day}"])
    if isinstance(t, ir.RecordType):
        out = {}
        for f in reg.records[t.name].fields:
            if (f.has_default or f.needed is not None) and rnd.random() < 0.5:
                continue
            out[f.name] = value(rnd, reg, f.type, sp, wrong, depth + 1)
        if rnd.random() < wrong:
            out["no_such_field"] = 1
        return out
    if isinstance(t, ir.ListType):
        return [value(rnd, reg, t.element, sp, wrong, depth + 1) for _ in range(rnd.randint(0, 3 if depth == 0 else 1))]
    raise AssertionError(t)


def random_args(rnd: random.Random, reg, entry: str, sp, wrong: float = 0.04) -> dict:
    rule = reg.rules[entry]
    args = {pn: value(rnd, reg, pt, sp, wrong) for pn, pt in rule.params}
    for n in rule.inputs:
        inp = reg.inputs[n]
        if (inp.has_default or inp.needed is not None) and rnd.random() < 0.4:
            continue
        args[n] = value(rnd, reg, inp.type, sp, wrong)
    m = rnd.random()
    if m < wrong and args:
        del args[rnd.choice(sorted(args))]
    elif m < 2 * wrong:
        args["unknown_input"] = 1
    elif m < 3 * wrong and args:
        k = rnd.choice(sorted(args))
        args[k[:-1] + ("x" if k[-1] != "x" else "y")] = args.pop(k)  # a typo: 「…」のことですか？
    return args


def rejected_args(rnd: random.Random, reg, entry: str, sp) -> list[dict]:
    """For each input of ``entry``: missing, and every wrong value, the others valid."""
    rule = reg.rules[entry]
    base = random_args(rnd, reg, entry, sp, wrong=0)
    names = [pn for pn, _ in rule.params] + list(rule.inputs)
    out = []
    for n in names:
        without = dict(base)
        without.pop(n, None)
        out.append(without)
        t = dict(rule.params).get(n) or reg.inputs[n].type
        for w in WRONG:
            out.append({**base, n: wrong_for(t, w)})
    return out
