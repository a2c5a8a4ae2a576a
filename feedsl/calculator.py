"""The calculator in each HTML page (issue 14): a form per entry, computed in the browser.

The page carries three scripts: the regulation compiled to JavaScript
(:func:`feedsl.codegen.javascript.generate`, which computes, reads typed text
and explains), ``templates/calculator.js`` (the form, the URL fragment, the
result) and :func:`form_spec` as JSON — what the form shows for each entry:
labels, units, enum options by label, record fields, defaults and the 必要
conditions, from the same IR the compiler checks. Nothing is fetched: the page
works opened from a file.

:func:`context` is what ``_calculator.html.j2`` renders; ``None`` when the
JavaScript backend is not available (the page then has no calculator).
"""

from __future__ import annotations

import datetime
import json
from pathlib import PurePath
from fractions import Fraction
from importlib import resources

import attrs
from markupsafe import Markup

from . import ir
from .ir import BoolType, DateType, EnumType, ListType, QType, RecordType
from .codegen.explain import unit_of
from .needed import only_text
from .words import Words, fmt_num, fmt_percent

__all__ = ["context", "form_spec", "script_json", "entry_order"]


# --- which entries, in which order --------------------------------------------

def _called(reg: ir.RegulationIR) -> set[str]:
    """The rules some other rule uses (parts of a fee rather than a fee)."""
    out: set[str] = set()
    for rule in reg.rules.values():
        todo = [rule.expr]
        while todo:
            e = todo.pop()
            if isinstance(e, ir.RuleRef) and e.name != rule.name:
                out.add(e.name)
            todo.extend(ir.children(e))
    return out


def entry_order(reg: ir.RegulationIR) -> tuple[list[str], list[str]]:
    """(main, parts): the fees a 一覧 names first (the first cell of each row of
    a 一覧 block, the rules of a one-line 一覧), then every rule no other rule
    uses (a fee a member asks for), in file order; ``parts`` are the rest (the
    steps of a fee: 基準世帯数, 連盟入会率), offered after them."""
    # The 一覧 block's rows name each member type's fee in their first cell.
    rows = reg.overview.rows if reg.overview is not None else ()
    firsts = [cells[0][-1] for _, cells in rows if cells and cells[0][0] in ("rule", "linked")]
    listed = [n for n in firsts + [n for _, names in reg.summaries for n in names] if n in reg.rules]
    called = _called(reg)
    main = list(dict.fromkeys(listed + [n for n in reg.rules if n not in called]))
    parts = [n for n in reg.rules if n not in main]
    return main, parts


# --- conditions (必要 …) as data ----------------------------------------------

def _condition(e, names: dict[str, str]):
    """A 必要 condition as JSON the page evaluates on the form's values, or None
    when it is not one of the simple shapes (the field is then always shown).

    ``names`` maps the condition's IR names (InputRef/ParamRef) to form keys."""
    if isinstance(e, ir.EnumIs) and isinstance(e.subject, (ir.InputRef, ir.ParamRef)):
        key = names.get(e.subject.name)
        return None if key is None else {"is": key, "in": list(e.members)}
    if isinstance(e, (ir.InputRef, ir.ParamRef)) and isinstance(e.type, BoolType):
        key = names.get(e.name)
        return None if key is None else {"true": key}
    if isinstance(e, ir.NotOp):
        x = _condition(e.operand, names)
        return None if x is None else {"not": x}
    if isinstance(e, ir.BoolOp):
        a, b = _condition(e.left, names), _condition(e.right, names)
        return None if a is None or b is None else {e.op: [a, b]}
    if isinstance(e, ir.Const) and isinstance(e.value, bool):
        return {"const": e.value}
    return None


# --- fields ---------------------------------------------------------------------

def _default_text(v, t) -> str:
    """A default as a member would type it (enums by name, as the fragment writes them)."""
    if isinstance(t, BoolType) or isinstance(v, bool):
        return "はい" if v else "いいえ"
    if isinstance(t, EnumType):
        return str(getattr(v, "value", v))
    if isinstance(t, DateType) and isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(t, QType) and isinstance(v, (int, Fraction)):
        return fmt_percent(v) if t.is_rate else fmt_num(v)
    return str(v)


def _field(reg, key: str, inp: ir.InputIR, label: str, t, needed=None, always: bool = False) -> dict:
    f: dict = {"key": key, "label": label, "description": inp.description or ""}
    if isinstance(t, QType):
        f["kind"] = "rate" if t.is_rate else "number"
        f["unit"] = unit_of(t)
        if inp.minimum:  # 0 is every count's floor: not worth saying
            unit = f["unit"] if not t.is_rate else ""
            shown = fmt_percent(inp.minimum) if t.is_rate else fmt_num(inp.minimum) + unit
            f["range"] = shown + ("超" if inp.min_exclusive else "以上")
    elif isinstance(t, BoolType):
        f["kind"] = "bool"
    elif isinstance(t, DateType):
        f["kind"] = "date"
    elif isinstance(t, EnumType):
        f["kind"] = "enum"
        e = reg.enums[t.name]
        f["options"] = [[n, lab] for n, lab in e.values if t.members is None or n in t.members]
    elif isinstance(t, RecordType):
        f["kind"] = "record"
        f["record"] = t.name
    elif isinstance(t, ListType) and isinstance(t.element, RecordType):
        f["kind"] = "list"
        f["record"] = t.element.name
    else:  # pragma: no cover - the checker allows no other input type
        raise TypeError(f"feedsl.calculator: no form field for {t}")
    if inp.has_default:
        f["default"] = _default_text(inp.default, t)
    f["required"] = not inp.has_default and (inp.needed is None or always)
    if inp.needed is not None and not always:
        f["only"] = only_text(inp)[1:-1]
        f["when"] = needed
    return f


def _entry(reg, rule: ir.RuleIR, words: Words) -> dict:
    fields = []
    for k, (pn, pt) in enumerate(rule.params):
        pin = rule.param_inputs[k]
        fields.append(_field(reg, pn, pin, words.param_label(pin), pt))
    names = {n: n for n in rule.inputs}
    for n in rule.inputs:
        inp = reg.inputs[n]
        cond = _condition(inp.needed, names) if inp.needed is not None else None
        fields.append(_field(reg, n, inp, inp.label, inp.type, cond, n in rule.always))
    return {"name": rule.name, "label": rule.label, "clause": rule.clause, "fields": fields}


def _record(reg, rec: ir.RecordIR) -> dict:
    names = {f.name: f.name for f in rec.fields}
    fields = [_field(reg, f.name, f, f.label, f.type,
                     _condition(f.needed, names) if f.needed is not None else None)
              for f in rec.fields]
    return {"label": rec.label, "fields": fields}


def form_spec(reg: ir.RegulationIR) -> dict:
    """Everything the page's form needs, as plain JSON data (no code)."""
    main, parts = entry_order(reg)
    words = {name: Words(reg, rule) for name, rule in reg.rules.items()}
    return {
        "regulation": reg.name,
        "main": main,
        "parts": parts,
        "entries": {n: _entry(reg, reg.rules[n], words[n]) for n in main + parts},
        "records": {n: _record(reg, r) for n, r in reg.records.items()},
    }


# --- embedding ------------------------------------------------------------------

def script_json(data) -> Markup:
    """JSON safe inside ``<script type="application/json">``: ``<``, ``>``, ``&``
    and the line separators are escaped, so author text can never end the
    element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return Markup(text)


def _inline_script(text: str, what: str) -> Markup:
    """A script to inline in the page; it must not end its own element."""
    low = text.lower()
    if "</script" in low or "<!--" in low:
        raise ValueError(f"feedsl.calculator: {what} cannot be inlined (contains </script or <!--)")
    return Markup(text)


def _asset(name: str) -> str:
    return resources.files("feedsl.templates").joinpath(name).read_text("utf-8")


def engine(reg: ir.RegulationIR, module=None) -> str | None:
    """The regulation compiled to JavaScript, or None when the JavaScript
    backend does not compile something in the file.
    ``module`` (``feedsl.load``) gives the 版 it was loaded for and the entries that
    version lacks, which then refuse in the page as they do in Python."""
    from .codegen import javascript

    # The script's first line names reg.path: the file name alone, so that a page
    # is the same whichever directory it is built from (docs --check, the tests).
    try:
        return javascript.generate(attrs.evolve(reg, path=PurePath(reg.path).name),
                                   version=getattr(module, "VERSION", None),
                                   unavailable=getattr(module, "__feedsl_unavailable__", None))
    except javascript.UnsupportedForJS:
        return None  # the page is still made, without a calculator rather than with a wrong one


def context(reg: ir.RegulationIR, module=None) -> dict | None:
    """What ``_calculator.html.j2`` shows: the spec, the two scripts and the CSS."""
    code = engine(reg, module)
    if code is None:
        return None
    return {
        "spec": script_json(form_spec(reg)),
        "engine": _inline_script(code, "the compiled regulation"),
        "ui": _inline_script(_asset("calculator.js"), "calculator.js"),
        "css": Markup(_asset("calculator.css")),
    }
