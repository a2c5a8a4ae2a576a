"""Rosters: the member lists a secretariat keeps in Excel or CSV, read for
``feedsl batch``.

- :func:`read_table` reads ``.csv`` (UTF-8 with or without BOM, or cp932:
  detected, ``encoding`` forces) or ``.xlsx`` (the first sheet, or ``sheet``;
  python-calamine, the ``excel`` extra) into a header and rows that keep their
  row number in the source file (the header is row 1 of a CSV; in a sheet, rows
  are numbered as Excel numbers them). Wholly blank rows are not members and
  are skipped.
- :func:`find_columns` matches headers to inputs by identifier or label
  (``population`` or ``人口``), NFKC-normalised, ignoring white space and case,
  or through a mapping file (``--map map.toml``: ``input = "header"``).
- :func:`cell_reader` turns one column's cells into an input's values through
  feedsl.typed / feedsl.values (``12,340``, ``2.5万人``, ``市``, ``令和6年10月1日``),
  with Excel's own cell types: integer-valued floats are integers, other floats
  are read as the decimal they show (so ``2.5`` for a 人 input is rejected as not
  whole), Excel dates are dates.

Errors a whole file has (unreadable, no header, a required input without a
column) raise :class:`RosterError`, a UsageError: ``feedsl batch`` exits 2.
"""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

from .typed import UsageError, parse_value
from .values import label_key

NOT_GIVEN = object()
"""An empty cell: the input is not given (its default, or a conditional input left out)."""


class RosterError(UsageError):
    """The roster as a whole cannot be used (exit 2)."""


class Table:
    """A roster read: ``headers`` (text) and ``rows``, a list of (row number in
    the source file, cells); a row is as long as the header."""

    def __init__(self, path: Path, headers: list[str], rows: list, kind: str, encoding: str = ""):
        self.path = path
        self.headers = headers
        self.rows = rows
        self.kind = kind
        self.encoding = encoding


# --- reading -----------------------------------------------------------------

def read_table(path, sheet: str | None = None, encoding: str | None = None) -> Table:
    path = Path(path)
    if not path.is_file():
        raise RosterError(f"名簿のファイルがありません: {path} / no such roster file: {path}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if sheet:
            raise RosterError("--sheet は Excel の名簿（.xlsx）にだけ使えます / --sheet is for .xlsx rosters")
        return _read_csv(path, encoding)
    if suffix in (".xlsx", ".xlsm"):
        if encoding:
            raise RosterError("--encoding は CSV の名簿にだけ使えます / --encoding is for .csv rosters")
        return _read_xlsx(path, sheet)
    raise RosterError(f"{path}: 名簿は .csv か .xlsx にしてください / a roster is a .csv or .xlsx file")


def _decode(data: bytes, path: Path, encoding: str | None) -> tuple[str, str]:
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise RosterError(f"--encoding {encoding}: 知らない文字コードです / unknown encoding") from None
        except UnicodeDecodeError as e:
            raise RosterError(f"{path}: {encoding} として読めません（{e.start}バイト目） / "
                              f"not valid {encoding} at byte {e.start}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode(data, path, "utf-8-sig")[0], "utf-8-sig"
    for enc in ("utf-8", "cp932"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise RosterError(f"{path}: 文字コードが UTF-8 でも cp932（Shift_JIS）でもありません。--encoding で指定してください"
                      f" / neither UTF-8 nor cp932: give --encoding")


def _read_csv(path: Path, encoding: str | None) -> Table:
    data = path.read_bytes()
    text, used = _decode(data, path, encoding)
    reader = csv.reader(io.StringIO(text, newline=""))
    headers = None
    rows = []
    line = 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1  # a quoted cell may span lines
            if not any(c.strip() for c in cells):
                continue
            if headers is None:
                headers = cells
                continue
            rows.append((start, _fit(cells, len(headers))))
    except csv.Error as e:
        raise RosterError(f"{path}:{reader.line_num}: CSV として読めません（{e}） / not valid CSV") from None
    if headers is None:
        raise RosterError(f"{path}: 見出しの行がありません（空のファイル） / no header row")
    return Table(path, [h.strip() for h in headers], rows, "csv", used)


def _fit(cells: list, n: int) -> list:
    """A row as long as the header: short rows padded with empty cells; cells past
    the header are kept (they are carried, not read)."""
    return cells + [""] * (n - len(cells)) if len(cells) < n else cells


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    try:
        import python_calamine
    except ImportError:
        raise RosterError("Excel の名簿を読むには excel の追加機能が要ります: pip install 'feedsl[excel]'"
                          " / reading .xlsx needs the excel extra: pip install 'feedsl[excel]'") from None
    try:
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
        if sheet:
            if sheet not in wb.sheet_names:
                raise RosterError(f"{path}: シート「{sheet}」はありません。シート: {'、'.join(wb.sheet_names)}"
                                  f" / no sheet {sheet!r}")
            ws = wb.get_sheet_by_name(sheet)
        else:
            ws = wb.get_sheet_by_index(0)
        grid = ws.to_python(skip_empty_area=False)
    except RosterError:
        raise
    except Exception as e:  # calamine's errors: not a zip, broken XML, a password
        raise RosterError(f"{path}: Excel ファイルとして読めません（{type(e).__name__}: {e}） / cannot read as .xlsx") from None
    headers = None
    rows = []
    for i, cells in enumerate(grid):
        if not any(c != "" and not (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        if headers is None:
            headers = [str(c).strip() for c in cells]
            while headers and not headers[-1]:
                headers.pop()
            continue
        rows.append((i + 1, _fit(list(cells), len(headers))))
    if headers is None:
        raise RosterError(f"{path}: 見出しの行がありません（空のシート） / no header row")
    return Table(path, headers, rows, "xlsx")


# --- headers -----------------------------------------------------------------

def header_key(text: str) -> str:
    """A header as compared: NFKC, no white space, case folded."""
    return label_key(str(text))


def read_map(path) -> dict[str, str]:
    """``--map map.toml``: ``input = "header"`` lines (an input by identifier or
    label; record fields as ``field = "header"`` too). A ``[columns]`` table is
    read the same way."""
    import tomllib

    try:
        data = tomllib.loads(Path(path).read_text("utf-8-sig"))
    except OSError as e:
        raise RosterError(f"--map {path}: 読めません（{e.strerror or e}） / cannot read") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise RosterError(f"--map {path}: TOML として読めません（{e}） / not valid TOML") from None
    table = data.get("columns", data) if isinstance(data.get("columns"), dict) else data
    out = {}
    for k, v in table.items():
        if not isinstance(v, str):
            raise RosterError(f"--map {path}: {k} = の右辺は見出しの文字列にしてください（{k} = \"人口\"）"
                              f" / {k}: the value must be a header string")
        out[k] = v
    return out


class Target:
    """Something a column can fill: an input, a parameter or a record field."""

    def __init__(self, name: str, label: str, typ, required: bool):
        self.name = name
        self.label = label
        self.type = typ
        self.required = required

    def describe(self) -> str:
        return f"{self.name}（{self.label}）" if self.label else self.name


def find_columns(headers: list[str], targets: list[Target], mapping: dict[str, str] | None,
                 where: str = "") -> dict[str, int]:
    """Target name → column index. Raises RosterError naming every required
    target without a column, its label, and the headers found."""
    keys: dict[str, int] = {}
    for i, h in enumerate(headers):
        keys.setdefault(header_key(h), i)
    by_key = {}
    for t in targets:
        by_key.setdefault(header_key(t.name), t)
        if t.label:
            by_key.setdefault(header_key(t.label), t)
    found: dict[str, int] = {}
    for name, header in (mapping or {}).items():
        t = by_key.get(header_key(name))
        if t is None:
            continue  # a mapping file may serve several entries
        i = keys.get(header_key(header))
        if i is None:
            raise RosterError(f"--map: 入力 {t.describe()} の見出し「{header}」が名簿にありません。"
                              f"見出し: {'、'.join(h for h in headers if h)} / no column {header!r}")
        found[t.name] = i
    for t in targets:
        if t.name in found:
            continue
        cols = sorted({keys[header_key(k)] for k in (t.name, t.label) if k and header_key(k) in keys})
        if len(cols) > 1:  # 人口 and population both: which one is meant is not for us to guess
            raise RosterError(f"名簿{where}の列「{headers[cols[0]]}」と「{headers[cols[1]]}」がどちらも入力 "
                              f"{t.describe()} です。どちらかの見出しを変えるか --map で指定してください"
                              f" / two columns for {t.name}")
        if cols:
            found[t.name] = cols[0]
    missing = [t for t in targets if t.required and t.name not in found]
    if missing:
        names = "、".join(f"{t.describe()}" for t in missing)
        raise RosterError(f"名簿{where}に入力 {names} の列がありません（見出しは識別子か名前で書きます）。"
                          f"名簿の見出し: {'、'.join(h for h in headers if h) or 'なし'}"
                          f" / no column for {', '.join(t.name for t in missing)}")
    return found


# --- cells -------------------------------------------------------------------

def cell_reader(typ, name: str, reg):
    """A function reading one cell of the column for input ``name``: returns the
    value, NOT_GIVEN for an empty cell, or raises UsageError (the cell cannot be
    read as the input's type; the message names the input). Repeated cells (enum
    labels, 0) are read once."""
    from .ir import DateType

    memo: dict = {}
    is_date = isinstance(typ, DateType)

    def read(raw):
        if raw.__class__ is not str:
            return _read(raw)
        got = memo.get(raw)
        if got is None:
            try:
                got = (True, _read(raw))
            except UsageError as e:
                got = (False, str(e))
            if len(memo) < 50_000:
                memo[raw] = got
        if got[0]:
            return got[1]
        raise UsageError(got[1])

    def _read(raw):
        if raw is None:
            return NOT_GIVEN
        cls = raw.__class__
        if cls is str:
            if not raw.strip():
                return NOT_GIVEN
            return parse_value(raw, typ, name, reg)
        if cls is float:
            # Excel keeps every number as a float: 12340.0 is the integer 12340;
            # 2.5 is read as the decimal it shows, exactly (never as a float).
            return parse_value(str(int(raw)) if raw.is_integer() else repr(raw), typ, name, reg)
        if cls is datetime.datetime:
            if is_date and raw.time() == datetime.time(0):
                return raw.date()
            return parse_value(raw.isoformat(sep=" "), typ, name, reg)
        if cls is datetime.date:
            return raw if is_date else parse_value(raw.isoformat(), typ, name, reg)
        if cls is bool:
            return parse_value("はい" if raw else "いいえ", typ, name, reg)
        return parse_value(str(raw), typ, name, reg)

    return read
