"""The JavaScript back end agrees with the Python modules (issue 14).

For every entry of the three regulations: random inputs (seeded), the
special numbers of each file (table bounds ±1, rounding units and their
halves ±1, 範囲 minimums ±1), and for every input of every entry each kind of
rejected value (missing, negative, wrong type, unknown enum value, …): the
JavaScript entry and the Python one give the same amount and the same text,
or the same FeeInputError (input and message). R.read() is compared with the
command line's reader (feedsl.typed.parse_value) on good and bad texts, and
generated regulations (tests/regen.py) with their Python modules.

Each group of calls runs in ONE Node process (tests/js_runner.js).
"""

from __future__ import annotations

import random
import re
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedsl import ir, load
from feedsl.api import check_source, compile_file, compile_source, module_from_source
from feedsl.codegen.javascript import generate, js_str
from feedsl.source import SourceFile
from feedsl.typed import InputValueError, parse_value

import jsdiff
from regen import regulations

pytestmark = pytest.mark.skipif(jsdiff.NODE is None, reason="node is not installed")

FILES = ["regulations/hokkaido_shakyo.fee", "regulations/hyogo_roufuku.fee", "regulations/rinko_renmei.fee"]


@pytest.fixture(scope="module")
def compiled():
    out = {}
    for f in FILES:
        reg = compile_file(f).ir
        out[reg.name] = (reg, load(f), generate(reg))
    return out


def _num(out: dict) -> dict:
    """A result with its number as exact text: Python gives a whole rate as int
    or Fraction depending on how it was computed, JS always as a fraction."""
    v = out.get("value")
    if isinstance(v, dict) and ("$int" in v or "$frac" in v):
        return {**out, "value": v.get("$int", v.get("$frac"))}
    return out


def _compare(calls, results, mods):
    """Every JS result equals the Python one; returns (values, errors) counted."""
    values = errors = 0
    wrong = []
    for c, js in zip(calls, results, strict=True):
        reg, mod = mods[c["reg"]]
        py = jsdiff.py_call(mod, reg, c["entry"], c["args"])
        if js.get("breakdown") is None:
            js.pop("breakdown", None)
        if _num(py) != _num(js):
            wrong.append(f"{c['entry']}({c['args']!r:.200}):\n  python {py}\n  js     {js}")
        elif "error" in py:
            errors += 1
        else:
            values += 1
    assert not wrong, f"{len(wrong)} of {len(calls)} calls differ:\n" + "\n".join(wrong[:10])
    return values, errors


def test_regulations_agree(compiled):
    """Random, boundary and rejected inputs of every entry of the three regulations."""
    calls = []
    for name, (reg, mod, _) in compiled.items():
        rnd = random.Random(f"js-{name}")
        sp = jsdiff.specials(reg)
        for entry in reg.rules:
            for _ in range(150):
                calls.append({"reg": name, "entry": entry, "args": jsdiff.random_args(rnd, reg, entry, sp)})
            for args in jsdiff.rejected_args(rnd, reg, entry, sp):
                calls.append({"reg": name, "entry": entry, "args": args})
            # Every special number in every whole-number input, the others valid.
            rule = reg.rules[entry]
            base = jsdiff.random_args(rnd, reg, entry, sp, wrong=0)
            for n in rule.inputs:
                t = reg.inputs[n].type
                if isinstance(t, ir.QType):
                    for v in (sp[0] if t.integral else sp[1]):
                        calls.append({"reg": name, "entry": entry, "args": {**base, n: v}})
    results = jsdiff.run_node([g for _, _, g in compiled.values()],
                              [{**c, "args": jsdiff.to_js(c["args"])} for c in calls])
    values, errors = _compare(calls, results, {n: (r, m) for n, (r, m, _) in compiled.items()})
    # Both outcomes are exercised in earnest, not just one of them.
    assert values > len(calls) // 3 and errors > len(calls) // 10, (values, errors)


def test_hand_worked_amounts(compiled):
    """A few amounts worked out from the regulation text, through JS alone."""
    calls = [
        # rinko_renmei: donation = units × 1,000円/口 → 3口 = 3,000円.
        {"reg": "rinko_renmei", "entry": "donation", "args": {"units": 3}},
        # join_rate = members ÷ association_members = 41/200 = 20.5% (a rate, not rounded).
        {"reg": "rinko_renmei", "entry": "join_rate", "args": {"members": 41, "association_members": 200}},
        # member_fee, group plan: 20.5% is below 21% → 3,000円/人 × 1人 = 3,000円;
        # 21% exactly (42/200) is not below 21% → next row, 2,000円.
        {"reg": "rinko_renmei", "entry": "member_fee",
         "args": {"plan": "group", "members": 41, "association_members": 200}},
        {"reg": "rinko_renmei", "entry": "member_fee",
         "args": {"plan": "団体入会プラン（ワンコインプラン）", "members": 42, "association_members": 200}},
        # The same inputs typed as a form gives them: Number, BigInt, labels.
        {"reg": "rinko_renmei", "entry": "donation", "args": {"units": {"$int": "12345678901234567890"}}},
    ]
    out = jsdiff.run_node([g for _, _, g in compiled.values()], calls)
    assert [o.get("text") for o in out] == ["3,000円", "20.5%", "3,000円", "2,000円", "12,345,678,901,234,567,890,000円"]
    assert out[1]["value"] == {"$frac": "41/200"}
    assert out[4]["value"] == {"$int": "12345678901234567890000"}  # 12,345,678,901,234,567,890 × 1,000, exact


# --- read() ---------------------------------------------------------------------------

TEXTS = {
    "count": ["12,340", "１２，３４０", "2.5万", "1億", "1億5,000万", "1億5千万", "3千", "0", "-5", "+7", " 42 ",
              "12,34", "1,2345", "5万1億", "1.5億5万", "abc", "", "2.5", "1/2", "4/2", "1/0", "75%", "10円", "10人",
              "10ヶ月", "10か月", "10 人", "10世帯", "10kg", "10人/世帯", "千", "1" * 50, "12.340"],
    "rate": ["75%", "７５％", "0.75", "3/4", "1/3", "1", "0", "120%", "-1/2", "abc", "1/0", "75人", "20.99%",
             "1.5万%", "%", "3//4"],
    "bool": ["はい", "いいえ", "true", "FALSE", "Yes", "no", "1", "0", "真", "偽", "ｔｒｕｅ", "maybe", ""],
    "date": ["2024-10-01", "2024/10/1", "2024年10月1日", "令和6年10月1日", "令和元年5月1日", "R6.10.1", "H30.4.1",
             "r6-10-1", "平成31年5月1日", "令和0年5月1日", "2024-02-30", "2023-02-29", "2024-02-29", "20241015",
             "10/1/2024", "明治5年1月1日", "明治6年1月1日", "２０２４年１０月１日", "0000-01-01", "0024-01-01", "nope"],
}


def _read_cases(reg):
    """(input name, type, text) for every input of ``reg`` and every text of its kind."""
    out = []
    for name, inp in reg.inputs.items():
        t = inp.type
        if isinstance(t, ir.QType):
            texts = TEXTS["count" if t.integral else "rate"] + [f"12{inp.unit_text}", f"1.5万{inp.unit_text}"]
        elif isinstance(t, ir.BoolType):
            texts = TEXTS["bool"]
        elif isinstance(t, ir.DateType):
            texts = TEXTS["date"]
        elif isinstance(t, ir.EnumType):
            vals = reg.enums[t.name].values
            texts = [n for n, _ in vals] + [lab for _, lab in vals] + [n.upper() for n, _ in vals] + ["nope", ""]
        else:
            continue
        out += [(name, t, text) for text in texts]
    return out


def _py_read(reg, name, t, text):
    try:
        v = parse_value(text, t, name, reg)
    except InputValueError as e:
        return {"error": [name, str(e)]}
    if isinstance(v, (int, Fraction)) and not isinstance(v, bool):
        return {"value": ("number", str(Fraction(v)))}
    return {"value": jsdiff.plain(v)}


def _js_read(out):
    v = out.get("value")
    if isinstance(v, dict):
        return {"value": ("number", v.get("$int") or v.get("$frac"))}
    return out


def test_read_agrees_with_the_command_line(compiled):
    """R.read(name, text) reads a form's text as `feedsl eval name=text` does."""
    cases, calls = [], []
    for name, (reg, _, _) in compiled.items():
        for inp, t, text in _read_cases(reg):
            cases.append((reg, inp, t, text))
            calls.append({"reg": name, "read": inp, "text": text})
    results = jsdiff.run_node([g for _, _, g in compiled.values()], calls)
    wrong = []
    errors = 0
    for (reg, inp, t, text), js in zip(cases, results, strict=True):
        py = _py_read(reg, inp, t, text)
        if isinstance(py.get("value"), tuple):
            py["value"] = list(py["value"])
        js = _js_read(js)
        if isinstance(js.get("value"), tuple):
            js["value"] = list(js["value"])
        if py != js:
            wrong.append(f"{inp}={text!r}: python {py}, js {js}")
        errors += "error" in py
    assert not wrong, "\n".join(wrong[:20])
    assert errors > 20 and len(cases) - errors > 50, (errors, len(cases))


# --- generated regulations -------------------------------------------------------------

def test_generated_regulations_agree():
    """Regulations from tests/regen.py (a derandomized sample): each checked-clean
    one compiles to JavaScript that agrees with its Python module on random inputs."""
    found = []

    @settings(max_examples=100, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(["mixed", "enums", "records", "tables", "conditional", "names"]).flatmap(regulations))
    def collect(text):
        src = SourceFile("generated.fee", text)
        reg, _ = check_source(src)
        if reg is not None:
            found.append((reg, src))

    collect()
    assert len(found) > 50, f"only {len(found)} generated regulations checked clean"
    calls, scripts, mods = [], [], {}
    for k, (reg, src) in enumerate(found):
        name = f"g{k}_{reg.name}"
        reg = _renamed(reg, name)
        mods[name] = (reg, module_from_source(compile_source(src).python, f"feedsl_js_test_{k}", "<generated>"))
        scripts.append(generate(reg, runtime=k == 0))
        rnd = random.Random(k)
        sp = jsdiff.specials(reg)
        for entry in reg.rules:
            for _ in range(8):
                calls.append({"reg": name, "entry": entry, "args": jsdiff.random_args(rnd, reg, entry, sp, wrong=0.03)})
    results = jsdiff.run_node(scripts, [{**c, "args": jsdiff.to_js(c["args"])} for c in calls])
    values, errors = _compare(calls, results, mods)
    assert values > len(calls) // 4, (values, errors)


def _renamed(reg, name):
    import attrs

    return attrs.evolve(reg, name=name)


# --- the script itself --------------------------------------------------------------------

def test_script_is_plain_and_safe(compiled):
    """No module syntax, no eval; author text only inside string literals."""
    for reg, _, src in compiled.values():
        assert not re.search(r"^\s*(import|export)\b", src, re.M)
        assert "eval(" not in src and "new Function" not in src and "Function(" not in src
        assert "</" not in src and "\u2028" not in src and "\u2029" not in src
    assert js_str("</script><!--\u2028") == '"\\u003c/script\\u003e\\u003c!--\\u2028"'


def test_hostile_labels_stay_data(tmp_path):
    """A label that closes the script element or looks like code stays a string."""
    text = ('規程 t 「</script><script>alert(1)</script>」\n'
            '入力 n: 人 「\\"); process.exit(3); (\\"」\n'
            '規則 fee 「`${process.exit(4)}` // */」 = n × 2円/人\n')
    reg, diags = check_source(SourceFile("t.fee", text))
    assert reg is not None, [d.message for d in diags]
    src = generate(reg)
    assert "</script" not in src
    out = jsdiff.run_node([src], [{"reg": "t", "entry": "fee", "args": {"n": {"$int": "3"}}}])
    assert out[0]["text"] == "6円"


def test_version_in_force():
    """A module loaded for a date (版): R.version names it, its entries agree with
    the Python module of that version, and an entry a later version brings
    throws the same FeeInputError (input as_of) as the Python one."""
    from feedsl.codegen.javascript import from_module

    mod = load("regulations/hokkaido_shakyo.fee", as_of="2010-04-01")
    reg = mod.__feedsl_ir__
    missing = sorted(mod.__feedsl_unavailable__)
    assert missing, "hokkaido_shakyo in 2010 should lack the 2018 entries"
    rnd = random.Random("version")
    sp = jsdiff.specials(reg)
    calls = [{"reg": reg.name, "entry": e, "args": jsdiff.random_args(rnd, reg, e, sp)} for e in reg.rules for _ in range(40)]
    calls += [{"reg": reg.name, "entry": e, "args": {}} for e in missing]
    results = jsdiff.run_node([from_module(mod)], [{**c, "args": jsdiff.to_js(c["args"])} for c in calls] +
                              [{"reg": reg.name, "meta": "version"}])
    assert results[-1]["value"] == mod.VERSION and mod.VERSION["name"] == "levy2001"
    values, errors = _compare(calls, results[:-1], {reg.name: (reg, mod)})
    assert values > 0 and errors >= len(missing)
    assert any(r.get("error", [""])[0] == "as_of" for r in results)


def test_cli_writes_scripts(tmp_path):
    """feedsl compile --js writes <name>.js, a script that runs on its own."""
    from feedsl.cli import main

    assert main(["compile", "regulations/rinko_renmei.fee", "--js", "-o", str(tmp_path)]) == 0
    script = (tmp_path / "rinko_renmei.js").read_text("utf-8")
    # donation: 2口 × 1,000円/口 = 2,000円
    out = jsdiff.run_node([script], [{"reg": "rinko_renmei", "entry": "donation", "args": {"units": 2}}])
    assert out[0]["text"] == "2,000円"


def test_deep_regulation():
    """Long constructs (a 300-term sum, a chain of 200 rules, 120 nested もし) load
    and compute in Node's default stack, as in a browser, and agree with Python."""
    lines = ["規程 deep 「深い規則」", "入力 n: 人 「人数」", "規則 r0 「段0」 = n × 1円/人"]
    lines += [f"規則 r{k} 「段{k}」 = r{k - 1} + 1円" for k in range(1, 200)]
    lines.append("規則 total 「合計」 = " + " + ".join(f"n × {k}円/人" for k in range(1, 301)))
    nested = "0円"
    for k in range(1, 121):  # the outermost もし tests 120人以上, the innermost 1人以上
        nested = f"もし n が {k}人以上 ならば {k}円 そうでなければ ({nested})"
    lines.append(f"規則 step 「段階」 = {nested}")
    src = SourceFile("deep.fee", "\n".join(lines) + "\n")
    compiled = compile_source(src)
    assert compiled.ok, [d.message for d in compiled.diagnostics]
    reg = compiled.ir
    mod = module_from_source(compiled.python, "feedsl_js_deep", "<deep>")
    calls = [{"reg": "deep", "entry": e, "args": {"n": n}} for e in ("r199", "total", "step") for n in (0, 7, 119, 120, 121)]
    results = jsdiff.run_node([generate(reg)], calls)
    # r199 = n + 199円; total = n × (1 + … + 300) = n × 45,150円;
    # step = min(n, 120)円 (the first test that holds is the largest k ≤ n).
    ns = (0, 7, 119, 120, 121)
    expected = [n + 199 for n in ns] + [n * 45150 for n in ns] + [0, 7, 119, 120, 120]
    assert [int(r["value"]["$int"]) for r in results] == expected
    import sys

    old = sys.getrecursionlimit()
    sys.setrecursionlimit(20_000)  # comparing 300-level trees
    try:
        _compare(calls, results, {"deep": (reg, mod)})
    finally:
        sys.setrecursionlimit(old)


def test_unsafe_numbers_are_refused(compiled):
    """A Number past 2**53 may have lost digits already: refused as Python refuses a
    float (1e+20), while the same amount as BigInt is exact."""
    calls = [{"reg": "rinko_renmei", "entry": "donation", "args": {"units": 1e20}},
             {"reg": "rinko_renmei", "entry": "donation", "args": {"units": {"$int": str(10 ** 20)}}}]
    out = jsdiff.run_node([g for _, _, g in compiled.values()], calls)
    reg, mod, _ = compiled["rinko_renmei"]
    assert out[0] == jsdiff.py_call(mod, reg, "donation", {"units": 1e20})
    assert out[0]["error"][0] == "units" and "float 1e+20" in out[0]["error"][1]
    # 10**20口 × 1,000円/口 = 10**23円
    assert out[1]["value"] == {"$int": str(10 ** 23)}
