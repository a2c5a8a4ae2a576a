"""What generated modules import: exact rounding, input checks, errors.

Standard library only. Importing a compiled regulation imports this module and
nothing else of feedsl: never the parser (lark) nor the templates (jinja2).
"""

from __future__ import annotations

import _thread
import datetime
import enum
import inspect
import reprlib
from fractions import Fraction

from .values import ValueReadError, read_date, read_enum

__all__ = [
    "FeeInputError",
    "FeeEnum",
    "FeeRecord",
    "REQUIRED",
    "InputInfo",
    "round_half_up",
    "round_down",
    "round_up",
    "divide",
    "bad_count",
    "bad_bool",
    "bad_rate",
    "enum_arg",
    "enum_excluded",
    "date_arg",
    "relation_failed",
    "no_row",
    "entry",
    "bad_call",
    "sum_over",
    "count_over",
    "fy_month",
    "record_arg",
    "list_arg",
    "months_to_fy_end",
    "months_to_fy_end_including",
    "calendar_month",
    "FISCAL_MONTH",
    "format_decimal",
    "format_rate",
    "lookup_rows",
    "deep_call",
    "recursion_headroom",
    "recursion_headroom_end",
    "format_number",
    "format_percent",
    "format_value",
    "int_digits",
    "exact_text",
    "json_int",
    "shown_input",
    "Fraction",
]


class FeeInputError(ValueError):
    """A compiled fee function was called with a bad input.

    ``input`` names the input (``population``), ``label`` is its label (人口).
    ``inputs`` names every input involved: both sides of a broken 前提
    (``members ≤ association_members``), or just ``(input,)``.
    """

    def __init__(self, message: str, input: str = "", label: str = "", inputs: tuple = ()):
        super().__init__(message)
        self.input = input
        self.label = label
        self.inputs = tuple(inputs) or ((input,) if input else ())


class _Required:
    """The default of a required input: its absence is reported as FeeInputError."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<required>"


REQUIRED = _Required()


class InputInfo:
    """What an error message needs to know of an input."""

    __slots__ = ("name", "label", "unit", "minimum")

    def __init__(self, name: str, label: str, unit: str = "", minimum: int = 0):
        self.name = name
        self.label = label
        self.unit = unit
        self.minimum = minimum

    def describe(self) -> str:
        return f"{self.name}（{self.label}）"


class FeeEnum(str, enum.Enum):
    """Base of generated enumerations: str-valued, with a Japanese label."""

    @property
    def label(self) -> str:
        return type(self)._labels[self.value]

    def __str__(self) -> str:
        return self.value


class FeeRecord:
    """Base of generated record classes: immutable, compared and hashed by fields.

    Behaviour lives here, not in generated code, so that rules named like
    builtins (``all``, ``hash``) can never change how records behave.
    """

    __slots__ = ()
    _label = ""
    _set = object.__setattr__

    def __setattr__(self, name, value):
        raise AttributeError("records are immutable")

    def __setstate__(self, state):
        # pickle and copy restore a __slots__ object's (None, {slot: value}) state
        # through setattr, which records refuse; set the slots directly instead.
        for name, value in state[1].items():
            FeeRecord._set(self, name, value)

    def __eq__(self, other):
        return type(other) is type(self) and all(
            getattr(self, n) == getattr(other, n) for n in self.__slots__)

    def __hash__(self):
        return hash(tuple(getattr(self, n) for n in self.__slots__))

    def __repr__(self):
        fields = ", ".join(f"{n}={_exact_repr(getattr(self, n))}" for n in self.__slots__)
        return f"{type(self).__name__}({fields})"

    def to_dict(self) -> dict:
        """The fields as a dict (enum members as their string values); a
        conditional field (必要 …) that was not given is left out."""
        return {n: getattr(self, n) for n in self.__slots__ if getattr(self, n) is not None}


# --- numbers as text ----------------------------------------------------------
#
# Python refuses to turn an int of more than 4,300 digits into text: str(),
# repr() and f"{n:,}" raise ValueError (sys.get_int_max_str_digits), and its
# conversion takes time quadratic in the length. A count given as input can be
# that long (a Python caller, a JSON file), and so can an amount computed from
# it. So nothing that shows a number -- an input error, a broken 前提, an
# explanation, a page, the CLI -- formats it with str() or format(): it calls
# format_number (or format_value, which calls it), which never raises and is
# quick however long the number (it writes out only its first and last digits;
# a million digits take under a second). The interpreter's limit is never
# raised: it protects the whole process, not just feedsl.

SHOWN_DIGITS = 60
"""A number of up to this many digits is shown in full. No fee, count or rate
of a regulation comes near it (10**60円 is more than all the money on earth, many
times over): a longer one is a typing slip or an attack, and five thousand
digits in a message help nobody. Past it a number is shown shortened, marked
and with its exact digit count -- 10,000,000,000…（全5,000桁）…000,000,000 --
and its exact value is in the JSON output (see :func:`json_int`)."""

JSON_DIGITS = 4300
"""An int of more digits goes into JSON as a string of its exact decimal digits:
Python's json.dumps cannot write it as a number, nor json.loads read one back
(the interpreter's default limit, sys.int_info.default_max_str_digits)."""

_SHORT_BITS = 13_000  # ints below 2**13000 (< 3,914 digits) convert with str() safely
_SHOWN_LIMIT = 10 ** SHOWN_DIGITS


def _magnitude(n: int) -> tuple[int, int]:
    """(d, 10**(d - 1)) where d is the number of decimal digits of ``n`` >= 1."""
    d = (n.bit_length() - 1) * 30103 // 100000 + 1  # log10(2) ≈ 0.30103, then corrected
    p = 10 ** (d - 1)
    while p > n:
        p //= 10
        d -= 1
    while p * 10 <= n:
        p *= 10
        d += 1
    return d, p


def digit_count(n: int) -> int:
    """The number of decimal digits of ``abs(n)`` (1 for 0), without writing it out."""
    n = abs(n)
    return len(str(n)) if n < 10 ** 18 else _magnitude(n)[0]


def int_digits(n: int) -> str:
    """Every decimal digit of any int, exactly (``str(n)`` raises past 4,300
    digits): split at a power of ten until each part is short enough for str().
    Quadratic like str() itself; for text a person reads, use format_number."""
    if n < 0:
        return "-" + int_digits(-n)
    if n.bit_length() <= _SHORT_BITS:
        return str(n)
    half = digit_count(n) // 2
    high, low = divmod(n, 10 ** half)
    return int_digits(high) + int_digits(low).rjust(half, "0")


def exact_text(x) -> str:
    """An int or Fraction exactly, as str() writes it (2099/10000, 3), for any size."""
    if x.denominator == 1:
        return int_digits(x.numerator)
    return f"{int_digits(x.numerator)}/{int_digits(x.denominator)}"


def _exact_repr(v) -> str:
    """repr(), exact, also for ints and Fractions past 4,300 digits (where repr() raises)."""
    if v.__class__ is int:
        return int_digits(v)
    if v.__class__ is Fraction:
        return f"Fraction({int_digits(v.numerator)}, {int_digits(v.denominator)})"
    return repr(v)


def json_int(n: int):
    """``n`` itself when JSON readers can take it as a number, else its exact digits as a string."""
    if n.bit_length() <= _SHORT_BITS or digit_count(n) <= JSON_DIGITS:
        return n
    return int_digits(n)


def _whole(n: int, grouping: bool, en: bool) -> str:
    """A whole number >= 0: a comma every three digits; past SHOWN_DIGITS digits
    its leading group and three more, the digit count and its last three groups."""
    if n < _SHOWN_LIMIT:
        return f"{n:,}" if grouping else str(n)
    d, p = _magnitude(n)
    lead = (d % 3 or 3) + 9 if grouping else 12
    head = n // (p // 10 ** (lead - 1))  # p // 10**(lead-1) == 10**(d - lead)
    tail = str(n % 10 ** 9).rjust(9, "0")
    if grouping:
        head_text, tail = f"{head:,}", f"{tail[:3]},{tail[3:6]},{tail[6:]}"
    else:
        head_text = str(head)
    mark = f"({d:,} digits)" if en else f"（全{d:,}桁）"
    return f"{head_text}…{mark}…{tail}"


def _fixed(x, places: int) -> tuple[str, int, str]:
    """``x`` rounded half-up (halves away from zero) to ``places`` decimals,
    exactly: (sign, whole part, decimals as text)."""
    n, d = x.numerator, x.denominator
    scale = 10 ** places
    units = (2 * abs(n) * scale + d) // (2 * d)
    whole, frac = divmod(units, scale)
    sign = "-" if n < 0 and units else ""
    return sign, whole, (str(frac).rjust(places, "0") if places else "")


def _number(x, what: str):
    if not isinstance(x, (int, Fraction)) or isinstance(x, bool):
        raise TypeError(f"{what} needs an int or Fraction, not {type(x).__name__}")
    return x


def format_number(x, exact_places: int = 4, approx_places: int = 2, *,
                  grouping: bool = True, en: bool = False) -> str:
    """An int or Fraction of any size as text; never raises, never goes through a float.

    Exact when its decimals end within ``exact_places`` (1,543.125), otherwise
    約 and ``approx_places`` decimals rounded half-up (約0.67). The whole part
    has a comma every three digits (unless ``grouping`` is false); past
    SHOWN_DIGITS digits it is shortened, the digit count marked in Japanese
    (（全5,000桁）) or, with ``en``, in English.

    >>> format_number(1234567), format_number(Fraction(2, 3)), format_number(10 ** 60)
    ('1,234,567', '約0.67', '1,000,000,000…（全61桁）…000,000,000')
    """
    _number(x, "format_number")
    places = next((p for p in range(exact_places + 1) if 10 ** p % x.denominator == 0), None)
    approx = places is None
    sign, whole, frac = _fixed(x, approx_places if approx else places)
    return ("約" if approx else "") + sign + _whole(whole, grouping, en) + ("." + frac if frac else "")


def format_percent(rate, exact_places: int = 4, approx_places: int = 2) -> str:
    """A rate as a percent, exact when it ends within 4 decimals (20.99%), else 約33.33%."""
    return format_number(Fraction(_number(rate, "format_percent")) * 100,
                         exact_places, approx_places, grouping=False) + "%"


def format_value(value, unit: str = "") -> str:
    """A value as a regulation writes it: 244,000円, 20.99%, はい, 2024年4月1日,
    an enumeration value by its label (特別養護老人ホーム), a record by its fields.

    ``unit`` is the value's unit as the compiler knows it ('%' for a rate).
    """
    if value is None:
        return "—"
    if value.__class__ is bool:
        return "はい" if value else "いいえ"
    if isinstance(value, enum.Enum):
        return getattr(value, "label", str(value.value))
    if isinstance(value, datetime.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, FeeRecord):
        fields = "、".join(f"{n} {format_value(getattr(value, n))}" for n in value.__slots__)
        return f"{value._label or type(value).__name__}（{fields}）"
    if isinstance(value, (list, tuple)):
        return f"{len(value):,}件"
    if unit.startswith(FISCAL_MONTH) and isinstance(value, int):
        # 年度の月: a place in the fiscal year, never a count and never 「10月」 alone.
        start = unit[len(FISCAL_MONTH):].strip("（）月始まり")
        place = f"年度の第{value}月"
        return f"{place}（{calendar_month(value, int(start))}月）" if start.isdigit() else place
    if isinstance(value, (int, Fraction)):
        if unit == "%":
            return format_percent(value)
        return format_number(value) + unit
    return str(value)


class _ShortRepr(reprlib.Repr):
    """repr() cut short: long strings and deep or long lists elided, ints of
    any size shown by format_number (repr() of a huge int raises)."""

    def __init__(self):
        super().__init__()
        self.maxstring = 60
        self.maxother = 60

    def repr_int(self, x, level):
        return format_number(x, grouping=False)

    def repr_Fraction(self, x, level):
        return f"Fraction({format_number(x.numerator, grouping=False)}, " \
               f"{format_number(x.denominator, grouping=False)})"


_short_repr = _ShortRepr()


def shown_input(value) -> str:
    """A bad input as an error message shows it: like repr(), but short and
    never raising, whatever was passed (a 5,000-digit int, a 1 MB string, a
    list nested a thousand deep)."""
    return _short_repr.repr(value)


def _missing(info: InputInfo):
    raise FeeInputError(f"入力 {info.describe()} がありません / missing input {info.name!r}",
                        info.name, info.label)


def needed_missing(info: InputInfo, when: str):
    """A conditional input (必要 …) is missing where its condition holds."""
    raise FeeInputError(f"入力 {info.describe()}がありません。{when}に必要です"
                        f" / missing input {info.name!r}, needed when its condition holds",
                        info.name, info.label)


def bad_count(value, info: InputInfo):
    """Raise the right FeeInputError for a value that is not a valid count or amount."""
    if value is REQUIRED:
        _missing(info)
    if value.__class__ is bool:
        raise FeeInputError(
            f"入力 {info.describe()} は整数の{info.unit}で渡してください（真偽値 {shown_input(value)} は使えません）"
            f" / {info.name!r} must be an int, not bool", info.name, info.label)
    if isinstance(value, int) and not isinstance(value, bool):
        if value < info.minimum:
            raise FeeInputError(
                f"入力 {info.describe()} は {info.minimum}{info.unit}以上です（{format_number(value)} が渡されました）"
                f" / {info.name!r} must be >= {info.minimum}, got {format_number(value, en=True)}",
                info.name, info.label)
        return int(value)
    raise FeeInputError(
        f"入力 {info.describe()} は整数の{info.unit}で渡してください（{type(value).__name__} {shown_input(value)} は使えません）"
        f" / {info.name!r} must be an int, got {type(value).__name__}", info.name, info.label)


def bad_bool(value, info: InputInfo):
    if value is REQUIRED:
        _missing(info)
    raise FeeInputError(
        f"入力 {info.describe()} は True/False で渡してください（{type(value).__name__} {shown_input(value)} は使えません）"
        f" / {info.name!r} must be a bool", info.name, info.label)


def bad_rate(value, info: InputInfo, minimum=0, exclusive: bool = False):
    """A rate: an int or Fraction, never negative, at or above its 範囲 (above it for 超)."""
    if value is REQUIRED:
        _missing(info)
    if isinstance(value, (int, Fraction)) and not isinstance(value, bool):
        if value >= 0 and (value > minimum if exclusive else value >= minimum):
            return Fraction(value)
        if value >= 0:
            bound = f"{format_rate(minimum)}{'超' if exclusive else '以上'}"
            raise FeeInputError(
                f"入力 {info.describe()} は {bound} です（{format_rate(value)}）"
                f" / {info.name!r} must be {'above' if exclusive else 'at least'} {format_rate(minimum)}",
                info.name, info.label)
    raise FeeInputError(
        f"入力 {info.describe()} は 0 以上の整数か Fraction で渡してください（{shown_input(value)}）"
        f" / {info.name!r} must be a non-negative int or Fraction", info.name, info.label)


def enum_arg(cls, value, info: InputInfo):
    """Accept an enum member, its string value or its label (市, 通所介護事業所)."""
    if value is REQUIRED:
        _missing(info)
    if isinstance(value, str):
        try:
            return cls(read_enum(value, cls._labels.items()))
        except ValueReadError:
            pass
    choices = "、".join(f"{m.value}（{m.label}）" for m in cls)
    raise FeeInputError(
        f"入力 {info.describe()} に {shown_input(value)} は使えません。使える値: {choices}"
        f" / {info.name!r}: unknown value {shown_input(value)}", info.name, info.label)


def enum_excluded(value, allowed: tuple, info: InputInfo):
    """A value of the enum that this parameter does not take (a table has no column for it)."""
    choices = "、".join(f"{m.value}（{m.label}）" for m in allowed)
    raise FeeInputError(
        f"入力 {info.describe()} に {value.value}（{value.label}）は使えません。使える値: {choices}"
        f" / {info.name!r}: {value.value!r} is not one of {', '.join(m.value for m in allowed)}",
        info.name, info.label)


def date_arg(value, info: InputInfo) -> datetime.date:
    """Accept a datetime.date (not a datetime) or a date as text: 2024-10-15,
    2024/10/15, 2024年10月15日, 令和6年10月15日, R6.10.15 (feedsl.values.read_date)."""
    if value is REQUIRED:
        _missing(info)
    if value.__class__ is datetime.date:
        return value
    if isinstance(value, str):
        try:
            return read_date(value)
        except ValueReadError as e:
            raise FeeInputError(f"入力 {info.describe()} の日付 {e.ja} / {info.name!r}: {e.en}",
                                info.name, info.label) from None
    raise FeeInputError(
        f"入力 {info.describe()} は日付（datetime.date か '2024-10-15'・'令和6年10月15日' の形の文字列）で渡してください（{shown_input(value)}）"
        f" / {info.name!r} must be a date", info.name, info.label)


def _input_value(value, info: InputInfo) -> str:
    """An input's value with its unit; a Fraction input is a rate, shown in percent."""
    unit = "%" if value.__class__ is Fraction and not info.unit else info.unit
    return format_value(value, unit)


def relation_failed(label: str, text: str, values: dict, infos: tuple):
    """A broken 前提: each input it mentions with its value, as the regulation writes it."""
    names = "、".join(f"{i.describe()} = {_input_value(values[i.name], i)}" for i in infos)
    raise FeeInputError(f"{label}: {names}（前提: {text}）"
                        f" / inputs {', '.join(i.name for i in infos)} break the rule: {text}",
                        infos[0].name if infos else "", infos[0].label if infos else "",
                        tuple(i.name for i in infos))


def record_arg(cls, value, info: InputInfo, index: int | None = None):
    """Accept a record instance or a dict of its fields; errors name the field."""
    where = info.describe() + (f"[{index}]" if index is not None else "")
    if value is REQUIRED:
        _missing(info)
    if value.__class__ is cls:
        return value
    if isinstance(value, dict):
        unknown = [k for k in value if k not in cls.__slots__]
        if unknown:
            raise FeeInputError(
                f"入力 {where} に項目 {shown_input(unknown[0])} はありません。項目: {', '.join(cls.__slots__)}"
                f" / {info.name}: unknown field {shown_input(unknown[0])}",
                info.name + ("" if index is None else f"[{index}]") + "."
                + (unknown[0] if isinstance(unknown[0], str) else shown_input(unknown[0])), info.label)
        try:
            return cls(**value)
        except FeeInputError as e:
            # ``input`` is the path to the bad field: supporters[1].capacity
            path = info.name + ("" if index is None else f"[{index}]") + "." + e.input
            raise FeeInputError(f"入力 {where} の{e}", path, info.label) from None
    raise FeeInputError(
        f"入力 {where} は {cls._label}（dict か {cls.__name__}）で渡してください（{type(value).__name__} は使えません）"
        f" / {info.name}{'' if index is None else f'[{index}]'} must be a {cls.__name__} or a dict",
        info.name + ("" if index is None else f"[{index}]"), info.label)


def list_arg(cls, value, info: InputInfo) -> tuple:
    """Accept a list (or tuple) of records; errors name the item's index."""
    if value is REQUIRED:
        _missing(info)
    if not isinstance(value, (list, tuple)):
        raise FeeInputError(
            f"入力 {info.describe()} は一覧（list）で渡してください（{type(value).__name__} は使えません）"
            f" / {info.name!r} must be a list", info.name, info.label)
    return tuple(item if item.__class__ is cls else record_arg(cls, item, info, i)
                 for i, item in enumerate(value))


def _at(e: FeeInputError, where: str, i: int) -> FeeInputError:
    return FeeInputError(f"{where}[{i}]（{i + 1}件目）の{e}",
                         f"{where}[{i}]" + (f".{e.input}" if e.input else ""), e.label)


def sum_over(fn, items, where: str):
    """合計: the sum of ``fn(item)``; an input error names the item's index."""
    total = 0
    for i, item in enumerate(items):
        try:
            total += fn(item)
        except FeeInputError as e:
            raise _at(e, where, i) from None
    return total


def count_over(fn, items, where: str) -> int:
    """件数: how many items satisfy ``fn``; an input error names the item's index."""
    n = 0
    for i, item in enumerate(items):
        try:
            if fn(item):
                n += 1
        except FeeInputError as e:
            raise _at(e, where, i) from None
    return n


def divide(a, b, what: str, infos: tuple = ()) -> Fraction:
    """Exact division; dividing by zero is an input error naming the divisor.

    ``what`` describes the divisor (``association_members（技士会の会員数）``);
    ``infos`` are the inputs it is made of, so the error carries their names.
    """
    if b == 0:
        first = infos[0] if infos else None
        raise FeeInputError(f"{what} が 0 なので割り算ができません / {what} is zero",
                            first.name if first else what.split("（")[0],
                            first.label if first else "",
                            tuple(i.name for i in infos))
    return Fraction(a, b) if a.__class__ is int and b.__class__ is int else Fraction(a) / Fraction(b)


def format_decimal(x, digits: int) -> str:
    """``x`` with ``digits`` decimal places, rounded half-up (halves away from
    zero), computed exactly: never through a float.

    >>> format_decimal(Fraction(1, 8), 2), format_decimal(Fraction(-5, 2), 0)
    ('0.13', '-3')
    """
    _number(x, "format_decimal")
    if digits.__class__ is not int or digits < 0:
        raise ValueError(f"digits must be a whole number >= 0, not {digits!r}")
    sign, whole, frac = _fixed(x, digits)
    return sign + int_digits(whole) + ("." + frac if digits else "")


def format_rate(rate, digits: int = 2) -> str:
    """A rate (a Fraction such as members ÷ association_members) as a percent
    with ``digits`` decimal places, rounded half-up, exactly.

    >>> format_rate(Fraction(2099, 10000), 2), format_rate(Fraction(1, 3), 1), format_rate(1, 0)
    ('20.99%', '33.3%', '100%')
    """
    return format_decimal(Fraction(_number(rate, "format_rate")) * 100, digits) + "%"


def no_row(table: str, key):
    raise FeeInputError(f"表「{table}」に {format_value(key)} に当たる行がありません"
                        f" / no row of {table} for {shown_input(key)}")


def _to_units(x, unit: int):
    if x.__class__ is int:
        return Fraction(x, unit)
    return Fraction(x) / unit


def round_half_up(x, unit: int) -> int:
    """四捨五入 to a multiple of ``unit``: halves go away from zero (never round-half-even).

    >>> round_half_up(2500, 1000), round_half_up(2499, 1000)
    (3000, 2000)
    """
    if x.__class__ is int:
        if x >= 0:
            return (2 * x + unit) // (2 * unit) * unit
        return -((2 * -x + unit) // (2 * unit)) * unit
    q = _to_units(x, unit)
    n, d = q.numerator, q.denominator
    if n >= 0:
        return ((2 * n + d) // (2 * d)) * unit
    return -((2 * -n + d) // (2 * d)) * unit


def round_down(x, unit: int) -> int:
    """切り捨て to a multiple of ``unit`` (toward zero)."""
    q = _to_units(x, unit)
    n, d = q.numerator, q.denominator
    return (n // d if n >= 0 else -(-n // d)) * unit


def round_up(x, unit: int) -> int:
    """切り上げ to a multiple of ``unit`` (away from zero)."""
    q = _to_units(x, unit)
    n, d = q.numerator, q.denominator
    if n >= 0:
        return -(-n // d) * unit
    return (-n // d) * -unit if (-n) % d == 0 else -((-n) // d + 1) * unit


def fy_month(d: datetime.date, start: int) -> int:
    """The month's place in a fiscal year starting in month ``start`` (1 = first month)."""
    return (d.month - start) % 12 + 1


def months_to_fy_end(d: datetime.date, start: int) -> int:
    """翌月から年度末までの月数: months from the month after ``d`` to the fiscal
    year's last month, inclusive (10月15日, April year: 11月～3月 = 5)."""
    return 12 - fy_month(d, start)


def months_to_fy_end_including(d: datetime.date, start: int) -> int:
    """当月から年度末までの月数: months from the month of ``d`` itself to the
    fiscal year's last month, inclusive (10月15日, April year: 10月～3月 = 6)."""
    return 13 - fy_month(d, start)


FISCAL_MONTH = "年度の月"
"""The unit of 年度の月(d), a place in the fiscal year. Explanations pass it
with the year's first month (年度の月（4月始まり）) so that the place is shown
with its calendar month: 年度の第10月（1月）."""


def calendar_month(place: int, start: int) -> int:
    """The calendar month (1-12) at ``place`` (1-12) of a fiscal year starting in month ``start``."""
    return (start + place - 2) % 12 + 1


def columns_module(scope: dict, source: str):
    """``m.columns`` of a compiled module (``scope`` its globals): its columnar
    source executed once, with numpy (the ``columns`` extra)."""
    try:
        import numpy  # noqa: F401
    except ImportError:
        raise ImportError("m.columns には numpy が要ります: pip install 'feedsl[columns]'"
                          " / columnar entries need numpy: pip install 'feedsl[columns]'") from None
    import types

    mod = types.ModuleType(f"{scope.get('__name__', 'feedsl')}.columns",
                           f"{scope.get('TITLE', '')}: columnar entries (numpy)")
    mod.__dict__["_scalar"] = scope
    filename = f"<feedsl columns {scope.get('REGULATION', '')}>"
    exec(compile(source, filename, "exec"), mod.__dict__)  # compiler-generated source, never author text
    for name, fn in mod._ENTRIES.items():
        fn.__name__ = fn.__qualname__ = name
        setattr(mod, name, fn)
    scope["columns"] = mod
    return mod


def versioned(scope: dict, version: dict, unavailable: dict) -> None:
    """The end of a module compiled for one version (版) of a file (``scope`` its
    globals, while it is being executed): ``VERSION``, an entry raising
    FeeInputError for each rule ``unavailable`` on the dates of that version
    (name -> message), and an ``explain`` naming the version and the 経過措置
    whose rules the explanation used."""
    scope["VERSION"] = version
    scope["__feedsl_unavailable__"] = dict(unavailable)

    def unavailable_entry(name: str):
        def fn(*args, **kwargs):
            raise FeeInputError(unavailable[name], "as_of", "基準日")
        fn.__name__ = fn.__qualname__ = name
        return fn

    for name in unavailable:
        scope[name] = unavailable_entry(name)
    explain = scope["explain"]

    def explain_in_version(entry, /, **inputs):
        if entry in unavailable:
            raise FeeInputError(unavailable[entry], "as_of", "基準日")
        e = explain(entry, **inputs)
        used = {n.name for n in e.walk()}
        e.version = {**version, "transitional": [t for t in version.get("transitional", ())
                                                 if used & set(t["rules"])]}
        return e

    explain_in_version.__doc__ = explain.__doc__
    scope["explain"] = explain_in_version


def bad_call(entry: str, args: tuple, extra: dict, allowed: tuple):
    """A compiled function was called with positional or unknown inputs."""
    if args and not allowed:
        raise FeeInputError(f"{entry} は入力を取りません（位置引数 {len(args)} 個が渡されました）"
                            f" / {entry} takes no inputs", "(位置引数)")
    if args:
        raise FeeInputError(
            f"{entry} の入力は名前を付けて渡してください（例: {allowed[0]}=…）。"
            f"位置引数 {len(args)} 個は使えません / {entry} takes keyword arguments only", "(位置引数)")
    name = next(iter(extra))
    import difflib

    sug = difflib.get_close_matches(name, allowed, n=1)
    hint = f"「{sug[0]}」のことですか？ " if sug else ""
    raise FeeInputError(
        f"{entry} に入力 {name!r} はありません。{hint}入力: {', '.join(allowed) or 'なし'}"
        f" / {entry} has no input {name!r}", name)


def entry(func, required: tuple):
    """Show the public signature: keyword-only inputs, required ones without default.

    Generated functions default required inputs to REQUIRED so that a missing
    one raises FeeInputError, and catch stray arguments in ``*_args`` and
    ``**_extra``; neither detail belongs in the signature users see.
    """
    sig = inspect.signature(func)
    params = [p.replace(default=inspect.Parameter.empty) if p.name in required else p
              for p in sig.parameters.values()
              if p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)]
    func.__signature__ = sig.replace(parameters=params)
    return func


def lookup_rows(key, rows: tuple, values: tuple, table: str):
    """The amount of the row whose interval holds ``key``.

    ``rows`` are ``(lower, lower included, upper, upper included)`` sorted by
    lower bound and disjoint (the checker proved it; ``None`` is unbounded);
    ``values`` has one entry per row and a last one for それ以外 (``None``
    when the table has none). Exact for ints and Fractions alike.
    """
    lo, hi = 0, len(rows)
    # The last row whose lower bound admits the key: only it can hold the key.
    while lo < hi:
        mid = (lo + hi) // 2
        low, incl = rows[mid][0], rows[mid][1]
        if low is None or low < key or (incl and low == key):
            lo = mid + 1
        else:
            hi = mid
    i = lo - 1
    if i >= 0:
        _, _, high, incl = rows[i]
        if high is None or key < high or (incl and key == high):
            return values[i]
    if values[-1] is None:
        no_row(table, key)
    return values[-1]


def deep_call(depth: int, fn, *args):
    """Call ``fn`` whose rules call each other ``depth`` deep.

    Generated rules call one another as plain functions; a regulation whose
    rules form a chain longer than Python's default recursion limit allows
    (hundreds of rules, each using the one before twice) still computes: the
    limit is raised for the duration of the call (:func:`recursion_headroom`).
    """
    import sys

    frame, here = sys._getframe(), 0
    while frame is not None:
        here += 1
        frame = frame.f_back
    recursion_headroom(here + 3 * depth + 200)
    try:
        return fn(*args)
    finally:
        recursion_headroom_end()


def recursion_headroom(frames: int) -> None:
    """Raise the interpreter's recursion limit to at least ``frames`` until the
    matching :func:`recursion_headroom_end`. Every user (deep generated calls,
    the compiler's deep thread, the reference interpreter) shares one count, so
    the limit goes back to what it was only when the last of them ends."""
    import sys

    with _DEEP_LOCK:
        if _DEEP[0] == 0:
            _DEEP[1] = sys.getrecursionlimit()
        _DEEP[0] += 1
        if frames > sys.getrecursionlimit():
            sys.setrecursionlimit(frames)


def recursion_headroom_end() -> None:
    import sys

    with _DEEP_LOCK:
        _DEEP[0] -= 1
        if _DEEP[0] == 0:
            sys.setrecursionlimit(_DEEP[1])


_DEEP_LOCK = _thread.allocate_lock()
_DEEP = [0, 0]  # users of the headroom, the recursion limit before the first
