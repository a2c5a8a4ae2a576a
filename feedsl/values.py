"""Values as people type them: one reader for every input surface.

The command line (``feedsl eval name=value``), JSON inputs (``--inputs``),
the Python entries of compiled modules (enum labels, date strings), number
and date literals in .fee files, and roster cells (Excel/CSV) all read text
through this module, so ``2.5万人``, ``１２，３４０世帯``, ``75%``, ``市`` and
``令和6年10月1日`` mean the same everywhere:

- :func:`read_quantity` -- ``12,340``, ``１２，３４０``, ``2.5万人``, ``1億円``,
  ``75%`` (a rate), ``1/3``; a unit suffix must be the input's unit; exact
  (``int`` or ``Fraction``, never a float).
- :func:`read_date` -- ``2024-10-01``, ``2024/10/1``, ``2024年10月1日``,
  ``令和6年10月1日``, ``令和元年5月1日``, ``R6.10.1``, ``H30.4.1``.
- :func:`read_bool` -- ``はい``/``いいえ``, ``true``/``false``, ``yes``/``no``, ``1``/``0``.
- :func:`read_enum` -- an enumeration value by its identifier or its label.

Each raises :class:`ValueReadError` (a ``ValueError``) whose ``ja`` and ``en``
say what is wrong without naming the input; the caller adds the input's name.
Standard library only: compiled modules import it through feedsl.runtime.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from fractions import Fraction

__all__ = [
    "ValueReadError",
    "normalize",
    "MULTIPLIERS",
    "split_number",
    "read_digits",
    "read_number",
    "read_quantity",
    "read_date",
    "read_bool",
    "read_enum",
    "label_clashes",
    "ERAS",
    "format_date",
    "wareki",
    "DATE_FORMS",
]


class ValueReadError(ValueError):
    """Text that is not a value of the kind asked for. ``ja`` and ``en`` are
    the two halves of the message; ``kind`` says which check failed
    (number, whole, unit, date, era, bool, enum)."""

    def __init__(self, ja: str, en: str, kind: str = ""):
        super().__init__(f"{ja} / {en}")
        self.ja = ja
        self.en = en
        self.kind = kind


def _clip(text: str, keep: int = 40) -> str:
    return text if len(text) <= keep else f"{text[:keep]}…（{len(text):,}文字）"


def normalize(text: str) -> str:
    """NFKC (full-width digits, commas, periods, ％ and letters become ASCII;
    half-width katakana becomes full-width), without any white space."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


# --- numbers -----------------------------------------------------------------

MULTIPLIERS = {"千": 1_000, "万": 10_000, "億": 100_000_000, "兆": 1_000_000_000_000}
"""Multipliers written after a number: 3千, 2.5万, 1億, 1兆."""

NUMERAL = r"[0-9]+(?:,[0-9]+)*(?:\.[0-9]+)?(?:[千万億兆]+(?:[0-9]+(?:,[0-9]+)*[千万億兆]*)*)?"
"""The shape of a numeral after normalize (12,340 / 2.5万 / 1億5,000万), for
every reader of numbers (this module's and build.py's literals); numeral()
reads its value."""
_NUMBER = re.compile(rf"(?P<sign>[+-]?)(?P<num>{NUMERAL})(?P<rest>.*)", re.DOTALL)
_GROUP = re.compile(r"(?P<int>\d+(?:,\d+)*)(?:\.(?P<frac>\d+))?(?P<mult>[千万億兆]*)", re.ASCII)


def numeral(num: str, max_digits: int | None = None):
    """The exact value of a numeral as written (ASCII digits, after normalize):
    ``12,340``, ``2.5万``, ``1億``, and compound ones as regulations write large
    amounts: ``1億5,000万``, ``1億5千万``, ``1千万``, ``3億2,000万5,000``.

    Returns (value, digits) or a (ja, en) message when the numeral is written
    wrong: multipliers out of order (``5万1億``), a decimal inside a compound
    numeral, commas not grouping three digits. With ``max_digits``, a numeral
    with more digits is read as 10**max_digits (the caller reports it)."""
    groups = [m for m in _GROUP.finditer(num)]
    if not groups or "".join(m[0] for m in groups) != num:
        return f"{num} は数として読めません", f"{num} is not a number"
    digits = sum(len(m["int"].replace(",", "")) + len(m["frac"] or "") for m in groups)
    if max_digits is not None and digits > max_digits:
        return Fraction(10 ** max_digits), digits
    value = Fraction(0)
    last = None
    for m in groups:
        if "," in m["int"] and not _GROUPED.fullmatch(m["int"]):
            return ("桁区切りのコンマは3桁ごとに書いてください（12,340）", "commas must group three digits (12,340)")
        mult = 1
        for ch in m["mult"]:
            mult *= MULTIPLIERS[ch]
        # 千万 (10^7) is one multiplier; 万千 or 億億 is not.
        if len(m["mult"]) > 1 and not (len(m["mult"]) == 2 and m["mult"][0] == "千"):
            return (f"{num}: 「{m['mult']}」とは書けません（千万・1億5,000万 のように書きます）",
                    f"{num}: cannot write {m['mult']}")
        if last is not None and mult >= last:
            return (f"{num}: 大きい位から順に書いてください（1億5,000万 のように）",
                    f"{num}: write the larger unit first (1億5,000万)")
        if m["frac"] and len(groups) > 1:
            return (f"{num}: 小数点は「1.5億」のような一つの位の数にだけ書けます（1億5,000万 と書きます）",
                    f"{num}: a decimal point only in a single-unit numeral (1.5億)")
        whole = _int(m["int"].replace(",", ""))
        v = Fraction(_int(m["int"].replace(",", "") + m["frac"]), 10 ** len(m["frac"])) if m["frac"] else Fraction(whole)
        value += v * mult
        last = mult
    return value, digits
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})*|\d+", re.ASCII)
_RATIO = re.compile(r"([+-]?)(\d+)/(\d+)", re.ASCII)


def read_digits(digits: str) -> int:
    """int() of a digit string of any length, with an optional sign (int()
    itself refuses more than 4,300 digits; JSON integers are read with this)."""
    if digits[:1] in ("+", "-"):
        sign = -1 if digits[0] == "-" else 1
        return sign * read_digits(digits[1:])
    if len(digits) <= 4000:
        return int(digits)
    half = len(digits) // 2
    return read_digits(digits[:-half]) * 10 ** half + read_digits(digits[-half:])


_int = read_digits


def split_number(text: str):
    """``2.5万人`` → (Fraction(25000), '人'): the leading number, exact, with its
    multiplier applied, and the rest of the text; ``None`` when the text does
    not start with a number. Commas must group digits by three (12,340)."""
    s = normalize(text)
    m = _RATIO.match(s)
    if m and m.end() == len(s):
        if _int(m[3]) == 0:
            raise ValueReadError(f"{_clip(text)}: 0 で割ることはできません",
                                 f"{_clip(text)}: division by zero", "number")
        return Fraction((-1 if m[1] == "-" else 1) * _int(m[2]), _int(m[3])), ""
    m = _NUMBER.fullmatch(s)
    if not m:
        return None
    got = numeral(m["num"])
    if isinstance(got[0], str):
        ja, en = got
        raise ValueReadError(f"{_clip(text)}: {ja}" if not ja.startswith(m["num"]) else ja,
                             f"{_clip(text)}: {en}" if not en.startswith(m["num"]) else en, "number")
    value = got[0]
    if m["sign"] == "-":
        value = -value
    return value, m["rest"]


def read_number(text: str) -> Fraction:
    """A number without a unit: ``12,340``, ``１２，３４０``, ``2.5万``, ``1/3``."""
    got = split_number(text)
    if got is None or got[1]:
        raise ValueReadError(f"{_clip(text)} は数として読めません",
                             f"{_clip(text)} is not a number", "number")
    return got[0]


_WORD = r"[\u3041-\u3096\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\u3005]+"
_UNIT = re.compile(f"{_WORD}(?:/{_WORD})?")
"""A unit word as .fee files write them (人, 世帯, 円/人); anything else after
a number is not a unit but a typing slip."""

MONTH_WORDS = ("か月", "ヶ月", "カ月", "ケ月", "箇月", "ヵ月")


def canonical_unit(unit: str) -> str:
    """A unit word with a count of months spelled か月 (ヶ月, カ月 … are the same unit)."""
    for word in MONTH_WORDS[1:]:
        unit = unit.replace(word, "か月")
    return unit


def _same_unit(given: str, unit: str) -> bool:
    return canonical_unit(given) == canonical_unit(unit)


def read_quantity(text: str, unit: str = "", integral: bool = True):
    """A count, an amount or a rate as typed: ``25,000``, ``25,000人``, ``2.5万人``,
    ``１２，３４０世帯``, ``1億円``, ``75%``.

    ``unit`` is the input's unit as the regulation writes it (人, 円, 円/世帯;
    empty for a rate or a plain number). A suffix must be that unit: ``25,000円``
    for a 人 input is an error naming both. ``%`` divides by 100 and is only for
    a unit-less input. Returns an ``int`` when ``integral`` (a fractional value
    is an error), else a ``Fraction``."""
    unit = "" if unit == "無単位" else unit
    got = split_number(text)
    if got is None:
        raise ValueReadError(f"{_clip(text)} は数として読めません",
                             f"{_clip(text)} is not a number", "number")
    value, suffix = got
    if suffix == "%":
        if unit:
            raise ValueReadError(
                f"{_clip(text)}: 単位が違います（{unit} の入力に % が書かれています）",
                f"{_clip(text)}: wrong unit ({unit} expected, % given)", "unit")
        value /= 100
    elif suffix and not _same_unit(suffix, unit):
        if _UNIT.fullmatch(suffix):
            expected = f"{unit} の入力" if unit else "単位のない入力" if integral else "割合の入力（0.75 か 75%）"
            raise ValueReadError(
                f"{_clip(text)}: 単位が違います（{expected}に {_clip(suffix)} が書かれています）",
                f"{_clip(text)}: wrong unit ({unit or ('no unit' if integral else 'a rate')} expected, {_clip(suffix)} given)", "unit")
        raise ValueReadError(f"{_clip(text)} は数として読めません",
                             f"{_clip(text)} is not a number", "number")
    if integral:
        if value.denominator != 1:
            raise ValueReadError(f"{_clip(text)} は整数ではありません（{unit or '数'}は整数で書いてください）",
                                 f"{_clip(text)} is not a whole number", "whole")
        return int(value)
    return value


# --- booleans ----------------------------------------------------------------

_TRUE = ("はい", "true", "yes", "1", "真")
_FALSE = ("いいえ", "false", "no", "0", "偽")


def read_bool(text: str) -> bool:
    """はい/いいえ, true/false, yes/no, 1/0 (any case, full-width too)."""
    s = normalize(text).lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueReadError(f"{_clip(text)}: はい/いいえ（true/false）で書いてください",
                         f"{_clip(text)}: expected はい/いいえ or true/false", "bool")


# --- enumerations ------------------------------------------------------------

def label_key(label: str) -> str:
    return normalize(label).casefold()


def read_enum(text: str, values) -> str:
    """The identifier of the value ``text`` names, by identifier (``city``) or
    label (``市``; compared after NFKC, ignoring white space and case).
    ``values`` is a sequence of (identifier, label)."""
    values = tuple(values)
    for ident, _ in values:
        if text == ident:
            return ident
    key = label_key(text)
    for ident, label in values:
        if key == label_key(label) or key == ident.casefold():
            return ident
    choices = "、".join(f"{ident}（{label}）" for ident, label in values)
    raise ValueReadError(f"{_clip(text)} は使えません。使える値: {choices}",
                         f"unknown value {_clip(text)!r}; one of {', '.join(i for i, _ in values)}", "enum")


def label_clashes(values) -> list[tuple[str, str, str]]:
    """Pairs of values one text could name: (first, second, the text). Two
    labels that read the same, or a label that reads as another value's
    identifier, would make :func:`read_enum` ambiguous."""
    values = tuple(values)
    out = []
    for k, (ident, label) in enumerate(values):
        key = label_key(label)
        for other, olabel in values[:k]:
            if key == label_key(olabel):
                out.append((other, ident, label))
        for other, _ in values:
            if other != ident and key == other.casefold():
                out.append((other, ident, label))
    return out


# --- dates -------------------------------------------------------------------

ERAS = (
    # name, letter, the 西暦 year of its 元年, first day, last day (None: still running)
    ("令和", "R", 2019, datetime.date(2019, 5, 1), None),
    ("平成", "H", 1989, datetime.date(1989, 1, 8), datetime.date(2019, 4, 30)),
    ("昭和", "S", 1926, datetime.date(1926, 12, 25), datetime.date(1989, 1, 7)),
    ("大正", "T", 1912, datetime.date(1912, 7, 30), datetime.date(1926, 12, 24)),
    ("明治", "M", 1868, datetime.date(1873, 1, 1), datetime.date(1912, 7, 29)),
)
"""The eras a date can be written in. 明治 dates are read from 明治6年1月1日,
when Japan took the Gregorian calendar (earlier dates were of the old calendar)."""

_ERA_BY = {name: era for era in ERAS for name in (era[0], era[1])}

DATE_FORMS = "2024-10-01、2024/10/01、2024年10月1日、令和6年10月1日、令和元年5月1日、R6.10.1"
"""The accepted forms, as messages list them."""

_SEIREKI = re.compile(r"(\d{4})(?:-(\d{1,2})-(\d{1,2})|/(\d{1,2})/(\d{1,2})|年(\d{1,2})月(\d{1,2})日)", re.ASCII)
_ERA_KANJI = re.compile(r"(令和|平成|昭和|大正|明治)(元|\d{1,2})年(\d{1,2})月(\d{1,2})日", re.ASCII)
_ERA_LETTER = re.compile(r"([RHSTMrhstm])(\d{1,2})([./-])(\d{1,2})\3(\d{1,2})", re.ASCII)


def _date_error(text: str, why_ja: str = "", why_en: str = "", kind: str = "date"):
    """Text that is no date at all lists the accepted forms; a date that does
    not exist (2024-02-30, 平成31年5月1日) says why."""
    if not why_ja:
        return ValueReadError(f"{_clip(text)}: 日付として読めません（書き方: {DATE_FORMS}）",
                              f"{_clip(text)}: not a date (write 2024-10-01, 2024/10/01, 2024年10月1日, "
                              f"令和6年10月1日 or R6.10.1)", kind)
    return ValueReadError(f"{_clip(text)}: {why_ja}", f"{_clip(text)}: {why_en}", kind)


def _make_date(text: str, y: int, m: int, d: int) -> datetime.date:
    try:
        return datetime.date(y, m, d)
    except ValueError:
        raise _date_error(text, f"{y}年{m}月{d}日という日はありません", "no such date") from None


def read_date(text: str) -> datetime.date:
    """A date as written in Japan: 西暦 (2024-10-01, 2024/10/1, 2024年10月1日) or
    和暦 (令和6年10月1日, 令和元年5月1日, R6.10.1, H30.4.1). A 和暦 date must lie
    within its era (平成31年5月1日 is an error: 令和 began on 2019-05-01).
    Anything else (20241015, 2024-W42-1, 10/1/2024) is an error listing the forms."""
    s = normalize(text)
    m = _SEIREKI.fullmatch(s)
    if m:
        y = int(m[1])
        mo, d = next((int(m[i]), int(m[i + 1])) for i in (2, 4, 6) if m[i])
        return _make_date(text, y, mo, d)
    m = _ERA_KANJI.fullmatch(s) or _ERA_LETTER.fullmatch(s)
    if not m:
        raise _date_error(text)
    if m.re is _ERA_KANJI:
        era_name, year, mo, d = m[1], m[2], m[3], m[4]
    else:
        era_name, year, mo, d = m[1].upper(), m[2], m[4], m[5]
    name, _, gannen, first, last = _ERA_BY[era_name]
    n = 1 if year == "元" else int(year)
    if n < 1:
        raise _date_error(text, f"{name}0年はありません（最初の年は{name}元年）",
                          f"there is no year 0 of {name}")
    day = _make_date(text, gannen + n - 1, int(mo), int(d))
    if day < first or (last is not None and day > last):
        span_ja = f"{format_date(first)}から" + (f"{format_date(last)}まで" if last else "")
        span_en = f"from {first.isoformat()}" + (f" to {last.isoformat()}" if last else "")
        raise _date_error(text, f"{name}は{span_ja}です（{day.year}年{day.month}月{day.day}日は{name}ではありません）",
                          f"{name} runs {span_en}; {day.isoformat()} is outside it", "era")
    return day


def wareki(d: datetime.date) -> str:
    """令和6年10月1日, 令和元年5月1日; a date before 明治6年 in 西暦 (1872年1月1日)."""
    for name, _, gannen, first, last in ERAS:
        if d >= first and (last is None or d <= last):
            n = d.year - gannen + 1
            return f"{name}{'元' if n == 1 else n}年{d.month}月{d.day}日"
    return f"{d.year}年{d.month}月{d.day}日"


def format_date(d: datetime.date) -> str:
    """A date as pages show it: 和暦 with the 西暦 year, 令和6年10月1日（2024年）."""
    w = wareki(d)
    if w.startswith(str(d.year)):
        return w
    return f"{w}（{d.year}年）"
