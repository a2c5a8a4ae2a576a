"""Every name the generator writes comes from here.

Author identifiers are ASCII and never start with ``_`` (the grammar and the
checker see to it), so the compiler's own names, which all start with ``_``,
can never collide with them. Public names derived from author identifiers
(enum and record classes) are checked against everything else in the module.
"""

from __future__ import annotations

import keyword

# Module-level names a generated module defines besides the rules.
RESERVED_PUBLIC = {"REGULATION", "TITLE", "FISCAL_YEAR_START", "ENTRIES", "explain", "annotations"}


def class_name(ident: str) -> str:
    """``municipality_kind`` → ``MunicipalityKind``."""
    name = "".join(part[:1].upper() + part[1:] for part in ident.split("_") if part)
    return name or "Enum"


class Namer:
    """Mints the public class names of a module without collisions."""

    def __init__(self, taken: set[str]):
        self.taken = set(taken) | RESERVED_PUBLIC

    def public_class(self, ident: str) -> str:
        base = class_name(ident)
        name = base
        k = 2
        while name in self.taken or keyword.iskeyword(name):
            name = f"{base}{k}"
            k += 1
        self.taken.add(name)
        return name


def input_info(name: str) -> str:
    return f"_I_{name}"


def enum_lookup(enum: str) -> str:
    return f"_T_{enum}"


def enum_member(enum: str, member: str) -> str:
    return f"_E_{enum}__{member}"


def hoisted(rule: str) -> str:
    return f"_v_{rule}"


def rule_impl(rule: str) -> str:
    return f"_r_{rule}"


def record_check(rec: str) -> str:
    return f"_rec_{rec}"


def table_bounds(table: str) -> str:
    return f"_B_{table}"


def table_values(table: str) -> str:
    return f"_V_{table}"


def constant(k: int) -> str:
    return f"_K{k}"


def temp(k: int) -> str:
    return f"_t{k}"


# --- the explain path (generated next to the plain functions, never called by them)

def explain_rule(rule: str) -> str:
    """The function that computes a rule and builds its explanation node."""
    return f"_x_{rule}"


def explain_entry(rule: str) -> str:
    """The entry's validating wrapper used by ``explain()``."""
    return f"_xe_{rule}"


def explain_table(table: str) -> str:
    return f"_XT_{table}"


def explain_record(rec: str) -> str:
    return f"_XR_{rec}"


def explain_aggregate(k: int) -> str:
    return f"_xa{k}"


def explain_temp(k: int) -> str:
    return f"_xt{k}"


def explain_node(k: int) -> str:
    return f"_xn{k}"


def explain_helper(name: str) -> str:
    """How generated code refers to a helper imported from feedsl.explanation."""
    return f"_X{name}"


EXPLAIN_DISPATCH = "_EXPLAIN"
