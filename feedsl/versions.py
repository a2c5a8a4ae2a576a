"""Versions of one regulation in one file (版), 経過措置, and the text in force on a date.

The header declares the versions, oldest first (grammar: ``version_decl``)::

    版 levy2001 「負担金算定基準」 施行 平成13年4月1日
    版 fee2018 「会費算定基準」 施行 平成30年9月21日 適用 平成30年4月1日

A top-level line ``版 NAME`` (``version_section``) starts a section: the 規則,
表 and 例 after it belong to that version until the next ``版`` line; items
before the first such line belong to every version. Inside a section a line
``経過措置 「label」 期間 DATE～DATE`` (``transitional``) starts a transitional
provision: its 規則 and 表 replace the version's definitions of the same names
on the days of the period (both included), and only then.

On a date D the versions in force are those whose 適用日 (else 施行日) is on or
before D; each rule is the definition of the latest of them that defines it (or
of that version's 経過措置 whose period holds D); a rule no version in force
defines, and every rule that refers to one (the references the chain check
walks, :func:`feedsl.depth._names_in`), is unavailable on D and raises
FeeInputError when called, never an old value.

The selection is made on the AST (:func:`select`): the checker, the code
generator and the module cache see a plain regulation per selection. The
dates at which the selection changes are a :class:`Timeline`, which needs only
the standard library: a warm :func:`feedsl.load` reads it from the cache and
picks the module without the compiler.
"""

from __future__ import annotations

import datetime


class Version:
    """One declared version: its name, label (without 「」), 施行日 and 適用日 (or None)."""

    __slots__ = ("name", "label", "enacted", "applies", "span")

    def __init__(self, name, label, enacted, applies, span=None):
        self.name, self.label, self.enacted, self.applies, self.span = name, label, enacted, applies, span

    @property
    def in_force(self) -> datetime.date:
        return self.applies or self.enacted

    def as_dict(self) -> dict:
        return {"name": self.name, "label": self.label, "施行": self.enacted.isoformat(),
                "適用": self.applies.isoformat() if self.applies else None,
                "in_force_from": self.in_force.isoformat()}


class Transition:
    """One 経過措置: its label, the version it belongs to, its first and last day."""

    __slots__ = ("label", "version", "start", "end")

    def __init__(self, label, version, start, end):
        self.label, self.version, self.start, self.end = label, version, start, end

    def as_dict(self, rules=()) -> dict:
        return {"label": self.label, "from": self.start.isoformat(), "to": self.end.isoformat(),
                "rules": list(rules)}


class Timeline:
    """The versions and 経過措置 of a file and the dates at which its text changes.

    ``epochs`` are (first day, version index, indices of the 経過措置 in force),
    in date order; an epoch lasts until the next one starts (the last for ever).
    """

    def __init__(self, versions: list, transitions: list, epochs: list):
        self.versions, self.transitions, self.epochs = versions, transitions, epochs

    @property
    def latest_index(self) -> int:
        return len(self.versions) - 1

    def key(self, vidx: int, active=()) -> str:
        """The name of a selection: the version, and the 経過措置 in force (by their place in the file)."""
        name = self.versions[vidx].name
        return name + ("+" + ",".join(str(i) for i in sorted(active)) if active else "")

    def epoch(self, as_of: datetime.date | None) -> tuple:
        """The epoch in force on ``as_of`` (None: the last, the latest version's own text);
        FeeInputError before the first version, saying from when the file knows versions."""
        if as_of is None:
            return self.epochs[-1]
        found = None
        for e in self.epochs:
            if e[0] <= as_of:
                found = e
        if found is None:
            raise before_first(as_of, self.versions[0])
        return found

    def key_on(self, as_of: datetime.date | None) -> str:
        _start, vidx, active = self.epoch(as_of)
        return self.key(vidx, active)

    def version_dict(self, vidx: int, active=(), rules=None) -> dict:
        """VERSION of a selection: the version, every version the file knows and
        the 経過措置 in force (with the rules each replaces, when known)."""
        rules = rules or {}
        return {**self.versions[vidx].as_dict(), "versions": [v.name for v in self.versions],
                "transitional": [self.transitions[i].as_dict(rules.get(i, ())) for i in sorted(active)]}

    # The cache keeps a timeline as marshal data: tuples of str, int and None.
    def data(self) -> tuple:
        return (tuple((v.name, v.label, v.enacted.isoformat(), v.applies and v.applies.isoformat())
                      for v in self.versions),
                tuple((t.label, t.version, t.start.isoformat(), t.end.isoformat()) for t in self.transitions),
                tuple((d.isoformat(), vidx, tuple(sorted(active))) for d, vidx, active in self.epochs))

    @classmethod
    def from_data(cls, data) -> "Timeline":
        day = datetime.date.fromisoformat
        versions = [Version(n, label, day(e), a and day(a)) for n, label, e, a in data[0]]
        transitions = [Transition(label, v, day(s), day(e)) for label, v, s, e in data[1]]
        return cls(versions, transitions, [(day(d), vidx, tuple(active)) for d, vidx, active in data[2]])


def valid_data(data) -> bool:
    """Whether cached data has the shape :meth:`Timeline.data` writes (() for no versions)."""
    try:
        if data == ():
            return True
        Timeline.from_data(data).epochs[-1]
        return True
    except Exception:
        return False


def as_date(value) -> datetime.date:
    """An as_of given as a date or as date text (any form the language reads)."""
    from .runtime import FeeInputError
    from .values import read_date

    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return read_date(str(value))
    except ValueError as e:
        raise FeeInputError(f"基準日（as_of）が読めません: {e} / cannot read the as_of date {value!r}",
                            "as_of", "基準日") from None


def before_first(as_of: datetime.date, first: Version):
    from .runtime import FeeInputError
    from .values import wareki

    return FeeInputError(
        f"{wareki(as_of)}（{as_of.isoformat()}）に施行されている版はありません。"
        f"この規程が知る最も早い版は「{first.label}」（{first.name}、{wareki(first.in_force)}から）です"
        f" / no version is in force on {as_of.isoformat()}; the earliest version the file knows is "
        f"{first.name}, in force from {first.in_force.isoformat()}", "as_of", "基準日")


def unavailable_message(name: str, since: Version, chosen: Version) -> str:
    from .values import wareki

    return (f"規則「{name}」は、基準日に施行されている版「{chosen.label}」にはありません。"
            f"この規程では版「{since.label}」（{since.name}）の{wareki(since.in_force)}から定められています"
            f" / {name} is not in the version in force on that date ({chosen.name}); the file knows it from "
            f"{since.in_force.isoformat()} (version {since.name})")


def version_text(version: dict | None) -> str:
    """A version in one line (batch's 集計 and 版 column, explain's last line):
    fee2018 会費算定基準（2018-04-01から、経過措置「激変緩和」2021-04-01～2022-03-31）."""
    if not version:
        return ""
    extra = "".join(f"、経過措置「{t['label']}」{t['from']}～{t['to']}" for t in version.get("transitional", ()))
    return f"{version['name']} {version['label']}（{version['in_force_from']}から{extra}）"


# --- the compiler's side: read the 版 of an AST and select a text -------------

def _read_dates(decl, diags, read_date) -> tuple | None:
    """(施行日, 適用日 or None) of a declaration, or None after reporting F230."""
    keys = tuple(k for k, _text, _span in decl.dates)
    if keys not in (("施行",), ("施行", "適用")):
        diags.error("F230", decl.span,
                    "版は『版 名前 「改正の名前」 施行 日付』（適用日が違えば続けて『適用 日付』）と書いてください",
                    "write a version as 版 NAME 「label」 施行 DATE [適用 DATE]")
        return None
    dates = []
    for _key, text, span in decl.dates:
        try:
            dates.append(read_date(text))
        except ValueError as e:
            diags.error("F230", span, f"版の日付が読めません: {e}", f"cannot read the version's date {text!r}")
            return None
    return dates[0], (dates[1] if len(dates) > 1 else None)


def timeline(reg, diags) -> Timeline | None:
    """The versions and 経過措置 of a regulation (AST), checked (F230–F236,
    F238–F242); None for a file without versions. Errors go to ``diags``."""
    from .values import read_date

    if not reg.versions and not reg.sections and not any(e.pin for e in reg.examples):
        return None
    versions: list[Version] = []
    for decl in reg.versions:
        dates = _read_dates(decl, diags, read_date)
        if dates is None:
            continue
        if any(v.name == decl.name for v in versions):
            diags.error("F232", decl.name_span, f"版「{decl.name}」が二度宣言されています",
                        f"version {decl.name!r} is declared twice")
            continue
        versions.append(Version(decl.name, decl.label, dates[0], dates[1], decl.span))
    for a, b in zip(versions, versions[1:]):
        if b.in_force < a.in_force:
            diags.error("F231", _line_start(b.span),
                        f"版「{b.name}」は「{a.name}」より前に施行されます。版は施行（適用）の日付の順に書いてください",
                        f"versions must be in date order: {b.name} is in force before {a.name}")
        elif b.in_force == a.in_force:
            diags.error("F234", _line_start(b.span),
                        f"版「{b.name}」と「{a.name}」は同じ日（{b.in_force.isoformat()}）から施行されます。一日に施行される版は一つにしてください",
                        f"versions {a.name} and {b.name} are both in force from {b.in_force.isoformat()}")
    known = {v.name for v in versions}
    sections = [sec for sec in reg.sections if sec.name]  # "": 経過措置 before every section (F238)
    if reg.versions:
        names = "、".join(v.name for v in versions) or "なし"
        for sec in sections:
            if sec.name not in known:
                diags.error("F233", sec.span, f"版「{sec.name}」は見出しで宣言されていません（宣言された版: {names}）",
                            f"version {sec.name!r} is not declared in the header")
    elif sections:
        diags.error("F233", _line_start(sections[0].span), "版の節がありますが、見出しに版が宣言されていません",
                    "a version section but no version declared in the header")
    for sec in reg.sections:
        for it in _section_items(sec):
            _only_rules_tables_examples(it, diags)
    for e in _all_examples(reg):
        if e.pin and e.pin not in known:
            diags.error("F236", e.pin_span, f"例の版「{e.pin}」は見出しで宣言されていません",
                        f"the example is pinned to an undeclared version {e.pin!r}")
    transitions = _transitions(reg, versions, diags, read_date)
    if not versions:
        return None
    return Timeline(versions, transitions, _epochs(versions, transitions))


def _line_start(span):
    from .source import Span

    return Span(span.path, span.line, 1, span.line, 2)


def _section_items(sec):
    yield from sec.items
    for t in sec.transitionals:
        yield from t.items


def _all_examples(reg):
    from . import ast

    yield from reg.examples
    for sec in reg.sections:
        yield from (it for it in _section_items(sec) if isinstance(it, ast.Example))


def _only_rules_tables_examples(it, diags) -> None:
    """F235: 区分・記録・入力・前提 belong to every version, before the first 版 line."""
    from . import ast
    from .source import Span

    words = {ast.EnumDef: "区分", ast.RecordDef: "記録", ast.InputDef: "入力", ast.Relation: "前提"}
    kind = words.get(type(it))
    if kind is not None:
        diags.error("F235", Span(it.span.path, it.span.line, 1, it.span.line, 1 + len(kind)),
                    f"版の節に書けるのは 規則・表・例 だけです。「{kind}」は最初の「版」の行より前（全ての版に共通の部分）に書いてください",
                    f"only 規則, 表 and 例 belong to a version; put {kind} before the first 版 line")


def _definitions(items) -> dict:
    """Every rule and table (規則, 表, 分類表) among ``items``: name -> its definitions."""
    from . import ast

    out: dict = {}
    for it in items:
        if isinstance(it, (ast.RuleDef, ast.CategoryTable)):
            out.setdefault(it.name, []).append(it)
    return out


def _transitions(reg, versions, diags, read_date) -> list[Transition]:
    """The 経過措置 of every section, checked: in a section (F238), a readable
    period in order (F239) within the version's life (F240), replacing rules
    the version has (F241), not two at once for one rule (F242)."""
    from .values import wareki

    order = {v.name: k for k, v in enumerate(versions)}
    out: list[Transition] = []
    seen: list[tuple] = []  # (Transition, names it defines)
    for sec in reg.sections:
        for t in sec.transitionals:
            if not sec.name:
                diags.error("F238", t.span, "経過措置は版の節（『版 名前』の行の後）に書いてください",
                            "a 経過措置 belongs to a version: write it after a 版 NAME line")
                out.append(None)
                continue
            try:
                start, end = read_date(t.start), read_date(t.end)
            except ValueError as e:
                diags.error("F239", t.start_span, f"経過措置の期間の日付が読めません: {e}",
                            "cannot read the period of the 経過措置")
                out.append(None)
                continue
            if end < start:
                diags.error("F239", t.end_span,
                            f"経過措置「{t.label}」の期間の終わり（{wareki(end)}）が始まり（{wareki(start)}）より前です",
                            f"the period of {t.label} ends before it starts")
                out.append(None)
                continue
            k = order.get(sec.name)
            if k is None:  # an undeclared section: F233 already
                out.append(None)
                continue
            v, nxt = versions[k], versions[k + 1] if k + 1 < len(versions) else None
            if start < v.in_force or (nxt is not None and end >= nxt.in_force):
                life = f"{wareki(v.in_force)}から" + (f"{wareki(nxt.in_force - datetime.timedelta(days=1))}まで"
                                                    if nxt else "")
                diags.error("F240", t.start_span if start < v.in_force else t.end_span,
                            f"経過措置「{t.label}」の期間（{wareki(start)}～{wareki(end)}）が版「{v.label}」の効力のある期間（{life}）の外にかかっています",
                            f"the period of {t.label} is not within the life of version {v.name}",
                            "経過措置は、その版が効力を持つ間（次の版の前日まで）に置きます",
                            "a transitional period lies within its version's life")
            mine = _definitions(t.items)
            before = set(_definitions(reg.rules + reg.cat_tables))
            for s in reg.sections:
                if s.name in order and order[s.name] <= k:
                    before |= set(_definitions(s.items))
            for name, items in mine.items():
                if name not in before:
                    diags.error("F241", items[0].span,
                                f"経過措置「{t.label}」の「{name}」は、版「{v.label}」にない規則です。経過措置は版の規則を期間を限って置き換えるものです",
                                f"{name} in the 経過措置 {t.label} replaces no rule of version {v.name}",
                                "期間の後も使う規則は、経過措置の前（版の節）に書いてください",
                                "define the rule in the version's section, before the 経過措置")
            tr = Transition(t.label, sec.name, start, end)
            for other, names in seen:
                if other.version == tr.version and other.start <= end and start <= other.end and names & mine.keys():
                    both = "、".join(sorted(names & mine.keys()))
                    diags.error("F242", t.start_span,
                                f"経過措置「{t.label}」と「{other.label}」の期間が重なり、どちらも「{both}」を定めています",
                                f"the 経過措置 {t.label} and {other.label} overlap and both define {both}",
                                "一日に一つの規則を定める経過措置は一つです。期間を分けてください",
                                "make the periods disjoint")
            seen.append((tr, set(mine)))
            out.append(tr)
    return out


def _epochs(versions: list, transitions: list) -> list:
    """The days on which the text changes, each with its version and 経過措置."""
    one = datetime.timedelta(days=1)
    days = {v.in_force for v in versions}
    for t in transitions:
        if t is not None:
            days |= {t.start, t.end + one}
    out = []
    for d in sorted(days):
        if d < versions[0].in_force:
            continue
        vidx = max(k for k, v in enumerate(versions) if v.in_force <= d)
        active = tuple(i for i, t in enumerate(transitions) if t is not None
                       and t.version == versions[vidx].name and t.start <= d <= t.end)
        if not out or out[-1][1:] != (vidx, active):
            out.append((d, vidx, active))
    return out


class Selection:
    """The regulation (AST) in force for one version and set of 経過措置: the
    rules unavailable then (each with the version from which the file knows
    it), the rules each 経過措置 replaces, and the selection's key."""

    def __init__(self, reg, key, vidx, active, unavailable, replaced):
        self.reg, self.key, self.vidx, self.active = reg, key, vidx, active
        self.unavailable, self.replaced = unavailable, replaced


def select(reg, tl: Timeline, vidx: int, active=()) -> Selection:
    """The regulation of version ``vidx`` with the 経過措置 ``active`` in force.

    Its examples are those checked on this selection: 例@NAME and the 例 of a
    section on that version's own text, the 例 of a 経過措置 on the first day
    of its period, and the common 例 on the latest version's own text."""
    import attrs

    from . import ast
    from .depth import _names_in

    chosen = tl.versions[vidx]
    order = {v.name: k for k, v in enumerate(tl.versions)}
    best: dict = {}  # name -> (version index, its definitions): the latest version in force defining it
    later: dict = {}  # name -> the first version after ``chosen`` that defines it
    replaced: dict = {}  # 経過措置 index -> names it replaces
    tix = 0
    for sec in reg.sections:  # in the file's order, which need not be the versions'
        k = order.get(sec.name)
        for name, items in _definitions(sec.items).items():
            if k is None:
                continue
            if k <= vidx and name in best and k == best[name][0]:  # a version written in two sections
                best[name] = (k, best[name][1] + items)
            elif k <= vidx and (name not in best or k > best[name][0]):
                best[name] = (k, items)
            elif k > vidx and (name not in later or tl.versions[k].in_force < later[name].in_force):
                later[name] = tl.versions[k]
        for t in sec.transitionals:
            if tix in active:
                mine = _definitions(t.items)
                replaced[tix] = tuple(mine)
                best.update({name: (k, items) for name, items in mine.items()})
            tix += 1
    common = list(reg.rules) + list(reg.cat_tables)
    for name in list(best) + [it.name for it in common]:
        later.pop(name, None)
    # Two definitions of a name in one place stay two: the checker reports them (F103).
    kept = sorted(common + [it for _k, items in best.values() for it in items],
                  key=lambda it: (it.span.line, it.span.col))  # the file's order, as the pages show it
    unavailable = dict(later)
    changed = True
    while changed and unavailable:  # a rule that refers to an unavailable one is unavailable
        changed = False
        for it in list(kept):
            params = {p.name for p in getattr(it, "params", ())}
            uses = (_names_in(it) - params - {it.name}) & unavailable.keys()
            if uses:
                kept.remove(it)
                unavailable[it.name] = max((unavailable[u] for u in uses), key=lambda v: v.in_force)
                changed = True
    key = tl.key(vidx, active)
    examples = tuple(e for e in _examples_of(reg, tl, key) if e.entry not in unavailable)
    summaries = tuple(_summary_without(s, unavailable) for s in reg.summaries)
    plain = attrs.evolve(
        reg, rules=tuple(it for it in kept if isinstance(it, ast.RuleDef)),
        cat_tables=tuple(it for it in kept if isinstance(it, ast.CategoryTable)),
        examples=examples, summaries=tuple(s for s in summaries if s is not None), versions=(), sections=())
    return Selection(plain, key, vidx, tuple(active), unavailable, replaced)


def _summary_without(s, unavailable: dict):
    """A 一覧 in a text where ``unavailable`` rules (defined only by later
    versions) are not: a one-line 一覧 without their names (None when none is
    left), a 一覧 block with their cells written as — (the latest text, which
    the pages show, names them all; an unknown name there is still F101)."""
    import attrs

    from . import ast

    if isinstance(s, ast.SummaryBlock):
        def cell(c):
            gone = c.kind in ("rule", "linked") and c.rule in unavailable
            return attrs.evolve(c, kind="none", text="—", rule="") if gone else c
        return attrs.evolve(s, rows=tuple((label, tuple(cell(c) for c in cells), span)
                                          for label, cells, span in s.rows))
    names = tuple(n for n in s.names if n[0] not in unavailable)
    return attrs.evolve(s, names=names) if names else None


def _examples_of(reg, tl: Timeline, key: str) -> list:
    """The 例 checked on the selection ``key``: 例@NAME on version NAME's own
    text, a section's 例 on its version's, a 経過措置's on the first day of its
    period, a common 例 on the latest version's."""
    from . import ast

    out = [e for e in reg.examples if (e.pin or tl.key(tl.latest_index)) == key]
    tix = 0
    for sec in reg.sections:
        out.extend(e for e in sec.items if isinstance(e, ast.Example) and (e.pin or sec.name) == key)
        for t in sec.transitionals:
            tr = tl.transitions[tix]
            tix += 1
            if tr is not None:
                here = tl.key_on(tr.start)
                out.extend(e for e in t.items if isinstance(e, ast.Example) and (e.pin or here) == key)
    return sorted(out, key=lambda e: (e.span.line, e.span.col))


def keys_to_check(tl: Timeline) -> list[tuple]:
    """(version index, 経過措置) of every text to check: each version's own text
    and every epoch, latest version's own text last."""
    out = [(k, ()) for k in range(len(tl.versions))]
    for _d, vidx, active in tl.epochs:
        if (vidx, active) not in out:
            out.append((vidx, active))
    out.remove((tl.latest_index, ()))
    return out + [(tl.latest_index, ())]
