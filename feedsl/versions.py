"""Versions of one regulation in one file (版), and the text in force on a date.

The header declares the versions, oldest first::

    版 levy2001 「負担金算定基準」 施行 平成13年4月1日
    版 fee2018 「会費算定基準」 施行 平成30年9月21日 適用 平成30年4月1日

A top-level line ``版 NAME`` starts a section: the 規則, 表 and 例 after it
belong to that version until the next ``版`` line; items before the first such
line belong to every version. On a date D the versions in force are those whose
適用日 (else 施行日) is on or before D; each rule is the definition of the latest
of them that defines it; a rule no version in force defines (or that uses such a
rule) is unavailable on D and raises FeeInputError when called, never an old value.

The selection is made on the text: lines that do not belong to the selected
date become blank lines, so every line keeps its number and column and the rest
of the pipeline (parser, checker, code generator, module cache) is unchanged.
A text without 版 lines is returned as it is.
"""

from __future__ import annotations

import datetime
import re

_WS = "[ \t\u3000]"
_DECL = re.compile(rf"^({_WS}+)版{_WS}+(.*?){_WS}*(?:#.*)?$")
_DECL_BODY = re.compile(
    rf"([A-Za-z][A-Za-z0-9_]*){_WS}+(「[^」\n]*」){_WS}+施行{_WS}+(\S+)(?:{_WS}+適用{_WS}+(\S+))?$")
_SECTION = re.compile(rf"^版(?:{_WS}+(.*?))?{_WS}*(?:#.*)?$")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_ITEM = re.compile(rf"^(規則|表|例)(@([A-Za-z][A-Za-z0-9_]*))?{_WS}+([A-Za-z][A-Za-z0-9_]*)")
_LABEL = re.compile(r"「[^」\n]*」")
MARK = "# feedsl 版 "


class Version:
    """One declared version: its name, label (without 「」), 施行日, 適用日 (or None) and line."""

    __slots__ = ("name", "label", "enacted", "applies", "line")

    def __init__(self, name, label, enacted, applies, line):
        self.name, self.label, self.enacted, self.applies, self.line = name, label, enacted, applies, line

    @property
    def in_force(self) -> datetime.date:
        return self.applies or self.enacted

    def as_dict(self) -> dict:
        return {"name": self.name, "label": self.label, "施行": self.enacted.isoformat(),
                "適用": self.applies.isoformat() if self.applies else None,
                "in_force_from": self.in_force.isoformat()}


class Problem:
    """A mistake in the 版 lines: code, line, column, length, Japanese and English text."""

    def __init__(self, code, line, col, length, ja, en, severity="error"):
        self.code, self.line, self.col, self.length = code, line, col, length
        self.ja, self.en, self.severity = ja, en, severity


class Item:
    """A top-level item: first and last line (0-based), kind, name, pinned version, section."""

    __slots__ = ("start", "end", "kind", "name", "pin", "section")

    def __init__(self, start, end, kind, name, pin, section):
        self.start, self.end, self.kind, self.name, self.pin, self.section = start, end, kind, name, pin, section


class Versioned:
    """The 版 structure of a file: versions (date order), items, problems."""

    def __init__(self, lines, versions, items, decl_lines, section_lines, problems):
        self.lines, self.versions, self.items = lines, versions, items
        self.decl_lines, self.section_lines, self.problems = decl_lines, section_lines, problems

    @property
    def latest(self) -> Version:
        return self.versions[-1]

    def selection(self, as_of: datetime.date | None) -> "Selection":
        """The text in force on ``as_of`` (None: the latest version, today's text)."""
        from .runtime import FeeInputError
        from .values import wareki

        if as_of is None:
            in_force = list(self.versions)
        else:
            in_force = [v for v in self.versions if v.in_force <= as_of]
        if not in_force:
            first = self.versions[0]
            raise FeeInputError(
                f"{wareki(as_of)}（{as_of.isoformat()}）に施行されている版はありません。"
                f"この規程が知る最も早い版は「{first.label}」（{first.name}、{wareki(first.in_force)}から）です"
                f" / no version is in force on {as_of.isoformat()}; the earliest version the file knows is "
                f"{first.name}, in force from {first.in_force.isoformat()}", "as_of", "基準日")
        chosen = in_force[-1]
        rank = {v.name: i for i, v in enumerate(in_force)}
        known = {v.name: v for v in self.versions}
        # Each name: the definition of the latest version in force that defines it.
        best: dict[tuple, Item] = {}
        later: dict[str, datetime.date] = {}
        for it in self.items:
            if it.kind == "例" or it.section is None:
                continue
            if it.section in rank:
                key = (it.kind, it.name)
                if key not in best or rank[it.section] >= rank[best[key].section]:
                    best[key] = it
            elif it.section in known:
                v = known[it.section]
                if it.name not in later or v.in_force < later[it.name].in_force:
                    later[it.name] = v
        kept = []
        for it in self.items:
            if it.kind == "例":
                pin = it.pin or it.section
                if (pin is None and chosen is self.latest) or pin == chosen.name:
                    kept.append(it)
            elif it.section is None or best.get((it.kind, it.name)) is it:
                kept.append(it)
        unavailable = {n: d for n, d in later.items() if not any(k.name == n and k.kind != "例" for k in kept)}
        kept = self._without_unavailable(kept, unavailable)
        out = [""] * len(self.lines)
        for it in kept:
            for i in range(it.start, it.end + 1):
                out[i] = self.lines[i]
            if it.pin:  # 例@NAME → 例 with blanks, columns kept
                line = out[it.start]
                at = line.index("@")
                out[it.start] = line[:at] + " " * (len(it.pin) + 1) + line[at + len(it.pin) + 1:]
        first_item = self.items[0].start if self.items else len(self.lines)
        for i in range(first_item):  # the header (版 declarations left out)
            if i not in self.decl_lines and i not in self.section_lines:
                out[i] = self.lines[i]
        text = "\n".join(out) + f"\n{MARK}{chosen.name}\n"
        return Selection(text, chosen, unavailable, tuple(v.name for v in self.versions))

    def _without_unavailable(self, kept: list, unavailable: dict) -> list:
        """Leave out (transitively) every item that names an unavailable rule."""
        changed = True
        while changed and unavailable:
            changed = False
            for it in list(kept):
                uses = self._names(it) & unavailable.keys()
                if it.kind == "例":
                    if it.name in unavailable or uses:
                        kept.remove(it)
                    continue
                if uses:
                    kept.remove(it)
                    changed = True
                    if it.name and it.kind in ("規則", "表"):
                        unavailable[it.name] = max((unavailable[u] for u in uses), key=lambda v: v.in_force)
        return kept

    def _names(self, it: Item) -> set:
        text = "\n".join(self.lines[it.start:it.end + 1])
        text = "\n".join(line.split("#", 1)[0] for line in _LABEL.sub("", text).split("\n"))
        names = set(_NAME.findall(text))
        if it.name and it.kind in ("規則", "表"):
            names.discard(it.name)
        return names


class Selection:
    """The text of the version in force on a date, that version, and the
    rules unavailable on that date with the version from which the file knows them."""

    def __init__(self, text: str, version: Version, unavailable: dict, known: tuple = ()):
        self.text, self.version, self.unavailable, self.known = text, version, unavailable, known


def earlier_dates(text: str) -> list:
    """The dates from which each version but the latest is in force (their
    examples run on those texts); none for a file without (valid) versions."""
    versioned = scan(text) if "版" in text else None
    if versioned is None or any(p.severity == "error" for p in versioned.problems):
        return []
    return [v.in_force for v in versioned.versions[:-1]]


def scan(text: str) -> Versioned | None:
    """The 版 structure of a text, or None when it declares no versions."""
    from .values import read_date

    if "版" not in text:
        return None
    lines = text.split("\n")
    problems: list[Problem] = []
    versions: list[Version] = []
    decl_lines: set[int] = set()
    section_lines: set[int] = set()
    items: list[Item] = []
    in_header = False
    section = None
    seen_item = False
    for i, line in enumerate(lines):
        if not line or line[0] in " \t\u3000#":
            if in_header and not seen_item:
                m = _DECL.match(line)
                if m:
                    decl_lines.add(i)
                    versions_line(m, i, line, versions, problems, read_date)
            if items and line.strip() and not line.lstrip().startswith("#"):
                items[-1].end = i
            continue
        if line.startswith("規程"):
            in_header = True
            continue
        seen_item = True
        if line.startswith("版") and _SECTION.match(line) and (not line[1:2] or line[1] in " \t\u3000"):
            m = _SECTION.match(line)
            name = (m.group(1) or "").strip()
            section_lines.add(i)
            section = name
            if not any(v.name == name for v in versions):
                col = line.index(name) + 1 if name else 1
                known = "、".join(v.name for v in versions) or "なし"
                problems.append(Problem("F233", i + 1, col, max(len(name), 1),
                                        f"版「{name}」は見出しで宣言されていません（宣言された版: {known}）",
                                        f"version {name!r} is not declared in the header"))
            continue
        m = _ITEM.match(line)
        if m:
            kind, pin, name = m.group(1), m.group(3), m.group(4)
            if pin and not any(v.name == pin for v in versions):
                problems.append(Problem("F236", i + 1, 3, len(pin),
                                        f"例の版「{pin}」は見出しで宣言されていません",
                                        f"the example is pinned to an undeclared version {pin!r}"))
            items.append(Item(i, i, kind, name, pin, section))
        else:
            kind = line.split(None, 1)[0]
            if section is not None:
                problems.append(Problem("F235", i + 1, 1, len(kind),
                                        f"版の節に書けるのは 規則・表・例 だけです。「{kind}」は最初の「版」の行より前（全ての版に共通の部分）に書いてください",
                                        f"only 規則, 表 and 例 belong to a version; put {kind} before the first 版 line"))
            items.append(Item(i, i, kind, None, None, section))
    if not versions and not section_lines and not decl_lines:
        return None
    if not versions and section_lines and not problems:
        first = min(section_lines)
        problems.append(Problem("F233", first + 1, 1, 1, "版の節がありますが、見出しに版が宣言されていません",
                                "a version section but no version declared in the header"))
    for a, b in zip(versions, versions[1:]):
        if b.in_force < a.in_force:
            problems.append(Problem("F231", b.line + 1, 1, 1,
                                    f"版「{b.name}」は「{a.name}」より前に施行されます。版は施行（適用）の日付の順に書いてください",
                                    f"versions must be in date order: {b.name} is in force before {a.name}"))
        elif b.in_force == a.in_force:
            problems.append(Problem("F234", b.line + 1, 1, 1,
                                    f"版「{b.name}」と「{a.name}」は同じ日（{b.in_force.isoformat()}）から施行されます。一日に施行される版は一つにしてください",
                                    f"versions {a.name} and {b.name} are both in force from {b.in_force.isoformat()}"))
    return Versioned(lines, versions, items, decl_lines, section_lines, problems)


def versions_line(m, i, line, versions, problems, read_date) -> None:
    """Read one 版 declaration of the header into ``versions`` (or a problem)."""
    col = len(m.group(1)) + 1
    body = _DECL_BODY.match(m.group(2))
    if not body:
        problems.append(Problem("F230", i + 1, col, 1,
                                "版は『版 名前 「改正の名前」 施行 日付』（適用日が違えば続けて『適用 日付』）と書いてください",
                                "write a version as 版 NAME 「label」 施行 DATE [適用 DATE]"))
        return
    name, label, enacted, applies = body.groups()
    dates = []
    for text in (enacted, applies):
        if text is None:
            dates.append(None)
            continue
        try:
            dates.append(read_date(text))
        except ValueError as e:
            problems.append(Problem("F230", i + 1, line.index(text) + 1, len(text),
                                    f"版の日付が読めません: {e}", f"cannot read the version's date {text!r}"))
            return
    if any(v.name == name for v in versions):
        problems.append(Problem("F232", i + 1, line.index(name, col) + 1, len(name),
                                f"版「{name}」が二度宣言されています", f"version {name!r} is declared twice"))
        return
    versions.append(Version(name, label[1:-1], dates[0], dates[1], i))


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


def unavailable_message(name: str, since: Version, chosen: Version) -> str:
    from .values import wareki

    return (f"規則「{name}」は、基準日に施行されている版「{chosen.label}」にはありません。"
            f"この規程では版「{since.label}」（{since.name}）の{wareki(since.in_force)}から定められています"
            f" / {name} is not in the version in force on that date ({chosen.name}); the file knows it from "
            f"{since.in_force.isoformat()} (version {since.name})")


def attach(mod, sel: Selection) -> None:
    """VERSION, the unavailable entries (each raising FeeInputError) and an
    explain() that names the version, on a module loaded for ``sel``."""
    from .runtime import FeeInputError

    ns = mod.__dict__
    if ns.get("VERSION") is not None:  # the cached module of this same selection
        return
    messages = {n: unavailable_message(n, v, sel.version) for n, v in sel.unavailable.items()}

    def unavailable(name):
        def entry(*args, **kwargs):
            raise FeeInputError(messages[name], "as_of", "基準日")
        entry.__name__ = name
        return entry

    for name in messages:
        ns[name] = unavailable(name)
    ns["__feedsl_unavailable__"] = messages
    explain = ns.get("explain")
    version = {**sel.version.as_dict(), "versions": list(sel.known)}  # every version the file knows
    if explain is not None:
        def explain_in_version(entry, /, **inputs):
            if entry in messages:
                raise FeeInputError(messages[entry], "as_of", "基準日")
            e = explain(entry, **inputs)
            e.version = version
            return e
        ns["explain"] = explain_in_version
    ns["VERSION"] = version
