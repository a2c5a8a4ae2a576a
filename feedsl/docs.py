"""Human-readable pages (HTML and Markdown) from the checked IR.

Members and boards read fee tables, not code. Every page is rendered from the
same :class:`~feedsl.ir.RegulationIR` the compiler reads, and the examples on
it are computed by the compiled module, so a published table cannot drift
from what billing computes.

:func:`context` is a pure function from IR to plain dicts and strings (amounts
formatted, bounds written as a regulation writes them, formulas in Japanese
notation, chart geometry); :func:`environment` is the one Jinja environment
(autoescaping on, undefined names are errors) with the number filters;
:func:`render` and :func:`build_pages` turn contexts into files.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import re
from fractions import Fraction
from pathlib import Path

import jinja2
import markupsafe
from markupsafe import Markup

from . import ir
from .brackets import fmt_value
from .charts import featured, rate_table_chart
from .diagnostics import FeeCompileError
from .diagnostics import render as render_diagnostic
from .ir import BoolType, DateType, EnumType, ListType, QType, RecordType
from .outputs import INDEX_PAGE, page_clashes
from .values import read_date

TEMPLATE_PACKAGE = "feedsl.templates"
PAGE_TEMPLATES = {"html": "regulation.html.j2", "md": "regulation.md.j2"}
INDEX_TEMPLATE = "index.html.j2"


from .needed import only_text
from .words import (  # noqa: F401  (fmt_yen and friends are part of docs' API too)
    FILTERS,
    P_ADD,
    P_ATOM,
    P_OR,
    Words,
    fmt_date,
    fmt_num,
    fmt_percent,
    fmt_quantity,
    fmt_yen,
    rounding_text,
)


# --- the page context -------------------------------------------------------

def _anchor(rule_name: str) -> str:
    return f"rule-{rule_name}"


def _value_text(v, t, reg: ir.RegulationIR) -> str:
    """An input or example value as a reader writes it."""
    if isinstance(t, BoolType) or isinstance(v, bool):
        return "はい" if v else "いいえ"
    if isinstance(t, EnumType):
        return Words(reg).enum_label(t.name, str(getattr(v, "value", v)))
    if isinstance(t, DateType) and isinstance(v, datetime.date):
        return fmt_date(v)
    if isinstance(t, RecordType):
        rec = reg.records.get(t.name)
        fields = {f.name: f for f in rec.fields} if rec else {}
        parts = []
        for k, x in dict(v).items():
            f = fields.get(k)
            parts.append(f"{f.label if f else k} {_value_text(x, f.type if f else None, reg)}")
        return "、".join(parts) or "（既定値のみ）"
    if isinstance(t, ListType):
        items = list(v)
        if not items:
            return "なし（0件）"
        return " ".join(f"［{_value_text(x, t.element, reg)}］" for x in items)
    if isinstance(t, QType) and isinstance(v, (int, Fraction)):
        return fmt_quantity(v, t)
    return str(v)


def _input_row(i: ir.InputIR, reg) -> dict:
    if isinstance(i.type, QType):
        unit = "割合（%）" if i.type.is_rate else str(i.type)
    elif isinstance(i.type, EnumType):
        e = reg.enums.get(i.type.name)
        members = i.type.members
        unit = "・".join(label for n, label in e.values if members is None or n in members) if e else str(i.type)
    elif isinstance(i.type, BoolType):
        unit = "はい・いいえ"
    elif isinstance(i.type, DateType):
        unit = "日付"
    elif isinstance(i.type, RecordType):
        unit = reg.records[i.type.name].label if i.type.name in reg.records else str(i.type)
    elif isinstance(i.type, ListType) and isinstance(i.type.element, RecordType):
        el = i.type.element.name
        unit = (reg.records[el].label if el in reg.records else el) + "の一覧"
    else:
        unit = str(i.type)
    domain = ""
    if isinstance(i.type, QType) and i.minimum:
        domain = f"{fmt_quantity(i.minimum, i.type)}以上"
    return {
        "name": i.name,
        "label": i.label,
        "unit": unit,
        "default": _value_text(i.default, i.type, reg) if i.has_default else "",
        "domain": domain,
        "description": i.description,
        # 必要 …: 「施設の種類が通所介護事業所でないときのみ」 in place of 必須.
        "needed": only_text(i)[1:-1] if i.needed is not None else "",
    }


def _notes(rule) -> list[dict]:
    """The 注 and 解釈 of a rule or table (its 原文 lines are shown apart, beside the rule)."""
    return [{"kind": kind, "text": text, "interpretation": kind == "解釈"}
            for kind, text in rule.notes if kind != "原文"]


def _original(rule) -> list[str]:
    """The clause text a rule or table carries (原文 「…」), a paragraph a line."""
    return [text for kind, text in rule.notes if kind == "原文"]


def _table(reg, rule: ir.RuleIR, words: Words) -> dict:
    lk: ir.Lookup = rule.expr
    key_type = getattr(lk.key, "type", None)
    key_label = words.text(lk.key, P_ATOM)
    enum_name = words.enum_of(lk.column) if lk.column is not None else None
    if lk.column_names:
        columns = [words.enum_label(enum_name or "", c) for c in lk.column_names]
    else:
        # A table of rates (75%, 月割りの割合) shows 割合 over its column, not 金額.
        columns = ["割合" if isinstance(rule.type, QType) and rule.type.is_rate else "金額"]
    rows = []
    by_month = ir.is_month_table(lk)
    for r in lk.rows:
        rows.append(dict(_band_cell(r, key_type, by_month),
                         amounts=[fmt_quantity(v, rule.type) if v is not None else "—" for v in r.values]))
    column_label = words.text(lk.column, P_ATOM) if lk.column is not None else ""
    return {
        "key": key_label,
        "key_unit": str(key_type) if isinstance(key_type, QType) and not key_type.is_rate else "%",
        "column_heading": column_label,
        "caption": f"{key_label}と{column_label}による" if column_label else f"{key_label}による",
        "columns": columns,
        "rows": rows,
        "chart": rate_table_chart(lk, rule, key_label, columns),
    }


def _cat_table(reg, t: ir.CatTableIR) -> dict:
    """A category table as the regulation prints it: 区分 | ①施設割 | ②定員割…,
    one row per category (a group label where one row stands for several
    values), なし cells as written (なし or —)."""
    en = reg.enums[t.enum]
    rows = [{"band": r.text, "range": "",
             "amounts": [r.cell_texts[k] if v is None else fmt_quantity(v, c.type)
                         for k, (v, c) in enumerate(zip(r.cells, t.columns))]}
            for r in t.rows]
    caption = f"{en.label}ごと"
    notes = _notes(t)
    written = "・".join(dict.fromkeys(x for r in t.rows for x in r.cell_texts if x))
    if written:
        meaning = "0として計算します" if t.none_zero else "その区分には当たらないことを表します"
        notes.insert(0, {"kind": "注", "text": f"「{written}」の欄は、{meaning}。", "interpretation": False})
    table = {"key": t.heading, "key_unit": "", "column_heading": "", "caption": caption,
             "columns": [c.label for c in t.columns], "rows": rows, "chart": None}
    return {
        "name": t.name, "anchor": _anchor(t.name), "label": t.label, "clause": t.clause, "unit": "",
        "formula": "", "cases": [], "rounding": "", "is_table": True, "table": table,
        "params": [{"label": t.key_label, "unit": "・".join(label for _, label in en.values), "domain": ""}]
        if t.params else [],
        "inputs": [] if t.params else [t.key_label],
        "notes": notes,
        "original": _original(t),
    }


def _with_cat_tables(reg, rules: list[dict]) -> list[dict]:
    """Rules and category tables in the order the file declares them."""
    cats = [(t.span.line if t.span else 0, _cat_table(reg, t)) for t in reg.cat_tables.values()]
    if not cats:
        return rules
    lines = [(r.span.line if r.span else 0) for r in reg.rules.values()]
    out = []
    for line, r in zip(lines, rules):
        while cats and cats[0][0] < line:
            out.append(cats.pop(0)[1])
        out.append(r)
    out.extend(c for _, c in cats)
    return out


def _cat_of(node) -> tuple[str, tuple] | None:
    """The category table a value is made of, for the 一覧 summary: a sum of its
    columns, possibly chosen by conditions (表3's 事業所定額 ＋ 併設なら加算), with
    nothing else that computes (no ×, no other rule): then the table's rows are
    the amounts the 一覧 lists, with the columns read. None for any other value."""
    tables = set()

    def shaped(x) -> bool:
        if isinstance(x, ir.CatLookup):
            tables.add(x.table)
            columns.setdefault(x.column, None)
            return x.fallback is None or isinstance(x.fallback, ir.Const)
        if isinstance(x, ir.Const):
            return True
        if isinstance(x, ir.Arith):
            return x.op == "+" and shaped(x.left) and shaped(x.right)
        if isinstance(x, ir.Cond):
            return shaped(x.then) and shaped(x.else_)
        return False

    columns: dict[str, None] = {}  # the columns read, in order
    if shaped(node) and len(tables) == 1:
        return tables.pop(), tuple(columns)
    return None


def _band_cell(row: ir.TRow, key_type, by_month: bool = False) -> dict:
    """A row's band on a page: ``band`` as the regulation prints it (the row's
    表記, else the band as the file writes it), and ``range``, the band the
    checker resolved (20,001～30,000人), where it reads differently from that
    wording; the page labels it 範囲, never as the regulation's words."""
    wording = row.printed or row.text
    if by_month or row.interval is None:
        return {"band": wording, "range": ""}
    resolved = range_text(row, key_type)
    same = _plain(resolved) == _plain(wording) or _plain(row.display) == _plain(wording)
    return {"band": wording, "range": "" if same else resolved}


def _plain(text: str) -> str:
    """A band's text without separators and units, to tell wordings that say the
    same (1人～19人, 1～19人) from a shorthand (3万人以下 for 20,001～30,000人)."""
    text = text.replace(",", "").replace("，", "").replace("％", "%").replace(" ", "")
    text = re.sub(r"[^\d.～%以上下未満超]", "", text)
    return text[:-2] if "～" in text and text.endswith("以下") else text


def range_text(row: ir.TRow, key_type) -> str:
    """A band resolved, in the words a member reads: 20,001～30,000人, 401人以上,
    50人以下, 21%以上～51%未満 (never 1～19人以下)."""
    text = band_text(row, key_type)
    if "～" in text and text.endswith("以下") and isinstance(key_type, QType) and key_type.integral:
        return text[:-2]
    return text


def band_text(row: ir.TRow, key_type) -> str:
    """A band as a regulation writes it. On a count's whole numbers a band is
    shown by its first and last value (20人以上～30人未満 is 20～29人以下);
    otherwise the checker's exact display (21%以上～51%未満)."""
    iv = row.interval
    if iv is None:
        return "それ以外"
    if not (isinstance(key_type, QType) and key_type.integral):
        return row.display
    a = None if iv.lo is None else (math.ceil(iv.lo) if iv.lo_incl else math.floor(iv.lo) + 1)
    b = None if iv.hi is None else (math.floor(iv.hi) if iv.hi_incl else math.ceil(iv.hi) - 1)
    if a is None and b is None:
        return row.display
    if a is None:
        return f"{fmt_value(b, key_type)}以下"
    if b is None:
        return f"{fmt_value(a, key_type)}以上"
    if a == b:
        return fmt_value(a, key_type)
    return f"{a:,}～{fmt_value(b, key_type)}以下"


def _rule(reg, rule: ir.RuleIR, tables_by_rule: dict) -> dict:
    words = Words(reg, rule)
    expr = rule.expr
    rounding = ""
    if isinstance(expr, ir.Round) and isinstance(expr.value, (ir.Match, ir.Branches, ir.Cond)):
        rounding = rounding_text(expr)  # each case is rounded alike
        expr = expr.value
    cases = []
    if isinstance(expr, ir.Match):
        cases = words.match_cases(expr)
    elif isinstance(expr, ir.Branches):
        cases = words.branch_cases(expr)
    elif isinstance(expr, ir.Cond):
        cases = [(words.text(expr.cond, P_OR), words.text(expr.then, P_ADD)),
                 ("それ以外", words.text(expr.else_, P_ADD))]
    params = [{"label": words.param_label(p), "unit": _input_row(p, reg)["unit"],
               "domain": _input_row(p, reg)["domain"]} for p in rule.param_inputs]
    inputs = [reg.inputs[n].label for n in rule.inputs if n in reg.inputs]
    return {
        "name": rule.name,
        "anchor": _anchor(rule.name),
        "label": rule.label,
        "clause": rule.clause,
        "unit": _unit_text(rule.type),
        "formula": "" if cases or rule.is_table else words(expr),
        "cases": [{"when": w, "then": t} for w, t in cases],
        "rounding": rounding,
        "is_table": rule.is_table,
        "table": tables_by_rule.get(rule.name),
        "params": params,
        "inputs": inputs,
        "notes": _notes(rule),
        "original": _original(rule),
    }


def _unit_text(t) -> str:
    if isinstance(t, QType):
        return "割合（%）" if t.is_rate else str(t)
    if isinstance(t, BoolType):
        return "はい・いいえ"
    return str(t)


def _summary(reg, title: str, names: tuple, tables: dict) -> dict:
    """A 年会費一覧表 from the rules a 一覧 line names: each rule's fixed
    amounts by case, and its bracket table inline (one column) or by reference."""
    rows = []
    for name in names:
        rule = reg.rules[name]
        words = Words(reg, rule)
        items = []

        def amount(node, case):
            target = node
            if isinstance(node, ir.RuleRef) and reg.rules[node.name].is_table:
                target = reg.rules[node.name]
            elif isinstance(node, ir.Lookup):
                target = rule
            if isinstance(target, ir.RuleIR):
                table = tables[target.name]
                item = {"case": case, "text": "", "ref": {"label": target.label, "clause": target.clause,
                                                         "anchor": _anchor(target.name)},
                        "bands": []}
                if len(table["columns"]) == 1:
                    item["bands"] = [{"band": r["band"], "amount": r["amounts"][0]} for r in table["rows"]]
                return item
            return {"case": case, "text": words.text(node, P_ADD), "ref": None, "bands": []}

        expr = rule.expr
        cat = _cat_of(expr) if not isinstance(expr, (ir.Match, ir.Branches)) else None
        if cat is not None:
            # A rule made from a category table: the table's rows, as the
            # regulation's 参考 table lists them (老人福祉施設 20,000円 …), in
            # the columns the rule reads (入会金 alone for a rule of 入会金).
            t = reg.cat_tables[cat[0]]
            for r in t.rows:
                cells = [f"{c.label} {r.cell_texts[k] if v is None else fmt_quantity(v, c.type)}"
                         for k, (v, c) in enumerate(zip(r.cells, t.columns)) if c.name in cat[1]]
                items.append({"case": r.text, "text": "、".join(cells), "ref": None, "bands": []})
        elif isinstance(expr, ir.Match):
            enum_name = words.enum_of(expr.subject) or ""
            for members, value in expr.arms:
                shown = members or words.rest_members(enum_name, expr.arms)
                case = words.members_text(enum_name, shown) if shown else "それ以外"
                items.append(amount(value, case))
        elif isinstance(expr, ir.Branches):
            for (case, _), (_, value) in zip(words.branch_cases(expr), expr.arms):
                items.append(amount(value, case))
        else:
            items.append(amount(expr, ""))
        rows.append({"label": rule.label, "clause": rule.clause, "anchor": _anchor(name), "entries": items,
                     "notes": [n for n in _notes(rule) if not n["interpretation"]]})
    return {"title": title, "rows": rows}


def _one_line(reg, rule: ir.RuleIR, tables: dict) -> str:
    """A rule's amount in one line for the 会費一覧: a fixed amount (5,000円),
    amounts by case (団体 10,000円・個人 5,000円), a table's span (人口により
    50,000円～320,000円), a price per unit (1口につき 10,000円); else a pointer
    to the rule's section."""
    words = Words(reg, rule)
    expr = rule.expr
    if isinstance(expr, ir.RuleRef) and not expr.args and expr.name in reg.rules:
        return _one_line(reg, reg.rules[expr.name], tables)
    if isinstance(expr, ir.Const) and isinstance(rule.type, QType):
        return fmt_quantity(expr.value, rule.type)
    if isinstance(expr, ir.Match) and all(isinstance(v, ir.Const) for _, v in expr.arms):
        enum_name = words.enum_of(expr.subject) or ""
        return "・".join(f"{words.members_text(enum_name, m or words.rest_members(enum_name, expr.arms))} "
                        f"{fmt_quantity(v.value, rule.type)}" for m, v in expr.arms)
    if rule.name in tables and isinstance(expr, ir.Lookup):
        values = [v for r in expr.rows for v in r.values if v is not None]
        t = tables[rule.name]
        key = f"{t['key']}と{t['column_heading']}" if t["column_heading"] else t["key"]
        return f"{key}により {fmt_quantity(min(values), rule.type)}～{fmt_quantity(max(values), rule.type)}"
    if isinstance(expr, ir.Arith) and expr.op == "×":
        for count, price in ((expr.left, expr.right), (expr.right, expr.left)):
            t = getattr(price, "type", None)
            if isinstance(price, ir.Const) and isinstance(t, QType) and isinstance(count, ir.InputRef):
                per = [k for k, v in t.dim if v == -1]
                if len(per) == 1:
                    return f"1{per[0]}につき {fmt_num(price.value)}円"
    return f"「{rule.label}」のとおり"


def _overview(reg, tables: dict) -> dict | None:
    """The 会費一覧 the file's 一覧 block describes: one row per member type,
    its cells (an amount or rule in one line, linked to its section), then
    the notes (納期限, 免除, 問い合わせ, 注)."""
    o = reg.overview
    if o is None:
        return None
    rows = []
    for label, cells in o.rows:
        out = []
        for c in cells:
            if c[0] == "rule":
                rule = reg.rules[c[1]]
                out.append({"text": _one_line(reg, rule, tables), "anchor": _anchor(rule.name)})
            elif c[0] == "linked":
                out.append({"text": c[1], "anchor": _anchor(c[2])})
            else:
                out.append({"text": c[1], "anchor": ""})
        rows.append({"label": label, "cells": out,
                     "anchor": next((c["anchor"] for c in out if c["anchor"]), "")})
    heading = {"納期限": "納期限", "免除": "会費の免除", "問い合わせ": "問い合わせ先", "注": "注"}
    notes = [{"kind": k, "heading": heading[k], "text": t} for k, t in o.notes]
    return {"title": o.title, "columns": list(o.columns), "rows": rows, "notes": notes}


def _versions(path, source_text: str) -> list[dict]:
    """The versions (版) the file knows, newest first: 施行 and 適用 apart, 和暦 with 西暦."""
    if "版" not in source_text:
        return []
    from .loader import _timeline

    tl = _timeline(str(path), source_text)  # the one feedsl.load has just cached
    if tl is None:
        return []
    return [{"label": x.label, "enacted": fmt_date(x.enacted),
             "applies": fmt_date(x.applies) if x.applies else "", "name": x.name}
            for x in reversed(tl.versions)]


def _examples(reg, module) -> list[dict]:
    """Every 例 of the file, its amount computed now by the compiled module."""
    from .examples import run_examples

    out = []
    for ex, r in zip(reg.examples, run_examples(module)):
        rule = reg.rules[ex.entry]
        types = {n: reg.inputs[n].type for n in rule.inputs}
        labels = {n: reg.inputs[n].label for n in rule.inputs}
        for p in rule.param_inputs:
            types[p.name] = p.type
            labels[p.name] = Words(reg, rule).param_label(p)
        args = [{"label": labels.get(k, k), "value": _value_text(v, types.get(k), reg)} for k, v in ex.kwargs]
        is_error = isinstance(r.got, Exception)
        result = "入力エラー" if is_error else fmt_quantity(r.got, rule.type)
        detail = _member_words(str(r.got).split(" / ")[0].split(": ")[0]) if is_error else ""
        expected = "入力エラー" if ex.expected is None else fmt_quantity(ex.expected, rule.type)
        out.append({"rule": rule.label, "clause": rule.clause, "anchor": _anchor(rule.name), "args": args,
                    "result": result, "detail": detail, "ok": r.ok, "expected": expected,
                    "is_error": is_error, "caption": ex.caption,
                    "breakdown": _breakdown(module, ex) if ex.caption and not is_error else None})
    return out


_NAMED = re.compile(r"(?:入力 )?[A-Za-z_][A-Za-z0-9_]*（([^（）]*)）\s?(?:\[(\d+)\])?\s?")


def _member_words(message: str) -> str:
    """An input error in a member's words: the input's label, not its name
    (入力 supporters（特例賛助会員の事業所）[1] の入力 capacity（定員）がありません →
    「特例賛助会員の事業所」の2件目の「定員」がありません)."""
    text = _NAMED.sub(lambda m: f"「{m[1]}」" + (f"の{int(m[2]) + 1}件目" if m[2] else ""), message)
    return text.replace("の入力 「", "の「").replace("」 の「", "」の「")


def _breakdown(module, ex) -> dict:
    """A published example's breakdown, from the module's explain(): each rule
    that contributed, its amount and what happened there, nested."""
    e = module.explain(ex.entry, **dict(ex.kwargs))

    def node(n) -> dict:
        return {"label": n.label, "clause": n.clause, "value": n.value_text,
                "steps": [s.text for s in n.steps], "children": [node(c) for c in n.children]}

    return node(e.root)


def context(reg: ir.RegulationIR, module=None, source_name: str = "", source_digest: str = "",
            source_text: str | None = None) -> dict:
    """Everything a page shows, as plain dicts and strings.

    ``module`` is the compiled module (``feedsl.load``) used to compute the
    examples; without it the examples are left out.
    """
    from .calculator import context as calculator_context

    meta: dict[str, list[str]] = {}
    for k, v in reg.meta:
        meta.setdefault(k, []).append(v)
    tables = {}
    for name, rule in reg.rules.items():
        if rule.is_table and isinstance(rule.expr, ir.Lookup):
            tables[name] = _table(reg, rule, Words(reg, rule))
    rules = _with_cat_tables(reg, [_rule(reg, r, tables) for r in reg.rules.values()])
    shown = featured(reg, module)
    for r in rules:  # a rate table's own chart, then the charts chosen for the rule (charts.py)
        own = r["table"]["chart"] if r.get("table") else None
        r["charts"] = ([own] if own else []) + shown.get(r["name"], [])
    relations = [{"label": r.label, "text": Words(reg)(r.expr)} for r in reg.relations]
    enums = [{"label": e.label, "values": [label for _, label in e.values]} for e in reg.enums.values()]
    records = [{"label": r.label, "fields": [_input_row(f, reg) for f in r.fields]} for r in reg.records.values()]
    interpretations = [{"rule": r["label"], "anchor": r["anchor"], "text": n["text"]}
                       for r in rules for n in r["notes"] if n["interpretation"]]
    examples = _examples(reg, module) if module is not None else []
    versions = _versions(reg.path, reg.source_text if source_text is None else source_text)
    technical = {
        "rules": [{"label": r["label"], "name": r["name"]} for r in rules],
        "inputs": [{"label": i.label, "name": i.name} for i in reg.inputs.values()],
        "enums": [{"label": e.label, "name": e.name, "members": [{"label": lb, "name": n} for n, lb in e.values]}
                  for e in reg.enums.values()],
        "versions": [{"label": v["label"], "name": v["name"]} for v in versions],
    }
    return {
        "name": reg.name,
        "title": reg.label,
        "overview": _overview(reg, tables),
        "versions": versions,
        "published": [e for e in examples if e["caption"]],
        "technical": technical,
        "sources": meta.get("出典", []),
        "effective": [fmt_date(read_date(d)) for d in meta.get("施行", [])],
        "originals": meta.get("原文", []),
        "fiscal_year": f"{reg.fy_start}月始まり",
        "descriptions": meta.get("説明", []),
        "source_name": source_name,
        "source_digest": source_digest,
        "enums": enums,
        "records": records,
        "inputs": [_input_row(i, reg) for i in reg.inputs.values()],
        "relations": relations,
        "rules": rules,
        "tables": [dict(tables[r["name"]], label=r["label"], clause=r["clause"], anchor=r["anchor"])
                   for r in rules if r["name"] in tables],
        "summaries": [_summary(reg, title, names, tables) for title, names in reg.summaries],
        "interpretations": interpretations,
        "examples": [e for e in examples if not e["caption"]],
        # The calculator (_calculator.html.j2): the form spec and the regulation compiled to JavaScript.
        "calculator": calculator_context(reg, module),
    }


# --- rendering --------------------------------------------------------------

def environment(templates: str | Path | None = None) -> jinja2.Environment:
    """The one Jinja environment: autoescaping on, undefined names are errors,
    files end as templates end; the number filters registered here.

    Every value a Markdown template (``*.md.j2``, ``*.md``) outputs goes
    through :func:`md_text` first, so author text shows as text on GitHub the
    way HTML autoescaping keeps it text in a browser.

    ``templates`` is a directory of the user's own templates, searched before
    the package's.
    """
    loaders = []
    if templates is not None:
        loaders.append(jinja2.FileSystemLoader(str(templates)))
    loaders.append(jinja2.PackageLoader("feedsl", "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.filters.update(FILTERS)
    env.filters["md"] = md_text
    env.filters["css_string"] = css_string
    return env


MARKDOWN_TEMPLATE_SUFFIXES = (".md.j2", ".md")


@jinja2.pass_context
def _finalize(ctx, value):
    if (ctx.name or "").endswith(MARKDOWN_TEMPLATE_SUFFIXES):
        return md_text(value)
    return value


# Characters with a meaning inside a GitHub Markdown line: code, emphasis,
# links and images, strikethrough, table cells, math, the escape itself. An
# underscore inside a word (hokkaido_shakyo) means nothing and stays bare.
_MD_INLINE = re.compile(r"[\\`*\[\]~|$]|_(?![^\W_])|(?<![^\W_])_")
# What GitHub links without any brackets: the ":" of https://…, the "." of www.…
_MD_BARE_LINK = re.compile(r":(?=//)|(?<=[wW]{3})\.")
# Text before a mark that starts a heading, list, rule or setext line (# - + =, "1." or "1)").
_MD_LINE_START = re.compile(r"^ ?(?=[#+=-])|^ ?\d+(?=[.)](?:[ \t]|$))")


def md_text(value) -> Markup:
    """Text shown literally in a GitHub-flavoured Markdown page.

    Link, image, emphasis, code, strikethrough, math and table syntax is
    backslash-escaped, bare ``https://`` and ``www.`` lose the character that
    makes them links, a heading or list mark at the start is escaped, runs of
    spaces, tabs and line breaks become one space (no indented code block, no
    hard break: HTML collapses them too), and ``<``, ``>``, ``&`` become
    entities, so ``<script>`` and ``<https://x>`` are text. An e-mail address
    is still linked by GitHub, to exactly the address shown. Text already
    escaped (``Markup``) is returned as it is.

    >>> print(md_text("![地図](https://x.example/a.png) <b>"))
    !\\[地図\\](https\\://x.example/a.png) &lt;b&gt;
    """
    if isinstance(value, Markup):
        return value
    text = re.sub(r"[ \t\r\n]{2,}|[\t\r\n]", " ", str(value))
    text = _MD_INLINE.sub(r"\\\g<0>", text)
    text = _MD_BARE_LINK.sub(r"\\\g<0>", text)
    text = _MD_LINE_START.sub(lambda m: m.group(0) + "\\", text, count=1)
    return markupsafe.escape(text)


def css_string(value) -> Markup:
    """Text as a quoted CSS string inside a ``<style>`` element (the printed
    page's running title). Quotes, backslashes, ``<``, ``>``, ``&`` and every
    control character are written as CSS hex escapes, so author text can end
    neither the string nor the element.

    >>> print(css_string('会費「A」</style>"'))
    "会費「A」\\3c /style\\3e \\22 "
    """
    out = []
    for ch in str(value):
        if ch in "\\\"'<>&" or ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return Markup('"' + "".join(out) + '"')


def render(env: jinja2.Environment, template: str, ctx: dict) -> str:
    return env.get_template(template).render(**ctx)


def regulation_context(path: str | Path) -> dict:
    """Compile and load one .fee file and build its page context.

    Raises :class:`~feedsl.diagnostics.FeeCompileError` when the file has errors.
    """
    return _load(path)[1]


def _load(path: str | Path) -> tuple[ir.RegulationIR, dict]:
    from .api import load, read_source
    from .depth import run_deep

    src = read_source(path)
    module = load(path)
    digest = hashlib.sha256(src.text.encode()).hexdigest()[:12]
    reg = module.__feedsl_ir__
    # Rules are put in words by recursive walks: give them the compiler's deep stack.
    return reg, run_deep(context, reg, module, Path(path).name, digest, src.text)


def pages_for(ctx: dict, env: jinja2.Environment) -> dict[str, str]:
    """File name → text for one regulation."""
    return {f"{ctx['name']}.{ext}": render(env, tpl, ctx) for ext, tpl in PAGE_TEMPLATES.items()}


def index_page(contexts: list[dict], env: jinja2.Environment) -> str:
    regs = [{"name": c["name"], "title": c["title"], "sources": c["sources"],
             "effective": [f"{v['enacted']}施行" + (f"、{v['applies']}から適用" if v["applies"] else "")
                           for v in c["versions"][:1]] or [f"{d}施行" for d in c["effective"]],
             "html": f"{c['name']}.html", "md": f"{c['name']}.md",
             "tables": len(c["tables"]), "rules": len(c["rules"])}
            for c in sorted(contexts, key=lambda c: c["name"])]
    return render(env, INDEX_TEMPLATE, {"regulations": regs})


def build_pages(files, templates=None) -> dict[str, str]:
    """File name → text for every page of ``files`` and the index.

    Raises :class:`~feedsl.diagnostics.FeeCompileError` when a file has errors,
    and when two files have one 規程 name or a name takes the index page's
    (:func:`feedsl.outputs.page_clashes`): nothing is to be written then.
    """
    env = environment(templates)
    loaded = [_load(f) for f in files]
    clashes = page_clashes(reg for reg, _ in loaded)
    if clashes:
        raise FeeCompileError(clashes, {reg.path: reg.source_text for reg, _ in loaded})
    out: dict[str, str] = {}
    for _, c in loaded:
        out.update(pages_for(c, env))
    out[INDEX_PAGE] = index_page([c for _, c in loaded], env)
    return out


def stale_files(pages: dict[str, str], outdir: str | Path) -> list[str]:
    """The pages in ``outdir`` that are missing or differ from ``pages``."""
    outdir = Path(outdir)
    stale = []
    for name, text in sorted(pages.items()):
        p = outdir / name
        try:
            if p.read_bytes() != text.encode("utf-8"):
                stale.append(str(p))
        except OSError:
            stale.append(str(p))
    return stale


_GENERATED_MARKS = ('<meta name="generator" content="feedsl">', "<!-- generator: feedsl")


def leftover_pages(pages: dict[str, str], outdir: str | Path) -> list[str]:
    """Pages feedsl generated earlier in ``outdir`` that no source produces now
    (a regulation renamed or removed). Hand-written files are never listed."""
    outdir = Path(outdir)
    if not outdir.is_dir():
        return []
    out = []
    for p in sorted(outdir.iterdir()):
        if p.suffix not in (".html", ".md") or p.name in pages or not p.is_file():
            continue
        try:
            head = p.read_text("utf-8", errors="replace")[:2000]
        except OSError:
            continue
        if any(m in head for m in _GENERATED_MARKS):
            out.append(str(p))
    return out


def write_pages(pages: dict[str, str], outdir: str | Path) -> list[Path]:
    """Write pages, leaving files whose content is unchanged untouched."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in sorted(pages.items()):
        p = outdir / name
        data = text.encode("utf-8")
        try:
            if p.read_bytes() == data:
                continue
        except OSError:
            pass
        p.write_bytes(data)
        written.append(p)
    return written


# --- watching ---------------------------------------------------------------

def watch(paths, outdir, templates=None, *, stop_event=None, report=print, on_build=None,
          debounce_ms: int = 50, poll_ms: int = 200) -> None:
    """Rebuild the pages of each .fee file under ``paths`` when it changes.

    Builds everything once, then waits for changes (``watchfiles``: native
    file-system events, debounced ``debounce_ms``) until ``stop_event`` is set
    or the user presses Ctrl-C. A file with errors, or whose 規程 name clashes
    with another watched file's or the index page's, is reported through
    ``report`` and its last good pages are kept; watching goes on.
    ``on_build(path, ok)`` is called after each file is (re)built.

    A watched folder that is deleted (or replaced) is waited for: ``report``
    says so, the folder is looked for every ``poll_ms``, and when it is back
    every file in it is rebuilt and watching resumes. The only state kept
    between changes is one entry per .fee file present.
    """
    import threading

    import watchfiles

    from .examples import fee_files

    stop = stop_event if stop_event is not None else threading.Event()
    roots = [Path(p).resolve() for p in paths]
    root_dirs = {r for r in roots if r.is_dir()}
    dirs = sorted(root_dirs | {r.parent for r in roots if r not in root_dirs})
    outdir = Path(outdir)
    built: dict[Path, tuple[ir.RegulationIR, dict]] = {}  # each .fee file present: its IR and page context

    def wanted(p: Path) -> bool:
        return p.suffix == ".fee" and any(p == r or (r in root_dirs and r in p.parents) for r in roots)

    def show(diags, sources: dict) -> None:
        report("\n".join(render_diagnostic(d, sources.get(d.span.path) or _read(d.span.path), "ja")
                         for d in diags))

    def rebuild(p: Path) -> None:
        env = environment(templates)
        ok = False
        try:
            if p.exists():
                reg, ctx = _load(p)
                clashes = page_clashes([r for q, (r, _) in built.items() if q != p] + [reg])
                if clashes:
                    built.pop(p, None)
                    show(clashes, {r.path: r.source_text for r, _ in [*built.values(), (reg, ctx)]})
                else:
                    built[p] = (reg, ctx)
                    written = write_pages(pages_for(ctx, env), outdir)
                    ok = True
                    report(f"{p} → {', '.join(str(w) for w in written) or '変更なし'}")
            else:
                ok = True
                if built.pop(p, None) is not None:
                    report(f"{p} は削除されました（ページは残します）")
            write_pages({INDEX_PAGE: index_page([c for _, c in built.values()], env)}, outdir)
        except FeeCompileError as e:
            show(e.diagnostics, e.sources)
        except Exception as e:  # a broken template must not stop the watcher either
            report(f"{p}: {type(e).__name__}: {e}")
        if on_build is not None:
            on_build(p, ok)

    def identity(d: Path):
        try:
            st = d.stat()
        except OSError:
            return None
        return (st.st_dev, st.st_ino)

    gone: set[Path] = set()  # watched folders found missing or replaced, until they are back

    def lost(ds) -> None:
        for d in ds:
            if d not in gone:
                gone.add(d)
                report(f"フォルダ {d} が見つかりません。作り直されるのを待っています"
                       f" / folder {d} is gone; waiting for it to come back")

    try:
        while not stop.is_set():
            missing = [d for d in dirs if not d.is_dir()]
            if missing:
                lost(missing)
                stop.wait(poll_ms / 1000)
                continue
            for d in sorted(gone):
                report(f"フォルダ {d} が戻りました。ページを作り直して監視を続けます / folder {d} is back; rebuilding")
            gone.clear()
            ids = {d: identity(d) for d in dirs}
            present = {Path(f) for f in fee_files(roots)}
            for p in sorted(set(built) | present):  # a file gone while nobody watched is dropped too
                rebuild(p)
            report(f"監視中: {', '.join(map(str, dirs))}（Ctrl-C で終了） / watching")
            try:
                for changes in watchfiles.watch(*dirs, watch_filter=lambda _c, path: Path(path) in ids
                                                or wanted(Path(path)),
                                                debounce=debounce_ms, step=20, stop_event=stop,
                                                rust_timeout=poll_ms, yield_on_timeout=True,
                                                raise_interrupt=True):
                    for p in sorted({Path(path) for _, path in changes} - set(ids)):
                        rebuild(p)
                    deleted = {Path(path) for c, path in changes if c == watchfiles.Change.deleted}
                    replaced = [d for d in dirs if d in deleted or identity(d) != ids[d]]
                    if replaced:  # the watch on a deleted folder hears nothing any more
                        lost(replaced)
                        break
            except (OSError, RuntimeError) as e:  # the folder went while the watcher was starting
                report(f"監視を始め直します（{type(e).__name__}: {e}） / restarting the watch")
                stop.wait(poll_ms / 1000)
    except KeyboardInterrupt:  # pragma: no cover
        pass


def _read(path: str):
    try:
        return Path(path).read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
