"""``feedsl compare OLD NEW``: what an amendment changes.

Three parts, all computed from the two checked IRs and compiled modules:

- the 新旧対照表: every rule, table and note that differs, 改正後 | 改正前, in
  the words the pages use (:mod:`feedsl.docs`), changed characters marked;
- exact change regions: for each changed bracket table the key ranges where
  the amount changes (on the union of both tables' bounds), and for each entry
  the inputs where the amount differs, over the partition of the input space by
  table bounds, conditions and rounding points (:mod:`feedsl.regions`);
- with a roster, the impact on every member (:mod:`feedsl.batch`'s Layout).
"""
from __future__ import annotations

import difflib
import re
from fractions import Fraction
from pathlib import Path

from markupsafe import Markup, escape

from . import goalseek, ir, regions
from .ir import QType
from .regions import entry_regions



# --- 新旧対照表 ------------------------------------------------------------

def clause_lines(rule: dict) -> list[str]:
    """A rule or table of the pages (docs context) as the lines a 対照表 cell shows."""
    head = rule["label"] + (f"（{rule['clause']}）" if rule["clause"] else "")
    # The regulation's own words first (原文, as the pages show them beside the
    # rule), then the rule as the pages put it.
    lines = [head, *rule.get("original", ())]
    if rule["formula"]:
        lines.append(f"{rule['formula']}")
    for c in rule["cases"]:
        lines.append(f"{c['when']} → {c['then']}")
    if rule["rounding"]:
        lines.append(rule["rounding"])
    t = rule["table"]
    if t:
        lines.append(t["caption"])
        for r in t["rows"]:
            lines.append(f"{r['band']}　" + "　".join(r["amounts"]))
    for n in rule["notes"]:
        lines.append(f"{n['kind']}: {n['text']}")
    return lines


# A number with its unit (14円/世帯, 80,000円) is one word of a 対照表: an
# amendment underlines 15円, not the digit 5.
# The unit ends at a particle (hiragana): 「14円を乗じた」 underlines 14円.
_WORD = re.compile(r"[0-9０-９][0-9０-９,.，]*[^\s0-9０-９（）()、。・～|×＋−÷\u3040-\u309f]*|\s+|.")


def marked(old: str, new: str) -> tuple[Markup, Markup]:
    """(new, old) as HTML with the differing words in <ins>/<del>."""
    a, b = _WORD.findall(old), _WORD.findall(new)
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    o, n = [], []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            o.append(escape("".join(a[i1:i2])))
            n.append(escape("".join(b[j1:j2])))
            continue
        if i2 > i1:
            o.append(Markup("<del>%s</del>") % "".join(a[i1:i2]))
        if j2 > j1:
            n.append(Markup("<ins>%s</ins>") % "".join(b[j1:j2]))
    return Markup("").join(n), Markup("").join(o)


def line_pairs(old: list[str], new: list[str]) -> list[tuple]:
    """Aligned (改正後, 改正前, changed) rows of two clauses' lines."""
    rows = []
    sm = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            rows.extend((escape(x), escape(x), False) for x in old[i1:i2])
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            a = old[i1 + k] if i1 + k < i2 else None
            b = new[j1 + k] if j1 + k < j2 else None
            if a is not None and b is not None:
                rows.append((*marked(a, b), True))
            elif b is not None:
                rows.append((Markup("<ins>%s</ins>") % b, Markup(""), True))
            else:
                rows.append((Markup(""), Markup("<del>%s</del>") % a, True))
    return rows


def taisho(old_ctx: dict, new_ctx: dict) -> tuple[list[dict], list[str]]:
    """The changed clauses (new order, then removed ones) and the unchanged clauses' labels."""
    old_rules = {r["name"]: r for r in old_ctx["rules"]}
    new_names = [r["name"] for r in new_ctx["rules"]]
    changed, same = [], []
    for r in new_ctx["rules"]:
        o = old_rules.get(r["name"])
        new_lines = clause_lines(r)
        if o is None:
            changed.append({"label": r["label"], "clause": r["clause"], "status": "新設",
                            "rows": line_pairs([], new_lines)})
            continue
        old_lines = clause_lines(o)
        if old_lines == new_lines:
            same.append(r["label"])
        else:
            changed.append({"label": r["label"], "clause": r["clause"], "status": "改正",
                            "rows": line_pairs(old_lines, new_lines)})
    for o in old_ctx["rules"]:
        if o["name"] not in new_names:
            changed.append({"label": o["label"], "clause": o["clause"], "status": "削除",
                            "rows": line_pairs(clause_lines(o), [])})
    return changed, same


# --- exact change regions of tables -------------------------------------------

def _row_at(rows, x: Fraction):
    for r in rows:
        if r.interval is None or r.interval.contains(x):
            return r
    return None


def _cells(bounds: set, integral: bool) -> list[tuple]:
    """The partition of the key line by ``bounds``: (representative, lo, lo_incl, hi, hi_incl)
    for every bound point and every open gap between (and beyond) them."""
    pts = sorted(bounds)
    cells = []
    if not pts:
        return [(Fraction(0), None, False, None, False)]
    cells.append((pts[0] - 1, None, False, pts[0], False))
    for k, p in enumerate(pts):
        cells.append((p, p, True, p, True))
        if k + 1 < len(pts):
            q = pts[k + 1]
            mid = p + 1 if integral else (p + q) / 2
            if mid < q:
                cells.append((mid, p, False, q, False))
    cells.append((pts[-1] + 1, pts[-1], False, None, False))
    return cells


def _range_text(lo, lo_incl, hi, hi_incl, key_type) -> str:
    """A key range as the pages write a band (20,001～30,000人以下)."""
    row = ir.TRow(ir.Interval(lo, lo_incl, hi, hi_incl), (), "", _display(lo, lo_incl, hi, hi_incl, key_type))
    from .docs import band_text
    return band_text(row, key_type)


def _display(lo, lo_incl, hi, hi_incl, key_type) -> str:
    from .brackets import fmt_value

    parts = []
    if lo is not None:
        parts.append(f"{fmt_value(lo, key_type)}{'以上' if lo_incl else '超'}")
    if hi is not None:
        parts.append(f"{fmt_value(hi, key_type)}{'以下' if hi_incl else '未満'}")
    return "～".join(parts) or "すべて"


def table_regions(old_rule: ir.RuleIR, new_rule: ir.RuleIR, enums: dict | None = None) -> list[dict]:
    """Key ranges where a one-key bracket table's amount changes, old → new,
    merged where neighbouring cells change alike. Exact: every cell of the
    union of both tables' bounds is looked at once."""
    from .words import fmt_quantity

    lo_, ln_ = old_rule.expr, new_rule.expr
    key_type = getattr(ln_.key, "type", None)
    integral = isinstance(key_type, QType) and key_type.integral
    bounds = set()
    for r in lo_.rows + ln_.rows:
        iv = r.interval
        if iv is not None:
            bounds.update(b for b in (iv.lo, iv.hi) if b is not None)
    ncols = max(len(lo_.column_names), 1)
    column_type = getattr(ln_.column, "type", None)
    enum = (enums or {}).get(getattr(column_type, "name", None))
    column_labels = dict(enum.values) if enum is not None else {}
    out = []
    for col in range(ncols):
        run = None
        for rep, lo, lo_incl, hi, hi_incl in _cells(bounds, integral):
            if integral and rep.denominator != 1:
                continue
            ro, rn = _row_at(lo_.rows, rep), _row_at(ln_.rows, rep)
            vo = ro.values[col] if ro is not None and col < len(ro.values) else None
            vn = rn.values[col] if rn is not None and col < len(rn.values) else None
            if vo == vn:
                if run:
                    out.append(run)
                run = None
                continue
            if run and (run["old_v"], run["new_v"]) == (vo, vn):
                run["hi"], run["hi_incl"] = hi, hi_incl
            else:
                if run:
                    out.append(run)
                run = {"col": col, "old_v": vo, "new_v": vn, "lo": lo, "lo_incl": lo_incl, "hi": hi, "hi_incl": hi_incl}
        if run:
            out.append(run)
    unit = new_rule.type
    shown = []
    for r in out:
        kind = "新設" if r["old_v"] is None else "削除" if r["new_v"] is None else "変更"
        shown.append({
            "range": _range_text(r["lo"], r["lo_incl"], r["hi"], r["hi_incl"], key_type),
            "column": column_labels.get(ln_.column_names[r["col"]], ln_.column_names[r["col"]])
            if ln_.column_names else "",
            "old": "—" if r["old_v"] is None else fmt_quantity(r["old_v"], unit),
            "new": "—" if r["new_v"] is None else fmt_quantity(r["new_v"], unit),
            "kind": kind,
            "diff": None if kind != "変更" else _signed(r["new_v"] - r["old_v"], unit),
        })
    return shown


def _signed(x, unit) -> str:
    """+10,000円 for an increase; a decrease keeps its minus sign."""
    from .words import fmt_quantity

    return ("+" if x > 0 else "") + fmt_quantity(x, unit)


def changed_tables(old: ir.RegulationIR, new: ir.RegulationIR) -> list[dict]:
    out = []
    for name, rn in new.rules.items():
        ro = old.rules.get(name)
        if ro is None or not (rn.is_table and ro.is_table):
            continue
        if not (isinstance(ro.expr, ir.Lookup) and isinstance(rn.expr, ir.Lookup)):
            continue
        regions = table_regions(ro, rn, new.enums)
        if regions:
            out.append({"label": rn.label, "clause": rn.clause, "regions": regions})
    return out


# --- change regions of entries ------------------------------------------------

def _label(new, old, name) -> str:
    return (new.inputs.get(name) or old.inputs[name]).label


def _shown(new, old, name, v) -> str:
    from .words import fmt_quantity

    inp = new.inputs.get(name) or old.inputs[name]
    if isinstance(v, bool):
        return "はい" if v else "いいえ"
    if isinstance(inp.type, ir.EnumType):
        en = new.enums.get(inp.type.name) or old.enums[inp.type.name]
        return dict(en.values).get(v, str(v))
    return fmt_quantity(v, inp.type)


def changed_entries(old_mod, new_mod, unexamined: list | None = None) -> list[dict]:
    """Change regions of every rule that reads inputs and is in both files
    (tables looked up by rules are covered through them). The labels of rules
    whose inputs are not enumerated (parameters, records, lists, dates) are
    appended to ``unexamined``, for the report to say so."""
    old, new = old_mod.__feedsl_ir__, new_mod.__feedsl_ir__
    out = []
    for name, rn in new.rules.items():
        if name not in old.rules or rn.is_table or not (rn.inputs or rn.params):
            continue
        r = entry_regions(old_mod, new_mod, name)
        if r is None:
            if unexamined is not None and isinstance(rn.type, QType):
                unexamined.append(rn.label)
        elif r["differ"]:
            out.append(r)
    return out


# --- impact over a roster ------------------------------------------------------

# The distribution of changes by rate (new − old) / old, as winners/losers tables put it.
BANDS = ("5%を超える増", "5%以下の増", "変わらない", "5%以下の減", "5%を超える減")
FIVE = Fraction(5, 100)


def _band(old, diff) -> str:
    if diff == 0:
        return BANDS[2]
    big = old == 0 or abs(Fraction(diff) / old) > FIVE
    if diff > 0:
        return BANDS[0] if big else BANDS[1]
    return BANDS[4] if big else BANDS[3]


def _rate(old, diff) -> str:
    from .words import fmt_percent

    if old == 0:
        return "—" if diff == 0 else "皆増"
    return ("+" if diff > 0 else "") + fmt_percent(Fraction(diff) / old)


def impact(old_mod, new_mod, entry: str, table, mapping=None) -> dict:
    """Old and new ``entry`` for every member of ``table`` (a roster read by
    :func:`feedsl.roster.read_table`), with the counts, total, distribution,
    categories and the ten largest changes a board asks for."""
    from .batch import Layout, ScalarEvaluator, _Reject, _input_of, ja
    from .words import fmt_quantity, fmt_yen

    old, new = old_mod.__feedsl_ir__, new_mod.__feedsl_ir__
    lo = Layout(old, entry, table, mapping, None, None)
    ln = Layout(new, entry, table, mapping, None, None)
    used = {c for _, c, _, _ in ln.flat} | {c for _, c, _, _ in lo.flat}
    shown_cols = [i for i, h in enumerate(table.headers) if i not in used][:2]
    eo, en = ScalarEvaluator(old_mod, entry), ScalarEvaluator(new_mod, entry)
    unit = new.rules[entry].type
    members, errors = [], []
    for number, cells in table.rows:
        who = " ".join(str(cells[i]) for i in shown_cols if i < len(cells) and str(cells[i]).strip()) or f"{number}行目"
        try:
            ko, kn = lo.call([(number, cells)]), ln.call([(number, cells)])
        except _Reject as r:
            errors.append({"row": number, "who": who, "error": f"{r.error.input}: {r.error.message}"})
            continue
        (a, _, xa), = eo.evaluate([ko])
        (b, _, xb), = en.evaluate([kn])
        if xa or xb:
            x = xa or xb
            side = "改正前" if xa else "改正後"
            errors.append({"row": number, "who": who, "error": f"{side} {_input_of(x)}: {ja(str(x))}"})
            continue
        cats = {}
        for name, label, values in ln.enums:
            v = kn.get(name)
            cats[label or name] = dict(values).get(v, str(v))
        members.append({"row": number, "who": who, "old_v": a, "new_v": b, "diff_v": b - a, "cats": cats,
                        "kw_old": ko, "kw_new": kn})
    for m in members:
        m.update(old=fmt_quantity(m["old_v"], unit), new=fmt_quantity(m["new_v"], unit),
                 diff=_signed(m["diff_v"], unit),
                 rate=_rate(m["old_v"], m["diff_v"]), band=_band(m["old_v"], m["diff_v"]))
    total_old = sum(m["old_v"] for m in members)
    total_new = sum(m["new_v"] for m in members)
    change = total_new - total_old
    bands = [{"band": b, "count": sum(1 for m in members if m["band"] == b)} for b in BANDS]
    categories = []
    for name, label, values in ln.enums:
        head = label or name
        rows = []
        for _, vlabel in values:
            ms = [m for m in members if m["cats"].get(head) == vlabel]
            o, n = sum(m["old_v"] for m in ms), sum(m["new_v"] for m in ms)
            rows.append({"value": vlabel, "count": len(ms), "old": fmt_yen(o), "new": fmt_yen(n),
                         "diff": _signed(n - o, unit),
                         "more": sum(1 for m in ms if m["diff_v"] > 0), "less": sum(1 for m in ms if m["diff_v"] < 0)})
        categories.append({"label": head, "rows": rows})
    top = sorted((m for m in members if m["diff_v"]), key=lambda m: (-abs(m["diff_v"]), m["row"]))[:10]
    for m in top:
        m["explain_old"] = str(old_mod.explain(entry, **m["kw_old"]))
        m["explain_new"] = str(new_mod.explain(entry, **m["kw_new"]))
    return {
        "entry": entry, "label": new.rules[entry].label, "roster": table.path.name,
        "members": members, "errors": errors,
        "more": sum(1 for m in members if m["diff_v"] > 0),
        "less": sum(1 for m in members if m["diff_v"] < 0),
        "same": sum(1 for m in members if m["diff_v"] == 0),
        "total_old": fmt_yen(total_old), "total_new": fmt_yen(total_new),
        "total_diff": _signed(change, unit),
        "total_rate": _rate(total_old, change),
        "total_diff_v": change,
        "bands": bands, "categories": categories, "top": top,
    }


# --- the report -----------------------------------------------------------------

class Side:
    """One side of a comparison: a file, or one version of a file with
    versions (``version``: its name, the version's own text; ``as_of``: the
    text in force on that date, 経過措置 included)."""

    def __init__(self, path, version: str | None = None, as_of=None):
        self.path, self.version, self.as_of = str(path), version, as_of

    @property
    def selected(self) -> bool:
        """Whether a version or date was asked for (else the file as a whole)."""
        return self.version is not None or self.as_of is not None

    @property
    def name(self) -> str:
        """How the report names it: hokkaido.fee, hokkaido.fee@fee2018, hokkaido.fee（2018-04-01 現在）."""
        base = Path(self.path).name
        if self.version:
            return f"{base}@{self.version}"
        if self.as_of is not None:
            from .versions import as_date

            return f"{base}（{as_date(self.as_of).isoformat()} 現在）"
        return base

    def load(self):
        """The module; FeeCompileError when the file does not check, FeeInputError
        for a version or date the file does not know."""
        from .api import load
        from .loader import load_version

        return load_version(self.path, self.version) if self.version else load(self.path, as_of=self.as_of)


def _side(spec) -> Side:
    return spec if isinstance(spec, Side) else Side(spec)


def version_line(version: dict | None) -> str:
    """The version a side is, for the report's header: 版 fee2018 「会費算定基準」（施行 …、適用 …）."""
    if not version:
        return ""
    import datetime

    from .values import wareki

    day = datetime.date.fromisoformat
    dates = f"施行 {wareki(day(version['施行']))}" + (f"、適用 {wareki(day(version['適用']))}" if version["適用"] else "")
    extra = "".join(f"、経過措置「{t['label']}」（{wareki(day(t['from']))}～{wareki(day(t['to']))}）"
                    for t in version.get("transitional", ()))
    return f"{version['name']} 「{version['label']}」（{dates}{extra}）"


def meta_rows(old: tuple, new: tuple) -> list[dict]:
    """The 規程の事項 that differ between the sides, as 対照表 rows with the
    changed words marked. Each side is (Side, module, IR): for a version or
    date asked for, its version's 版, 施行, 適用 and 経過措置; for a file, its
    header's 施行; 出典 always."""
    def items(side, mod, reg) -> dict:
        import datetime

        from .values import wareki

        meta: dict[str, list] = {}
        for k, v in reg.meta:
            meta.setdefault(k, []).append(v)
        out = {"出典": "、".join(meta.get("出典", []))}
        v = getattr(mod, "VERSION", None)
        day = datetime.date.fromisoformat
        if v and side.selected:
            out["版"] = f"{v['name']} 「{v['label']}」"
            out["施行"] = wareki(day(v["施行"]))
            out["適用"] = wareki(day(v["適用"])) if v["適用"] else ""
            out["経過措置"] = "、".join(f"「{t['label']}」（{wareki(day(t['from']))}～{wareki(day(t['to']))}）"
                                    for t in v.get("transitional", ()))
        else:
            out["施行"] = "、".join(wareki(day(d)) for d in meta.get("施行", []))
        return out

    a_items, b_items = items(*old), items(*new)
    rows = []
    for key in ("版", "出典", "施行", "適用", "経過措置"):
        a, b = a_items.get(key, ""), b_items.get(key, "")
        if a != b:
            rows.append({"label": key, "rows": line_pairs([a] if a else [], [b] if b else [])})
    return rows


def report_context(old_path, new_path, roster=None, entry: str | None = None, mapping=None,
                   target_revenue: int | None = None, phase_in_limit=None) -> dict:
    """Everything the report shows. ``old_path``/``new_path`` are files or
    :class:`Side` (a version of a file). Raises FeeCompileError when a file
    does not check, FeeInputError for a version or date a file does not know.
    With a roster, ``target_revenue`` (±円) and ``phase_in_limit`` (a rate or 円)
    add :mod:`feedsl.goalseek`'s sections."""
    import hashlib

    from . import docs
    from .api import read_source
    from .depth import run_deep

    sides = []
    for side in (_side(old_path), _side(new_path)):
        mod = side.load()
        reg = mod.__feedsl_ir__
        digest = hashlib.sha256(read_source(side.path).text.encode()).hexdigest()[:12]
        sides.append((mod, reg, run_deep(docs.context, reg, None, Path(side.path).name, digest), digest, side))
    (om, oreg, octx, odig, oside), (nm, nreg, nctx, ndig, nside) = sides
    changed, same = taisho(octx, nctx)
    unexamined: list[str] = []
    ctx = {
        "old": octx, "new": nctx, "old_name": oside.name, "new_name": nside.name,
        "old_digest": odig, "new_digest": ndig, "changed": changed, "same": same,
        "old_version": version_line(om.VERSION), "new_version": version_line(nm.VERSION),
        "meta_changed": meta_rows((oside, om, oreg), (nside, nm, nreg)),
        "versions_asked": oside.selected or nside.selected,
        "tables": changed_tables(oreg, nreg),
        "entries": run_deep(changed_entries, om, nm, unexamined),
        "unexamined": unexamined,
        "max_points": regions.MAX_POINTS,
        "impact": None,
    }
    ctx["seek"] = ctx["phase_in"] = None
    if roster is not None:
        ctx["impact"] = run_deep(impact, om, nm, entry, roster, mapping)
        if target_revenue is not None:
            ctx["seek"] = run_deep(goalseek.seek, om, nm, entry, ctx["impact"]["members"], target_revenue)
        if phase_in_limit is not None:
            ctx["phase_in"] = goalseek.phase_in(ctx["impact"]["members"], phase_in_limit)
    return ctx


def render_report(ctx: dict) -> str:
    from . import docs

    return docs.render(docs.environment(), "compare.html.j2", ctx)


def summary_text(ctx: dict) -> str:
    """The lines `feedsl compare` prints."""
    lines = []
    if ctx.get("versions_asked"):  # FILE@VERSION or --old-as-of/--new-as-of: say which versions
        lines = [f"{side}: {ctx[key + '_name']}" + (f" 版 {ctx[key + '_version']}" if ctx[key + "_version"] else "")
                 for side, key in (("改正前", "old"), ("改正後", "new"))]
    if ctx.get("meta_changed"):
        lines.append("改正のある規程の事項: " + "、".join(row["label"] for row in ctx["meta_changed"]))
    lines.append(f"改正のある条項 {len(ctx['changed'])}、改正のない条項 {len(ctx['same'])}"
                 f" / {len(ctx['changed'])} changed, {len(ctx['same'])} unchanged")
    for t in ctx["tables"]:
        for r in t["regions"]:
            column = f"（{r['column']}）" if r["column"] else ""
            lines.append(f"  {t['label']}{column} {r['range']}: {r['old']} → {r['new']}")
    im = ctx["impact"]
    if im:
        lines.append(f"{im['label']}: 増 {im['more']}、減 {im['less']}、変わらない {im['same']}、"
                     f"収入 {im['total_old']} → {im['total_new']}（{im['total_diff']}、{im['total_rate']}）")
        if im["errors"]:
            lines.append(f"計算できない行 {len(im['errors'])} / {len(im['errors'])} rows not computed")
    lines += goalseek.summary_lines(ctx["seek"], ctx["phase_in"])
    return "\n".join(lines)


# --- the workbook -----------------------------------------------------------------

_MARK = re.compile(r"<(ins|del)>(.*?)</\1>", re.S)


def _segments(html: str) -> list[tuple[str, bool]]:
    """A 対照表 cell's (text, marked) pieces, from its <ins>/<del> markup."""
    import html as html_lib

    out, pos = [], 0
    for m in _MARK.finditer(html):
        if m.start() > pos:
            out.append((html_lib.unescape(html[pos:m.start()]), False))
        out.append((html_lib.unescape(m.group(2)), True))
        pos = m.end()
    if pos < len(html):
        out.append((html_lib.unescape(html[pos:]), False))
    return [(t, k) for t, k in out if t]


def write_workbook(ctx: dict, out: Path) -> None:
    """The report as a workbook: 対照表 (changed words underlined), 会員別, 集計.
    Deterministic: the document's creation date is fixed."""
    import datetime

    from .batch import RosterError

    try:
        import xlsxwriter
    except ImportError:
        raise RosterError("Excel に書き出すには excel の追加機能が要ります: pip install 'feedsl[excel]'"
                          " / writing .xlsx needs the excel extra: pip install 'feedsl[excel]'") from None
    book = xlsxwriter.Workbook(str(out), {"strings_to_formulas": False, "strings_to_urls": False,
                                          "strings_to_numbers": False})
    book.set_properties({"created": datetime.datetime(2000, 1, 1)})
    bold = book.add_format({"bold": True})
    under = book.add_format({"underline": 1, "bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    yen = book.add_format({"num_format": '#,##0"円"'})

    ws = book.add_worksheet("対照表")
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 6)
    ws.set_column(2, 3, 60)
    for j, h in enumerate(("条項", "", "改正後", "改正前")):
        ws.write_string(0, j, h, bold)
    i = 1
    meta = [{"label": m["label"], "clause": "", "status": "規程の事項", "rows": m["rows"]}
            for m in ctx.get("meta_changed", ())]
    for c in meta + ctx["changed"]:
        for new_html, old_html, differs in c["rows"]:
            ws.write_string(i, 0, c["label"] + (f"（{c['clause']}）" if c["clause"] else ""))
            ws.write_string(i, 1, c["status"] if differs else "")
            for j, cell in ((2, str(new_html)), (3, str(old_html))):
                segs = _segments(cell)
                if any(k for _, k in segs) and len(segs) > 1:
                    parts = []
                    for t, k in segs:
                        parts += [under, t] if k else [t]
                    ws.write_rich_string(i, j, *parts, wrap)
                elif segs:
                    ws.write_string(i, j, segs[0][0], under if segs[0][1] else wrap)
            i += 1
    ws.write_string(i + 1, 0, "改正のない条項", bold)
    ws.write_string(i + 1, 2, "、".join(ctx["same"]), wrap)

    im = ctx["impact"]
    summary = [[f"{side}の版", ctx[key + "_version"]] for side, key in (("改正前", "old"), ("改正後", "new"))
               if ctx.get(key + "_version")]
    summary += [["改正のある条項", len(ctx["changed"])], ["改正のない条項", len(ctx["same"])]]
    for t in ctx["tables"]:
        for r in t["regions"]:
            summary.append([f"{t['label']} {r['range']}", f"{r['old']} → {r['new']}"])
    summary += regions.summary_rows(ctx["entries"])
    if im:
        ws = book.add_worksheet("会員別")
        ws.set_column(0, 0, 30)
        ws.set_column(1, 3, 14)
        ws.set_column(4, 5, 14)
        for j, h in enumerate(("会員", "改正前", "改正後", "増減", "増減率", "増減の幅")):
            ws.write_string(0, j, h, bold)
        for i, m in enumerate(im["members"], 1):
            ws.write_string(i, 0, m["who"])
            for j, v in ((1, m["old_v"]), (2, m["new_v"]), (3, m["diff_v"])):
                if isinstance(v, int):
                    ws.write_number(i, j, v, yen)
                else:
                    ws.write_string(i, j, str(v))
            ws.write_string(i, 4, m["rate"])
            ws.write_string(i, 5, m["band"])
        ws.freeze_panes(1, 0)
        summary += [[], [im["label"]], ["会員数", len(im["members"])], ["増える会員", im["more"]],
                    ["減る会員", im["less"]], ["変わらない会員", im["same"]], ["計算できない行", len(im["errors"])],
                    ["収入（改正前）", im["total_old"]], ["収入（改正後）", im["total_new"]],
                    ["収入の増減", f"{im['total_diff']}（{im['total_rate']}）"], [], ["増減率", "会員数"]]
        summary += [[b["band"], b["count"]] for b in im["bands"]]
        for c in im["categories"]:
            summary += [[], [f"{c['label']}別", "会員数", "改正前", "改正後", "増減"]]
            summary += [[r["value"], r["count"], r["old"], r["new"], r["diff"]] for r in c["rows"]]
        summary += goalseek.summary_rows(ctx["seek"], ctx["phase_in"])
    ws = book.add_worksheet("集計")
    ws.set_column(0, 0, 36)
    ws.set_column(1, 4, 16)
    for i, line in enumerate(summary):
        for j, v in enumerate(line):
            if isinstance(v, int):
                ws.write_number(i, j, v)
            else:
                ws.write_string(i, j, v, bold if len(line) == 1 else None)
    book.close()
