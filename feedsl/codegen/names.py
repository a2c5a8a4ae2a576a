"""Every name the generators write comes from here.

Three namespaces that cannot meet, by construction:

* **Author names** (rules, inputs, parameters, fields, enum values): ASCII
  identifiers that never start with ``_`` (the grammar and the checker see to
  it). They appear only where users see them: entry functions and their
  keyword parameters, record fields, enum members, and the public classes
  minted from enum and record names by :meth:`Namer.public_class`.
* **Module-level minted names**: ``_<Kind><n>`` or ``_<Kind><n>_<hint>``, where
  ``Kind`` starts with an upper-case letter and ``n`` is a counter shared by
  the whole module. The number is followed by ``_`` or the end, so two mints
  never produce the same text whatever their hints are (``_E3_a__b`` and
  ``_E4_a__b`` differ); :meth:`Namer.mint` also asserts it.
* **Local minted names** (:meth:`feedsl.codegen.writer.Body.fresh`):
  ``_<kind><n>`` with a lower-case kind, and the fixed import aliases
  ``_rt_<name>`` (runtime), ``_xp_<name>`` (explanation helpers) and
  ``_bi_<name>`` (builtins) — lower-case letters followed by ``_``.

Generated code refers to module-level things (other rules, classes, builtins,
constants) only through minted names, so no author name — a rule called
``len``, an input called ``Kind`` or a parameter named like its own rule —
can shadow what the code means.
"""

from __future__ import annotations

import keyword
import re

# Module-level names a generated module defines besides the rules.
RESERVED_PUBLIC = {"REGULATION", "TITLE", "FISCAL_YEAR_START", "ENTRIES", "explain", "annotations"}

_HINT = re.compile(r"[^A-Za-z0-9_]")


def class_name(ident: str) -> str:
    """``municipality_kind`` → ``MunicipalityKind``."""
    name = "".join(part[:1].upper() + part[1:] for part in ident.split("_") if part)
    return name or "Enum"


def runtime(name: str) -> str:
    """How generated code refers to a helper imported from feedsl.runtime."""
    return f"_rt_{name}"


def explain_helper(name: str) -> str:
    """How generated code refers to a helper imported from feedsl.explanation."""
    return f"_xp_{name}"


def builtin(name: str) -> str:
    """How generated code refers to a builtin (never by its bare name)."""
    return f"_bi_{name}"


class Namer:
    """Mints a module's names: each (kind, key) once, each text once."""

    def __init__(self, public: set[str]):
        self.public = set(public) | RESERVED_PUBLIC
        self.minted: dict[tuple, str] = {}
        self.texts: set[str] = set()
        self.n = 0

    def public_class(self, ident: str) -> str:
        """A class name for an enum or record, distinct from every other public name."""
        base = class_name(ident)
        name = base
        k = 2
        while name in self.public or keyword.iskeyword(name):
            name = f"{base}{k}"
            k += 1
        self.public.add(name)
        return name

    def mint(self, kind: str, key, hint: str = "") -> str:
        """The module-level name for ``(kind, key)``: ``_<kind><n>_<hint>``."""
        assert kind[:1].isupper() and kind.isalpha(), kind
        k = (kind, key)
        name = self.minted.get(k)
        if name is not None:
            return name
        self.n += 1
        hint = _HINT.sub("", hint)[:40]
        name = f"_{kind}{self.n}" + (f"_{hint}" if hint else "")
        if name in self.texts or name in self.public:  # pragma: no cover - impossible by construction
            raise AssertionError(f"minted {name!r} twice")
        self.texts.add(name)
        self.minted[k] = name
        return name

    def has(self, kind: str, key) -> bool:
        return (kind, key) in self.minted
