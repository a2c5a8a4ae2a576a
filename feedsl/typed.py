"""Text typed for an input, read as the input's type: the one dispatch from
an input's IR type to feedsl.values, shared by ``feedsl eval`` (name=value,
--inputs JSON) and ``feedsl batch`` (roster cells).

:class:`UsageError` is what a value that cannot be read raises; the command
line turns it into exit code 2, a roster into a rejected row.
"""

from __future__ import annotations

import json

from .values import read_digits


class UsageError(Exception):
    pass


class InputValueError(UsageError):
    """A value typed for an input that cannot be read (25,000円 for a 人 input):
    reported as an input error, like the ones the compiled function raises."""


# Inputs of any length are read exactly and computed, as the Python API computes
# with any int: Python's int() and Fraction() refuse text of more than 4,300
# digits, so long digit strings are read piecewise (feedsl.values). Output shortens a
# number past 60 digits (runtime.format_number); --json carries it exactly.

def clip(text: str, keep: int = 40) -> str:
    """A value as a message echoes it: a long one cut, with its length."""
    return text if len(text) <= keep else f"{text[:keep]}…（{len(text):,}文字）"


def load_json(text: str, where: str):
    """JSON with integers of any length; nesting too deep for Python's parser or
    malformed JSON is a UsageError naming ``where`` (the input or the file)."""
    try:
        return json.loads(text, parse_int=read_digits)
    except RecursionError:
        raise UsageError(f"{where}: JSON の入れ子が深すぎます / JSON nested too deep") from None
    except json.JSONDecodeError as e:
        raise UsageError(f"{where}: JSON として読めません（{e.msg}、{e.lineno}行 {e.colno}列）"
                         f" / not valid JSON ({e.msg}, line {e.lineno} column {e.colno})") from None


def unit_of(typ) -> str:
    """The unit an input's text may carry: 人, 円/世帯; empty for a rate or a plain number."""
    from .ir import NODIM

    return "" if typ.dim == NODIM else str(typ)


def parse_value(text, typ, name: str, reg=None):
    """A value typed for an input of type ``typ`` -- on the command line or as a
    JSON string -- read by feedsl.values (the one reader of every input surface).
    Records and lists are JSON (their strings read the same way). An enum or a
    date that does not read is passed on as typed, for the module's own message."""
    from .ir import BoolType, DateType, EnumType, ListType, QType, RecordType
    from .values import ValueReadError, read_bool, read_date, read_enum, read_quantity

    if not isinstance(text, str):
        return coerce(text, typ, name, reg)
    t = text.strip()
    try:
        if isinstance(typ, QType):
            return read_quantity(t, unit_of(typ), typ.integral)
        if isinstance(typ, BoolType):
            return read_bool(t)
        if isinstance(typ, DateType):
            return read_date(t)
        if isinstance(typ, EnumType) and reg is not None and typ.name in reg.enums:
            return read_enum(t, reg.enums[typ.name].values)
    except ValueReadError as e:
        if isinstance(typ, (QType, BoolType)):
            raise InputValueError(f"{name}={e.ja} / {name}={e.en}") from None
        return t
    if isinstance(typ, (RecordType, ListType)):
        return coerce(load_json(t, name), typ, name, reg)
    return t


def coerce(value, typ, where: str, reg):
    """JSON inputs: strings read as typed values (``"2.5万人"``, ``"令和6年10月1日"``,
    ``"市"``), inside records and lists too; everything else as it is."""
    from .ir import ListType, RecordType

    if isinstance(value, str) and not isinstance(typ, (RecordType, ListType)):
        return parse_value(value, typ, where, reg)
    if isinstance(typ, RecordType) and isinstance(value, dict) and reg is not None and typ.name in reg.records:
        fields = {f.name: f.type for f in reg.records[typ.name].fields}
        return {k: coerce(v, fields[k], f"{where}.{k}", reg) if k in fields else v
                for k, v in value.items()}
    if isinstance(typ, ListType) and isinstance(value, list):
        return [coerce(v, typ.element, f"{where}[{i}]", reg) for i, v in enumerate(value)]
    return value
